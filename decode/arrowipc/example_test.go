package arrowipc_test

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
	encipc "github.com/sabot-kafka/sabot/encode/arrowipc"
)

func Example() {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec, _, _ := array.RecordFromJSON(mem, schema, strings.NewReader(`[{"n": 1}, {"n": 2}]`))
	defer rec.Release()
	value, err := encipc.AppendBatch(nil, rec, encipc.Options{})
	if err != nil {
		panic(err)
	}

	s, err := arrowipc.SchemaOf(value, decode.Limits{})
	if err != nil {
		panic(err)
	}
	plan, err := arrowipc.NewPlan(arrowipc.Options{Schema: s})
	if err != nil {
		panic(err)
	}
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	app, err := plan.BindRows(b.Fields())
	if err != nil {
		panic(err)
	}
	n, err := app.AppendRows(value)
	fmt.Println(n, err)
	fmt.Println(app.Append(value)) // Append wants exactly one row
	// Output:
	// 2 <nil>
	// decode: at byte 0: malformed value: 2 rows in 1 batches, want exactly one row
}
