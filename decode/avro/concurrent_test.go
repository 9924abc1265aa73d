package avro_test

import (
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/decodetest"
)

// TestPlanSharedAcrossGoroutines: one compiled plan, bound by several
// goroutines to their own builders (as the Decoder's pool does), over
// several batches each; run with -race.
func TestPlanSharedAcrossGoroutines(t *testing.T) {
	schema, vals := everythingValues(t, 40, 11)
	p, err := avro.NewCompiler(avro.Options{Schema: schema}).Compile(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	want, _ := decodetest.Run(t, mem, p, vals)
	defer want.Release()
	// Results are compared after the goroutines end: arrow-go's Dictionary
	// accessor caches lazily, so comparing against the shared want from
	// several goroutines would race inside arrow-go, not in the plan.
	const goroutines, batches = 4, 3
	var got [goroutines][batches]arrow.RecordBatch
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				rec, errs := decodetest.Run(t, mem, p, vals)
				for _, err := range errs {
					if err != nil {
						t.Error(err)
					}
				}
				got[g][batch] = rec
			}
		}()
	}
	wg.Wait()
	for g := range got {
		for _, rec := range got[g] {
			if rec == nil { // that goroutine stopped early and said why
				continue
			}
			if !array.RecordEqual(want, rec) {
				t.Errorf("goroutine %d decoded different rows", g)
			}
			rec.Release()
		}
	}
}

// TestBuildersReusedAcrossBatches: an appender bound once keeps decoding
// after its builders are finished into arrays (the Decoder reuses builder
// sets), reserving room from the last batch; batches match.
func TestBuildersReusedAcrossBatches(t *testing.T) {
	schema, vals := everythingValues(t, 30, 5)
	p, err := avro.NewCompiler(avro.Options{Schema: schema}).Compile(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	want, _ := decodetest.Run(t, mem, p, vals)
	defer want.Release()
	bs := builders(mem, p.Fields())
	defer releaseAll(bs)
	app, err := p.Bind(bs)
	if err != nil {
		t.Fatal(err)
	}
	for batch := 0; batch < 3; batch++ {
		for _, v := range vals {
			if err := app.Append(v); err != nil {
				t.Fatal(err)
			}
		}
		for i, b := range bs {
			arr := b.NewArray()
			if !array.Equal(arr, want.Column(i)) {
				t.Fatalf("batch %d column %s differs", batch, want.ColumnName(i))
			}
			arr.Release()
		}
	}
}
