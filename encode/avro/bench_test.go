package avro_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode/avro"
	"github.com/sabot-kafka/sabot/internal/codecbench"
)

// BenchmarkEncodeTransaction encodes batches of 10k rows into one arena with
// the plan. What a Go user writes today (Arrow columns → struct → hamba/avro
// Marshal per row) runs on the same batch (internal/codecbench) in the bench
// module, which keeps hamba/avro out of the library's requirements:
// go test -bench CodecAvro ./bench/.
func BenchmarkEncodeTransaction(b *testing.B) {
	schemaText := read(b, "transaction.avsc")
	rec := codecbench.TransactionBatch(b, memory.DefaultAllocator, schemaText)
	defer rec.Release()

	b.Run("sabot", func(b *testing.B) {
		p, _, err := avro.NewCompiler(avro.Options{Schema: schemaText}).Compile(rec.Schema())
		if err != nil {
			b.Fatal(err)
		}
		codecbench.EncodeOps(b, func(arena []byte) []byte { return codecbench.EncodeBatch(b, p, rec, arena) })
	})
}
