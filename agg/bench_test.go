package agg

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const (
	benchRows  = 1 << 20
	benchBatch = 4096
	benchKeys  = 10_000
)

// benchBatches builds 1M rows of (k, amount) in 4k batches, k int64 or string.
func benchBatches(b *testing.B, str bool) []arrow.RecordBatch {
	kt := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String}[btoi(str)]
	s := arrow.NewSchema([]arrow.Field{{Name: "k", Type: kt}, {Name: "amount", Type: arrow.PrimitiveTypes.Int64}}, nil)
	r := rand.New(rand.NewPCG(1, 2))
	var out []arrow.RecordBatch
	for off := 0; off < benchRows; off += benchBatch {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, s)
		for range benchBatch {
			k := r.IntN(benchKeys)
			if str {
				rb.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("user-%08d", k))
			} else {
				rb.Field(0).(*array.Int64Builder).Append(int64(k))
			}
			rb.Field(1).(*array.Int64Builder).Append(r.Int64N(1000))
		}
		out = append(out, rb.NewRecordBatch())
		rb.Release()
	}
	b.Cleanup(func() {
		for _, r := range out {
			r.Release()
		}
	})
	return out
}

func benchGroupBy(b *testing.B, str bool) {
	batches := benchBatches(b, str)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		g, err := GroupBy("k").Aggregate(Count(), Sum("amount"))
		if err != nil {
			b.Fatal(err)
		}
		for _, rec := range batches {
			if err := g.Add(rec); err != nil {
				b.Fatal(err)
			}
		}
		out, err := g.Result(memory.DefaultAllocator)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
}

type baseAcc struct{ n, sum int64 }

// benchBaseline is the per-record way: a Go map from key to accumulator,
// updated row by row from the same Arrow batches.
func benchBaseline(b *testing.B, str bool) {
	batches := benchBatches(b, str)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if str {
			m := map[string]*baseAcc{}
			for _, rec := range batches {
				ks, vs := rec.Column(0).(*array.String), rec.Column(1).(*array.Int64)
				for i := range int(rec.NumRows()) {
					a := m[ks.Value(i)]
					if a == nil {
						a = &baseAcc{}
						m[ks.Value(i)] = a
					}
					a.n++
					a.sum += vs.Value(i)
				}
			}
			continue
		}
		m := map[int64]*baseAcc{}
		for _, rec := range batches {
			ks, vs := rec.Column(0).(*array.Int64), rec.Column(1).(*array.Int64)
			for i := range int(rec.NumRows()) {
				a := m[ks.Value(i)]
				if a == nil {
					a = &baseAcc{}
					m[ks.Value(i)] = a
				}
				a.n++
				a.sum += vs.Value(i)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
}

func BenchmarkGroupByInt64(b *testing.B)   { benchGroupBy(b, false) }
func BenchmarkBaselineInt64(b *testing.B)  { benchBaseline(b, false) }
func BenchmarkGroupByString(b *testing.B)  { benchGroupBy(b, true) }
func BenchmarkBaselineString(b *testing.B) { benchBaseline(b, true) }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
