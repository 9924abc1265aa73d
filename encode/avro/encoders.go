package avro

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
	"github.com/sabot-kafka/sabot/encode"
)

// fieldErr is the row error for the value at path: a *encode.ValueError
// (the Encoder fills in its row) wrapping encode.ErrNull, encode.ErrRange or
// encode.ErrInvalid.
func fieldErr(path string, err error) error { return &encode.ValueError{Path: path, Err: err} }

// An encoder appends the Avro encoding of row i of the array it is bound to.
type encoder interface {
	append(dst []byte, i int) ([]byte, error)
}

// nullCheck fails rows that are null where the Avro type has no null branch.
type nullCheck struct {
	arr   arrow.Array
	inner encoder
	path  string
}

func (e *nullCheck) append(dst []byte, i int) ([]byte, error) {
	if e.arr.IsNull(i) {
		return dst, fieldErr(e.path, fmt.Errorf("%w: the Avro type has no null branch", encode.ErrNull))
	}
	return e.inner.append(dst, i)
}

// nullableEnc writes a union with a null branch: the null index for null
// rows, the value's branch index and the value otherwise.
type nullableEnc struct {
	arr     arrow.Array
	nullIdx []byte // encoded null branch index; nil: nulls are row errors
	valIdx  []byte
	inner   encoder
	path    string
}

func (e *nullableEnc) append(dst []byte, i int) ([]byte, error) {
	if e.arr.IsNull(i) {
		if e.nullIdx == nil {
			return dst, fieldErr(e.path, fmt.Errorf("%w: the Avro type has no null branch", encode.ErrNull))
		}
		return append(dst, e.nullIdx...), nil
	}
	return e.inner.append(append(dst, e.valIdx...), i)
}

// nothing writes Avro null (zero bytes).
type nothing struct{}

func (nothing) append(dst []byte, _ int) ([]byte, error) { return dst, nil }

// constEnc writes a fixed encoding: the default of an Avro field the Arrow
// schema lacks.
type constEnc []byte

func (e constEnc) append(dst []byte, _ int) ([]byte, error) { return append(dst, e...), nil }

type boolEnc struct{ arr *array.Boolean }

func (e *boolEnc) append(dst []byte, i int) ([]byte, error) {
	if e.arr.Value(i) {
		return append(dst, 1), nil
	}
	return append(dst, 0), nil
}

// longEnc writes int64 values as they are (the common case, monomorphic).
type longEnc struct{ vals []int64 }

func (e *longEnc) append(dst []byte, i int) ([]byte, error) {
	return avroschema.AppendLong(dst, e.vals[i]), nil
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// intEnc writes integers of any width and temporal storage as an Avro int or
// long, scaling units (mul, or an exact div) and checking the range.
type intEnc[T integer] struct {
	vals     []T
	mul, div int64
	min, max int64
	path     string
}

func (e *intEnc[T]) append(dst []byte, i int) ([]byte, error) {
	x := e.vals[i]
	v := int64(x)
	if x > 0 && v < 0 { // a uint64 above MaxInt64
		return dst, fieldErr(e.path, fmt.Errorf("%w: %d", encode.ErrRange, uint64(x)))
	}
	if e.mul != 1 {
		hi, lo := bits.Mul64(uint64(absInt(v)), uint64(e.mul)) // #nosec G115 -- magnitudes
		if hi != 0 || lo > math.MaxInt64 {
			return dst, fieldErr(e.path, fmt.Errorf("%w: %d × %d overflows", encode.ErrRange, v, e.mul))
		}
		v *= e.mul
	}
	if e.div != 1 {
		if v%e.div != 0 {
			return dst, fieldErr(e.path, fmt.Errorf("%w: %d is not a whole multiple of %d", encode.ErrRange, v, e.div))
		}
		v /= e.div
	}
	if v < e.min || v > e.max {
		return dst, fieldErr(e.path, fmt.Errorf("%w: %d outside %d..%d", encode.ErrRange, v, e.min, e.max))
	}
	return avroschema.AppendLong(dst, v), nil
}

func absInt(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

type doubleEnc struct{ vals []float64 }

func (e *doubleEnc) append(dst []byte, i int) ([]byte, error) {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(e.vals[i])), nil
}

// floatEnc writes floats and integers as an Avro float (single) or double.
type floatEnc[T integer | ~float32 | ~float64] struct {
	vals   []T
	single bool
}

func (e *floatEnc[T]) append(dst []byte, i int) ([]byte, error) {
	if e.single {
		return avroschema.AppendFloat(dst, float32(e.vals[i])), nil
	}
	return avroschema.AppendDouble(dst, float64(e.vals[i])), nil
}

// stringEnc writes a utf8 column (the common case, monomorphic): its offsets
// and character data straight, without building a string per value.
type stringEnc struct {
	offs []int32 // the array's own offsets, length+1
	data []byte  // the whole character buffer (offsets are absolute in it)
}

func newStringEnc(a *array.String) *stringEnc {
	e := &stringEnc{offs: a.ValueOffsets()}
	if bufs := a.Data().Buffers(); len(bufs) > 2 && bufs[2] != nil {
		e.data = bufs[2].Bytes()
	}
	return e
}

func (e *stringEnc) append(dst []byte, i int) ([]byte, error) {
	start, end := e.offs[i], e.offs[i+1]
	return avroschema.AppendBytes(dst, e.data[start:end]), nil
}

type stringValuer interface{ Value(int) string }

type stringsEnc[A stringValuer] struct{ arr A }

func (e *stringsEnc[A]) append(dst []byte, i int) ([]byte, error) {
	return avroschema.AppendString(dst, e.arr.Value(i)), nil
}

type bytesValuer interface{ Value(int) []byte }

// bytesEnc writes binary columns as Avro bytes or string.
type bytesEnc[A bytesValuer] struct{ arr A }

func (e *bytesEnc[A]) append(dst []byte, i int) ([]byte, error) {
	return avroschema.AppendBytes(dst, e.arr.Value(i)), nil
}

// fixedEnc writes binary values of exactly size bytes as an Avro fixed.
type fixedEnc[A bytesValuer] struct {
	arr  A
	size int
	path string
}

func (e *fixedEnc[A]) append(dst []byte, i int) ([]byte, error) {
	v := e.arr.Value(i)
	if len(v) != e.size {
		return dst, fieldErr(e.path, fmt.Errorf("%w: %d bytes for fixed(%d)", encode.ErrRange, len(v), e.size))
	}
	return append(dst, v...), nil
}

// dictStringEnc writes a dictionary<int, utf8> column as Avro strings.
type dictStringEnc struct {
	arr  *array.Dictionary
	dict stringValuer
}

func (e *dictStringEnc) append(dst []byte, i int) ([]byte, error) {
	return avroschema.AppendString(dst, e.dict.Value(e.arr.GetValueIndex(i))), nil
}

// enumDictEnc writes a dictionary column as an Avro enum: table maps each
// dictionary entry to its encoded symbol index (built at bind, once per
// batch), nil for an entry the enum lacks.
type enumDictEnc struct {
	arr   *array.Dictionary
	table [][]byte
	names stringValuer
	path  string
}

func (e *enumDictEnc) append(dst []byte, i int) ([]byte, error) {
	k := e.arr.GetValueIndex(i)
	if enc := e.table[k]; enc != nil {
		return append(dst, enc...), nil
	}
	return dst, fieldErr(e.path, fmt.Errorf("%w: %q is not a symbol of the enum", encode.ErrInvalid, e.names.Value(k)))
}

// enumStringEnc writes a string column as an Avro enum.
type enumStringEnc[A stringValuer] struct {
	arr  A
	syms map[string]int64
	def  int64 // index of the enum default, or -1
	path string
}

func (e *enumStringEnc[A]) append(dst []byte, i int) ([]byte, error) {
	s := e.arr.Value(i)
	k, ok := e.syms[s]
	if !ok {
		if e.def < 0 {
			return dst, fieldErr(e.path, fmt.Errorf("%w: %q is not a symbol of the enum", encode.ErrInvalid, s))
		}
		k = e.def
	}
	return avroschema.AppendLong(dst, k), nil
}

// decimalEnc writes Decimal128 or Decimal256 values as Avro decimals: bytes
// (size 0) in the fewest bytes, or fixed(size) sign-extended.
type decimalEnc struct {
	arr       arrow.Array
	size      int
	precision int32 // checked per value when the Arrow precision is larger
	path      string
}

func (e *decimalEnc) append(dst []byte, i int) ([]byte, error) {
	var be [32]byte
	var n int
	switch a := e.arr.(type) {
	case *array.Decimal128:
		v := a.Value(i)
		if e.precision > 0 && !v.FitsInPrecision(e.precision) {
			return dst, fieldErr(e.path, fmt.Errorf("%w: decimal has more than %d digits", encode.ErrRange, e.precision))
		}
		binary.BigEndian.PutUint64(be[16:], uint64(v.HighBits())) // #nosec G115 -- two's complement
		binary.BigEndian.PutUint64(be[24:], v.LowBits())
		n = 16
	case *array.Decimal256:
		v := a.Value(i)
		if e.precision > 0 && !v.FitsInPrecision(e.precision) {
			return dst, fieldErr(e.path, fmt.Errorf("%w: decimal has more than %d digits", encode.ErrRange, e.precision))
		}
		w := v.Array() // least significant word first
		for k := 0; k < 4; k++ {
			binary.BigEndian.PutUint64(be[8*(3-k):], w[k])
		}
		n = 32
	}
	b := minimalTwos(be[32-n:])
	if e.size == 0 {
		return avroschema.AppendBytes(dst, b), nil
	}
	if len(b) > e.size {
		return dst, fieldErr(e.path, fmt.Errorf("%w: decimal needs %d bytes, fixed has %d", encode.ErrRange, len(b), e.size))
	}
	var fill byte
	if b[0]&0x80 != 0 {
		fill = 0xff
	}
	for k := len(b); k < e.size; k++ {
		dst = append(dst, fill)
	}
	return append(dst, b...), nil
}

// minimalTwos drops leading bytes of a big-endian two's-complement integer
// that are only sign extension, keeping at least one byte.
func minimalTwos(b []byte) []byte {
	for len(b) > 1 && ((b[0] == 0 && b[1]&0x80 == 0) || (b[0] == 0xff && b[1]&0x80 != 0)) {
		b = b[1:]
	}
	return b
}

// durationEnc writes month-day-nano intervals as Avro durations: fixed(12)
// of unsigned months, days and milliseconds.
type durationEnc struct {
	vals []arrow.MonthDayNanoInterval
	path string
}

func (e *durationEnc) append(dst []byte, i int) ([]byte, error) {
	v := e.vals[i]
	if v.Months < 0 || v.Days < 0 || v.Nanoseconds < 0 || v.Nanoseconds%1e6 != 0 || v.Nanoseconds/1e6 > math.MaxUint32 {
		return dst, fieldErr(e.path, fmt.Errorf("%w: interval %+v is not a duration of whole non-negative milliseconds", encode.ErrRange, v))
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(v.Months))                // #nosec G115 -- checked above
	dst = binary.LittleEndian.AppendUint32(dst, uint32(v.Days))                  // #nosec G115 -- checked above
	return binary.LittleEndian.AppendUint32(dst, uint32(v.Nanoseconds/1e6)), nil // #nosec G115 -- checked above
}

// listEnc writes a list column as an Avro array: one block, then the end.
type listEnc struct {
	arr  array.ListLike
	item encoder
}

func (e *listEnc) append(dst []byte, i int) ([]byte, error) {
	start, end := e.arr.ValueOffsets(i)
	if end > start {
		dst = avroschema.AppendLong(dst, end-start)
		for k := start; k < end; k++ {
			var err error
			if dst, err = e.item.append(dst, int(k)); err != nil {
				return dst, err
			}
		}
	}
	return append(dst, 0), nil
}

// mapEnc writes a map column as an Avro map: one block, then the end.
type mapEnc struct {
	arr    *array.Map
	keys   encoder
	values encoder
}

func (e *mapEnc) append(dst []byte, i int) ([]byte, error) {
	start, end := e.arr.ValueOffsets(i)
	if end > start {
		dst = avroschema.AppendLong(dst, end-start)
		for k := int(start); k < int(end); k++ {
			var err error
			if dst, err = e.keys.append(dst, k); err != nil {
				return dst, err
			}
			if dst, err = e.values.append(dst, k); err != nil {
				return dst, err
			}
		}
	}
	return append(dst, 0), nil
}

// recordEnc writes a record field by field (a struct column, or the row).
type recordEnc struct{ fields []encoder }

func (e *recordEnc) append(dst []byte, i int) ([]byte, error) {
	for _, f := range e.fields {
		var err error
		if dst, err = f.append(dst, i); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// unionStructEnc writes a struct of nullable members (the decoder's layout
// of a union of several types) as the branch of its first non-null member.
type unionStructEnc struct {
	arr     *array.Struct
	members []arrow.Array
	idx     [][]byte // encoded branch index per member
	encs    []encoder
	nullIdx []byte // nil: the union has no null branch
	path    string
}

func (e *unionStructEnc) append(dst []byte, i int) ([]byte, error) {
	if e.arr.IsValid(i) {
		for k, m := range e.members {
			if m.IsValid(i) {
				return e.encs[k].append(append(dst, e.idx[k]...), i)
			}
		}
	}
	if e.nullIdx == nil {
		return dst, fieldErr(e.path, fmt.Errorf("%w: the Avro type has no null branch", encode.ErrNull))
	}
	return append(dst, e.nullIdx...), nil
}
