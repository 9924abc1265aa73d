package avro_test

import (
	"testing"

	twmb "github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/internal/codecbench"
)

// builders and releaseAll are the shared helpers under the names
// concurrent_test.go uses.
var (
	builders   = codecbench.Builders
	releaseAll = codecbench.ReleaseAll
)

// BenchmarkDecodeTransaction decodes batches of 10k ~100-byte records into
// Arrow: the plan, and next to it the per-record path a Go user writes
// today (library → struct → Arrow builders). The hamba/avro rows, which the
// library does not require, run on the same fixtures (internal/codecbench)
// in the bench module: go test -bench CodecAvro ./bench/.
func BenchmarkDecodeTransaction(b *testing.B) {
	schemaText := readSchema(b, "transaction.avsc")
	vals := codecbench.Transactions(b, schemaText, codecbench.Batch)
	size := codecbench.TotalBytes(vals)

	for _, mode := range []struct {
		name  string
		enums avro.EnumMode
		trust bool
	}{{"sabot", avro.EnumDictionary, false}, {"sabot-enum-string", avro.EnumString, false}, {"sabot-trust-utf8", avro.EnumDictionary, true}} {
		b.Run(mode.name, func(b *testing.B) {
			app, bs := codecbench.Bind(b, avro.NewCompiler(avro.Options{Schema: schemaText, Enums: mode.enums, TrustUTF8: mode.trust}))
			defer codecbench.ReleaseAll(bs)
			codecbench.DecodeOps(b, size, func() { codecbench.AppendBatch(b, app, vals, bs) })
		})
	}

	b.Run("twmb-struct-arrow", func(b *testing.B) {
		schema := twmb.MustParse(schemaText)
		codecbench.TxStructArrow(b, vals, func(v []byte, tx *codecbench.Transaction) error {
			_, err := schema.Decode(v, tx)
			return err
		})
	})
}
