// Package raw decodes values that carry no schema: String (UTF-8 text, checked)
// and Bytes (anything) into a single column named "value".
//
// Record errors are *decode.ValueError values with an empty path: a String
// value that is not UTF-8 wraps decode.ErrMalformed (at the first bad byte),
// a value over Limits.MaxBytes wraps decode.ErrTooLarge.
package raw

import (
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
)

// Column is the name of the single column raw plans build.
const Column = "value"

// StringPlan returns the plan for UTF-8 text values, one utf8 column.
func StringPlan(l decode.Limits) decode.Plan { return plan{text: true, max: l.WithDefaults().MaxBytes} }

// BytesPlan returns the plan for opaque values, one binary column.
func BytesPlan(l decode.Limits) decode.Plan { return plan{max: l.WithDefaults().MaxBytes} }

// Compiler returns a decode.Compiler that ignores any writer schema and always
// answers p (raw values are never registry-framed).
func Compiler(p decode.Plan) decode.Compiler {
	return decode.CompilerFunc(func(*registry.ResolvedSchema, []int) (decode.Plan, error) { return p, nil })
}

type plan struct {
	text bool
	max  int
}

func (p plan) Fields() []arrow.Field {
	t := arrow.BinaryTypes.Binary
	if p.text {
		t = arrow.BinaryTypes.String
	}
	return []arrow.Field{{Name: Column, Type: t, Nullable: true}}
}

func (p plan) Bind(bs []array.Builder) (decode.Appender, error) {
	if len(bs) != 1 {
		return nil, fmt.Errorf("raw: bind wants 1 builder, got %d", len(bs))
	}
	if p.text {
		b, ok := bs[0].(*array.StringBuilder)
		if !ok {
			return nil, fmt.Errorf("raw: bind wants a string builder, got %T", bs[0])
		}
		return stringAppender{b: b, max: p.max}, nil
	}
	b, ok := bs[0].(*array.BinaryBuilder)
	if !ok {
		return nil, fmt.Errorf("raw: bind wants a binary builder, got %T", bs[0])
	}
	return bytesAppender{b: b, max: p.max}, nil
}

type stringAppender struct {
	b   *array.StringBuilder
	max int
}

func (a stringAppender) Append(v []byte) error {
	if len(v) > a.max {
		a.b.AppendNull()
		return tooLarge(len(v), a.max)
	}
	if !utf8.Valid(v) {
		a.b.AppendNull()
		return &decode.ValueError{Offset: firstInvalid(v), Err: errInvalidUTF8}
	}
	a.b.BinaryBuilder.Append(v) // bytes straight in: no string conversion
	return nil
}

type bytesAppender struct {
	b   *array.BinaryBuilder
	max int
}

func (a bytesAppender) Append(v []byte) error {
	if len(v) > a.max {
		a.b.AppendNull()
		return tooLarge(len(v), a.max)
	}
	a.b.Append(v)
	return nil
}

var errInvalidUTF8 = fmt.Errorf("%w: value is not valid UTF-8", decode.ErrMalformed)

func tooLarge(n, max int) error {
	return &decode.ValueError{Err: fmt.Errorf("%w: %d-byte value over MaxBytes %d", decode.ErrTooLarge, n, max)}
}

// firstInvalid is the offset of the first byte of v that does not start a
// valid UTF-8 sequence.
func firstInvalid(v []byte) int {
	for i := 0; i < len(v); {
		r, n := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(v)
}
