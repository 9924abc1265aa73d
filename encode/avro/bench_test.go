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

	decavro "github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/encode/avro"
)

const benchBatch = 10_000

// transactionBatch builds 10k rows in the decoder's layout of
// transaction.avsc (status as a dictionary).
func transactionBatch(tb testing.TB, mem memory.Allocator) arrow.RecordBatch {
	tb.Helper()
	p, err := decavro.NewCompiler(decavro.Options{Schema: read(tb, "transaction.avsc")}).Compile(nil, nil)
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
	merchants := []string{"Corner Coffee", "Grocery Outlet 42", "Metro Transit", "Online Books Ltd", "Hardware & Co"}
	for i := 0; i < benchBatch; i++ {
		bs[0].(*array.StringBuilder).Append(fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff,
			rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff))
		bs[1].(*array.Float64Builder).Append(float64(rng.IntN(1_000_000)) / 100)
		bs[2].(*array.Int64Builder).Append(1_700_000_000_000 + int64(i))
		bs[3].(*array.StringBuilder).Append([]string{"USD", "EUR", "GBP"}[rng.IntN(3)])
		bs[4].(*array.StringBuilder).Append(merchants[rng.IntN(len(merchants))])
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
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, benchBatch)
}

// BenchmarkEncodeTransaction encodes batches of 10k rows into one arena with
// the plan. What a Go user writes today (Arrow columns → struct → hamba/avro
// Marshal per row) runs next to it in the bench module, which keeps hamba/avro
// out of the library's requirements: go test -bench CodecAvro ./bench/.
func BenchmarkEncodeTransaction(b *testing.B) {
	rec := transactionBatch(b, memory.DefaultAllocator)
	defer rec.Release()
	schemaText := read(b, "transaction.avsc")

	b.Run("sabot", func(b *testing.B) {
		p, _, err := avro.NewCompiler(avro.Options{Schema: schemaText}).Compile(rec.Schema())
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
			for r := 0; r < benchBatch; r++ {
				if arena, err = app.AppendRow(arena, r); err != nil {
					b.Fatal(err)
				}
			}
			size = int64(len(arena))
		}
		b.SetBytes(size)
		cpu.report(b)
	})
}

// cpuMeter reports records/s by wall time and by the process's CPU time
// (the machine is shared).
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
