package batch

import (
	"errors"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BuilderPool lends sets of builders for one schema and sizes each set it
// lends from the last batch built: every builder of the tree — nested struct
// fields, list items, map keys and values, union children — is reserved for
// as many entries and value bytes as it held last time, because growing
// builders by doubling from nothing costs about as much as decoding into
// them. Appenders need do nothing for it.
//
// Idle sets wait in a bounded free list (not a sync.Pool) so Close can
// release them: builders hold allocator memory while idle, and a checked
// allocator must reach zero. Dictionary builders anywhere in the tree are
// reset on Put, so each batch's dictionary holds that batch's values only.
// Safe for concurrent use.
type BuilderPool struct {
	mem    memory.Allocator
	schema *arrow.Schema
	max    int

	mu     sync.Mutex
	free   []*Builders
	closed bool
	// Sizes of the last batch built, per builder of the tree (depth first):
	// entries, and value bytes of binary-like builders.
	lens []int
	data []int
}

// Caps on what a reservation asks for, so one huge batch does not make every
// later one reserve as much.
const (
	maxHintRows  = 1 << 20
	maxHintBytes = 64 << 20
)

// maxBound bounds the values bound to one set (see Builders.Bound).
const maxBound = 16

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
	return &BuilderPool{mem: mem, schema: schema, max: maxIdle}
}

// Schema is the schema of the batches the pool's sets build.
func (p *BuilderPool) Schema() *arrow.Schema { return p.schema }

// Builders is one set of builders, one per field, lent by a BuilderPool. It
// is used by one goroutine at a time.
type Builders struct {
	pool  *BuilderPool
	bs    []array.Builder
	tree  []array.Builder // every builder, depth first; bs are among them
	bins  []binaryBuilder // per tree entry: the binary-like view, or nil
	dicts []array.DictionaryBuilder
	bound map[any]any
}

// binaryBuilder is what string and binary builders share for sizing.
type binaryBuilder interface {
	DataLen() int
	ReserveData(int)
}

// Fields returns the builders, one per schema field.
func (b *Builders) Fields() []array.Builder { return b.bs }

// Bound returns the value bind made from this set's builders under key,
// calling bind the first time: a decoder binds its plan's appender to a set
// once, not once per batch, since sets are reused. A set keeps at most a few
// bound values; past that the oldest bindings are forgotten and made again.
func (b *Builders) Bound(key any, bind func(bs []array.Builder) (any, error)) (any, error) {
	if v, ok := b.bound[key]; ok {
		return v, nil
	}
	v, err := bind(b.bs)
	if err != nil {
		return nil, err
	}
	if b.bound == nil || len(b.bound) >= maxBound {
		b.bound = make(map[any]any, 1)
	}
	b.bound[key] = v
	return v, nil
}

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
	if b == nil {
		p.mu.Unlock()
		b = p.newBuilders()
		p.mu.Lock()
	}
	// Reserving under the lock keeps the hints consistent; it is a few
	// allocator calls per batch.
	if len(p.lens) == len(b.tree) {
		for i, bb := range b.tree {
			bb.Reserve(p.lens[i])
			if b.bins[i] != nil && p.data[i] > 0 {
				b.bins[i].ReserveData(p.data[i])
			}
		}
	}
	p.mu.Unlock()
	return b, nil
}

func (p *BuilderPool) newBuilders() *Builders {
	b := &Builders{pool: p, bs: make([]array.Builder, p.schema.NumFields())}
	for i, f := range p.schema.Fields() {
		b.bs[i] = array.NewBuilder(p.mem, f.Type)
		b.walk(b.bs[i])
	}
	return b
}

// walk lists bb and the builders under it.
func (b *Builders) walk(bb array.Builder) {
	b.tree = append(b.tree, bb)
	bin, _ := bb.(binaryBuilder)
	b.bins = append(b.bins, bin)
	if d, ok := bb.(array.DictionaryBuilder); ok {
		b.dicts = append(b.dicts, d)
	}
	switch c := bb.(type) {
	case *array.StructBuilder:
		for i := range c.NumField() {
			b.walk(c.FieldBuilder(i))
		}
	case array.ListLikeBuilder: // lists, list views, fixed-size lists, maps
		b.walk(c.ValueBuilder())
	case *array.RunEndEncodedBuilder:
		b.walk(c.ValueBuilder())
	case interface {
		NumChildren() int
		Child(int) array.Builder
	}: // unions
		for i := range c.NumChildren() {
			b.walk(c.Child(i))
		}
	}
}

// NewRecordBatch finishes the builders into a batch of rows rows (leaving
// them empty) and remembers every builder's size for the next Get. The caller
// releases the batch.
func (b *Builders) NewRecordBatch(rows int) arrow.RecordBatch {
	p := b.pool
	p.mu.Lock()
	if len(p.lens) != len(b.tree) {
		p.lens, p.data = make([]int, len(b.tree)), make([]int, len(b.tree))
	}
	for i, bb := range b.tree {
		p.lens[i] = min(bb.Len(), maxHintRows)
		if b.bins[i] != nil {
			p.data[i] = min(b.bins[i].DataLen(), maxHintBytes)
		}
	}
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

// Put returns a set to the pool. A set with entries still in it (not
// finished with NewRecordBatch), or one the full free list has no room for,
// is released instead; so is every set after Close.
func (p *BuilderPool) Put(b *Builders) {
	empty := true
	for _, bb := range b.bs {
		if bb.Len() > 0 {
			empty = false
		}
	}
	for _, d := range b.dicts {
		d.ResetFull() // a dictionary describes one batch, not every batch since the start
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
	b.bs, b.tree, b.bins, b.dicts, b.bound = nil, nil, nil, nil, nil
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
