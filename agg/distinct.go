package agg

import (
	"fmt"
	"hash/maphash"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/axiomhq/hyperloglog"
)

// distinct counts exact distinct values with one Table keyed by (group,
// value): a pair is new exactly when the table adds a group for it.
type distinct struct {
	pairs *Table
	n     []int64
	limit int
	val   keyCol
	cols  [2]keyCol
	ids   []int32
}

func newDistinct(dt arrow.DataType, o Options) (Accumulator, error) {
	t, err := NewTable(arrow.PrimitiveTypes.Int32, dt)
	if err != nil {
		return nil, fmt.Errorf("agg: count_distinct: %w", err)
	}
	return &distinct{pairs: t, limit: o.MaxDistinct}, nil
}

func (a *distinct) Grow(n int) { a.n = growZero(a.n, n) }

func (a *distinct) Update(slots []int32, col arrow.Array) error {
	if err := a.val.load(col); err != nil {
		return err
	}
	// Keep the non-null rows only: nulls are not values.
	g, v := &a.cols[0], &a.cols[1]
	g.kind, v.kind = kindFixed, a.val.kind
	g.fixed, v.fixed, v.bytes = g.fixed[:0], v.fixed[:0], v.bytes[:0]
	for i, s := range slots {
		if a.val.isNull(i) {
			continue
		}
		g.fixed = append(g.fixed, uint64(s)) //nolint:gosec // G115: slots are >= 0
		if v.kind == kindBytes {
			v.bytes = append(v.bytes, a.val.bytes[i])
		} else {
			v.fixed = append(v.fixed, a.val.fixed[i])
		}
	}
	before := a.pairs.Len()
	var err error
	if a.ids, err = a.pairs.insert(a.cols[:], len(g.fixed), a.ids); err != nil {
		return err
	}
	after := a.pairs.Len()
	for id := before; id < after; id++ {
		a.n[a.pairs.keys[0].fixed[id]]++
	}
	if after > a.limit {
		return fmt.Errorf("agg: count_distinct holds %d values, more than MaxDistinct %d: %w", after, a.limit, ErrLimit)
	}
	return nil
}

func (a *distinct) Result(mem memory.Allocator) (arrow.Array, error) {
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, a.n, nil), nil
}

func (a *distinct) Bytes() int64 { return a.pairs.Bytes() + int64(cap(a.n))*8 }

// hll estimates distinct values per group with HyperLogLog sketches, fed the
// same 64-bit value hashes the tables use.
type hll struct {
	sk   []*hyperloglog.Sketch
	val  keyCol
	h    []uint64
	seed maphash.Seed
}

func newHLL(dt arrow.DataType, _ Options) (Accumulator, error) {
	if _, err := kindOf(dt); err != nil {
		return nil, fmt.Errorf("agg: approx_count_distinct: %w", err)
	}
	return &hll{seed: maphash.MakeSeed()}, nil
}

func (a *hll) Grow(n int) { a.sk = growZero(a.sk, n) }

func (a *hll) Update(slots []int32, col arrow.Array) error {
	if err := a.val.load(col); err != nil {
		return err
	}
	a.h = grow(a.h, len(slots))
	a.val.hashInto(a.h, a.seed, true)
	for i, s := range slots {
		if a.val.isNull(i) {
			continue
		}
		if a.sk[s] == nil {
			a.sk[s] = hyperloglog.New14()
		}
		a.sk[s].InsertHash(a.h[i])
	}
	return nil
}

func (a *hll) Result(mem memory.Allocator) (arrow.Array, error) {
	out := make([]int64, len(a.sk))
	for g, sk := range a.sk {
		if sk != nil {
			out[g] = int64(min(sk.Estimate(), math.MaxInt64)) //nolint:gosec // G115: clamped
		}
	}
	return fixedArray(mem, arrow.PrimitiveTypes.Int64, out, nil), nil
}

// Bytes counts a dense sketch (2^14 one-byte registers) per group, the
// upper bound; sparse sketches of small groups hold less.
func (a *hll) Bytes() int64 {
	n := int64(cap(a.sk)) * 8
	for _, sk := range a.sk {
		if sk != nil {
			n += 1 << 14
		}
	}
	return n
}
