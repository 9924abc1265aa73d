package main

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// pyarrowRead is what pyarrow makes of an export (reading.py).
type pyarrowRead struct {
	Names   []string `json:"names"`
	Types   []string `json:"types"`
	Rows    int      `json:"rows"`
	Batches int      `json:"batches"`
	IDSum   *int64   `json:"id_sum"`
}

const readingPy = `
import json, sys
import pyarrow as pa
import pyarrow.compute as pc
out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        head = f.read(6)
    if head == b"ARROW1":
        r = pa.ipc.open_file(path)
        batches = [r.get_batch(i) for i in range(r.num_record_batches)]
    else:
        r = pa.ipc.open_stream(path)
        batches = list(r)
    t = pa.Table.from_batches(batches, schema=r.schema)
    s = None
    if "id" in t.column_names and t.num_rows:
        s = pc.sum(t["id"]).as_py()
    out[path] = {"names": r.schema.names, "types": [str(f.type) for f in r.schema],
                 "rows": t.num_rows, "batches": len(batches), "id_sum": s}
print(json.dumps(out))
`

// pyarrow opens Sabot's exports, file and stream: of an empty topic (the
// schema, no batches) and of a topic with records.
func TestPyarrowReadsExports(t *testing.T) {
	python := pythonOrSkip(t, "pyarrow")
	c := openCluster(t)
	dir := t.TempDir()
	avsc := writeFile(t, dir, "u.avsc", `{"type":"record","name":"U","fields":[{"name":"id","type":"long"},{"name":"zip","type":"int"},
		{"name":"attrs","type":{"type":"map","values":"string"}}]}`)
	empty := c.topic(t)
	if err := c.CreateTopic(t.Context(), empty, 1); err != nil {
		t.Fatal(err)
	}
	full := c.topic(t)
	var lines strings.Builder
	for i := 1; i <= 100; i++ {
		lines.WriteString(`{"id":` + strconv.Itoa(i) + `,"zip":` + strconv.Itoa(i*10) + `,"attrs":{"k":"v"}}` + "\n")
	}
	input := writeFile(t, dir, "in.jsonl", lines.String())
	c.mustRun(t, "produce", "-topic", full, "-input", input, "-codec", "avro", "-schema", avsc, "-partitions", "3")

	var paths []string
	for _, topic := range []string{empty, full} {
		for _, format := range []string{"file", "stream"} {
			out := filepath.Join(dir, topic+"."+format)
			c.mustRun(t, "export", "-topic", topic, "-codec", "avro", "-schema", avsc, "-format", format, "-o", out, "-idle-timeout", "500ms")
			paths = append(paths, out)
		}
	}
	cmd := exec.CommandContext(t.Context(), python, append([]string{"-c", readingPy}, paths...)...)
	stdout, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("pyarrow: %v: %s", err, stderr)
	}
	var got map[string]pyarrowRead
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("pyarrow printed %q: %v", stdout, err)
	}
	wantNames := "id zip attrs _topic _partition _offset _timestamp _key _headers"
	for i, p := range paths {
		r := got[p]
		if strings.Join(r.Names, " ") != wantNames {
			t.Errorf("%s: pyarrow sees columns %v", p, r.Names)
			continue
		}
		if r.Types[0] != "int64" || r.Types[1] != "int32" || r.Types[2] != "map<string, string>" || r.Types[6] != "timestamp[ms, tz=UTC]" || r.Types[7] != "binary" {
			t.Errorf("%s: pyarrow sees types %v", p, r.Types)
		}
		if i < 2 {
			if r.Rows != 0 || r.Batches != 0 {
				t.Errorf("%s (empty topic): %d rows in %d batches", p, r.Rows, r.Batches)
			}
			continue
		}
		if r.Rows != 100 || r.Batches == 0 || r.IDSum == nil || *r.IDSum != 5050 {
			t.Errorf("%s: %d rows in %d batches, id sum %v", p, r.Rows, r.Batches, r.IDSum)
		}
	}
}
