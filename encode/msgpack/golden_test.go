package msgpack_test

import (
	"encoding/hex"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode/msgpack"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenRows are encoded into testdata/msgpack/encoded.txt; the same rows are
// written out in testdata/msgpack/verify_encoded.py, which checks the file
// with msgpack-python.
const goldenRows = `[
{"id": "pay_1", "n": 42, "amount": 19.99, "ok": true, "ts": 1700000000123, "raw": "AAH/", "tags": ["a", ""], "attrs": [{"key": "x", "value": 1}], "geo": {"lat": 48.85, "lon": 2.35}},
{"id": "", "n": null, "amount": -0.5, "ok": false, "ts": -1, "raw": "", "tags": [], "attrs": [], "geo": null},
{"id": "日本語", "n": -9223372036854775808, "amount": null, "ok": null, "ts": null, "raw": null, "tags": null, "attrs": null, "geo": {"lat": null, "lon": 0}}
]`

var goldenSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	{Name: "geo", Type: arrow.StructOf(
		arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "lon", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	), Nullable: true},
}, nil)

func TestGoldenEncoded(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := mustRecord(t, mem, goldenSchema, goldenRows)
	defer rec.Release()
	vals := encodeAll(t, rec, msgpack.Options{})
	var got strings.Builder
	for i := range vals.Len() {
		got.WriteString(hex.EncodeToString(vals.Value(i)) + "\n")
	}
	const path = "../../testdata/msgpack/encoded.txt"
	if *update {
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Fatalf("encoding changed (go test -update rewrites %s):\n got\n%s want\n%s", path, got.String(), want)
	}
}
