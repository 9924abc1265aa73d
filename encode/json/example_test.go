package json_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode/json"
)

func ExampleNewPlan() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"TX-1", "say \"hi\"\n"}, nil)
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{99.99, 0}, []bool{true, false})
	b.Field(2).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1700000000123, 0}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()

	plan, err := json.NewPlan(schema, json.Options{OmitNulls: true})
	if err != nil {
		panic(err)
	}
	app, err := plan.Bind(rec)
	if err != nil {
		panic(err)
	}
	var arena []byte
	for i := 0; i < int(rec.NumRows()); i++ {
		start := len(arena)
		arena, _ = app.AppendRow(arena, i)
		fmt.Println(string(arena[start:]))
	}
	// Output:
	// {"id":"TX-1","amount":99.99,"ts":"2023-11-14T22:13:20.123Z"}
	// {"id":"say \"hi\"\n","ts":"1970-01-01T00:00:00.000Z"}
}
