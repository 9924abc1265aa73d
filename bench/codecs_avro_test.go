package bench_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	hamba "github.com/hamba/avro/v2"

	decavro "github.com/sabot-kafka/sabot/decode/avro"
	encavro "github.com/sabot-kafka/sabot/encode/avro"
	"github.com/sabot-kafka/sabot/internal/codecbench"
)

// The hamba/avro baselines of the Avro plans, with no broker and no harness:
//
//	go test ./bench -run '^$' -bench 'CodecAvro' -benchmem
//
// decode/avro and encode/avro benchmark the plans (and github.com/twmb/avro,
// which the library requires anyway) on the same fixtures,
// internal/codecbench; the hamba/avro rows live here, in the bench module, so
// the library's go.mod does not require hamba/avro. The interleaved
// benchmarks run a batch of the plan and one of hamba/avro per op.

func readAvroSchema(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "avro", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// hambaDecode is hamba/avro's Unmarshal with schema, as the per-record
// baseline's library.
func hambaDecode(schema hamba.Schema) func([]byte, *codecbench.Transaction) error {
	return func(v []byte, tx *codecbench.Transaction) error { return hamba.Unmarshal(schema, v, tx) }
}

// BenchmarkCodecAvroDecode decodes batches of 10k ~100-byte records with
// hamba/avro: into the struct and on into Arrow builders, the per-record
// path a Go user writes today, and into the struct alone.
func BenchmarkCodecAvroDecode(b *testing.B) {
	schemaText := readAvroSchema(b, "transaction.avsc")
	vals := codecbench.Transactions(b, schemaText, codecbench.Batch)

	b.Run("hamba-struct-arrow", func(b *testing.B) {
		codecbench.TxStructArrow(b, vals, hambaDecode(hamba.MustParse(schemaText)))
	})

	b.Run("hamba-struct", func(b *testing.B) {
		schema := hamba.MustParse(schemaText)
		var tx codecbench.Transaction
		codecbench.DecodeOps(b, codecbench.TotalBytes(vals), func() {
			for _, v := range vals {
				if err := hamba.Unmarshal(schema, v, &tx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkCodecAvroDecodeInterleaved alternates one batch of the plan and
// one of the hamba/avro struct baseline per iteration and reports both rates
// and their ratio: on a shared machine the two then see the same load.
func BenchmarkCodecAvroDecodeInterleaved(b *testing.B) {
	for _, trust := range []bool{false, true} {
		name := "utf8-checked"
		if trust {
			name = "trust-utf8" // hamba/avro does not check UTF-8 either
		}
		b.Run(name, func(b *testing.B) { avroDecodeInterleaved(b, trust) })
	}
}

func avroDecodeInterleaved(b *testing.B, trust bool) {
	schemaText := readAvroSchema(b, "transaction.avsc")
	vals := codecbench.Transactions(b, schemaText, codecbench.Batch)
	app, bs := codecbench.Bind(b, decavro.NewCompiler(decavro.Options{Schema: schemaText, TrustUTF8: trust}))
	defer codecbench.ReleaseAll(bs)
	decode := hambaDecode(hamba.MustParse(schemaText))
	tb := codecbench.NewTxBuilders(memory.DefaultAllocator)
	defer tb.Release()
	var tx codecbench.Transaction
	var ours, base time.Duration
	b.SetBytes(codecbench.TotalBytes(vals) * 2)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		codecbench.AppendBatch(b, app, vals, bs)
		mid := time.Now()
		tb.DecodeBatch(b, vals, &tx, decode)
		ours += mid.Sub(start)
		base += time.Since(mid)
	}
	reportInterleaved(b, ours, base)
}

// reportInterleaved reports the rates of the plan's and the baseline's
// batches of an interleaved benchmark, and their ratio.
func reportInterleaved(b *testing.B, ours, base time.Duration) {
	n := float64(b.N) * codecbench.Batch
	b.ReportMetric(n/ours.Seconds(), "sabot-records/s")
	b.ReportMetric(n/base.Seconds(), "hamba-records/s")
	b.ReportMetric(base.Seconds()/ours.Seconds(), "ratio")
}

// hambaEncodeBatch is one op of the encode baseline, what a Go user writes
// today: each row of rec read from the Arrow columns into the struct,
// marshalled with hamba/avro and appended to arena[:0], which it returns.
func hambaEncodeBatch(tb testing.TB, schema hamba.Schema, rec arrow.RecordBatch, arena []byte) []byte {
	id := rec.Column(0).(*array.String)
	amount := rec.Column(1).(*array.Float64)
	ts := rec.Column(2).(*array.Int64)
	cur := rec.Column(3).(*array.String)
	merch := rec.Column(4).(*array.String)
	acct := rec.Column(5).(*array.Int64)
	status := rec.Column(6).(*array.Dictionary)
	statusDict := status.Dictionary().(*array.String)
	card := rec.Column(7).(*array.Boolean)
	note := rec.Column(8).(*array.String)
	arena = arena[:0]
	for r := range int(rec.NumRows()) {
		tx := codecbench.Transaction{ID: id.Value(r), Amount: amount.Value(r), Timestamp: ts.Value(r), Currency: cur.Value(r),
			Merchant: merch.Value(r), Account: acct.Value(r), Status: statusDict.Value(status.GetValueIndex(r)),
			CardPresent: card.Value(r)}
		if note.IsValid(r) {
			n := note.Value(r)
			tx.Note = &n
		}
		v, err := hamba.Marshal(schema, tx)
		if err != nil {
			tb.Fatal(err)
		}
		arena = append(arena, v...)
	}
	return arena
}

// BenchmarkCodecAvroEncode encodes batches of 10k rows into one arena the
// way a Go user writes today: Arrow columns → struct → hamba/avro Marshal
// per row.
func BenchmarkCodecAvroEncode(b *testing.B) {
	schemaText := readAvroSchema(b, "transaction.avsc")
	rec := codecbench.TransactionBatch(b, memory.DefaultAllocator, schemaText)
	defer rec.Release()

	b.Run("hamba-arrow-struct", func(b *testing.B) {
		schema := hamba.MustParse(schemaText)
		codecbench.EncodeOps(b, func(arena []byte) []byte { return hambaEncodeBatch(b, schema, rec, arena) })
	})
}

// BenchmarkCodecAvroEncodeInterleaved alternates one batch of the plan and
// one of the hamba/avro baseline per iteration and reports both rates and
// their ratio: on a shared machine the two then see the same load.
func BenchmarkCodecAvroEncodeInterleaved(b *testing.B) {
	schemaText := readAvroSchema(b, "transaction.avsc")
	rec := codecbench.TransactionBatch(b, memory.DefaultAllocator, schemaText)
	defer rec.Release()
	p, _, err := encavro.NewCompiler(encavro.Options{Schema: schemaText}).Compile(rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	schema := hamba.MustParse(schemaText)
	arena := make([]byte, 0, 2<<20)
	var ours, base time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		arena = codecbench.EncodeBatch(b, p, rec, arena)
		mid := time.Now()
		b.SetBytes(int64(len(arena)) * 2)
		arena = hambaEncodeBatch(b, schema, rec, arena)
		ours += mid.Sub(start)
		base += time.Since(mid)
	}
	reportInterleaved(b, ours, base)
}
