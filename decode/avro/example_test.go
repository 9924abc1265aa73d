package avro_test

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro"
)

// Values without a wire-format header decode with the inline schema; every
// record field becomes a column.
func ExampleNewCompiler() {
	schema := `{"type":"record","name":"Transaction","fields":[
		{"name":"id","type":"string"},
		{"name":"amount","type":"double"},
		{"name":"status","type":{"type":"enum","name":"Status","symbols":["PENDING","SETTLED"]}}]}`
	d, err := decode.New(decode.Config{Compiler: avro.NewCompiler(avro.Options{Schema: schema})})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Schema())
	res, err := d.Decode(context.Background(), &decode.Input{Values: [][]byte{
		{0x06, 't', 'x', '1', 0, 0, 0, 0, 0, 0, 0x24, 0x40, 0x02}, // "tx1", 10.0, SETTLED
		{0x06, 't', 'x', '2'}, // truncated
	}})
	if err != nil {
		panic(err)
	}
	defer res.Release()
	if err := array.RecordToJSON(res.Batches[0], os.Stdout); err != nil {
		panic(err)
	}
	fmt.Println(res.Errors[0].Err)
	// Output:
	// schema:
	//   fields: 3
	//     - id: type=utf8
	//     - amount: type=float64
	//     - status: type=dictionary<values=utf8, indices=int32, ordered=false>
	// {"amount":10,"id":"tx1","status":"SETTLED"}
	// decode: field amount at byte 4: malformed value: unexpected end of data
}

// A reader schema gives every writer schema's values one layout: fields the
// writer lacks take their defaults, renamed fields match by alias, types
// promote.
func ExampleOptions_readerSchema() {
	writer := `{"type":"record","name":"User","fields":[{"name":"id","type":"int"},{"name":"name","type":"string"}]}`
	reader := `{"type":"record","name":"User","fields":[
		{"name":"id","type":"long"},
		{"name":"full_name","aliases":["name"],"type":"string"},
		{"name":"country","type":"string","default":"NO"}]}`
	d, err := decode.New(decode.Config{Compiler: avro.NewCompiler(avro.Options{Schema: writer, ReaderSchema: reader})})
	if err != nil {
		panic(err)
	}
	res, err := d.Decode(context.Background(), &decode.Input{Values: [][]byte{{0x54, 0x06, 'a', 'n', 'n'}}})
	if err != nil {
		panic(err)
	}
	defer res.Release()
	if err := array.RecordToJSON(res.Batches[0], os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// {"country":"NO","full_name":"ann","id":42}
}
