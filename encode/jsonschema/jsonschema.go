package jsonschema

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	sjs "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sabot-kafka/sabot/decode"
	decjson "github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/json"
	"github.com/sabot-kafka/sabot/registry"
)

// Options configure a Compiler.
type Options struct {
	// Schema is the writer schema to register. When empty it is derived
	// from each batch's Arrow schema (SchemaFor).
	Schema string
	// References and Deps name the registered schemas Schema's $refs use
	// (Deps holds their text, for validation).
	References []registry.Reference
	Deps       []registry.Dependency
	// Title names the derived schema (its "title", and the record name for
	// the record-name subject strategies); default "Record". A given Schema
	// uses its own title.
	Title string
	// Validate checks every written row against the schema; a row that
	// fails is a row error wrapping encode.ErrInvalid and is not written.
	Validate bool
	// JSON are the value-writing options.
	JSON json.Options
}

// NewCompiler returns an encode.Compiler writing JSON Schema values: each row
// as a JSON object, with the writer schema (type JSON) for the registry.
func NewCompiler(o Options) encode.Compiler {
	return encode.CompilerFunc(func(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
		inner, err := json.NewPlan(s, o.JSON)
		if err != nil {
			return nil, encode.Writer{}, err
		}
		text := o.Schema
		if text == "" {
			title := o.Title
			if title == "" {
				title = "Record"
			}
			if text, err = SchemaFor(s, title, o.JSON); err != nil {
				return nil, encode.Writer{}, err
			}
		}
		js, err := decjson.CompileJSONSchema(text, o.Deps)
		if err != nil {
			return nil, encode.Writer{}, fmt.Errorf("jsonschema: writer schema: %w", err)
		}
		w := encode.Writer{
			Schema:     registry.Schema{Type: registry.TypeJSON, Text: text, References: o.References},
			RecordName: js.Title(),
		}
		if !o.Validate {
			return inner, w, nil
		}
		p := &plan{inner: inner}
		if js.Exact() {
			if p.check, err = js.Plan(decode.Limits{}, true); err != nil {
				return nil, encode.Writer{}, err
			}
		} else {
			p.full = js.Validator()
		}
		return p, w, nil
	})
}

// plan validates each encoded row: through the validating decode plan when
// it covers the schema, else through the full validator.
type plan struct {
	inner encode.Plan
	check decode.Plan
	full  *sjs.Schema
}

func (p *plan) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	app, err := p.inner.Bind(rec)
	if err != nil {
		return nil, err
	}
	a := &appender{inner: app, full: p.full}
	if p.check != nil {
		// Scratch builders on the Go allocator: rows are only checked, and
		// the builders are emptied every few thousand rows.
		mem := memory.NewGoAllocator()
		for _, f := range p.check.Fields() {
			a.bs = append(a.bs, array.NewBuilder(mem, f.Type))
		}
		if a.check, err = p.check.Bind(a.bs); err != nil {
			return nil, err
		}
	}
	return a, nil
}

type appender struct {
	inner encode.Appender
	check decode.Appender
	bs    []array.Builder
	rows  int
	full  *sjs.Schema
	r     bytes.Reader
}

func (a *appender) AppendRow(dst []byte, i int) ([]byte, error) {
	start := len(dst)
	out, err := a.inner.AppendRow(dst, i)
	if err != nil {
		return out, err
	}
	if err := a.validate(out[start:]); err != nil {
		return dst[:start], err
	}
	return out, nil
}

func (a *appender) validate(v []byte) error {
	if a.check != nil {
		err := a.check.Append(v)
		if a.rows++; a.rows == 4096 {
			a.rows = 0
			for _, b := range a.bs {
				b.NewArray().Release()
			}
		}
		if err != nil {
			return invalid(err)
		}
		return nil
	}
	a.r.Reset(v)
	doc, err := sjs.UnmarshalJSON(&a.r)
	if err != nil {
		return fmt.Errorf("jsonschema: encoded row is not JSON: %w", err)
	}
	if err := a.full.Validate(doc); err != nil {
		return &encode.ValueError{Err: fmt.Errorf("%w: %w", encode.ErrInvalid, err)}
	}
	return nil
}

// invalid turns the validating decode plan's error for an encoded row into
// the row error: the same field path, wrapping encode.ErrInvalid.
func invalid(err error) error {
	var ve *decode.ValueError
	if !errors.As(err, &ve) {
		return &encode.ValueError{Err: fmt.Errorf("%w: %w", encode.ErrInvalid, err)}
	}
	msg := strings.TrimPrefix(ve.Err.Error(), "decode: ")
	if errors.Is(ve.Err, decode.ErrInvalid) {
		msg = strings.TrimPrefix(ve.Err.Error(), decode.ErrInvalid.Error()+": ")
	}
	return &encode.ValueError{Path: ve.Path, Err: fmt.Errorf("%w: %s", encode.ErrInvalid, msg)}
}

// SchemaFor derives a JSON Schema (draft 2020-12) describing the values
// encode/json writes for Arrow schema s with options o: one property per
// field in order, non-nullable fields required, nullable ones also admitting
// null. It is what decode/json maps back to the same layout for the common
// types (bool, int64, float64, utf8, timestamp[us, UTC], date32, time64[us],
// binary, struct, list, map<utf8, T>, raw JSON).
func SchemaFor(s *arrow.Schema, title string, o json.Options) (string, error) {
	b := []byte(`{"$schema":"https://json-schema.org/draft/2020-12/schema","title":`)
	b = json.AppendString(b, title)
	b = append(b, ',')
	var err error
	if b, err = objectSchema(b, s.Fields(), o, ""); err != nil {
		return "", err
	}
	return string(append(b, '}')), nil
}

// objectSchema writes the members "type":"object","properties":{...},
// "required":[...] (no braces).
func objectSchema(b []byte, fields []arrow.Field, o json.Options, path string) ([]byte, error) {
	b = append(b, `"type":"object","properties":{`...)
	var err error
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(json.AppendString(b, f.Name), ':')
		if b, err = fieldSchema(b, f, o, path+f.Name); err != nil {
			return nil, err
		}
	}
	b = append(b, '}')
	first := true
	for _, f := range fields {
		if f.Nullable {
			continue
		}
		if first {
			b = append(b, `,"required":[`...)
		} else {
			b = append(b, ',')
		}
		first = false
		b = json.AppendString(b, f.Name)
	}
	if !first {
		b = append(b, ']')
	}
	return b, nil
}

func typeOf(b []byte, t string, nullable bool) []byte {
	if nullable {
		return append(append(append(b, `"type":["`...), t...), `","null"]`...)
	}
	return append(append(append(b, `"type":"`...), t...), '"')
}

func rangeOf(b []byte, lo, hi int64) []byte {
	b = append(b, `,"minimum":`...)
	b = strconv.AppendInt(b, lo, 10)
	b = append(b, `,"maximum":`...)
	return strconv.AppendInt(b, hi, 10)
}

func fieldSchema(b []byte, f arrow.Field, o json.Options, path string) ([]byte, error) {
	if decjson.IsRaw(f) {
		return append(b, "{}"...), nil
	}
	b = append(b, '{')
	n := f.Nullable
	var err error
	switch t := f.Type.(type) {
	case *arrow.BooleanType:
		b = typeOf(b, "boolean", n)
	case *arrow.Int8Type:
		b = rangeOf(typeOf(b, "integer", n), -128, 127)
	case *arrow.Int16Type:
		b = rangeOf(typeOf(b, "integer", n), -32768, 32767)
	case *arrow.Int32Type:
		b = rangeOf(typeOf(b, "integer", n), -2147483648, 2147483647)
	case *arrow.Int64Type, *arrow.DurationType:
		b = typeOf(b, "integer", n)
	case *arrow.Uint8Type:
		b = rangeOf(typeOf(b, "integer", n), 0, 255)
	case *arrow.Uint16Type:
		b = rangeOf(typeOf(b, "integer", n), 0, 65535)
	case *arrow.Uint32Type:
		b = rangeOf(typeOf(b, "integer", n), 0, 4294967295)
	case *arrow.Uint64Type:
		b = append(typeOf(b, "integer", n), `,"minimum":0`...)
	case *arrow.Float16Type, *arrow.Float32Type, *arrow.Float64Type:
		b = typeOf(b, "number", n)
	case *arrow.StringType, *arrow.LargeStringType, *arrow.DictionaryType:
		b = typeOf(b, "string", n)
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType:
		b = append(typeOf(b, "string", n), `,"contentEncoding":"base64"`...)
	case *arrow.TimestampType:
		if o.EpochTimestamps {
			b = typeOf(b, "integer", n)
		} else {
			b = append(typeOf(b, "string", n), `,"format":"date-time"`...)
		}
	case *arrow.Date32Type, *arrow.Date64Type:
		b = append(typeOf(b, "string", n), `,"format":"date"`...)
	case *arrow.Time32Type, *arrow.Time64Type:
		b = append(typeOf(b, "string", n), `,"format":"time"`...)
	case *arrow.Decimal128Type, *arrow.Decimal256Type:
		if o.DecimalStrings {
			b = append(typeOf(b, "string", n), `,"pattern":"^-?[0-9]+(\\.[0-9]+)?$"`...)
		} else {
			b = typeOf(b, "number", n)
		}
	case *arrow.StructType:
		if n {
			b = append(b, `"anyOf":[{"type":"null"},{`...)
		}
		if b, err = objectSchema(b, t.Fields(), o, path+"."); err != nil {
			return nil, err
		}
		if n {
			b = append(b, "}]"...)
		}
	case *arrow.ListType:
		b, err = arraySchema(b, t.ElemField(), o, path, n)
	case *arrow.LargeListType:
		b, err = arraySchema(b, t.ElemField(), o, path, n)
	case *arrow.MapType:
		b = append(typeOf(b, "object", n), `,"additionalProperties":`...)
		b, err = fieldSchema(b, t.ItemField(), o, path+"[]")
	default:
		return nil, fmt.Errorf("jsonschema: field %q: Arrow type %s has no JSON Schema mapping: %w", path, f.Type, encode.ErrUnsupported)
	}
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func arraySchema(b []byte, elem arrow.Field, o json.Options, path string, nullable bool) ([]byte, error) {
	b = append(typeOf(b, "array", nullable), `,"items":`...)
	return fieldSchema(b, elem, o, path+"[]")
}
