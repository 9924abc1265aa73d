package ops

import (
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Casts written here instead of taken from compute. In arrow-go v18.8.0 the
// compute cast from boolean ignores the input's offset (a sliced boolean
// array casts the wrong rows), and the casts from numbers, dates, times and
// timestamps to strings never free part of what they allocate. The text forms
// match compute's: strconv's shortest form for numbers ("+Inf", "1e+21"),
// "2006-01-02" for dates, "15:04:05.000" for times and "2006-01-02
// 15:04:05.000Z" for timestamps (fraction digits per unit, zone as Z or
// -0700, none for a timestamp without zone).

// handCast returns a hand-written cast from one type to another, or nil.
func handCast(from, to arrow.DataType) unaryFn {
	if from.ID() == arrow.BOOL && isNumeric(to) {
		return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) { return boolToNumber(mem, a, to) }
	}
	large := to.ID() == arrow.LARGE_STRING
	if to.ID() != arrow.STRING && !large {
		return nil
	}
	f := textFormatter(from)
	if f == nil {
		return nil
	}
	return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
		if large {
			return formatStrings[int64](mem, a, to, f)
		}
		return formatStrings[int32](mem, a, to, f)
	}
}

func boolToNumber(mem memory.Allocator, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	n := a.Len()
	b := a.(*array.Boolean)
	var buf *memory.Buffer
	switch to.ID() {
	case arrow.INT8, arrow.UINT8:
		buf = fillFromBools[uint8](mem, b, 1)
	case arrow.INT16, arrow.UINT16:
		buf = fillFromBools[uint16](mem, b, 1)
	case arrow.INT32, arrow.UINT32:
		buf = fillFromBools[uint32](mem, b, 1)
	case arrow.INT64, arrow.UINT64:
		buf = fillFromBools[uint64](mem, b, 1)
	case arrow.FLOAT32:
		buf = fillFromBools[uint32](mem, b, math.Float32bits(1))
	default:
		buf = fillFromBools[uint64](mem, b, math.Float64bits(1))
	}
	validity, nulls, err := outValidity(mem, n, a)
	if err != nil {
		buf.Release()
		return nil, err
	}
	return newFixedArray(to, n, buf, validity, nulls), nil
}

// fillFromBools writes one (the bit pattern of 1 in the target type) or zero
// per row.
func fillFromBools[T uint8 | uint16 | uint32 | uint64](mem memory.Allocator, b *array.Boolean, one T) *memory.Buffer {
	buf, out := newFixed[T](mem, b.Len())
	for i := range out {
		if b.Value(i) {
			out[i] = one
		} else {
			out[i] = 0
		}
	}
	return buf
}

// formatter appends the text of row i to dst; textFormatter makes one per
// batch so the typed values are looked up once.
type formatter func(dst []byte, i int) []byte

type formatterMaker func(a arrow.Array) formatter

func textFormatter(dt arrow.DataType) formatterMaker {
	switch dt.ID() {
	case arrow.BOOL:
		return func(a arrow.Array) formatter {
			b := a.(*array.Boolean)
			return func(dst []byte, i int) []byte { return strconv.AppendBool(dst, b.Value(i)) }
		}
	case arrow.INT8:
		return intText[int8]
	case arrow.INT16:
		return intText[int16]
	case arrow.INT32:
		return intText[int32]
	case arrow.INT64:
		return intText[int64]
	case arrow.UINT8:
		return uintText[uint8]
	case arrow.UINT16:
		return uintText[uint16]
	case arrow.UINT32:
		return uintText[uint32]
	case arrow.UINT64:
		return uintText[uint64]
	case arrow.FLOAT32:
		return func(a arrow.Array) formatter {
			v := fixedValues[float32](a)
			return func(dst []byte, i int) []byte { return strconv.AppendFloat(dst, float64(v[i]), 'g', -1, 32) }
		}
	case arrow.FLOAT64:
		return func(a arrow.Array) formatter {
			v := fixedValues[float64](a)
			return func(dst []byte, i int) []byte { return strconv.AppendFloat(dst, v[i], 'g', -1, 64) }
		}
	case arrow.DATE32:
		return func(a arrow.Array) formatter {
			v := fixedValues[int32](a)
			return func(dst []byte, i int) []byte {
				return time.Unix(int64(v[i])*86400, 0).UTC().AppendFormat(dst, time.DateOnly)
			}
		}
	case arrow.DATE64:
		return func(a arrow.Array) formatter {
			v := fixedValues[int64](a)
			return func(dst []byte, i int) []byte { return time.UnixMilli(v[i]).UTC().AppendFormat(dst, time.DateOnly) }
		}
	case arrow.TIME32:
		unit := dt.(*arrow.Time32Type).Unit
		layout := "15:04:05" + fraction(unit)
		return func(a arrow.Array) formatter {
			v := fixedValues[int32](a)
			return func(dst []byte, i int) []byte {
				return time.Unix(0, int64(v[i])*int64(unit.Multiplier())).UTC().AppendFormat(dst, layout)
			}
		}
	case arrow.TIME64:
		unit := dt.(*arrow.Time64Type).Unit
		layout := "15:04:05" + fraction(unit)
		return func(a arrow.Array) formatter {
			v := fixedValues[int64](a)
			return func(dst []byte, i int) []byte {
				return time.Unix(0, v[i]*int64(unit.Multiplier())).UTC().AppendFormat(dst, layout)
			}
		}
	case arrow.TIMESTAMP:
		ts := dt.(*arrow.TimestampType)
		layout := "2006-01-02 15:04:05" + fraction(ts.Unit)
		loc := time.UTC
		if ts.TimeZone != "" {
			l, err := ts.GetZone()
			if err != nil || l == nil {
				return nil // compute reports the bad zone
			}
			loc, layout = l, layout+"Z0700"
		}
		unit := ts.Unit
		return func(a arrow.Array) formatter {
			v := fixedValues[int64](a)
			return func(dst []byte, i int) []byte {
				return arrow.Timestamp(v[i]).ToTime(unit).In(loc).AppendFormat(dst, layout)
			}
		}
	}
	return nil
}

func fraction(u arrow.TimeUnit) string {
	switch u {
	case arrow.Millisecond:
		return ".000"
	case arrow.Microsecond:
		return ".000000"
	case arrow.Nanosecond:
		return ".000000000"
	}
	return ""
}

func intText[T signed](a arrow.Array) formatter {
	v := fixedValues[T](a)
	return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(v[i]), 10) }
}

func uintText[T unsigned](a arrow.Array) formatter {
	v := fixedValues[T](a)
	return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(v[i]), 10) }
}

// formatStrings builds a string array from the text of every valid row; null
// rows are empty and null. Each text is formatted into a stack scratch and
// copied into the data buffer, which grows by doubling.
func formatStrings[O offset](mem memory.Allocator, a arrow.Array, to arrow.DataType, mk formatterMaker) (arrow.Array, error) {
	n := a.Len()
	f := mk(a)
	obuf, offs := newFixed[O](mem, n+1)
	dbuf := memory.NewResizableBuffer(mem)
	dbuf.Reserve(max(n*8, 64))
	data := dbuf.Buf()
	used := 0
	offs[0] = 0
	var scratch [64]byte
	for i := 0; i < n; i++ {
		if a.IsValid(i) {
			txt := f(scratch[:0], i)
			if len(data)-used < len(txt) {
				dbuf.ResizeNoShrink(used)
				dbuf.Reserve(2*len(data) + len(txt))
				data = dbuf.Buf()
			}
			used += copy(data[used:], txt)
		}
		offs[i+1] = O(used)
	}
	dbuf.ResizeNoShrink(used)
	validity, nulls, err := outValidity(mem, n, a)
	if err != nil {
		obuf.Release()
		dbuf.Release()
		return nil, err
	}
	d := array.NewData(to, n, []*memory.Buffer{validity, obuf, dbuf}, nil, nulls, 0)
	obuf.Release()
	dbuf.Release()
	if validity != nil {
		validity.Release()
	}
	out := array.MakeFromData(d)
	d.Release()
	return out, nil
}
