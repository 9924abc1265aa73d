package json

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
)

// Options say where the column layout comes from: exactly one of Schema,
// JSONSchema or Sample.
type Options struct {
	// Schema is the Arrow schema: one column per top-level key.
	Schema *arrow.Schema
	// JSONSchema is a JSON Schema document the columns are derived from
	// (see CompileJSONSchema). Deps are the documents its $refs name, by the
	// reference names used in $ref.
	JSONSchema string
	Deps       []registry.Dependency
	// Sample holds JSON objects the columns are inferred from (see Infer).
	Sample [][]byte
	// Limits cap what one payload may claim; zero fields take defaults.
	Limits decode.Limits
}

// NewCompiler returns a decode.Compiler for JSON values. For bare values
// (WireNone) the layout comes from o. For values in the Confluent wire format
// the registry's writer schema (a JSON Schema) gives the layout unless
// o.Schema is set; nothing is validated here (decode/jsonschema validates).
func NewCompiler(o Options) decode.Compiler {
	c := &compiler{o: o}
	return decode.CompilerFunc(c.compile)
}

type compiler struct {
	o    Options
	once sync.Once
	plan decode.Plan
	err  error
}

func (c *compiler) compile(rs *registry.ResolvedSchema, _ []int) (decode.Plan, error) {
	if rs != nil && c.o.Schema == nil {
		if rs.Type != registry.TypeJSON {
			return nil, fmt.Errorf("json: writer schema %d is %s, want JSON: %w", rs.ID, typeName(rs.Type), decode.ErrUnsupported)
		}
		js, err := CompileJSONSchema(rs.Text, rs.Deps)
		if err != nil {
			return nil, err
		}
		return js.Plan(c.o.Limits, false)
	}
	c.once.Do(func() { c.plan, c.err = c.fixed() })
	return c.plan, c.err
}

func typeName(t registry.SchemaType) string {
	if t == "" {
		return string(registry.TypeAvro)
	}
	return string(t)
}

func (c *compiler) fixed() (decode.Plan, error) {
	o := c.o
	n := 0
	for _, set := range []bool{o.Schema != nil, o.JSONSchema != "", o.Sample != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("json: Options need exactly one of Schema, JSONSchema or Sample")
	}
	switch {
	case o.Schema != nil:
		return NewPlan(o.Schema, o.Limits)
	case o.JSONSchema != "":
		js, err := CompileJSONSchema(o.JSONSchema, o.Deps)
		if err != nil {
			return nil, err
		}
		return js.Plan(o.Limits, false)
	}
	s, err := Infer(o.Sample, o.Limits)
	if err != nil {
		return nil, err
	}
	return NewPlan(s, o.Limits)
}

// NewPlan returns the plan that decodes JSON objects into the columns of s:
// each top-level key fills the column of that name.
func NewPlan(s *arrow.Schema, l decode.Limits) (decode.Plan, error) {
	kids := make([]*node, s.NumFields())
	for i, f := range s.Fields() {
		n, err := compileField(f, "", 1)
		if err != nil {
			return nil, err
		}
		kids[i] = n
	}
	return newPlan(kids, nil, l)
}

// newPlan builds a plan over compiled top-level nodes; top carries the
// top-level object checks of a validating plan.
func newPlan(kids []*node, top *objChecks, l decode.Limits) (*plan, error) {
	names := make([]string, len(kids))
	fields := make([]arrow.Field, len(kids))
	for i, k := range kids {
		names[i] = k.name
		fields[i] = arrow.Field{Name: k.name, Type: k.typ, Nullable: k.nullable}
		if k.raw {
			fields[i] = RawField(k.name)
		}
	}
	if dup := firstDuplicate(names); dup != "" {
		return nil, fmt.Errorf("json: two columns named %q: %w", dup, decode.ErrUnsupported)
	}
	return &plan{fields: fields, kids: kids, keys: newKeyTable(names), top: top, lim: l.WithDefaults()}, nil
}

// objChecks are the object-level assertions of a validating plan.
type objChecks struct {
	closed   bool
	required []int
}

type plan struct {
	fields []arrow.Field
	kids   []*node
	keys   keyTable
	top    *objChecks
	lim    decode.Limits
}

func (p *plan) Fields() []arrow.Field { return p.fields }

func (p *plan) Bind(bs []array.Builder) (decode.Appender, error) {
	if len(bs) != len(p.kids) {
		return nil, fmt.Errorf("json: bind wants %d builders, got %d", len(p.kids), len(bs))
	}
	root := &objDec{kids: p.kids, keys: &p.keys, seen: make([]bool, len(p.kids)), fields: make([]dec, len(p.kids))}
	if p.top != nil {
		root.closed, root.required = p.top.closed, p.top.required
	}
	for i, k := range p.kids {
		d, err := bind(k, bs[i])
		if err != nil {
			return nil, err
		}
		root.fields[i] = d
	}
	return &appender{root: root, s: scanner{lim: p.lim}}, nil
}

type appender struct {
	root *objDec
	s    scanner
}

// AppendNull appends a row of nulls, for callers that reject a payload
// before decoding it (a validating decoder whose validator said no).
func (a *appender) AppendNull() { a.root.null() }

func (a *appender) Append(payload []byte) error {
	s := &a.s
	s.reset(payload)
	c := s.ws()
	if c != '{' {
		a.root.null()
		if c == 0 {
			return s.syntax("", "empty value")
		}
		return s.fail(decode.ErrType, "", "top-level value is a %s, want an object", kindName(c))
	}
	if err := a.root.object(s); err != nil {
		return err
	}
	return s.end()
}

// bind creates the decoder for n writing into b.
func bind(n *node, b array.Builder) (dec, error) {
	bs := base{path: n.path, nullOK: n.nullOK, chk: n.chk}
	wrong := func() (dec, error) {
		return nil, fmt.Errorf("json: field %q: builder %T does not match type %s", n.path, b, n.typ)
	}
	if n.raw {
		sb, ok := stringsOf(b)
		if !ok {
			return wrong()
		}
		return &rawDec{base: bs, b: sb}, nil
	}
	switch t := n.typ.(type) {
	case *arrow.BooleanType:
		if bb, ok := b.(*array.BooleanBuilder); ok {
			return &boolDec{base: bs, b: bb}, nil
		}
	case *arrow.Int8Type:
		if bb, ok := b.(*array.Int8Builder); ok {
			return &intDec[int8, *array.Int8Builder]{base: bs, b: bb, lo: int8Range[0], hi: int8Range[1]}, nil
		}
	case *arrow.Int16Type:
		if bb, ok := b.(*array.Int16Builder); ok {
			return &intDec[int16, *array.Int16Builder]{base: bs, b: bb, lo: int16Range[0], hi: int16Range[1]}, nil
		}
	case *arrow.Int32Type:
		if bb, ok := b.(*array.Int32Builder); ok {
			return &intDec[int32, *array.Int32Builder]{base: bs, b: bb, lo: int32Range[0], hi: int32Range[1]}, nil
		}
	case *arrow.Int64Type:
		if bb, ok := b.(*array.Int64Builder); ok {
			return &intDec[int64, *array.Int64Builder]{base: bs, b: bb, lo: int64Range[0], hi: int64Range[1]}, nil
		}
	case *arrow.Uint8Type:
		if bb, ok := b.(*array.Uint8Builder); ok {
			return &uintDec[uint8, *array.Uint8Builder]{base: bs, b: bb, hi: math.MaxUint8}, nil
		}
	case *arrow.Uint16Type:
		if bb, ok := b.(*array.Uint16Builder); ok {
			return &uintDec[uint16, *array.Uint16Builder]{base: bs, b: bb, hi: math.MaxUint16}, nil
		}
	case *arrow.Uint32Type:
		if bb, ok := b.(*array.Uint32Builder); ok {
			return &uintDec[uint32, *array.Uint32Builder]{base: bs, b: bb, hi: math.MaxUint32}, nil
		}
	case *arrow.Uint64Type:
		if bb, ok := b.(*array.Uint64Builder); ok {
			return &uintDec[uint64, *array.Uint64Builder]{base: bs, b: bb, hi: math.MaxUint64}, nil
		}
	case *arrow.Float32Type:
		if bb, ok := b.(*array.Float32Builder); ok {
			return &floatDec[float32, *array.Float32Builder]{base: bs, b: bb, bits: 32}, nil
		}
	case *arrow.Float64Type:
		if bb, ok := b.(*array.Float64Builder); ok {
			return &floatDec[float64, *array.Float64Builder]{base: bs, b: bb, bits: 64}, nil
		}
	case *arrow.StringType, *arrow.LargeStringType:
		if sb, ok := stringsOf(b); ok {
			return &stringDec{base: bs, b: sb}, nil
		}
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		if bb, ok := b.(*array.BinaryBuilder); ok {
			return &binaryDec{base: bs, b: bb}, nil
		}
	case *arrow.FixedSizeBinaryType:
		if bb, ok := b.(*array.FixedSizeBinaryBuilder); ok {
			return &fixedBinaryDec{base: bs, b: bb, width: t.ByteWidth}, nil
		}
	case *arrow.DictionaryType:
		if bb, ok := b.(*array.BinaryDictionaryBuilder); ok {
			return &dictDec{base: bs, b: bb}, nil
		}
	case *arrow.Decimal128Type:
		if bb, ok := b.(*array.Decimal128Builder); ok {
			return &decimal128Dec{base: bs, b: bb, prec: t.Precision, scale: t.Scale}, nil
		}
	case *arrow.Decimal256Type:
		if bb, ok := b.(*array.Decimal256Builder); ok {
			return &decimal256Dec{base: bs, b: bb, prec: t.Precision, scale: t.Scale}, nil
		}
	case *arrow.StructType:
		if sb, ok := b.(*array.StructBuilder); ok {
			return bindStruct(n, sb, bs)
		}
	case *arrow.ListType:
		if lb, ok := b.(*array.ListBuilder); ok {
			return bindList(n, lb, lb.ValueBuilder(), bs)
		}
	case *arrow.LargeListType:
		if lb, ok := b.(*array.LargeListBuilder); ok {
			return bindList(n, lb, lb.ValueBuilder(), bs)
		}
	case *arrow.MapType:
		if mb, ok := b.(*array.MapBuilder); ok {
			kb, ok := stringsOf(mb.KeyBuilder())
			if !ok {
				return wrong()
			}
			item, err := bind(n.kids[0], mb.ItemBuilder())
			if err != nil {
				return nil, err
			}
			return &mapDec{base: bs, b: mb, keyB: kb, item: item}, nil
		}
	default:
		if d, ok := bindTicks(n, b, bs); ok {
			return d, nil
		}
	}
	return wrong()
}

func stringsOf(b array.Builder) (*array.BinaryBuilder, bool) {
	switch sb := b.(type) {
	case *array.StringBuilder:
		return sb.BinaryBuilder, true
	case *array.LargeStringBuilder:
		return sb.BinaryBuilder, true
	}
	return nil, false
}

func bindStruct(n *node, sb *array.StructBuilder, bs base) (dec, error) {
	d := &objDec{base: bs, sb: sb, kids: n.kids, keys: &n.keys, seen: make([]bool, len(n.kids)), fields: make([]dec, len(n.kids))}
	if n.obj != nil {
		d.closed, d.required = n.obj.closed, n.obj.required
	}
	for i, k := range n.kids {
		f, err := bind(k, sb.FieldBuilder(i))
		if err != nil {
			return nil, err
		}
		d.fields[i] = f
	}
	return d, nil
}

func bindList(n *node, lb listBuilder, vb array.Builder, bs base) (dec, error) {
	elem, err := bind(n.kids[0], vb)
	if err != nil {
		return nil, err
	}
	d := &listDec{base: bs, b: lb, elem: elem, maxItems: -1}
	if n.arr != nil {
		d.minItems, d.maxItems = n.arr.minItems, n.arr.maxItems
	}
	return d, nil
}

// arrChecks are the array assertions of a validating plan.
type arrChecks struct {
	minItems, maxItems int
}

func bindTicks(n *node, b array.Builder, bs base) (dec, bool) {
	d := &tickDec{base: bs, kind: n.typ.ID(), lo: math.MinInt64, hi: math.MaxInt64}
	switch t := n.typ.(type) {
	case *arrow.TimestampType:
		tb, ok := b.(*array.TimestampBuilder)
		if !ok {
			return nil, false
		}
		d.unit, d.nullF = t.Unit, tb.AppendNull
		d.apply = func(v int64) { tb.Append(arrow.Timestamp(v)) }
	case *arrow.DurationType:
		tb, ok := b.(*array.DurationBuilder)
		if !ok {
			return nil, false
		}
		d.unit, d.nullF = t.Unit, tb.AppendNull
		d.apply = func(v int64) { tb.Append(arrow.Duration(v)) }
	case *arrow.Date32Type:
		tb, ok := b.(*array.Date32Builder)
		if !ok {
			return nil, false
		}
		d.lo, d.hi, d.nullF = math.MinInt32, math.MaxInt32, tb.AppendNull
		d.apply = func(v int64) { tb.Append(arrow.Date32(v)) } //nolint:gosec // G115: v is within [lo, hi], the int32 range
	case *arrow.Date64Type:
		tb, ok := b.(*array.Date64Builder)
		if !ok {
			return nil, false
		}
		d.nullF = tb.AppendNull
		d.apply = func(v int64) { tb.Append(arrow.Date64(v)) }
	case *arrow.Time32Type:
		tb, ok := b.(*array.Time32Builder)
		if !ok {
			return nil, false
		}
		d.unit, d.lo, d.hi, d.nullF = t.Unit, 0, 86400*unitsPerSecond(t.Unit)-1, tb.AppendNull
		d.apply = func(v int64) { tb.Append(arrow.Time32(v)) } //nolint:gosec // G115: v is within [lo, hi], one day of ticks
	case *arrow.Time64Type:
		tb, ok := b.(*array.Time64Builder)
		if !ok {
			return nil, false
		}
		d.unit, d.lo, d.hi, d.nullF = t.Unit, 0, 86400*unitsPerSecond(t.Unit)-1, tb.AppendNull
		d.apply = func(v int64) { tb.Append(arrow.Time64(v)) }
	default:
		return nil, false
	}
	return d, true
}
