package protobuf_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode/protobuf"
)

// Encoding Arrow rows as a message given as .proto text; the Writer says what
// to register and the message-index path to frame values with.
func ExampleNewCompiler() {
	const schema = `syntax = "proto3";
package shop;
message Header { string id = 1; }
message Item { string sku = 1; optional int32 qty = 2; }`
	s := arrow.NewSchema([]arrow.Field{
		{Name: "sku", Type: arrow.BinaryTypes.String},
		{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"b-1", ""}, nil)
	b.Field(1).(*array.Int32Builder).AppendValues([]int32{0, 7}, []bool{false, true})
	rec := b.NewRecordBatch()
	defer rec.Release()

	plan, w, err := protobuf.NewCompiler(protobuf.Options{Proto: schema, Message: "shop.Item"}).Compile(s)
	if err != nil {
		panic(err)
	}
	app, _ := plan.Bind(rec)
	for i := 0; i < int(rec.NumRows()); i++ {
		v, _ := app.AppendRow(nil, i)
		fmt.Printf("% x\n", v)
	}
	fmt.Println(w.RecordName, w.MessageIndexes, w.Schema.Type)
	// Output:
	// 0a 03 62 2d 31
	// 10 07
	// shop.Item [1] PROTOBUF
}
