package ops_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/ops"
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "qty", Type: arrow.PrimitiveTypes.Int32},
}, nil)

func batch(mem memory.Allocator) arrow.RecordBatch {
	rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(`[
		{"id": "o1", "amount": 150.0, "currency": "EUR", "qty": 3},
		{"id": "o2", "amount": 80.0,  "currency": "EUR", "qty": 1},
		{"id": "o3", "amount": null,  "currency": "EUR", "qty": 2},
		{"id": "o4", "amount": 300.0, "currency": "USD", "qty": 5}
	]`))
	if err != nil {
		panic(err)
	}
	return rec
}

func show(rec arrow.RecordBatch) {
	for i, col := range rec.Columns() {
		fmt.Printf("%s: %v\n", rec.ColumnName(i), col)
	}
}

// A predicate is built without loops, bound once to the batch schema, and
// applied to each batch.
func ExampleWhere() {
	mem := memory.NewGoAllocator()
	rec := batch(mem)
	defer rec.Release()

	where := ops.Where(ops.Col("amount").Gt(ops.Lit(100.0)).And(ops.Col("currency").Eq(ops.Lit("EUR"))))
	out, err := where.Apply(mem, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	show(out)
	// Output:
	// id: ["o1"]
	// amount: [150]
	// currency: ["EUR"]
	// qty: [3]
}

// Map: keep some columns and compute one.
func ExampleProject() {
	mem := memory.NewGoAllocator()
	rec := batch(mem)
	defer rec.Release()

	m := ops.Project(
		ops.Col("id"),
		ops.Col("amount").Mul(ops.Col("qty")).As("total"), // qty widens to float64
		ops.Col("currency").In("EUR", "GBP").As("eu"),
	)
	out, err := m.Apply(mem, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	show(out)
	fmt.Println(out.Schema().Field(1).Type)
	// Output:
	// id: ["o1" "o2" "o3" "o4"]
	// total: [450 80 (null) 1500]
	// eu: [true true true false]
	// float64
}

// Ops chain into one stage; WithColumn adds or replaces a column (a Lit is
// a constant column) and Rename renames.
func ExampleChain() {
	mem := memory.NewGoAllocator()
	rec := batch(mem)
	defer rec.Release()

	stage := ops.Chain(
		ops.Where(ops.Col("qty").Ge(ops.Lit(2))),
		ops.Select("id", "qty"),
		ops.WithColumn("qty", ops.Col("qty").Cast(arrow.BinaryTypes.String)),
		ops.WithColumn("source", ops.Lit("kafka")),
		ops.Rename(map[string]string{"id": "order"}),
	)
	out, err := stage.Apply(mem, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	show(out)
	// Output:
	// order: ["o1" "o3" "o4"]
	// qty: ["3" "2" "5"]
	// source: ["kafka" "kafka" "kafka"]
}

// Binding checks the expression against a schema before any data flows;
// errors name the column.
func ExampleExpr_Bind() {
	_, err := ops.Col("amont").Gt(ops.Lit(100)).Bind(schema)
	fmt.Println(err)
	fmt.Println(errors.Is(err, ops.ErrNoColumn))

	_, err = ops.Col("currency").Gt(ops.Lit(100)).Bind(schema)
	fmt.Println(err)

	b, err := ops.Col("amount").Gt(ops.Lit(100)).Bind(schema)
	fmt.Println(b, b.Type(), err)
	// Output:
	// ops: amont: column "amont": not in the schema (columns: id, amount, currency, qty)
	// true
	// ops: currency > 100: column "currency": cannot compare utf8 with 100: cannot use int literal 100 as utf8
	// amount > 100 bool <nil>
}

// A mask is a Boolean array; null rows (here: the null amount) are neither
// kept nor counted as false by Filter, they are dropped as SQL does.
func ExampleFilter() {
	mem := memory.NewGoAllocator()
	rec := batch(mem)
	defer rec.Release()

	b, err := ops.Col("amount").Lt(ops.Lit(200)).Bind(rec.Schema())
	if err != nil {
		fmt.Println(err)
		return
	}
	mask, err := b.Mask(mem, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer mask.Release()
	fmt.Println(mask)

	out, err := ops.Filter(mem, rec, mask)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(out.Column(0))
	// Output:
	// [true true (null) false]
	// ["o1" "o2"]
}

// Integer arithmetic is checked: an overflow stops the batch with the row.
func ExampleRowError() {
	mem := memory.NewGoAllocator()
	rec := batch(mem)
	defer rec.Release()

	_, err := ops.WithColumn("big", ops.Col("qty").Mul(ops.Lit(1_000_000_000))).Apply(mem, rec)
	var re *ops.RowError
	fmt.Println(err)
	fmt.Println(errors.As(err, &re), re.Row, errors.Is(err, ops.ErrOverflow))
	// Output:
	// ops: qty * 1000000000: row 0: integer overflow
	// true 0 true
}

// A user function is an Op too.
func ExampleFunc() {
	mem := memory.NewGoAllocator()
	rec := batch(mem)
	defer rec.Release()

	firstTwo := ops.Func(func(_ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		return rec.NewSlice(0, 2), nil
	})
	out, err := firstTwo.Apply(mem, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Release()
	fmt.Println(out.NumRows(), out.Column(0))
	// Output:
	// 2 ["o1" "o2"]
}
