package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/ops"
)

var schema = arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)

// ints builds a one-column batch of n values starting at from.
func ints(mem memory.Allocator, from, n int64) arrow.RecordBatch {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	for i := from; i < from+n; i++ {
		b.Append(i)
	}
	col := b.NewArray()
	defer col.Release()
	return array.NewRecordBatch(schema, []arrow.Array{col}, n)
}

// batches builds k batches of size each, released when the test ends (the
// source retains what it needs).
func batches(t *testing.T, mem memory.Allocator, k, size int) []arrow.RecordBatch {
	out := make([]arrow.RecordBatch, k)
	for i := range out {
		out[i] = ints(mem, int64(i*size), int64(size))
	}
	return out
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// even keeps even values.
func even(mem memory.Allocator) ops.MaskFunc {
	return func(_ memory.Allocator, rec arrow.RecordBatch) (*array.Boolean, error) {
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		for _, v := range rec.Column(0).(*array.Int64).Int64Values() {
			b.Append(v%2 == 0)
		}
		return b.NewBooleanArray(), nil
	}
}

// times10 multiplies the column by ten.
func times10(mem memory.Allocator) ops.Op {
	return ops.Func(func(_ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		for _, v := range rec.Column(0).(*array.Int64).Int64Values() {
			b.Append(v * 10)
		}
		col := b.NewArray()
		defer col.Release()
		return array.NewRecordBatch(schema, []arrow.Array{col}, rec.NumRows()), nil
	})
}

// collect is a Sink func gathering values.
type collect struct {
	mu   sync.Mutex
	vals []int64
}

func (c *collect) sink(_ context.Context, rec arrow.RecordBatch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.vals = append(c.vals, rec.Column(0).(*array.Int64).Int64Values()...)
	return nil
}

func TestPipelineFilterMapCommit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := batches(t, mem, 10, 100)
	defer release(in)
	src := engine.Records(in...)
	var got collect
	p := engine.From(src).Map(ops.WhereFunc(even(mem))).Map(times10(mem)).To(engine.Func(got.sink))
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got.vals) != 500 || got.vals[0] != 0 || got.vals[1] != 20 || got.vals[499] != 9980 {
		t.Fatalf("got %d values, first %v", len(got.vals), got.vals[:3])
	}
	if src.Committed() != 10 {
		t.Fatalf("committed %d batches, want 10", src.Committed())
	}
	if m := p.Metrics(); m.InRecords != 1000 || m.OutRows != 500 || m.Batches != 10 {
		t.Fatalf("metrics %+v", m)
	}
}

func TestPipelineStageErrorStopsWithCause(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := batches(t, mem, 20, 10)
	defer release(in)
	src := engine.Records(in...)
	boom := errors.New("boom")
	calls := 0
	p := engine.From(src).Map(ops.Func(func(_ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		calls++
		if calls == 3 {
			return nil, boom
		}
		rec.Retain()
		return rec, nil
	})).To(engine.Func(func(context.Context, arrow.RecordBatch) error { return nil }))
	err := p.Run(context.Background())
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if src.Committed() > 2 {
		t.Fatalf("committed %d batches past the failure", src.Committed())
	}
}

func TestPipelineSinkFailureIsNotCommitted(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := batches(t, mem, 5, 10)
	defer release(in)
	src := engine.Records(in...)
	n := 0
	err := engine.From(src).To(engine.Func(func(context.Context, arrow.RecordBatch) error {
		n++
		if n == 2 {
			return errors.New("broker said no")
		}
		return nil
	})).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "broker said no") {
		t.Fatalf("err = %v", err)
	}
	if src.Committed() != 1 {
		t.Fatalf("committed %d batches, want only the first", src.Committed())
	}
}

// endless yields batches until its context ends.
type endless struct {
	mem       memory.Allocator
	next      int64
	committed int64
	mu        sync.Mutex
}

func (e *endless) Next(ctx context.Context) (*engine.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r := ints(e.mem, e.next, 10)
	e.next += 10
	return &engine.Batch{Records: []arrow.RecordBatch{r}, InRecords: 10, Token: e.next}, nil
}

func (e *endless) Commit(_ context.Context, b *engine.Batch) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.committed = b.Token.(int64)
	return nil
}

func (e *endless) Close() error { return nil }

func TestPipelineCancelDrainsAndCommitsEverythingRead(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := &endless{mem: mem}
	var got collect
	ctx, cancel := context.WithCancel(context.Background())
	p := engine.From(src).To(engine.Func(func(ctx context.Context, rec arrow.RecordBatch) error {
		if err := got.sink(ctx, rec); err != nil {
			return err
		}
		if len(got.vals) >= 1000 {
			cancel()
		}
		return nil
	}))
	if err := p.Run(ctx); err != nil {
		t.Fatalf("a cancelled run should stop cleanly: %v", err)
	}
	// Everything the source handed out was delivered and committed.
	if int64(len(got.vals)) != src.committed || src.committed != src.next {
		t.Fatalf("delivered %d, committed %d, read %d", len(got.vals), src.committed, src.next)
	}
}

func TestIPCSinkWritesReadableStreamAndFile(t *testing.T) {
	for _, format := range []engine.IPCFormat{engine.IPCStream, engine.IPCFile} {
		t.Run(fmt.Sprint(format), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			in := batches(t, mem, 3, 50)
			defer release(in)
			var buf bytes.Buffer
			if err := engine.From(engine.Records(in...)).To(engine.IPC(&buf, format, mem)).Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			var rows int64
			switch format {
			case engine.IPCFile:
				r, err := ipc.NewFileReader(bytes.NewReader(buf.Bytes()), ipc.WithAllocator(mem))
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < r.NumRecords(); i++ {
					rec, err := r.RecordBatch(i)
					if err != nil {
						t.Fatal(err)
					}
					rows += rec.NumRows()
				}
				r.Close()
			default:
				r, err := ipc.NewReader(&buf, ipc.WithAllocator(mem))
				if err != nil {
					t.Fatal(err)
				}
				for r.Next() {
					rows += r.RecordBatch().NumRows()
				}
				r.Release()
			}
			if rows != 150 {
				t.Fatalf("read back %d rows, want 150", rows)
			}
		})
	}
}

func TestProgressReport(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := batches(t, mem, 2, 10)
	defer release(in)
	var out bytes.Buffer
	p := engine.From(engine.Records(in...)).To(engine.Func(func(context.Context, arrow.RecordBatch) error { return nil })).
		WithOptions(engine.RunOptions{Progress: &out, ProgressEvery: time.Hour})
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "done: 20 records in, 20 rows out") {
		t.Fatalf("progress = %q", out.String())
	}
}

func TestPipelineWithOpsExpressions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := batches(t, mem, 4, 250)
	defer release(in)
	var got collect
	p := engine.From(engine.Records(in...)).
		Filter(ops.Col("n").Ge(ops.Lit(int64(900))).Or(ops.Col("n").Lt(ops.Lit(int64(3))))).
		Map(ops.Project(ops.Col("n").Mul(ops.Lit(int64(2))).As("n"))).
		To(engine.Func(got.sink)).
		WithOptions(engine.RunOptions{Allocator: mem})
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got.vals) != 103 || got.vals[0] != 0 || got.vals[2] != 4 || got.vals[3] != 1800 || got.vals[102] != 1998 {
		t.Fatalf("got %d values: %v...", len(got.vals), got.vals[:4])
	}
}

func TestLimitAndStopWhenIdle(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Limit: the batch reaching the limit is the last one read.
	src := &endless{mem: mem}
	var got collect
	p := engine.From(src).Limit(25).To(engine.Func(got.sink))
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got.vals) != 30 || src.committed != 30 {
		t.Fatalf("limit 25 over batches of 10: delivered %d, committed %d", len(got.vals), src.committed)
	}
	// StopWhenIdle: a source that never yields ends the run cleanly.
	idle := engine.From(&silent{}).StopWhenIdle(50 * time.Millisecond).To(engine.Func(got.sink))
	if err := idle.Run(context.Background()); err != nil {
		t.Fatalf("idle stop: %v", err)
	}
	if m := p.Metrics(); m.InRecords != 30 {
		t.Fatalf("metrics after the run: %+v", m)
	}
}

// silent blocks in Next until its context ends.
type silent struct{}

func (silent) Next(ctx context.Context) (*engine.Batch, error) { <-ctx.Done(); return nil, ctx.Err() }
func (silent) Commit(context.Context, *engine.Batch) error     { return nil }
func (silent) Close() error                                    { return nil }
