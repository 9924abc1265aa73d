package jsonschema

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	sjs "github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/registry"
)

// Mode chooses how values are validated.
type Mode uint8

const (
	// Auto validates inside the decode plan when the plan covers every
	// assertion of the schema (json.Document.Exact), and otherwise parses
	// each value for the full validator before decoding it.
	Auto Mode = iota
	// Full always uses the full validator (for schemas whose plan covers
	// them too: a cross-check, and the baseline the fast path is measured
	// against).
	Full
	// Off decodes into the schema's layout without validating.
	Off
)

// Options configure a Compiler.
type Options struct {
	// Schema is the JSON Schema of values without the wire-format header
	// (decode.WireNone), with Deps the documents its $refs name. Values in
	// the Confluent wire format use the registry's schema instead.
	Schema string
	Deps   []registry.Dependency
	// Mode chooses the validation path (default Auto).
	Mode Mode
	// Limits cap what one payload may claim; zero fields take defaults.
	Limits decode.Limits
}

// NewCompiler returns a decode.Compiler for JSON Schema values: with
// decode.WireConfluent each value's writer schema comes from the registry
// (references resolved into ResolvedSchema.Deps); with decode.WireNone,
// o.Schema applies.
func NewCompiler(o Options) decode.Compiler {
	return decode.CompilerFunc(func(rs *registry.ResolvedSchema, _ []int) (decode.Plan, error) {
		if rs == nil {
			if o.Schema == "" {
				return nil, fmt.Errorf("jsonschema: values carry no schema id and Options.Schema is empty")
			}
			return NewPlan(o.Schema, o.Deps, o.Mode, o.Limits)
		}
		if rs.Type != registry.TypeJSON {
			t := rs.Type
			if t == "" {
				t = registry.TypeAvro
			}
			return nil, fmt.Errorf("jsonschema: writer schema %d is %s, want JSON: %w", rs.ID, t, decode.ErrUnsupported)
		}
		return NewPlan(rs.Text, rs.Deps, o.Mode, o.Limits)
	})
}

// NewPlan compiles schema and returns its validating decode plan.
func NewPlan(schema string, deps []registry.Dependency, mode Mode, l decode.Limits) (decode.Plan, error) {
	js, err := json.CompileJSONSchema(schema, deps)
	if err != nil {
		return nil, fmt.Errorf("jsonschema: %w", err)
	}
	switch {
	case mode == Off:
		return js.Plan(l, false)
	case mode == Auto && js.Exact():
		return js.Plan(l, true)
	}
	inner, err := js.Plan(l, false)
	if err != nil {
		return nil, err
	}
	return &fullPlan{inner: inner, v: js.Validator(), fields: inner.Fields()}, nil
}

// fullPlan validates each value with the full validator, then decodes it.
type fullPlan struct {
	inner  decode.Plan
	v      *sjs.Schema
	fields []arrow.Field
}

func (p *fullPlan) Fields() []arrow.Field { return p.inner.Fields() }

func (p *fullPlan) Bind(bs []array.Builder) (decode.Appender, error) {
	app, err := p.inner.Bind(bs)
	if err != nil {
		return nil, err
	}
	nuller, ok := app.(interface{ AppendNull() })
	if !ok {
		return nil, fmt.Errorf("jsonschema: appender %T cannot append a null row", app)
	}
	return &fullAppender{inner: app, nuller: nuller, v: p.v, fields: p.fields}, nil
}

type fullAppender struct {
	inner  decode.Appender
	nuller interface{ AppendNull() }
	v      *sjs.Schema
	fields []arrow.Field
	r      bytes.Reader
}

func (a *fullAppender) Append(payload []byte) error {
	a.r.Reset(payload)
	doc, err := sjs.UnmarshalJSON(&a.r)
	if err != nil {
		// Not JSON: the decoder says where, in its own words.
		if derr := a.inner.Append(payload); derr != nil {
			return derr
		}
		return &decode.ValueError{Err: fmt.Errorf("%w: %w", decode.ErrMalformed, err)}
	}
	if err := a.v.Validate(doc); err != nil {
		a.nuller.AppendNull()
		return &decode.ValueError{Path: pathOf(a.fields, firstLocation(err)), Err: fmt.Errorf("%w: %s", decode.ErrInvalid, describe(err))}
	}
	return a.inner.Append(payload)
}

var printer = message.NewPrinter(language.English)

// describe flattens a validation error to one line: each failed assertion
// with the instance location it failed at.
func describe(err error) string {
	ve, ok := err.(*sjs.ValidationError) //nolint:errorlint // Validate returns this type itself, unwrapped
	if !ok {
		return err.Error()
	}
	var parts []string
	var walk func(e *sjs.ValidationError)
	walk = func(e *sjs.ValidationError) {
		if len(e.Causes) == 0 {
			parts = append(parts, fmt.Sprintf("at '/%s': %s", strings.Join(e.InstanceLocation, "/"), e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return strings.Join(parts, "; ")
}

// firstLocation is the instance location (JSON pointer tokens) of the first
// failed assertion of a validation error.
func firstLocation(err error) []string {
	ve, ok := err.(*sjs.ValidationError) //nolint:errorlint // Validate returns this type itself, unwrapped
	if !ok {
		return nil
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	return ve.InstanceLocation
}

// pathOf spells an instance location as a decode.ValueError path over the
// plan's columns: struct fields dotted, "[]" for list items, "{}" for map
// values. It stops at a raw-JSON column or a token that names no column
// (an additional property, a tuple item), so the path names the deepest
// column the failed value belongs to.
func pathOf(fields []arrow.Field, loc []string) string {
	var b strings.Builder
	var typ arrow.DataType // nil: fields are the current level
	for _, tok := range loc {
		if typ != nil {
			if st, ok := typ.(*arrow.StructType); ok {
				fields, typ = st.Fields(), nil
			}
		}
		if typ == nil {
			i := slices.IndexFunc(fields, func(f arrow.Field) bool { return f.Name == tok })
			if i < 0 {
				break
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			if json.IsRaw(fields[i]) {
				break
			}
			typ = fields[i].Type
			continue
		}
		var item arrow.Field
		switch t := typ.(type) {
		case *arrow.ListType:
			b.WriteString("[]")
			item = t.ElemField()
		case *arrow.LargeListType:
			b.WriteString("[]")
			item = t.ElemField()
		case *arrow.MapType:
			b.WriteString("{}")
			item = t.ItemField()
		default:
			return b.String()
		}
		if json.IsRaw(item) {
			break
		}
		typ = item.Type
	}
	return b.String()
}
