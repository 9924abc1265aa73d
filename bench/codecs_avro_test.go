package bench_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	hamba "github.com/hamba/avro/v2"
	twmb "github.com/twmb/avro"

	decavro "github.com/sabot-kafka/sabot/decode/avro"
	encavro "github.com/sabot-kafka/sabot/encode/avro"
)

// The Avro plans next to the per-record libraries, in one run, with no
// broker and no harness:
//
//	go test ./bench -run '^$' -bench 'CodecAvro' -benchmem
//
// decode/avro and encode/avro keep their own benchmarks of the plans (and
// of github.com/twmb/avro, which the library requires anyway); the
// hamba/avro rows live here, in the bench module, so the library's go.mod
// does not require hamba/avro.

// avroBatch is the rows per op of the Avro codec benchmarks.
const avroBatch = 10_000

func readAvroSchema(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "avro", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// avroTx is the struct a Go user decodes testdata/avro/transaction.avsc
// into, or fills from Arrow columns to write it, with a per-record library.
type avroTx struct {
	ID          string  `avro:"id"`
	Amount      float64 `avro:"amount"`
	Timestamp   int64   `avro:"timestamp"`
	Currency    string  `avro:"currency"`
	Merchant    string  `avro:"merchant"`
	Account     int64   `avro:"account"`
	Status      string  `avro:"status"`
	CardPresent bool    `avro:"card_present"`
	Note        *string `avro:"note"`
}

var avroMerchants = []string{"Corner Coffee", "Grocery Outlet 42", "Metro Transit", "Online Books Ltd", "Hardware & Co"}

// avroTransactions returns n encoded avroTx values (about 100 bytes each)
// and the structs they encode.
func avroTransactions(tb testing.TB, n int) ([][]byte, []avroTx) {
	tb.Helper()
	schema := hamba.MustParse(readAvroSchema(tb, "transaction.avsc"))
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([][]byte, n)
	txs := make([]avroTx, n)
	for i := range vals {
		tx := avroTx{
			ID:          fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff),
			Amount:      float64(rng.IntN(1_000_000)) / 100,
			Timestamp:   1_700_000_000_000 + int64(i),
			Currency:    []string{"USD", "EUR", "GBP"}[rng.IntN(3)],
			Merchant:    avroMerchants[rng.IntN(len(avroMerchants))],
			Account:     rng.Int64N(10_000_000),
			Status:      []string{"PENDING", "SETTLED", "DECLINED"}[rng.IntN(3)],
			CardPresent: rng.IntN(2) == 1,
		}
		if rng.IntN(4) == 0 {
			note := "refund requested"
			tx.Note = &note
		}
		b, err := hamba.Marshal(schema, tx)
		if err != nil {
			tb.Fatal(err)
		}
		vals[i], txs[i] = b, tx
	}
	return vals, txs
}

func avroTotalBytes(vals [][]byte) int64 {
	var n int64
	for _, v := range vals {
		n += int64(len(v))
	}
	return n
}

// BenchmarkCodecAvroDecode decodes batches of 10k ~100-byte records into
// Arrow: the plan, and next to it the per-record path a Go user writes
// today (library → struct → Arrow builders).
func BenchmarkCodecAvroDecode(b *testing.B) {
	vals, _ := avroTransactions(b, avroBatch)
	size := avroTotalBytes(vals)
	schemaText := readAvroSchema(b, "transaction.avsc")

	for _, mode := range []struct {
		name  string
		enums decavro.EnumMode
		trust bool
	}{{"sabot", decavro.EnumDictionary, false}, {"sabot-enum-string", decavro.EnumString, false}, {"sabot-trust-utf8", decavro.EnumDictionary, true}} {
		b.Run(mode.name, func(b *testing.B) {
			p, err := decavro.NewCompiler(decavro.Options{Schema: schemaText, Enums: mode.enums, TrustUTF8: mode.trust}).Compile(nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			bs := avroBuilders(memory.DefaultAllocator, p.Fields())
			defer avroReleaseAll(bs)
			app, err := p.Bind(bs)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				for _, v := range vals {
					if err := app.Append(v); err != nil {
						b.Fatal(err)
					}
				}
				avroFinish(bs)
			}
			cpu.report(b)
		})
	}

	b.Run("hamba-struct-arrow", func(b *testing.B) {
		schema := hamba.MustParse(schemaText)
		tb := newAvroTxBuilders(memory.DefaultAllocator)
		defer tb.release()
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		var tx avroTx
		for i := 0; i < b.N; i++ {
			for _, v := range vals {
				if err := hamba.Unmarshal(schema, v, &tx); err != nil {
					b.Fatal(err)
				}
				tb.append(&tx)
			}
			avroFinish(tb.bs)
		}
		cpu.report(b)
	})

	b.Run("hamba-struct", func(b *testing.B) {
		schema := hamba.MustParse(schemaText)
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		var tx avroTx
		for i := 0; i < b.N; i++ {
			for _, v := range vals {
				if err := hamba.Unmarshal(schema, v, &tx); err != nil {
					b.Fatal(err)
				}
			}
		}
		cpu.report(b)
	})

	b.Run("twmb-struct-arrow", func(b *testing.B) {
		schema := twmb.MustParse(schemaText)
		tb := newAvroTxBuilders(memory.DefaultAllocator)
		defer tb.release()
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		var tx avroTx
		for i := 0; i < b.N; i++ {
			for _, v := range vals {
				if _, err := schema.Decode(v, &tx); err != nil {
					b.Fatal(err)
				}
				tb.append(&tx)
			}
			avroFinish(tb.bs)
		}
		cpu.report(b)
	})
}

func avroBuilders(mem memory.Allocator, fields []arrow.Field) []array.Builder {
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(mem, f.Type)
	}
	return bs
}

func avroReleaseAll(bs []array.Builder) {
	for _, b := range bs {
		b.Release()
	}
}

// avroFinish turns the builders into arrays and drops them, as a batch does.
func avroFinish(bs []array.Builder) {
	for _, b := range bs {
		b.NewArray().Release()
	}
}

// avroTxBuilders is the baseline's hand-written struct → Arrow append.
type avroTxBuilders struct {
	bs          []array.Builder
	id          *array.StringBuilder
	amount      *array.Float64Builder
	timestamp   *array.Int64Builder
	currency    *array.StringBuilder
	merchant    *array.StringBuilder
	account     *array.Int64Builder
	status      *array.BinaryDictionaryBuilder
	cardPresent *array.BooleanBuilder
	note        *array.StringBuilder
}

func newAvroTxBuilders(mem memory.Allocator) *avroTxBuilders {
	t := &avroTxBuilders{
		id:          array.NewStringBuilder(mem),
		amount:      array.NewFloat64Builder(mem),
		timestamp:   array.NewInt64Builder(mem),
		currency:    array.NewStringBuilder(mem),
		merchant:    array.NewStringBuilder(mem),
		account:     array.NewInt64Builder(mem),
		status:      array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder),
		cardPresent: array.NewBooleanBuilder(mem),
		note:        array.NewStringBuilder(mem),
	}
	t.bs = []array.Builder{t.id, t.amount, t.timestamp, t.currency, t.merchant, t.account, t.status, t.cardPresent, t.note}
	return t
}

func (t *avroTxBuilders) append(tx *avroTx) {
	t.id.Append(tx.ID)
	t.amount.Append(tx.Amount)
	t.timestamp.Append(tx.Timestamp)
	t.currency.Append(tx.Currency)
	t.merchant.Append(tx.Merchant)
	t.account.Append(tx.Account)
	_ = t.status.AppendString(tx.Status)
	t.cardPresent.Append(tx.CardPresent)
	if tx.Note == nil {
		t.note.AppendNull()
	} else {
		t.note.Append(*tx.Note)
	}
}

func (t *avroTxBuilders) release() { avroReleaseAll(t.bs) }

// cpuMeter reports records/s by wall time and by the process's CPU time:
// the machine is shared, and CPU time is what other load does not inflate.
type cpuMeter struct{ start time.Duration }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuMeter { return cpuMeter{cpuTime()} }

func (m cpuMeter) report(b *testing.B) {
	recs := float64(b.N) * avroBatch
	b.ReportMetric(recs/b.Elapsed().Seconds(), "records/s")
	if cpu := (cpuTime() - m.start).Seconds(); cpu > 0 {
		b.ReportMetric(recs/cpu, "records/cpu-s")
	}
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
	vals, _ := avroTransactions(b, avroBatch)
	schemaText := readAvroSchema(b, "transaction.avsc")
	p, err := decavro.NewCompiler(decavro.Options{Schema: schemaText, TrustUTF8: trust}).Compile(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	bs := avroBuilders(memory.DefaultAllocator, p.Fields())
	defer avroReleaseAll(bs)
	app, err := p.Bind(bs)
	if err != nil {
		b.Fatal(err)
	}
	schema := hamba.MustParse(schemaText)
	tb := newAvroTxBuilders(memory.DefaultAllocator)
	defer tb.release()
	var tx avroTx
	var ours, base time.Duration
	b.SetBytes(avroTotalBytes(vals) * 2)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for _, v := range vals {
			if err := app.Append(v); err != nil {
				b.Fatal(err)
			}
		}
		avroFinish(bs)
		mid := time.Now()
		for _, v := range vals {
			if err := hamba.Unmarshal(schema, v, &tx); err != nil {
				b.Fatal(err)
			}
			tb.append(&tx)
		}
		avroFinish(tb.bs)
		ours += mid.Sub(start)
		base += time.Since(mid)
	}
	n := float64(b.N) * avroBatch
	b.ReportMetric(n/ours.Seconds(), "sabot-records/s")
	b.ReportMetric(n/base.Seconds(), "hamba-records/s")
	b.ReportMetric(base.Seconds()/ours.Seconds(), "ratio")
}

// avroTransactionBatch builds 10k rows in the decoder's layout of
// transaction.avsc (status as a dictionary).
func avroTransactionBatch(tb testing.TB, mem memory.Allocator) arrow.RecordBatch {
	tb.Helper()
	p, err := decavro.NewCompiler(decavro.Options{Schema: readAvroSchema(tb, "transaction.avsc")}).Compile(nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	fields := p.Fields()
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(mem, f.Type)
		defer bs[i].Release()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < avroBatch; i++ {
		bs[0].(*array.StringBuilder).Append(fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff,
			rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff))
		bs[1].(*array.Float64Builder).Append(float64(rng.IntN(1_000_000)) / 100)
		bs[2].(*array.Int64Builder).Append(1_700_000_000_000 + int64(i))
		bs[3].(*array.StringBuilder).Append([]string{"USD", "EUR", "GBP"}[rng.IntN(3)])
		bs[4].(*array.StringBuilder).Append(avroMerchants[rng.IntN(len(avroMerchants))])
		bs[5].(*array.Int64Builder).Append(rng.Int64N(10_000_000))
		if err := bs[6].(*array.BinaryDictionaryBuilder).AppendString([]string{"PENDING", "SETTLED", "DECLINED"}[rng.IntN(3)]); err != nil {
			tb.Fatal(err)
		}
		bs[7].(*array.BooleanBuilder).Append(rng.IntN(2) == 1)
		if rng.IntN(4) == 0 {
			bs[8].(*array.StringBuilder).Append("refund requested")
		} else {
			bs[8].AppendNull()
		}
	}
	cols := make([]arrow.Array, len(bs))
	for i, b := range bs {
		cols[i] = b.NewArray()
		defer cols[i].Release()
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, avroBatch)
}

// BenchmarkCodecAvroEncode encodes batches of 10k rows into one arena: the
// plan, and next to it what a Go user writes today (Arrow columns → struct
// → hamba/avro Marshal per row).
func BenchmarkCodecAvroEncode(b *testing.B) {
	rec := avroTransactionBatch(b, memory.DefaultAllocator)
	defer rec.Release()
	schemaText := readAvroSchema(b, "transaction.avsc")

	b.Run("sabot", func(b *testing.B) {
		p, _, err := encavro.NewCompiler(encavro.Options{Schema: schemaText}).Compile(rec.Schema())
		if err != nil {
			b.Fatal(err)
		}
		arena := make([]byte, 0, 2<<20)
		var size int64
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		for i := 0; i < b.N; i++ {
			app, err := p.Bind(rec)
			if err != nil {
				b.Fatal(err)
			}
			arena = arena[:0]
			for r := 0; r < avroBatch; r++ {
				if arena, err = app.AppendRow(arena, r); err != nil {
					b.Fatal(err)
				}
			}
			size = int64(len(arena))
		}
		b.SetBytes(size)
		cpu.report(b)
	})

	b.Run("hamba-arrow-struct", func(b *testing.B) {
		schema := hamba.MustParse(schemaText)
		arena := make([]byte, 0, 2<<20)
		var size int64
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		for i := 0; i < b.N; i++ {
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
			for r := 0; r < avroBatch; r++ {
				tx := avroTx{ID: id.Value(r), Amount: amount.Value(r), Timestamp: ts.Value(r), Currency: cur.Value(r),
					Merchant: merch.Value(r), Account: acct.Value(r), Status: statusDict.Value(status.GetValueIndex(r)),
					CardPresent: card.Value(r)}
				if note.IsValid(r) {
					n := note.Value(r)
					tx.Note = &n
				}
				v, err := hamba.Marshal(schema, tx)
				if err != nil {
					b.Fatal(err)
				}
				arena = append(arena, v...)
			}
			size = int64(len(arena))
		}
		b.SetBytes(size)
		cpu.report(b)
	})
}

// BenchmarkCodecAvroEncodeInterleaved alternates one batch of the plan and
// one of the hamba/avro baseline per iteration and reports both rates and
// their ratio: on a shared machine the two then see the same load.
func BenchmarkCodecAvroEncodeInterleaved(b *testing.B) {
	rec := avroTransactionBatch(b, memory.DefaultAllocator)
	defer rec.Release()
	schemaText := readAvroSchema(b, "transaction.avsc")
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
		app, err := p.Bind(rec)
		if err != nil {
			b.Fatal(err)
		}
		arena = arena[:0]
		for r := 0; r < avroBatch; r++ {
			if arena, err = app.AppendRow(arena, r); err != nil {
				b.Fatal(err)
			}
		}
		mid := time.Now()
		b.SetBytes(int64(len(arena)) * 2)
		arena = arena[:0]
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
		for r := 0; r < avroBatch; r++ {
			tx := avroTx{ID: id.Value(r), Amount: amount.Value(r), Timestamp: ts.Value(r), Currency: cur.Value(r),
				Merchant: merch.Value(r), Account: acct.Value(r), Status: statusDict.Value(status.GetValueIndex(r)),
				CardPresent: card.Value(r)}
			if note.IsValid(r) {
				n := note.Value(r)
				tx.Note = &n
			}
			v, err := hamba.Marshal(schema, tx)
			if err != nil {
				b.Fatal(err)
			}
			arena = append(arena, v...)
		}
		ours += mid.Sub(start)
		base += time.Since(mid)
	}
	n := float64(b.N) * avroBatch
	b.ReportMetric(n/ours.Seconds(), "sabot-records/s")
	b.ReportMetric(n/base.Seconds(), "hamba-records/s")
	b.ReportMetric(base.Seconds()/ours.Seconds(), "ratio")
}
