package avro_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/avro"
)

// Without a writer schema the encoder derives one from the Arrow schema and
// reports it as the schema to register.
func ExampleNewCompiler() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema,
		strings.NewReader(`[{"id":"tx1","amount":10},{"id":"tx2","amount":null}]`))
	if err != nil {
		panic(err)
	}
	defer rec.Release()

	c := avro.NewCompiler(avro.Options{Name: "Transaction", Namespace: "com.acme"})
	_, w, err := c.Compile(schema)
	if err != nil {
		panic(err)
	}
	fmt.Println(w.RecordName)
	fmt.Println(w.Schema.Text)

	enc, err := encode.New(encode.Config{Compiler: c})
	if err != nil {
		panic(err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		panic(err)
	}
	for i := 0; i < vals.Len(); i++ {
		fmt.Printf("% x\n", vals.Value(i))
	}
	// Output:
	// com.acme.Transaction
	// {"type":"record","name":"Transaction","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"amount","type":["null","double"],"default":null}]}
	// 06 74 78 31 02 00 00 00 00 00 00 24 40
	// 06 74 78 32 00
}
