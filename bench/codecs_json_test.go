package bench_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/bytedance/sonic"

	"github.com/sabot-kafka/sabot/internal/codecbench"
)

// The sonic baselines of the JSON plans, with no broker and no harness:
//
//	go test ./bench -run '^$' -bench 'CodecJSON' -benchmem
//
// decode/json and encode/json benchmark the plans (and encoding/json and
// arrow-go's JSON reader, which cost the library no dependency) on the same
// fixtures, internal/codecbench; the sonic rows live here, in the bench
// module, so the library's go.mod does not require sonic.

// BenchmarkCodecJSONDecode is the per-record path Go users write today with
// sonic: payload → struct → Arrow builders.
func BenchmarkCodecJSONDecode(b *testing.B) {
	payloads, total := codecbench.JSONPayloads(codecbench.Batch)
	b.Run("sonic", codecbench.JSONStructArrow(payloads, total, memory.NewGoAllocator(), sonic.Unmarshal))
}

// BenchmarkCodecJSONEncode is per-row struct marshalling with sonic, the
// bytes per op those of the plan's encoding.
func BenchmarkCodecJSONEncode(b *testing.B) {
	rec := codecbench.JSONTxBatch(memory.NewGoAllocator())
	defer rec.Release()
	_, size := codecbench.JSONAppender(b, rec)
	codecbench.JSONEncodeRow(b, "sonic", size, codecbench.JSONMarshalRow(b, rec, sonic.Marshal))
}
