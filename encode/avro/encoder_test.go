package avro_test

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/avro"
)

// batchOf builds a one-column batch from a JSON array of values.
func batchOf(t testing.TB, mem memory.Allocator, f arrow.Field, values string) arrow.RecordBatch {
	t.Helper()
	arr, _, err := array.FromJSON(mem, f.Type, strings.NewReader(values))
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{f}, nil), []arrow.Array{arr}, int64(arr.Len()))
}

func encodeAll(t testing.TB, c encode.Compiler, rec arrow.RecordBatch) *encode.Values {
	t.Helper()
	enc, err := encode.New(encode.Config{Compiler: c})
	if err != nil {
		t.Fatal(err)
	}
	vals := &encode.Values{}
	if err := enc.Encode(context.Background(), rec, vals); err != nil {
		t.Fatal(err)
	}
	return vals
}

func record(fields string) string {
	return `{"type":"record","name":"R","namespace":"t","fields":[` + fields + `]}`
}

// TestEncodeValues checks exact Avro bytes for single-column batches, and the
// rows that cannot be written.
func TestEncodeValues(t *testing.T) {
	ts := &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}
	cases := []struct {
		name   string
		field  arrow.Field
		avro   string // the type of field "v"
		values string
		want   []string // hex per row; "!" prefix: an error containing the rest
	}{
		{"long", arrow.Field{Name: "v", Type: arrow.PrimitiveTypes.Int64}, `"long"`, `[0, -1, 1, 64, -65]`,
			[]string{"00", "01", "02", "8001", "8101"}},
		{"int range", arrow.Field{Name: "v", Type: arrow.PrimitiveTypes.Int64}, `"int"`, `[2147483647, 2147483648]`,
			[]string{"feffffff0f", "!encode: row 1, field v: value out of range for the format"}},
		{"uint64 over long", arrow.Field{Name: "v", Type: arrow.PrimitiveTypes.Uint64}, `"long"`, `[1, 18446744073709551615]`,
			[]string{"02", "!out of range"}},
		{"null in non-null", arrow.Field{Name: "v", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, `"int"`, `[1, null]`,
			[]string{"02", "!encode: row 1, field v: null value the format cannot hold"}},
		{"nullable union", arrow.Field{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true}, `["null","string"]`, `["ab", null, ""]`,
			[]string{"02046162", "00", "0200"}},
		{"null second", arrow.Field{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true}, `["string","null"]`, `["ab", null]`,
			[]string{"00046162", "02"}},
		{"branch by arrow type", arrow.Field{Name: "v", Type: arrow.PrimitiveTypes.Int64}, `["null","string","long"]`, `[3]`,
			[]string{"0406"}},
		{"int into double", arrow.Field{Name: "v", Type: arrow.PrimitiveTypes.Int32}, `"double"`, `[1]`,
			[]string{"000000000000f03f"}},
		{"seconds into timestamp-millis", arrow.Field{Name: "v", Type: ts}, `{"type":"long","logicalType":"timestamp-millis"}`, `["1970-01-01T00:00:01Z"]`,
			[]string{"d00f"}},
		{"nanos into micros inexact", arrow.Field{Name: "v", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}},
			`{"type":"long","logicalType":"local-timestamp-micros"}`, `["1970-01-01T00:00:00.000001", "1970-01-01T00:00:00.000000001"]`,
			[]string{"02", "!not a whole multiple"}},
		{"date64 into date", arrow.Field{Name: "v", Type: arrow.FixedWidthTypes.Date64}, `{"type":"int","logicalType":"date"}`, `["1970-01-02"]`,
			[]string{"02"}},
		{"enum from string", arrow.Field{Name: "v", Type: arrow.BinaryTypes.String}, `{"type":"enum","name":"E","symbols":["A","B"]}`, `["B", "C"]`,
			[]string{"02", `!"C" is not a symbol`}},
		{"enum default", arrow.Field{Name: "v", Type: arrow.BinaryTypes.String}, `{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}`, `["C"]`,
			[]string{"00"}},
		{"fixed from binary", arrow.Field{Name: "v", Type: arrow.BinaryTypes.Binary}, `{"type":"fixed","name":"F","size":2}`, `["AAE=", "AA=="]`,
			[]string{"0001", "!1 bytes for fixed(2)"}},
		{"decimal bytes", arrow.Field{Name: "v", Type: &arrow.Decimal128Type{Precision: 5, Scale: 2}},
			`{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}`, `["1.28", "-1.28", "0", "-0.01"]`,
			[]string{"040080", "0280", "0200", "02ff"}},
		{"decimal fixed", arrow.Field{Name: "v", Type: &arrow.Decimal128Type{Precision: 5, Scale: 2}},
			`{"type":"fixed","name":"D","size":3,"logicalType":"decimal","precision":5,"scale":2}`, `["-0.01"]`,
			[]string{"ffffff"}},
		{"decimal over avro precision", arrow.Field{Name: "v", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
			`{"type":"bytes","logicalType":"decimal","precision":3,"scale":2}`, `["9.99", "10.00"]`,
			[]string{"0403e7", "!more than 3 digits"}},
		{"duration", arrow.Field{Name: "v", Type: arrow.FixedWidthTypes.MonthDayNanoInterval},
			`{"type":"fixed","name":"D","size":12,"logicalType":"duration"}`, `[{"months":1,"days":2,"nanoseconds":3000000}, {"months":-1,"days":0,"nanoseconds":0}]`,
			[]string{"010000000200000003000000", "!not a duration"}},
		{"list", arrow.Field{Name: "v", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)}, `{"type":"array","items":"int"}`, `[[1,2],[]]`,
			[]string{"04020400", "00"}},
		{"list null item", arrow.Field{Name: "v", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)}, `{"type":"array","items":"int"}`, `[[1,null]]`,
			[]string{"!encode: row 0, field v[]: null value the format cannot hold"}},
		{"map", arrow.Field{Name: "v", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64)}, `{"type":"map","values":"long"}`,
			`[[{"key":"a","value":1}],[]]`, []string{"0202610200", "00"}},
		{"struct", arrow.Field{Name: "v", Type: arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int32}, arrow.Field{Name: "extra", Type: arrow.PrimitiveTypes.Int8})},
			`{"type":"record","name":"S","fields":[{"name":"x","type":"int"},{"name":"d","type":"string","default":"z"},{"name":"n","type":["null","int"]}]}`,
			`[{"x":1,"extra":5}]`, []string{"0202" + "7a" + "00"}},
		{"union struct", arrow.Field{Name: "v", Type: arrow.StructOf(arrow.Field{Name: "string", Type: arrow.BinaryTypes.String, Nullable: true},
			arrow.Field{Name: "long", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), Nullable: true},
			`["null","string","long"]`, `[{"string":null,"long":5}, {"string":"q","long":null}, null, {"string":null,"long":null}]`,
			[]string{"040a", "020271", "00", "00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec := batchOf(t, mem, c.field, c.values)
			defer rec.Release()
			vals := encodeAll(t, avro.NewCompiler(avro.Options{Schema: record(`{"name":"v","type":` + c.avro + `}`)}), rec)
			errs := map[int]error{}
			for k := range vals.Errors {
				errs[vals.Errors[k].Row] = &vals.Errors[k]
			}
			for i, w := range c.want {
				if strings.HasPrefix(w, "!") {
					if errs[i] == nil || !strings.Contains(errs[i].Error(), w[1:]) {
						t.Fatalf("row %d: error %v, want one containing %q", i, errs[i], w[1:])
					}
					var fe *encode.ValueError
					if !errors.As(errs[i], &fe) || fe.Path == "" || fe.Row != i {
						t.Fatalf("row %d: %v is not a ValueError naming the field", i, errs[i])
					}
					continue
				}
				if errs[i] != nil {
					t.Fatalf("row %d: %v", i, errs[i])
				}
				if got := hex.EncodeToString(vals.Value(i)); got != w {
					t.Fatalf("row %d: %s, want %s", i, got, w)
				}
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name   string
		fields []arrow.Field
		schema string
		msg    string
	}{
		{"type mismatch", []arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String}}, record(`{"name":"a","type":"long"}`),
			"field a: Arrow utf8 cannot be written as Avro long"},
		{"nested mismatch", []arrow.Field{{Name: "a", Type: arrow.StructOf(arrow.Field{Name: "b", Type: arrow.FixedWidthTypes.Boolean})}},
			record(`{"name":"a","type":{"type":"record","name":"A","fields":[{"name":"b","type":"int"}]}}`), "field a.b: Arrow bool"},
		{"missing column", []arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, record(`{"name":"a","type":"long"},{"name":"b","type":"long"}`),
			"field b: no Arrow column and no default"},
		{"decimal scale", []arrow.Field{{Name: "a", Type: &arrow.Decimal128Type{Precision: 9, Scale: 3}}},
			record(`{"name":"a","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}`), "scale 3 differs from 2"},
		{"fixed size", []arrow.Field{{Name: "a", Type: &arrow.FixedSizeBinaryType{ByteWidth: 3}}},
			record(`{"name":"a","type":{"type":"fixed","name":"F","size":4}}`), "sizes differ"},
		{"no union branch", []arrow.Field{{Name: "a", Type: arrow.FixedWidthTypes.Boolean}}, record(`{"name":"a","type":["null","string"]}`),
			"no branch fits"},
		{"null into union without null", []arrow.Field{{Name: "a", Type: arrow.Null}}, record(`{"name":"a","type":["int","string"]}`),
			"no null branch"},
		{"timestamp into date", []arrow.Field{{Name: "a", Type: arrow.FixedWidthTypes.Timestamp_ms}},
			record(`{"name":"a","type":{"type":"int","logicalType":"date"}}`), "cannot be written"},
		{"derive float16", []arrow.Field{{Name: "a", Type: arrow.FixedWidthTypes.Float16}}, "", "field a: Arrow float16 has no Avro mapping"},
		{"derive bad name", []arrow.Field{{Name: "a-b", Type: arrow.PrimitiveTypes.Int64}}, "", `"a-b" is not a valid Avro name`},
		{"derive int map keys", []arrow.Field{{Name: "m", Type: arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32)}}, "", "Avro map keys are strings"},
		{"not a record", []arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.PrimitiveTypes.Int64}}, `"long"`,
			`one named "value"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := avro.NewCompiler(avro.Options{Schema: c.schema}).Compile(arrow.NewSchema(c.fields, nil))
			if !errors.Is(err, encode.ErrUnsupported) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want ErrUnsupported containing %q", err, c.msg)
			}
		})
	}
}

func TestDeriveSchema(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Europe/Oslo"}},
		{Name: "local", Type: &arrow.TimestampType{Unit: arrow.Second}},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 12, Scale: 3}},
		{Name: "fx", Type: &arrow.FixedSizeBinaryType{ByteWidth: 16}},
		{Name: "kind", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}},
		{Name: "tags", Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String)},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64)},
		{Name: "addr", Type: arrow.StructOf(arrow.Field{Name: "zip", Type: &arrow.FixedSizeBinaryType{ByteWidth: 5}}), Nullable: true},
		{Name: "span", Type: arrow.FixedWidthTypes.MonthDayNanoInterval},
		{Name: "t", Type: arrow.FixedWidthTypes.Time32ms},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	got, err := avro.DeriveSchema(s, "Row", "com.acme")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"record","name":"Row","namespace":"com.acme","fields":[` +
		`{"name":"id","type":"string"},` +
		`{"name":"n","type":["null","int"],"default":null},` +
		`{"name":"u32","type":"long"},` +
		`{"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},` +
		`{"name":"local","type":{"type":"long","logicalType":"local-timestamp-millis"}},` +
		`{"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":3}},` +
		`{"name":"fx","type":{"type":"fixed","name":"fx","namespace":"com.acme.Row","size":16}},` +
		`{"name":"kind","type":"string"},` +
		`{"name":"tags","type":{"type":"array","items":"string"}},` +
		`{"name":"m","type":{"type":"map","values":["null","double"]}},` +
		`{"name":"addr","type":["null",{"type":"record","name":"addr","namespace":"com.acme.Row","fields":[` +
		`{"name":"zip","type":{"type":"fixed","name":"zip","namespace":"com.acme.Row.addr","size":5}}]}],"default":null},` +
		`{"name":"span","type":{"type":"fixed","name":"span","namespace":"com.acme.Row","size":12,"logicalType":"duration"}},` +
		`{"name":"t","type":{"type":"int","logicalType":"time-millis"}},` +
		`{"name":"d","type":{"type":"int","logicalType":"date"}}]}`
	if got != want {
		t.Fatalf("derived\n%s\nwant\n%s", got, want)
	}
}

// TestEncodeSlices: a batch that is a slice of a larger one (arrays with an
// offset) encodes its own rows.
func TestEncodeSlices(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := arrow.Field{Name: "v", Type: arrow.StructOf(
		arrow.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		arrow.Field{Name: "d", Type: &arrow.Decimal128Type{Precision: 4, Scale: 1}},
	)}
	rec := batchOf(t, mem, f, `[{"s":"a","l":[1],"d":"1.0"},{"s":null,"l":[2,3],"d":"2.0"},{"s":"c","l":[],"d":"3.0"}]`)
	defer rec.Release()
	sl := rec.NewSlice(1, 3)
	defer sl.Release()
	schema := record(`{"name":"v","type":{"type":"record","name":"V","fields":[{"name":"s","type":["null","string"]},` +
		`{"name":"l","type":{"type":"array","items":"long"}},{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}}]}}`)
	vals := encodeAll(t, avro.NewCompiler(avro.Options{Schema: schema}), sl)
	want := []string{"00" + "04040600" + "0214", "020263" + "00" + "021e"}
	for i, w := range want {
		if got := hex.EncodeToString(vals.Value(i)); got != w {
			t.Fatalf("row %d: %s, want %s", i, got, w)
		}
	}
}

func TestWriter(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	_, w, err := avro.NewCompiler(avro.Options{Schema: record(`{"name":"a","type":"long"}`)}).Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if w.RecordName != "t.R" || w.Schema.Type != "AVRO" || !strings.Contains(w.Schema.Text, `"name":"R"`) || w.MessageIndexes != nil {
		t.Fatalf("writer %+v", w)
	}
	_, w, err = avro.NewCompiler(avro.Options{}).Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if w.RecordName != "Record" {
		t.Fatalf("derived record name %q", w.RecordName)
	}
	_, w, err = avro.NewCompiler(avro.Options{Schema: `"long"`}).Compile(s)
	if err != nil || w.RecordName != "" {
		t.Fatalf("non-record writer %+v %v", w, err)
	}
}
