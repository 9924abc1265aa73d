package json_test

import (
	stdjson "encoding/json"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode/json"
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

// BenchmarkAppendFloat writes a mix of float64 values (fractions, whole
// numbers, exponent forms, zeros), the same as float32, and halves.
func BenchmarkAppendFloat(b *testing.B) {
	vals := make([]float64, 1024)
	for i := range vals {
		switch i % 8 {
		case 0:
			vals[i] = float64(i)
		case 1:
			vals[i] = -float64(i) * 1e22
		case 2:
			vals[i] = float64(i) * 1e-9
		case 3:
			vals[i] = 0
		default:
			vals[i] = float64(i) / 7
		}
	}
	halves := make([]float64, len(vals))
	for i := range halves {
		halves[i] = halfOf(uint16(i*61) % 0x7c00) // finite halves of every size
	}
	for _, bits := range []int{64, 32, 16} {
		b.Run(map[int]string{64: "float64", 32: "float32", 16: "float16"}[bits], func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]byte, 0, 64*len(vals))
			for b.Loop() {
				dst = dst[:0]
				for i, v := range vals {
					switch bits {
					case 32:
						v = float64(float32(v))
					case 16:
						v = halves[i]
					}
					dst, _ = json.AppendFloat(dst, v, bits)
				}
			}
			b.SetBytes(int64(len(dst)))
		})
	}
}
