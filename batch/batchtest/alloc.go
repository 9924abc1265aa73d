package batchtest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Stats are an Allocator's counters.
type Stats struct {
	// Live is the number of bytes allocated and not yet freed.
	Live int64
	// Peak is the highest Live has been.
	Peak int64
	// Allocs and Frees count calls (a Reallocate counts as neither).
	Allocs, Frees int64
	// Reallocs counts Reallocate calls.
	Reallocs int64
	// Buffers is the number of buffers live (checked mode only; else -1).
	Buffers int
	// BadFrees counts frees (and reallocations) of buffers this allocator
	// does not own: double frees or foreign buffers (checked mode only).
	BadFrees int64
}

// Allocator wraps a memory.Allocator with accounting. It is safe for
// concurrent use. The plain mode costs a few atomic adds per call; the
// checked mode adds a mutex and a map of live buffers.
type Allocator struct {
	mem     memory.Allocator
	checked bool

	live, peak             atomic.Int64
	allocs, frees, reallcs atomic.Int64
	badFrees               atomic.Int64

	mu   sync.Mutex
	bufs map[uintptr]buf // checked mode: live buffers by address
}

// buf is a live buffer: its size and how many live buffers share its address
// (zero-size allocations may all point at one place).
type buf struct{ size, n int }

var _ memory.Allocator = (*Allocator)(nil)

// NewAllocator returns an accounting wrapper around mem (the Go allocator
// when nil), for metrics.
func NewAllocator(mem memory.Allocator) *Allocator {
	if mem == nil {
		mem = memory.NewGoAllocator()
	}
	return &Allocator{mem: mem}
}

// NewCheckedAllocator returns a wrapper that also tracks every buffer, for
// tests: Check reports leaks and frees of buffers it does not own.
func NewCheckedAllocator(mem memory.Allocator) *Allocator {
	a := NewAllocator(mem)
	a.checked = true
	a.bufs = map[uintptr]buf{}
	return a
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) } //nolint:gosec // G103: the address is only used as a map key, never dereferenced

// track records a new live buffer (mu held).
func (a *Allocator) track(b []byte, size int) {
	e := a.bufs[addr(b)]
	a.bufs[addr(b)] = buf{size: e.size + size, n: e.n + 1}
}

// untrack forgets a live buffer and returns its size (mu held).
func (a *Allocator) untrack(b []byte) (int, bool) {
	e, ok := a.bufs[addr(b)]
	if !ok {
		return 0, false
	}
	size := e.size
	if e.n > 1 { // zero-size buffers sharing an address
		a.bufs[addr(b)] = buf{size: e.size, n: e.n - 1}
		return 0, true
	}
	delete(a.bufs, addr(b))
	return size, true
}

func (a *Allocator) grow(n int64) {
	live := a.live.Add(n)
	for {
		p := a.peak.Load()
		if live <= p || a.peak.CompareAndSwap(p, live) {
			return
		}
	}
}

// Allocate allocates size bytes.
func (a *Allocator) Allocate(size int) []byte {
	b := a.mem.Allocate(size)
	a.allocs.Add(1)
	a.grow(int64(size))
	if a.checked {
		a.mu.Lock()
		a.track(b, size)
		a.mu.Unlock()
	}
	return b
}

// Reallocate resizes b to size bytes.
func (a *Allocator) Reallocate(size int, b []byte) []byte {
	old := len(b)
	if a.checked {
		a.mu.Lock()
		if n, ok := a.untrack(b); ok {
			old = n
		} else if len(b) > 0 { // arrow passes nil for a buffer never allocated
			a.badFrees.Add(1)
		}
		a.mu.Unlock()
	}
	nb := a.mem.Reallocate(size, b)
	a.reallcs.Add(1)
	a.grow(int64(size - old))
	if a.checked {
		a.mu.Lock()
		a.track(nb, size)
		a.mu.Unlock()
	}
	return nb
}

// Free frees b.
func (a *Allocator) Free(b []byte) {
	size := len(b)
	if a.checked {
		a.mu.Lock()
		n, ok := a.untrack(b)
		if ok {
			size = n
		}
		a.mu.Unlock()
		if !ok {
			// Freeing what this allocator does not own would corrupt the
			// counts and possibly the wrapped allocator: count it, do not
			// pass it on. Arrow frees nil for buffers it never allocated.
			if len(b) > 0 {
				a.badFrees.Add(1)
			}
			return
		}
	}
	a.frees.Add(1)
	a.live.Add(-int64(size))
	a.mem.Free(b)
}

// Stats returns the counters.
func (a *Allocator) Stats() Stats {
	s := Stats{
		Live: a.live.Load(), Peak: a.peak.Load(),
		Allocs: a.allocs.Load(), Frees: a.frees.Load(), Reallocs: a.reallcs.Load(),
		BadFrees: a.badFrees.Load(), Buffers: -1,
	}
	if a.checked {
		a.mu.Lock()
		s.Buffers = 0
		for _, e := range a.bufs {
			s.Buffers += e.n
		}
		a.mu.Unlock()
	}
	return s
}

// Live is the number of bytes allocated and not yet freed.
func (a *Allocator) Live() int64 { return a.live.Load() }

// ErrLeak is wrapped by Check's error when memory is still allocated.
var ErrLeak = errors.New("batchtest: allocator memory not released")

// Check returns an error when bytes are still live or, in checked mode,
// buffers are live or were freed without being owned.
func (a *Allocator) Check() error {
	s := a.Stats()
	var errs []error
	if s.Live != 0 || s.Buffers > 0 {
		errs = append(errs, fmt.Errorf("%w: %d bytes in %d buffers live", ErrLeak, s.Live, s.Buffers))
	}
	if s.BadFrees > 0 {
		errs = append(errs, fmt.Errorf("batchtest: %d frees of buffers the allocator did not own", s.BadFrees))
	}
	return errors.Join(errs...)
}

// TB is the part of testing.TB that AssertZero uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// AssertZero fails t when Check reports a problem; tests defer it.
func (a *Allocator) AssertZero(t TB) {
	t.Helper()
	if err := a.Check(); err != nil {
		t.Errorf("%v", err)
	}
}
