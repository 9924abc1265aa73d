package arrowipc_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
	"github.com/sabot-kafka/sabot/encode"
	encipc "github.com/sabot-kafka/sabot/encode/arrowipc"
)

const benchRows = 10_000

var paymentSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

func paymentBatch(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, paymentSchema)
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

func rowsPerSec(b *testing.B, rows int) func() {
	b.ReportAllocs()
	return func() { b.ReportMetric(float64(b.N)*float64(rows)/b.Elapsed().Seconds(), "records/s") }
}

// BenchmarkDecode: values of one row each (what the per-row encoder writes)
// through Append, and one value of 10k rows through AppendRows, each next to
// arrow-go's plain ipc.Reader on the same bytes (no checks, no copy into
// builders: the floor).
func BenchmarkDecode(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := paymentBatch(mem)
	defer rec.Release()
	enc, _ := encode.New(encode.Config{Compiler: encipc.NewCompiler(encipc.Options{})})
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		b.Fatal(err)
	}
	whole, err := encipc.AppendBatch(nil, rec, encipc.Options{})
	if err != nil {
		b.Fatal(err)
	}
	plan, err := arrowipc.NewPlan(arrowipc.Options{Schema: paymentSchema, Limits: decode.Limits{MaxItems: benchRows}})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("row values: %.0f bytes each; batch value: %d bytes", float64(vals.Bytes())/benchRows, len(whole))

	b.Run("rows/sabot", func(b *testing.B) {
		bld := array.NewRecordBuilder(mem, paymentSchema)
		defer bld.Release()
		app, _ := plan.BindRows(bld.Fields())
		b.SetBytes(int64(vals.Bytes()))
		defer rowsPerSec(b, benchRows)()
		for b.Loop() {
			for i := range vals.Len() {
				if err := app.Append(vals.Value(i)); err != nil {
					b.Fatal(err)
				}
			}
			bld.NewRecordBatch().Release()
		}
	})
	b.Run("rows/arrow-ipc-reader", func(b *testing.B) {
		b.SetBytes(int64(vals.Bytes()))
		defer rowsPerSec(b, benchRows)()
		for b.Loop() {
			for i := range vals.Len() {
				r, err := ipc.NewReader(bytes.NewReader(vals.Value(i)), ipc.WithAllocator(mem))
				if err != nil {
					b.Fatal(err)
				}
				for r.Next() {
				}
				r.Release()
			}
		}
	})
	b.Run("batch/sabot", func(b *testing.B) {
		bld := array.NewRecordBuilder(mem, paymentSchema)
		defer bld.Release()
		app, _ := plan.BindRows(bld.Fields())
		b.SetBytes(int64(len(whole)))
		defer rowsPerSec(b, benchRows)()
		for b.Loop() {
			if _, err := app.AppendRows(whole); err != nil {
				b.Fatal(err)
			}
			bld.NewRecordBatch().Release()
		}
	})
	b.Run("batch/arrow-ipc-reader", func(b *testing.B) {
		b.SetBytes(int64(len(whole)))
		defer rowsPerSec(b, benchRows)()
		for b.Loop() {
			r, err := ipc.NewReader(bytes.NewReader(whole), ipc.WithAllocator(mem))
			if err != nil {
				b.Fatal(err)
			}
			for r.Next() {
			}
			r.Release()
		}
	})
}
