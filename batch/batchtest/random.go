// Package batchtest holds helpers for tests of Arrow data: random record
// batches of any schema (nulls, empty strings, nested lists, maps and
// structs, extreme numbers and timestamps) for the round-trip property tests
// of every codec, an accounting allocator whose checked mode catches leaks
// and frees of foreign buffers, and Concat.
package batchtest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Options shape the random data; zero fields take the defaults.
type Options struct {
	// NullRate is the chance that a value of a nullable field is null
	// (default 0.2).
	NullRate float64
	// MaxLen caps the length of strings, binaries, lists and maps (default 6).
	MaxLen int
}

func (o Options) withDefaults() Options {
	if o.NullRate == 0 {
		o.NullRate = 0.2
	}
	if o.MaxLen == 0 {
		o.MaxLen = 6
	}
	return o
}

// Record returns a batch of rows random rows of schema s; the caller releases
// it. Non-nullable fields (and map keys) never hold nulls.
func Record(mem memory.Allocator, s *arrow.Schema, rows int, rng *rand.Rand, o Options) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	g := gen{rng: rng, o: o.withDefaults()}
	for range rows {
		for i, f := range s.Fields() {
			g.value(b.Field(i), f.Type, f.Nullable)
		}
	}
	return b.NewRecordBatch()
}

type gen struct {
	rng *rand.Rand
	o   Options
}

var words = []string{"", "a", "héllo", "日本", "x y", "\x00", "emoji 🎉", "long-ish string value"}

func (g gen) str() string {
	if g.rng.IntN(3) == 0 {
		return words[g.rng.IntN(len(words))]
	}
	b := make([]byte, g.rng.IntN(g.o.MaxLen*4+1))
	for i := range b {
		b[i] = byte('a' + g.rng.IntN(26)) //nolint:gosec // G115: values drawn within the target range
	}
	return string(b)
}

func (g gen) bytes() []byte {
	b := make([]byte, g.rng.IntN(g.o.MaxLen*4+1))
	for i := range b {
		b[i] = byte(g.rng.IntN(256)) //nolint:gosec // G115: values drawn within the target range
	}
	return b
}

// int returns an integer in [lo, hi], often an edge.
func (g gen) int(lo, hi int64) int64 {
	switch g.rng.IntN(8) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		return max(lo, min(hi, 0))
	case 3:
		return max(lo, min(hi, int64(g.rng.IntN(256))-128))
	}
	if lo == math.MinInt64 && hi == math.MaxInt64 {
		return int64(g.rng.Uint64()) //nolint:gosec // G115: any bit pattern is a valid int64
	}
	return lo + g.rng.Int64N(hi-lo+1)
}

func (g gen) uint(hi uint64) uint64 {
	switch g.rng.IntN(4) {
	case 0:
		return hi
	case 1:
		return uint64(g.rng.IntN(200)) //nolint:gosec // G115: values drawn within the target range
	}
	if hi == math.MaxUint64 {
		return g.rng.Uint64()
	}
	return g.rng.Uint64N(hi + 1)
}

func (g gen) float() float64 {
	switch g.rng.IntN(6) {
	case 0:
		return 0
	case 1:
		return []float64{math.MaxFloat64, -math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), 1e-300}[g.rng.IntN(5)]
	}
	return g.rng.NormFloat64() * 1e6
}

// value appends one random value of type dt to b.
func (g gen) value(b array.Builder, dt arrow.DataType, nullable bool) {
	if nullable && g.rng.Float64() < g.o.NullRate {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(int8(g.int(math.MinInt8, math.MaxInt8))) //nolint:gosec // G115: values drawn within the target range
	case *array.Int16Builder:
		b.Append(int16(g.int(math.MinInt16, math.MaxInt16))) //nolint:gosec // G115: values drawn within the target range
	case *array.Int32Builder:
		b.Append(int32(g.int(math.MinInt32, math.MaxInt32))) //nolint:gosec // G115: values drawn within the target range
	case *array.Int64Builder:
		b.Append(g.int(math.MinInt64, math.MaxInt64))
	case *array.Uint8Builder:
		b.Append(uint8(g.uint(math.MaxUint8))) //nolint:gosec // G115: values drawn within the target range
	case *array.Uint16Builder:
		b.Append(uint16(g.uint(math.MaxUint16))) //nolint:gosec // G115: values drawn within the target range
	case *array.Uint32Builder:
		b.Append(uint32(g.uint(math.MaxUint32))) //nolint:gosec // G115: values drawn within the target range
	case *array.Uint64Builder:
		b.Append(g.uint(math.MaxUint64))
	case *array.Float16Builder:
		b.Append(float16.New(float32(g.rng.NormFloat64() * 100)))
	case *array.Float32Builder:
		b.Append(float32(g.rng.NormFloat64() * 1e4))
	case *array.Float64Builder:
		b.Append(g.float())
	case *array.BooleanBuilder:
		b.Append(g.rng.IntN(2) == 0)
	case *array.StringBuilder:
		b.Append(g.str())
	case *array.LargeStringBuilder:
		b.Append(g.str())
	case *array.StringViewBuilder:
		b.Append(g.str())
	case *array.BinaryBuilder:
		b.Append(g.bytes())
	case *array.BinaryViewBuilder:
		b.Append(g.bytes())
	case *array.FixedSizeBinaryBuilder:
		v := make([]byte, dt.(*arrow.FixedSizeBinaryType).ByteWidth)
		for i := range v {
			v[i] = byte(g.rng.IntN(256)) //nolint:gosec // G115: values drawn within the target range
		}
		b.Append(v)
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(g.int(math.MinInt64, math.MaxInt64)))
	case *array.Date32Builder:
		b.Append(arrow.Date32(g.int(-1_000_000, 1_000_000))) //nolint:gosec // G115: values drawn within the target range
	case *array.Date64Builder:
		b.Append(arrow.Date64(g.int(-1_000_000, 1_000_000) * 86_400_000))
	case *array.Time32Builder:
		b.Append(arrow.Time32(g.int(0, 86_399_999))) //nolint:gosec // G115: values drawn within the target range
	case *array.Time64Builder:
		b.Append(arrow.Time64(g.int(0, 86_399_999_999)))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(g.int(math.MinInt64, math.MaxInt64)))
	case *array.NullBuilder:
		b.AppendNull()
	case *array.BinaryDictionaryBuilder:
		if err := b.AppendString(words[g.rng.IntN(len(words))]); err != nil {
			panic(err) // a few values: the index type cannot overflow
		}
	case *array.MapBuilder:
		mt := dt.(*arrow.MapType)
		b.Append(true)
		for range g.rng.IntN(g.o.MaxLen + 1) {
			g.value(b.KeyBuilder(), mt.KeyType(), false)
			g.value(b.ItemBuilder(), mt.ItemType(), mt.ItemField().Nullable)
		}
	case *array.ListBuilder:
		lt := dt.(*arrow.ListType)
		b.Append(true)
		for range g.rng.IntN(g.o.MaxLen + 1) {
			g.value(b.ValueBuilder(), lt.Elem(), lt.ElemField().Nullable)
		}
	case *array.LargeListBuilder:
		lt := dt.(*arrow.LargeListType)
		b.Append(true)
		for range g.rng.IntN(g.o.MaxLen + 1) {
			g.value(b.ValueBuilder(), lt.Elem(), lt.ElemField().Nullable)
		}
	case *array.FixedSizeListBuilder:
		lt := dt.(*arrow.FixedSizeListType)
		b.Append(true)
		for range lt.Len() {
			g.value(b.ValueBuilder(), lt.Elem(), lt.ElemField().Nullable)
		}
	case *array.StructBuilder:
		st := dt.(*arrow.StructType)
		b.Append(true)
		for i, f := range st.Fields() {
			g.value(b.FieldBuilder(i), f.Type, f.Nullable)
		}
	default:
		panic(fmt.Sprintf("batchtest: no generator for %s", dt))
	}
}
