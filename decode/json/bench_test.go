package json_test

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/internal/codecbench"
)

// BenchmarkDecode compares the plan with the per-record paths Go users write
// today, in one run: go test -bench Decode -benchmem ./decode/json/
// (sonic, which the library does not require, runs on the same fixtures,
// internal/codecbench, in the bench module: go test -bench CodecJSON ./bench/).
func BenchmarkDecode(b *testing.B) {
	payloads, total := codecbench.JSONPayloads(codecbench.Batch)
	mem := memory.NewGoAllocator()
	schema := codecbench.JSONDecodeSchema

	b.Run("sabot", func(b *testing.B) {
		plan, err := json.NewPlan(schema, decode.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		t := codecbench.NewJSONTxBuilders(mem)
		defer t.Release()
		app, err := plan.Bind(t.Builders)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		defer codecbench.JSONReport(b, total)()
		for b.Loop() {
			codecbench.AppendBatch(b, app, payloads, t.Builders)
		}
	})
	b.Run("sabot_decoder", func(b *testing.B) {
		// The whole Decoder: builders from its pool, batches finished.
		dec, err := decode.New(decode.Config{Compiler: json.NewCompiler(json.Options{Schema: schema}), Allocator: mem})
		if err != nil {
			b.Fatal(err)
		}
		recs := &decode.Input{Values: payloads}
		b.ReportAllocs()
		defer codecbench.JSONReport(b, total)()
		for b.Loop() {
			res, err := dec.Decode(context.Background(), recs)
			if err != nil || len(res.Errors) != 0 {
				b.Fatal(err, res.Errors)
			}
			res.Release()
		}
	})
	b.Run("encoding_json", codecbench.JSONStructArrow(payloads, total, mem, stdjson.Unmarshal))
	b.Run("arrow_json_reader", func(b *testing.B) {
		ndjson := bytes.Join(payloads, []byte("\n"))
		b.ReportAllocs()
		defer codecbench.JSONReport(b, total)()
		for b.Loop() {
			r := array.NewJSONReader(bytes.NewReader(ndjson), schema, array.WithChunk(codecbench.Batch), array.WithAllocator(mem))
			for r.Next() {
			}
			if err := r.Err(); err != nil {
				b.Fatal(err)
			}
			r.Release()
		}
	})
}
