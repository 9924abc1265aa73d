package codec_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/encode"
	encjson "github.com/sabot-kafka/sabot/encode/json"
	"github.com/sabot-kafka/sabot/ops"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// writers is a registry of n Avro writer schemas, ids 1..n: payments with
// an id, an amount and a string field named after the version, so each
// version decodes into its own Arrow layout.
type writers struct{ n int }

func (w writers) schema(id int) string {
	return fmt.Sprintf(`{"type":"record","name":"Payment","fields":[
		{"name":"id","type":"long"},{"name":"amount","type":"double"},{"name":"note_v%d","type":"string"}]}`, id)
}

func (w writers) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	if id < 1 || id > w.n {
		return registry.ResolvedSchema{}, registry.ErrNotFound
	}
	return registry.ResolvedSchema{ID: id, Schema: registry.Schema{Type: registry.TypeAvro, Text: w.schema(id)}}, nil
}

// value is one framed Avro payment written with schema id.
func (w writers) value(id int, n int64) []byte {
	b := wire.AppendHeader(nil, id)
	b = binary.AppendVarint(b, n)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(n)/4))
	note := "payment " + strconv.FormatInt(n, 10)
	b = binary.AppendVarint(b, int64(len(note)))
	return append(b, note...)
}

// countingCompiler counts the encode plans compiled.
type countingCompiler struct {
	inner encode.Compiler
	n     atomic.Int64
}

func (c *countingCompiler) Compile(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
	c.n.Add(1)
	return c.inner.Compile(s)
}

// chain is decode → Filter → WithColumn → Project → JSON encode, the path
// whose schema-keyed caches leaked when layouts alternated.
type chain struct {
	w        writers
	dec      *decode.Decoder
	where    ops.Op
	withCol  ops.Op
	project  ops.Op
	enc      *encode.Encoder
	compiler *countingCompiler
	mem      memory.Allocator
	in       decode.Input
	vals     encode.Values
}

func newChain(t testing.TB, schemas int, mem memory.Allocator) *chain {
	w := writers{n: schemas}
	dec, err := decode.New(decode.Config{Compiler: avro.NewCompiler(avro.Options{}), Wire: decode.WireConfluent,
		Registry: w, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	cc := &countingCompiler{inner: encjson.NewCompiler(encjson.Options{})}
	enc, err := encode.New(encode.Config{Compiler: cc})
	if err != nil {
		t.Fatal(err)
	}
	return &chain{
		w: w, dec: dec, enc: enc, compiler: cc, mem: mem,
		where:   ops.Where(ops.Col("amount").Ge(ops.Lit(0.0))),
		withCol: ops.WithColumn("doubled", ops.Col("amount").Mul(ops.Lit(2.0))),
		project: ops.Project(ops.Col("id"), ops.Col("doubled")),
	}
}

// batch runs one batch of rows records written with schema id through the
// chain, encoding the WithColumn output (a layout per writer) and the
// Project output (one layout for all).
func (c *chain) batch(t testing.TB, id, rows int) {
	c.in.Reset()
	for r := range rows {
		c.in.Values = append(c.in.Values, c.w.value(id, int64(r)))
	}
	res, err := c.dec.Decode(context.Background(), &c.in)
	if err != nil || len(res.Errors) > 0 || len(res.Batches) != 1 {
		t.Fatalf("decode: %v, errors %v, %d batches", err, res.Errors, len(res.Batches))
	}
	defer res.Release()
	kept, err := c.where.Apply(c.mem, res.Batches[0])
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Release()
	wide, err := c.withCol.Apply(c.mem, kept)
	if err != nil {
		t.Fatal(err)
	}
	defer wide.Release()
	narrow, err := c.project.Apply(c.mem, wide)
	if err != nil {
		t.Fatal(err)
	}
	defer narrow.Release()
	for _, rec := range []arrow.RecordBatch{wide, narrow} {
		if err := c.enc.Encode(context.Background(), rec, &c.vals); err != nil || len(c.vals.Errors) > 0 || c.vals.Len() != rows {
			t.Fatalf("encode: %v, %d values", err, c.vals.Len())
		}
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Batches whose layouts alternate between 2 or 50 writer schemas go through
// decode → ops → encode. Every cache keys by content and is bounded, so the
// heap after 100k batches is what it was after 10k, and the encoder compiled
// one plan per layout: no rebuilds, no growth with the batch count.
func TestAlternatingLayoutsKeepTheHeapFlat(t *testing.T) {
	for _, schemas := range []int{2, 50} {
		t.Run(fmt.Sprintf("%d schemas", schemas), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			c := newChain(t, schemas, mem)
			defer c.dec.Close()
			const rows = 4
			var at10k uint64
			for i := range 100_000 {
				if i == 10_000 {
					at10k = heapAfterGC()
				}
				c.batch(t, 1+i%schemas, rows)
			}
			at100k := heapAfterGC()
			runtime.KeepAlive(c) // measured with its caches live
			t.Logf("heap after 10k batches %.1f MiB, after 100k %.1f MiB", float64(at10k)/(1<<20), float64(at100k)/(1<<20))
			// The leak this guards against grew ~0.7 KiB per batch: 60 MiB here.
			if at100k > at10k+2<<20 {
				t.Errorf("heap grew from %d to %d bytes between 10k and 100k batches", at10k, at100k)
			}
			// One plan per writer layout (WithColumn) plus one for Project's.
			if got := c.compiler.n.Load(); got != int64(schemas+1) {
				t.Errorf("encoder compiled %d plans for %d layouts", got, schemas+1)
			}
		})
	}
}

// A batch with a new *arrow.Schema every time (a user function building its
// own) finds the plan compiled for the first equal schema.
func TestFreshSchemaPointersReuseThePlan(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cc := &countingCompiler{inner: encjson.NewCompiler(encjson.Options{})}
	enc, err := encode.New(encode.Config{Compiler: cc})
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewInt64Builder(mem)
	b.AppendValues([]int64{1, 2, 3}, nil)
	col := b.NewArray()
	b.Release()
	defer col.Release()
	var vals encode.Values
	var at10k uint64
	for i := range 100_000 {
		if i == 10_000 {
			at10k = heapAfterGC()
		}
		name := "a"
		if i%2 == 1 {
			name = "b"
		}
		schema := arrow.NewSchema([]arrow.Field{{Name: name, Type: arrow.PrimitiveTypes.Int64}}, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{col}, 3)
		if err := enc.Encode(context.Background(), rec, &vals); err != nil || vals.Len() != 3 {
			t.Fatalf("encode: %v", err)
		}
		rec.Release()
	}
	at100k := heapAfterGC()
	runtime.KeepAlive(enc) // measured with its caches live
	t.Logf("heap after 10k batches %.1f MiB, after 100k %.1f MiB", float64(at10k)/(1<<20), float64(at100k)/(1<<20))
	if at100k > at10k+2<<20 {
		t.Errorf("heap grew from %d to %d bytes between 10k and 100k batches", at10k, at100k)
	}
	if got := cc.n.Load(); got != 2 {
		t.Errorf("compiled %d plans for 2 layouts", got)
	}
}

// BenchmarkSoak runs 10M records in batches of 500, alternating between 50
// writer layouts, through decode → ops → encode and reports the heap after
// 1M and 10M records (run with -benchtime 1x).
func BenchmarkSoak(b *testing.B) {
	const (
		schemas = 50
		rows    = 500
		total   = 10_000_000
	)
	for b.Loop() {
		c := newChain(b, schemas, memory.DefaultAllocator)
		var at1M uint64
		for i := range total / rows {
			if i*rows == 1_000_000 {
				at1M = heapAfterGC()
			}
			c.batch(b, 1+i%schemas, rows)
		}
		at10M := heapAfterGC()
		runtime.KeepAlive(c)
		c.dec.Close()
		b.ReportMetric(float64(at1M)/(1<<20), "MiB-heap@1M")
		b.ReportMetric(float64(at10M)/(1<<20), "MiB-heap@10M")
		b.Logf("heap after 1M records %.1f MiB, after 10M %.1f MiB", float64(at1M)/(1<<20), float64(at10M)/(1<<20))
	}
}
