// Package raw decodes values that carry no schema: String (UTF-8 text, checked)
// and Bytes (anything) into a single column named "value".
package raw

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
)

// Column is the name of the single column raw plans build.
const Column = "value"

// ErrInvalidUTF8 is wrapped by errors for String values that are not UTF-8.
var ErrInvalidUTF8 = errors.New("raw: value is not valid UTF-8")

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
		return fmt.Errorf("raw: %d-byte string: %w", len(v), decode.ErrLimit)
	}
	if !utf8.Valid(v) {
		a.b.AppendNull()
		return ErrInvalidUTF8
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
		return fmt.Errorf("raw: %d-byte value: %w", len(v), decode.ErrLimit)
	}
	a.b.Append(v)
	return nil
}
