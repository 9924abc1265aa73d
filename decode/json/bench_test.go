package json_test

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/json"
)

// The benchmark record: ~100 bytes, the shape of a payment event.
var txSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
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

func txPayloads(n int) ([][]byte, int) {
	out := make([][]byte, n)
	total := 0
	cur := []string{"EUR", "USD", "GBP", "CHF"}
	for i := range out {
		out[i] = fmt.Appendf(nil, `{"id":"TX-%06d","user_id":"u-%d","amount":%d.%02d,"currency":"%s","ts":%d,"ok":%t}`,
			i, i%977, i%5000, i%100, cur[i%4], 1700000000000+int64(i)*37, i%7 != 0)
		total += len(out[i])
	}
	return out, total
}

type txBuilders struct {
	bs                 []array.Builder
	id, user, currency *array.StringBuilder
	amount             *array.Float64Builder
	ts                 *array.TimestampBuilder
	ok                 *array.BooleanBuilder
}

func newTxBuilders(mem memory.Allocator) *txBuilders {
	t := &txBuilders{}
	for _, f := range txSchema.Fields() {
		t.bs = append(t.bs, array.NewBuilder(mem, f.Type))
	}
	t.id, t.user, t.amount = t.bs[0].(*array.StringBuilder), t.bs[1].(*array.StringBuilder), t.bs[2].(*array.Float64Builder)
	t.currency, t.ts, t.ok = t.bs[3].(*array.StringBuilder), t.bs[4].(*array.TimestampBuilder), t.bs[5].(*array.BooleanBuilder)
	return t
}

func (t *txBuilders) append(v *tx) {
	t.id.Append(v.ID)
	t.user.Append(v.UserID)
	t.amount.Append(v.Amount)
	t.currency.Append(v.Currency)
	t.ts.Append(arrow.Timestamp(v.TS))
	t.ok.Append(v.OK)
}

func (t *txBuilders) finish() {
	for _, b := range t.bs {
		b.NewArray().Release()
	}
}

func (t *txBuilders) release() {
	for _, b := range t.bs {
		b.Release()
	}
}

// report sets the bytes per op and, after the loop, records/s.
func report(b *testing.B, total int) func() {
	b.SetBytes(int64(total))
	return func() { b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "records/s") }
}

// BenchmarkDecode compares the plan with the per-record paths Go users write
// today, in one run: go test -bench Decode -benchmem ./decode/json/
// (sonic, which the library does not require, is next to the same rows in
// the bench module: go test -bench CodecJSON ./bench/).
func BenchmarkDecode(b *testing.B) {
	payloads, total := txPayloads(benchBatch)
	mem := memory.NewGoAllocator()

	b.Run("sabot", func(b *testing.B) {
		plan, err := json.NewPlan(txSchema, decode.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		t := newTxBuilders(mem)
		defer t.release()
		app, err := plan.Bind(t.bs)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer report(b, total)()
		for b.Loop() {
			for _, p := range payloads {
				if err := app.Append(p); err != nil {
					b.Fatal(err)
				}
			}
			t.finish()
		}
	})
	b.Run("sabot_decoder", func(b *testing.B) {
		// The whole Decoder: builders from its pool, batches finished.
		dec, err := decode.New(decode.Config{Compiler: json.NewCompiler(json.Options{Schema: txSchema}), Allocator: mem})
		if err != nil {
			b.Fatal(err)
		}
		recs := &decode.Input{Values: payloads}
		b.ReportAllocs()
		defer report(b, total)()
		for b.Loop() {
			res, err := dec.Decode(context.Background(), recs)
			if err != nil || len(res.Errors) != 0 {
				b.Fatal(err, res.Errors)
			}
			res.Release()
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		t := newTxBuilders(mem)
		defer t.release()
		b.ReportAllocs()
		defer report(b, total)()
		for b.Loop() {
			for _, p := range payloads {
				var v tx
				if err := stdjson.Unmarshal(p, &v); err != nil {
					b.Fatal(err)
				}
				t.append(&v)
			}
			t.finish()
		}
	})
	b.Run("arrow_json_reader", func(b *testing.B) {
		ndjson := bytes.Join(payloads, []byte("\n"))
		b.ReportAllocs()
		defer report(b, total)()
		for b.Loop() {
			r := array.NewJSONReader(bytes.NewReader(ndjson), txSchema, array.WithChunk(benchBatch), array.WithAllocator(mem))
			for r.Next() {
			}
			if err := r.Err(); err != nil {
				b.Fatal(err)
			}
			r.Release()
		}
	})
}
