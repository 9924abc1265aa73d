package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// Arrow's JSON form of a schema, with every type a layout takes.
const arrowJSONLayout = `{"fields":[
 {"name":"b","nullable":false,"type":{"name":"bool"},"children":[]},
 {"name":"i8","nullable":true,"type":{"name":"int","bitWidth":8,"isSigned":true},"children":[]},
 {"name":"u64","nullable":true,"type":{"name":"int","bitWidth":64,"isSigned":false},"children":[]},
 {"name":"f","nullable":true,"type":{"name":"floatingpoint","precision":"SINGLE"},"children":[]},
 {"name":"s","nullable":true,"type":{"name":"largeutf8"},"children":[]},
 {"name":"fb","nullable":true,"type":{"name":"fixedsizebinary","byteWidth":16},"children":[]},
 {"name":"d","nullable":true,"type":{"name":"decimal","precision":12,"scale":2,"bitWidth":128},"children":[]},
 {"name":"day","nullable":true,"type":{"name":"date","unit":"DAY"},"children":[]},
 {"name":"t","nullable":true,"type":{"name":"time","unit":"MICROSECOND","bitWidth":64},"children":[]},
 {"name":"ts","nullable":true,"type":{"name":"timestamp","unit":"MILLISECOND","timezone":"UTC"},"children":[]},
 {"name":"dur","nullable":true,"type":{"name":"duration","unit":"NANOSECOND"},"children":[]},
 {"name":"tags","nullable":true,"type":{"name":"list"},"children":[{"name":"item","nullable":true,"type":{"name":"utf8"},"children":[]}]},
 {"name":"user","nullable":true,"type":{"name":"struct"},"children":[{"name":"id","nullable":false,"type":{"name":"int","bitWidth":32,"isSigned":true},"children":[]}]},
 {"name":"attrs","nullable":true,"type":{"name":"map","keysSorted":false},"children":[{"name":"entries","nullable":false,"type":{"name":"struct"},"children":[
   {"name":"key","nullable":false,"type":{"name":"utf8"},"children":[]},{"name":"value","nullable":true,"type":{"name":"int","bitWidth":64,"isSigned":true},"children":[]}]}]},
 {"name":"kind","nullable":true,"type":{"name":"utf8"},"children":[],"dictionary":{"id":0,"indexType":{"name":"int","bitWidth":32,"isSigned":true},"isOrdered":false}},
 {"name":"raw","nullable":true,"type":{"name":"utf8"},"children":[],"metadata":[{"key":"sabot.json","value":"raw"}]}
]}`

func TestParseLayout(t *testing.T) {
	s, err := parseLayout([]byte(arrowJSONLayout))
	if err != nil {
		t.Fatal(err)
	}
	want := arrow.NewSchema([]arrow.Field{
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "fb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 16}, Nullable: true},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "t", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "dur", Type: arrow.FixedWidthTypes.Duration_ns, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "user", Type: arrow.StructOf(arrow.Field{Name: "id", Type: arrow.PrimitiveTypes.Int32}), Nullable: true},
		{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "kind", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: arrow.NewMetadata([]string{"sabot.json"}, []string{"raw"})},
	}, nil)
	if !s.Equal(want) {
		t.Fatalf("parsed\n%s\nwant\n%s", s, want)
	}
	if !s.Field(15).Metadata.Equal(want.Field(15).Metadata) {
		t.Errorf("field metadata %v", s.Field(15).Metadata)
	}

	// The same schema from an IPC file and an IPC stream; metadata columns
	// are dropped.
	withMeta := arrow.NewSchema(append(want.Fields(), arrow.Field{Name: "_offset", Type: arrow.PrimitiveTypes.Int64}), nil)
	var file, stream bytes.Buffer
	fw, err := ipc.NewFileWriter(&file, ipc.WithSchema(withMeta))
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ipc.NewWriter(&stream, ipc.WithSchema(withMeta)).Close(); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"file": file.Bytes(), "stream": stream.Bytes()} {
		got, err := parseLayout(b)
		if err != nil || !got.Equal(want) {
			t.Errorf("IPC %s: %v %v", name, got, err)
		}
	}

	for _, tc := range []struct{ text, want string }{
		{`{"type":"record","name":"R","fields":[{"name":"n","type":"int"}]}`, "n: type=int32"},
		{`{"type":"object","properties":{"n":{"type":"integer"}}}`, "n: type=int64"},
	} {
		got, err := parseLayout([]byte(tc.text))
		if err != nil || !strings.Contains(got.String(), tc.want) {
			t.Errorf("%s: %v %v", tc.text, got, err)
		}
	}
	for _, tc := range []struct{ text, want string }{
		{`not json`, "neither an Arrow IPC file or stream nor a JSON object"},
		{`{"fields":[]}`, "no fields"},
		{`{"fields":[{"name":"u","type":{"name":"union"}}]}`, "type union: not supported"},
		{`{"fields":[{"name":"l","type":{"name":"list"},"children":[]}]}`, "want 1 children"},
		{`{"fields":[{"name":"i","type":{"name":"int","bitWidth":12}}]}`, "bitWidth must be 8, 16, 32 or 64"},
		{`{"fields":[{"name":"_key","type":{"name":"binary"}}]}`, "only metadata columns"},
		{`{"type":"record","name":"R","fields":[{"name":"n","type":"nope"}]}`, "as an Avro schema"},
		{"ARROW1 but not a file", "arrow"},
	} {
		if _, err := parseLayout([]byte(tc.text)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.text, err, tc.want)
		}
	}
	deep := strings.Repeat(`{"name":"l","type":{"name":"list"},"children":[`, 100) + `{"name":"x","type":{"name":"bool"}}` + strings.Repeat(`]}`, 100)
	if _, err := parseLayout([]byte(`{"fields":[` + deep + `]}`)); err == nil || !strings.Contains(err.Error(), "nested deeper than") {
		t.Errorf("deep nesting: %v", err)
	}
}

// A layout file is user input: whatever it holds, parsing returns a schema
// or an error, never a panic.
func FuzzParseLayout(f *testing.F) {
	f.Add([]byte(arrowJSONLayout))
	f.Add([]byte(`{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":"long"}}]}`))
	f.Add([]byte(`{"type":"object","properties":{"a":{"type":"array","items":{"type":"string","format":"date-time"}}}}`))
	f.Add([]byte("ARROW1\x00\x00"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseLayout(b)
		if err == nil && s.NumFields() == 0 {
			t.Fatal("a layout without columns")
		}
	})
}
