package json_test

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	decjson "github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/json"
)

// RoundTripSchema covers every type the JSON codecs map, nullable and not,
// nested three deep.
var RoundTripSchema = arrow.NewSchema([]arrow.Field{
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "s_req", Type: arrow.BinaryTypes.String},
	{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 16}, Nullable: true},
	{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "ts_us", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
	{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, Nullable: true},
	{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "d64", Type: arrow.FixedWidthTypes.Date64, Nullable: true},
	{Name: "t32", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
	{Name: "t64", Type: arrow.FixedWidthTypes.Time64ns, Nullable: true},
	{Name: "dur", Type: arrow.FixedWidthTypes.Duration_us, Nullable: true},
	{Name: "dec", Type: &arrow.Decimal128Type{Precision: 18, Scale: 4}, Nullable: true},
	{Name: "dec38", Type: &arrow.Decimal128Type{Precision: 38, Scale: 10}, Nullable: true},
	{Name: "dec76", Type: &arrow.Decimal256Type{Precision: 60, Scale: 5}, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: arrow.NewMetadata([]string{decjson.MetaKey}, []string{decjson.MetaRaw})},
	{Name: "st", Nullable: true, Type: arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "quote\"key\\", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "inner", Nullable: true, Type: arrow.StructOf(
			arrow.Field{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
		)},
	)},
	{Name: "list", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "llist", Type: arrow.LargeListOf(arrow.StructOf(arrow.Field{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true})), Nullable: true},
	{Name: "map", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.ListOf(arrow.PrimitiveTypes.Int32)), Nullable: true},
}, nil)

var alphabet = []string{"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "日本", "😀", "\u2028", "{", "}", "[", ",", ":"}

func randString(r *rand.Rand) string {
	n := r.IntN(12)
	if r.IntN(8) == 0 {
		return ""
	}
	var sb strings.Builder
	for range n {
		sb.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

var rawValues = []string{`1`, `-2.5e3`, `"x\"y"`, `true`, `[1,{"a":null}]`, `{"k":"v","n":[]}`, `{ "spaced" : 1 }`, `""`}

// appendRandom appends one random value of b's type (null with some
// probability when nullable).
func appendRandom(r *rand.Rand, b array.Builder, f arrow.Field, depth int) {
	if f.Nullable && r.IntN(5) == 0 {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		if decjson.IsRaw(f) {
			b.Append(rawValues[r.IntN(len(rawValues))])
			return
		}
		b.Append(randString(r))
	case *array.LargeStringBuilder:
		b.Append(randString(r))
	case *array.Int8Builder:
		b.Append(int8(r.IntN(256) - 128))
	case *array.Int16Builder:
		b.Append(int16(r.IntN(65536) - 32768))
	case *array.Int32Builder:
		b.Append(r.Int32() - math.MaxInt32/2)
	case *array.Int64Builder:
		v := r.Int64()
		if r.IntN(2) == 0 {
			v = -v
		}
		if r.IntN(10) == 0 {
			v = math.MinInt64
		}
		b.Append(v)
	case *array.Uint8Builder:
		b.Append(uint8(r.IntN(256)))
	case *array.Uint64Builder:
		b.Append(r.Uint64())
	case *array.Float32Builder:
		b.Append(float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))))
	case *array.Float64Builder:
		vals := []float64{0, math.Copysign(0, -1), math.MaxFloat64, math.SmallestNonzeroFloat64, 1e21, 1e-7, 0.1}
		if r.IntN(3) == 0 {
			b.Append(vals[r.IntN(len(vals))])
			return
		}
		b.Append(r.NormFloat64() * math.Pow(10, float64(r.IntN(600)-300)))
	case *array.BooleanBuilder:
		b.Append(r.IntN(2) == 0)
	case *array.BinaryBuilder:
		v := make([]byte, r.IntN(20))
		for i := range v {
			v[i] = byte(r.IntN(256))
		}
		b.Append(v)
	case *array.FixedSizeBinaryBuilder:
		v := make([]byte, 16)
		for i := range v {
			v[i] = byte(r.IntN(256))
		}
		b.Append(v)
	case *array.TimestampBuilder:
		unit := b.Type().(*arrow.TimestampType).Unit
		// Years 1678–2261 fit every unit.
		sec := r.Int64N(18_000_000_000) - 9_200_000_000
		per := map[arrow.TimeUnit]int64{arrow.Second: 1, arrow.Millisecond: 1e3, arrow.Microsecond: 1e6, arrow.Nanosecond: 1e9}[unit]
		b.Append(arrow.Timestamp(sec*per + r.Int64N(per)))
	case *array.Date32Builder:
		b.Append(arrow.Date32(r.Int64N(2_900_000) - 719_000))
	case *array.Date64Builder:
		b.Append(arrow.Date64((r.Int64N(2_900_000) - 719_000) * 86_400_000))
	case *array.Time32Builder:
		b.Append(arrow.Time32(r.Int32N(86_400_000)))
	case *array.Time64Builder:
		b.Append(arrow.Time64(r.Int64N(86_400_000_000_000)))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(r.Int64() - math.MaxInt64/2))
	case *array.Decimal128Builder:
		t := b.Type().(*arrow.Decimal128Type)
		n := decimal128.FromI64(r.Int64N(1e18) - 5e17)
		if t.Precision > 18 {
			n = n.Mul(decimal128.FromI64(r.Int64N(1e18))).Add(decimal128.FromI64(r.Int64N(1e18)))
			if r.IntN(2) == 0 {
				n = n.Negate()
			}
		}
		b.Append(n)
	case *array.Decimal256Builder:
		n := decimal256.FromI64(r.Int64N(1e18)).Mul(decimal256.FromI64(r.Int64N(1e18))).Mul(decimal256.FromI64(r.Int64N(1e18)))
		if r.IntN(2) == 0 {
			n = n.Negate()
		}
		b.Append(n)
	case *array.StructBuilder:
		b.Append(true)
		for i, cf := range b.Type().(*arrow.StructType).Fields() {
			appendRandom(r, b.FieldBuilder(i), cf, depth+1)
		}
	case *array.ListBuilder:
		b.Append(true)
		ef := b.Type().(*arrow.ListType).ElemField()
		for range r.IntN(4) {
			appendRandom(r, b.ValueBuilder(), ef, depth+1)
		}
	case *array.LargeListBuilder:
		b.Append(true)
		ef := b.Type().(*arrow.LargeListType).ElemField()
		for range r.IntN(4) {
			appendRandom(r, b.ValueBuilder(), ef, depth+1)
		}
	case *array.MapBuilder:
		b.Append(true)
		mt := b.Type().(*arrow.MapType)
		for k := range r.IntN(4) {
			b.KeyBuilder().(*array.StringBuilder).Append(randString(r) + string(rune('a'+k))) // distinct keys
			appendRandom(r, b.ItemBuilder(), mt.ItemField(), depth+1)
		}
	default:
		panic("no generator for " + b.Type().String())
	}
}

func randomBatch(mem memory.Allocator, r *rand.Rand, s *arrow.Schema, rows int) arrow.RecordBatch {
	bld := array.NewRecordBuilder(mem, s)
	defer bld.Release()
	for range rows {
		for i, f := range s.Fields() {
			appendRandom(r, bld.Field(i), f, 0)
		}
	}
	return bld.NewRecordBatch()
}

// TestRoundTrip: Arrow → encode → decode → the same Arrow, for random batches
// with every option combination.
func TestRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts := []json.Options{{}, {OmitNulls: true}, {EpochTimestamps: true, DecimalStrings: true}}
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		rec := randomBatch(mem, r, RoundTripSchema, 50)
		o := opts[seed%uint64(len(opts))]
		enc, err := encode.New(encode.Config{Compiler: json.NewCompiler(o)})
		if err != nil {
			t.Fatal(err)
		}
		var vals encode.Values
		if err := enc.Encode(context.Background(), rec, &vals); err != nil {
			t.Fatal(err)
		}
		if len(vals.Errors) != 0 {
			t.Fatalf("seed %d: row errors %v", seed, vals.Errors)
		}
		payloads := make([][]byte, vals.Len())
		for i := range payloads {
			payloads[i] = vals.Value(i)
		}
		plan, err := decjson.NewPlan(RoundTripSchema, decode.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		got, errs := decodetest.Run(t, mem, plan, payloads)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("seed %d row %d: %v\n%s", seed, i, err, payloads[i])
			}
		}
		for c := range rec.Columns() {
			if !array.Equal(rec.Column(c), got.Column(c)) {
				for i := 0; i < int(rec.NumRows()); i++ {
					a, b := rec.Column(c).GetOneForMarshal(i), got.Column(c).GetOneForMarshal(i)
					if !array.SliceEqual(rec.Column(c), int64(i), int64(i+1), got.Column(c), int64(i), int64(i+1)) {
						t.Errorf("seed %d (%+v) column %s row %d: wrote %v read %v\n%s", seed, o, rec.Schema().Field(c).Name, i, a, b, payloads[i])
						break
					}
				}
			}
		}
		got.Release()
		rec.Release()
	}
}
