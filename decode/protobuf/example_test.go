package protobuf_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/proto"

	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
)

// Decoding payloads of a message given as .proto text into Arrow columns.
func ExampleNewCompiler() {
	const schema = `syntax = "proto3";
package shop;
enum Kind { KIND_UNSPECIFIED = 0; BOOK = 1; }
message Item { string sku = 1; optional int32 qty = 2; Kind kind = 3; repeated string tags = 4; }`
	plan, err := protobuf.NewCompiler(protobuf.Options{Proto: schema, Message: "shop.Item"}).Compile(nil, nil)
	if err != nil {
		panic(err)
	}
	fields := plan.Fields()
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(memory.DefaultAllocator, f.Type)
		defer bs[i].Release()
	}
	app, _ := plan.Bind(bs)
	// sku="b-1", kind=BOOK, tags=["new"]; qty absent.
	_ = app.Append([]byte{0x0a, 0x03, 'b', '-', '1', 0x18, 0x01, 0x22, 0x03, 'n', 'e', 'w'})
	for i, f := range fields {
		col := bs[i].NewArray()
		fmt.Printf("%s %s: %s\n", f.Name, f.Type, col.ValueStr(0))
		col.Release()
	}
	// Output:
	// sku utf8: b-1
	// qty int32: (null)
	// kind dictionary<values=utf8, indices=int32, ordered=false>: BOOK
	// tags list<item: utf8>: ["new"]
}

// The schema a generated Go type decodes to.
func ExampleSchema() {
	s, _ := protobuf.Schema((&testpb.Order{}).ProtoReflect().Descriptor(), protobuf.Options{})
	for _, f := range s.Fields() {
		fmt.Println(f.Name, f.Type)
	}
	b, _ := proto.Marshal(&testpb.LineItem{Sku: "x"})
	fmt.Println(len(b))
	// Output:
	// id utf8
	// customer struct<id: utf8, name: utf8, address: struct<street: utf8, city: utf8, zip: int32> nullable>
	// items list<item: struct<sku: utf8, quantity: int32, price: float64>>
	// tags list<item: utf8>
	// created_ms int64
	// 3
}
