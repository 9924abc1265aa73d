package json_test

import (
	stdjson "encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/json"
)

var fuzzSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "u", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "t", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
	{Name: "dec", Type: &arrow.Decimal128Type{Precision: 20, Scale: 3}, Nullable: true},
	{Name: "big", Type: &arrow.Decimal256Type{Precision: 50, Scale: 2}, Nullable: true},
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: arrow.NewMetadata([]string{json.MetaKey}, []string{json.MetaRaw})},
	{Name: "req", Type: arrow.BinaryTypes.String},
	{Name: "st", Type: arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		arrow.Field{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
	), Nullable: true},
	{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String), Nullable: true},
	{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, Nullable: true},
}, nil)

// FuzzDecode: any payload decodes or fails as one record error with aligned
// columns (decodetest checks), never panics, and nothing that encoding/json
// rejects is accepted.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":1,"req":"x","name":"a\u00e9\"","f":1.5,"ok":true,"ts":"2024-01-02T03:04:05.5Z","d":"2024-01-02","t":"01:02:03.004"}`))
	f.Add([]byte(`{"req":"","dec":"-12.345","big":1e10,"bin":"AAE=","raw":{"x":[1,2]},"st":{"a":-128,"l":[1e-3,null]},"m":{"k":"v"},"dict":"A"}`))
	f.Add([]byte(`{"req":"x","id":1e2,"u":65535,"m":{"a":"1","a":"2"}}`))
	files, _ := filepath.Glob("../../testdata/json/malformed/*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	plan, err := json.NewPlan(fuzzSchema, decode.Limits{MaxDepth: 20, MaxItems: 1000, MaxBytes: 4096})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec, errs := decodetest.Run(t, mem, plan, [][]byte{payload, []byte(`{"req":"after"}`)})
		defer rec.Release()
		if errs[0] == nil && !stdjson.Valid(payload) {
			t.Fatalf("accepted invalid JSON %q", payload)
		}
		if errs[1] != nil {
			t.Fatalf("row after %q: %v", payload, errs[1])
		}
	})
}
