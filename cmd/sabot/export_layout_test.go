package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The msgpack round trip: JSON Lines produced as MessagePack export back
// with columns inferred from the first records, or with the columns of a
// -layout in each of its forms; json values (the first example of export
// -help) the same way.
func TestExportMsgpackAndJSONRoundTrip(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	var lines strings.Builder
	for i := range 30 {
		fmt.Fprintf(&lines, `{"id":%d,"name":"n%d","tags":["a"],"score":%d.5}`+"\n", i, i, i)
	}
	input := writeFile(t, dir, "in.jsonl", lines.String())
	for _, codecName := range []string{"msgpack", "json"} {
		topic := c.topic(t)
		c.mustRun(t, "produce", "-topic", topic, "-input", input, "-codec", codecName, "-partitions", "1")

		inferred := filepath.Join(dir, codecName+"-inferred.arrow")
		stderr := c.mustRun(t, "export", "-topic", topic, "-codec", codecName, "-o", inferred, "-idle-timeout", "500ms")
		got := readExport(t, inferred)
		if !strings.Contains(stderr, "exported 30 rows") || len(got.rows) != 30 || fieldType(got.schema, "id") != "int64" ||
			fieldType(got.schema, "_offset") != "int64" {
			t.Fatalf("%s inferred: %s: %s", codecName, stderr, got.schema)
		}
		if r := got.rows[7]; fmt.Sprintf("%v %v %v %v", r["id"], r["name"], r["tags"], r["score"]) != "7 n7 [a] 7.5" {
			t.Errorf("%s inferred row 7: %v", codecName, r)
		}

		// Each form of -layout gives the same columns: id as int32.
		layouts := map[string]string{
			"avro.avsc": `{"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"name","type":"string"},
				{"name":"tags","type":{"type":"array","items":"string"}},{"name":"score","type":"double"}]}`,
			"jsonschema.json": `{"type":"object","properties":{"id":{"type":"integer","format":"int32"},"name":{"type":"string"},
				"tags":{"type":"array","items":{"type":"string"}},"score":{"type":"number"}}}`,
			"arrow.json": `{"schema":{"fields":[
				{"name":"id","nullable":true,"type":{"name":"int","bitWidth":32,"isSigned":true},"children":[]},
				{"name":"name","nullable":true,"type":{"name":"utf8"},"children":[]},
				{"name":"tags","nullable":true,"type":{"name":"list"},"children":[{"name":"item","nullable":true,"type":{"name":"utf8"},"children":[]}]},
				{"name":"score","nullable":true,"type":{"name":"floatingpoint","precision":"DOUBLE"},"children":[]}]}}`,
		}
		for name, text := range layouts {
			layout := writeFile(t, dir, name, text)
			out := filepath.Join(dir, codecName+"-"+name+".arrow")
			c.mustRun(t, "export", "-topic", topic, "-codec", codecName, "-layout", layout, "-o", out, "-idle-timeout", "500ms")
			got := readExport(t, out)
			want := "int32"
			if name == "jsonschema.json" {
				want = "int64" // JSON Schema integers are int64 whatever their format
			}
			if len(got.rows) != 30 || fieldType(got.schema, "id") != want || fmt.Sprint(got.rows[29]["name"]) != "n29" {
				t.Errorf("%s -layout %s: %d rows, %s", codecName, name, len(got.rows), got.schema)
			}
		}
		// A previous export is a layout too: its schema, less its metadata
		// columns.
		again := filepath.Join(dir, codecName+"-again.arrow")
		c.mustRun(t, "export", "-topic", topic, "-codec", codecName, "-layout", inferred, "-o", again, "-idle-timeout", "500ms")
		if got := readExport(t, again); !got.schema.Equal(readExport(t, inferred).schema) || len(got.rows) != 30 {
			t.Errorf("%s -layout of an export: %s", codecName, got.schema)
		}
	}
}

// A malformed value among the first records does not spoil the inferred
// columns: it meets the error policy like any other.
func TestExportInferenceSkipsMalformedValues(t *testing.T) {
	c := openCluster(t)
	topic := c.topic(t)
	if err := c.CreateTopic(t.Context(), topic, 1); err != nil {
		t.Fatal(err)
	}
	cl, err := c.NewClient(kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, v := range []string{`{"a":1}`, `{"a":`, `{"a":2}`} {
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "out.arrow")
	stderr := c.mustRun(t, "export", "-topic", topic, "-codec", "json", "-on-error", "skip", "-o", out, "-idle-timeout", "1s")
	if got := readExport(t, out); len(got.rows) != 2 || !strings.Contains(stderr, "(1 did not decode)") || fieldType(got.schema, "a") != "int64" {
		t.Fatalf("export: %s %v %s", stderr, got.rows, got.schema)
	}
}

// An empty topic exports as a valid IPC file (or stream) holding the schema
// and no batches when the schema is known, and the metadata columns alone
// when it is not; an unknown topic is an error that writes no file.
func TestExportEmptyAndUnknownTopics(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	empty := c.topic(t)
	if err := c.CreateTopic(t.Context(), empty, 2); err != nil {
		t.Fatal(err)
	}
	avsc := writeFile(t, dir, "u.avsc", `{"type":"record","name":"U","fields":[{"name":"id","type":"long"},{"name":"zip","type":"int"}]}`)
	for _, format := range []string{"file", "stream"} {
		out := filepath.Join(dir, "empty."+format)
		stderr := c.mustRunNoRegistry(t, "export", "-topic", empty, "-codec", "avro", "-schema", avsc,
			"-format", format, "-o", out, "-idle-timeout", "500ms")
		got := readExport(t, out)
		if got.batches != 0 || fieldType(got.schema, "zip") != "int32" || fieldType(got.schema, "_key") != "binary" ||
			!strings.Contains(stderr, "exported 0 rows") {
			t.Errorf("%s: %d batches, schema %s, %s", format, got.batches, got.schema, stderr)
		}
	}
	// The registry's subject gives the schema when nothing else does.
	c.mustRun(t, "schema", "register", "-subject", empty+"-value", "-file", avsc)
	out := filepath.Join(dir, "subject.arrow")
	c.mustRun(t, "export", "-topic", empty, "-codec", "avro", "-o", out, "-idle-timeout", "500ms", "-metadata", "offset")
	if got := readExport(t, out); got.batches != 0 || got.schema.NumFields() != 3 || fieldType(got.schema, "id") != "int64" {
		t.Errorf("subject layout: %s", got.schema)
	}
	// No schema anywhere: the metadata columns, said so.
	out = filepath.Join(dir, "unknown-columns.arrow")
	stderr := c.mustRun(t, "export", "-topic", empty, "-codec", "msgpack", "-o", out, "-idle-timeout", "500ms")
	if got := readExport(t, out); got.batches != 0 || got.schema.NumFields() != 6 || !strings.Contains(stderr, "metadata columns only") {
		t.Errorf("unknown columns: %s: %s", got.schema, stderr)
	}

	missing := filepath.Join(dir, "missing.arrow")
	start := time.Now()
	code, _, stderr := c.run(t, "export", "-topic", "no-such-topic-"+c.topic(t), "-codec", "bytes", "-o", missing)
	if code != 1 || !strings.Contains(stderr, "does not exist") || time.Since(start) > 5*time.Second {
		t.Errorf("unknown topic: exit %d after %s: %s", code, time.Since(start), stderr)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("unknown topic left a file: %v", err)
	}
}

// A failed export leaves no file: neither a partial one nor a temporary one,
// and an older file at the path stays as it was.
func TestFailedExportLeavesNoFile(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	topic := c.produceLines(t, "{\"s\":\"a\"}\n{\"s\":\"b\"}\n", "-codec", "json")
	// The values are JSON, so Avro decoding fails under the default policy.
	avsc := writeFile(t, dir, "u.avsc", `{"type":"record","name":"U","fields":[{"name":"id","type":"long"},{"name":"x","type":"long"},{"name":"y","type":"long"}]}`)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "out.arrow")
	code, _, stderr := c.runNoRegistry(t, "export", "-topic", topic, "-codec", "avro", "-schema", avsc, "-o", out, "-idle-timeout", "1s")
	if code != 1 {
		t.Fatalf("export of undecodable values: exit %d: %s", code, stderr)
	}
	if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
		t.Fatalf("failed export left %v", entries)
	}
	writeFile(t, outDir, "out.arrow", "older")
	if code, _, _ := c.runNoRegistry(t, "export", "-topic", topic, "-codec", "avro", "-schema", avsc, "-o", out, "-idle-timeout", "1s"); code != 1 {
		t.Fatalf("second export: exit %d", code)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "older" {
		t.Fatalf("the older file became %q (%v)", b, err)
	}
	if entries, _ := os.ReadDir(outDir); len(entries) != 1 {
		t.Fatalf("failed export left %v", entries)
	}
}

// -on-error dlq:TOPIC checks the dead-letter topic before reading anything.
func TestExportChecksTheDeadLetterTopicFirst(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	topic := c.produceLines(t, "{\"n\":1}\n", "-codec", "json")
	dlq := c.topic(t)
	out := filepath.Join(dir, "out.arrow")
	start := time.Now()
	code, _, stderr := c.run(t, "export", "-topic", topic, "-codec", "bytes", "-on-error", "dlq:"+dlq, "-o", out)
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("dead-letter topic %q does not exist", dlq)) || time.Since(start) > 5*time.Second {
		t.Fatalf("missing DLQ: exit %d after %s: %s", code, time.Since(start), stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("missing DLQ left a file: %v", err)
	}

	// With the topic in place, bad records go there and the rest export.
	c.mustRun(t, "topic", "create", "-partitions", "1", dlq)
	cl, err := c.NewClient(kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: []byte("not json")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	layout := writeFile(t, dir, "l.json", `{"type":"object","properties":{"n":{"type":"integer"}}}`)
	stderr = c.mustRun(t, "export", "-topic", topic, "-codec", "json", "-layout", layout, "-on-error", "dlq:"+dlq, "-o", out, "-idle-timeout", "1s")
	if !strings.Contains(stderr, "exported 1 rows from 2 records (1 did not decode)") {
		t.Fatalf("export with DLQ: %s", stderr)
	}
	dout := filepath.Join(dir, "dlq.arrow")
	c.mustRun(t, "export", "-topic", dlq, "-codec", "string", "-o", dout, "-idle-timeout", "1s")
	if got := readExport(t, dout); len(got.rows) != 1 || got.rows[0]["value"] != "not json" {
		t.Fatalf("dead-letter topic holds %v", got.rows)
	}
}
