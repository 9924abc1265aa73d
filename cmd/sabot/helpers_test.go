package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// writeFile writes text to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// cluster is the services of a test with the -brokers and -registry flags
// naming them.
type cluster struct {
	*services.Services
	conn []string
}

func openCluster(t *testing.T) cluster {
	t.Helper()
	s := servicestest.Open(t)
	return cluster{s, []string{"-brokers", strings.Join(s.Brokers, ","), "-registry", s.RegistryURL}}
}

// topic returns a fresh topic name, deleted when t ends (whoever creates it).
func (c cluster) topic(t *testing.T) string {
	t.Helper()
	name := servicestest.UniqueName(t)
	t.Cleanup(func() { _ = c.DeleteTopic(context.Background(), name) })
	return name
}

// run runs a sabot command with the cluster's flags appended.
func (c cluster) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return sabot(t, append(args, c.conn...)...)
}

// runNoRegistry runs a sabot command with -brokers only.
func (c cluster) runNoRegistry(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return sabot(t, append(args, c.conn[:2]...)...)
}

// mustRun runs a sabot command that must succeed and returns its stderr.
func (c cluster) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	return succeeded(t, append(args, c.conn...))
}

// mustRunNoRegistry is mustRun with -brokers only.
func (c cluster) mustRunNoRegistry(t *testing.T, args ...string) string {
	t.Helper()
	return succeeded(t, append(args, c.conn[:2]...))
}

func succeeded(t *testing.T, args []string) string {
	t.Helper()
	code, _, stderr := sabot(t, args...)
	if code != 0 {
		t.Fatalf("sabot %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return stderr
}

// produceLines writes lines (JSON Lines) to a new topic of one partition
// with the codec flags and returns the topic.
func (c cluster) produceLines(t *testing.T, lines string, codecFlags ...string) string {
	t.Helper()
	topic := c.topic(t)
	input := writeFile(t, t.TempDir(), "in.jsonl", lines)
	c.mustRun(t, append([]string{"produce", "-topic", topic, "-input", input, "-partitions", "1"}, codecFlags...)...)
	return topic
}

// roundTrip produces lines to a new topic with the codec flags and exports
// the topic back with the same flags, without metadata columns.
func (c cluster) roundTrip(t *testing.T, lines string, codecFlags ...string) (string, exported) {
	t.Helper()
	topic := c.produceLines(t, lines, codecFlags...)
	out := filepath.Join(t.TempDir(), "out.arrow")
	c.mustRun(t, append([]string{"export", "-topic", topic, "-o", out, "-idle-timeout", "500ms", "-metadata", "none"}, codecFlags...)...)
	return topic, readExport(t, out)
}

// exported is an Arrow IPC export read back: its schema, the number of
// batches and every row as kafka.Row.Map gives it.
type exported struct {
	schema  *arrow.Schema
	batches int
	rows    []map[string]any
}

// readExport reads an Arrow IPC file or stream.
func readExport(t *testing.T, path string) exported {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var out exported
	add := func(rec arrow.RecordBatch) {
		out.batches++
		for i := range int(rec.NumRows()) {
			out.rows = append(out.rows, kafka.Row{Rec: rec, Index: i}.Map())
		}
	}
	if bytes.HasPrefix(b, []byte("ARROW1")) {
		r, err := ipc.NewFileReader(bytes.NewReader(b), ipc.WithAllocator(mem))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer r.Close()
		out.schema = r.Schema()
		for i := range r.NumRecords() {
			rec, err := r.RecordBatch(i)
			if err != nil {
				t.Fatal(err)
			}
			add(rec)
		}
		return out
	}
	r, err := ipc.NewReader(bytes.NewReader(b), ipc.WithAllocator(mem))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer r.Release()
	out.schema = r.Schema()
	for r.Next() {
		add(r.RecordBatch())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// fieldType is the type of the named field of s, as text ("" when absent).
func fieldType(s *arrow.Schema, name string) string {
	f, ok := s.FieldsByName(name)
	if !ok {
		return ""
	}
	return f[0].Type.String()
}
