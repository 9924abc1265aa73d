package batch

import (
	"errors"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BuilderPool lends sets of builders for one schema and sizes each set it
// lends from the last batch built: builders start empty after NewArray, and
// growing them by doubling from nothing costs as much as decoding into them.
// Idle sets wait in a bounded free list (not a sync.Pool) so Close can release
// them: builders can hold allocator memory while idle (a dictionary builder
// keeps its memo table across NewArray), and a checked allocator must reach
// zero. Safe for concurrent use.
type BuilderPool struct {
	mem    memory.Allocator
	schema *arrow.Schema
	max    int

	mu     sync.Mutex
	free   []*Builders
	closed bool
	rows   int   // rows of the last batch built
	data   []int // value bytes of the last batch, per top-level binary-like column
}

// Caps on the reservations hints ask for.
const (
	maxHintRows  = 1 << 20
	maxHintBytes = 64 << 20
)

// NewBuilderPool returns a pool of builder sets for schema allocating from mem
// (memory.DefaultAllocator when nil), keeping at most maxIdle idle sets
// (default 4).
func NewBuilderPool(mem memory.Allocator, schema *arrow.Schema, maxIdle int) *BuilderPool {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	if maxIdle <= 0 {
		maxIdle = 4
	}
	return &BuilderPool{mem: mem, schema: schema, max: maxIdle, data: make([]int, schema.NumFields())}
}

// Builders is one set of builders, one per field.
type Builders struct {
	pool *BuilderPool
	bs   []array.Builder
}

// Fields returns the builders, one per schema field.
func (b *Builders) Fields() []array.Builder { return b.bs }

// ErrClosed is returned by Get after Close.
var ErrClosed = errors.New("batch: builder pool closed")

// Get returns an empty set of builders reserved for a batch like the last one.
func (p *BuilderPool) Get() (*Builders, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	var b *Builders
	if n := len(p.free); n > 0 {
		b, p.free = p.free[n-1], p.free[:n-1]
	}
	rows, data := p.rows, append([]int(nil), p.data...)
	p.mu.Unlock()
	if b == nil {
		b = &Builders{pool: p, bs: make([]array.Builder, p.schema.NumFields())}
		for i, f := range p.schema.Fields() {
			b.bs[i] = array.NewBuilder(p.mem, f.Type)
		}
	}
	if rows > 0 {
		for i, bb := range b.bs {
			bb.Reserve(rows)
			if bin, ok := binaryOf(bb); ok && data[i] > 0 {
				bin.ReserveData(data[i])
			}
		}
	}
	return b, nil
}

// binaryOf returns the BinaryBuilder behind a string or binary builder.
func binaryOf(b array.Builder) (*array.BinaryBuilder, bool) {
	switch b := b.(type) {
	case *array.BinaryBuilder:
		return b, true
	case *array.StringBuilder:
		return b.BinaryBuilder, true
	case *array.LargeStringBuilder:
		return b.BinaryBuilder, true
	}
	return nil, false
}

// NewRecordBatch finishes the builders into a batch (leaving them empty) and
// remembers its size for the next Get. The caller releases the batch.
func (b *Builders) NewRecordBatch() arrow.RecordBatch {
	p := b.pool
	rows := 0
	if len(b.bs) > 0 {
		rows = b.bs[0].Len()
	}
	data := make([]int, len(b.bs))
	for i, bb := range b.bs {
		if bin, ok := binaryOf(bb); ok {
			data[i] = min(bin.DataLen(), maxHintBytes)
		}
	}
	p.mu.Lock()
	p.rows = min(rows, maxHintRows)
	p.data = data
	p.mu.Unlock()

	cols := make([]arrow.Array, len(b.bs))
	for i, bb := range b.bs {
		cols[i] = bb.NewArray()
	}
	rec := array.NewRecordBatch(p.schema, cols, int64(rows))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// Put returns a set to the pool. A set with rows still in it (not finished
// with NewRecordBatch), or one the full free list has no room for, is
// released instead; so is every set after Close.
func (p *BuilderPool) Put(b *Builders) {
	empty := true
	for _, bb := range b.bs {
		if bb.Len() > 0 {
			empty = false
		}
		if d, ok := bb.(array.DictionaryBuilder); ok {
			d.ResetFull() // a dictionary describes one batch, not every batch since the start
		}
	}
	p.mu.Lock()
	if empty && !p.closed && len(p.free) < p.max {
		p.free = append(p.free, b)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	b.release()
}

func (b *Builders) release() {
	for _, bb := range b.bs {
		bb.Release()
	}
	b.bs = nil
}

// Close releases the idle sets; sets still lent out are released when Put.
// Close is idempotent.
func (p *BuilderPool) Close() {
	p.mu.Lock()
	free := p.free
	p.free, p.closed = nil, true
	p.mu.Unlock()
	for _, b := range free {
		b.release()
	}
}
