package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// produceValues writes "v-%07d" for 0..n-1, keyed by the number.
func produceValues(ctx context.Context, t testing.TB, s *services.Services, topic string, n int) {
	t.Helper()
	cl, err := s.NewClient(kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, 0, 10000)
	for i := 0; i < n; i++ {
		recs = append(recs, &kgo.Record{Key: fmt.Appendf(nil, "%d", i), Value: fmt.Appendf(nil, "v-%07d", i)})
		if len(recs) == cap(recs) || i == n-1 {
			if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
				t.Fatal(err)
			}
			recs = recs[:0]
		}
	}
}

// evenValues keeps "v-NNNNNNN" values whose number is even.
func evenValues(_ memory.Allocator, rec arrow.RecordBatch) (*array.Boolean, error) {
	col := rec.Column(0).(*array.String)
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	for i := 0; i < col.Len(); i++ {
		v := col.Value(i)
		b.Append((v[len(v)-1]-'0')%2 == 0)
	}
	return b.NewBooleanArray(), nil
}

// upper upper-cases the value column.
func upper(_ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	col := rec.Column(0).(*array.String)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for i := 0; i < col.Len(); i++ {
		b.Append(strings.ToUpper(col.Value(i)))
	}
	out := b.NewArray()
	defer out.Release()
	return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{out}, rec.NumRows()), nil
}

// readAll reads topic from the start (read_committed) until want records or
// idle for quiet; it returns the count of each value.
func readAll(ctx context.Context, t testing.TB, s *services.Services, topic string, want int, quiet time.Duration) map[string]int {
	t.Helper()
	cl, err := s.NewClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]int{}
	total := 0
	for {
		pctx, cancel := context.WithTimeout(ctx, quiet)
		fs := cl.PollFetches(pctx)
		cancel()
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d: %v", total, want, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) { seen[string(r.Value)]++; total++ })
		if fs.NumRecords() == 0 && total >= want {
			return seen
		}
	}
}

func checkExactlyEvenUpper(t *testing.T, seen map[string]int, n int) {
	t.Helper()
	if len(seen) != n/2 {
		t.Errorf("output holds %d distinct values, want %d", len(seen), n/2)
	}
	for i := 0; i < n; i += 2 {
		v := fmt.Sprintf("V-%07d", i)
		if seen[v] != 1 {
			t.Fatalf("%s appears %d times", v, seen[v])
		}
	}
}

// openSource opens a Kafka source for a test; a pipeline closes it, and so
// does the test's cleanup (Close is idempotent).
func openSource(t testing.TB, cfg kafka.SourceConfig) *kafka.Source {
	t.Helper()
	src, err := kafka.NewSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// openSink opens a Kafka sink for a test, as openSource does.
func openSink(t testing.TB, cfg kafka.SinkConfig) *kafka.Sink {
	t.Helper()
	sink, err := kafka.NewSink(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	return sink
}

// openTransactor opens an exactly-once Transactor for a test.
func openTransactor(t testing.TB, sink kafka.SinkConfig, src kafka.SourceConfig) *kafka.Transactor {
	t.Helper()
	tx, err := kafka.NewTransactor(sink, &src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Close() })
	return tx
}

func stringSource(s *services.Services, topic, group string) kafka.SourceConfig {
	return kafka.SourceConfig{Brokers: s.Brokers, Topics: []string{topic}, GroupID: group,
		Codec: codec.Spec{Format: codec.String{}}, AutoOffsetReset: kafka.OffsetEarliest, MaxPollRecords: 5000}
}

func TestKafkaPipelineAtLeastOnce(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	in, out := servicestest.Topic(t, s, 6), servicestest.Topic(t, s, 3)
	const n = 100_000
	produceValues(ctx, t, s, in, n)

	runCtx, stop := context.WithCancel(ctx)
	p := engine.FromKafka(openSource(t, stringSource(s, in, servicestest.UniqueName(t)))).
		Map(ops.WhereFunc(evenValues)).Map(ops.Func(upper)).
		ToKafka(openSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.String{}}}))
	errc := make(chan error, 1)
	go func() { errc <- p.Run(runCtx) }()
	go func() { // Metrics is safe while the pipeline runs (checked by -race)
		for runCtx.Err() == nil {
			_ = p.Metrics()
			time.Sleep(time.Millisecond)
		}
	}()
	seen := readAll(ctx, t, s, out, n/2, 3*time.Second)
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	checkExactlyEvenUpper(t, seen, n)
	if m := p.Metrics(); m.InRecords != n || m.OutRows != n/2 {
		t.Fatalf("metrics %+v", m)
	}
}

// TestEOSWorker is not a test: TestKafkaPipelineExactlyOnceSurvivesKill runs
// the test binary with SABOT_EOS_WORKER set to make it one pipeline instance,
// then kills one instance with SIGKILL mid-run.
func TestEOSWorker(t *testing.T) {
	spec := os.Getenv("SABOT_EOS_WORKER")
	if spec == "" {
		t.Skip("worker process for TestKafkaPipelineExactlyOnceSurvivesKill")
	}
	var in, out, group, txnID, registryURL string
	if _, err := fmt.Sscanf(spec, "%s %s %s %s %s", &in, &out, &group, &txnID, &registryURL); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.NewClient(registryURL)
	if err != nil {
		t.Fatal(err)
	}
	brokers := services.SplitList(os.Getenv(services.EnvBrokers))
	src, sink := paymentsPipeline(brokers, reg, in, out, group)
	src.MaxPollRecords = 2000
	// A killed member is noticed after the session timeout, and its open
	// transaction is aborted by the broker after the transaction timeout:
	// keep both short so the survivor takes over quickly.
	src.SessionTimeout, src.HeartbeatInterval = 8*time.Second, time.Second
	sink.TransactionalID = txnID
	sink.ClientOpts = []kgo.Opt{kgo.TransactionTimeout(10 * time.Second)}
	tx := openTransactor(t, sink, src)
	p := engine.FromTransactor(tx).Filter(largePayment).Map(doubledAmount).ToKafka(tx.Sink()).
		WithOptions(engine.RunOptions{TxnMaxRecords: 5000, TxnMaxInterval: 200 * time.Millisecond})
	fmt.Println("worker started")
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestKafkaPipelineExactlyOnceSurvivesKill(t *testing.T) {
	s := servicestest.Open(t)
	servicestest.RequireReal(t, s, "two pipeline processes share the broker")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	in, out := servicestest.Topic(t, s, 6), servicestest.Topic(t, s, 3)
	group := servicestest.UniqueName(t)
	reg, err := registry.NewClient(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200_000
	producePayments(ctx, t, s, reg, in, n)

	start := func(id string) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestEOSWorker$", "-test.v")
		cmd.Env = append(os.Environ(), fmt.Sprintf("SABOT_EOS_WORKER=%s %s %s %s %s", in, out, group, group+"-"+id, s.RegistryURL))
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &buf
	}
	a, aOut := start("a")
	b, bOut := start("b")
	defer func() {
		// Stop both (a is usually gone already); Wait also ends the copying
		// into the buffers, so they can be read.
		_, _ = a.Process.Kill(), b.Process.Kill()
		_, _ = a.Wait(), b.Wait()
		if t.Failed() {
			t.Logf("worker a:\n%s\nworker b:\n%s", aOut, bOut)
		}
	}()

	// Kill a hard once the output shows progress, mid-run.
	if err := waitForOutput(ctx, s, out, n/10); err != nil {
		t.Fatal(err)
	}
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	checkPayments(t, readAll(ctx, t, s, out, n/2, 10*time.Second), n)
}

// waitForOutput waits until topic's end offsets sum to at least want.
func waitForOutput(ctx context.Context, s *services.Services, topic string, want int64) error {
	cl, err := s.NewClient()
	if err != nil {
		return err
	}
	defer cl.Close()
	for {
		ends, err := kadmEnds(ctx, cl, topic)
		if err == nil && ends >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("output did not reach %d records: %w", want, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestCopyKeepsKeysHeadersTimestamps copies a topic through a pipeline whose
// source decodes the metadata columns: the sink writes them back as each
// record's key, headers and timestamp, and leaves them out of the values.
func TestCopyKeepsKeysHeadersTimestamps(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	in, out := servicestest.Topic(t, s, 2), servicestest.Topic(t, s, 2)
	cl, err := s.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	const n = 100
	base := time.UnixMilli(1_700_000_000_000)
	for i := 0; i < n; i++ {
		r := &kgo.Record{Topic: in, Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "v%d", i),
			Timestamp: base.Add(time.Duration(i) * time.Second),
			Headers:   []kgo.RecordHeader{{Key: "trace", Value: fmt.Appendf(nil, "t%d", i)}, {Key: "empty"}}}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	src := stringSource(s, in, servicestest.UniqueName(t))
	src.Codec.Metadata = decode.MetaAll
	p := engine.FromKafka(openSource(t, src)).Limit(n).
		ToKafka(openSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.String{}}}))
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	rd, err := s.NewClient(kgo.ConsumeTopics(out), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	got := 0
	for got < n {
		fs := rd.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d", got, n)
		}
		fs.EachRecord(func(r *kgo.Record) {
			got++
			var i int
			if _, err := fmt.Sscanf(string(r.Value), "v%d", &i); err != nil {
				t.Fatalf("value %q: %v", r.Value, err)
			}
			if string(r.Key) != fmt.Sprintf("k%d", i) || !r.Timestamp.Equal(base.Add(time.Duration(i)*time.Second)) ||
				len(r.Headers) != 2 || string(r.Headers[0].Value) != fmt.Sprintf("t%d", i) || r.Headers[1].Key != "empty" {
				t.Fatalf("record %q: key %q, timestamp %v, headers %v", r.Value, r.Key, r.Timestamp, r.Headers)
			}
		})
	}
}

// TestFinalProgressReportsUnread: a pipeline stopped with records left says
// how many in its last progress line, instead of "lag 0".
func TestFinalProgressReportsUnread(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	in, out := servicestest.Topic(t, s, 1), servicestest.Topic(t, s, 1)
	const n = 20_000
	produceValues(ctx, t, s, in, n)
	cfg := stringSource(s, in, servicestest.UniqueName(t))
	cfg.MaxPollRecords = 1000
	var progress bytes.Buffer
	p := engine.FromKafka(openSource(t, cfg)).Limit(3000).
		ToKafka(openSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.String{}}})).
		WithOptions(engine.RunOptions{Progress: &progress, ProgressEvery: time.Hour})
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	m := p.Metrics()
	last := progress.String()
	if i := strings.LastIndex(last, "done:"); i >= 0 {
		last = last[i:]
	}
	want := fmt.Sprintf("lag %d,", n-m.InRecords)
	if m.InRecords >= n || !strings.Contains(last, want) {
		t.Fatalf("final progress %q after %d of %d records, want %q", last, m.InRecords, n, want)
	}
}
