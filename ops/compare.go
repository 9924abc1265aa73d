package ops

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// CmpOp is a comparison operator.
type CmpOp uint8

// The comparison operators.
const (
	OpEq CmpOp = iota // ==
	OpNe              // !=
	OpLt              // <
	OpLe              // <=
	OpGt              // >
	OpGe              // >=
)

func (op CmpOp) String() string {
	switch op {
	case OpEq:
		return "=="
	case OpNe:
		return "!="
	case OpLt:
		return "<"
	case OpLe:
		return "<="
	case OpGt:
		return ">"
	case OpGe:
		return ">="
	}
	return "?"
}

// flip gives the operator with its operands swapped: a op b == b op.flip() a.
func (op CmpOp) flip() CmpOp {
	switch op {
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	}
	return op
}

// fromCmp gives the truth table of op over a three-way comparison result
// (-1, 0, 1), indexed by result+1. Used by kernels whose values compare with a
// Cmp method (decimals, strings) rather than Go operators.
func (op CmpOp) fromCmp() [3]uint64 {
	switch op {
	case OpEq:
		return [3]uint64{0, 1, 0}
	case OpNe:
		return [3]uint64{1, 0, 1}
	case OpLt:
		return [3]uint64{1, 0, 0}
	case OpLe:
		return [3]uint64{1, 1, 0}
	case OpGt:
		return [3]uint64{0, 0, 1}
	}
	return [3]uint64{0, 1, 1}
}

// ordered are the physical types compared with Go's operators. Floats follow
// IEEE 754: NaN compares unequal to everything, itself included.
type ordered interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// fixedValues views the values of a fixed-width primitive array as []T,
// honouring the array's offset.
func fixedValues[T any](a arrow.Array) []T {
	d := a.Data()
	b := d.Buffers()[1]
	if b == nil || d.Len() == 0 {
		return nil
	}
	all := castSlice[T](b.Bytes())
	return all[d.Offset() : d.Offset()+d.Len()]
}

// castSlice reinterprets a buffer as a slice of fixed-width values. Arrow
// buffers are at least 8-byte aligned, which every T here needs.
func castSlice[T any](b []byte) []T {
	var z T
	size := int(unsafe.Sizeof(z))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/size) //nolint:gosec // G103: in bounds; Arrow buffers are aligned
}

// The word functions compare 64 values and return the result bits. They take
// array pointers so the compiler drops bounds checks, and build eight bytes
// in eight independent accumulators: one accumulator would chain every row
// on the previous one's shift (measured 1.5x slower). The loops are
// branch-free (SETcc), so random data costs no mispredictions.

func eqS[T ordered](c *[64]T, s T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(c[i] == s)
		w1 = w1<<1 | b2u(c[i+8] == s)
		w2 = w2<<1 | b2u(c[i+16] == s)
		w3 = w3<<1 | b2u(c[i+24] == s)
		w4 = w4<<1 | b2u(c[i+32] == s)
		w5 = w5<<1 | b2u(c[i+40] == s)
		w6 = w6<<1 | b2u(c[i+48] == s)
		w7 = w7<<1 | b2u(c[i+56] == s)
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func neS[T ordered](c *[64]T, s T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(c[i] != s)
		w1 = w1<<1 | b2u(c[i+8] != s)
		w2 = w2<<1 | b2u(c[i+16] != s)
		w3 = w3<<1 | b2u(c[i+24] != s)
		w4 = w4<<1 | b2u(c[i+32] != s)
		w5 = w5<<1 | b2u(c[i+40] != s)
		w6 = w6<<1 | b2u(c[i+48] != s)
		w7 = w7<<1 | b2u(c[i+56] != s)
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func ltS[T ordered](c *[64]T, s T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(c[i] < s)
		w1 = w1<<1 | b2u(c[i+8] < s)
		w2 = w2<<1 | b2u(c[i+16] < s)
		w3 = w3<<1 | b2u(c[i+24] < s)
		w4 = w4<<1 | b2u(c[i+32] < s)
		w5 = w5<<1 | b2u(c[i+40] < s)
		w6 = w6<<1 | b2u(c[i+48] < s)
		w7 = w7<<1 | b2u(c[i+56] < s)
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func leS[T ordered](c *[64]T, s T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(c[i] <= s)
		w1 = w1<<1 | b2u(c[i+8] <= s)
		w2 = w2<<1 | b2u(c[i+16] <= s)
		w3 = w3<<1 | b2u(c[i+24] <= s)
		w4 = w4<<1 | b2u(c[i+32] <= s)
		w5 = w5<<1 | b2u(c[i+40] <= s)
		w6 = w6<<1 | b2u(c[i+48] <= s)
		w7 = w7<<1 | b2u(c[i+56] <= s)
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func gtS[T ordered](c *[64]T, s T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(c[i] > s)
		w1 = w1<<1 | b2u(c[i+8] > s)
		w2 = w2<<1 | b2u(c[i+16] > s)
		w3 = w3<<1 | b2u(c[i+24] > s)
		w4 = w4<<1 | b2u(c[i+32] > s)
		w5 = w5<<1 | b2u(c[i+40] > s)
		w6 = w6<<1 | b2u(c[i+48] > s)
		w7 = w7<<1 | b2u(c[i+56] > s)
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func geS[T ordered](c *[64]T, s T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(c[i] >= s)
		w1 = w1<<1 | b2u(c[i+8] >= s)
		w2 = w2<<1 | b2u(c[i+16] >= s)
		w3 = w3<<1 | b2u(c[i+24] >= s)
		w4 = w4<<1 | b2u(c[i+32] >= s)
		w5 = w5<<1 | b2u(c[i+40] >= s)
		w6 = w6<<1 | b2u(c[i+48] >= s)
		w7 = w7<<1 | b2u(c[i+56] >= s)
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func eqV[T ordered](a, b *[64]T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(a[i] == b[i])
		w1 = w1<<1 | b2u(a[i+8] == b[i+8])
		w2 = w2<<1 | b2u(a[i+16] == b[i+16])
		w3 = w3<<1 | b2u(a[i+24] == b[i+24])
		w4 = w4<<1 | b2u(a[i+32] == b[i+32])
		w5 = w5<<1 | b2u(a[i+40] == b[i+40])
		w6 = w6<<1 | b2u(a[i+48] == b[i+48])
		w7 = w7<<1 | b2u(a[i+56] == b[i+56])
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func neV[T ordered](a, b *[64]T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(a[i] != b[i])
		w1 = w1<<1 | b2u(a[i+8] != b[i+8])
		w2 = w2<<1 | b2u(a[i+16] != b[i+16])
		w3 = w3<<1 | b2u(a[i+24] != b[i+24])
		w4 = w4<<1 | b2u(a[i+32] != b[i+32])
		w5 = w5<<1 | b2u(a[i+40] != b[i+40])
		w6 = w6<<1 | b2u(a[i+48] != b[i+48])
		w7 = w7<<1 | b2u(a[i+56] != b[i+56])
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func ltV[T ordered](a, b *[64]T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(a[i] < b[i])
		w1 = w1<<1 | b2u(a[i+8] < b[i+8])
		w2 = w2<<1 | b2u(a[i+16] < b[i+16])
		w3 = w3<<1 | b2u(a[i+24] < b[i+24])
		w4 = w4<<1 | b2u(a[i+32] < b[i+32])
		w5 = w5<<1 | b2u(a[i+40] < b[i+40])
		w6 = w6<<1 | b2u(a[i+48] < b[i+48])
		w7 = w7<<1 | b2u(a[i+56] < b[i+56])
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func leV[T ordered](a, b *[64]T) uint64 {
	var w0, w1, w2, w3, w4, w5, w6, w7 uint64
	for i := 7; i >= 0; i-- {
		w0 = w0<<1 | b2u(a[i] <= b[i])
		w1 = w1<<1 | b2u(a[i+8] <= b[i+8])
		w2 = w2<<1 | b2u(a[i+16] <= b[i+16])
		w3 = w3<<1 | b2u(a[i+24] <= b[i+24])
		w4 = w4<<1 | b2u(a[i+32] <= b[i+32])
		w5 = w5<<1 | b2u(a[i+40] <= b[i+40])
		w6 = w6<<1 | b2u(a[i+48] <= b[i+48])
		w7 = w7<<1 | b2u(a[i+56] <= b[i+56])
	}
	return w0 | w1<<8 | w2<<16 | w3<<24 | w4<<32 | w5<<40 | w6<<48 | w7<<56
}

func scalarWordFn[T ordered](op CmpOp) func(*[64]T, T) uint64 {
	switch op {
	case OpEq:
		return eqS[T]
	case OpNe:
		return neS[T]
	case OpLt:
		return ltS[T]
	case OpLe:
		return leS[T]
	case OpGt:
		return gtS[T]
	}
	return geS[T]
}

// vectorWordFn returns the word function and whether the operands must be
// swapped (a > b is computed as b < a).
func vectorWordFn[T ordered](op CmpOp) (func(a, b *[64]T) uint64, bool) {
	switch op {
	case OpEq:
		return eqV[T], false
	case OpNe:
		return neV[T], false
	case OpLt:
		return ltV[T], false
	case OpLe:
		return leV[T], false
	case OpGt:
		return ltV[T], true
	}
	return leV[T], true
}

// packScalar fills out (numWords(len(vals)) words) with f applied to each
// block of 64 values; the tail block is padded with zero values and its extra
// bits cleared.
func packScalar[T any](vals []T, s T, out []uint64, f func(*[64]T, T) uint64) {
	full := len(vals) / 64
	for w := 0; w < full; w++ {
		out[w] = f((*[64]T)(vals[w*64:]), s)
	}
	if rem := len(vals) % 64; rem != 0 {
		var tmp [64]T
		copy(tmp[:], vals[full*64:])
		out[full] = f(&tmp, s) & tailMask(rem)
	}
}

func packVector[T any](a, b []T, out []uint64, f func(a, b *[64]T) uint64) {
	full := len(a) / 64
	b = b[:len(a)]
	for w := 0; w < full; w++ {
		out[w] = f((*[64]T)(a[w*64:]), (*[64]T)(b[w*64:]))
	}
	if rem := len(a) % 64; rem != 0 {
		var ta, tb [64]T
		copy(ta[:], a[full*64:])
		copy(tb[:], b[full*64:])
		out[full] = f(&ta, &tb) & tailMask(rem)
	}
}

// boolResult allocates the value bitmap of an n-row Boolean result, lets fill
// write it, and attaches the validity of the inputs.
func boolResult(mem memory.Allocator, n int, fill func(w []uint64), in ...arrow.Array) (*array.Boolean, error) {
	vals, w, err := newBits(mem, n)
	if err != nil {
		return nil, err
	}
	fill(w)
	validity, nulls, err := outValidity(mem, n, in...)
	if err != nil {
		vals.Release()
		return nil, err
	}
	return newBoolean(n, vals, validity, nulls), nil
}

// CompareScalar compares each value of a fixed-width ordered array with s.
// T is the array's physical value type (int64 for Int64, Timestamp and
// Date64 arrays, int32 for Date32, float64 for Float64, ...). Null rows give
// null.
func compareScalar[T ordered](mem memory.Allocator, a arrow.Array, op CmpOp, s T) (*array.Boolean, error) {
	vals := fixedValues[T](a)
	f := scalarWordFn[T](op)
	return boolResult(mem, a.Len(), func(w []uint64) { packScalar(vals, s, w, f) }, a)
}

func compareVector[T ordered](mem memory.Allocator, a, b arrow.Array, op CmpOp) (*array.Boolean, error) {
	av, bv := fixedValues[T](a), fixedValues[T](b)
	f, swap := vectorWordFn[T](op)
	if swap {
		av, bv = bv, av
	}
	return boolResult(mem, a.Len(), func(w []uint64) { packVector(av, bv, w, f) }, a, b)
}

// cmpMethod is implemented by the decimal types whose values compare with a
// method instead of operators.
type cmpMethod[T any] interface {
	Cmp(T) int
}

func compareScalarCmp[T cmpMethod[T]](mem memory.Allocator, a arrow.Array, op CmpOp, s T) (*array.Boolean, error) {
	vals := fixedValues[T](a)
	tab := op.fromCmp()
	return boolResult(mem, a.Len(), func(w []uint64) {
		packRows(len(vals), w, func(i int) uint64 { return tab[vals[i].Cmp(s)+1] })
	}, a)
}

func compareVectorCmp[T cmpMethod[T]](mem memory.Allocator, a, b arrow.Array, op CmpOp) (*array.Boolean, error) {
	av, bv := fixedValues[T](a), fixedValues[T](b)
	tab := op.fromCmp()
	return boolResult(mem, a.Len(), func(w []uint64) {
		packRows(len(av), w, func(i int) uint64 { return tab[av[i].Cmp(bv[i])+1] })
	}, a, b)
}

// packRows sets bit i of out to f(i) for i in [0, n). f returns 0 or 1.
func packRows(n int, out []uint64, f func(i int) uint64) {
	for w := range out {
		base := w * 64
		end := min(base+64, n)
		var word uint64
		for i := end - 1; i >= base; i-- {
			word = word<<1 | f(i)
		}
		out[w] = word
	}
}

// castSliceFrom views fixed-width values as their bytes.
func castSliceFrom[T any](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(z))) //nolint:gosec // G103: same memory, byte view
}
