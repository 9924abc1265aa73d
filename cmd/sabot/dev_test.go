package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/services"
)

// startDev runs `sabot dev` with args on free ports until t ends and
// returns its broker address.
func startDev(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- realMain(ctx, append([]string{"dev", "-kafka-port", "0", "-registry-port", "0"}, args...), &syncWriter{w: &out}, &syncWriter{w: &errb})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("dev exited %d: %s", code, syncString(&errb))
		}
	})
	deadline := time.After(30 * time.Second)
	for !strings.Contains(syncString(&out), "ready") {
		select {
		case <-deadline:
			t.Fatalf("dev did not get ready: %q %q", syncString(&out), syncString(&errb))
		case code := <-done:
			t.Fatalf("dev exited %d: %q", code, syncString(&errb))
		case <-time.After(20 * time.Millisecond):
		}
	}
	for _, line := range strings.Split(syncString(&out), "\n") {
		if addr, ok := strings.CutPrefix(line, "kafka    "); ok {
			return addr
		}
	}
	t.Fatalf("no broker address in %q", syncString(&out))
	return ""
}

// An outside producer whose metadata request asks for topic creation (as
// librdkafka and the Java producer do) gets the topic from sabot dev, with
// dev's partition count; with -auto-create=false it gets
// UNKNOWN_TOPIC_OR_PARTITION.
func TestDevAutoCreatesTopics(t *testing.T) {
	brokers := startDev(t, "-partitions", "3")
	produce := func(brokers, topic string) error {
		cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.AllowAutoTopicCreation(), kgo.UnknownTopicRetries(2),
			kgo.RecordDeliveryTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		return cl.ProduceSync(t.Context(), &kgo.Record{Topic: topic, Value: []byte("v")}).FirstErr()
	}
	if err := produce(brokers, "outside"); err != nil {
		t.Fatalf("produce to a new topic: %v", err)
	}
	if n := partitionCount(t, brokers, "outside"); n != 3 {
		t.Fatalf("auto-created topic has %d partitions, want dev's 3", n)
	}

	// sabot produce creates a missing topic with the cluster's default,
	// not a count of its own.
	input := writeFile(t, t.TempDir(), "in.jsonl", "{\"n\":1}\n")
	code, _, stderr := sabot(t, "produce", "-brokers", brokers, "-topic", "by-produce", "-input", input)
	if code != 0 || !strings.Contains(stderr, "created topic by-produce with 3 partitions, the cluster's default") {
		t.Fatalf("produce: exit %d: %s", code, stderr)
	}
	if n := partitionCount(t, brokers, "by-produce"); n != 3 {
		t.Fatalf("sabot produce made %d partitions, want dev's 3", n)
	}
	// -partitions applies to a topic it creates, and is reported, not
	// applied, for one that exists.
	code, _, stderr = sabot(t, "produce", "-brokers", brokers, "-topic", "by-produce", "-input", input, "-partitions", "5")
	if code != 0 || !strings.Contains(stderr, "exists with 3 partitions; -partitions 5 applies only") {
		t.Fatalf("produce -partitions to an existing topic: exit %d: %s", code, stderr)
	}
	// Reading a topic never creates it.
	if code, _, _ := sabot(t, "export", "-brokers", brokers, "-topic", "read-only", "-codec", "bytes", "-o", filepath.Join(t.TempDir(), "x")); code != 1 {
		t.Fatalf("export of a missing topic: exit %d", code)
	}
	if n := partitionCount(t, brokers, "read-only"); n != 0 {
		t.Fatalf("export created the topic it read (%d partitions)", n)
	}

	off := startDev(t, "-auto-create=false")
	if err := produce(off, "outside"); !errors.Is(err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("produce with auto-creation off: %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
	}
}

// envOrSkip returns the environment variable name, which names something
// outside Go a test needs (what). Unset, the test is skipped, or fails when
// the run demands the real services (SABOT_REQUIRE_REAL=1, as make test
// sets).
func envOrSkip(t *testing.T, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv(services.EnvRequireReal) == "1" {
			t.Fatalf("this test needs %s (%s)", name, what)
		}
		t.Skipf("needs %s (%s); make test sets it", name, what)
	}
	return v
}

// partitionCount is the partitions of topic (0 when it does not exist).
func partitionCount(t *testing.T, brokers, topic string) int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	td, err := kadm.NewClient(cl).ListTopics(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	return len(td[topic].Partitions)
}

// librdkafka itself (confluent-kafka-python) produces to a topic sabot dev
// has not seen.
func TestDevAutoCreatesTopicsForLibrdkafka(t *testing.T) {
	python := pythonOrSkip(t, "confluent_kafka")
	brokers := startDev(t, "-partitions", "2")
	script := `
import sys
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "message.timeout.ms": 10000})
errs = []
p.produce("from-librdkafka", b"v", on_delivery=lambda err, msg: errs.append(err))
p.flush(15)
if errs != [None]:
    sys.exit("delivery: %r" % errs)
`
	cmd := exec.CommandContext(t.Context(), python, "-c", script, brokers)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("librdkafka producer: %v: %s", err, out)
	}
	if n := partitionCount(t, brokers, "from-librdkafka"); n != 2 {
		t.Fatalf("topic has %d partitions, want 2", n)
	}
}

// pythonOrSkip returns $SABOT_PYTHON after checking it imports modules.
func pythonOrSkip(t *testing.T, modules ...string) string {
	t.Helper()
	python := envOrSkip(t, "SABOT_PYTHON", "a python3 with pyarrow and confluent-kafka")
	for _, m := range modules {
		if out, err := exec.CommandContext(t.Context(), python, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Fatalf("SABOT_PYTHON=%s cannot import %s: %v: %s", python, m, err, out)
		}
	}
	return python
}
