package batch_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch"
)

func TestAllocatorAccounts(t *testing.T) {
	for _, checked := range []bool{false, true} {
		a := batch.NewAllocator(nil)
		if checked {
			a = batch.NewCheckedAllocator(memory.NewGoAllocator())
		}
		b1 := a.Allocate(100)
		b2 := a.Allocate(50)
		b1 = a.Reallocate(300, b1)
		s := a.Stats()
		if s.Live != 350 || s.Peak != 350 || s.Allocs != 2 || s.Reallocs != 1 {
			t.Fatalf("checked %v: stats %+v", checked, s)
		}
		if checked && s.Buffers != 2 {
			t.Fatalf("buffers %d", s.Buffers)
		}
		a.Free(b1)
		if err := a.Check(); !errors.Is(err, batch.ErrLeak) || !strings.Contains(err.Error(), "50 bytes") {
			t.Fatalf("check with a live buffer: %v", err)
		}
		a.Free(b2)
		if s := a.Stats(); s.Live != 0 || s.Peak != 350 || s.Frees != 2 {
			t.Fatalf("after frees: %+v", s)
		}
		a.AssertZero(t)
	}
}

func TestCheckedAllocatorCatchesBadFrees(t *testing.T) {
	a := batch.NewCheckedAllocator(nil)
	b := a.Allocate(10)
	a.Free(b)
	a.Free(b)                // double free
	a.Free(make([]byte, 10)) // never allocated here
	a.Free(a.Allocate(0))    // zero-size buffers are tracked too
	if s := a.Stats(); s.BadFrees != 2 || s.Live != 0 {
		t.Fatalf("stats %+v", s)
	}
	if err := a.Check(); err == nil || !strings.Contains(err.Error(), "2 frees") {
		t.Fatalf("check: %v", err)
	}
}

// TestAllocatorWithArrow: arrays built and released through the allocator
// leave it at zero, from several goroutines at once (run with -race).
func TestAllocatorWithArrow(t *testing.T) {
	a := batch.NewCheckedAllocator(memory.NewGoAllocator())
	defer a.AssertZero(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			b := array.NewStringBuilder(a)
			defer b.Release()
			for i := range 1000 {
				b.Append(strings.Repeat("x", i%17+g))
			}
			arr := b.NewArray()
			arr.Release()
		})
	}
	wg.Wait()
	if s := a.Stats(); s.Peak == 0 || s.Allocs == 0 || s.Allocs != s.Frees {
		t.Fatalf("stats %+v", s)
	}
}

func TestBufferPool(t *testing.T) {
	p := &batch.BufferPool{InitCap: 16, MaxCap: 64}
	b := p.Get()
	if len(*b) != 0 || cap(*b) != 16 {
		t.Fatalf("new buffer len %d cap %d", len(*b), cap(*b))
	}
	*b = append(*b, "hello"...)
	p.Put(b)
	// sync.Pool may drop anything at any time; what comes back must be empty.
	if b2 := p.Get(); len(*b2) != 0 {
		t.Fatalf("reused buffer not reset: %q", *b2)
	}
	big := make([]byte, 0, 1000)
	p.Put(&big) // over MaxCap: dropped, never handed out
	for range 10 {
		if b := p.Get(); cap(*b) > 64 {
			t.Fatalf("oversized buffer kept: cap %d", cap(*b))
		}
	}
	p.Put(nil)
}
