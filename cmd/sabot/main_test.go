package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// sabot runs one command and returns its exit status, stdout and stderr.
func sabot(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := realMain(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageAndHelp(t *testing.T) {
	if code, _, stderr := sabot(t); code != 2 || !strings.Contains(stderr, "export") {
		t.Fatalf("no args: code %d, %q", code, stderr)
	}
	if code, _, stderr := sabot(t, "nope"); code != 2 || !strings.Contains(stderr, `unknown command "nope"`) {
		t.Fatalf("unknown command: code %d, %q", code, stderr)
	}
	for _, cmd := range []string{"export", "produce", "dev"} {
		code, _, stderr := sabot(t, cmd, "-help")
		if code != 0 || !strings.Contains(stderr, "Examples:") || !strings.Contains(stderr, "sabot "+cmd) {
			t.Errorf("%s -help: code %d, %q", cmd, code, stderr)
		}
	}
	if code, _, stderr := sabot(t, "export", "-topic", "t"); code != 2 || !strings.Contains(stderr, "-topic and -o are required") {
		t.Fatalf("missing -o: code %d, %q", code, stderr)
	}
}

// TestProduceThenExport writes JSON Lines to a new topic as Avro (registering
// the schema) and exports the topic back to an Arrow IPC file with metadata.
func TestProduceThenExport(t *testing.T) {
	s := servicestest.Open(t)
	dir := t.TempDir()
	topic := servicestest.UniqueName(t)
	t.Cleanup(func() { _ = s.DeleteTopic(context.Background(), topic) })

	var lines strings.Builder
	const n = 250
	for i := 0; i < n; i++ {
		fmt.Fprintf(&lines, `{"id":"tx-%03d","amount":%d.5,"ok":%t}`+"\n", i, i, i%2 == 0)
	}
	input := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(input, []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	avsc := filepath.Join(dir, "tx.avsc")
	schema := `{"type":"record","name":"Tx","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"},{"name":"ok","type":"boolean"}]}`
	if err := os.WriteFile(avsc, []byte(schema), 0o600); err != nil {
		t.Fatal(err)
	}
	conn := []string{"-brokers", strings.Join(s.Brokers, ","), "-registry", s.RegistryURL}

	code, _, stderr := sabot(t, append([]string{"produce", "-topic", topic, "-input", input, "-codec", "avro", "-schema", avsc,
		"-key", "id", "-partitions", "3"}, conn...)...)
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("produced %d records", n)) {
		t.Fatalf("produce: code %d: %s", code, stderr)
	}

	out := filepath.Join(dir, "out.arrow")
	code, _, stderr = sabot(t, append([]string{"export", "-topic", topic, "-codec", "avro", "-o", out, "-idle-timeout", "2s"}, conn...)...)
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("exported %d rows from %d records", n, n)) {
		t.Fatalf("export: code %d: %s", code, stderr)
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	seen := map[string]bool{}
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Schema().FieldIndices(decode.ColOffset) == nil || rec.Schema().FieldIndices(decode.ColKey) == nil {
			t.Fatalf("metadata columns missing: %v", rec.Schema())
		}
		ids := rec.Column(rec.Schema().FieldIndices("id")[0]).(*array.String)
		keys := rec.Column(rec.Schema().FieldIndices(decode.ColKey)[0]).(*array.Binary)
		for j := 0; j < ids.Len(); j++ {
			if string(keys.Value(j)) != ids.Value(j) {
				t.Fatalf("row key %q != id %q", keys.Value(j), ids.Value(j))
			}
			seen[ids.Value(j)] = true
		}
	}
	if len(seen) != n {
		t.Fatalf("exported %d distinct ids, want %d", len(seen), n)
	}

	// -max-records stops early.
	code, _, stderr = sabot(t, append([]string{"export", "-topic", topic, "-codec", "avro", "-o", out, "-max-records", "40", "-format", "stream"}, conn...)...)
	if code != 0 || !strings.Contains(stderr, "exported 40 rows") {
		t.Fatalf("export -max-records: code %d: %s", code, stderr)
	}
}

func TestSchemaCommands(t *testing.T) {
	s := servicestest.Open(t)
	dir := t.TempDir()
	v1 := filepath.Join(dir, "v1.avsc")
	v2 := filepath.Join(dir, "v2.avsc")
	bad := filepath.Join(dir, "bad.avsc")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(v1, `{"type":"record","name":"U","fields":[{"name":"a","type":"string"}]}`)
	write(v2, `{"type":"record","name":"U","fields":[{"name":"a","type":"string"},{"name":"b","type":"int","default":0}]}`)
	write(bad, `{"type":"record","name":"U","fields":[{"name":"a","type":"string"},{"name":"c","type":"int"}]}`)
	subject := servicestest.UniqueName(t) + "-value"
	reg := []string{"-registry", s.RegistryURL}

	code, stdout, stderr := sabot(t, append([]string{"schema", "register", "-subject", subject, "-file", v1}, reg...)...)
	if code != 0 || strings.TrimSpace(stdout) == "" {
		t.Fatalf("register: %d %q %q", code, stdout, stderr)
	}
	id := strings.TrimSpace(stdout)
	code, stdout, _ = sabot(t, append([]string{"schema", "get", "-id", id}, reg...)...)
	if code != 0 || !strings.Contains(stdout, `\"name\":\"a\"`) {
		t.Fatalf("get: %d %q", code, stdout)
	}
	// Locally: adding a field with a default is backward compatible, without one it is not.
	if code, stdout, _ = sabot(t, "schema", "check", "-local", "-file", v2, "-against", v1); code != 0 || !strings.Contains(stdout, "compatible") {
		t.Fatalf("local check v2: %d %q", code, stdout)
	}
	if code, stdout, _ = sabot(t, "schema", "check", "-local", "-file", bad, "-against", v1); code != 1 || !strings.Contains(stdout, "NOT compatible") {
		t.Fatalf("local check bad: %d %q", code, stdout)
	}
	// On the registry the same verdict for v2 (Apicurio enforces no level
	// until one is set, but its check endpoint answers per the rule asked).
	if code, stdout, stderr = sabot(t, append([]string{"schema", "check", "-subject", subject, "-file", v2}, reg...)...); code != 0 {
		t.Fatalf("registry check v2: %d %q %q", code, stdout, stderr)
	}
}

func TestDevPrintsAddresses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- realMain(ctx, []string{"dev", "-kafka-port", "0", "-registry-port", "0"}, &syncWriter{w: &out}, &errb)
	}()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(syncString(&out), "ready") {
		select {
		case <-deadline:
			t.Fatalf("dev did not get ready: %q %q", syncString(&out), errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("dev exited %d", code)
	}
	if !strings.Contains(syncString(&out), "kafka    127.0.0.1:") || !strings.Contains(syncString(&out), "registry http://127.0.0.1:") {
		t.Fatalf("dev output %q", syncString(&out))
	}
}
