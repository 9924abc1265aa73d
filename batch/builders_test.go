package batch_test

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch"
	"github.com/sabot-kafka/sabot/batch/batchtest"
)

var cur = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}

// nested has a builder of every kind the pool walks: strings at the top and
// inside a struct, a list, a map and a dictionary nested in a struct.
var nested = arrow.NewSchema([]arrow.Field{
	{Name: "s", Type: arrow.BinaryTypes.String},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	{Name: "cur", Type: cur},
	{Name: "user", Type: arrow.StructOf(
		arrow.Field{Name: "name", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		arrow.Field{Name: "region", Type: cur},
	)},
	{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32)},
}, nil)

// fill appends rows rows, each with two tags and three attributes.
func fill(t *testing.T, b *batch.Builders, rows int, currency string) {
	t.Helper()
	bs := b.Fields()
	user := bs[3].(*array.StructBuilder)
	tags := user.FieldBuilder(1).(*array.ListBuilder)
	attrs := bs[4].(*array.MapBuilder)
	for i := range rows {
		bs[0].(*array.StringBuilder).Append("0123456789")
		bs[1].(*array.Int64Builder).Append(int64(i))
		if err := bs[2].(*array.BinaryDictionaryBuilder).AppendString(currency); err != nil {
			t.Fatal(err)
		}
		user.Append(true)
		user.FieldBuilder(0).(*array.StringBuilder).Append("a user name")
		tags.Append(true)
		tags.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"tag-one", "tag-two"}, nil)
		if err := user.FieldBuilder(2).(*array.BinaryDictionaryBuilder).AppendString(currency + "-region"); err != nil {
			t.Fatal(err)
		}
		attrs.Append(true)
		for k := range 3 {
			attrs.KeyBuilder().(*array.StringBuilder).Append("key")
			attrs.ItemBuilder().(*array.Int32Builder).Append(int32(k))
		}
	}
}

func TestBuilderPoolSizesTheWholeTree(t *testing.T) {
	mem := batchtest.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertZero(t)
	p := batch.NewBuilderPool(mem, nested, 2)
	defer p.Close()

	b, err := p.Get()
	if err != nil {
		t.Fatal(err)
	}
	if c := b.Fields()[1].Cap(); c != 0 {
		t.Fatalf("first set reserved %d rows", c)
	}
	fill(t, b, 1000, "EUR")
	rec := b.NewRecordBatch(1000)
	if rec.NumRows() != 1000 {
		t.Fatalf("rows %d", rec.NumRows())
	}
	rec.Release()
	p.Put(b)

	// The next set is sized like the last batch, nested builders included:
	// filling it grows nothing.
	b, _ = p.Get()
	user := b.Fields()[3].(*array.StructBuilder)
	tagValues := user.FieldBuilder(1).(*array.ListBuilder).ValueBuilder().(*array.StringBuilder)
	keys := b.Fields()[4].(*array.MapBuilder).KeyBuilder().(*array.StringBuilder)
	for name, got := range map[string]int{
		"top-level rows": b.Fields()[1].Cap(), "struct field rows": user.FieldBuilder(0).Cap(),
		"list items": tagValues.Cap(), "map keys": keys.Cap(),
	} {
		want := 1000
		switch name {
		case "list items":
			want = 2000
		case "map keys":
			want = 3000
		}
		if got < want {
			t.Errorf("%s: reserved %d, want at least %d", name, got, want)
		}
	}
	allocs := mem.Stats().Allocs + mem.Stats().Reallocs
	fill(t, b, 1000, "USD")
	// Dictionary memo tables may allocate; every buffer was reserved.
	if grew := mem.Stats().Allocs + mem.Stats().Reallocs - allocs; grew > 8 {
		t.Fatalf("filling a reserved set took %d allocations", grew)
	}
	rec = b.NewRecordBatch(1000)
	defer rec.Release()
	// Dictionaries, nested ones too, were reset between batches: each holds
	// this batch's value only.
	if d := rec.Column(2).(*array.Dictionary).Dictionary(); d.Len() != 1 || d.(*array.String).Value(0) != "USD" {
		t.Fatalf("top-level dictionary %v", d)
	}
	region := rec.Column(3).(*array.Struct).Field(2).(*array.Dictionary).Dictionary()
	if region.Len() != 1 || region.(*array.String).Value(0) != "USD-region" {
		t.Fatalf("nested dictionary %v", region)
	}
	p.Put(b)

	// A set with rows left in it is released, not pooled.
	b, _ = p.Get()
	fill(t, b, 3, "GBP")
	p.Put(b)
}

func TestBuildersBound(t *testing.T) {
	mem := batchtest.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertZero(t)
	p := batch.NewBuilderPool(mem, nested, 1)
	defer p.Close()
	b, _ := p.Get()
	binds := 0
	bind := func(bs []array.Builder) (any, error) {
		binds++
		return len(bs), nil
	}
	for range 3 {
		v, err := b.Bound("plan", bind)
		if err != nil || v.(int) != nested.NumFields() {
			t.Fatalf("bound %v, %v", v, err)
		}
	}
	if binds != 1 {
		t.Fatalf("bind ran %d times for one key", binds)
	}
	boom := errors.New("boom")
	if _, err := b.Bound("bad", func([]array.Builder) (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failed bind: %v", err)
	}
	b.NewRecordBatch(0).Release()
	p.Put(b)
	// The same set comes back with its binding.
	b, _ = p.Get()
	if _, err := b.Bound("plan", bind); err != nil || binds != 1 {
		t.Fatalf("rebound after reuse: binds %d, %v", binds, err)
	}
	p.Put(b)
}

func TestBuilderPoolClose(t *testing.T) {
	mem := batchtest.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertZero(t)
	p := batch.NewBuilderPool(mem, nested, 1)
	a, _ := p.Get()
	b, _ := p.Get()
	fill(t, a, 10, "EUR")
	a.NewRecordBatch(10).Release()
	p.Put(a)
	p.Close()
	p.Close()
	if _, err := p.Get(); !errors.Is(err, batch.ErrClosed) {
		t.Fatalf("get after close: %v", err)
	}
	p.Put(b) // lent out across Close: released on Put
}
