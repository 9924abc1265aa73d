package bench

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/services"
)

// The in-memory scenarios as `go test -bench` benchmarks: the same code the
// harness's decode and encode rows run, one op per record, so
//
//	go test ./bench -run '^$' -bench '^Benchmark(Decode|Encode)$' -benchmem
//
// and `sabot-bench -kinds decode,encode` can be held side by side (and both
// next to the format packages' own benchmarks, and to their comparisons with
// sonic and hamba/avro in codecs_*_test.go: -bench Codec).

func benchGroup(b *testing.B, f string) *groupData {
	b.Helper()
	s, err := services.StartEmbedded(services.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	reg, err := newRegistry(s.RegistryURL)
	if err != nil {
		b.Fatal(err)
	}
	g, err := newGroupData(context.Background(), f, 100, reg, memory.DefaultAllocator)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(g.ds.Release)
	return g
}

func runBench(b *testing.B, g *groupData, prep func(n int) prepFunc) {
	b.Helper()
	b.SetBytes(g.ds.ValueBytes / int64(g.ds.Rows()))
	b.ReportAllocs()
	run, cleanup, err := prep(b.N)(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	b.ResetTimer()
	o, err := run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if o.records != int64(b.N) {
		b.Fatalf("ran %d records, want %d", o.records, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkDecode(b *testing.B) {
	for _, f := range names(codec.JSON{}, codec.Avro{}, codec.Protobuf{}, codec.MsgPack{}) {
		b.Run(f, func(b *testing.B) {
			g := benchGroup(b, f)
			b.Run("sabot", func(b *testing.B) {
				runBench(b, g, func(n int) prepFunc { return decodeSabot(g.ds, g.dec, n) })
			})
			for _, lib := range perRecordLibs[f] {
				b.Run(lib, func(b *testing.B) {
					runBench(b, g, func(n int) prepFunc { return decodePerRecord(g.ds, lib, n) })
				})
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, f := range names(codec.JSON{}, codec.Avro{}, codec.Protobuf{}, codec.MsgPack{}) {
		b.Run(f, func(b *testing.B) {
			g := benchGroup(b, f)
			b.Run("sabot", func(b *testing.B) {
				runBench(b, g, func(n int) prepFunc { return encodeSabot(g.ds, g.enc, n) })
			})
			for _, lib := range perRecordLibs[f] {
				b.Run(lib, func(b *testing.B) {
					runBench(b, g, func(n int) prepFunc { return encodePerRecord(g.ds, lib, n) })
				})
			}
		})
	}
}
