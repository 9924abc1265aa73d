package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// With a writer schema, JSON Lines take the schema's columns (an Avro map,
// an int, an enum) instead of columns inferred from the lines, which could
// not be written as the schema's types.
func TestProduceAvroTakesColumnsFromTheWriterSchema(t *testing.T) {
	c := openCluster(t)
	avsc := writeFile(t, t.TempDir(), "u.avsc", `{"type":"record","name":"U","fields":[
		{"name":"id","type":"long"},
		{"name":"attrs","type":{"type":"map","values":"long"}},
		{"name":"zip","type":"int"},
		{"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B"]}},
		{"name":"note","type":["null","string"],"default":null}]}`)
	_, got := c.roundTrip(t, `{"id":1,"attrs":{"k0":1,"k1":2},"zip":12345,"kind":"B","note":"x"}
{"id":2,"attrs":{},"zip":-7,"kind":"A"}
`, "-codec", "avro", "-schema", avsc)
	if fieldType(got.schema, "zip") != "int32" || !strings.HasPrefix(fieldType(got.schema, "attrs"), "map<utf8, int64") {
		t.Fatalf("exported schema %s", got.schema)
	}
	want := []string{
		`map[attrs:map[k0:1 k1:2] id:1 kind:B note:x zip:12345]`,
		`map[attrs:map[] id:2 kind:A note:<nil> zip:-7]`,
	}
	if len(got.rows) != len(want) {
		t.Fatalf("rows %v", got.rows)
	}
	for i, w := range want {
		if g := fmt.Sprint(got.rows[i]); g != w {
			t.Errorf("row %d = %s, want %s", i, g, w)
		}
	}
}

// A Protobuf writer schema reads JSON Lines by the proto3 JSON mapping:
// int64 as a string (exact past 2^53), int32 as a number, enums by name.
func TestProduceProtobufReadsTheProto3JSONMapping(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	proto := writeFile(t, dir, "shop.proto", `syntax = "proto3";
package shop;
message Addr { int32 zip = 1; }
enum Kind { KIND_UNSPECIFIED = 0; RETAIL = 1; }
message Order { int64 id = 1; Addr addr = 2; repeated string tags = 3; Kind kind = 4; }
`)
	codecFlags := []string{"-codec", "protobuf", "-schema", proto, "-message", "shop.Order"}
	topic, got := c.roundTrip(t, `{"id":"9007199254740993","addr":{"zip":12345},"tags":["a","b"],"kind":"RETAIL"}
{"id":-4,"addr":{"zip":"7"}}
`, codecFlags...)
	if fieldType(got.schema, "id") != "int64" || !strings.Contains(fieldType(got.schema, "addr"), "zip: int32") {
		t.Fatalf("exported schema %s", got.schema)
	}
	want := []string{
		`map[addr:map[zip:12345] id:9007199254740993 kind:RETAIL tags:[a b]]`,
		`map[addr:map[zip:7] id:-4 kind:KIND_UNSPECIFIED tags:[]]`,
	}
	if len(got.rows) != len(want) {
		t.Fatalf("rows %v", got.rows)
	}
	for i, w := range want {
		if g := fmt.Sprint(got.rows[i]); g != w {
			t.Errorf("row %d = %s, want %s", i, g, w)
		}
	}

	// A line that breaks the mapping is named by its line number.
	bad := writeFile(t, dir, "bad.jsonl", "{\"id\":1}\n\n{\"id\":1.5}\n")
	code, _, stderr := c.run(t, append([]string{"produce", "-topic", topic, "-input", bad}, codecFlags...)...)
	if code != 1 || !strings.Contains(stderr, "JSON line 3:") {
		t.Fatalf("bad line: exit %d: %s", code, stderr)
	}
}

// A JSON Schema writer schema gives its columns (date-time → timestamp) and
// validates each line.
func TestProduceJSONSchemaTakesItsColumns(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	schema := writeFile(t, dir, "s.json", `{"type":"object","properties":{
		"n":{"type":"integer","minimum":0},"at":{"type":"string","format":"date-time"}},"required":["n"]}`)
	topic, got := c.roundTrip(t, `{"n":3,"at":"2026-01-02T15:04:05Z"}`+"\n", "-codec", "json_schema", "-schema", schema)
	if !strings.HasPrefix(fieldType(got.schema, "at"), "timestamp") || len(got.rows) != 1 || fmt.Sprint(got.rows[0]["n"]) != "3" {
		t.Fatalf("export: %s %v", got.schema, got.rows)
	}
	bad := writeFile(t, dir, "bad.jsonl", `{"n":1}`+"\n"+`{"n":-1}`+"\n")
	code, _, stderr := c.run(t, "produce", "-topic", topic, "-input", bad, "-codec", "json_schema", "-schema", schema)
	if code != 1 || !strings.Contains(stderr, "JSON line 2:") {
		t.Fatalf("invalid line: exit %d: %s", code, stderr)
	}
}

// Without -schema, a registry format writes with the latest schema of the
// topic's subject when there is one, and takes its columns.
func TestProduceUsesTheSubjectsSchema(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	topic := c.topic(t)
	avsc := writeFile(t, dir, "u.avsc", `{"type":"record","name":"U","fields":[{"name":"attrs","type":{"type":"map","values":"string"}},{"name":"zip","type":"int"}]}`)
	c.mustRun(t, "schema", "register", "-subject", topic+"-value", "-file", avsc)
	input := writeFile(t, dir, "in.jsonl", `{"attrs":{"a":"b"},"zip":1}`+"\n")
	stderr := c.mustRun(t, "produce", "-topic", topic, "-input", input, "-codec", "avro", "-partitions", "1")
	if !strings.Contains(stderr, "writing with the schema of subject "+topic+"-value version 1") {
		t.Fatalf("produce did not say which schema: %s", stderr)
	}
	out := filepath.Join(dir, "out.arrow")
	c.mustRun(t, "export", "-topic", topic, "-codec", "avro", "-o", out, "-idle-timeout", "1s", "-metadata", "none")
	if got := readExport(t, out); len(got.rows) != 1 || fmt.Sprint(got.rows[0]) != "map[attrs:map[a:b] zip:1]" {
		t.Fatalf("export: %v", got.rows)
	}
}

// A malformed line is named by its 1-based line number in the input, blank
// lines counted, inside the inference sample and after it.
func TestProduceNamesTheLineOfABadValue(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	topic := c.topic(t)
	lines := func(bad int) string {
		var b strings.Builder
		for i := 1; i <= 1600; i++ {
			switch i {
			case 10:
				b.WriteString("\n") // blank: skipped, but counted
			case bad:
				b.WriteString(`{"n":1,` + "\n")
			default:
				fmt.Fprintf(&b, `{"n":%d}`+"\n", i)
			}
		}
		return b.String()
	}
	for _, bad := range []int{501, 1500} {
		input := writeFile(t, dir, fmt.Sprint(bad, ".jsonl"), lines(bad))
		code, _, stderr := c.run(t, "produce", "-topic", topic, "-input", input, "-codec", "json")
		if code != 1 || !strings.Contains(stderr, fmt.Sprintf("JSON line %d: ", bad)) || strings.Contains(stderr, "sample value") {
			t.Errorf("bad line %d: exit %d: %s", bad, code, stderr)
		}
	}
	notObject := writeFile(t, dir, "arr.jsonl", "{\"n\":1}\n[1]\n")
	if code, _, stderr := c.run(t, "produce", "-topic", topic, "-input", notObject, "-codec", "json"); code != 1 ||
		!strings.Contains(stderr, "JSON line 2: ") || !strings.Contains(stderr, "want a JSON object") {
		t.Errorf("array line: exit %d: %s", code, stderr)
	}
}
