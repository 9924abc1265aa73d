package jsonschema_test

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/jsonschema"
)

const txJSONSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Tx",
  "type": "object",
  "properties": {
    "id": {"type": "string", "pattern": "^TX-[0-9]+$"},
    "user_id": {"type": "string", "minLength": 1},
    "amount": {"type": "number", "minimum": 0},
    "currency": {"type": "string", "enum": ["EUR", "USD", "GBP", "CHF"]},
    "ts": {"type": "integer", "minimum": 0},
    "ok": {"type": "boolean"}
  },
  "required": ["id", "user_id", "amount", "currency", "ts"],
  "additionalProperties": false
}`

// BenchmarkValidate measures what validation costs on ~100-byte values:
// decoding into the schema's layout without validating (off), with the
// checks compiled into the plan (auto: this schema is covered), and with the
// full validator (full: parse to a document, validate, decode).
// go test -bench Validate -benchmem ./decode/jsonschema/
func BenchmarkValidate(b *testing.B) {
	const n = 10_000
	payloads := make([][]byte, n)
	total := 0
	cur := []string{"EUR", "USD", "GBP", "CHF"}
	for i := range payloads {
		payloads[i] = fmt.Appendf(nil, `{"id":"TX-%06d","user_id":"u-%d","amount":%d.%02d,"currency":"%s","ts":%d,"ok":%t}`,
			i, i%977, i%5000, i%100, cur[i%4], 1700000000000+int64(i)*37, i%7 != 0)
		total += len(payloads[i])
	}
	for _, m := range []struct {
		name string
		mode jsonschema.Mode
	}{{"off", jsonschema.Off}, {"auto", jsonschema.Auto}, {"full", jsonschema.Full}} {
		b.Run(m.name, func(b *testing.B) {
			plan, err := jsonschema.NewPlan(txJSONSchema, nil, m.mode, decode.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			mem := memory.NewGoAllocator()
			var bs []array.Builder
			for _, f := range plan.Fields() {
				bs = append(bs, array.NewBuilder(mem, f.Type))
			}
			app, err := plan.Bind(bs)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				for _, p := range payloads {
					if err := app.Append(p); err != nil {
						b.Fatal(err)
					}
				}
				for _, bb := range bs {
					bb.NewArray().Release()
				}
			}
			b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "records/s")
		})
	}
}
