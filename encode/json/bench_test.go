package json_test

import (
	stdjson "encoding/json"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/internal/codecbench"
)

// BenchmarkEncode compares the plan with per-row struct marshalling, in one
// run: go test -bench Encode -benchmem ./encode/json/ (sonic, which the
// library does not require, runs on the same batch, internal/codecbench, in
// the bench module: go test -bench CodecJSON ./bench/).
func BenchmarkEncode(b *testing.B) {
	rec := codecbench.JSONTxBatch(memory.NewGoAllocator())
	defer rec.Release()
	app, size := codecbench.JSONAppender(b, rec)
	codecbench.JSONEncodeRow(b, "sabot", size, func(dst []byte, i int) []byte {
		out, err := app.AppendRow(dst, i)
		if err != nil {
			b.Fatal(err)
		}
		return out
	})
	codecbench.JSONEncodeRow(b, "encoding_json", size, codecbench.JSONMarshalRow(b, rec, stdjson.Marshal))
}
