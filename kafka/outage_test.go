package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// switchRegistry serves two Avro string schemas (ids 1 and 2) and fails
// every lookup while down, as an unreachable registry.
type switchRegistry struct{ down atomic.Bool }

func (r *switchRegistry) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	if r.down.Load() {
		return registry.ResolvedSchema{}, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}
	if id != 1 && id != 2 {
		return registry.ResolvedSchema{}, fmt.Errorf("schema %d: %w", id, registry.ErrNotFound)
	}
	return registry.ResolvedSchema{ID: id, Schema: registry.Schema{Type: registry.TypeAvro, Text: `"string"`}}, nil
}

func (r *switchRegistry) Register(context.Context, string, registry.Schema) (int, error) {
	return 0, errors.New("read only")
}

// avroString is s as an Avro string framed with schema id.
func avroString(id int, s string) []byte {
	b := wire.AppendHeader(nil, id)
	b = append(b, byte(len(s)<<1)) // zigzag length, short strings only
	return append(b, s...)
}

// TestOutageCutsBatchAcrossPartitions: a record waiting for the registry on
// one partition cuts the batch there. Records before it, on every
// partition, are handed out with ranges that match them; the commit covers
// exactly what was handed out; the waiting record and what follows come
// once the registry is back.
func TestOutageCutsBatchAcrossPartitions(t *testing.T) {
	s := servicestest.Open(t)
	ctx := testContext(t)
	topic := servicestest.Topic(t, s, 3)
	group := servicestest.UniqueName(t)
	reg := &switchRegistry{}
	cfg := sourceConfig(s, topic, group)
	cfg.Codec = codec.Spec{Format: codec.Avro{}, Registry: reg, Metadata: decode.MetaAll}
	cfg.DisableAutoCommit = true
	cfg.OnError = kafka.ErrorPolicy{Action: kafka.Skip, OutageRetries: 1_000_000, Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	src := newSource(t, cfg)

	cl := rawClient(t, s, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	send := func(p int32, vals ...[]byte) {
		t.Helper()
		recs := make([]*kgo.Record, len(vals))
		for i, v := range vals {
			recs[i] = &kgo.Record{Topic: topic, Partition: p, Value: v}
		}
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	for p := int32(0); p < 3; p++ {
		send(p, avroString(1, fmt.Sprintf("p%d-0", p)), avroString(1, fmt.Sprintf("p%d-1", p)))
	}
	if got := values(ctx, t, src, 6); len(got) != 6 {
		t.Fatalf("warm-up: %v", got)
	}

	reg.down.Store(true)
	send(0, avroString(1, "p0-2"), avroString(1, "p0-3"))
	send(1, avroString(1, "p1-2"), avroString(2, "p1-3 waits"), avroString(1, "p1-4"))
	send(2, avroString(1, "p2-2"), avroString(1, "p2-3"))

	delivered := map[string]bool{}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		b, err := src.Poll(pctx)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				continue
			}
			t.Fatalf("poll during the outage: %v", err)
		}
		checkRanges(t, b)
		if len(b.Result.Errors) != 0 {
			t.Fatalf("record errors during an outage: %v", b.Result.Errors)
		}
		for _, v := range batchValues(b) {
			if delivered[v] {
				t.Fatalf("%s handed out twice", v)
			}
			delivered[v] = true
		}
		b.Done()
	}
	for _, v := range []string{"p0-2", "p0-3", "p1-2", "p2-2", "p2-3"} {
		if !delivered[v] {
			t.Errorf("%s, before the waiting record or on another partition, was not handed out (got %v)", v, delivered)
		}
	}
	if delivered["p1-3 waits"] || delivered["p1-4"] || len(delivered) != 5 {
		t.Fatalf("handed out %v during the outage", delivered)
	}
	if m := src.Metrics(); m.Retries == 0 || m.Skipped != 0 || m.DecodeErrors != 0 {
		t.Fatalf("metrics during the outage: %+v", m)
	}
	if err := src.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := committed(ctx, t, s, group, topic); c[0] != 4 || c[1] != 3 || c[2] != 4 {
		t.Fatalf("committed %v during the outage, want 0:4 1:3 2:4", c)
	}

	reg.down.Store(false)
	if got := values(ctx, t, src, 2); fmt.Sprint(got) != "[p1-3 waits p1-4]" {
		t.Fatalf("after the outage: %v", got)
	}
	if err := src.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := committed(ctx, t, s, group, topic); c[0] != 4 || c[1] != 5 || c[2] != 4 {
		t.Fatalf("committed %v after the outage, want 0:4 1:5 2:4", c)
	}
}

// checkRanges checks that b's per-partition ranges describe exactly its
// records.
func checkRanges(t *testing.T, b *kafka.Batch) {
	t.Helper()
	n := 0
	for _, r := range b.Offsets() {
		var recs []*kgo.Record
		for _, rec := range b.Records {
			if rec.Topic == r.Topic && rec.Partition == r.Partition {
				recs = append(recs, rec)
			}
		}
		if len(recs) != r.Count || recs[0].Offset != r.First || recs[len(recs)-1].Offset != r.Last {
			t.Fatalf("range %+v does not match its %d records", r, len(recs))
		}
		n += r.Count
	}
	if n != len(b.Records) || n != b.Len() {
		t.Fatalf("ranges count %d records, batch holds %d (Len %d)", n, len(b.Records), b.Len())
	}
}

// TestOutageWithoutRetriesFailsPoll: OutageRetries < 0 makes the first
// outage an error from Poll, and the records are fetched again afterwards.
func TestOutageWithoutRetriesFailsPoll(t *testing.T) {
	s := servicestest.Open(t)
	ctx := testContext(t)
	topic := servicestest.Topic(t, s, 1)
	reg := &switchRegistry{}
	reg.down.Store(true)
	cfg := sourceConfig(s, topic, servicestest.UniqueName(t))
	cfg.Codec = codec.Spec{Format: codec.Avro{}, Registry: reg}
	cfg.OnError = kafka.ErrorPolicy{Action: kafka.Skip, OutageRetries: -1}
	src := newSource(t, cfg)
	cl := rawClient(t, s)
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: avroString(1, "a")}, &kgo.Record{Topic: topic, Value: avroString(1, "b")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	_, err := src.Poll(ctx)
	var oe *kafka.RegistryOutageError
	if !errors.As(err, &oe) || oe.Offset != 0 || oe.Retries != 0 || !errors.Is(err, decode.ErrRegistry) {
		t.Fatalf("poll: %v, want a RegistryOutageError at offset 0 without retries", err)
	}
	if m := src.Metrics(); m.RecordsIn != 0 || m.Skipped != 0 {
		t.Fatalf("metrics after the outage: %+v", m)
	}
	reg.down.Store(false)
	if got := values(ctx, t, src, 2); fmt.Sprint(got) != "[a b]" {
		t.Fatalf("after the outage: %v", got)
	}
}
