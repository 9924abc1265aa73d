package avro_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	twmb "github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
	"github.com/sabot-kafka/sabot/decode/decodetest"
)

func rec(fields string) string {
	return `{"type":"record","name":"R","namespace":"t","fields":[` + fields + `]}`
}

// TestResolution reads values written with one schema through another,
// following the specification's resolution rules. Writer values are encoded
// by github.com/twmb/avro.
func TestResolution(t *testing.T) {
	cases := []struct {
		name           string
		writer, reader string
		value          map[string]any
		want           string // the row as JSON, or
		decodeErr      string // the decode error
	}{
		{"added field takes default", rec(`{"name":"a","type":"int"}`),
			rec(`{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}`),
			map[string]any{"a": int32(1)}, `{"a":1,"b":"x"}`, ""},
		{"removed field skipped", rec(`{"name":"a","type":"int"},{"name":"gone","type":{"type":"map","values":{"type":"array","items":"string"}}},{"name":"c","type":"long"}`),
			rec(`{"name":"c","type":"long"},{"name":"a","type":"int"}`),
			map[string]any{"a": int32(1), "gone": map[string]any{"k": []any{"x", "y"}}, "c": int64(3)}, `{"a":1,"c":3}`, ""},
		{"promotions", rec(`{"name":"il","type":"int"},{"name":"if","type":"int"},{"name":"id","type":"int"},{"name":"lf","type":"long"},{"name":"ld","type":"long"},{"name":"fd","type":"float"},{"name":"sb","type":"string"},{"name":"bs","type":"bytes"}`),
			rec(`{"name":"il","type":"long"},{"name":"if","type":"float"},{"name":"id","type":"double"},{"name":"lf","type":"float"},{"name":"ld","type":"double"},{"name":"fd","type":"double"},{"name":"sb","type":"bytes"},{"name":"bs","type":"string"}`),
			map[string]any{"il": int32(-5), "if": int32(7), "id": int32(9), "lf": int64(1 << 40), "ld": int64(-3), "fd": float32(1.5), "sb": "hi", "bs": []byte("yo")},
			`{"bs":"yo","fd":1.5,"id":9,"if":7,"il":-5,"ld":-3,"lf":1099511600000,"sb":"aGk="}`, ""},
		{"alias renames", rec(`{"name":"old","type":"string"}`), rec(`{"name":"new","aliases":["old"],"type":"string"}`),
			map[string]any{"old": "v"}, `{"new":"v"}`, ""},
		{"enum default for unknown symbol", rec(`{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}}`),
			rec(`{"name":"e","type":{"type":"enum","name":"E","symbols":["B","A","Z"],"default":"Z"}}`),
			map[string]any{"e": "C"}, `{"e":"Z"}`, ""},
		{"enum reordered", rec(`{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}}`),
			rec(`{"name":"e","type":{"type":"enum","name":"E","symbols":["C","B","A"]}}`),
			map[string]any{"e": "A"}, `{"e":"A"}`, ""},
		{"enum unknown symbol without default", rec(`{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}`),
			rec(`{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}}`),
			map[string]any{"e": "B"}, "", `enum symbol "B"`},
		{"writer union null into non-null reader", rec(`{"name":"s","type":["null","string"]}`), rec(`{"name":"s","type":"string"}`),
			map[string]any{"s": nil}, "", "writer union branch 0 (null) has no match"},
		{"writer union value into non-null reader", rec(`{"name":"s","type":["null","string"]}`), rec(`{"name":"s","type":"string"}`),
			map[string]any{"s": "v"}, `{"s":"v"}`, ""},
		{"plain into nullable", rec(`{"name":"s","type":"int"}`), rec(`{"name":"s","type":["null","long"]}`),
			map[string]any{"s": int32(4)}, `{"s":4}`, ""},
		{"union to union struct", rec(`{"name":"u","type":["null","int","string"]}`), rec(`{"name":"u","type":["null","string","long","boolean"]}`),
			map[string]any{"u": int32(4)}, `{"u":{"boolean":null,"long":4,"string":null}}`, ""},
		{"union member by name", rec(`{"name":"u","type":[{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]},{"type":"record","name":"B","fields":[{"name":"y","type":"int"}]}]}`),
			rec(`{"name":"u","type":[{"type":"record","name":"B","fields":[{"name":"y","type":"long"},{"name":"z","type":"int","default":0}]},{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}]}`),
			map[string]any{"u": map[string]any{"y": int32(2)}}, `{"u":{"A":null,"B":{"y":2,"z":0}}}`, ""},
		{"complex defaults", rec(`{"name":"a","type":"int"}`),
			rec(`{"name":"a","type":"int"},
				{"name":"arr","type":{"type":"array","items":"int"},"default":[1,2]},
				{"name":"m","type":{"type":"map","values":"string"},"default":{"k":"v"}},
				{"name":"u","type":["null","string"],"default":null},
				{"name":"u2","type":["string","null"],"default":"s"},
				{"name":"fx","type":{"type":"fixed","name":"F","size":2},"default":"\u00ff\u0001"},
				{"name":"by","type":"bytes","default":"\u0000a"},
				{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]},"default":"Y"},
				{"name":"r","type":{"type":"record","name":"In","fields":[{"name":"p","type":"double"},{"name":"q","type":"boolean","default":true}]},"default":{"p":2.5}},
				{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"},"default":1000}`),
			map[string]any{"a": int32(1)},
			`{"a":1,"arr":[1,2],"by":"AGE=","e":"Y","fx":"/wE=","m":[{"key":"k","value":"v"}],"r":{"p":2.5,"q":true},"ts":"1970-01-01T00:00:01Z","u":null,"u2":"s"}`, ""},
		{"nested record evolves", rec(`{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"x","type":"int"},{"name":"y","type":"string"}]}}`),
			rec(`{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"y","type":"string"},{"name":"w","type":"int","default":7}]}}`),
			map[string]any{"n": map[string]any{"x": int32(1), "y": "s"}}, `{"n":{"w":7,"y":"s"}}`, ""},
		{"array items promoted", rec(`{"name":"a","type":{"type":"array","items":"int"}}`), rec(`{"name":"a","type":{"type":"array","items":"double"}}`),
			map[string]any{"a": []any{int32(1), int32(2)}}, `{"a":[1,2]}`, ""},
		{"map values into union", rec(`{"name":"m","type":{"type":"map","values":"int"}}`), rec(`{"name":"m","type":{"type":"map","values":["null","long"]}}`),
			map[string]any{"m": map[string]any{"k": int32(3)}}, `{"m":[{"key":"k","value":3}]}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := twmb.MustParse(c.writer)
			payload, err := w.Encode(c.value)
			if err != nil {
				t.Fatal(err)
			}
			p, err := avro.NewCompiler(avro.Options{Schema: c.writer, ReaderSchema: c.reader, Enums: avro.EnumString}).Compile(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec, errs := decodetest.Run(t, mem, p, [][]byte{payload})
			defer rec.Release()
			checkBatch(t, rec)
			if c.decodeErr != "" {
				if errs[0] == nil || !strings.Contains(errs[0].Error(), c.decodeErr) || !errors.Is(errs[0], avro.ErrIncompatible) {
					t.Fatalf("error %v, want ErrIncompatible with %q", errs[0], c.decodeErr)
				}
				return
			}
			if errs[0] != nil {
				t.Fatal(errs[0])
			}
			if got := strings.TrimSpace(batchJSON(t, rec)); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestCompileErrors: constructs without a mapping and incompatible schemas
// fail when the plan is compiled, naming the field.
func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name           string
		writer, reader string
		limits         decode.Limits
		is             error
		msg            string
	}{
		{"recursive record", rec(`{"name":"a","type":"int"},{"name":"next","type":["null","R"]}`), "", decode.Limits{},
			decode.ErrUnsupported, "field next: recursive record t.R"},
		{"deep recursion", rec(`{"name":"child","type":{"type":"record","name":"C","fields":[{"name":"kids","type":{"type":"array","items":"C"}}]}}`), "", decode.Limits{},
			decode.ErrUnsupported, "field child.kids[]: recursive record t.C"},
		{"too deep", rec(`{"name":"a","type":{"type":"array","items":{"type":"array","items":{"type":"array","items":"int"}}}}`), "", decode.Limits{MaxDepth: 2},
			decode.ErrTooLarge, "field a[][]"},
		{"missing default", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"int"},{"name":"b","type":"int"}`), decode.Limits{},
			avro.ErrIncompatible, "field b: the writer schema lacks the field"},
		{"type mismatch", rec(`{"name":"a","type":"string"}`), rec(`{"name":"a","type":"int"}`), decode.Limits{},
			avro.ErrIncompatible, "field a: writer string cannot be read as int"},
		{"no narrowing", rec(`{"name":"a","type":"long"}`), rec(`{"name":"a","type":"int"}`), decode.Limits{},
			avro.ErrIncompatible, "writer long cannot be read as int"},
		{"fixed size", rec(`{"name":"a","type":{"type":"fixed","name":"F","size":4}}`), rec(`{"name":"a","type":{"type":"fixed","name":"F","size":8}}`), decode.Limits{},
			avro.ErrIncompatible, "fixed(4) cannot be read as fixed(8)"},
		{"decimal scale", rec(`{"name":"a","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}`),
			rec(`{"name":"a","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":3}}`), decode.Limits{},
			avro.ErrIncompatible, "scale 2 differs from reader scale 3"},
		{"union without match", rec(`{"name":"a","type":["null","string"]}`), rec(`{"name":"a","type":"int"}`), decode.Limits{},
			avro.ErrIncompatible, "no branch of the writer union"},
		{"null into non-null union", rec(`{"name":"a","type":"null"}`), rec(`{"name":"a","type":["int","string"]}`), decode.Limits{},
			avro.ErrIncompatible, "without a null branch"},
		{"bad schema", `{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}`, "", decode.Limits{},
			avroschema.ErrSchema, "nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := avro.NewCompiler(avro.Options{Schema: c.writer, ReaderSchema: c.reader, Limits: c.limits}).Compile(nil, nil)
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want %v containing %q", err, c.is, c.msg)
			}
		})
	}
}
