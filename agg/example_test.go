package agg_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/agg"
)

func Example() {
	mem := memory.DefaultAllocator
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"ann", "bob", "ann", "ann"}, nil)
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{5, 7, 0, 3}, []bool{true, true, false, true})
	rec := b.NewRecordBatch()
	defer rec.Release()

	g, err := agg.GroupBy("user_id").Aggregate(agg.Count(), agg.Sum("amount"), agg.Mean("amount").As("avg"))
	if err != nil {
		panic(err)
	}
	if err := g.Add(rec); err != nil {
		panic(err)
	}
	out, err := g.Result(mem)
	if err != nil {
		panic(err)
	}
	defer out.Release()
	for i := range int(out.NumRows()) {
		fmt.Println(out.Column(0).ValueStr(i), out.Column(1).ValueStr(i), out.Column(2).ValueStr(i), out.Column(3).ValueStr(i))
	}
	// Output:
	// ann 3 8 4
	// bob 1 7 7
}
