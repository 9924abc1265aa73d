package batch_test

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch"
)

var withDict = arrow.NewSchema([]arrow.Field{
	{Name: "s", Type: arrow.BinaryTypes.String},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	{Name: "cur", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}},
}, nil)

func fill(t *testing.T, b *batch.Builders, rows int, cur string) {
	t.Helper()
	bs := b.Fields()
	for i := range rows {
		bs[0].(*array.StringBuilder).Append("0123456789")
		bs[1].(*array.Int64Builder).Append(int64(i))
		if err := bs[2].(*array.BinaryDictionaryBuilder).AppendString(cur); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBuilderPool(t *testing.T) {
	mem := batch.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertZero(t)
	p := batch.NewBuilderPool(mem, withDict, 2)
	defer p.Close()

	b, err := p.Get()
	if err != nil {
		t.Fatal(err)
	}
	if c := b.Fields()[1].Cap(); c != 0 {
		t.Fatalf("first set reserved %d rows", c)
	}
	fill(t, b, 1000, "EUR")
	rec := b.NewRecordBatch()
	if rec.NumRows() != 1000 {
		t.Fatalf("rows %d", rec.NumRows())
	}
	rec.Release()
	p.Put(b)

	// The next set is sized like the last batch: one allocation per buffer.
	b, _ = p.Get()
	if c := b.Fields()[1].Cap(); c < 1000 {
		t.Fatalf("reused set reserved %d rows", c)
	}
	allocs := mem.Stats().Allocs + mem.Stats().Reallocs
	fill(t, b, 1000, "USD")
	if grew := mem.Stats().Allocs + mem.Stats().Reallocs - allocs; grew > 4 {
		t.Fatalf("filling a reserved set took %d allocations", grew)
	}
	rec = b.NewRecordBatch()
	defer rec.Release()
	// The dictionary was reset between batches: it holds this batch's value only.
	if d := rec.Column(2).(*array.Dictionary).Dictionary(); d.Len() != 1 || d.(*array.String).Value(0) != "USD" {
		t.Fatalf("dictionary %v", d)
	}
	p.Put(b)

	// A set with rows left in it is released, not pooled.
	b, _ = p.Get()
	fill(t, b, 3, "GBP")
	p.Put(b)
}

func TestBuilderPoolClose(t *testing.T) {
	mem := batch.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertZero(t)
	p := batch.NewBuilderPool(mem, withDict, 1)
	a, _ := p.Get()
	b, _ := p.Get()
	fill(t, a, 10, "EUR")
	a.NewRecordBatch().Release()
	p.Put(a)
	p.Close()
	p.Close()
	if _, err := p.Get(); !errors.Is(err, batch.ErrClosed) {
		t.Fatalf("get after close: %v", err)
	}
	p.Put(b) // lent out across Close: released on Put
}
