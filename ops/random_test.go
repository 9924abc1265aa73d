package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Random data for the property tests. Values come from small domains so
// equal values (and equal strings of every length) occur often.

// propLengths are the lengths every property test covers: the bitmap word
// boundaries and a long array; random lengths are added per test.
var propLengths = []int{0, 1, 2, 63, 64, 65, 128, 1000}

var randTypes = []arrow.DataType{
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
	arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
	arrow.FixedWidthTypes.Boolean,
	&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, arrow.FixedWidthTypes.Date32,
	arrow.FixedWidthTypes.Date64, arrow.FixedWidthTypes.Duration_ns,
	&arrow.Decimal32Type{Precision: 9, Scale: 2}, &arrow.Decimal64Type{Precision: 18, Scale: 2},
	&arrow.Decimal128Type{Precision: 30, Scale: 3}, &arrow.Decimal256Type{Precision: 60, Scale: 3},
}

func randString(r *rand.Rand) string {
	// lengths 0..24 cross the 8- and 16-byte fast paths; a two-letter
	// alphabet makes equal values and shared prefixes common
	n := r.IntN(25)
	if r.IntN(3) == 0 {
		n = r.IntN(4)
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte("ab"[r.IntN(2)])
	}
	return b.String()
}

func randFloat(r *rand.Rand) float64 {
	switch r.IntN(20) {
	case 0:
		return math.NaN()
	case 1:
		return math.Inf(1 - 2*r.IntN(2))
	case 2:
		return math.Copysign(0, -1)
	}
	return float64(r.IntN(21)-10) / 2
}

// randInt gives values around zero and at the type's extremes.
func randInt(r *rand.Rand, lo, hi int64) int64 {
	switch r.IntN(10) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		return lo + r.Int64N(3)
	case 3:
		return hi - r.Int64N(3)
	}
	v := r.Int64N(21) - 10
	return max(lo, min(hi, v))
}

func randUint(r *rand.Rand, hi uint64) uint64 {
	switch r.IntN(10) {
	case 0:
		return hi
	case 1:
		return hi - r.Uint64N(3)
	}
	return min(hi, r.Uint64N(21))
}

// randArray builds n random values of dt (nullPct percent null) and returns
// them as a slice at a random offset of a longer array.
func randArray(r *rand.Rand, mem memory.Allocator, dt arrow.DataType, n, nullPct int) arrow.Array {
	return randArrayOpt(r, mem, dt, n, nullPct, false)
}

// randArrayOpt is randArray; small keeps integers within [-10, 10] (clamped
// to the type), away from the extremes.
func randArrayOpt(r *rand.Rand, mem memory.Allocator, dt arrow.DataType, n, nullPct int, small bool) arrow.Array {
	off := r.IntN(70)
	total := off + n + r.IntN(5)
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for i := 0; i < total; i++ {
		if r.IntN(100) < nullPct {
			b.AppendNull()
			continue
		}
		if small && appendSmall(r, b) {
			continue
		}
		appendRandom(r, b)
	}
	full := b.NewArray()
	defer full.Release()
	return array.NewSlice(full, int64(off), int64(off+n))
}

// appendSmall appends a value in [-10, 10] (clamped) to integer builders and
// reports whether b was one.
func appendSmall(r *rand.Rand, b array.Builder) bool {
	v := r.Int64N(21) - 10
	u := uint64(r.Int64N(11))
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(int8(v))
	case *array.Int16Builder:
		b.Append(int16(v))
	case *array.Int32Builder:
		b.Append(int32(v))
	case *array.Int64Builder:
		b.Append(v)
	case *array.Uint8Builder:
		b.Append(uint8(u))
	case *array.Uint16Builder:
		b.Append(uint16(u))
	case *array.Uint32Builder:
		b.Append(uint32(u))
	case *array.Uint64Builder:
		b.Append(u)
	default:
		return false
	}
	return true
}

func appendRandom(r *rand.Rand, b array.Builder) {
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(int8(randInt(r, math.MinInt8, math.MaxInt8)))
	case *array.Int16Builder:
		b.Append(int16(randInt(r, math.MinInt16, math.MaxInt16)))
	case *array.Int32Builder:
		b.Append(int32(randInt(r, math.MinInt32, math.MaxInt32)))
	case *array.Int64Builder:
		b.Append(randInt(r, math.MinInt64, math.MaxInt64))
	case *array.Uint8Builder:
		b.Append(uint8(randUint(r, math.MaxUint8)))
	case *array.Uint16Builder:
		b.Append(uint16(randUint(r, math.MaxUint16)))
	case *array.Uint32Builder:
		b.Append(uint32(randUint(r, math.MaxUint32)))
	case *array.Uint64Builder:
		b.Append(randUint(r, math.MaxUint64))
	case *array.Float32Builder:
		b.Append(float32(randFloat(r)))
	case *array.Float64Builder:
		b.Append(randFloat(r))
	case *array.StringBuilder:
		b.Append(randString(r))
	case *array.LargeStringBuilder:
		b.Append(randString(r))
	case *array.BinaryBuilder:
		b.Append([]byte(randString(r)))
	case *array.BooleanBuilder:
		b.Append(r.IntN(2) == 0)
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(randInt(r, -1e15, 1e15)))
	case *array.Date32Builder:
		b.Append(arrow.Date32(randInt(r, -1e5, 1e5)))
	case *array.Date64Builder:
		b.Append(arrow.Date64(randInt(r, -1e5, 1e5) * 86_400_000))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(randInt(r, math.MinInt64, math.MaxInt64)))
	case *array.Decimal32Builder:
		b.Append(decimal.Decimal32(randInt(r, -999_999_999, 999_999_999)))
	case *array.Decimal64Builder:
		b.Append(decimal.Decimal64(randInt(r, -1e17, 1e17)))
	case *array.Decimal128Builder:
		b.Append(decimal128.FromI64(randInt(r, math.MinInt64, math.MaxInt64)).Mul(decimal128.FromI64(r.Int64N(1000) - 500)))
	case *array.Decimal256Builder:
		b.Append(decimal256.FromI64(randInt(r, math.MinInt64, math.MaxInt64)).Mul(decimal256.FromI64(r.Int64N(1000) - 500)))
	default:
		panic(fmt.Sprintf("no random values for %T", b))
	}
}

// valueAt reads row i through the typed accessors (not the raw buffers the
// kernels use): int64, uint64, float64, string, bool, or a decimal.
func valueAt(a arrow.Array, i int) any {
	switch a := a.(type) {
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return uint64(a.Value(i))
	case *array.Uint16:
		return uint64(a.Value(i))
	case *array.Uint32:
		return uint64(a.Value(i))
	case *array.Uint64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return string(a.Value(i))
	case *array.LargeBinary:
		return string(a.Value(i))
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Date32:
		return int64(a.Value(i))
	case *array.Date64:
		return int64(a.Value(i))
	case *array.Duration:
		return int64(a.Value(i))
	case *array.Decimal32:
		return int64(a.Value(i))
	case *array.Decimal64:
		return int64(a.Value(i))
	case *array.Decimal128:
		return a.Value(i)
	case *array.Decimal256:
		return a.Value(i)
	}
	panic(fmt.Sprintf("no reference accessor for %T", a))
}

// literalFor turns a reference value back into a literal of the column type.
func literalFor(dt arrow.DataType, v any) any {
	switch dt.ID() {
	case arrow.DECIMAL32, arrow.DECIMAL64:
		sc := dt.(arrow.DecimalType).GetScale()
		return decimal128.FromI64(v.(int64)).ToString(sc)
	}
	return v
}

// refCmp is the reference comparison of two values from valueAt.
func refCmp(op CmpOp, x, y any) bool {
	var c int
	switch x := x.(type) {
	case float64:
		y := y.(float64)
		switch op {
		case OpEq:
			return x == y
		case OpNe:
			return x != y
		case OpLt:
			return x < y
		case OpLe:
			return x <= y
		case OpGt:
			return x > y
		}
		return x >= y
	case int64:
		c = cmpOrd(x, y.(int64))
	case uint64:
		c = cmpOrd(x, y.(uint64))
	case string:
		c = strings.Compare(x, y.(string))
	case bool:
		c = cmpOrd(b2u(x), b2u(y.(bool)))
	case decimal128.Num:
		c = x.Cmp(y.(decimal128.Num))
	case decimal256.Num:
		c = x.Cmp(y.(decimal256.Num))
	default:
		panic(fmt.Sprintf("refCmp %T", x))
	}
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	}
	return c >= 0
}

func cmpOrd[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
