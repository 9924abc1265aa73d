package kafka_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/kafka"
)

// bouncer is an embedded broker that can be stopped and started again on
// the same port with the same data: while it is down, connections are
// refused, as with a real broker restarting.
type bouncer struct {
	t    *testing.T
	dir  string
	port int
	c    *kfake.Cluster
}

func newBouncer(t *testing.T) *bouncer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	b := &bouncer{t: t, dir: t.TempDir(), port: port}
	b.start()
	t.Cleanup(b.stop)
	return b
}

func (b *bouncer) start() {
	b.t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(b.port), kfake.DataDir(b.dir), kfake.DefaultNumPartitions(1))
	if err != nil {
		b.t.Fatalf("starting the embedded broker: %v", err)
	}
	b.c = c
}

func (b *bouncer) stop() {
	if b.c != nil {
		b.c.Close()
		b.c = nil
	}
}

func (b *bouncer) brokers() []string {
	return []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port))}
}

func (b *bouncer) createTopic(ctx context.Context, topic string) {
	b.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.brokers()...))
	if err != nil {
		b.t.Fatal(err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		b.t.Fatal(err)
	}
}

// TestSinkSurvivesBrokerRestart: with the defaults (unlimited retries within
// a 2 minute DeliveryTimeout) a record sent while the broker is down is
// written once it is back.
func TestSinkSurvivesBrokerRestart(t *testing.T) {
	t.Parallel() // waits out timeouts: alongside the others
	ctx := testContext(t)
	b := newBouncer(t)
	b.createTopic(ctx, "bounce")
	sink := newSink(t, kafka.SinkConfig{Brokers: b.brokers(), Topic: "bounce"})
	if err := sink.SendRecords(ctx, kafka.Record{Value: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	b.stop()
	done := make(chan error, 1)
	go func() { done <- sink.SendRecords(ctx, kafka.Record{Value: []byte("during")}) }()
	const down = 2 * time.Second // longer than the old 3 retries took to fail
	select {
	case err := <-done:
		t.Fatalf("send returned while the broker was down: %v", err)
	case <-time.After(down):
	}
	b.start()
	if err := <-done; err != nil {
		t.Fatalf("a record sent while the broker was down for %v failed: %v", down, err)
	}
	src := newSource(t, kafka.SourceConfig{Brokers: b.brokers(), Topics: []string{"bounce"}, Codec: stringSpec(),
		AutoOffsetReset: kafka.OffsetEarliest, FetchMaxWait: 100 * time.Millisecond})
	if got := values(ctx, t, src, 2); got[0] != "before" || got[1] != "during" {
		t.Fatalf("read %q, want before and during", got)
	}
}

// TestSinkDeliveryTimeout: a broker down for longer than DeliveryTimeout
// fails the record with ErrDeliveryTimeout, within the timeout and a margin.
func TestSinkDeliveryTimeout(t *testing.T) {
	t.Parallel() // waits out timeouts: alongside the others
	ctx := testContext(t)
	b := newBouncer(t)
	b.createTopic(ctx, "bounce")
	const timeout = 2 * time.Second
	// With the broker down franz-go checks the timeout at its metadata
	// refreshes, at least MetadataMinAge (default 5s) apart: a short one
	// keeps the check close to the timeout.
	sink := newSink(t, kafka.SinkConfig{Brokers: b.brokers(), Topic: "bounce", DeliveryTimeout: timeout,
		ClientOpts: []kgo.Opt{kgo.MetadataMinAge(100 * time.Millisecond), kgo.RetryBackoffFn(func(int) time.Duration { return 100 * time.Millisecond })}})
	if err := sink.SendRecords(ctx, kafka.Record{Value: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	b.stop()
	start := time.Now()
	err := sink.SendRecords(ctx, kafka.Record{Value: []byte("lost")})
	took := time.Since(start)
	t.Logf("failed after %v: %v", took.Round(time.Millisecond), err)
	var pe *kafka.ProduceError
	if !errors.As(err, &pe) || !errors.Is(err, kafka.ErrDeliveryTimeout) || !errors.Is(err, kgo.ErrRecordTimeout) {
		t.Fatalf("send with the broker down: %v, want a ProduceError matching ErrDeliveryTimeout", err)
	}
	if took < timeout || took > timeout+2*time.Second {
		t.Fatalf("failed after %v, want about DeliveryTimeout %v", took, timeout)
	}
}

// TestSourceSurvivesBrokerRestart: a Source, with a group and without, goes
// on polling through a broker restart shorter than FetchErrorTimeout and
// reads what was written after it.
func TestSourceSurvivesBrokerRestart(t *testing.T) {
	t.Parallel() // waits out timeouts: alongside the others
	for _, group := range []string{"", "bounce-group"} {
		t.Run("group="+group, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			b := newBouncer(t)
			b.createTopic(ctx, "bounce")
			sink := newSink(t, kafka.SinkConfig{Brokers: b.brokers(), Topic: "bounce"})
			if err := sink.SendRecords(ctx, kafka.Record{Value: []byte("before")}); err != nil {
				t.Fatal(err)
			}
			cfg := kafka.SourceConfig{Brokers: b.brokers(), Topics: []string{"bounce"}, GroupID: group, Codec: stringSpec(),
				AutoOffsetReset: kafka.OffsetEarliest, FetchMaxWait: 100 * time.Millisecond,
				SessionTimeout: 6 * time.Second, HeartbeatInterval: 500 * time.Millisecond,
				FetchErrorTimeout: 30 * time.Second}
			src := newSource(t, cfg)
			if got := values(ctx, t, src, 1); got[0] != "before" {
				t.Fatalf("read %q", got)
			}
			if err := src.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			b.stop()
			// Poll meets the errors of the broker going away and must not
			// return them.
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			b2, err := src.Poll(pctx)
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				if b2 != nil {
					b2.Done()
				}
				t.Fatalf("poll with the broker down: %v, want it to wait (context deadline)", err)
			}
			b.start()
			if err := sink.SendRecords(ctx, kafka.Record{Value: []byte("after")}); err != nil {
				t.Fatal(err)
			}
			if got := values(ctx, t, src, 1); got[0] != "after" {
				t.Fatalf("read %q after the restart, want after", got)
			}
		})
	}
}

// TestSourceFetchTimeout: a broker gone for good ends Poll with a
// *FetchError matching ErrFetchTimeout and ErrUnreachable, within
// FetchErrorTimeout and a margin.
func TestSourceFetchTimeout(t *testing.T) {
	t.Parallel() // waits out timeouts: alongside the others
	for _, group := range []string{"", "gone-group"} {
		t.Run("group="+group, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			b := newBouncer(t)
			b.createTopic(ctx, "gone")
			const timeout = 2 * time.Second
			src := newSource(t, kafka.SourceConfig{Brokers: b.brokers(), Topics: []string{"gone"}, GroupID: group, Codec: stringSpec(),
				FetchMaxWait: 100 * time.Millisecond, SessionTimeout: 6 * time.Second, HeartbeatInterval: 500 * time.Millisecond,
				FetchErrorTimeout: timeout})
			b.stop()
			start := time.Now()
			_, err := src.Poll(ctx)
			took := time.Since(start)
			t.Logf("Poll failed after %v: %v", took.Round(time.Millisecond), err)
			var fe *kafka.FetchError
			if !errors.As(err, &fe) || !fe.TimedOut || !errors.Is(err, kafka.ErrFetchTimeout) || !errors.Is(err, kafka.ErrUnreachable) {
				t.Fatalf("poll with the broker gone: %v, want a FetchError matching ErrFetchTimeout and ErrUnreachable", err)
			}
			if took > timeout+5*time.Second {
				t.Fatalf("failed after %v, want about FetchErrorTimeout %v", took, timeout)
			}
			// The verdict stays.
			if _, err2 := src.Poll(ctx); !errors.Is(err2, kafka.ErrFetchTimeout) {
				t.Fatalf("second poll: %v, want the same verdict", err2)
			}
		})
	}
}
