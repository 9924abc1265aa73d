package json_test

import (
	stdjson "encoding/json"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode/json"
)

var txSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

type tx struct {
	ID       string  `json:"id"`
	UserID   string  `json:"user_id"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	TS       int64   `json:"ts"`
	OK       bool    `json:"ok"`
}

const benchBatch = 10_000

func txBatch(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, txSchema)
	defer b.Release()
	cur := []string{"EUR", "USD", "GBP", "CHF"}
	for i := range benchBatch {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("TX-%06d", i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("u-%d", i%977))
		b.Field(2).(*array.Float64Builder).Append(float64(i%500000) / 100)
		b.Field(3).(*array.StringBuilder).Append(cur[i%4])
		b.Field(4).(*array.Int64Builder).Append(1700000000000 + int64(i)*37)
		b.Field(5).(*array.BooleanBuilder).Append(i%7 != 0)
	}
	return b.NewRecordBatch()
}

// rowOf is what a user writes today: read the columns of row i into a struct.
func rowOf(rec arrow.RecordBatch, i int) tx {
	return tx{
		ID: rec.Column(0).(*array.String).Value(i), UserID: rec.Column(1).(*array.String).Value(i),
		Amount: rec.Column(2).(*array.Float64).Value(i), Currency: rec.Column(3).(*array.String).Value(i),
		TS: rec.Column(4).(*array.Int64).Value(i), OK: rec.Column(5).(*array.Boolean).Value(i),
	}
}

// BenchmarkEncode compares the plan with per-row struct marshalling, in one
// run: go test -bench Encode -benchmem ./encode/json/ (sonic, which the
// library does not require, is next to the same rows in the bench module:
// go test -bench CodecJSON ./bench/).
func BenchmarkEncode(b *testing.B) {
	rec := txBatch(memory.NewGoAllocator())
	defer rec.Release()
	plan, err := json.NewPlan(txSchema, json.Options{})
	if err != nil {
		b.Fatal(err)
	}
	app, err := plan.Bind(rec)
	if err != nil {
		b.Fatal(err)
	}
	var arena []byte
	for i := range benchBatch {
		arena, _ = app.AppendRow(arena, i)
	}
	size := len(arena)
	run := func(name string, row func(dst []byte, i int) []byte) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			arena := make([]byte, 0, 2*size)
			for b.Loop() {
				arena = arena[:0]
				for i := range benchBatch {
					arena = row(arena, i)
				}
			}
			b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "records/s")
		})
	}
	run("sabot", func(dst []byte, i int) []byte {
		out, err := app.AppendRow(dst, i)
		if err != nil {
			b.Fatal(err)
		}
		return out
	})
	run("encoding_json", func(dst []byte, i int) []byte {
		v, err := stdjson.Marshal(rowOf(rec, i))
		if err != nil {
			b.Fatal(err)
		}
		return append(dst, v...)
	})
}
