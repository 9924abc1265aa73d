package json

import (
	"encoding/base64"
	stdjson "encoding/json"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	decjson "github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/encode"
)

// Options change how values are written. The zero value writes nulls as
// null, timestamps as RFC 3339 strings and decimals as JSON numbers.
type Options struct {
	// OmitNulls leaves null fields out of objects instead of writing null.
	OmitNulls bool
	// EpochTimestamps writes timestamps as integers (ticks of the column's
	// unit since the epoch) instead of RFC 3339 strings.
	EpochTimestamps bool
	// DecimalStrings writes decimals as JSON strings ("12.50"), for readers
	// that would round a number through float64.
	DecimalStrings bool
}

// NewCompiler returns an encode.Compiler writing each row as one JSON object
// (no wire-format header: plain JSON needs no registry schema).
func NewCompiler(o Options) encode.Compiler {
	return encode.CompilerFunc(func(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
		p, err := NewPlan(s, o)
		return p, encode.Writer{}, err
	})
}

// NewPlan returns the plan writing rows of batches with schema s.
func NewPlan(s *arrow.Schema, o Options) (*Plan, error) {
	p := &Plan{o: o, fields: s.Fields()}
	for _, f := range s.Fields() {
		if err := check(f, f.Name, 0); err != nil {
			return nil, err
		}
	}
	p.keys = objectKeys(s.Fields())
	return p, nil
}

// Plan writes rows of one Arrow schema as JSON objects.
type Plan struct {
	o      Options
	fields []arrow.Field
	keys   [][]byte
}

// objectKeys precomputes `"name":` for each field.
func objectKeys(fs []arrow.Field) [][]byte {
	keys := make([][]byte, len(fs))
	for i, f := range fs {
		keys[i] = append(AppendString(nil, f.Name), ':')
	}
	return keys
}

func unsupported(path string, t arrow.DataType) error {
	return fmt.Errorf("json: field %q: Arrow type %s has no JSON mapping: %w", path, t, encode.ErrUnsupported)
}

// check rejects types with no JSON form at compile time.
func check(f arrow.Field, path string, depth int) error {
	if depth > 64 {
		return fmt.Errorf("json: field %q nests deeper than 64: %w", path, encode.ErrUnsupported)
	}
	if decjson.IsRaw(f) && f.Type.ID() != arrow.STRING && f.Type.ID() != arrow.LARGE_STRING {
		return fmt.Errorf("json: field %q: raw JSON metadata on a %s column: %w", path, f.Type, encode.ErrUnsupported)
	}
	switch t := f.Type.(type) {
	case *arrow.BooleanType, *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float16Type, *arrow.Float32Type, *arrow.Float64Type, *arrow.StringType, *arrow.LargeStringType,
		*arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType,
		*arrow.TimestampType, *arrow.Date32Type, *arrow.Date64Type, *arrow.Time32Type, *arrow.Time64Type,
		*arrow.DurationType, *arrow.Decimal128Type, *arrow.Decimal256Type:
		return nil
	case *arrow.DictionaryType:
		if t.ValueType.ID() == arrow.STRING || t.ValueType.ID() == arrow.LARGE_STRING {
			return nil
		}
	case *arrow.StructType:
		for _, c := range t.Fields() {
			if err := check(c, path+"."+c.Name, depth+1); err != nil {
				return err
			}
		}
		return nil
	case *arrow.ListType:
		return check(t.ElemField(), path+"[]", depth+1)
	case *arrow.LargeListType:
		return check(t.ElemField(), path+"[]", depth+1)
	case *arrow.MapType:
		if t.KeyType().ID() != arrow.STRING && t.KeyType().ID() != arrow.LARGE_STRING {
			return fmt.Errorf("json: field %q: map keys are %s (JSON object keys are strings): %w", path, t.KeyType(), encode.ErrUnsupported)
		}
		return check(t.ItemField(), path+"{}", depth+1)
	}
	return unsupported(path, f.Type)
}

// Bind prepares to write the rows of rec.
func (p *Plan) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	if int(rec.NumCols()) != len(p.fields) {
		return nil, fmt.Errorf("json: batch has %d columns, plan %d", rec.NumCols(), len(p.fields))
	}
	a := &appender{obj: objEnc{keys: p.keys, omit: p.o.OmitNulls, fields: make([]enc, len(p.fields)), cols: rec.Columns()}}
	for i, f := range p.fields {
		e, err := p.o.bind(f, rec.Column(i), f.Name)
		if err != nil {
			return nil, err
		}
		a.obj.fields[i] = e
	}
	return a, nil
}

type appender struct{ obj objEnc }

func (a *appender) AppendRow(dst []byte, i int) ([]byte, error) { return a.obj.append(dst, i) }

// enc writes the (non-null) value at row i.
type enc interface {
	append(dst []byte, i int) ([]byte, error)
}

// objEnc writes an object from parallel columns: the top level or a struct.
type objEnc struct {
	keys   [][]byte
	fields []enc
	cols   []arrow.Array
	omit   bool
}

func (e *objEnc) append(dst []byte, i int) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	var err error
	for j, f := range e.fields {
		null := e.cols[j].IsNull(i)
		if null && e.omit {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, e.keys[j]...)
		if null {
			dst = append(dst, "null"...)
			continue
		}
		if dst, err = f.append(dst, i); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// valueErr is the row error for a value at path with no JSON form: a
// *encode.ValueError wrapping encode.ErrRange.
func valueErr(path, format string, args ...any) error {
	return &encode.ValueError{Path: path, Err: fmt.Errorf("%w: no JSON form: %s", encode.ErrRange, fmt.Sprintf(format, args...))}
}

func (o Options) bind(f arrow.Field, col arrow.Array, path string) (enc, error) {
	if decjson.IsRaw(f) {
		switch c := col.(type) {
		case *array.String:
			return rawEnc[*array.String]{c, path}, nil
		case *array.LargeString:
			return rawEnc[*array.LargeString]{c, path}, nil
		}
	}
	switch c := col.(type) {
	case *array.Boolean:
		return boolEnc{c}, nil
	case *array.Int8:
		return intEnc[int8, *array.Int8]{c}, nil
	case *array.Int16:
		return intEnc[int16, *array.Int16]{c}, nil
	case *array.Int32:
		return intEnc[int32, *array.Int32]{c}, nil
	case *array.Int64:
		return intEnc[int64, *array.Int64]{c}, nil
	case *array.Uint8:
		return uintEnc[uint8, *array.Uint8]{c}, nil
	case *array.Uint16:
		return uintEnc[uint16, *array.Uint16]{c}, nil
	case *array.Uint32:
		return uintEnc[uint32, *array.Uint32]{c}, nil
	case *array.Uint64:
		return uintEnc[uint64, *array.Uint64]{c}, nil
	case *array.Float16:
		return halfEnc{c, path}, nil
	case *array.Float32:
		return floatEnc[float32, *array.Float32]{c, 32, path}, nil
	case *array.Float64:
		return floatEnc[float64, *array.Float64]{c, 64, path}, nil
	case *array.String:
		return strEnc[*array.String]{c}, nil
	case *array.LargeString:
		return strEnc[*array.LargeString]{c}, nil
	case *array.Binary:
		return binEnc[*array.Binary]{c}, nil
	case *array.LargeBinary:
		return binEnc[*array.LargeBinary]{c}, nil
	case *array.FixedSizeBinary:
		return binEnc[*array.FixedSizeBinary]{c}, nil
	case *array.Timestamp:
		u := c.DataType().(*arrow.TimestampType).Unit
		if o.EpochTimestamps {
			return tickEnc{get: func(i int) int64 { return int64(c.Value(i)) }}, nil
		}
		return tsEnc{c: c, unit: u, path: path}, nil
	case *array.Duration:
		return tickEnc{get: func(i int) int64 { return int64(c.Value(i)) }}, nil
	case *array.Date32:
		return dateEnc{get: func(i int) int64 { return int64(c.Value(i)) }, path: path}, nil
	case *array.Date64:
		return dateEnc{get: func(i int) int64 { return floorDiv(int64(c.Value(i)), 86400000) }, path: path}, nil
	case *array.Time32:
		u := c.DataType().(*arrow.Time32Type).Unit
		return clockEnc{get: func(i int) int64 { return int64(c.Value(i)) }, unit: u}, nil
	case *array.Time64:
		u := c.DataType().(*arrow.Time64Type).Unit
		return clockEnc{get: func(i int) int64 { return int64(c.Value(i)) }, unit: u}, nil
	case *array.Decimal128:
		return decimal128Enc{c: c, scale: c.DataType().(*arrow.Decimal128Type).Scale, quote: o.DecimalStrings}, nil
	case *array.Decimal256:
		return decimal256Enc{c: c, scale: c.DataType().(*arrow.Decimal256Type).Scale, quote: o.DecimalStrings}, nil
	case *array.Dictionary:
		return o.dictEnc(c, path)
	case *array.Struct:
		st := c.DataType().(*arrow.StructType)
		e := &structEnc{obj: objEnc{keys: objectKeys(st.Fields()), omit: o.OmitNulls, fields: make([]enc, st.NumFields()), cols: make([]arrow.Array, st.NumFields())}}
		for j, sf := range st.Fields() {
			child := c.Field(j)
			fe, err := o.bind(sf, child, path+"."+sf.Name)
			if err != nil {
				return nil, err
			}
			e.obj.fields[j], e.obj.cols[j] = fe, child
		}
		return e, nil
	case *array.Map:
		mt := c.DataType().(*arrow.MapType)
		keys, err := o.bind(mt.KeyField(), c.Keys(), path) // a key error is the map's own
		if err != nil {
			return nil, err
		}
		items, err := o.bind(mt.ItemField(), c.Items(), path+"{}")
		if err != nil {
			return nil, err
		}
		return &mapEnc{offsets: c.ValueOffsets, keys: keys, items: items, itemCol: c.Items()}, nil
	case *array.List:
		elem, err := o.bind(c.DataType().(*arrow.ListType).ElemField(), c.ListValues(), path+"[]")
		if err != nil {
			return nil, err
		}
		return &listEnc{offsets: c.ValueOffsets, elem: elem, vals: c.ListValues()}, nil
	case *array.LargeList:
		elem, err := o.bind(c.DataType().(*arrow.LargeListType).ElemField(), c.ListValues(), path+"[]")
		if err != nil {
			return nil, err
		}
		return &listEnc{offsets: c.ValueOffsets, elem: elem, vals: c.ListValues()}, nil
	}
	return nil, unsupported(path, col.DataType())
}

type boolEnc struct{ c *array.Boolean }

func (e boolEnc) append(dst []byte, i int) ([]byte, error) {
	if e.c.Value(i) {
		return append(dst, "true"...), nil
	}
	return append(dst, "false"...), nil
}

type intEnc[T int8 | int16 | int32 | int64, A interface{ Value(int) T }] struct{ c A }

func (e intEnc[T, A]) append(dst []byte, i int) ([]byte, error) {
	return strconv.AppendInt(dst, int64(e.c.Value(i)), 10), nil
}

type uintEnc[T uint8 | uint16 | uint32 | uint64, A interface{ Value(int) T }] struct{ c A }

func (e uintEnc[T, A]) append(dst []byte, i int) ([]byte, error) {
	return strconv.AppendUint(dst, uint64(e.c.Value(i)), 10), nil
}

type floatEnc[T float32 | float64, A interface{ Value(int) T }] struct {
	c    A
	bits int
	path string
}

func (e floatEnc[T, A]) append(dst []byte, i int) ([]byte, error) {
	v := e.c.Value(i)
	out, ok := AppendFloat(dst, float64(v), e.bits)
	if !ok {
		return dst, valueErr(e.path, "%v", v)
	}
	return out, nil
}

type halfEnc struct {
	c    *array.Float16
	path string
}

func (e halfEnc) append(dst []byte, i int) ([]byte, error) {
	v := halfValue(e.c.Value(i).Uint16())
	out, ok := AppendFloat(dst, v, 16)
	if !ok {
		return dst, valueErr(e.path, "%v", v)
	}
	return out, nil
}

type strEnc[A interface{ Value(int) string }] struct{ c A }

func (e strEnc[A]) append(dst []byte, i int) ([]byte, error) {
	return AppendString(dst, e.c.Value(i)), nil
}

// rawEnc writes a raw-JSON column's text as is, after checking it is one
// JSON value (so a bad cell costs a row error, not a corrupt message).
type rawEnc[A interface{ Value(int) string }] struct {
	c    A
	path string
}

func (e rawEnc[A]) append(dst []byte, i int) ([]byte, error) {
	v := e.c.Value(i)
	if !stdjson.Valid([]byte(v)) {
		return dst, valueErr(e.path, "raw column holds invalid JSON")
	}
	return append(dst, v...), nil
}

type binEnc[A interface{ Value(int) []byte }] struct{ c A }

func (e binEnc[A]) append(dst []byte, i int) ([]byte, error) {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, e.c.Value(i))
	return append(dst, '"'), nil
}

type tickEnc struct{ get func(int) int64 }

func (e tickEnc) append(dst []byte, i int) ([]byte, error) {
	return strconv.AppendInt(dst, e.get(i), 10), nil
}

type tsEnc struct {
	c    *array.Timestamp
	unit arrow.TimeUnit
	path string
}

func (e tsEnc) append(dst []byte, i int) ([]byte, error) {
	out, ok := AppendTimestamp(append(dst, '"'), int64(e.c.Value(i)), e.unit)
	if !ok {
		return dst, valueErr(e.path, "timestamp outside years 0000-9999")
	}
	return append(out, '"'), nil
}

type dateEnc struct {
	get  func(int) int64
	path string
}

func (e dateEnc) append(dst []byte, i int) ([]byte, error) {
	out, ok := AppendDate(append(dst, '"'), e.get(i))
	if !ok {
		return dst, valueErr(e.path, "date outside years 0000-9999")
	}
	return append(out, '"'), nil
}

type clockEnc struct {
	get  func(int) int64
	unit arrow.TimeUnit
}

func (e clockEnc) append(dst []byte, i int) ([]byte, error) {
	dst = AppendClock(append(dst, '"'), e.get(i), e.unit)
	return append(dst, '"'), nil
}

type decimal128Enc struct {
	c     *array.Decimal128
	scale int32
	quote bool
}

func (e decimal128Enc) append(dst []byte, i int) ([]byte, error) {
	if e.quote {
		dst = append(dst, '"')
	}
	dst = appendDecimal128(dst, e.c.Value(i), e.scale)
	if e.quote {
		dst = append(dst, '"')
	}
	return dst, nil
}

// appendDecimal128 writes the exact decimal text of n at scale, without
// allocating when the unscaled value fits an int64.
func appendDecimal128(dst []byte, n decimal128.Num, scale int32) []byte {
	hi, lo := n.HighBits(), n.LowBits()
	if (hi == 0 && lo <= 1<<63-1) || (hi == -1 && lo >= 1<<63) {
		return appendScaled(dst, int64(lo), scale) //nolint:gosec // G115: two's complement of a value that fits int64
	}
	return append(dst, n.ToString(scale)...)
}

// appendScaled writes v×10^-scale.
func appendScaled(dst []byte, v int64, scale int32) []byte {
	if scale <= 0 {
		dst = strconv.AppendInt(dst, v, 10)
		for ; scale < 0; scale++ {
			if v != 0 {
				dst = append(dst, '0')
			}
		}
		return dst
	}
	var buf [24]byte
	neg := v < 0
	u := uint64(v) //nolint:gosec // G115: magnitude taken below
	if neg {
		u = -u
		dst = append(dst, '-')
	}
	digits := strconv.AppendUint(buf[:0], u, 10)
	if int(scale) >= len(digits) {
		dst = append(dst, '0', '.')
		for k := len(digits); k < int(scale); k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	cut := len(digits) - int(scale)
	dst = append(dst, digits[:cut]...)
	dst = append(dst, '.')
	return append(dst, digits[cut:]...)
}

type decimal256Enc struct {
	c     *array.Decimal256
	scale int32
	quote bool
}

func (e decimal256Enc) append(dst []byte, i int) ([]byte, error) {
	if e.quote {
		dst = append(dst, '"')
	}
	dst = append(dst, e.c.Value(i).ToString(e.scale)...)
	if e.quote {
		dst = append(dst, '"')
	}
	return dst, nil
}

func (o Options) dictEnc(c *array.Dictionary, path string) (enc, error) {
	switch d := c.Dictionary().(type) {
	case *array.String:
		return dictEnc[*array.String]{c: c, dict: d}, nil
	case *array.LargeString:
		return dictEnc[*array.LargeString]{c: c, dict: d}, nil
	}
	return nil, unsupported(path, c.DataType())
}

type dictEnc[A interface{ Value(int) string }] struct {
	c    *array.Dictionary
	dict A
}

func (e dictEnc[A]) append(dst []byte, i int) ([]byte, error) {
	return AppendString(dst, e.dict.Value(e.c.GetValueIndex(i))), nil
}

type structEnc struct{ obj objEnc }

func (e *structEnc) append(dst []byte, i int) ([]byte, error) { return e.obj.append(dst, i) }

// itemsOf writes the items [start, end) of a child column as a JSON array.
func itemsOf(dst []byte, elem enc, vals arrow.Array, start, end int) ([]byte, error) {
	dst = append(dst, '[')
	var err error
	for j := start; j < end; j++ {
		if j > start {
			dst = append(dst, ',')
		}
		if vals.IsNull(j) {
			dst = append(dst, "null"...)
			continue
		}
		if dst, err = elem.append(dst, j); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

type listEnc struct {
	offsets func(int) (int64, int64)
	elem    enc
	vals    arrow.Array
}

func (e *listEnc) append(dst []byte, i int) ([]byte, error) {
	start, end := e.offsets(i)
	return itemsOf(dst, e.elem, e.vals, int(start), int(end))
}

type mapEnc struct {
	offsets func(int) (int64, int64)
	keys    enc
	items   enc
	itemCol arrow.Array
}

func (e *mapEnc) append(dst []byte, i int) ([]byte, error) {
	start, end := e.offsets(i)
	dst = append(dst, '{')
	var err error
	for j := int(start); j < int(end); j++ {
		if j > int(start) {
			dst = append(dst, ',')
		}
		if dst, err = e.keys.append(dst, j); err != nil {
			return dst, err
		}
		dst = append(dst, ':')
		if e.itemCol.IsNull(j) {
			dst = append(dst, "null"...)
			continue
		}
		if dst, err = e.items.append(dst, j); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}
