package json_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/json"
)

func ExampleNewPlan() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	}, nil)
	plan, err := json.NewPlan(schema, decode.Limits{})
	if err != nil {
		panic(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	app, err := plan.Bind(b.Fields())
	if err != nil {
		panic(err)
	}
	for _, v := range []string{
		`{"user_id":"u-1","amount":"12.50","ts":"2024-01-02T03:04:05Z"}`,
		`{"user_id":"u-2","amount":7,"ts":1700000000000,"ignored":[1,2]}`,
		`{"amount":1}`,
	} {
		if err := app.Append([]byte(v)); err != nil {
			fmt.Println("error:", err)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	fmt.Println(rec.Column(0), rec.Column(1), rec.Column(2))
	// Output:
	// error: decode: field user_id at byte 12: null in a non-nullable column: key is missing
	// ["u-1" "u-2" (null)] [12.5 7 1] [1704164645000 1700000000000 (null)]
}

func ExampleInfer() {
	schema, err := json.Infer([][]byte{
		[]byte(`{"id":1,"price":2,"tags":["a"],"meta":{"k":true},"misc":1}`),
		[]byte(`{"id":2,"price":2.5,"misc":"x","extra":null}`),
	}, decode.Limits{})
	if err != nil {
		panic(err)
	}
	for _, f := range schema.Fields() {
		fmt.Println(f.Name, f.Type, json.IsRaw(f))
	}
	// Output:
	// id int64 false
	// price float64 false
	// tags list<item: utf8, nullable> false
	// meta struct<k: bool nullable> false
	// misc utf8 true
	// extra utf8 true
}
