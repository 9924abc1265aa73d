package msgpack_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/msgpack"
)

func Example() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	rec, _, err := array.RecordFromJSON(memory.NewGoAllocator(), schema, strings.NewReader(`[{"id": "a", "n": 1}, {"id": "b", "n": null}]`))
	if err != nil {
		panic(err)
	}
	defer rec.Release()
	enc, err := encode.New(encode.Config{Compiler: msgpack.NewCompiler(msgpack.Options{OmitNulls: true})})
	if err != nil {
		panic(err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		panic(err)
	}
	for i := range vals.Len() {
		fmt.Printf("%x\n", vals.Value(i))
	}
	// Output:
	// 82a26964a161a16e01
	// 81a26964a162
}
