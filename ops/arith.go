package ops

import (
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ArithOp is an arithmetic operator.
type ArithOp uint8

// The arithmetic operators.
const (
	OpAdd ArithOp = iota // +
	OpSub                // -
	OpMul                // *
	OpDiv                // /
)

func (op ArithOp) String() string {
	switch op {
	case OpAdd:
		return "+"
	case OpSub:
		return "-"
	case OpMul:
		return "*"
	}
	return "/"
}

// Arithmetic semantics: integers are checked. A result that does not fit the
// type (including MinInt / -1) is ErrOverflow and an integer division by zero
// is ErrDivideByZero; both stop the batch with a *RowError naming the first
// offending row. Integer division truncates toward zero. Floats follow IEEE
// 754 and never fail: x/0 is ±Inf, 0/0 is NaN, overflow is ±Inf. Rows where
// either operand is null are null and never raise errors, whatever bits lie
// under the null.

type signed interface {
	~int8 | ~int16 | ~int32 | ~int64
}
type unsigned interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}
type integer interface{ signed | unsigned }
type float interface{ ~float32 | ~float64 }
type number interface{ integer | float }

// arithFn computes out[i] = a[i] op b[i] and returns, for checked integer ops,
// a nonzero flag when some row may have failed. A flagged batch is rescanned
// row by row (only valid rows count) to find the failing row and its cause.
type arithFn[T number] func(a, b, out []T) uint64

// The loops below take both operands as slices of equal length; a scalar
// operand is expanded by the caller into a 64-value block repeated over the
// column (see arithScalar), so each loop exists once.

func addS[T signed](a, b, out []T) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	var acc T
	for i := range a {
		r := a[i] + b[i]
		acc |= (a[i] ^ r) & (b[i] ^ r)
		out[i] = r
	}
	return b2u(acc < 0)
}

func subS[T signed](a, b, out []T) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	var acc T
	for i := range a {
		r := a[i] - b[i]
		acc |= (a[i] ^ b[i]) & (a[i] ^ r)
		out[i] = r
	}
	return b2u(acc < 0)
}

func addU[T unsigned](a, b, out []T) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		r := a[i] + b[i]
		bad |= b2u(r < a[i])
		out[i] = r
	}
	return bad
}

func subU[T unsigned](a, b, out []T) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		bad |= b2u(b[i] > a[i])
		out[i] = a[i] - b[i]
	}
	return bad
}

// mulNarrowS multiplies signed values of up to 32 bits in 64-bit arithmetic.
func mulNarrowS[T ~int8 | ~int16 | ~int32](a, b, out []T) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		p := int64(a[i]) * int64(b[i])
		r := T(p)
		bad |= b2u(int64(r) != p)
		out[i] = r
	}
	return bad
}

func mulNarrowU[T ~uint8 | ~uint16 | ~uint32](a, b, out []T) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		p := uint64(a[i]) * uint64(b[i])
		r := T(p)
		bad |= b2u(uint64(r) != p)
		out[i] = r
	}
	return bad
}

// mulInt64 uses the 128-bit product: it fits when the high word is the sign
// extension of the low word.
func mulInt64(a, b, out []int64) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		x, y := a[i], b[i]
		// two's complement reinterpretations, on purpose
		hi, lo := bits.Mul64(uint64(x), uint64(y)) //nolint:gosec // G115: bit pattern kept
		shi := int64(hi) - (x>>63)&y - (y>>63)&x   //nolint:gosec // G115: bit pattern kept
		r := int64(lo)                             //nolint:gosec // G115: bit pattern kept
		bad |= b2u(shi != r>>63)
		out[i] = r
	}
	return bad
}

func mulUint64(a, b, out []uint64) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		hi, lo := bits.Mul64(a[i], b[i])
		bad |= hi
		out[i] = lo
	}
	return bad
}

// divInt divides with a guard: a zero divisor (possibly under a null) must not
// reach the hardware divide, which would panic.
func divInt[T integer](a, b, out []T) (bad uint64) {
	b, out = b[:len(a)], out[:len(a)]
	var minusOne T
	minusOne--
	isSigned := minusOne < 0
	for i := range a {
		d := b[i]
		if d == 0 {
			bad = 1
			out[i] = 0
			continue
		}
		if isSigned && d == minusOne {
			// x / -1 overflows only for the minimum value: -x == x there.
			r := -a[i]
			bad |= b2u(r == a[i] && r != 0)
			out[i] = r
			continue
		}
		out[i] = a[i] / d
	}
	return bad
}

func addF[T float](a, b, out []T) uint64 {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return 0
}

func subF[T float](a, b, out []T) uint64 {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return 0
}

func mulF[T float](a, b, out []T) uint64 {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		out[i] = a[i] * b[i]
	}
	return 0
}

func divF[T float](a, b, out []T) uint64 {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		out[i] = a[i] / b[i]
	}
	return 0
}

// findFailure scans a flagged result for the first valid row whose own
// computation, rerun alone through the same loop, raises the flag. at gives
// the operands of row i; validity (bit 0 = row 0) is nil when every row is
// valid. nil means the flag came from rows under nulls only.
func findFailure[T number](op ArithOp, f arithFn[T], n int, at func(i int) (T, T), validity []uint64) *RowError {
	var x, y, r [1]T
	for i := 0; i < n; i++ {
		if validity != nil && validity[i/64]&(1<<uint(i%64)) == 0 {
			continue
		}
		x[0], y[0] = at(i)
		if f(x[:], y[:], r[:]) == 0 {
			continue
		}
		if op == OpDiv && y[0] == 0 {
			return &RowError{Row: i, Err: ErrDivideByZero}
		}
		return &RowError{Row: i, Err: ErrOverflow}
	}
	return nil
}

// arithVector computes a op b for two columns of type dt (physical type T).
func arithVector[T number](mem memory.Allocator, op ArithOp, f arithFn[T], dt arrow.DataType, a, b arrow.Array) (arrow.Array, error) {
	n := a.Len()
	av, bv := fixedValues[T](a), fixedValues[T](b)
	buf, out := newFixed[T](mem, n)
	bad := f(av, bv, out)
	return finishArith(mem, op, f, dt, n, buf, bad, func(i int) (T, T) { return av[i], bv[i] }, a, b)
}

// arithScalar computes a op s, or s op a when scalarLeft. The scalar is
// repeated in a 64-value block so the same two-slice loops serve.
func arithScalar[T number](mem memory.Allocator, op ArithOp, f arithFn[T], dt arrow.DataType, a arrow.Array, s T, scalarLeft bool) (arrow.Array, error) {
	n := a.Len()
	av := fixedValues[T](a)
	buf, out := newFixed[T](mem, n)
	var block [64]T
	for i := range block {
		block[i] = s
	}
	var bad uint64
	for lo := 0; lo < n; lo += 64 {
		hi := min(lo+64, n)
		if scalarLeft {
			bad |= f(block[:hi-lo], av[lo:hi], out[lo:hi])
		} else {
			bad |= f(av[lo:hi], block[:hi-lo], out[lo:hi])
		}
	}
	at := func(i int) (T, T) { return av[i], s }
	if scalarLeft {
		at = func(i int) (T, T) { return s, av[i] }
	}
	return finishArith(mem, op, f, dt, n, buf, bad, at, a)
}

func finishArith[T number](mem memory.Allocator, op ArithOp, f arithFn[T], dt arrow.DataType, n int,
	buf *memory.Buffer, bad uint64, at func(int) (T, T), in ...arrow.Array,
) (arrow.Array, error) {
	validity, nulls, err := outValidity(mem, n, in...)
	if err != nil {
		buf.Release()
		return nil, err
	}
	if bad != 0 {
		var vw []uint64
		var view bitsView
		if validity != nil {
			if view, err = viewBits(mem, validity, 0, n); err != nil {
				buf.Release()
				validity.Release()
				return nil, err
			}
			vw = view.w
		}
		rerr := findFailure(op, f, n, at, vw)
		view.release()
		if rerr != nil {
			buf.Release()
			if validity != nil {
				validity.Release()
			}
			return nil, rerr
		}
	}
	return newFixedArray(dt, n, buf, validity, nulls), nil
}

// newFixedArray wraps value and validity buffers into an array of type dt,
// taking over the caller's references.
func newFixedArray(dt arrow.DataType, n int, values, validity *memory.Buffer, nulls int) arrow.Array {
	data := array.NewData(dt, n, []*memory.Buffer{validity, values}, nil, nulls, 0)
	values.Release()
	if validity != nil {
		validity.Release()
	}
	out := array.MakeFromData(data)
	data.Release()
	return out
}

// arithLoops picks the loop for op over T once, at bind time.
func arithLoop[T number](op ArithOp, dt arrow.DataType) arithFn[T] {
	var f any
	switch dt.ID() {
	case arrow.INT8:
		f = intLoops[int8](op, mulNarrowS[int8])
	case arrow.INT16:
		f = intLoops[int16](op, mulNarrowS[int16])
	case arrow.INT32:
		f = intLoops[int32](op, mulNarrowS[int32])
	case arrow.INT64:
		f = intLoops[int64](op, mulInt64)
	case arrow.UINT8:
		f = uintLoops[uint8](op, mulNarrowU[uint8])
	case arrow.UINT16:
		f = uintLoops[uint16](op, mulNarrowU[uint16])
	case arrow.UINT32:
		f = uintLoops[uint32](op, mulNarrowU[uint32])
	case arrow.UINT64:
		f = uintLoops[uint64](op, mulUint64)
	case arrow.FLOAT32:
		f = floatLoops[float32](op)
	case arrow.FLOAT64:
		f = floatLoops[float64](op)
	}
	fn, _ := f.(arithFn[T])
	return fn
}

func intLoops[T signed](op ArithOp, mul arithFn[T]) arithFn[T] {
	switch op {
	case OpAdd:
		return addS[T]
	case OpSub:
		return subS[T]
	case OpMul:
		return mul
	}
	return divInt[T]
}

func uintLoops[T unsigned](op ArithOp, mul arithFn[T]) arithFn[T] {
	switch op {
	case OpAdd:
		return addU[T]
	case OpSub:
		return subU[T]
	case OpMul:
		return mul
	}
	return divInt[T]
}

// floatLoops are the hand-written side of the float measurement; binding
// sends float arithmetic to compute, which measured faster.
func floatLoops[T float](op ArithOp) arithFn[T] {
	switch op {
	case OpAdd:
		return addF[T]
	case OpSub:
		return subF[T]
	case OpMul:
		return mulF[T]
	}
	return divF[T]
}

// newFixed allocates the value buffer of an n-row fixed-width result.
func newFixed[T any](mem memory.Allocator, n int) (*memory.Buffer, []T) {
	var z T
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(z)))
	if n == 0 {
		return buf, nil
	}
	return buf, castSlice[T](buf.Bytes())[:n]
}
