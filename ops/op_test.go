package ops

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var orderSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "currency", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
}, nil)

const orders = `[
	{"id": "o1", "amount": 150, "currency": "EUR", "qty": 2},
	{"id": "o2", "amount": 50, "currency": "EUR", "qty": 1},
	{"id": "o3", "amount": null, "currency": "EUR", "qty": null},
	{"id": "o4", "amount": 500, "currency": "USD", "qty": 5},
	{"id": "o5", "amount": 700, "currency": null, "qty": 7}
]`

func applyOp(t *testing.T, mem memory.Allocator, op Op, rec arrow.RecordBatch) arrow.RecordBatch {
	t.Helper()
	out, err := op.Apply(mem, rec)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if s, ok := op.(SchemaOp); ok {
		want, err := s.OutputSchema(rec.Schema())
		if err != nil {
			t.Fatalf("OutputSchema: %v", err)
		}
		if !want.Equal(out.Schema()) {
			t.Errorf("OutputSchema %s, Apply made %s", want, out.Schema())
		}
	}
	return out
}

func assertRecord(t *testing.T, mem memory.Allocator, got arrow.RecordBatch, schema *arrow.Schema, want string) {
	t.Helper()
	w := record(t, mem, schema, want)
	defer w.Release()
	if !array.RecordEqual(got, w) {
		b, _ := got.MarshalJSON()
		t.Errorf("got %s", b)
	}
}

func TestOps(t *testing.T) {
	mem := newMem(t)
	rec := record(t, mem, orderSchema, orders)
	defer rec.Release()

	withUSD := arrow.NewSchema(append(orderSchema.Fields(), arrow.Field{Name: "usd", Type: arrow.PrimitiveTypes.Float64, Nullable: true}), nil)
	cases := []struct {
		name   string
		op     Op
		schema *arrow.Schema
		want   string
	}{
		{"where", Where(Col("amount").Gt(Lit(100)).And(Col("currency").Eq(Lit("EUR")))), orderSchema,
			`[{"id": "o1", "amount": 150, "currency": "EUR", "qty": 2}]`},
		{"where null is false", Where(Col("currency").Ne(Lit("USD"))), orderSchema,
			`[{"id": "o1", "amount": 150, "currency": "EUR", "qty": 2},
			  {"id": "o2", "amount": 50, "currency": "EUR", "qty": 1},
			  {"id": "o3", "amount": null, "currency": "EUR", "qty": null}]`},
		{"where func", WhereFunc(func(mem memory.Allocator, rec arrow.RecordBatch) (*array.Boolean, error) {
			b := array.NewBooleanBuilder(mem)
			defer b.Release()
			for i := 0; i < int(rec.NumRows()); i++ {
				b.Append(i%2 == 1)
			}
			return b.NewBooleanArray(), nil
		}), orderSchema,
			`[{"id": "o2", "amount": 50, "currency": "EUR", "qty": 1},
			  {"id": "o4", "amount": 500, "currency": "USD", "qty": 5}]`},
		{"select", Select("qty", "id"), arrow.NewSchema([]arrow.Field{orderSchema.Field(3), orderSchema.Field(0)}, nil),
			`[{"qty": 2, "id": "o1"}, {"qty": 1, "id": "o2"}, {"qty": null, "id": "o3"}, {"qty": 5, "id": "o4"}, {"qty": 7, "id": "o5"}]`},
		{"rename", Rename(map[string]string{"qty": "quantity", "id": "order"}), arrow.NewSchema([]arrow.Field{
			{Name: "order", Type: arrow.BinaryTypes.String}, orderSchema.Field(1), orderSchema.Field(2),
			{Name: "quantity", Type: arrow.PrimitiveTypes.Int32, Nullable: true}}, nil),
			`[{"order": "o1", "amount": 150, "currency": "EUR", "quantity": 2},
			  {"order": "o2", "amount": 50, "currency": "EUR", "quantity": 1},
			  {"order": "o3", "amount": null, "currency": "EUR", "quantity": null},
			  {"order": "o4", "amount": 500, "currency": "USD", "quantity": 5},
			  {"order": "o5", "amount": 700, "currency": null, "quantity": 7}]`},
		{"with new column", WithColumn("usd", Col("amount").Mul(Lit(2))), withUSD,
			`[{"id": "o1", "amount": 150, "currency": "EUR", "qty": 2, "usd": 300},
			  {"id": "o2", "amount": 50, "currency": "EUR", "qty": 1, "usd": 100},
			  {"id": "o3", "amount": null, "currency": "EUR", "qty": null, "usd": null},
			  {"id": "o4", "amount": 500, "currency": "USD", "qty": 5, "usd": 1000},
			  {"id": "o5", "amount": 700, "currency": null, "qty": 7, "usd": 1400}]`},
		{"with replaced column", WithColumn("qty", Col("qty").Cast(arrow.PrimitiveTypes.Int64).Mul(Lit(10))),
			arrow.NewSchema([]arrow.Field{orderSchema.Field(0), orderSchema.Field(1), orderSchema.Field(2),
				{Name: "qty", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil),
			`[{"id": "o1", "amount": 150, "currency": "EUR", "qty": 20},
			  {"id": "o2", "amount": 50, "currency": "EUR", "qty": 10},
			  {"id": "o3", "amount": null, "currency": "EUR", "qty": null},
			  {"id": "o4", "amount": 500, "currency": "USD", "qty": 50},
			  {"id": "o5", "amount": 700, "currency": null, "qty": 70}]`},
		{"constant column", Chain(Select("id"), WithColumn("source", Lit("kafka"))),
			arrow.NewSchema([]arrow.Field{orderSchema.Field(0), {Name: "source", Type: arrow.BinaryTypes.String, Nullable: true}}, nil),
			`[{"id": "o1", "source": "kafka"}, {"id": "o2", "source": "kafka"}, {"id": "o3", "source": "kafka"},
			  {"id": "o4", "source": "kafka"}, {"id": "o5", "source": "kafka"}]`},
		{"project", Project(Col("id"), Col("qty").Add(Lit(1)).As("next"), Col("currency").Eq(Lit("EUR"))),
			arrow.NewSchema([]arrow.Field{orderSchema.Field(0), {Name: "next", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
				{Name: `currency == "EUR"`, Type: arrow.FixedWidthTypes.Boolean, Nullable: true}}, nil),
			`[{"id": "o1", "next": 3, "currency == \"EUR\"": true}, {"id": "o2", "next": 2, "currency == \"EUR\"": true},
			  {"id": "o3", "next": null, "currency == \"EUR\"": true}, {"id": "o4", "next": 6, "currency == \"EUR\"": false},
			  {"id": "o5", "next": 8, "currency == \"EUR\"": null}]`},
		{"chain", Chain(Where(Col("qty").Ge(Lit(5))), Project(Col("id").As("order"), Col("amount").Div(Col("qty")).As("unit"))),
			arrow.NewSchema([]arrow.Field{{Name: "order", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "unit", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil),
			`[{"order": "o4", "unit": 100}, {"order": "o5", "unit": 100}]`},
		{"func", Func(func(_ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
			return rec.NewSlice(3, 5), nil
		}), orderSchema,
			`[{"id": "o4", "amount": 500, "currency": "USD", "qty": 5}, {"id": "o5", "amount": 700, "currency": null, "qty": 7}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// twice: the second run uses the cached binding
			for i := 0; i < 2; i++ {
				out := applyOp(t, mem, c.op, rec)
				assertRecord(t, mem, out, c.schema, c.want)
				out.Release()
			}
		})
	}
}

func TestOpErrors(t *testing.T) {
	mem := newMem(t)
	rec := record(t, mem, orderSchema, orders)
	defer rec.Release()
	boom := errors.New("boom")
	cases := []struct {
		name string
		op   Op
		is   error
		msg  string
	}{
		{"where unknown column", Where(Col("price").Gt(Lit(1))), ErrNoColumn, `ops: price: column "price": not in the schema (columns: id, amount, currency, qty)`},
		{"where not boolean", Where(Col("qty").Add(Lit(1))), ErrType, "ops: qty + 1: is int32, not a boolean predicate"},
		{"select unknown", Select("id", "nope"), ErrNoColumn, ""},
		{"rename unknown", Rename(map[string]string{"nope": "x"}), ErrNoColumn, ""},
		{"rename collision", Rename(map[string]string{"qty": "id"}), ErrType, `ops: Rename: column "id": two columns would have this name`},
		{"project bad", Project(Col("id").Mul(Lit(2))), ErrType, ""},
		{"project duplicate", Project(Col("id"), Col("qty").As("id")), ErrType, `ops: Project: column "id": two output columns would have this name`},
		{"with overflow", WithColumn("big", Col("qty").Mul(Lit(2_000_000_000))), ErrOverflow, "ops: qty * 2000000000: row 0: integer overflow"},
		{"func error", Func(func(memory.Allocator, arrow.RecordBatch) (arrow.RecordBatch, error) { return nil, boom }), boom, "ops: map function: boom"},
		{"func nil", Func(func(memory.Allocator, arrow.RecordBatch) (arrow.RecordBatch, error) { return nil, nil }), nil, "ops: map function returned no batch"},
		{"mask func error", WhereFunc(func(memory.Allocator, arrow.RecordBatch) (*array.Boolean, error) { return nil, boom }), boom, ""},
		{"mask func nil", WhereFunc(func(memory.Allocator, arrow.RecordBatch) (*array.Boolean, error) { return nil, nil }), nil, ""},
		{"chain stops", Chain(Select("id"), Where(Col("qty").Gt(Lit(1)))), ErrNoColumn, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := c.op.Apply(mem, rec)
			if err == nil {
				out.Release()
				t.Fatal("want an error")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("%v does not wrap %v", err, c.is)
			}
			if c.msg != "" && err.Error() != c.msg {
				t.Errorf("message %q, want %q", err.Error(), c.msg)
			}
		})
	}
}

func TestOutputSchema(t *testing.T) {
	ops := []Op{Select("id", "qty"), WithColumn("double", Col("qty").Mul(Lit(2))), Rename(map[string]string{"id": "order"})}
	out, ok, err := OutputSchema(orderSchema, ops...)
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if got := fmt.Sprint(out.Fields()); got != fmt.Sprint([]arrow.Field{
		{Name: "order", Type: arrow.BinaryTypes.String},
		{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "double", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}) {
		t.Errorf("fields %s", got)
	}
	if _, ok, err := OutputSchema(orderSchema, Select("id"), Func(nil)); ok || err != nil {
		t.Errorf("with a Func: ok=%v err=%v, want unknown", ok, err)
	}
	if _, _, err := OutputSchema(orderSchema, Select("id"), Where(Col("qty").Gt(Lit(1)))); !errors.Is(err, ErrNoColumn) {
		t.Errorf("got %v, want ErrNoColumn", err)
	}
	if s, ok := Chain(Select("id")).(SchemaOp); !ok {
		t.Error("a chain of SchemaOps is a SchemaOp")
	} else if out, err := s.OutputSchema(orderSchema); err != nil || out.NumFields() != 1 {
		t.Errorf("chain schema %v %v", out, err)
	}
}

// TestRebindOnSchemaChange: an op meets batches of two schemas in turn and
// binds each.
func TestRebindOnSchemaChange(t *testing.T) {
	mem := newMem(t)
	op := Where(Col("v").Gt(Lit(1)))
	ints := arr(t, mem, arrow.PrimitiveTypes.Int8, `[1, 2, 3]`)
	defer ints.Release()
	floats := arr(t, mem, arrow.PrimitiveTypes.Float64, `[0.5, 1.5]`)
	defer floats.Release()
	strs := arr(t, mem, arrow.BinaryTypes.String, `["a", "b"]`)
	defer strs.Release()
	a := recordOf([]string{"v"}, ints)
	defer a.Release()
	// v moves to the second position and becomes float64
	bb := recordOf([]string{"x", "v"}, strs, floats)
	defer bb.Release()
	for _, c := range []struct {
		rec  arrow.RecordBatch
		rows int64
	}{{a, 2}, {bb, 1}, {a, 2}} {
		out, err := op.Apply(mem, c.rec)
		if err != nil {
			t.Fatal(err)
		}
		if out.NumRows() != c.rows {
			t.Errorf("%s: %d rows, want %d", c.rec.Schema(), out.NumRows(), c.rows)
		}
		out.Release()
	}
}

// TestConcurrentApply runs one op from several goroutines (run with -race).
func TestConcurrentApply(t *testing.T) {
	mem := newMem(t)
	rec := record(t, mem, orderSchema, orders)
	defer rec.Release()
	op := Chain(Where(Col("amount").Gt(Lit(100))), WithColumn("x", Col("qty").Mul(Lit(3))))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				out, err := op.Apply(mem, rec)
				if err != nil {
					errs <- err
					return
				}
				if out.NumRows() != 3 {
					errs <- fmt.Errorf("%d rows", out.NumRows())
				}
				out.Release()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSteadyStateAllocs: the Go heap allocations of filtering and mapping a
// batch do not grow with its row count (the buffers themselves come from
// the allocator; a Go allocator makes one heap object per buffer). They vary
// by a buffer or two with the data: a result with no nulls needs no
// validity bitmap.
func TestSteadyStateAllocs(t *testing.T) {
	mem := memory.NewGoAllocator()
	small, large := benchBatch(mem, 1000), benchBatch(mem, 64000)
	defer small.Release()
	defer large.Release()
	for _, op := range []Op{Where(benchPred), benchMap} {
		allocs := func(rec arrow.RecordBatch) float64 {
			return testing.AllocsPerRun(20, func() {
				out, err := op.Apply(mem, rec)
				if err != nil {
					t.Fatal(err)
				}
				out.Release()
			})
		}
		a, b := allocs(small), allocs(large)
		if a-b > 2 || b-a > 2 || a > 100 {
			t.Errorf("%v: %v allocations per 1000-row batch, %v per 64000-row batch", op, a, b)
		}
	}
}
