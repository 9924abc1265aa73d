package arrowipc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/arrowipc"
)

const benchRows = 10_000

func paymentBatch(mem memory.Allocator) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
		{Name: "currency", Type: arrow.BinaryTypes.String},
		{Name: "ts", Type: arrow.PrimitiveTypes.Int64},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	for i := range benchRows {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("pay_%020d", 7_000_000_000+i*7919))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("user_%07d", i%50_000))
		b.Field(2).(*array.Float64Builder).Append(float64(i%100_000) / 100)
		b.Field(3).(*array.StringBuilder).Append([]string{"EUR", "USD", "GBP"}[i%3])
		b.Field(4).(*array.Int64Builder).Append(1_700_000_000_000 + int64(i))
		b.Field(5).(*array.BooleanBuilder).Append(i%10 != 0)
	}
	return b.NewRecordBatch()
}

// BenchmarkEncode: every row as its own stream through the Encoder, next to
// the whole batch as one stream (AppendBatch).
func BenchmarkEncode(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := paymentBatch(mem)
	defer rec.Release()
	report := func(b *testing.B) func() {
		b.ReportAllocs()
		return func() { b.ReportMetric(float64(b.N)*benchRows/b.Elapsed().Seconds(), "records/s") }
	}
	b.Run("rows", func(b *testing.B) {
		enc, _ := encode.New(encode.Config{Compiler: arrowipc.NewCompiler(arrowipc.Options{})})
		var vals encode.Values
		if err := enc.Encode(context.Background(), rec, &vals); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(vals.Bytes()))
		defer report(b)()
		for b.Loop() {
			if err := enc.Encode(context.Background(), rec, &vals); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("batch", func(b *testing.B) {
		out, _ := arrowipc.AppendBatch(nil, rec, arrowipc.Options{})
		b.SetBytes(int64(len(out)))
		defer report(b)()
		for b.Loop() {
			var err error
			if out, err = arrowipc.AppendBatch(out[:0], rec, arrowipc.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
