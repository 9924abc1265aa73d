package batch_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/batch"
	"github.com/sabot-kafka/sabot/batch/batchtest"
)

func ExampleBuilderPool() {
	mem := batchtest.NewCheckedAllocator(nil)
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	pool := batch.NewBuilderPool(mem, schema, 2)
	for range 2 {
		b, err := pool.Get()
		if err != nil {
			panic(err)
		}
		fmt.Println("reserved rows:", b.Fields()[0].Cap())
		for i := range 1000 {
			b.Fields()[0].(*array.Int64Builder).Append(int64(i))
		}
		rec := b.NewRecordBatch(1000)
		rec.Release()
		pool.Put(b)
	}
	pool.Close()
	fmt.Println(mem.Check())
	// Output:
	// reserved rows: 0
	// reserved rows: 1024
	// <nil>
}

func ExampleSchemaCache() {
	cache := batch.NewSchemaCache[string](16, nil)
	newSchema := func() *arrow.Schema {
		return arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	}
	compile := func(s *arrow.Schema) (string, error) { return "plan for " + s.Field(0).Name, nil }
	for range 3 {
		plan, _, _ := cache.Get(newSchema(), compile) // a new pointer each time
		fmt.Println(plan)
	}
	fmt.Println("compiled", cache.Builds(), "time(s)")
	// Output:
	// plan for n
	// plan for n
	// plan for n
	// compiled 1 time(s)
}
