package kafka_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
)

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// rawClient is a plain franz-go client for producing fixtures and checking
// what Sabot wrote.
func rawClient(t testing.TB, s *services.Services, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := s.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// produce writes n records "prefix-i" keyed "k-i" (round robin over
// partitions unless part >= 0) and waits for them.
func produce(ctx context.Context, t testing.TB, s *services.Services, topic, prefix string, n int, part int32) []*kgo.Record {
	t.Helper()
	opts := []kgo.Opt{kgo.RecordPartitioner(kgo.RoundRobinPartitioner())}
	if part >= 0 {
		opts = []kgo.Opt{kgo.RecordPartitioner(kgo.ManualPartitioner())}
	}
	cl := rawClient(t, s, opts...)
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: topic, Partition: max(part, 0), Key: []byte("k-" + strconv.Itoa(i)), Value: fmt.Appendf(nil, "%s-%d", prefix, i)}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	return recs
}

func stringSpec() codec.Spec {
	return codec.Spec{Format: codec.String{}, Metadata: decode.MetaAll}
}

func sourceConfig(s *services.Services, topic, group string) kafka.SourceConfig {
	return kafka.SourceConfig{
		Brokers:         s.Brokers,
		Topics:          []string{topic},
		GroupID:         group,
		Codec:           stringSpec(),
		AutoOffsetReset: kafka.OffsetEarliest,
		FetchMaxWait:    100 * time.Millisecond,
		// Short group timings keep rebalance tests quick on both brokers.
		SessionTimeout:    6 * time.Second,
		HeartbeatInterval: 500 * time.Millisecond,
		RebalanceTimeout:  10 * time.Second,
	}
}

func newSource(t testing.TB, cfg kafka.SourceConfig) *kafka.Source {
	t.Helper()
	src, err := kafka.NewSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// values polls src until it has n values (all decoded as strings), marking
// every batch Done, and returns them in arrival order.
func values(ctx context.Context, t testing.TB, src *kafka.Source, n int) []string {
	t.Helper()
	var out []string
	for len(out) < n {
		b, err := src.Poll(ctx)
		if err != nil {
			t.Fatalf("poll after %d of %d values: %v", len(out), n, err)
		}
		out = append(out, batchValues(b)...)
		b.Done()
	}
	return out
}

// batchValues returns the decoded string value of every record of b.
func batchValues(b *kafka.Batch) []string {
	var out []string
	for i := range b.Records {
		rec, row, ok := b.Row(i)
		if !ok {
			continue
		}
		out = append(out, rec.Column(0).ValueStr(row))
	}
	return out
}

// committed returns the group's committed offsets per partition of topic.
func committed(ctx context.Context, t testing.TB, s *services.Services, group, topic string) map[int32]int64 {
	t.Helper()
	cl := rawClient(t, s)
	out := map[int32]int64{}
	resp, err := kadmClient(cl).FetchOffsets(ctx, group)
	if err != nil {
		t.Fatalf("fetch offsets: %v", err)
	}
	resp.Each(func(o kadmOffsetResponse) {
		if o.Topic == topic {
			out[o.Partition] = o.At
		}
	})
	return out
}

func sum(m map[int32]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

type kadmOffsetResponse = kadm.OffsetResponse

func kadmClient(cl *kgo.Client) *kadm.Client { return kadm.NewClient(cl) }
