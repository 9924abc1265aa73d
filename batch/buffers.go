package batch

import "sync"

// BufferPool lends byte buffers. A buffer comes back from Get with length
// zero; Put resets it and keeps it unless its capacity grew past MaxCap, so
// one huge batch does not pin its memory for ever. Safe for concurrent use.
type BufferPool struct {
	// InitCap is the capacity of a new buffer (default 4 KiB).
	InitCap int
	// MaxCap is the largest capacity Put keeps (default 16 MiB).
	MaxCap int

	pool sync.Pool
}

// Get returns an empty buffer.
func (p *BufferPool) Get() *[]byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		return b
	}
	n := p.InitCap
	if n <= 0 {
		n = 4 << 10
	}
	b := make([]byte, 0, n)
	return &b
}

// Put returns b to the pool; the caller must not use it afterwards.
func (p *BufferPool) Put(b *[]byte) {
	if b == nil {
		return
	}
	maxCap := p.MaxCap
	if maxCap <= 0 {
		maxCap = 16 << 20
	}
	if cap(*b) > maxCap {
		return
	}
	*b = (*b)[:0]
	p.pool.Put(b)
}
