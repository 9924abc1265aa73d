package arrowipc_test

import (
	"bytes"
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch/batchtest"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/arrowipc"
)

var update = flag.Bool("update", false, "rewrite golden files")

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "geo", Type: arrow.StructOf(arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Nullable: true}), Nullable: true},
}, nil)

// readAll reads every batch of an IPC stream with arrow-go's reader.
func readAll(t *testing.T, mem memory.Allocator, v []byte) []arrow.RecordBatch {
	t.Helper()
	r, err := ipc.NewReader(bytes.NewReader(v), ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var out []arrow.RecordBatch
	for r.Next() {
		rec := r.RecordBatch()
		rec.Retain()
		out = append(out, rec)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return out
}

// TestRows: each row is a complete stream of one one-row batch, equal to the
// row, for each compression and with dictionaries (the per-row writer path).
func TestRows(t *testing.T) {
	dict := arrow.NewSchema(append(schema.Fields(), arrow.Field{Name: "cur",
		Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Nullable: true}), nil)
	for _, s := range []*arrow.Schema{schema, dict} {
		for _, comp := range []arrowipc.Compression{arrowipc.Uncompressed, arrowipc.LZ4, arrowipc.Zstd} {
			mem := batchtest.NewCheckedAllocator(memory.NewGoAllocator())
			rec := batchtest.Record(mem, s, 20, rand.New(rand.NewPCG(1, uint64(comp))), batchtest.Options{})
			enc, err := encode.New(encode.Config{Compiler: arrowipc.NewCompiler(arrowipc.Options{Compression: comp, Allocator: mem})})
			if err != nil {
				t.Fatal(err)
			}
			var vals encode.Values
			if err := enc.Encode(context.Background(), rec, &vals); err != nil || len(vals.Errors) > 0 {
				t.Fatal(err, vals.Errors)
			}
			for i := range vals.Len() {
				got := readAll(t, mem, vals.Value(i))
				if len(got) != 1 || got[0].NumRows() != 1 {
					t.Fatalf("row %d: %d batches", i, len(got))
				}
				want := rec.NewSlice(int64(i), int64(i)+1)
				for c := range int(want.NumCols()) {
					if want.Column(c).ValueStr(0) != got[0].Column(c).ValueStr(0) {
						t.Fatalf("row %d column %d: %s, want %s", i, c, got[0].Column(c).ValueStr(0), want.Column(c).ValueStr(0))
					}
				}
				want.Release()
				got[0].Release()
			}
			rec.Release()
			mem.AssertZero(t)
		}
	}
}

// TestGolden writes testdata/arrowipc/sabot_batch.arrows from pyarrow's own
// stream (read, joined, written back as one batch); testdata/arrowipc/gen.py
// checks pyarrow reads it back equal.
func TestGolden(t *testing.T) {
	mem := batchtest.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertZero(t)
	in, err := os.ReadFile("../../testdata/arrowipc/pyarrow_plain.arrows")
	if err != nil {
		t.Fatal(err)
	}
	parts := readAll(t, mem, in)
	rec, err := batchtest.Concat(mem, parts)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	for _, p := range parts {
		p.Release()
	}
	out, err := arrowipc.AppendBatch([]byte("prefix"), rec, arrowipc.Options{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	if string(out[:6]) != "prefix" {
		t.Fatal("AppendBatch did not append")
	}
	out = out[6:]
	back := readAll(t, mem, out)
	if len(back) != 1 || !array.RecordEqual(back[0], rec) {
		t.Fatal("the written batch does not read back equal")
	}
	back[0].Release()
	const path = "../../testdata/arrowipc/sabot_batch.arrows"
	if *update {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Fatalf("encoding changed (go test -update rewrites %s)", path)
	}
}

func TestSchemaMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	p, _, err := arrowipc.NewCompiler(arrowipc.Options{}).Compile(schema)
	if err != nil {
		t.Fatal(err)
	}
	other := batchtest.Record(mem, arrow.NewSchema(schema.Fields()[:1], nil), 1, rand.New(rand.NewPCG(1, 1)), batchtest.Options{})
	defer other.Release()
	if _, err := p.Bind(other); err == nil {
		t.Fatal("a batch of another schema bound")
	}
}
