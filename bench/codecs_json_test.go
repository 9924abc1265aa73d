package bench_test

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/bytedance/sonic"

	"github.com/sabot-kafka/sabot/decode"
	decjson "github.com/sabot-kafka/sabot/decode/json"
	encjson "github.com/sabot-kafka/sabot/encode/json"
)

// The JSON plans next to the per-record libraries, in one run, with no
// broker and no harness:
//
//	go test ./bench -run '^$' -bench 'CodecJSON' -benchmem
//
// decode/json and encode/json keep their own benchmarks of the plans (and
// of encoding/json and arrow-go's JSON reader, which cost the library no
// dependency); the sonic rows live here, in the bench module, so the
// library's go.mod does not require sonic.

// jsonBatch is the rows per op of the JSON codec benchmarks.
const jsonBatch = 10_000

// The decode benchmark's record: ~100 bytes, the shape of a payment event.
var jsonDecSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

// The encode benchmark's record: the same fields, ts as plain int64.
var jsonEncSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

type jsonTx struct {
	ID       string  `json:"id"`
	UserID   string  `json:"user_id"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	TS       int64   `json:"ts"`
	OK       bool    `json:"ok"`
}

func jsonTxPayloads(n int) ([][]byte, int) {
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

type jsonTxBuilders struct {
	bs                 []array.Builder
	id, user, currency *array.StringBuilder
	amount             *array.Float64Builder
	ts                 *array.TimestampBuilder
	ok                 *array.BooleanBuilder
}

func newJSONTxBuilders(mem memory.Allocator) *jsonTxBuilders {
	t := &jsonTxBuilders{}
	for _, f := range jsonDecSchema.Fields() {
		t.bs = append(t.bs, array.NewBuilder(mem, f.Type))
	}
	t.id, t.user, t.amount = t.bs[0].(*array.StringBuilder), t.bs[1].(*array.StringBuilder), t.bs[2].(*array.Float64Builder)
	t.currency, t.ts, t.ok = t.bs[3].(*array.StringBuilder), t.bs[4].(*array.TimestampBuilder), t.bs[5].(*array.BooleanBuilder)
	return t
}

func (t *jsonTxBuilders) append(v *jsonTx) {
	t.id.Append(v.ID)
	t.user.Append(v.UserID)
	t.amount.Append(v.Amount)
	t.currency.Append(v.Currency)
	t.ts.Append(arrow.Timestamp(v.TS))
	t.ok.Append(v.OK)
}

func (t *jsonTxBuilders) finish() {
	for _, b := range t.bs {
		b.NewArray().Release()
	}
}

func (t *jsonTxBuilders) release() {
	for _, b := range t.bs {
		b.Release()
	}
}

// jsonReport sets the bytes per op and, after the loop, records/s.
func jsonReport(b *testing.B, total int) func() {
	b.SetBytes(int64(total))
	return func() { b.ReportMetric(float64(b.N)*jsonBatch/b.Elapsed().Seconds(), "records/s") }
}

// BenchmarkCodecJSONDecode compares the decode plan with the per-record
// paths Go users write today, in one run.
func BenchmarkCodecJSONDecode(b *testing.B) {
	payloads, total := jsonTxPayloads(jsonBatch)
	mem := memory.NewGoAllocator()

	b.Run("sabot", func(b *testing.B) {
		plan, err := decjson.NewPlan(jsonDecSchema, decode.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		t := newJSONTxBuilders(mem)
		defer t.release()
		app, err := plan.Bind(t.bs)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer jsonReport(b, total)()
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
		dec, err := decode.New(decode.Config{Compiler: decjson.NewCompiler(decjson.Options{Schema: jsonDecSchema}), Allocator: mem})
		if err != nil {
			b.Fatal(err)
		}
		recs := &decode.Input{Values: payloads}
		b.ReportAllocs()
		defer jsonReport(b, total)()
		for b.Loop() {
			res, err := dec.Decode(context.Background(), recs)
			if err != nil || len(res.Errors) != 0 {
				b.Fatal(err, res.Errors)
			}
			res.Release()
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		t := newJSONTxBuilders(mem)
		defer t.release()
		b.ReportAllocs()
		defer jsonReport(b, total)()
		for b.Loop() {
			for _, p := range payloads {
				var v jsonTx
				if err := stdjson.Unmarshal(p, &v); err != nil {
					b.Fatal(err)
				}
				t.append(&v)
			}
			t.finish()
		}
	})
	b.Run("sonic", func(b *testing.B) {
		t := newJSONTxBuilders(mem)
		defer t.release()
		b.ReportAllocs()
		defer jsonReport(b, total)()
		for b.Loop() {
			for _, p := range payloads {
				var v jsonTx
				if err := sonic.Unmarshal(p, &v); err != nil {
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
		defer jsonReport(b, total)()
		for b.Loop() {
			r := array.NewJSONReader(bytes.NewReader(ndjson), jsonDecSchema, array.WithChunk(jsonBatch), array.WithAllocator(mem))
			for r.Next() {
			}
			if err := r.Err(); err != nil {
				b.Fatal(err)
			}
			r.Release()
		}
	})
}

func jsonTxBatch(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, jsonEncSchema)
	defer b.Release()
	cur := []string{"EUR", "USD", "GBP", "CHF"}
	for i := range jsonBatch {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("TX-%06d", i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("u-%d", i%977))
		b.Field(2).(*array.Float64Builder).Append(float64(i%500000) / 100)
		b.Field(3).(*array.StringBuilder).Append(cur[i%4])
		b.Field(4).(*array.Int64Builder).Append(1700000000000 + int64(i)*37)
		b.Field(5).(*array.BooleanBuilder).Append(i%7 != 0)
	}
	return b.NewRecordBatch()
}

// jsonRowOf is what a user writes today: read the columns of row i into a
// struct.
func jsonRowOf(rec arrow.RecordBatch, i int) jsonTx {
	return jsonTx{
		ID: rec.Column(0).(*array.String).Value(i), UserID: rec.Column(1).(*array.String).Value(i),
		Amount: rec.Column(2).(*array.Float64).Value(i), Currency: rec.Column(3).(*array.String).Value(i),
		TS: rec.Column(4).(*array.Int64).Value(i), OK: rec.Column(5).(*array.Boolean).Value(i),
	}
}

// BenchmarkCodecJSONEncode compares the encode plan with per-row struct
// marshalling, in one run.
func BenchmarkCodecJSONEncode(b *testing.B) {
	rec := jsonTxBatch(memory.NewGoAllocator())
	defer rec.Release()
	plan, err := encjson.NewPlan(jsonEncSchema, encjson.Options{})
	if err != nil {
		b.Fatal(err)
	}
	app, err := plan.Bind(rec)
	if err != nil {
		b.Fatal(err)
	}
	var arena []byte
	for i := range jsonBatch {
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
				for i := range jsonBatch {
					arena = row(arena, i)
				}
			}
			b.ReportMetric(float64(b.N)*jsonBatch/b.Elapsed().Seconds(), "records/s")
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
		v, err := stdjson.Marshal(jsonRowOf(rec, i))
		if err != nil {
			b.Fatal(err)
		}
		return append(dst, v...)
	})
	run("sonic", func(dst []byte, i int) []byte {
		v, err := sonic.Marshal(jsonRowOf(rec, i))
		if err != nil {
			b.Fatal(err)
		}
		return append(dst, v...)
	})
}
