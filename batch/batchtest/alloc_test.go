package batchtest_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch/batchtest"
)

func TestAllocatorAccounts(t *testing.T) {
	for _, checked := range []bool{false, true} {
		a := batchtest.NewAllocator(nil)
		if checked {
			a = batchtest.NewCheckedAllocator(memory.NewGoAllocator())
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
		if err := a.Check(); !errors.Is(err, batchtest.ErrLeak) || !strings.Contains(err.Error(), "50 bytes") {
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
	a := batchtest.NewCheckedAllocator(nil)
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
	a := batchtest.NewCheckedAllocator(memory.NewGoAllocator())
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
