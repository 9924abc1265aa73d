package agg

import (
	"bytes"
	"cmp"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

type signed interface{ int8 | int16 | int32 | int64 }
type unsigned interface {
	uint8 | uint16 | uint32 | uint64
}
type number interface {
	signed | unsigned | float32 | float64
}

func newSum(dt arrow.DataType, _ Options) (Accumulator, error) {
	switch dt.ID() {
	case arrow.INT8:
		return &sumInt[int8]{}, nil
	case arrow.INT16:
		return &sumInt[int16]{}, nil
	case arrow.INT32:
		return &sumInt[int32]{}, nil
	case arrow.INT64:
		return &sumInt[int64]{}, nil
	case arrow.UINT8:
		return &sumUint[uint8]{}, nil
	case arrow.UINT16:
		return &sumUint[uint16]{}, nil
	case arrow.UINT32:
		return &sumUint[uint32]{}, nil
	case arrow.UINT64:
		return &sumUint[uint64]{}, nil
	case arrow.FLOAT32:
		return &sumFloat[float32]{}, nil
	case arrow.FLOAT64:
		return &sumFloat[float64]{}, nil
	}
	return nil, unsupported("sum", dt)
}

// seen tracks which groups have a non-null value; shared by sum and pick.
type seen struct{ ok []bool }

func (s *seen) grow(n int) { s.ok = growZero(s.ok, n) }

type sumInt[T signed] struct {
	seen
	sum []int64
}

func (a *sumInt[T]) Grow(n int) { a.sum = growZero(a.sum, n); a.grow(n) }

func (a *sumInt[T]) Update(slots []int32, col arrow.Array) error {
	vals := arrow.GetValues[T](col.Data(), 1)
	hasNulls := col.NullN() > 0
	for i, s := range slots {
		if hasNulls && col.IsNull(i) {
			continue
		}
		x, v := a.sum[s], int64(vals[i])
		r := x + v
		if (x^r)&(v^r) < 0 {
			return ErrOverflow
		}
		a.sum[s] = r
		a.ok[s] = true
	}
	return nil
}

func (a *sumInt[T]) Result(mem memory.Allocator) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, a.sum, a.ok), nil
}

func (a *sumInt[T]) Bytes() int64 { return int64(cap(a.sum))*8 + int64(cap(a.ok)) }

type sumUint[T unsigned] struct {
	seen
	sum []int64
}

func (a *sumUint[T]) Grow(n int) { a.sum = growZero(a.sum, n); a.grow(n) }

func (a *sumUint[T]) Update(slots []int32, col arrow.Array) error {
	vals := arrow.GetValues[T](col.Data(), 1)
	hasNulls := col.NullN() > 0
	for i, s := range slots {
		if hasNulls && col.IsNull(i) {
			continue
		}
		v := uint64(vals[i])
		if v > math.MaxInt64 || a.sum[s] > math.MaxInt64-int64(v) {
			return ErrOverflow
		}
		a.sum[s] += int64(v)
		a.ok[s] = true
	}
	return nil
}

func (a *sumUint[T]) Result(mem memory.Allocator) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, a.sum, a.ok), nil
}

func (a *sumUint[T]) Bytes() int64 { return int64(cap(a.sum))*8 + int64(cap(a.ok)) }

type sumFloat[T float32 | float64] struct {
	seen
	sum []float64
}

func (a *sumFloat[T]) Grow(n int) { a.sum = growZero(a.sum, n); a.grow(n) }

func (a *sumFloat[T]) Update(slots []int32, col arrow.Array) error {
	vals := arrow.GetValues[T](col.Data(), 1)
	hasNulls := col.NullN() > 0
	for i, s := range slots {
		if hasNulls && col.IsNull(i) {
			continue
		}
		a.sum[s] += float64(vals[i])
		a.ok[s] = true
	}
	return nil
}

func (a *sumFloat[T]) Result(mem memory.Allocator) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Float64, a.sum, a.ok), nil
}

func (a *sumFloat[T]) Bytes() int64 { return int64(cap(a.sum))*8 + int64(cap(a.ok)) }

func newMean(dt arrow.DataType, _ Options) (Accumulator, error) {
	switch dt.ID() {
	case arrow.INT8:
		return &mean[int8]{}, nil
	case arrow.INT16:
		return &mean[int16]{}, nil
	case arrow.INT32:
		return &mean[int32]{}, nil
	case arrow.INT64:
		return &mean[int64]{}, nil
	case arrow.UINT8:
		return &mean[uint8]{}, nil
	case arrow.UINT16:
		return &mean[uint16]{}, nil
	case arrow.UINT32:
		return &mean[uint32]{}, nil
	case arrow.UINT64:
		return &mean[uint64]{}, nil
	case arrow.FLOAT32:
		return &mean[float32]{}, nil
	case arrow.FLOAT64:
		return &mean[float64]{}, nil
	}
	return nil, unsupported("mean", dt)
}

// mean sums in float64 (as SQL engines do for avg) and divides at the end.
type mean[T number] struct {
	sum []float64
	n   []int64
}

func (a *mean[T]) Grow(n int) { a.sum = growZero(a.sum, n); a.n = growZero(a.n, n) }

func (a *mean[T]) Update(slots []int32, col arrow.Array) error {
	vals := arrow.GetValues[T](col.Data(), 1)
	hasNulls := col.NullN() > 0
	for i, s := range slots {
		if hasNulls && col.IsNull(i) {
			continue
		}
		a.sum[s] += float64(vals[i])
		a.n[s]++
	}
	return nil
}

func (a *mean[T]) Result(mem memory.Allocator) (arrow.Array, error) {
	out := make([]float64, len(a.sum))
	valid := make([]bool, len(a.sum))
	for g, s := range a.sum {
		if a.n[g] > 0 {
			out[g], valid[g] = s/float64(a.n[g]), true
		}
	}
	return fixedArray(mem, arrow.PrimitiveTypes.Float64, out, valid), nil
}

func (a *mean[T]) Bytes() int64 { return int64(cap(a.sum)) * 16 }

// pickMode says which value of a group min, max, first and last keep.
type pickMode uint8

const (
	pickMin pickMode = iota
	pickMax
	pickFirst
	pickLast
)

var pickNames = [...]string{"min", "max", "first", "last"}

// better reports whether v replaces the group's current value cur. Floats
// order as cmp.Compare does: NaN below every number.
func better[T cmp.Ordered](m pickMode, v, cur T) bool {
	switch m {
	case pickMin:
		return cmp.Less(v, cur)
	case pickMax:
		return cmp.Less(cur, v)
	case pickLast:
		return true
	}
	return false
}

func pickMaker(m pickMode) func(arrow.DataType, Options) (Accumulator, error) {
	return func(dt arrow.DataType, _ Options) (Accumulator, error) {
		switch dt.ID() {
		case arrow.INT8:
			return &pick[int8]{mode: m, dt: dt}, nil
		case arrow.INT16:
			return &pick[int16]{mode: m, dt: dt}, nil
		case arrow.INT32, arrow.DATE32, arrow.TIME32:
			return &pick[int32]{mode: m, dt: dt}, nil
		case arrow.INT64, arrow.TIMESTAMP, arrow.DATE64, arrow.TIME64, arrow.DURATION:
			return &pick[int64]{mode: m, dt: dt}, nil
		case arrow.UINT8:
			return &pick[uint8]{mode: m, dt: dt}, nil
		case arrow.UINT16:
			return &pick[uint16]{mode: m, dt: dt}, nil
		case arrow.UINT32:
			return &pick[uint32]{mode: m, dt: dt}, nil
		case arrow.UINT64:
			return &pick[uint64]{mode: m, dt: dt}, nil
		case arrow.FLOAT32:
			return &pick[float32]{mode: m, dt: dt}, nil
		case arrow.FLOAT64:
			return &pick[float64]{mode: m, dt: dt}, nil
		case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.STRING_VIEW, arrow.BINARY_VIEW:
			return &pickBytes{mode: m, dt: dt}, nil
		}
		return nil, unsupported(pickNames[m], dt)
	}
}

// pick keeps one value per group of a fixed-width column.
type pick[T number] struct {
	seen
	mode pickMode
	dt   arrow.DataType
	v    []T
}

func (a *pick[T]) Grow(n int) { a.v = growZero(a.v, n); a.grow(n) }

func (a *pick[T]) Update(slots []int32, col arrow.Array) error {
	vals := arrow.GetValues[T](col.Data(), 1)
	hasNulls := col.NullN() > 0
	for i, s := range slots {
		if hasNulls && col.IsNull(i) {
			continue
		}
		if !a.ok[s] || better(a.mode, vals[i], a.v[s]) {
			a.v[s], a.ok[s] = vals[i], true
		}
	}
	return nil
}

func (a *pick[T]) Result(mem memory.Allocator) (arrow.Array, error) {
	return fixedArray(mem, a.dt, a.v, a.ok), nil
}

func (a *pick[T]) Bytes() int64 { return int64(cap(a.v))*8 + int64(cap(a.ok)) }

func betterBytes(m pickMode, v, cur []byte) bool {
	switch m {
	case pickMin:
		return bytes.Compare(v, cur) < 0
	case pickMax:
		return bytes.Compare(v, cur) > 0
	case pickLast:
		return true
	}
	return false
}

// pickBytes keeps one string or binary value per group; each group owns its
// buffer and reuses it when the value changes.
type pickBytes struct {
	seen
	mode pickMode
	dt   arrow.DataType
	v    [][]byte
	vals [][]byte // scratch
	held int64
}

func (a *pickBytes) Grow(n int) { a.v = growZero(a.v, n); a.grow(n) }

func (a *pickBytes) Update(slots []int32, col arrow.Array) error {
	var err error
	if a.vals, err = byteValues(col, a.vals); err != nil {
		return err
	}
	hasNulls := col.NullN() > 0
	for i, s := range slots {
		if hasNulls && col.IsNull(i) {
			continue
		}
		v := a.vals[i]
		if !a.ok[s] || betterBytes(a.mode, v, a.v[s]) {
			a.held -= int64(cap(a.v[s]))
			a.v[s] = append(a.v[s][:0], v...)
			a.held += int64(cap(a.v[s]))
			a.ok[s] = true
		}
	}
	return nil
}

func (a *pickBytes) Result(mem memory.Allocator) (arrow.Array, error) {
	return bytesArray(mem, a.dt, len(a.v), func(g int) []byte { return a.v[g] }, a.ok, false), nil
}

func (a *pickBytes) Bytes() int64 { return int64(cap(a.v))*24 + int64(cap(a.ok)) + a.held }
