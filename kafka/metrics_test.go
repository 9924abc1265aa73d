package kafka_test

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

func TestLatencyQuantiles(t *testing.T) {
	var l kafka.LatencyStats
	if q := l.Quantile(0.99); q != 0 {
		t.Fatalf("quantile with no samples %v", q)
	}
	// 90 samples under 100µs, 9 in (400µs, 800µs], one of 3s.
	l.Count, l.Max = 100, 3*time.Second
	l.Buckets[0], l.Buckets[3], l.Buckets[15] = 90, 9, 1
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 100 * time.Microsecond},
		{0.9, 100 * time.Microsecond},
		{0.95, 800 * time.Microsecond},
		{0.99, 800 * time.Microsecond},
		{1, 3 * time.Second}, // the bucket's bound (3.2768s) capped by Max
	} {
		if got := l.Quantile(tc.q); got != tc.want {
			t.Errorf("Quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if b := kafka.LatencyBucketBound(kafka.LatencyBuckets - 1); b < 50*time.Second {
		t.Fatalf("last bucket bound %v", b)
	}
}

// TestLagCountsUnreadRecords: lag is what the partition holds past the last
// record handed out.
func TestLagCountsUnreadRecords(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	produce(ctx, t, s, topic, "v", 10, 0)
	cfg := sourceConfig(s, topic, "")
	cfg.MaxPollRecords = 4
	src := newSource(t, cfg)
	b, err := src.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Done()
	last := b.Records[b.Len()-1].Offset
	if lag := src.Metrics().Lag[kafka.TopicPartition{Topic: topic, Partition: 0}]; lag != 10-last-1 {
		t.Fatalf("lag %d after offset %d of 10 records", lag, last)
	}
}

// TestLagSurvivesClose: a group member closed with records unread still
// reports them, so a pipeline's last progress line says what was left.
func TestLagSurvivesClose(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	produce(ctx, t, s, topic, "v", 100, 0)
	cfg := sourceConfig(s, topic, servicestest.UniqueName(t))
	cfg.MaxPollRecords = 10
	src := newSource(t, cfg)
	b, err := src.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := b.Records[b.Len()-1].Offset
	b.Done()
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if lag := src.Metrics().Lag[kafka.TopicPartition{Topic: topic, Partition: 0}]; lag != 100-last-1 {
		t.Fatalf("lag after Close %d, want %d unread", lag, 100-last-1)
	}
}

// TestLagReadCommittedEndsAtLastStableOffset: records of a transaction that
// is still open cannot be read yet, so a read_committed source that has read
// everything before them has no lag.
func TestLagReadCommittedEndsAtLastStableOffset(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	produce(ctx, t, s, topic, "v", 10, 0)
	txn := rawClient(t, s, kgo.TransactionalID(servicestest.UniqueName(t)), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err := txn.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if err := txn.ProduceSync(ctx, &kgo.Record{Value: []byte("open")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = txn.EndTransaction(ctx, kgo.TryAbort) })

	cfg := sourceConfig(s, topic, "")
	cfg.ReadCommitted = true
	src := newSource(t, cfg)
	got := values(ctx, t, src, 10)
	if len(got) != 10 {
		t.Fatalf("read %d records", len(got))
	}
	if lag := src.Metrics().Lag[kafka.TopicPartition{Topic: topic, Partition: 0}]; lag != 0 {
		t.Fatalf("read_committed lag %d with only an open transaction left, want 0", lag)
	}
}
