package batch_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch"
	"github.com/sabot-kafka/sabot/batch/batchtest"
)

var mixed = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "geo", Type: arrow.StructOf(arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Nullable: true}), Nullable: true},
	{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32), Nullable: true},
	{Name: "pair", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int16), Nullable: true},
	{Name: "big", Type: arrow.BinaryTypes.LargeString, Nullable: true},
}, nil)

func TestSplitConcat(t *testing.T) {
	mem := batch.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertZero(t)
	rec := batchtest.Record(mem, mixed, 1000, rand.New(rand.NewPCG(1, 2)), batchtest.Options{})
	defer rec.Release()
	parts := batch.Split(rec, 300)
	if len(parts) != 4 || parts[3].NumRows() != 100 {
		t.Fatalf("%d parts", len(parts))
	}
	joined, err := batch.Concat(mem, parts)
	if err != nil {
		t.Fatal(err)
	}
	defer joined.Release()
	for _, p := range parts {
		p.Release()
	}
	if !array.RecordEqual(rec, joined) {
		t.Fatal("split then concat changed the batch")
	}
	one, err := batch.Concat(mem, []arrow.RecordBatch{rec})
	if err != nil || one != rec {
		t.Fatalf("single batch: %v", err)
	}
	one.Release()
	if _, err := batch.Concat(mem, nil); err == nil {
		t.Fatal("empty concat accepted")
	}
	other := batchtest.Record(mem, arrow.NewSchema(mixed.Fields()[:1], nil), 1, rand.New(rand.NewPCG(1, 2)), batchtest.Options{})
	defer other.Release()
	if _, err := batch.Concat(mem, []arrow.RecordBatch{rec, other}); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("schemas differ: %v", err)
	}
}

// TestBytes: the estimate of a slice is what the same rows cost once copied
// into a batch of their own.
func TestBytes(t *testing.T) {
	mem := batch.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertZero(t)
	rec := batchtest.Record(mem, mixed, 2000, rand.New(rand.NewPCG(3, 4)), batchtest.Options{})
	defer rec.Release()
	whole := batch.Bytes(rec)
	retained := batch.RetainedBytes(rec)
	if whole <= 0 || whole > retained {
		t.Fatalf("bytes %d, retained %d", whole, retained)
	}
	slice := rec.NewSlice(500, 1000)
	defer slice.Release()
	part := batch.Bytes(slice)
	if batch.RetainedBytes(slice) != retained {
		t.Fatal("a slice retains its parent's buffers")
	}
	// A quarter of the rows: about a quarter of the bytes.
	if part < whole/6 || part > whole/3 {
		t.Fatalf("slice of 1/4 the rows: %d of %d bytes", part, whole)
	}
	empty := slice.NewSlice(0, 0)
	defer empty.Release()
	copied, err := batch.Concat(mem, []arrow.RecordBatch{slice, empty})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Release()
	// Nested children count validity bits when any of their rows is null,
	// so the two may differ by a few bitmap bytes.
	if b := batch.Bytes(copied); b < part-part/100 || b > part+part/100 {
		t.Fatalf("copy of the slice: %d bytes, slice estimate %d", b, part)
	}
}
