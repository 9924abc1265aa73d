// Package codecbench holds the fixtures of the codec benchmarks: the records
// and their Go structs, the value and batch generators, the hand-written
// struct ↔ Arrow code of the per-record baselines, and the loops and meters
// the rows share. The format packages' benchmarks (decode/avro, encode/json,
// ...) run the Sabot plans and the baselines the library requires anyway
// (github.com/twmb/avro, encoding/json, arrow-go); the bench module runs the
// sonic and hamba/avro baselines on the same fixtures, so the library's
// go.mod requires neither. It must import nothing the library's go.mod does
// not already require.
package codecbench

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
)

// Batch is the rows per op of the codec benchmarks.
const Batch = 10_000

// Builders returns one builder per field, from mem.
func Builders(mem memory.Allocator, fields []arrow.Field) []array.Builder {
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(mem, f.Type)
	}
	return bs
}

// ReleaseAll releases every builder of bs.
func ReleaseAll(bs []array.Builder) {
	for _, b := range bs {
		b.Release()
	}
}

// Finish turns the builders into arrays and drops them, as a batch does.
func Finish(bs []array.Builder) {
	for _, b := range bs {
		b.NewArray().Release()
	}
}

// TotalBytes is the summed length of vals.
func TotalBytes(vals [][]byte) int64 {
	var n int64
	for _, v := range vals {
		n += int64(len(v))
	}
	return n
}

// Bind compiles c's plan (values with no wire-format header) and binds it to
// fresh builders from memory.DefaultAllocator, which the caller releases.
func Bind(tb testing.TB, c decode.Compiler) (decode.Appender, []array.Builder) {
	tb.Helper()
	p, err := c.Compile(nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	bs := Builders(memory.DefaultAllocator, p.Fields())
	app, err := p.Bind(bs)
	if err != nil {
		ReleaseAll(bs)
		tb.Fatal(err)
	}
	return app, bs
}

// AppendBatch is one op of a decode plan: every value appended to app, which
// is bound to bs, and the batch finished.
func AppendBatch(tb testing.TB, app decode.Appender, vals [][]byte, bs []array.Builder) {
	for _, v := range vals {
		if err := app.Append(v); err != nil {
			tb.Fatal(err)
		}
	}
	Finish(bs)
}

// EncodeBatch is one op of an encode plan: p bound to rec and every row of
// rec appended to arena[:0], which it returns.
func EncodeBatch(tb testing.TB, p encode.Plan, rec arrow.RecordBatch, arena []byte) []byte {
	app, err := p.Bind(rec)
	if err != nil {
		tb.Fatal(err)
	}
	arena = arena[:0]
	for r := range int(rec.NumRows()) {
		if arena, err = app.AppendRow(arena, r); err != nil {
			tb.Fatal(err)
		}
	}
	return arena
}

// DecodeOps runs a decode row: batch once per op, size bytes per op, with
// allocations, records/s and records/cpu-s reported.
func DecodeOps(b *testing.B, size int64, batch func()) {
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := StartCPU()
	for i := 0; i < b.N; i++ {
		batch()
	}
	cpu.Report(b)
}

// EncodeOps runs an encode row: batch once per op into a 2 MiB arena it
// reuses, the bytes per op taken from the last batch, with allocations,
// records/s and records/cpu-s reported.
func EncodeOps(b *testing.B, batch func(arena []byte) []byte) {
	arena := make([]byte, 0, 2<<20)
	var size int64
	b.ReportAllocs()
	b.ResetTimer()
	cpu := StartCPU()
	for i := 0; i < b.N; i++ {
		arena = batch(arena)
		size = int64(len(arena))
	}
	b.SetBytes(size)
	cpu.Report(b)
}

// StructRows is the loop of a per-record baseline that a Go user writes
// today: per op, each value unmarshalled into a fresh T and added to the
// builders, then the batch finished.
func StructRows[T any](b *testing.B, vals [][]byte, unmarshal func([]byte, any) error, add func(*T), finish func()) {
	for b.Loop() {
		for _, v := range vals {
			var x T
			if err := unmarshal(v, &x); err != nil {
				b.Fatal(err)
			}
			add(&x)
		}
		finish()
	}
}
