package arrowipc_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
)

// jsonValue turns element i of a column into what gen.py expects.
func jsonValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Timestamp:
		return float64(a.Value(i))
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10) // exact, compared as text
	case *array.Binary:
		return base64.StdEncoding.EncodeToString(a.Value(i))
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Dictionary:
		return a.Dictionary().(*array.String).Value(a.GetValueIndex(i))
	case *array.Map:
		out := map[string]any{}
		start, end := a.ValueOffsets(i)
		for j := start; j < end; j++ {
			out[a.Keys().(*array.String).Value(int(j))] = jsonValue(a.Items(), int(j))
		}
		return out
	case *array.List:
		out := []any{}
		start, end := a.ValueOffsets(i)
		for j := start; j < end; j++ {
			out = append(out, jsonValue(a.ListValues(), int(j)))
		}
		return out
	case *array.Struct:
		out := map[string]any{}
		for f := range a.NumField() {
			out[a.DataType().(*arrow.StructType).Field(f).Name] = jsonValue(a.Field(f), i)
		}
		return out
	}
	return a.GetOneForMarshal(i)
}

func expectedRows(t *testing.T) []map[string]any {
	t.Helper()
	f, err := os.Open("../../testdata/arrowipc/pyarrow_expect.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		dec := json.NewDecoder(bytesReader(sc.Bytes()))
		dec.UseNumber()
		var r map[string]any
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	return rows
}

// normalize makes gen.py's JSON and ours comparable: integers as text,
// other numbers as float64.
func normalize(v any) any {
	switch v := v.(type) {
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return string(v)
		}
		f, _ := v.Float64()
		return normalize(f)
	case float64:
		if v == float64(int64(v)) {
			return strconv.FormatInt(int64(v), 10)
		}
		return v
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
	}
	return v
}

// TestGoldenPyarrow reads streams written by pyarrow (two batches in one
// value; LZ4 bodies) with the schema taken from the value.
func TestGoldenPyarrow(t *testing.T) {
	want := expectedRows(t)
	for _, name := range []string{"pyarrow_plain.arrows", "pyarrow_lz4.arrows"} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			value, err := os.ReadFile("../../testdata/arrowipc/" + name)
			if err != nil {
				t.Fatal(err)
			}
			s, err := arrowipc.SchemaOf(value, decode.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := arrowipc.NewPlan(arrowipc.Options{Schema: s, Allocator: mem})
			if err != nil {
				t.Fatal(err)
			}
			b := array.NewRecordBuilder(mem, s)
			defer b.Release()
			app, err := p.BindRows(b.Fields())
			if err != nil {
				t.Fatal(err)
			}
			if n, err := app.AppendRows(value); err != nil || n != len(want) {
				t.Fatalf("%d rows, %v", n, err)
			}
			rec := b.NewRecordBatch()
			defer rec.Release()
			for r := range want {
				got := map[string]any{}
				for c, f := range s.Fields() {
					got[f.Name] = jsonValue(rec.Column(c), r)
				}
				g, w := normalize(roundJSON(t, got)), normalize(want[r])
				if !reflect.DeepEqual(g, w) {
					t.Errorf("row %d:\n got  %v\n want %v", r, g, w)
				}
			}
		})
	}
}

func roundJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytesReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
