package msgpack_test

import (
	"context"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/sabot-kafka/sabot/batch/batchtest"
	"github.com/sabot-kafka/sabot/decode"
	dmsgpack "github.com/sabot-kafka/sabot/decode/msgpack"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/msgpack"
)

func mustRecord(t testing.TB, mem memory.Allocator, s *arrow.Schema, json string) arrow.RecordBatch {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, s, strings.NewReader(json))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func encodeAll(t testing.TB, rec arrow.RecordBatch, o msgpack.Options) *encode.Values {
	t.Helper()
	enc, err := encode.New(encode.Config{Compiler: msgpack.NewCompiler(o)})
	if err != nil {
		t.Fatal(err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	if len(vals.Errors) > 0 {
		t.Fatal(vals.Errors)
	}
	return &vals
}

// TestSmallestEncodings checks the exact bytes of each value kind.
func TestSmallestEncodings(t *testing.T) {
	cases := []struct {
		name string
		dt   arrow.DataType
		json string // the column's value
		hex  string // the encoded value after the key
	}{
		{"fixint", arrow.PrimitiveTypes.Int64, "127", "7f"},
		{"uint8 form", arrow.PrimitiveTypes.Int64, "128", "d10080"},
		{"negative fixint", arrow.PrimitiveTypes.Int64, "-32", "e0"},
		{"int8", arrow.PrimitiveTypes.Int64, "-33", "d0df"},
		{"int32", arrow.PrimitiveTypes.Int64, "-2147483648", "d280000000"},
		{"int64", arrow.PrimitiveTypes.Int64, "1099511627776", "d30000010000000000"},
		{"uint8", arrow.PrimitiveTypes.Uint64, "255", "ccff"},
		{"uint64", arrow.PrimitiveTypes.Uint64, "18446744073709551615", "cfffffffffffffffff"},
		{"float32", arrow.PrimitiveTypes.Float32, "1.5", "ca3fc00000"},
		{"float64", arrow.PrimitiveTypes.Float64, "1.5", "cb3ff8000000000000"},
		{"bool", arrow.FixedWidthTypes.Boolean, "true", "c3"},
		{"empty str", arrow.BinaryTypes.String, `""`, "a0"},
		{"fixstr", arrow.BinaryTypes.String, `"abc"`, "a3616263"},
		{"str8", arrow.BinaryTypes.String, `"` + strings.Repeat("a", 32) + `"`, "d920" + strings.Repeat("61", 32)},
		{"bin8", arrow.BinaryTypes.Binary, `"AAE="`, "c4020001"},
		{"null", arrow.BinaryTypes.String, "null", "c0"},
		{"timestamp fixext4", &arrow.TimestampType{Unit: arrow.Second}, "60", "d6ff0000003c"},
		{"timestamp fixext8", &arrow.TimestampType{Unit: arrow.Millisecond}, "1500", "d7ff7735940000000001"},
		{"timestamp ext8 negative", &arrow.TimestampType{Unit: arrow.Millisecond}, "-1", "c70cff3b8b87c0ffffffffffffffff"},
		{"date32", arrow.FixedWidthTypes.Date32, "3", "03"},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int8), "[1, null]", "9201c0"},
		{"map", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int8), `[{"key": "k", "value": 2}]`, "81a16b02"},
		{"struct", arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int8, Nullable: true}), `{"a": null}`, "81a161c0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := arrow.NewSchema([]arrow.Field{{Name: "v", Type: tc.dt, Nullable: true}}, nil)
			rec := mustRecord(t, mem, s, `[{"v": `+tc.json+`}]`)
			defer rec.Release()
			got := hex.EncodeToString(encodeAll(t, rec, msgpack.Options{}).Value(0))
			if want := "81a176" + tc.hex; got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
	}
}

func TestOmitNulls(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "b", Type: arrow.StructOf(arrow.Field{Name: "c", Type: arrow.PrimitiveTypes.Int8, Nullable: true}), Nullable: true},
	}, nil)
	rec := mustRecord(t, mem, s, `[{"a": null, "b": {"c": null}}, {"a": 1, "b": null}]`)
	defer rec.Release()
	vals := encodeAll(t, rec, msgpack.Options{OmitNulls: true})
	if got := hex.EncodeToString(vals.Value(0)); got != "81a16280" {
		t.Fatalf("row 0: %s", got)
	}
	if got := hex.EncodeToString(vals.Value(1)); got != "81a16101" {
		t.Fatalf("row 1: %s", got)
	}
}

// TestReadByVmihailenco: an independent implementation reads what we write.
func TestReadByVmihailenco(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64},
		{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "geo", Type: arrow.StructOf(arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float32})},
	}, nil)
	rec := mustRecord(t, mem, s, `[{"id": "a", "n": null, "f": 2.5, "at": 1700000000123456, "tags": ["x", ""], "geo": {"lat": 1.5}},
		{"id": "", "n": -70000, "f": -0.25, "at": -1, "tags": [], "geo": {"lat": 0}}]`)
	defer rec.Release()
	vals := encodeAll(t, rec, msgpack.Options{})

	type geo struct {
		Lat float32 `msgpack:"lat"`
	}
	type row struct {
		ID   string    `msgpack:"id"`
		N    *int64    `msgpack:"n"`
		F    float64   `msgpack:"f"`
		At   time.Time `msgpack:"at"`
		Tags []string  `msgpack:"tags"`
		Geo  geo       `msgpack:"geo"`
	}
	var got [2]row
	for i := range got {
		if err := vmsgpack.Unmarshal(vals.Value(i), &got[i]); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	if got[0].ID != "a" || got[0].N != nil || got[0].F != 2.5 || !got[0].At.Equal(time.UnixMicro(1700000000123456)) ||
		strings.Join(got[0].Tags, ",") != "x," || got[0].Geo.Lat != 1.5 {
		t.Fatalf("row 0: %+v", got[0])
	}
	if got[1].ID != "" || *got[1].N != -70000 || !got[1].At.Equal(time.UnixMicro(-1)) || len(got[1].Tags) != 0 {
		t.Fatalf("row 1: %+v", got[1])
	}
}

// everyType is a schema with every encodable type, nested.
var everyType = arrow.NewSchema([]arrow.Field{
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
	{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
	{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f16", Type: arrow.FixedWidthTypes.Float16, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String},
	{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "sv", Type: arrow.BinaryTypes.StringView, Nullable: true},
	{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "lb", Type: arrow.BinaryTypes.LargeBinary, Nullable: true},
	{Name: "fb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 3}, Nullable: true},
	{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second}, Nullable: true},
	{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "ts_us", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "Europe/Paris"}, Nullable: true},
	{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "d64", Type: arrow.FixedWidthTypes.Date64, Nullable: true},
	{Name: "t32", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
	{Name: "t64", Type: arrow.FixedWidthTypes.Time64ns, Nullable: true},
	{Name: "dur", Type: arrow.FixedWidthTypes.Duration_us, Nullable: true},
	{Name: "cur", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	{Name: "nul", Type: arrow.Null, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "ll", Type: arrow.LargeListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32)), Nullable: true},
	{Name: "pair", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float64), Nullable: true},
	{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	{Name: "byid", Type: arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.StructOf(
		arrow.Field{Name: "x", Type: arrow.BinaryTypes.String, Nullable: true})), Nullable: true},
	{Name: "user", Type: arrow.StructOf(
		arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "seen", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		arrow.Field{Name: "addr", Type: arrow.StructOf(
			arrow.Field{Name: "zip", Type: arrow.PrimitiveTypes.Uint32},
			arrow.Field{Name: "lines", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		), Nullable: true},
		arrow.Field{Name: "events", Type: arrow.ListOf(arrow.StructOf(
			arrow.Field{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
			arrow.Field{Name: "v", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.Binary), Nullable: true},
		)), Nullable: true},
	), Nullable: true},
}, nil)

// TestRoundTrip is the property test: random batches of every type (with
// nulls, empty strings, nested types, extreme numbers and timestamps) encoded
// and decoded through the Encoder and Decoder come back equal.
func TestRoundTrip(t *testing.T) {
	for seed := range uint64(20) {
		for _, omit := range []bool{false, true} {
			roundTrip(t, everyType, seed, omit, false)
		}
	}
}

// TestRoundTripDecoder runs the round trip through decode.Decoder, whose
// builder sets are pooled: a dictionary builder keeps its memo table (held
// allocator memory) in that pool, so the schema here leaves the dictionary
// column out to keep the checked allocator exact.
func TestRoundTripDecoder(t *testing.T) {
	var fields []arrow.Field
	for _, f := range everyType.Fields() {
		if f.Type.ID() != arrow.DICTIONARY {
			fields = append(fields, f)
		}
	}
	s := arrow.NewSchema(fields, nil)
	for seed := range uint64(5) {
		roundTrip(t, s, seed, false, true)
	}
}

func roundTrip(t *testing.T, schema *arrow.Schema, seed uint64, omit, viaDecoder bool) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(seed, 1))
	rec := batchtest.Record(mem, schema, 150, rng, batchtest.Options{})
	// A slice checks that array offsets are honoured.
	in := rec.NewSlice(7, 140)
	rec.Release()
	defer in.Release()
	vals := encodeAll(t, in, msgpack.Options{OmitNulls: omit})

	var out arrow.RecordBatch
	if viaDecoder {
		out = decodeWithDecoder(t, mem, schema, vals)
	} else {
		out = decodeWithPlan(t, mem, schema, vals)
	}
	defer out.Release()
	for c := range int(in.NumCols()) {
		a, b := in.Column(c), out.Column(c)
		if d, ok := a.(*array.Dictionary); ok {
			// The decoded dictionary holds only the values in use.
			a, b = dictValues(t, mem, d), dictValues(t, mem, b.(*array.Dictionary))
			defer a.Release()
			defer b.Release()
		}
		if !array.Equal(a, b) {
			name := in.Schema().Field(c).Name
			for r := range a.Len() {
				if x, y := a.ValueStr(r), b.ValueStr(r); x != y {
					t.Fatalf("seed %d omit %v column %s row %d: wrote %s, read %s", seed, omit, name, r, x, y)
				}
			}
			t.Fatalf("seed %d column %s differs", seed, name)
		}
	}
}

func decodeWithPlan(t *testing.T, mem memory.Allocator, schema *arrow.Schema, vals *encode.Values) arrow.RecordBatch {
	t.Helper()
	plan, err := dmsgpack.NewPlan(dmsgpack.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	app, err := plan.Bind(b.Fields())
	if err != nil {
		t.Fatal(err)
	}
	for i := range vals.Len() {
		if err := app.Append(vals.Value(i)); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	return b.NewRecordBatch()
}

func decodeWithDecoder(t *testing.T, mem memory.Allocator, schema *arrow.Schema, vals *encode.Values) arrow.RecordBatch {
	t.Helper()
	comp, err := dmsgpack.NewCompiler(dmsgpack.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := decode.New(decode.Config{Compiler: comp, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	recs := &decode.Input{Values: make([][]byte, vals.Len())}
	for i := range recs.Values {
		recs.Values[i] = vals.Value(i)
	}
	res, err := dec.Decode(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 || len(res.Batches) != 1 {
		res.Release()
		t.Fatalf("errors %v, %d batches", res.Errors, len(res.Batches))
	}
	return res.Batches[0]
}

func TestUnsupported(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{{Name: "p", Type: arrow.StructOf(arrow.Field{Name: "price", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}})}}, nil)
	_, _, err := msgpack.NewCompiler(msgpack.Options{}).Compile(s)
	if !errors.Is(err, encode.ErrUnsupported) || !strings.Contains(err.Error(), "p.price") {
		t.Fatalf("error %v", err)
	}
}

func TestAppendTimestamp(t *testing.T) {
	cases := []struct {
		sec  int64
		nsec uint32
		hex  string
	}{
		{0, 0, "d6ff00000000"},
		{math.MaxUint32, 0, "d6ffffffffff"},
		{math.MaxUint32 + 1, 0, "d7ff0000000100000000"},
		{1, 1, "d7ff0000000400000001"},
		{1<<34 - 1, 999_999_999, "d7ffee6b27ffffffffff"},
		{1 << 34, 0, "c70cff000000000000000400000000"},
		{-1, 0, "c70cff00000000ffffffffffffffff"},
	}
	for _, tc := range cases {
		got := hex.EncodeToString(msgpack.AppendTimestamp(nil, tc.sec, tc.nsec))
		if got != tc.hex {
			t.Errorf("%d.%09d: got %s, want %s", tc.sec, tc.nsec, got, tc.hex)
		}
		var tm time.Time
		if err := vmsgpack.Unmarshal(msgpack.AppendTimestamp(nil, tc.sec, tc.nsec), &tm); err != nil || !tm.Equal(time.Unix(tc.sec, int64(tc.nsec))) {
			t.Errorf("%d.%09d: vmihailenco reads %v, %v", tc.sec, tc.nsec, tm, err)
		}
	}
}

// dictValues spells a dictionary<_, utf8> column out as a plain utf8 column.
func dictValues(t *testing.T, mem memory.Allocator, d *array.Dictionary) arrow.Array {
	t.Helper()
	b := array.NewStringBuilder(mem)
	defer b.Release()
	dict := d.Dictionary().(*array.String)
	for i := range d.Len() {
		if d.IsNull(i) {
			b.AppendNull()
		} else {
			b.Append(dict.Value(d.GetValueIndex(i)))
		}
	}
	return b.NewArray()
}
