package agg

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Keys is the first half of GroupBy(keys...).Aggregate(aggs...).
type Keys struct {
	names []string
	opts  Options
}

// GroupBy groups by the named key columns.
func GroupBy(keys ...string) Keys { return Keys{names: keys} }

// WithOptions sets limits on aggregate state.
func (k Keys) WithOptions(o Options) Keys { k.opts = o; return k }

// Aggregate returns a Grouper computing aggs per distinct key.
func (k Keys) Aggregate(aggs ...Spec) (*Grouper, error) {
	if len(k.names) == 0 {
		return nil, errors.New("agg: GroupBy needs at least one key column")
	}
	seen := map[string]bool{}
	for _, n := range k.names {
		if seen[n] {
			return nil, fmt.Errorf("agg: output column %q appears twice", n)
		}
		seen[n] = true
	}
	for _, a := range aggs {
		if a.make == nil {
			return nil, errors.New("agg: zero Spec (use Count, Sum, ... or Custom)")
		}
		if seen[a.name] {
			return nil, fmt.Errorf("agg: output column %q appears twice; rename with As", a.name)
		}
		seen[a.name] = true
	}
	return &Grouper{keys: k.names, specs: aggs, opts: k.opts.withDefaults()}, nil
}

// Grouper accumulates batches. The first batch fixes the key and value
// column types; later batches must match them. Not safe for concurrent use.
type Grouper struct {
	keys  []string
	specs []Spec
	opts  Options

	table  *Table
	schema *arrow.Schema // of the first batch
	accs   []Accumulator
	keyIdx []int
	colIdx []int // -1 for no input column
	cols   []arrow.Array
	slots  []int32
}

func (g *Grouper) init(s *arrow.Schema) error {
	types := make([]arrow.DataType, len(g.keys))
	for i, k := range g.keys {
		idx := s.FieldIndices(k)
		if len(idx) != 1 {
			return fmt.Errorf("agg: key column %q: found %d columns of that name", k, len(idx))
		}
		g.keyIdx = append(g.keyIdx, idx[0])
		types[i] = s.Field(idx[0]).Type
	}
	t, err := NewTable(types...)
	if err != nil {
		return err
	}
	for _, sp := range g.specs {
		ci, dt := -1, arrow.DataType(nil)
		if sp.col != "" {
			idx := s.FieldIndices(sp.col)
			if len(idx) != 1 {
				return fmt.Errorf("agg: %s: column %q: found %d columns of that name", sp.name, sp.col, len(idx))
			}
			ci, dt = idx[0], s.Field(idx[0]).Type
		}
		acc, err := sp.make(dt, g.opts)
		if err != nil {
			return fmt.Errorf("agg: %s: %w", sp.name, err)
		}
		g.colIdx = append(g.colIdx, ci)
		g.accs = append(g.accs, acc)
	}
	g.table, g.schema = t, s
	g.cols = make([]arrow.Array, len(g.keys))
	return nil
}

// Add folds one batch into the groups. On error the groups may hold part of
// the batch.
func (g *Grouper) Add(rec arrow.RecordBatch) error {
	if g.schema == nil {
		if err := g.init(rec.Schema()); err != nil {
			return err
		}
	} else if !g.schema.Equal(rec.Schema()) {
		return fmt.Errorf("agg: batch schema %s differs from the first batch's %s", rec.Schema(), g.schema)
	}
	for i, idx := range g.keyIdx {
		g.cols[i] = rec.Column(idx)
	}
	var err error
	if g.slots, err = g.table.Insert(g.cols, g.slots); err != nil {
		return err
	}
	n := g.table.Len()
	for i, acc := range g.accs {
		acc.Grow(n)
		var col arrow.Array
		if g.colIdx[i] >= 0 {
			col = rec.Column(g.colIdx[i])
		}
		if err := acc.Update(g.slots, col); err != nil {
			return fmt.Errorf("agg: %s: %w", g.specs[i].name, err)
		}
	}
	return nil
}

// Groups is the number of distinct keys seen.
func (g *Grouper) Groups() int {
	if g.table == nil {
		return 0
	}
	return g.table.Len()
}

// Bytes is the approximate memory held by keys and aggregate state; a
// caller bounding memory checks it after Add.
func (g *Grouper) Bytes() int64 {
	if g.table == nil {
		return 0
	}
	n := g.table.Bytes()
	for _, a := range g.accs {
		n += a.Bytes()
	}
	return n
}

// Result returns one row per group in order of first appearance: the key
// columns, then one column per aggregate. The caller releases it. Before any
// batch it is an error (the key types are not known yet).
func (g *Grouper) Result(mem memory.Allocator) (arrow.RecordBatch, error) {
	if g.table == nil {
		return nil, errors.New("agg: Result before any batch")
	}
	cols := g.table.Keys(mem)
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	fields := make([]arrow.Field, 0, len(g.keys)+len(g.accs))
	for i, k := range g.keys {
		fields = append(fields, arrow.Field{Name: k, Type: cols[i].DataType(), Nullable: true})
	}
	for i, acc := range g.accs {
		acc.Grow(g.table.Len())
		c, err := acc.Result(mem)
		if err != nil {
			release()
			return nil, fmt.Errorf("agg: %s: %w", g.specs[i].name, err)
		}
		if c.Len() != g.table.Len() {
			c.Release()
			release()
			return nil, fmt.Errorf("agg: %s returned %d values for %d groups", g.specs[i].name, c.Len(), g.table.Len())
		}
		cols = append(cols, c)
		fields = append(fields, arrow.Field{Name: g.specs[i].name, Type: c.DataType(), Nullable: true})
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(g.table.Len()))
	release()
	return rec, nil
}
