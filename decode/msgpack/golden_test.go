package msgpack_test

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/msgpack"
)

// goldenSchema is the schema testdata/msgpack/gen.py writes values for.
var goldenSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "small", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "u", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
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

// goldenValues reads testdata/msgpack/python_values.txt (name and hex per line).
func goldenValues(t testing.TB) (names []string, values [][]byte) {
	t.Helper()
	f, err := os.Open("../../testdata/msgpack/python_values.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, h, _ := strings.Cut(sc.Text(), " ")
		v, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		names, values = append(names, name), append(values, v)
	}
	return names, values
}

// plain turns element i of a golden column into what gen.py expects, in the
// form encoding/json gives it back (numbers as json.Number).
func plain(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	num := func(v any) any { b, _ := json.Marshal(v); return json.Number(b) }
	switch a := a.(type) {
	case *array.Timestamp:
		return num(int64(a.Value(i)))
	case *array.Binary:
		return base64.StdEncoding.EncodeToString(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.List:
		out := []any{}
		start, end := a.ValueOffsets(i)
		for j := start; j < end; j++ {
			out = append(out, plain(a.ListValues(), int(j)))
		}
		return out
	case *array.Map:
		out := map[string]any{}
		start, end := a.ValueOffsets(i)
		for j := start; j < end; j++ {
			out[a.Keys().(*array.String).Value(int(j))] = plain(a.Items(), int(j))
		}
		return out
	case *array.Struct:
		out := map[string]any{}
		for f := range a.NumField() {
			out[a.DataType().(*arrow.StructType).Field(f).Name] = plain(a.Field(f), i)
		}
		return out
	}
	return num(a.GetOneForMarshal(i))
}

// TestGoldenPython decodes values written by msgpack-python and compares each
// row (or error) with what gen.py says it must be.
func TestGoldenPython(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	names, values := goldenValues(t)
	plan, err := msgpack.NewPlan(msgpack.Options{Schema: goldenSchema})
	if err != nil {
		t.Fatal(err)
	}
	rec, errs := decodetest.Run(t, mem, plan, values)
	defer rec.Release()

	f, err := os.Open("../../testdata/msgpack/python_expect.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kinds := map[string]error{"type": decode.ErrType, "range": decode.ErrRange, "null": decode.ErrNull, "malformed": decode.ErrMalformed, "limit": decode.ErrTooLarge}
	dec := json.NewDecoder(f)
	dec.UseNumber()
	for i := 0; dec.More(); i++ {
		var want struct {
			Name  string
			Row   map[string]any
			Error string
		}
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if i >= len(names) || names[i] != want.Name {
			t.Fatalf("expectation %d is %q, value is %q", i, want.Name, names[i])
		}
		if want.Error != "" {
			if !errors.Is(errs[i], kinds[want.Error]) {
				t.Errorf("%s: error %v, want %s", want.Name, errs[i], want.Error)
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("%s: %v", want.Name, errs[i])
			continue
		}
		got := map[string]any{}
		for c, fld := range goldenSchema.Fields() {
			got[fld.Name] = plain(rec.Column(c), i)
		}
		// Round both through JSON so numbers compare as text.
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want.Row)
		var g, w any
		gd := json.NewDecoder(strings.NewReader(string(gb)))
		gd.UseNumber()
		wd := json.NewDecoder(strings.NewReader(string(wb)))
		wd.UseNumber()
		if gd.Decode(&g) != nil || wd.Decode(&w) != nil || !reflect.DeepEqual(numbersAsText(g), numbersAsText(w)) {
			t.Errorf("%s:\n got  %s\n want %s", want.Name, gb, wb)
		}
	}
}

// numbersAsText rewrites json.Numbers so that 3 and 3.0 compare equal while
// 64-bit integers keep every digit.
func numbersAsText(v any) any {
	switch v := v.(type) {
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return string(v)
		}
		if _, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return string(v)
		}
		f, _ := strconv.ParseFloat(string(v), 64)
		return strconv.FormatFloat(f, 'g', -1, 64)
	case map[string]any:
		for k, e := range v {
			v[k] = numbersAsText(e)
		}
	case []any:
		for i, e := range v {
			v[i] = numbersAsText(e)
		}
	}
	return v
}
