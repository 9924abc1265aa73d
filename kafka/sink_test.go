package kafka_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

func newSink(t testing.TB, cfg kafka.SinkConfig) *kafka.Sink {
	t.Helper()
	sink, err := kafka.NewSink(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	return sink
}

// TestSinkSendForms sends through every path of one sink: the key column
// keys the batch paths, a Record's Key the pre-encoded one, and each lands
// where Java's partitioner would put it.
func TestSinkSendForms(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 3)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sink := newSink(t, kafka.SinkConfig{
		Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.String{Column: "value"}}, KeyColumn: "key",
	})
	login := stringBatch(mem, []string{"u1:login", "u1:buy"}, []string{"u1", "u1"})
	defer login.Release()
	if err := sink.Send(ctx, login); err != nil {
		t.Fatal(err)
	}
	if err := sink.SendRecords(ctx, kafka.Record{Key: []byte("explicit"), Value: []byte("u2:view"),
		Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("1")}}}); err != nil {
		t.Fatal(err)
	}
	// Go values become a batch too: the key column keys them the same way.
	jsonSink := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.JSON{}}, KeyColumn: "key"})
	if err := jsonSink.SendValues(ctx, map[string]any{"key": "u4", "value": "u4:values"}); err != nil {
		t.Fatal(err)
	}
	async := stringBatch(mem, []string{"u3:async"}, []string{"u3"})
	defer async.Release()
	var asyncErr error
	done := make(chan struct{})
	sink.SendAsync(ctx, async, func(err error) { asyncErr = err; close(done) })
	if err := sink.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	<-done
	if asyncErr != nil {
		t.Fatal(asyncErr)
	}
	rd := rawClient(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	byValue := map[string]*kgo.Record{}
	for _, r := range readAll(ctx, t, rd, 5) {
		byValue[string(r.Value)] = r
	}
	for v, key := range map[string]string{"u1:login": "u1", "u1:buy": "u1", "u2:view": "explicit", "u3:async": "u3",
		`{"key":"u4","value":"u4:values"}`: "u4"} {
		r := byValue[v]
		if r == nil || string(r.Key) != key {
			t.Fatalf("value %q: record %v, want key %q", v, r, key)
		}
		if r.Partition != kafka.KeyPartition(r.Key, 3) {
			t.Fatalf("value %q in partition %d, key hash says %d", v, r.Partition, kafka.KeyPartition(r.Key, 3))
		}
	}
	if byValue["u1:login"].Partition != byValue["u1:buy"].Partition {
		t.Fatal("same key, different partitions")
	}
	if h := byValue["u2:view"].Headers; len(h) != 1 || h[0].Key != "h" {
		t.Fatalf("headers %v", h)
	}
	// The default sink is idempotent: its batches carry a producer id.
	if id := byValue["u1:login"].ProducerID; id < 0 {
		t.Fatalf("producer id %d: the default sink is not idempotent", id)
	}
	if m := sink.Metrics(); m.RecordsOut != 4 || m.ProduceErrors != 0 {
		t.Fatalf("metrics %+v", m)
	}
}

func TestSinkErrorsReachTheCaller(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	t.Run("missing topic", func(t *testing.T) {
		// Past the start-up check (which would refuse the topic), a
		// produce to a missing topic fails too.
		sink := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: servicestest.UniqueName(t) + "-missing",
			SkipConnectCheck: true, ClientOpts: []kgo.Opt{kgo.UnknownTopicRetries(1)}})
		err := sink.SendRecords(ctx, kafka.Record{Value: []byte("x")})
		var pe *kafka.ProduceError
		if !errors.As(err, &pe) {
			t.Fatalf("send to a missing topic: %v, want a ProduceError", err)
		}
		if !errors.Is(err, kafka.ErrTopicNotFound) {
			t.Fatalf("send to a missing topic: %v, want it to match ErrTopicNotFound", err)
		}
		if sink.Metrics().ProduceErrors != 1 {
			t.Fatalf("metrics %+v", sink.Metrics())
		}
	})
	t.Run("record too large", func(t *testing.T) {
		sink := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic})
		err := sink.SendRecords(ctx, kafka.Record{Value: []byte("ok")}, kafka.Record{Value: make([]byte, 2<<20)})
		var pe *kafka.ProduceError
		if !errors.As(err, &pe) || pe.Index != 1 {
			t.Fatalf("oversized record: %v, want a ProduceError for record 1", err)
		}
	})
	t.Run("row that does not encode", func(t *testing.T) {
		sb := stringBatch(mem, []string{"a", "b"}, nil)
		defer sb.Release()
		nullable := nullRow(mem)
		defer nullable.Release()
		sink := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.String{}}})
		err := sink.Send(ctx, nullable)
		var ee *kafka.EncodeError
		var ve *encode.ValueError
		if !errors.As(err, &ee) || ee.Row != 1 || !errors.Is(err, encode.ErrNull) || !errors.As(err, &ve) || ve.Row != 1 || encode.Kind(err) != "null" {
			t.Fatalf("null row under fail: %v", err)
		}
		if sink.Metrics().RecordsOut != 0 {
			t.Fatal("a failed batch produced records")
		}
		skip := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.String{}}, OnError: kafka.SkipPolicy})
		if err := skip.Send(ctx, nullable); err != nil {
			t.Fatal(err)
		}
		if m := skip.Metrics(); m.RecordsOut != 2 || m.EncodeErrors != 1 {
			t.Fatalf("skip: metrics %+v", m)
		}
	})
	t.Run("closed", func(t *testing.T) {
		sink := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic})
		if err := errors.Join(sink.Close(), sink.Close()); err != nil {
			t.Fatal(err)
		}
		if err := sink.SendRecords(ctx, kafka.Record{Value: []byte("x")}); !errors.Is(err, kafka.ErrClosed) {
			t.Fatalf("send after close: %v", err)
		}
	})
}

func TestSinkAcks(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	for _, acks := range []kafka.Acks{kafka.AcksNone, kafka.AcksLeader, kafka.AcksAll} {
		t.Run(string(acks), func(t *testing.T) {
			topic := servicestest.Topic(t, s, 1)
			sink := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Acks: acks})
			recs := make([]kafka.Record, 50)
			for i := range recs {
				recs[i].Value = []byte("a-" + strconv.Itoa(i))
			}
			if err := sink.SendRecords(ctx, recs...); err != nil {
				t.Fatal(err)
			}
			rd := rawClient(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
			got := readAll(ctx, t, rd, 50)
			// Idempotence stays on only with acks=all.
			if idem := got[0].ProducerID >= 0; idem != (acks == kafka.AcksAll) {
				t.Fatalf("acks %s: producer id %d", acks, got[0].ProducerID)
			}
		})
	}
}

// TestCompressionRoundTrip writes with every codec and checks the batches on
// the wire carry it. Against the real broker the Java client reads what
// Sabot wrote and writes with every codec for Sabot to read.
func TestCompressionRoundTrip(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	codecs := []struct {
		c    kafka.Compression
		attr uint8 // the batch attribute Kafka stores
	}{{kafka.CompressionGzip, 1}, {kafka.CompressionSnappy, 2}, {kafka.CompressionLZ4, 3}, {kafka.CompressionZstd, 4}, {kafka.CompressionNone, 0}}
	const n = 400
	vals := make([]string, n)
	keys := make([]string, n)
	for i := range vals {
		vals[i] = fmt.Sprintf("sabot record %d compressible compressible compressible", i)
		keys[i] = "k" + strconv.Itoa(i)
	}
	rec := stringBatch(mem, vals, keys)
	defer rec.Release()
	topics := map[kafka.Compression]string{}
	for _, c := range codecs {
		topic := servicestest.Topic(t, s, 2)
		topics[c.c] = topic
		sink := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Compression: c.c, KeyColumn: "key",
			Codec: codec.Spec{Format: codec.String{Column: "value"}}})
		if err := sink.Send(ctx, rec); err != nil {
			t.Fatalf("%s: %v", c.c, err)
		}
		rd := rawClient(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		for _, r := range readAll(ctx, t, rd, n) {
			if got := r.Attrs.CompressionType(); got != c.attr {
				t.Fatalf("%s: batch compression %d, want %d", c.c, got, c.attr)
			}
		}
	}
	if s.Embedded {
		t.Log("embedded broker: skipping the Java client half (needs the real broker)")
		return
	}
	servicestest.RequireReal(t, s, "the Java client cross-check")

	// Java reads Sabot's batches.
	args := []string{"consume", strings.Join(s.Brokers, ","), "read_uncommitted", strconv.Itoa(n)}
	for _, c := range codecs {
		args = append(args, topics[c.c])
	}
	out := runJava(t, nil, args...)
	want := map[string]bool{}
	for _, c := range codecs {
		for i := range vals {
			want[topics[c.c]+" "+hex.EncodeToString([]byte(keys[i]))+" "+hex.EncodeToString([]byte(vals[i]))] = true
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		f := strings.Fields(l)
		p, _ := strconv.Atoi(f[1])
		key, _ := hex.DecodeString(f[3])
		if int32(p) != kafka.KeyPartition(key, 2) {
			t.Fatalf("java sees key %q in partition %d, key hash says %d", key, p, kafka.KeyPartition(key, 2))
		}
		delete(want, f[0]+" "+f[3]+" "+f[4])
	}
	if len(lines) != len(codecs)*n || len(want) != 0 {
		t.Fatalf("java read %d records, %d expected ones missing", len(lines), len(want))
	}

	// Sabot reads the Java client's batches.
	args = []string{"produce", strings.Join(s.Brokers, ","), strconv.Itoa(n)}
	jt := map[kafka.Compression]string{}
	for _, c := range codecs {
		jt[c.c] = servicestest.Topic(t, s, 3)
		args = append(args, jt[c.c]+"="+string(c.c))
	}
	if out := runJava(t, nil, args...); strings.TrimSpace(out) != "ok" {
		t.Fatalf("java produce: %q", out)
	}
	for _, c := range codecs {
		src := newSource(t, sourceConfig(s, jt[c.c], ""))
		seen := 0
		for seen < n {
			b, err := src.Poll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range b.Records {
				if got := r.Attrs.CompressionType(); got != c.attr {
					t.Fatalf("java %s: batch compression %d", c.c, got)
				}
				idx := strings.TrimPrefix(string(r.Key), "java-key-")
				want := "java " + string(c.c) + " record " + idx + " compressible compressible compressible"
				rec, row, ok := b.Row(i)
				if !ok || rec.Column(0).ValueStr(row) != want {
					t.Fatalf("java %s: record %d decoded wrong", c.c, r.Offset)
				}
				if r.Partition != kafka.KeyPartition(r.Key, 3) {
					t.Fatalf("java put key %q in %d, KeyPartition says %d", r.Key, r.Partition, kafka.KeyPartition(r.Key, 3))
				}
				seen++
			}
			b.Done()
		}
	}
	t.Logf("java read %d Sabot records and Sabot read %d Java records over %d codecs", len(lines), len(codecs)*n, len(codecs))
}

// nullRow is a string batch ["a", null, "c"].
func nullRow(mem memory.Allocator) arrowRecord {
	b := newStringBuilder(mem)
	defer b.Release()
	b.AppendValues([]string{"a", "", "c"}, []bool{true, false, true})
	col := b.NewArray()
	defer col.Release()
	return newRecord(col)
}
