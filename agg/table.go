package agg

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrLimit is returned when a documented size limit would be exceeded.
var ErrLimit = errors.New("agg: limit exceeded")

// keyStore holds one key column for all groups.
type keyStore struct {
	kind  colKind
	dt    arrow.DataType
	fixed []uint64 // kindFixed, kindBool
	arena []byte   // kindBytes: all keys back to back
	ends  []int    // kindBytes: end of group g's key in arena
	null  []bool
}

func (s *keyStore) bytesOf(g int) []byte {
	start := 0
	if g > 0 {
		start = s.ends[g-1]
	}
	return s.arena[start:s.ends[g]]
}

// Table maps rows of record batches to dense group slots by the values of
// their key columns. Slots are numbered 0, 1, ... in order of first
// appearance. A Table holds Go memory only (no Arrow buffers) and is not safe
// for concurrent use.
type Table struct {
	keys   []keyStore
	hashes []uint64 // per group
	slots  []uint64 // open addressing: hash tag<<32 | group+1; 0 is empty
	mask   uint64
	seed   maphash.Seed

	// per-batch scratch
	cols []keyCol
	rowH []uint64
}

// NewTable returns a table for key columns of the given types.
func NewTable(types ...arrow.DataType) (*Table, error) {
	if len(types) == 0 {
		return nil, errors.New("agg: a table needs at least one key column")
	}
	t := &Table{seed: maphash.MakeSeed(), cols: make([]keyCol, len(types))}
	for _, dt := range types {
		kind, err := kindOf(dt)
		if err != nil {
			return nil, err
		}
		t.keys = append(t.keys, keyStore{kind: kind, dt: dt})
	}
	t.slots = make([]uint64, 64)
	t.mask = 63
	return t, nil
}

// Len is the number of groups.
func (t *Table) Len() int { return len(t.hashes) }

// Bytes is the approximate memory the table holds (slots, hashes and keys).
func (t *Table) Bytes() int64 {
	n := int64(cap(t.slots))*8 + int64(cap(t.hashes))*8
	for i := range t.keys {
		k := &t.keys[i]
		n += int64(cap(k.fixed))*8 + int64(cap(k.arena)) + int64(cap(k.ends))*8 + int64(cap(k.null))
	}
	return n
}

// Insert maps every row of the key columns (one array per key column, all of
// the same length) to its group slot, adding groups for new keys. It returns
// dst (grown as needed) with one slot per row.
func (t *Table) Insert(cols []arrow.Array, dst []int32) ([]int32, error) {
	if len(cols) != len(t.keys) {
		return dst, fmt.Errorf("agg: %d key columns given, table has %d", len(cols), len(t.keys))
	}
	n := cols[0].Len()
	for i, c := range cols {
		if !arrow.TypeEqual(c.DataType(), t.keys[i].dt) {
			return dst, fmt.Errorf("agg: key column %d is %s, table has %s", i, c.DataType(), t.keys[i].dt)
		}
		if c.Len() != n {
			return dst, fmt.Errorf("agg: key columns have different lengths (%d, %d)", n, c.Len())
		}
		if err := t.cols[i].load(c); err != nil {
			return dst, err
		}
	}
	return t.insert(t.cols, n, dst)
}

// maxGroups bounds the groups of a table: slots are int32 and the probe
// word keeps the id in 32 bits.
const maxGroups = math.MaxInt32 - 1

// insert hashes the loaded columns and probes; cols[i] matches t.keys[i].
func (t *Table) insert(cols []keyCol, n int, dst []int32) ([]int32, error) {
	if len(t.hashes)+n > maxGroups {
		return dst, fmt.Errorf("agg: more than %d groups: %w", maxGroups, ErrLimit)
	}
	t.rowH = grow(t.rowH, n)
	for i := range cols {
		cols[i].hashInto(t.rowH, t.seed, i == 0)
	}
	dst = grow(dst, n)
	// Size for the worst case of the batch up front, keeping the load factor
	// at or below 1/2 so probe chains stay short.
	for 2*(len(t.hashes)+n) > len(t.slots) {
		t.rehash()
	}
	switch {
	case len(cols) == 1 && cols[0].kind != kindBytes && cols[0].valid == nil:
		return probe(t, cols, dst, fixedMatch{cols[0].fixed, &t.keys[0]}), nil
	case len(cols) == 1 && cols[0].kind == kindBytes && cols[0].valid == nil:
		return probe(t, cols, dst, bytesMatch{cols[0].bytes, &t.keys[0]}), nil
	}
	return probe(t, cols, dst, anyMatch{t, cols}), nil
}

// matcher compares row i of the batch with group g. Each implementation is a
// distinct struct type so probe is compiled once per matcher with the
// compare inlined: one key column without nulls is the common case.
type matcher interface{ eq(i, g int) bool }

type fixedMatch struct {
	vals   []uint64
	stored *keyStore
}

func (m fixedMatch) eq(i, g int) bool { return m.stored.fixed[g] == m.vals[i] && !m.stored.null[g] }

type bytesMatch struct {
	vals   [][]byte
	stored *keyStore
}

func (m bytesMatch) eq(i, g int) bool {
	return !m.stored.null[g] && bytes.Equal(m.stored.bytesOf(g), m.vals[i])
}

type anyMatch struct {
	t    *Table
	cols []keyCol
}

func (m anyMatch) eq(i, g int) bool { return m.t.equal(m.cols, i, g) }

func probe[M matcher](t *Table, cols []keyCol, dst []int32, m M) []int32 {
	for i, h := range t.rowH {
		tag := h &^ (1<<32 - 1)
		p := h & t.mask
		for {
			s := t.slots[p]
			if s == 0 {
				dst[i] = t.add(cols, i, h)
				t.slots[p] = tag | uint64(dst[i]+1) //nolint:gosec // G115: group ids are >= 0
				break
			}
			if s&^(1<<32-1) == tag {
				if g := int(uint32(s) - 1); m.eq(i, g) { //nolint:gosec // G115: low 32 bits hold the id
					dst[i] = int32(g) //nolint:gosec // G115: ids < maxGroups
					break
				}
			}
			p = (p + 1) & t.mask
		}
	}
	return dst
}

func (t *Table) equal(cols []keyCol, i, g int) bool {
	for c := range cols {
		kc, ks := &cols[c], &t.keys[c]
		null := kc.isNull(i)
		if null != ks.null[g] {
			return false
		}
		if null {
			continue
		}
		if kc.kind == kindBytes {
			if !bytes.Equal(kc.bytes[i], ks.bytesOf(g)) {
				return false
			}
		} else if kc.fixed[i] != ks.fixed[g] {
			return false
		}
	}
	return true
}

func (t *Table) add(cols []keyCol, i int, h uint64) int32 {
	g := int32(len(t.hashes)) //nolint:gosec // G115: insert keeps len < maxGroups
	t.hashes = append(t.hashes, h)
	for c := range cols {
		kc, ks := &cols[c], &t.keys[c]
		null := kc.isNull(i)
		ks.null = append(ks.null, null)
		if kc.kind == kindBytes {
			if !null {
				ks.arena = append(ks.arena, kc.bytes[i]...)
			}
			ks.ends = append(ks.ends, len(ks.arena))
		} else {
			ks.fixed = append(ks.fixed, kc.fixed[i])
		}
	}
	return g
}

func (t *Table) rehash() {
	size := 2 * len(t.slots)
	t.slots = make([]uint64, size)
	t.mask = uint64(size - 1) //nolint:gosec // G115: size > 0
	for g, h := range t.hashes {
		p := h & t.mask
		for t.slots[p] != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = h&^(1<<32-1) | uint64(g+1) //nolint:gosec // G115: g >= 0
	}
}

// Keys returns one array per key column with the key of each group, in slot
// order. The caller releases them.
func (t *Table) Keys(mem memory.Allocator) []arrow.Array {
	out := make([]arrow.Array, len(t.keys))
	for i := range t.keys {
		out[i] = t.keys[i].array(mem)
	}
	return out
}

func (s *keyStore) array(mem memory.Allocator) arrow.Array {
	switch s.kind {
	case kindBytes:
		return bytesArray(mem, s.dt, len(s.null), s.bytesOf, s.null, true)
	case kindBool:
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		for g, v := range s.fixed {
			if s.null[g] {
				b.AppendNull()
			} else {
				b.Append(v == 1)
			}
		}
		return b.NewArray()
	}
	valid := notNull(s.null)
	d := s.dt
	switch d.ID() {
	case arrow.INT8:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) int8 { return int8(v) }), valid) //nolint:gosec // G115: stored from a int8
	case arrow.INT16:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) int16 { return int16(v) }), valid) //nolint:gosec // G115: stored from a int16
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) int32 { return int32(v) }), valid) //nolint:gosec // G115: stored from a int32
	case arrow.UINT8:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) uint8 { return uint8(v) }), valid) //nolint:gosec // G115: stored from a uint8
	case arrow.UINT16:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) uint16 { return uint16(v) }), valid) //nolint:gosec // G115: stored from a uint16
	case arrow.UINT32:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) uint32 { return uint32(v) }), valid) //nolint:gosec // G115: stored from a uint32
	case arrow.FLOAT32:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) float32 { return math.Float32frombits(uint32(v)) }), valid) //nolint:gosec // G115: float32 bits
	case arrow.FLOAT64:
		return fixedArray(mem, d, convert(s.fixed, math.Float64frombits), valid)
	}
	// 64-bit integer layouts: the stored bits are the values.
	return fixedArray(mem, d, s.fixed, valid)
}

func convert[T any](src []uint64, f func(uint64) T) []T {
	out := make([]T, len(src))
	for i, v := range src {
		out[i] = f(v)
	}
	return out
}

func notNull(null []bool) []bool {
	valid := make([]bool, len(null))
	for i, n := range null {
		valid[i] = !n
	}
	return valid
}
