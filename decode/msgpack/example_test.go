package msgpack_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/msgpack"
)

func Example() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	comp, err := msgpack.NewCompiler(msgpack.Options{Schema: schema})
	if err != nil {
		panic(err)
	}
	dec, err := decode.New(decode.Config{Compiler: comp, Allocator: memory.NewGoAllocator()})
	if err != nil {
		panic(err)
	}
	v1, _ := vmsgpack.Marshal(map[string]any{"id": "a", "amount": 1.5, "extra": true})
	v2, _ := vmsgpack.Marshal(map[string]any{"id": 7})
	v3, _ := vmsgpack.Marshal(map[string]any{"id": "c"})
	res, err := dec.Decode(context.Background(), &decode.Input{Values: [][]byte{v1, v2, v3}})
	if err != nil {
		panic(err)
	}
	defer res.Release()
	for _, b := range res.Batches {
		fmt.Println(b.Column(0), b.Column(1))
	}
	for _, e := range res.Errors {
		fmt.Println(e.Index, e.Err)
	}
	// Output:
	// ["a"] [1.5]
	// ["c"] [(null)]
	// 1 decode: field id at byte 4: value does not fit its column: want str or bin, got int
}

func ExampleInfer() {
	v, _ := vmsgpack.Marshal(map[string]any{"tags": []string{"x"}})
	s, err := msgpack.Infer([][]byte{v}, msgpack.InferOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Field(0))
	// Output:
	// tags: type=list<item: utf8, nullable>, nullable
}
