package kafka_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// TestBackpressureBoundsMemory: a fast topic, a consumer whose processing is
// slow and pipelined (batches are Done by a worker after a delay). Records in
// flight never exceed MaxInFlightRecords, fetched-but-unpolled records stay
// within a fetch, partitions are paused and resumed, the Arrow allocator's
// peak stays a small fraction of the data, and every record is read once.
func TestBackpressureBoundsMemory(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 3)
	const total = 30000
	// Small uncompressed producer batches: fetch limits count bytes on the
	// wire, and a broker always answers with at least one whole batch.
	cl := rawClient(t, s, kgo.RecordPartitioner(kgo.RoundRobinPartitioner()), kgo.ProducerBatchMaxBytes(16<<10), kgo.ProducerBatchCompression(kgo.NoCompression()))
	val := make([]byte, 100)
	for i := range val {
		val[i] = 'a' + byte(i%26)
	}
	recs := make([]*kgo.Record, total)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: topic, Value: val}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cfg := sourceConfig(s, topic, servicestest.UniqueName(t))
	cfg.Codec = codec.Spec{Format: codec.Bytes{}, Allocator: mem}
	cfg.MaxPollRecords = 100
	// The slow worker lets in-flight records climb to the cap; once more than
	// 3×99 are in flight, some partition holds 100 and must be paused.
	cfg.MaxInFlightRecords = 500
	cfg.PartitionPauseRecords = 100
	cfg.FetchMaxBytes = 64 << 10
	cfg.FetchMaxPartitionBytes = 16 << 10
	src := newSource(t, cfg)

	work := make(chan *kafka.Batch, 64)
	var (
		wg         sync.WaitGroup
		maxFlight  atomic.Int64
		maxBuf     atomic.Int64
		maxArrow   atomic.Int64
		read       atomic.Int64
		sampleStop = make(chan struct{})
	)
	bump := func(a *atomic.Int64, v int64) {
		for cur := a.Load(); v > cur && !a.CompareAndSwap(cur, v); cur = a.Load() {
		}
	}
	wg.Add(2)
	go func() { // the slow worker
		defer wg.Done()
		for b := range work {
			time.Sleep(2 * time.Millisecond)
			read.Add(int64(b.Len()))
			b.Done()
		}
	}()
	go func() { // sample the buffers
		defer wg.Done()
		for {
			select {
			case <-sampleStop:
				return
			case <-time.After(time.Millisecond):
			}
			m := src.Metrics()
			bump(&maxFlight, m.InFlightRecords)
			bump(&maxBuf, m.BufferedRecords)
			bump(&maxArrow, int64(mem.CurrentAlloc()))
		}
	}()
	polled := 0
	for polled < total {
		b, err := src.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		polled += b.Len()
		bump(&maxFlight, src.Metrics().InFlightRecords)
		work <- b
	}
	close(work)
	close(sampleStop)
	wg.Wait()
	m := src.Metrics()
	if read.Load() != total || m.InFlightRecords != 0 {
		t.Fatalf("read %d of %d, %d still in flight", read.Load(), total, m.InFlightRecords)
	}
	if maxFlight.Load() > int64(cfg.MaxInFlightRecords) {
		t.Fatalf("%d records in flight, cap %d", maxFlight.Load(), cfg.MaxInFlightRecords)
	}
	// One fetch of at most FetchMaxBytes per broker (a broker answers with at
	// least one whole producer batch, 16 KiB here): a few hundred records,
	// far below the topic.
	if maxBuf.Load() > 2000 {
		t.Fatalf("%d records buffered ahead of Poll", maxBuf.Load())
	}
	if m.Pauses == 0 {
		t.Fatal("no partition was ever paused")
	}
	if len(m.Paused) != 0 {
		t.Fatalf("partitions %v still paused after draining", m.Paused)
	}
	data := int64(total * len(val))
	if maxArrow.Load() > data/10 {
		t.Fatalf("Arrow memory peaked at %d bytes for %d bytes of values", maxArrow.Load(), data)
	}
	t.Logf("peak in flight %d (cap %d), peak buffered %d, pauses %d, peak Arrow bytes %d of %d", maxFlight.Load(), cfg.MaxInFlightRecords, maxBuf.Load(), m.Pauses, maxArrow.Load(), data)
}

// TestCloseLeavesNoGoroutines runs a Source, a Sink and a Transactor and
// closes them: no goroutine they started may remain.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 2)
	out := servicestest.Topic(t, s, 2)
	produce(ctx, t, s, topic, "x", 20, -1)
	// The embedded broker's own connection readers wind down on their own
	// schedule after a client hangs up; they are the broker's, not ours.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("github.com/twmb/franz-go/pkg/kfake.(*clientConn).read.func1"))

	src, err := kafka.NewSource(sourceConfig(s, topic, servicestest.UniqueName(t)))
	if err != nil {
		t.Fatal(err)
	}
	values(ctx, t, src, 20)
	// A Poll blocked on an empty topic returns ErrClosed when Close runs.
	polled := make(chan error, 1)
	go func() { _, err := src.Poll(ctx); polled <- err }()
	time.Sleep(100 * time.Millisecond)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-polled; !errors.Is(err, kafka.ErrClosed) {
		t.Fatalf("blocked poll returned %v on close", err)
	}
	if err := src.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}

	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.String{}}})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pending := stringBatch(mem, []string{"pending"}, nil)
	defer pending.Release()
	sent := make(chan error, 1)
	sink.SendAsync(ctx, pending, func(err error) { sent <- err })
	if err := errors.Join(sink.Close(), sink.Close()); err != nil {
		t.Fatal(err)
	}
	if err := <-sent; err != nil {
		t.Fatalf("a send pending at Close: %v", err)
	}

	scfg := sourceConfig(s, topic, servicestest.UniqueName(t))
	tx, err := kafka.NewTransactor(kafka.SinkConfig{Brokers: s.Brokers, Topic: out, TransactionalID: servicestest.UniqueName(t)}, &scfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.Done()
	if err := errors.Join(tx.Close(), tx.Close()); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Poll(ctx); err == nil {
		t.Fatal("poll after close succeeded")
	}
}

func TestPollWaitsForContext(t *testing.T) {
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	src := newSource(t, sourceConfig(s, topic, ""))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := src.Poll(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("poll on an empty topic: %v", err)
	}
}
