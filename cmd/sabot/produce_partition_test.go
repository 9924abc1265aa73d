package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/services/servicestest"
)

// -partitioner explicit -partition N writes every record to partition N,
// partition 0 included; -partition without explicit is a usage error.
func TestProduceExplicitPartition(t *testing.T) {
	s := servicestest.Open(t)
	dir := t.TempDir()
	input := filepath.Join(dir, "in.jsonl")
	if err := os.WriteFile(input, []byte("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	brokers := strings.Join(s.Brokers, ",")
	for _, part := range []int{0, 2} {
		topic := servicestest.UniqueName(t) + fmt.Sprint("-", part)
		t.Cleanup(func() { _ = s.DeleteTopic(context.Background(), topic) })
		code, _, stderr := sabot(t, "produce", "-brokers", brokers, "-topic", topic, "-input", input, "-codec", "json",
			"-partitioner", "explicit", "-partition", fmt.Sprint(part), "-partitions", "3")
		if code != 0 {
			t.Fatalf("produce to partition %d: code %d: %s", part, code, stderr)
		}
		cl, err := s.NewClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for got < 3 {
			fs := cl.PollFetches(t.Context())
			if err := t.Context().Err(); err != nil {
				t.Fatal(err)
			}
			fs.EachRecord(func(r *kgo.Record) {
				got++
				if r.Partition != int32(part) {
					t.Errorf("record %s in partition %d, want %d", r.Value, r.Partition, part)
				}
				if strings.Contains(string(r.Value), "_partition") {
					t.Errorf("value %s carries the partition column", r.Value)
				}
			})
		}
		cl.Close()
	}
	if code, _, stderr := sabot(t, "produce", "-brokers", brokers, "-topic", "t", "-input", input, "-partition", "1"); code != 2 ||
		!strings.Contains(stderr, "-partition applies to -partitioner explicit") {
		t.Fatalf("-partition without explicit: code %d: %s", code, stderr)
	}
}
