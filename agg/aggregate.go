package agg

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrOverflow is returned when an integer sum leaves the int64 range.
var ErrOverflow = errors.New("agg: integer sum overflows int64")

// Accumulator holds one aggregate's state for every group and is updated a
// column at a time. Built-in aggregates and user aggregates implement it.
type Accumulator interface {
	// Grow makes room for groups 0..n-1; it is called before Update with the
	// table's group count, which never shrinks.
	Grow(n int)
	// Update folds col[i] into group slots[i] for every row i. col is nil for
	// aggregates without an input column (count(*)).
	Update(slots []int32, col arrow.Array) error
	// Result returns one value per group (n = the last Grow) in slot order;
	// the caller releases it.
	Result(mem memory.Allocator) (arrow.Array, error)
	// Bytes is the approximate memory the state holds.
	Bytes() int64
}

// Options bound aggregate state.
type Options struct {
	// MaxDistinct caps the (group, value) pairs an exact count_distinct
	// keeps; beyond it Update returns ErrLimit. Default 1<<24.
	MaxDistinct int
}

func (o Options) withDefaults() Options {
	if o.MaxDistinct <= 0 {
		o.MaxDistinct = 1 << 24
	}
	return o
}

// Spec names an aggregate, its input column and how to build its state.
type Spec struct {
	name string
	col  string
	make func(dt arrow.DataType, o Options) (Accumulator, error)
}

// Name is the output column name.
func (s Spec) Name() string { return s.name }

// Column is the input column ("" for count(*)).
func (s Spec) Column() string { return s.col }

// As renames the output column.
func (s Spec) As(name string) Spec { s.name = name; return s }

// Custom is a user aggregate over column col: newAcc is called once with the
// column's type when the first batch arrives.
func Custom(name, col string, newAcc func(dt arrow.DataType) (Accumulator, error)) Spec {
	return Spec{name: name, col: col, make: func(dt arrow.DataType, _ Options) (Accumulator, error) { return newAcc(dt) }}
}

// Count is count(*): the rows of each group (int64).
func Count() Spec {
	return Spec{name: "count", make: func(arrow.DataType, Options) (Accumulator, error) { return &countAcc{}, nil }}
}

// CountOf is count(col): the non-null values of col in each group (int64).
func CountOf(col string) Spec {
	return Spec{name: "count_" + col, col: col, make: func(arrow.DataType, Options) (Accumulator, error) { return &countAcc{}, nil }}
}

// Sum is sum(col): int64 for integer columns (overflow is ErrOverflow),
// float64 for float columns; null for a group with no non-null value.
func Sum(col string) Spec { return Spec{name: "sum_" + col, col: col, make: newSum} }

// Mean is avg(col) as float64.
func Mean(col string) Spec { return Spec{name: "mean_" + col, col: col, make: newMean} }

// Min is min(col) in the input type (numbers, strings, binaries, temporal).
func Min(col string) Spec { return Spec{name: "min_" + col, col: col, make: pickMaker(pickMin)} }

// Max is max(col) in the input type.
func Max(col string) Spec { return Spec{name: "max_" + col, col: col, make: pickMaker(pickMax)} }

// First is the first non-null value of col in row order.
func First(col string) Spec { return Spec{name: "first_" + col, col: col, make: pickMaker(pickFirst)} }

// Last is the last non-null value of col in row order.
func Last(col string) Spec { return Spec{name: "last_" + col, col: col, make: pickMaker(pickLast)} }

// CountDistinct is the exact number of distinct non-null values (int64),
// bounded by Options.MaxDistinct.
func CountDistinct(col string) Spec {
	return Spec{name: "count_distinct_" + col, col: col, make: newDistinct}
}

// ApproxCountDistinct estimates the distinct non-null values with a
// HyperLogLog sketch of 2^14 registers per group (standard error about 0.8%;
// small groups are counted exactly by the sketch's sparse form).
func ApproxCountDistinct(col string) Spec {
	return Spec{name: "approx_count_distinct_" + col, col: col, make: newHLL}
}

type countAcc struct{ n []int64 }

func (a *countAcc) Grow(n int) { a.n = growZero(a.n, n) }

func (a *countAcc) Update(slots []int32, col arrow.Array) error {
	if col == nil || col.NullN() == 0 {
		for _, s := range slots {
			a.n[s]++
		}
		return nil
	}
	for i, s := range slots {
		if col.IsValid(i) {
			a.n[s]++
		}
	}
	return nil
}

func (a *countAcc) Result(mem memory.Allocator) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, a.n, nil), nil
}

func (a *countAcc) Bytes() int64 { return int64(cap(a.n)) * 8 }

// growZero extends s to n elements, new ones zero.
func growZero[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	if n <= cap(s) {
		old := len(s)
		s = s[:n]
		clear(s[old:])
		return s
	}
	t := make([]T, n, max(n, 2*cap(s)))
	copy(t, s)
	return t
}

func unsupported(what string, dt arrow.DataType) error {
	return fmt.Errorf("agg: %s of %s is not supported", what, dt)
}
