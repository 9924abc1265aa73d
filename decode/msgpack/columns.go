package msgpack

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"

	"github.com/sabot-kafka/sabot/decode"
)

// A column decodes values into one builder. decode is called with a non-nil
// value at r.p; decode and appendNull each append exactly one entry (decode
// appends a null when it fails), so columns stay aligned whatever happens.
type column interface {
	decode(r *reader, depth int) error
	appendNull()
}

// decodeSlot decodes the value at r.p into col: nil becomes a null (an error
// for a non-nullable slot), anything else goes to the column.
func decodeSlot(r *reader, col column, nullable bool, depth int) error {
	c, err := r.peek()
	if err != nil {
		col.appendNull()
		return err
	}
	if c == mNil {
		col.appendNull()
		if !nullable {
			return r.fail(decode.ErrNull, "got nil")
		}
		r.p++
		return nil
	}
	if r.extNull && isExt(c) {
		start := r.p
		typ, _, err := r.ext()
		if err != nil {
			col.appendNull()
			return err
		}
		if typ != TimestampExt {
			col.appendNull()
			if !nullable {
				r.p = start
				return r.fail(decode.ErrNull, "extension type %d read as null", typ)
			}
			return nil
		}
		r.p = start
	}
	return col.decode(r, depth)
}

// appendBuilder is what the integer-like builders have in common.
type appendBuilder[T any] interface {
	Append(T)
	AppendNull()
}

// intCol decodes any integer (or integral float) into a signed integer-like
// column (ints, date32, date64, time32, time64, duration), range-checked.
type intCol[T ~int8 | ~int16 | ~int32 | ~int64] struct {
	b        appendBuilder[T]
	min, max int64
}

func newIntCol[T ~int8 | ~int16 | ~int32 | ~int64](b appendBuilder[T], bits uint) *intCol[T] {
	return &intCol[T]{b: b, min: -1 << (bits - 1), max: 1<<(bits-1) - 1}
}

func (c *intCol[T]) decode(r *reader, _ int) error {
	if v := r.b[r.p]; v <= 0x7f { // positive fixint: the common case
		r.p++
		if int64(v) > c.max {
			r.p--
			c.b.AppendNull()
			return r.fail(decode.ErrRange, "%d overflows the column", v)
		}
		c.b.Append(T(v))
		return nil
	}
	start := r.p
	v, err := r.int64()
	if err != nil {
		c.b.AppendNull()
		return err
	}
	if v < c.min || v > c.max {
		c.b.AppendNull()
		r.p = start
		return r.fail(decode.ErrRange, "%d overflows the column", v)
	}
	c.b.Append(T(v))
	return nil
}

func (c *intCol[T]) appendNull() { c.b.AppendNull() }

// uintCol decodes non-negative integers into an unsigned column.
type uintCol[T ~uint8 | ~uint16 | ~uint32 | ~uint64] struct {
	b   appendBuilder[T]
	max uint64
}

func (c *uintCol[T]) decode(r *reader, _ int) error {
	start := r.p
	v, err := r.uint64()
	if err != nil {
		c.b.AppendNull()
		return err
	}
	if v > c.max {
		c.b.AppendNull()
		r.p = start
		return r.fail(decode.ErrRange, "%d overflows the column", v)
	}
	c.b.Append(T(v))
	return nil
}

func (c *uintCol[T]) appendNull() { c.b.AppendNull() }

// floatCol decodes any number into a float64 column.
type float64Col struct{ b *array.Float64Builder }

func (c float64Col) decode(r *reader, _ int) error {
	if r.b[r.p] == mFloat64 && len(r.b)-r.p >= 9 { // the common case
		c.b.Append(math.Float64frombits(beUint64(r.b[r.p+1:])))
		r.p += 9
		return nil
	}
	v, err := r.float64()
	if err != nil {
		c.b.AppendNull()
		return err
	}
	c.b.Append(v)
	return nil
}

func (c float64Col) appendNull() { c.b.AppendNull() }

// narrowFloatCol decodes any number into a float32 or float16 column; finite
// values beyond the type's range are range errors.
type narrowFloatCol struct {
	b32 *array.Float32Builder
	b16 *array.Float16Builder
	max float64
}

func (c narrowFloatCol) decode(r *reader, _ int) error {
	start := r.p
	v, err := r.float64()
	if err == nil && !math.IsInf(v, 0) && math.Abs(v) > c.max {
		r.p = start
		err = r.fail(decode.ErrRange, "%g overflows the column", v)
	}
	if err != nil {
		c.appendNull()
		return err
	}
	if c.b32 != nil {
		c.b32.Append(float32(v))
	} else {
		c.b16.Append(float16.New(float32(v)))
	}
	return nil
}

func (c narrowFloatCol) appendNull() {
	if c.b32 != nil {
		c.b32.AppendNull()
	} else {
		c.b16.AppendNull()
	}
}

type boolCol struct{ b *array.BooleanBuilder }

func (c boolCol) decode(r *reader, _ int) error {
	switch r.b[r.p] {
	case mTrue:
		c.b.Append(true)
	case mFalse:
		c.b.Append(false)
	default:
		c.b.AppendNull()
		return r.wrongType(r.b[r.p], "bool")
	}
	r.p++
	return nil
}

func (c boolCol) appendNull() { c.b.AppendNull() }

// bytesBuilder is what the binary-like builders have in common.
type bytesBuilder interface {
	Append([]byte)
	AppendNull()
}

// bytesCol decodes str and bin values into a string or binary column (any
// width, views included). String columns check UTF-8.
type bytesCol struct {
	b    bytesBuilder
	text bool
}

func (c bytesCol) decode(r *reader, _ int) error {
	start := r.p
	v, isStr, err := r.strOrBin()
	if err == nil && c.text && !utf8.Valid(v) {
		r.p = start
		err = notUTF8(r, isStr)
	}
	if err != nil {
		c.b.AppendNull()
		return err
	}
	c.b.Append(v)
	return nil
}

func (c bytesCol) appendNull() { c.b.AppendNull() }

// notUTF8 is the error for text that is not UTF-8: a str must be
// (decode.ErrMalformed); a bin in a string column is a value the column does
// not take (decode.ErrType).
func notUTF8(r *reader, isStr bool) error {
	if isStr {
		return r.fail(decode.ErrMalformed, "str is not valid UTF-8")
	}
	return r.fail(decode.ErrType, "bin is not valid UTF-8 for a string column")
}

// fixedBinaryCol decodes str or bin values of exactly the column's width.
type fixedBinaryCol struct {
	b     *array.FixedSizeBinaryBuilder
	width int
}

func (c fixedBinaryCol) decode(r *reader, _ int) error {
	start := r.p
	v, _, err := r.strOrBin()
	if err == nil && len(v) != c.width {
		r.p = start
		err = r.fail(decode.ErrType, "%d bytes, want %d", len(v), c.width)
	}
	if err != nil {
		c.b.AppendNull()
		return err
	}
	c.b.Append(v)
	return nil
}

func (c fixedBinaryCol) appendNull() { c.b.AppendNull() }

// dictCol decodes str or bin values into a dictionary column of string or
// binary values.
type dictCol struct {
	b    *array.BinaryDictionaryBuilder
	text bool
}

func (c dictCol) decode(r *reader, _ int) error {
	start := r.p
	v, isStr, err := r.strOrBin()
	if err == nil && c.text && !utf8.Valid(v) {
		r.p = start
		err = notUTF8(r, isStr)
	}
	if err == nil {
		if err = c.b.Append(v); err != nil {
			r.p = start
			err = r.fail(decode.ErrRange, "dictionary: %v", err)
		}
	}
	if err != nil {
		c.b.AppendNull()
		return err
	}
	return nil
}

func (c dictCol) appendNull() { c.b.AppendNull() }

// nullCol is the column of Arrow type null: only nil fits.
type nullCol struct{ b *array.NullBuilder }

func (c nullCol) decode(r *reader, _ int) error {
	c.b.AppendNull()
	return r.wrongType(r.b[r.p], "nil")
}

func (c nullCol) appendNull() { c.b.AppendNull() }

// timestampCol decodes the timestamp extension, converted to the column's
// unit (rounding toward the past), or an integer count of that unit.
type timestampCol struct {
	b    *array.TimestampBuilder
	unit arrow.TimeUnit
}

func (c timestampCol) decode(r *reader, _ int) error {
	start := r.p
	var v int64
	var err error
	if isExt(r.b[r.p]) {
		v, err = r.timestampIn(c.unit)
	} else {
		v, err = r.int64()
	}
	if err != nil {
		c.b.AppendNull()
		r.p = start
		return err
	}
	c.b.Append(arrow.Timestamp(v))
	return nil
}

func (c timestampCol) appendNull() { c.b.AppendNull() }

// timestampIn reads a timestamp extension as a count of unit.
func (r *reader) timestampIn(unit arrow.TimeUnit) (int64, error) {
	start := r.p
	typ, data, err := r.ext()
	if err != nil {
		return 0, err
	}
	if typ != TimestampExt {
		r.p = start
		return 0, r.fail(decode.ErrType, "unsupported extension type %d", typ)
	}
	sec, nsec, ok := timestamp(data)
	if !ok {
		r.p = start
		return 0, r.fail(decode.ErrMalformed, "timestamp extension of %d bytes or nanoseconds over 999999999", len(data))
	}
	v, ok := toUnit(sec, nsec, unit)
	if !ok {
		r.p = start
		return 0, r.fail(decode.ErrRange, "timestamp %d.%09d s overflows %s", sec, nsec, unit)
	}
	return v, nil
}

// toUnit converts seconds and nanoseconds to a count of unit, flooring; ok is
// false when the result overflows int64.
func toUnit(sec int64, nsec uint32, unit arrow.TimeUnit) (int64, bool) {
	nsPer := int64(unit.Multiplier()) // nanoseconds per unit
	mul := time1e9 / nsPer            // units per second
	frac := int64(nsec) / nsPer
	if sec >= 0 {
		if sec > (math.MaxInt64-frac)/mul {
			return 0, false
		}
		return sec*mul + frac, true
	}
	// sec*mul may overflow where sec*mul+frac does not: go through sec+1.
	s1 := sec + 1
	if s1 < math.MinInt64/mul {
		return 0, false
	}
	v, d := s1*mul, mul-frac
	if v < math.MinInt64+d {
		return 0, false
	}
	return v - d, true
}

const time1e9 = 1_000_000_000

// dateCol decodes integers (days for date32, milliseconds for date64) or a
// timestamp extension floored to its day.
type dateCol struct {
	d32 *array.Date32Builder
	d64 *array.Date64Builder
}

func (c dateCol) decode(r *reader, _ int) error {
	start := r.p
	var v int64
	var err error
	if isExt(r.b[r.p]) {
		var sec int64
		if sec, err = r.timestampIn(arrow.Second); err == nil {
			v = floorDiv(sec, 86400)
			if c.d64 != nil {
				v *= 86_400_000 // |days| < 2^47 here, so this cannot overflow
			}
		}
	} else {
		v, err = r.int64()
	}
	if err == nil && c.d32 != nil && (v < math.MinInt32 || v > math.MaxInt32) {
		r.p = start
		err = r.fail(decode.ErrRange, "%d days overflows date32", v)
	}
	if err != nil {
		c.appendNull()
		return err
	}
	if c.d32 != nil {
		c.d32.Append(arrow.Date32(v))
	} else {
		c.d64.Append(arrow.Date64(v))
	}
	return nil
}

func (c dateCol) appendNull() {
	if c.d32 != nil {
		c.d32.AppendNull()
	} else {
		c.d64.AppendNull()
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func beUint64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// newColumn returns the column decoder for a field of type dt bound to b.
func newColumn(dt arrow.DataType, b array.Builder) (column, error) {
	switch dt := dt.(type) {
	case *arrow.Int8Type:
		return newIntCol[int8](b.(*array.Int8Builder), 8), nil
	case *arrow.Int16Type:
		return newIntCol[int16](b.(*array.Int16Builder), 16), nil
	case *arrow.Int32Type:
		return newIntCol[int32](b.(*array.Int32Builder), 32), nil
	case *arrow.Int64Type:
		return newIntCol[int64](b.(*array.Int64Builder), 64), nil
	case *arrow.Uint8Type:
		return &uintCol[uint8]{b: b.(*array.Uint8Builder), max: math.MaxUint8}, nil
	case *arrow.Uint16Type:
		return &uintCol[uint16]{b: b.(*array.Uint16Builder), max: math.MaxUint16}, nil
	case *arrow.Uint32Type:
		return &uintCol[uint32]{b: b.(*array.Uint32Builder), max: math.MaxUint32}, nil
	case *arrow.Uint64Type:
		return &uintCol[uint64]{b: b.(*array.Uint64Builder), max: math.MaxUint64}, nil
	case *arrow.Float64Type:
		return float64Col{b.(*array.Float64Builder)}, nil
	case *arrow.Float32Type:
		return narrowFloatCol{b32: b.(*array.Float32Builder), max: math.MaxFloat32}, nil
	case *arrow.Float16Type:
		return narrowFloatCol{b16: b.(*array.Float16Builder), max: 65504}, nil
	case *arrow.BooleanType:
		return boolCol{b.(*array.BooleanBuilder)}, nil
	case *arrow.StringType:
		return bytesCol{b: b.(*array.StringBuilder).BinaryBuilder, text: true}, nil
	case *arrow.LargeStringType:
		return bytesCol{b: b.(*array.LargeStringBuilder).BinaryBuilder, text: true}, nil
	case *arrow.StringViewType:
		return bytesCol{b: b.(*array.StringViewBuilder).BinaryViewBuilder, text: true}, nil
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return bytesCol{b: b.(*array.BinaryBuilder)}, nil
	case *arrow.BinaryViewType:
		return bytesCol{b: b.(*array.BinaryViewBuilder)}, nil
	case *arrow.FixedSizeBinaryType:
		return fixedBinaryCol{b: b.(*array.FixedSizeBinaryBuilder), width: dt.ByteWidth}, nil
	case *arrow.NullType:
		return nullCol{b.(*array.NullBuilder)}, nil
	case *arrow.TimestampType:
		return timestampCol{b: b.(*array.TimestampBuilder), unit: dt.Unit}, nil
	case *arrow.Date32Type:
		return dateCol{d32: b.(*array.Date32Builder)}, nil
	case *arrow.Date64Type:
		return dateCol{d64: b.(*array.Date64Builder)}, nil
	case *arrow.Time32Type:
		return newIntCol[arrow.Time32](b.(*array.Time32Builder), 32), nil
	case *arrow.Time64Type:
		return newIntCol[arrow.Time64](b.(*array.Time64Builder), 64), nil
	case *arrow.DurationType:
		return newIntCol[arrow.Duration](b.(*array.DurationBuilder), 64), nil
	case *arrow.DictionaryType:
		db, ok := b.(*array.BinaryDictionaryBuilder)
		if !ok {
			return nil, fmt.Errorf("dictionary of %s", dt.ValueType)
		}
		return dictCol{b: db, text: dt.ValueType.ID() != arrow.BINARY && dt.ValueType.ID() != arrow.LARGE_BINARY}, nil
	case *arrow.ListType:
		lb := b.(*array.ListBuilder)
		return newListCol(lb, dt.ElemField(), lb.ValueBuilder(), 0)
	case *arrow.LargeListType:
		lb := b.(*array.LargeListBuilder)
		return newListCol(lb, dt.ElemField(), lb.ValueBuilder(), 0)
	case *arrow.FixedSizeListType:
		lb := b.(*array.FixedSizeListBuilder)
		return newListCol(lb, dt.ElemField(), lb.ValueBuilder(), int(dt.Len()))
	case *arrow.MapType:
		mb := b.(*array.MapBuilder)
		key, err := newKeyColumn(dt.KeyType(), mb.KeyBuilder())
		if err != nil {
			return nil, err
		}
		item, err := newColumn(dt.ItemType(), mb.ItemBuilder())
		if err != nil {
			return nil, err
		}
		return &mapCol{b: mb, key: key, item: item, itemNullable: dt.ItemField().Nullable}, nil
	case *arrow.StructType:
		sb := b.(*array.StructBuilder)
		bs := make([]array.Builder, sb.NumField())
		for i := range bs {
			bs[i] = sb.FieldBuilder(i)
		}
		sc, err := newStructCol(dt.Fields(), bs)
		if err != nil {
			return nil, err
		}
		sc.b = sb
		return sc, nil
	}
	return nil, fmt.Errorf("type %s: %w", dt, errNoMapping)
}

func newListCol(b listBuilder, elem arrow.Field, eb array.Builder, fixed int) (column, error) {
	ec, err := newColumn(elem.Type, eb)
	if err != nil {
		return nil, err
	}
	return &listCol{b: b, elem: ec, elemNullable: elem.Nullable, fixed: fixed}, nil
}

func newStructCol(fields []arrow.Field, bs []array.Builder) (*structCol, error) {
	sc := &structCol{
		fields: make([]structField, len(fields)),
		index:  make(map[string]int, len(fields)),
		seen:   make([]uint32, len(fields)),
	}
	for i, f := range fields {
		col, err := newColumn(f.Type, bs[i])
		if err != nil {
			return nil, inFieldPlain(err, f.Name)
		}
		sc.fields[i] = structField{name: f.Name, col: col, nullable: f.Nullable}
		sc.fields[i].setFast(f.Type, bs[i])
		if _, dup := sc.index[f.Name]; dup {
			return nil, fmt.Errorf("field %q appears twice", f.Name)
		}
		sc.index[f.Name] = i
	}
	return sc, nil
}

func inFieldPlain(err error, name string) error { return fmt.Errorf("%s: %w", name, err) }
