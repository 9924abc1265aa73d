package batch_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/batch"
)

func ExampleSizer() {
	s, err := batch.NewSizer(batch.Limits{Rows: 3, Bytes: 1 << 20})
	if err != nil {
		panic(err)
	}
	for i := range 4 {
		if r := s.Add(1, 100); r != batch.NotFull {
			fmt.Println("full after", i+1, "records by", r)
			s.Reset()
		}
	}
	// Output:
	// full after 3 records by rows
}

func ExampleBuilderPool() {
	mem := batch.NewCheckedAllocator(nil)
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
		rec := b.NewRecordBatch()
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
