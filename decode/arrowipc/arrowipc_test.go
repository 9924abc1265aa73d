package arrowipc_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch/batchtest"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/encode"
	encipc "github.com/sabot-kafka/sabot/encode/arrowipc"
)

// everyType covers every column type the plan copies.
var everyType = arrow.NewSchema([]arrow.Field{
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
	{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f16", Type: arrow.FixedWidthTypes.Float16, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "sv", Type: arrow.BinaryTypes.StringView, Nullable: true},
	{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "lb", Type: arrow.BinaryTypes.LargeBinary, Nullable: true},
	{Name: "bv", Type: arrow.BinaryTypes.BinaryView, Nullable: true},
	{Name: "fb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 4}, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "d64", Type: arrow.FixedWidthTypes.Date64, Nullable: true},
	{Name: "t32", Type: arrow.FixedWidthTypes.Time32s, Nullable: true},
	{Name: "t64", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
	{Name: "dur", Type: arrow.FixedWidthTypes.Duration_ns, Nullable: true},
	{Name: "nul", Type: arrow.Null, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "ll", Type: arrow.LargeListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	{Name: "pair", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float64), Nullable: true},
	{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	{Name: "user", Type: arrow.StructOf(
		arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "addr", Type: arrow.StructOf(arrow.Field{Name: "zip", Type: arrow.PrimitiveTypes.Uint32}), Nullable: true},
		arrow.Field{Name: "events", Type: arrow.ListOf(arrow.StructOf(arrow.Field{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true})), Nullable: true},
	), Nullable: true},
}, nil)

var withDict = arrow.NewSchema(append([]arrow.Field{
	{Name: "cur", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, Nullable: true},
}, everyType.Fields()[:3]...), nil)

func plan(t testing.TB, s *arrow.Schema, lim decode.Limits) *arrowipc.Plan {
	t.Helper()
	p, err := arrowipc.NewPlan(arrowipc.Options{Schema: s, Limits: lim, Allocator: memory.NewGoAllocator()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func equalRecords(t *testing.T, mem memory.Allocator, want, got arrow.RecordBatch) {
	t.Helper()
	if want.NumRows() != got.NumRows() {
		t.Fatalf("%d rows, want %d", got.NumRows(), want.NumRows())
	}
	for c := range int(want.NumCols()) {
		a, b := want.Column(c), got.Column(c)
		if a.DataType().ID() == arrow.DICTIONARY {
			for r := range a.Len() {
				if a.ValueStr(r) != b.ValueStr(r) {
					t.Fatalf("column %s row %d: %s, want %s", want.Schema().Field(c).Name, r, b.ValueStr(r), a.ValueStr(r))
				}
			}
			continue
		}
		if !array.Equal(a, b) {
			t.Fatalf("column %s differs:\n want %v\n got  %v", want.Schema().Field(c).Name, a, b)
		}
	}
}

// TestRoundTripRows: every row written as its own IPC stream by the Encoder
// reads back through Append, equal, for both compressions.
func TestRoundTripRows(t *testing.T) {
	for _, s := range []*arrow.Schema{everyType, withDict} {
		for _, comp := range []encipc.Compression{encipc.Uncompressed, encipc.LZ4, encipc.Zstd} {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			rec := batchtest.Record(mem, s, 60, rand.New(rand.NewPCG(uint64(comp), 9)), batchtest.Options{})
			in := rec.NewSlice(3, 50)
			rec.Release()
			enc, err := encode.New(encode.Config{Compiler: encipc.NewCompiler(encipc.Options{Compression: comp, Allocator: mem})})
			if err != nil {
				t.Fatal(err)
			}
			var vals encode.Values
			if err := enc.Encode(context.Background(), in, &vals); err != nil || len(vals.Errors) > 0 {
				t.Fatal(err, vals.Errors)
			}
			payloads := make([][]byte, vals.Len())
			for i := range payloads {
				payloads[i] = vals.Value(i)
			}
			out, errs := decodetest.Run(t, mem, plan(t, s, decode.Limits{}), payloads)
			for i, err := range errs {
				if err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
			}
			equalRecords(t, mem, in, out)
			out.Release()
			in.Release()
			mem.AssertSize(t, 0)
		}
	}
}

// TestAppendRows: whole batches (several per value) read back through
// AppendRows; a failing value appends one null row.
func TestAppendRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(5, 5))
	r1 := batchtest.Record(mem, everyType, 200, rng, batchtest.Options{})
	defer r1.Release()
	r2 := batchtest.Record(mem, everyType, 0, rng, batchtest.Options{})
	defer r2.Release()
	r3 := batchtest.Record(mem, everyType, 37, rng, batchtest.Options{})
	defer r3.Release()

	// One value with three batches, written by arrow-go's stream writer.
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(everyType), ipc.WithAllocator(mem))
	for _, r := range []arrow.RecordBatch{r1, r2, r3} {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	single, err := encipc.AppendBatch(nil, r3, encipc.Options{Compression: encipc.Zstd, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}

	b := array.NewRecordBuilder(mem, everyType)
	defer b.Release()
	app, err := plan(t, everyType, decode.Limits{}).BindRows(b.Fields())
	if err != nil {
		t.Fatal(err)
	}
	if n, err := app.AppendRows(buf.Bytes()); err != nil || n != 237 {
		t.Fatalf("three batches: %d rows, %v", n, err)
	}
	if n, err := app.AppendRows(single); err != nil || n != 37 {
		t.Fatalf("one batch: %d rows, %v", n, err)
	}
	if n, err := app.AppendRows(single[:len(single)/2]); err == nil || n != 1 {
		t.Fatalf("truncated: %d rows, %v", n, err)
	}
	if err := app.Append(single); !errors.Is(err, decode.ErrMalformed) || !strings.Contains(err.Error(), "37 rows in 1 batches, want exactly one row") {
		t.Fatalf("Append of 37 rows: %v", err)
	}
	got := b.NewRecordBatch()
	defer got.Release()
	want := []arrow.RecordBatch{r1, r3, r3}
	start := int64(0)
	for _, w := range want {
		part := got.NewSlice(start, start+w.NumRows())
		equalRecords(t, mem, w, part)
		part.Release()
		start += w.NumRows()
	}
	for r := start; r < got.NumRows(); r++ {
		if !got.Column(0).IsNull(int(r)) {
			t.Fatalf("row %d of a failed value is not null", r)
		}
	}
}

func TestSchemaPolicy(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := batchtest.Record(mem, withDict, 1, rand.New(rand.NewPCG(1, 1)), batchtest.Options{NullRate: 1})
	defer rec.Release()
	value, err := encipc.AppendBatch(nil, rec, encipc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := arrowipc.SchemaOf(value, decode.Limits{})
	if err != nil || !got.Equal(withDict) {
		t.Fatalf("SchemaOf: %v %v", got, err)
	}

	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	renamed := arrow.NewSchema(append([]arrow.Field{{Name: "cur2", Type: withDict.Field(0).Type}}, withDict.Fields()[1:]...), nil)
	strict := arrow.NewSchema(append([]arrow.Field{{Name: "cur", Type: withDict.Field(0).Type}}, withDict.Fields()[1:]...), nil)
	cases := []struct {
		name   string
		schema *arrow.Schema
		err    error
		msg    string // the error says
		path   string
	}{
		{"other fields", other, decode.ErrMalformed, "schema differs from the plan's", ""},
		{"renamed field", renamed, decode.ErrMalformed, "schema differs from the plan's", ""},
		{"null in a non-nullable column", strict, decode.ErrNull, "null in a non-nullable column", "cur"},
	}
	for _, tc := range cases {
		out, errs := decodetest.Run(t, mem, plan(t, tc.schema, decode.Limits{}), [][]byte{value})
		out.Release()
		var ve *decode.ValueError
		if !errors.Is(errs[0], tc.err) || !strings.Contains(errs[0].Error(), tc.msg) || !errors.As(errs[0], &ve) || ve.Path != tc.path {
			t.Errorf("%s: %v, want %v saying %q at %q", tc.name, errs[0], tc.err, tc.msg, tc.path)
		}
	}
}

func TestNewPlanErrors(t *testing.T) {
	deep := arrow.ListOf(arrow.PrimitiveTypes.Int8)
	for range 3 {
		deep = arrow.ListOf(deep)
	}
	for _, tc := range []struct {
		field arrow.Field
		err   error
	}{
		{arrow.Field{Name: "u", Type: arrow.SparseUnionOf([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int8}}, []arrow.UnionTypeCode{0})}, decode.ErrUnsupported},
		{arrow.Field{Name: "iv", Type: arrow.FixedWidthTypes.MonthInterval}, decode.ErrUnsupported},
		{arrow.Field{Name: "d", Type: deep}, decode.ErrTooLarge},
	} {
		_, err := arrowipc.NewPlan(arrowipc.Options{Schema: arrow.NewSchema([]arrow.Field{tc.field}, nil), Limits: decode.Limits{MaxDepth: 4}})
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.field.Name) {
			t.Errorf("%s: %v", tc.field.Name, err)
		}
	}
	if _, err := arrowipc.NewCompiler(arrowipc.Options{}); err == nil {
		t.Error("no schema accepted")
	}
}
