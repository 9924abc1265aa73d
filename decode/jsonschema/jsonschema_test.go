package jsonschema_test

import (
	"bufio"
	"bytes"
	stdjson "encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/decode/jsonschema"
	"github.com/sabot-kafka/sabot/registry"
)

var update = flag.Bool("update", false, "rewrite golden files")

const dir = "../../testdata/jsonschema/"

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// depsOf lists the referenced documents a schema of the corpus needs, in
// dependency order, as the registry would resolve them.
func depsOf(t testing.TB, name string) []registry.Dependency {
	if name != "refs-customer" {
		return nil
	}
	return []registry.Dependency{
		{Name: "geo.json", Schema: registry.Schema{Type: registry.TypeJSON, Text: readFile(t, "schemas/geo.json")}},
		{Name: "address.json", Schema: registry.Schema{Type: registry.TypeJSON, Text: readFile(t, "schemas/address.json")}},
	}
}

// corpus lists the top-level schemas (those with a values file).
func corpus(t testing.TB) []string {
	files, err := filepath.Glob(dir + "values/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no value corpus: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".jsonl"))
	}
	return names
}

func lines(t testing.TB, name string) [][]byte {
	var out [][]byte
	sc := bufio.NewScanner(strings.NewReader(readFile(t, "values/"+name+".jsonl")))
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			out = append(out, append([]byte(nil), l...))
		}
	}
	return out
}

// TestSpecExample: a missing required age is rejected
// with a message that says so, on both validation paths.
func TestSpecExample(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := readFile(t, "schemas/users.json")
	for _, mode := range []jsonschema.Mode{jsonschema.Auto, jsonschema.Full} {
		plan, err := jsonschema.NewPlan(schema, nil, mode, decode.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		rec, errs := decodetest.Run(t, mem, plan, [][]byte{
			[]byte(`{"user_id": "123", "age": 30}`),
			[]byte(`{"user_id": "456"}`),
			[]byte(`{"user_id": "789", "age": -1}`),
		})
		if errs[0] != nil {
			t.Errorf("mode %d: valid value: %v", mode, errs[0])
		}
		if !errors.Is(errs[1], decode.ErrInvalid) || !strings.Contains(errs[1].Error(), "age") || !strings.Contains(errs[1].Error(), "missing") {
			t.Errorf("mode %d: missing age: %v", mode, errs[1])
		}
		if !errors.Is(errs[2], decode.ErrInvalid) || !strings.Contains(errs[2].Error(), "minimum") {
			t.Errorf("mode %d: negative age: %v", mode, errs[2])
		}
		if got := rec.Column(1).(*array.Int64).Value(0); got != 30 {
			t.Errorf("age = %d", got)
		}
		rec.Release()
	}
}

// TestDerivedLayouts compares the Arrow layout derived from each schema with
// its golden file (go test -update rewrites them).
func TestDerivedLayouts(t *testing.T) {
	for _, name := range corpus(t) {
		js, err := json.CompileJSONSchema(readFile(t, "schemas/"+name+".json"), depsOf(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := js.Schema().String() + "\nexact: " + map[bool]string{true: "yes", false: "no"}[js.Exact()] + "\ntitle: " + js.Title() + "\n"
		golden := filepath.Join(dir, "layouts", name+".txt")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s: layout\n%s\nwant\n%s", name, got, want)
		}
	}
}

// mutations derives values around v: each key dropped, and each key set to
// values of every kind and edge, so both paths meet many failures.
func mutations(v []byte) [][]byte {
	var m map[string]any
	if stdjson.Unmarshal(v, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	repl := []any{nil, 0, -1, 1.5, 1e300, "", "x", "2024-01-02T03:04:05Z", true, []any{}, []any{1, "a"}, map[string]any{}, map[string]any{"a": 1}, stdjson.Number("1e400"), stdjson.Number("12345678901234567890")}
	var out [][]byte
	add := func(x map[string]any) {
		b, err := stdjson.Marshal(x)
		if err == nil {
			out = append(out, b)
		}
	}
	for _, k := range keys {
		c := map[string]any{}
		for kk, vv := range m {
			if kk != k {
				c[kk] = vv
			}
		}
		add(c)
		for _, r := range repl {
			c[k] = r
			add(c)
		}
		delete(c, k)
	}
	return out
}

// TestPathsAgree runs every value of the corpus and its mutations through
// the fast path (Auto) and the full validator (Full): both accept or both
// reject, and accepted rows are equal.
func TestPathsAgree(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	total, rejected := 0, 0
	for _, name := range corpus(t) {
		schema := readFile(t, "schemas/"+name+".json")
		deps := depsOf(t, name)
		var values [][]byte
		for _, v := range lines(t, name) {
			values = append(values, v)
			values = append(values, mutations(v)...)
		}
		fast, err := jsonschema.NewPlan(schema, deps, jsonschema.Auto, decode.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		full, err := jsonschema.NewPlan(schema, deps, jsonschema.Full, decode.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		fr, ferrs := decodetest.Run(t, mem, fast, values)
		sr, serrs := decodetest.Run(t, mem, full, values)
		for i, v := range values {
			total++
			if (ferrs[i] == nil) != (serrs[i] == nil) {
				t.Errorf("%s: %s\n fast: %v\n full: %v", name, v, ferrs[i], serrs[i])
				continue
			}
			if ferrs[i] != nil {
				rejected++
				continue
			}
			a, b := fr.NewSlice(int64(i), int64(i+1)), sr.NewSlice(int64(i), int64(i+1))
			if !array.RecordEqual(a, b) {
				t.Errorf("%s: %s decoded differently", name, v)
			}
			a.Release()
			b.Release()
		}
		fr.Release()
		sr.Release()
	}
	if rejected == 0 || rejected == total {
		t.Fatalf("corpus of %d values with %d rejected proves nothing", total, rejected)
	}
	t.Logf("%d values, %d rejected by both paths", total, rejected)
}

func TestUnsupportedSchemas(t *testing.T) {
	tests := []struct{ schema, want string }{
		{`{"type":"array"}`, "top-level schema must describe an object"},
		{`{"type":"object","properties":{"n":{"$ref":"#"}}}`, `"n"`},
		{`{"type":"object","properties":{"a":{"$ref":"other.json"}}}`, "other.json"},
		{`{"type":"object","properties":{"a":{"type":"strin"}}}`, "compiling"},
		{`{"type":"object","properties":`, "schema"},
	}
	for _, tc := range tests {
		_, err := jsonschema.NewPlan(tc.schema, nil, jsonschema.Auto, decode.Limits{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.schema, err, tc.want)
		}
	}
}

var _ arrow.DataType
