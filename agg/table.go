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
	slots  []int32  // open addressing: group+1, 0 is empty
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
	t.slots = make([]int32, 64)
	t.mask = 63
	return t, nil
}

// Len is the number of groups.
func (t *Table) Len() int { return len(t.hashes) }

// Bytes is the approximate memory the table holds (slots, hashes and keys).
func (t *Table) Bytes() int64 {
	n := int64(cap(t.slots))*4 + int64(cap(t.hashes))*8
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
	return t.insert(t.cols, n, dst), nil
}

// insert hashes the loaded columns and probes; cols[i] matches t.keys[i].
func (t *Table) insert(cols []keyCol, n int, dst []int32) []int32 {
	t.rowH = grow(t.rowH, n)
	for i := range cols {
		cols[i].hashInto(t.rowH, t.seed, i == 0)
	}
	dst = grow(dst, n)
	single := len(cols) == 1 && cols[0].kind != kindBytes
	for i, h := range t.rowH {
		// Keep the load factor at or below 1/2 so probe chains stay short.
		if 2*(len(t.hashes)+1) > len(t.slots) {
			t.rehash()
		}
		p := h & t.mask
		for {
			s := t.slots[p]
			if s == 0 {
				dst[i] = t.add(cols, i, h)
				t.slots[p] = dst[i] + 1
				break
			}
			g := int(s - 1)
			if t.hashes[g] == h {
				if single {
					if t.keys[0].fixed[g] == cols[0].fixed[i] && t.keys[0].null[g] == cols[0].isNull(i) {
						dst[i] = int32(g)
						break
					}
				} else if t.equal(cols, i, g) {
					dst[i] = int32(g)
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
	g := int32(len(t.hashes))
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
	t.slots = make([]int32, size)
	t.mask = uint64(size - 1)
	for g, h := range t.hashes {
		p := h & t.mask
		for t.slots[p] != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = int32(g + 1)
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
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) int8 { return int8(v) }), valid)
	case arrow.INT16:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) int16 { return int16(v) }), valid)
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) int32 { return int32(v) }), valid)
	case arrow.UINT8:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) uint8 { return uint8(v) }), valid)
	case arrow.UINT16:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) uint16 { return uint16(v) }), valid)
	case arrow.UINT32:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) uint32 { return uint32(v) }), valid)
	case arrow.FLOAT32:
		return fixedArray(mem, d, convert(s.fixed, func(v uint64) float32 { return math.Float32frombits(uint32(v)) }), valid)
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
