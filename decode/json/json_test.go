package json_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/json"
)

func checked(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// rowJSON renders row i of rec as JSON text (arrow's own rendering), for
// comparisons that read like the input.
func rowJSON(t testing.TB, rec arrow.RecordBatch, i int) string {
	t.Helper()
	s := rec.NewSlice(int64(i), int64(i+1))
	defer s.Release()
	b, err := s.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "")
}

func TestDecodeTypes(t *testing.T) {
	mem := checked(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int32, Nullable: true}), Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	plan, err := json.NewPlan(schema, decode.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, want string
	}{
		{`{}`, `{"b":null,"bin":null,"d":null,"dec":null,"f":null,"i":null,"i8":null,"l":null,"m":null,"s":null,"st":null,"ts":null,"u":null}`},
		{`{"s":"a\"b\\c\u00e9\ud83d\ude00","i":-9223372036854775808,"i8":-128,"u":4294967295,"f":1e-7,"b":true}`,
			`{"b":true,"bin":null,"d":null,"dec":null,"f":1e-07,"i":-9223372036854775808,"i8":-128,"l":null,"m":null,"s":"a\"b\\cé😀","st":null,"ts":null,"u":4294967295}`},
		{` { "i" : 1.0e2 , "f" : 5 , "unknown" : {"deep":[1,2,{"x":null}]} } `,
			`{"b":null,"bin":null,"d":null,"dec":null,"f":5,"i":100,"i8":null,"l":null,"m":null,"s":null,"st":null,"ts":null,"u":null}`},
		{`{"ts":"2023-11-14T22:13:20.123+01:00","d":"2024-02-29","dec":"-12.5","bin":"AAEC/w=="}`,
			`{"b":null,"bin":"AAEC/w==","d":"2024-02-29","dec":"-12.5","f":null,"i":null,"i8":null,"l":null,"m":null,"s":null,"st":null,"ts":"2023-11-14T21:13:20.123Z","u":null}`},
		{`{"ts":1700000000123,"d":19782,"dec":99.99}`,
			`{"b":null,"bin":null,"d":"2024-02-29","dec":"99.99","f":null,"i":null,"i8":null,"l":null,"m":null,"s":null,"st":null,"ts":"2023-11-14T22:13:20.123Z","u":null}`},
		{`{"st":{"x":7,"y":"skip"},"l":["a","",null],"m":{"k":1,"":2,"z":null}}`,
			`{"b":null,"bin":null,"d":null,"dec":null,"f":null,"i":null,"i8":null,"l":["a","",null],"m":[{"key":"k","value":1},{"key":"","value":2},{"key":"z","value":null}],"s":null,"st":{"x":7},"ts":null,"u":null}`},
		{`{"s":null,"st":null,"l":[],"m":{}}`,
			`{"b":null,"bin":null,"d":null,"dec":null,"f":null,"i":null,"i8":null,"l":[],"m":[],"s":null,"st":null,"ts":null,"u":null}`},
	}
	payloads := make([][]byte, len(tests))
	for i, tc := range tests {
		payloads[i] = []byte(tc.in)
	}
	rec, errs := decodetest.Run(t, mem, plan, payloads)
	defer rec.Release()
	for i, tc := range tests {
		if errs[i] != nil {
			t.Errorf("%s: %v", tc.in, errs[i])
			continue
		}
		if got := rowJSON(t, rec, i); got != "["+tc.want+"]" {
			t.Errorf("%s\n got %s\nwant [%s]", tc.in, got, tc.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	mem := checked(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.StructOf(arrow.Field{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true})), Nullable: true},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	plan, err := json.NewPlan(schema, decode.Limits{MaxDepth: 4, MaxBytes: 16, MaxItems: 3})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		kind error
		msg  string
	}{
		{`{"id":1,"name":"ok"}`, nil, ""},
		{`{"id":2147483648}`, decode.ErrRange, "decode: field id at byte 16: value out of range for its column: 2147483648 is outside [-2147483648, 2147483647]"},
		{`{"id":1.5}`, decode.ErrType, "1.5 is not an integer"},
		{`{"name":"x"}`, decode.ErrNull, `field id `},
		{`{"id":null}`, decode.ErrNull, "field id at byte 10: null in a non-nullable column: got null"},
		{`{"id":"1"}`, decode.ErrType, "want number, got string"},
		{`{"id":1,"id":2}`, decode.ErrType, "duplicate key"},
		{`{"id":1,"m":{"a":1,"a":2}}`, decode.ErrType, "duplicate key"},
		{`{"id":1,"name":"abc`, decode.ErrMalformed, "end of input"},
		{`{"id":1,"name":"\x"}`, decode.ErrMalformed, "bad escape"},
		{`{"id":1,"name":"\u12"}`, decode.ErrMalformed, "bad \\u escape"},
		{"{\"id\":1,\"name\":\"\xff\"}", decode.ErrMalformed, "UTF-8"},
		{"{\"id\":1,\"name\":\"a\nb\"}", decode.ErrMalformed, "control character"},
		{`{"id":1,"name":"0123456789abcdefXX"}`, decode.ErrTooLarge, "string"},
		{`{"id":1,"tags":[{"k":"a"},{"k":"b"},{"k":"c"},{"k":"d"}]}`, decode.ErrTooLarge, "more than 3"},
		{`{"id":1,"x":[[[[[1]]]]]}`, decode.ErrTooLarge, "nesting deeper"},
		{`{"id":1,"tags":[{"k":1}]}`, decode.ErrType, `field tags[].k `},
		{`{"id":1,"m":{"a":"x"}}`, decode.ErrType, `field m{} `},
		{`{"id":1} x`, decode.ErrMalformed, "after the top-level"},
		{`[1]`, decode.ErrType, "decode: at byte 0: value does not fit its column: top-level value is a array, want an object"},
		{``, decode.ErrMalformed, "end of input"},
		{`{"id":01}`, decode.ErrMalformed, "expected ','"},
		{`{"id":1,}`, decode.ErrMalformed, "expected an object key"},
		{`{"id":-}`, decode.ErrMalformed, "invalid number"},
		{`{"id":1e999999999999}`, decode.ErrRange, "is outside"},
		{`{"id":tru}`, decode.ErrType, "want number"},
		{`{"id":1,"name":nul}`, decode.ErrType, "want string"},
	}
	payloads := make([][]byte, len(tests))
	for i, tc := range tests {
		payloads[i] = []byte(tc.in)
	}
	rec, errs := decodetest.Run(t, mem, plan, payloads)
	defer rec.Release()
	for i, tc := range tests {
		err := errs[i]
		if tc.kind == nil {
			if err != nil {
				t.Errorf("%q: %v", tc.in, err)
			}
			continue
		}
		var ve *decode.ValueError
		if !errors.Is(err, tc.kind) || !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: got %v, want %v containing %q", tc.in, err, tc.kind, tc.msg)
		}
	}
}

// TestMalformedCorpus runs every file of testdata/json/malformed: each must be
// a record error (the harness checks that columns stay aligned).
func TestMalformedCorpus(t *testing.T) {
	mem := checked(t)
	files, err := filepath.Glob("../../testdata/json/malformed/*.json")
	if err != nil || len(files) < 10 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "nested", Type: arrow.StructOf(arrow.Field{Name: "list", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true}), Nullable: true},
	}, nil)
	plan, err := json.NewPlan(schema, decode.Limits{MaxDepth: 16})
	if err != nil {
		t.Fatal(err)
	}
	var payloads [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, b, []byte(`{"id":1,"name":"good"}`))
	}
	rec, errs := decodetest.Run(t, mem, plan, payloads)
	defer rec.Release()
	for i, f := range files {
		if errs[2*i] == nil {
			t.Errorf("%s decoded without error", filepath.Base(f))
		}
		if errs[2*i+1] != nil {
			t.Errorf("good row after %s: %v", filepath.Base(f), errs[2*i+1])
		}
		if got := rec.Column(1).(*array.String).Value(2*i + 1); got != "good" {
			t.Errorf("good row after %s reads %q", filepath.Base(f), got)
		}
	}
}

func TestUnsupportedTypes(t *testing.T) {
	for _, f := range []arrow.Field{
		{Name: "x", Type: arrow.Null},
		{Name: "x", Type: arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32)},
		{Name: "x", Type: arrow.StructOf(arrow.Field{Name: "y", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int8)})},
	} {
		_, err := json.NewPlan(arrow.NewSchema([]arrow.Field{f}, nil), decode.Limits{})
		if !errors.Is(err, decode.ErrUnsupported) || !strings.Contains(err.Error(), `"x`) {
			t.Errorf("%s: %v", f.Type, err)
		}
	}
}
