package avro_test

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	twmb "github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/decode/avro"
)

// Transaction is the struct a Go user decodes testdata/avro/transaction.avsc
// into with a per-record library.
type Transaction struct {
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

var merchants = []string{"Corner Coffee", "Grocery Outlet 42", "Metro Transit", "Online Books Ltd", "Hardware & Co"}

// transactions returns n encoded Transaction values (about 100 bytes each)
// and the structs they encode. github.com/twmb/avro writes them; hamba/avro
// writes the same bytes (the bench module's copy of these benchmarks uses it).
func transactions(tb testing.TB, n int) ([][]byte, []Transaction) {
	tb.Helper()
	schema := twmb.MustParse(readSchema(tb, "transaction.avsc"))
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([][]byte, n)
	txs := make([]Transaction, n)
	for i := range vals {
		tx := Transaction{
			ID:          fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff),
			Amount:      float64(rng.IntN(1_000_000)) / 100,
			Timestamp:   1_700_000_000_000 + int64(i),
			Currency:    []string{"USD", "EUR", "GBP"}[rng.IntN(3)],
			Merchant:    merchants[rng.IntN(len(merchants))],
			Account:     rng.Int64N(10_000_000),
			Status:      []string{"PENDING", "SETTLED", "DECLINED"}[rng.IntN(3)],
			CardPresent: rng.IntN(2) == 1,
		}
		if rng.IntN(4) == 0 {
			note := "refund requested"
			tx.Note = &note
		}
		b, err := schema.Encode(&tx)
		if err != nil {
			tb.Fatal(err)
		}
		vals[i], txs[i] = b, tx
	}
	return vals, txs
}

func totalBytes(vals [][]byte) int64 {
	var n int64
	for _, v := range vals {
		n += int64(len(v))
	}
	return n
}

const benchBatch = 10_000

// BenchmarkDecodeTransaction decodes batches of 10k ~100-byte records into
// Arrow: the plan, and next to it the per-record path a Go user writes
// today (library → struct → Arrow builders). The hamba/avro rows, which the
// library does not require, are next to the same ones in the bench module:
// go test -bench CodecAvro ./bench/.
func BenchmarkDecodeTransaction(b *testing.B) {
	vals, _ := transactions(b, benchBatch)
	size := totalBytes(vals)
	schemaText := readSchema(b, "transaction.avsc")

	for _, mode := range []struct {
		name  string
		enums avro.EnumMode
		trust bool
	}{{"sabot", avro.EnumDictionary, false}, {"sabot-enum-string", avro.EnumString, false}, {"sabot-trust-utf8", avro.EnumDictionary, true}} {
		b.Run(mode.name, func(b *testing.B) {
			p, err := avro.NewCompiler(avro.Options{Schema: schemaText, Enums: mode.enums, TrustUTF8: mode.trust}).Compile(nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			bs := builders(memory.DefaultAllocator, p.Fields())
			defer releaseAll(bs)
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
				finish(bs)
			}
			cpu.report(b)
		})
	}

	b.Run("twmb-struct-arrow", func(b *testing.B) {
		schema := twmb.MustParse(schemaText)
		tb := newTxBuilders(memory.DefaultAllocator)
		defer tb.release()
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		var tx Transaction
		for i := 0; i < b.N; i++ {
			for _, v := range vals {
				if _, err := schema.Decode(v, &tx); err != nil {
					b.Fatal(err)
				}
				tb.append(&tx)
			}
			finish(tb.bs)
		}
		cpu.report(b)
	})
}

func builders(mem memory.Allocator, fields []arrow.Field) []array.Builder {
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(mem, f.Type)
	}
	return bs
}

func releaseAll(bs []array.Builder) {
	for _, b := range bs {
		b.Release()
	}
}

// finish turns the builders into arrays and drops them, as a batch does.
func finish(bs []array.Builder) {
	for _, b := range bs {
		b.NewArray().Release()
	}
}

// txBuilders is the baseline's hand-written struct → Arrow append.
type txBuilders struct {
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

func newTxBuilders(mem memory.Allocator) *txBuilders {
	t := &txBuilders{
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

func (t *txBuilders) append(tx *Transaction) {
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

func (t *txBuilders) release() { releaseAll(t.bs) }

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
	recs := float64(b.N) * benchBatch
	b.ReportMetric(recs/b.Elapsed().Seconds(), "records/s")
	if cpu := (cpuTime() - m.start).Seconds(); cpu > 0 {
		b.ReportMetric(recs/cpu, "records/cpu-s")
	}
}
