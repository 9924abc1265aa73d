package msgpack

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
)

// ExtPolicy says what becomes of extension values other than timestamps.
type ExtPolicy uint8

const (
	// ExtError makes such a value a record error wrapping decode.ErrType.
	ExtError ExtPolicy = iota
	// ExtNull reads such a value as nil: a null in a nullable column.
	ExtNull
)

// Options configure a MessagePack plan.
type Options struct {
	// Schema is the Arrow schema of the value columns: each top-level
	// MessagePack map fills one row, its keys matched to field names.
	// Required; Infer derives one from sample values.
	Schema *arrow.Schema
	// Limits cap lengths, counts and nesting read from the wire (zero fields
	// take decode.DefaultLimits).
	Limits decode.Limits
	// UnknownExt is the policy for extension types other than the timestamp
	// (-1); the default is ExtError.
	UnknownExt ExtPolicy
}

var errNoMapping = errors.New("no MessagePack mapping")

// Plan decodes MessagePack values into the columns of Options.Schema. It is
// immutable and safe for concurrent use; each Bind gets its own Appender.
type Plan struct {
	fields []arrow.Field
	lim    decode.Limits
	extNul bool
}

// NewPlan checks o and returns its plan. A field whose type has no
// MessagePack mapping, or that nests deeper than Limits.MaxDepth, fails here
// with its name, wrapping decode.ErrUnsupported or decode.ErrTooLarge.
func NewPlan(o Options) (*Plan, error) {
	if o.Schema == nil {
		return nil, errors.New("msgpack: Options.Schema is required (Infer derives one from samples)")
	}
	lim := o.Limits.WithDefaults()
	seen := make(map[string]bool, o.Schema.NumFields())
	for _, f := range o.Schema.Fields() {
		if seen[f.Name] {
			return nil, fmt.Errorf("msgpack: field %q appears twice: %w", f.Name, decode.ErrUnsupported)
		}
		seen[f.Name] = true
		if err := check(f.Type, f.Name, 2, lim.MaxDepth); err != nil {
			return nil, err
		}
	}
	return &Plan{fields: o.Schema.Fields(), lim: lim, extNul: o.UnknownExt == ExtNull}, nil
}

// NewCompiler returns a decode.Compiler answering the plan of o for every
// value. MessagePack values carry no registry schema: with the Confluent wire
// format the header is stripped and the writer schema is not consulted.
func NewCompiler(o Options) (decode.Compiler, error) {
	p, err := NewPlan(o)
	if err != nil {
		return nil, err
	}
	return decode.CompilerFunc(func(*registry.ResolvedSchema, []int) (decode.Plan, error) { return p, nil }), nil
}

// check reports types with no mapping and nesting past maxDepth; depth is
// the nesting level of a value of type dt (top-level columns are at 2).
func check(dt arrow.DataType, path string, depth, maxDepth int) error {
	nested := func() error {
		if depth > maxDepth {
			return fmt.Errorf("msgpack: field %s nests %d deep, over MaxDepth %d: %w", path, depth, maxDepth, decode.ErrTooLarge)
		}
		return nil
	}
	switch dt := dt.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float16Type, *arrow.Float32Type, *arrow.Float64Type, *arrow.BooleanType,
		*arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType,
		*arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType, *arrow.FixedSizeBinaryType,
		*arrow.NullType, *arrow.TimestampType, *arrow.Date32Type, *arrow.Date64Type,
		*arrow.Time32Type, *arrow.Time64Type, *arrow.DurationType:
		return nil
	case *arrow.DictionaryType:
		switch dt.ValueType.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
			return nil
		}
	case *arrow.ListType:
		if err := nested(); err != nil {
			return err
		}
		return check(dt.Elem(), path+"[]", depth+1, maxDepth)
	case *arrow.LargeListType:
		if err := nested(); err != nil {
			return err
		}
		return check(dt.Elem(), path+"[]", depth+1, maxDepth)
	case *arrow.FixedSizeListType:
		if err := nested(); err != nil {
			return err
		}
		return check(dt.Elem(), path+"[]", depth+1, maxDepth)
	case *arrow.MapType:
		if err := nested(); err != nil {
			return err
		}
		if !keyTypeOK(dt.KeyType()) {
			return fmt.Errorf("msgpack: field %s: map key type %s: keys must be strings, binary, integers, times or durations: %w",
				path, dt.KeyType(), decode.ErrUnsupported)
		}
		return check(dt.ItemType(), path+"{}", depth+1, maxDepth)
	case *arrow.StructType:
		if err := nested(); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, f := range dt.Fields() {
			if seen[f.Name] {
				return fmt.Errorf("msgpack: field %s.%s appears twice: %w", path, f.Name, decode.ErrUnsupported)
			}
			seen[f.Name] = true
			if err := check(f.Type, path+"."+f.Name, depth+1, maxDepth); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("msgpack: field %s: type %s has no MessagePack mapping: %w", path, dt, decode.ErrUnsupported)
}

// Fields returns the schema's fields.
func (p *Plan) Fields() []arrow.Field { return p.fields }

// Bind returns an Appender writing into bs, one builder per field made from
// Fields with array.NewBuilder.
func (p *Plan) Bind(bs []array.Builder) (decode.Appender, error) {
	if len(bs) != len(p.fields) {
		return nil, fmt.Errorf("msgpack: bind wants %d builders, got %d", len(p.fields), len(bs))
	}
	for i, f := range p.fields {
		if !arrow.TypeEqual(bs[i].Type(), f.Type) {
			return nil, fmt.Errorf("msgpack: bind: builder %d is %s, field %q is %s", i, bs[i].Type(), f.Name, f.Type)
		}
	}
	root, err := newStructCol(p.fields, bs)
	if err != nil {
		return nil, fmt.Errorf("msgpack: bind: %w", err)
	}
	a := &appender{root: root}
	a.r.maxBytes, a.r.maxItems, a.r.maxDepth, a.r.extNull = p.lim.MaxBytes, p.lim.MaxItems, p.lim.MaxDepth, p.extNul
	return a, nil
}

// appender decodes one payload per call into its builders.
type appender struct {
	r    reader
	root *structCol
}

// Append decodes one MessagePack map (or positional array) into one row.
func (a *appender) Append(payload []byte) error {
	a.r.b, a.r.p = payload, 0
	defer func() { a.r.b = nil }() // do not keep the caller's bytes alive
	if len(payload) == 0 {
		a.root.appendNull()
		return a.r.fail(decode.ErrMalformed, "empty value")
	}
	if payload[0] == mNil {
		a.root.appendNull()
		return a.r.fail(decode.ErrType, "value is nil, want a map")
	}
	if err := a.root.decode(&a.r, 1); err != nil {
		return err
	}
	if a.r.p != len(payload) {
		return a.r.fail(decode.ErrMalformed, "%d trailing bytes", len(payload)-a.r.p)
	}
	return nil
}
