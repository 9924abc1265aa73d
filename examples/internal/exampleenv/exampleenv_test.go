package exampleenv

import (
	"context"
	"errors"
	"flag"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestOpenFlagErrors(t *testing.T) {
	t.Setenv(services.EnvBrokers, "")
	t.Setenv(services.EnvRegistry, "")
	tests := []struct {
		name string
		args []string
		is   error
		msg  string
	}{
		{"help", []string{"-h"}, flag.ErrHelp, ""},
		{"unknown flag", []string{"-topic", "x"}, nil, "flag provided but not defined"},
		{"registry without brokers", []string{"-registry", "http://127.0.0.1:1"}, nil, "-registry needs -brokers"},
		{"positional", []string{"-brokers", "127.0.0.1:1", "extra"}, nil, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Open(testContext(t), "example", tt.args)
			if err == nil {
				e.Close()
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want it to say %q", err, tt.msg)
			}
		})
	}
}

// TestOpenBrokersFlag connects with -brokers only: the flag wins over the
// environment, and a registry is served beside the brokers.
func TestOpenBrokersFlag(t *testing.T) {
	svc := servicestest.Open(t)
	t.Setenv(services.EnvBrokers, "127.0.0.1:1") // must not be used
	t.Setenv(services.EnvRegistry, "")
	ctx := testContext(t)
	e, err := Open(ctx, "example", []string{"-brokers", strings.Join(svc.Brokers, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Embedded || e.RegistryURL == "" || e.RegistryURL == svc.RegistryURL {
		t.Fatalf("Env = %+v: want the flag's brokers and a registry of its own", e)
	}
	reg, err := e.Registry()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Subjects(ctx, "", false); err != nil {
		t.Errorf("the served registry does not answer: %v", err)
	}
}

// TestTopicsAndCleanup checks the run's names and that Close removes its
// topics and their subjects.
func TestTopicsAndCleanup(t *testing.T) {
	svc := servicestest.Open(t)
	ctx := testContext(t)
	e, err := Open(ctx, "example", []string{"-brokers", strings.Join(svc.Brokers, ","), "-registry", svc.RegistryURL})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	topic, err := e.Topic(ctx, "orders", 2)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, "example", []string{"-brokers", strings.Join(svc.Brokers, ","), "-registry", svc.RegistryURL})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if topic == "orders" || topic == other.Name("orders") || !strings.HasPrefix(topic, "orders-") {
		t.Errorf("Topic = %q: want orders plus a suffix unique to the run", topic)
	}
	if got := e.Short(topic + "-value"); got != "orders-value" {
		t.Errorf("Short = %q", got)
	}
	reg, err := e.Registry()
	if err != nil {
		t.Fatal(err)
	}
	subject := topic + "-value"
	if _, err := reg.Register(ctx, subject, registry.Schema{Text: `"string"`}); err != nil {
		t.Fatal(err)
	}

	e.Close()
	cl, err := svc.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	topics, err := kadm.NewClient(cl).ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if topics.Has(topic) {
		t.Errorf("topic %s left after Close", topic)
	}
	check, err := registry.NewClient(svc.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	// Apicurio ignores the prefix filter and lists every subject.
	subjects, err := check.Subjects(ctx, subject, true)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(subjects, subject) {
		t.Errorf("subject %s left after Close", subject)
	}
}

// TestLimitedKafkaPipeline runs a pipeline over a Kafka source bounded by the
// stream's Limit, the way the pipeline examples do: Run returns once the
// records are processed, and their offsets are committed.
func TestLimitedKafkaPipeline(t *testing.T) {
	ctx := testContext(t)
	e, err := Open(ctx, "example", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	topic, err := e.Topic(ctx, "numbers", 2)
	if err != nil {
		t.Fatal(err)
	}
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(e.Brokers), Topic: topic, Codec: codec.Spec{Format: codec.String{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	const n = 50
	values := make([]any, n)
	for i := range values {
		values[i] = "v"
	}
	if err := sink.SendValues(ctx, values...); err != nil {
		t.Fatal(err)
	}
	group := e.Name("g")
	src, err := kafka.NewSource(kafka.SourceConfig{
		Brokers: kafka.SplitBrokers(e.Brokers), Topics: []string{topic}, GroupID: group,
		Codec: codec.Spec{Format: codec.String{}}, AutoOffsetReset: kafka.OffsetEarliest,
	})
	if err != nil {
		t.Fatal(err)
	}
	var rows atomic.Int64
	p := engine.FromKafka(src).Limit(n).To(engine.Func(func(_ context.Context, rec arrow.RecordBatch) error {
		rows.Add(rec.NumRows())
		return nil
	}))
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if rows.Load() != n || p.Metrics().InRecords != n {
		t.Errorf("the sink saw %d rows of %d read, want %d", rows.Load(), p.Metrics().InRecords, n)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(services.SplitList(e.Brokers)...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	offsets, err := kadm.NewClient(cl).FetchOffsets(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	var committed int64
	offsets.Each(func(o kadm.OffsetResponse) { committed += o.At })
	if committed != n {
		t.Errorf("committed offsets sum to %d, want %d", committed, n)
	}
}
