package engine_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// syncBuffer is a bytes.Buffer the progress reporter and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ExactlyOnce runs on the same driver as AtLeastOnce: the same stages,
// limits, progress and metrics (lag included), with transactions committed
// along the way. It runs on the embedded default and the real broker.
func TestExactlyOnceSharesTheDriver(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	in, out := servicestest.Topic(t, s, 6), servicestest.Topic(t, s, 3)
	const n = 30_000
	produceValues(ctx, t, s, in, n)

	src := stringSource(s, in, servicestest.UniqueName(t))
	src.MaxPollRecords = 1000
	var progress syncBuffer
	tx := openTransactor(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: out, TransactionalID: servicestest.UniqueName(t),
		Codec: codec.Spec{Format: codec.String{}}}, src)
	p := engine.FromTransactor(tx).Limit(n).
		Map(ops.WhereFunc(evenValues)).Map(ops.Func(upper)).
		ToKafka(tx.Sink()).
		WithOptions(engine.RunOptions{TxnMaxRecords: 5000, TxnMaxInterval: time.Second,
			QueueDepth: 2, Progress: &progress, ProgressEvery: 50 * time.Millisecond})
	var sawLag atomic.Bool
	watch, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() {
		for watch.Err() == nil {
			if p.Metrics().Lag >= 0 {
				sawLag.Store(true)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	stopWatch()
	checkExactlyEvenUpper(t, readAll(ctx, t, s, out, n/2, 3*time.Second), n)
	m := p.Metrics()
	if m.InRecords != n || m.OutRows != n/2 {
		t.Fatalf("metrics %+v", m)
	}
	// 30k records at 5k per transaction: at least six commits, no aborts.
	if m.TxnCommits < n/5000 || m.TxnAborts != 0 {
		t.Fatalf("transactions: %d committed, %d aborted", m.TxnCommits, m.TxnAborts)
	}
	if !sawLag.Load() || m.Lag < 0 {
		t.Fatalf("lag never reported under exactly-once (last %d)", m.Lag)
	}
	if out := progress.String(); !strings.Contains(out, "done: 30000 records in") || !strings.Contains(out, "transactions") {
		t.Fatalf("progress report:\n%s", out)
	}
}

// A member joining the group mid-transaction revokes partitions from the
// one holding the transaction: that transaction aborts, its records are
// read again (by whichever member owns them now) and the output read
// read_committed still holds every input exactly once.
func TestExactlyOnceAbortsOnRebalanceAndReprocesses(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	in, out := servicestest.Topic(t, s, 6), servicestest.Topic(t, s, 3)
	const n = 6_000
	produceValues(ctx, t, s, in, n)
	group := servicestest.UniqueName(t)

	// The first transaction stays open (long interval, no record cap) while
	// the second member joins; its stage says when it has started.
	started := make(chan struct{})
	var once sync.Once
	member := func(id string) *engine.Pipeline {
		src := stringSource(s, in, group)
		src.MaxPollRecords = 500
		src.HeartbeatInterval = 100 * time.Millisecond
		mark := ops.Func(func(_ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
			once.Do(func() { close(started) })
			rec.Retain()
			return rec, nil
		})
		tx := openTransactor(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: out, TransactionalID: group + "-" + id,
			Codec: codec.Spec{Format: codec.String{}}}, src)
		return engine.FromTransactor(tx).StopWhenIdle(4 * time.Second).
			Map(mark).Map(ops.WhereFunc(evenValues)).Map(ops.Func(upper)).
			ToKafka(tx.Sink()).
			WithOptions(engine.RunOptions{TxnMaxRecords: 10 * n, TxnMaxInterval: 3 * time.Second})
	}
	// A client joins its group as soon as it is created: the second member
	// is opened only once the first is inside its transaction.
	a := member("a")
	errs := make(chan error, 2)
	go func() { errs <- a.Run(ctx) }()
	select {
	case <-started:
	case <-ctx.Done():
		t.Fatal("the first member read nothing")
	}
	b := member("b")
	go func() { errs <- b.Run(ctx) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	checkExactlyEvenUpper(t, readAll(ctx, t, s, out, n/2, 3*time.Second), n)
	ma, mb := a.Metrics(), b.Metrics()
	t.Logf("member a: %+v", ma)
	t.Logf("member b: %+v", mb)
	if ma.TxnAborts < 1 {
		t.Fatalf("the member holding the open transaction did not abort it (%d aborts)", ma.TxnAborts)
	}
	if read := ma.InRecords + mb.InRecords; read <= n {
		t.Fatalf("members read %d records in all: the aborted transaction's records were not read again", read)
	}
}

// A pipeline's shape and options are checked before anything moves, every
// problem at once; the source and sink it was given are closed.
func TestPipelineRejectsSettingsItWouldIgnore(t *testing.T) {
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	src := openSource(t, stringSource(s, topic, ""))
	other := openSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.String{}}})
	err := engine.FromKafka(src).ToKafka(other).
		WithOptions(engine.RunOptions{TxnMaxInterval: time.Second, QueueDepth: -1}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "FromTransactor pipelines only") || !strings.Contains(err.Error(), "QueueDepth") {
		t.Fatalf("err %v", err)
	}
	if _, err := src.Poll(context.Background()); err == nil {
		t.Fatal("the rejected pipeline's source is still open")
	}

	scfg := stringSource(s, topic, servicestest.UniqueName(t))
	tx := openTransactor(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, TransactionalID: servicestest.UniqueName(t),
		Codec: codec.Spec{Format: codec.String{}}}, scfg)
	elsewhere := openSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.String{}}})
	if err := engine.FromTransactor(tx).ToKafka(elsewhere).Run(context.Background()); err == nil || !strings.Contains(err.Error(), "ToKafka(tx.Sink())") {
		t.Fatalf("exactly-once into a sink outside the transaction: %v", err)
	}
}
