package engine_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// Registry faults: poison values among good registry-framed Avro, and a
// registry that goes away (a TCP proxy in front of it, stopped and started).

const taggedSchema = `{"type":"record","name":"Tagged","namespace":"sabot.test.faults","fields":[
 {"name":"id","type":"long"},{"name":"tag","type":"string"}]}`

func appendLong(b []byte, v int64) []byte { return binary.AppendVarint(b, v) } // Avro longs are zigzag varints

func appendString(b []byte, s string) []byte { return append(appendLong(b, int64(len(s))), s...) }

// paymentValue is payment i (as producePayments writes it) framed with
// schema id.
func paymentValue(id int, i int64) []byte {
	b := wire.AppendHeader(nil, id)
	b = appendLong(b, i)
	b = appendString(b, "n-"+strconv.FormatInt(i, 10))
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(i%100)))
}

// taggedValue is a record of taggedSchema framed with schema id.
func taggedValue(id int, i int64) []byte {
	return appendString(appendLong(wire.AppendHeader(nil, id), i), "tag-"+strconv.FormatInt(i, 10))
}

func registerSchema(t *testing.T, s *services.Services, text string) int {
	t.Helper()
	reg, err := registry.NewClient(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	id, err := reg.Register(context.Background(), servicestest.UniqueName(t)+"-value", registry.Schema{Type: registry.TypeAvro, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// poisonValue makes a value that cannot decode, of one of five shapes, and
// the dead-letter reason it must get. None starts with a valid header naming
// a registered id (good).
func poisonValue(rng *rand.Rand, good map[int]bool) ([]byte, string) {
	for {
		var v []byte
		switch rng.IntN(5) {
		case 0: // id >= 2^31 read unsigned: negative
			v = []byte{0x00, 0x80 | byte(rng.IntN(0x80)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}
			v = append(v, randomBytes(rng, rng.IntN(20))...)
		case 1: // an id no registry here has
			v = wire.AppendHeader(nil, 1_900_000_000+rng.IntN(100_000_000))
			v = append(v, randomBytes(rng, rng.IntN(20))...)
		case 2: // another magic byte
			v = append([]byte{byte(1 + rng.IntN(255))}, randomBytes(rng, rng.IntN(30))...)
		case 3: // a truncated header
			v = append([]byte{0x00}, randomBytes(rng, rng.IntN(4))...)
		default: // any bytes at all
			v = randomBytes(rng, 1+rng.IntN(40))
		}
		if len(v) >= wire.HeaderSize && v[0] == 0 && good[int(int32(binary.BigEndian.Uint32(v[1:5])))] { // #nosec G115 -- the wire id is 32 bits
			continue // valid framing for a real schema: not surely poison
		}
		if len(v) < wire.HeaderSize || v[0] != 0 || v[1] >= 0x80 {
			return v, "malformed"
		}
		return v, "unknown_schema"
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return b
}

// readRecords reads topic from the start until want records arrived and none
// more came for quiet.
func readRecords(ctx context.Context, t *testing.T, s *services.Services, topic string, want int, quiet time.Duration) []*kgo.Record {
	t.Helper()
	cl, err := s.NewClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	for {
		pctx, cancel := context.WithTimeout(ctx, quiet)
		fs := cl.PollFetches(pctx)
		cancel()
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records of %s: %v", len(out), want, topic, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
		if fs.NumRecords() == 0 && len(out) >= want {
			return out
		}
	}
}

func header(r *kgo.Record, key string) (string, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}

type position struct {
	partition int32
	offset    int64
}

// TestPoisonValuesAreDeadLettered: 1% poison among good Avro values, read
// through a dead-letter pipeline. Every poison value is dead-lettered with
// its position and reason, every good record reaches the output, and a
// second run of the group reads nothing again.
func TestPoisonValuesAreDeadLettered(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	in, out, dlq := servicestest.Topic(t, s, 6), servicestest.Topic(t, s, 3), servicestest.Topic(t, s, 1)
	id := registerSchema(t, s, paymentSchema)

	const n = 20_000
	rng := rand.New(rand.NewPCG(20240611, 1))
	cl := rawClientFor(t, s, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	recs := make([]*kgo.Record, n)
	reasons := map[int]string{}
	var good []int64
	for i := range recs {
		v := paymentValue(id, int64(i))
		if rng.IntN(100) == 0 {
			v, reasons[i] = poisonValue(rng, map[int]bool{id: true})
		} else {
			good = append(good, int64(i))
		}
		recs[i] = &kgo.Record{Topic: in, Partition: int32(i % 6), Key: []byte(strconv.Itoa(i)), Value: v} // #nosec G115 -- i%6
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	poison := map[position]int{} // position → record index
	shapes := map[string]int{}
	for i := range reasons {
		poison[position{recs[i].Partition, recs[i].Offset}] = i
		shapes[reasons[i]]++
	}
	if len(poison) < n/200 || shapes["malformed"] == 0 || shapes["unknown_schema"] == 0 {
		t.Fatalf("the seed made %d poison values %v: too few to say anything", len(poison), shapes)
	}

	reg, err := registry.NewClient(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	group := servicestest.UniqueName(t)
	srcCfg := func() kafka.SourceConfig {
		c := kafka.SourceConfig{Brokers: s.Brokers, Topics: []string{in}, GroupID: group,
			Codec: codec.Spec{Format: codec.Avro{}, Registry: reg}, AutoOffsetReset: kafka.OffsetEarliest,
			MaxPollRecords: 1000, OnError: kafka.DeadLetterPolicy(dlq)}
		return c
	}
	sinkCfg := kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.JSON{}}}
	p := engine.FromKafka(openSource(t, srcCfg())).Limit(n).ToKafka(openSink(t, sinkCfg))
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if m := p.Metrics(); m.InRecords != n || m.Rejects != int64(len(poison)) || m.OutRows != int64(len(good)) {
		t.Fatalf("metrics %+v, want %d records, %d rejects, %d rows", m, n, len(poison), len(good))
	}

	dead := readRecords(ctx, t, s, dlq, len(poison), 3*time.Second)
	if len(dead) != len(poison) {
		t.Fatalf("%d dead-lettered, want the %d poison values", len(dead), len(poison))
	}
	seen := map[position]bool{}
	for _, r := range dead {
		topic, _ := header(r, kafka.HeaderDLQTopic)
		part, _ := header(r, kafka.HeaderDLQPartition)
		off, _ := header(r, kafka.HeaderDLQOffset)
		reason, _ := header(r, kafka.HeaderDLQReason)
		pn, err1 := strconv.ParseInt(part, 10, 32)
		on, err2 := strconv.ParseInt(off, 10, 64)
		if topic != in || err1 != nil || err2 != nil {
			t.Fatalf("dead letter %q: topic %q partition %q offset %q", r.Value, topic, part, off)
		}
		pos := position{int32(pn), on}
		i, ok := poison[pos]
		switch {
		case !ok:
			t.Fatalf("dead letter from %s/%d@%d, which holds a good record", topic, pn, on)
		case seen[pos]:
			t.Fatalf("%s/%d@%d dead-lettered twice", topic, pn, on)
		case string(r.Value) != string(recs[i].Value) || string(r.Key) != string(recs[i].Key):
			t.Fatalf("%s/%d@%d dead-lettered as %x, produced as %x", topic, pn, on, r.Value, recs[i].Value)
		case reason != reasons[i]:
			msg, _ := header(r, kafka.HeaderDLQError)
			t.Fatalf("value %x dead-lettered for %q (%s), want %q", r.Value, reason, msg, reasons[i])
		}
		seen[pos] = true
	}

	outRecs := readRecords(ctx, t, s, out, len(good), 3*time.Second)
	got := map[int64]int{}
	for _, r := range outRecs {
		var v struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil || v.Name != "n-"+strconv.FormatInt(v.ID, 10) {
			t.Fatalf("output %s: %v", r.Value, err)
		}
		got[v.ID]++
	}
	for _, i := range good {
		if got[i] != 1 {
			t.Fatalf("good record %d is in the output %d times", i, got[i])
		}
	}
	if len(outRecs) != len(good) {
		t.Fatalf("%d output records, want %d", len(outRecs), len(good))
	}

	// The group committed everything: a second run reads nothing.
	again := engine.FromKafka(openSource(t, srcCfg())).StopWhenIdle(3 * time.Second).ToKafka(openSink(t, sinkCfg))
	if err := again.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if m := again.Metrics(); m.InRecords != 0 || m.OutRows != 0 {
		t.Fatalf("second run reprocessed: %+v", m)
	}
	if ends := endOffsets(ctx, t, s, dlq); ends != int64(len(poison)) {
		t.Fatalf("dead-letter topic holds %d after the second run, want %d", ends, len(poison))
	}
	if ends := endOffsets(ctx, t, s, out); ends != int64(len(good)) {
		t.Fatalf("output holds %d after the second run, want %d", ends, len(good))
	}
}

func rawClientFor(t *testing.T, s *services.Services, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := s.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func endOffsets(ctx context.Context, t *testing.T, s *services.Services, topic string) int64 {
	t.Helper()
	cl, err := s.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	n, err := kadmEnds(ctx, cl, topic)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// registryProxy puts a TCP proxy in front of s's registry and returns it
// with a client that goes through it (quick to give up: the Source does the
// waiting).
func registryProxy(t *testing.T, s *services.Services) (*servicestest.TCPProxy, *registry.Client) {
	t.Helper()
	u, err := url.Parse(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	px := servicestest.Proxy(t, u.Host)
	reg, err := registry.NewClient(px.URL(s.RegistryURL), registry.Retries(1),
		registry.Backoff(5*time.Millisecond, 10*time.Millisecond), registry.RequestTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return px, reg
}

// producer writes framed values to partition 0 of topic, from offset 0 on.
type producer struct {
	t    *testing.T
	cl   *kgo.Client
	next int64
}

func (p *producer) send(ctx context.Context, vals ...[]byte) {
	p.t.Helper()
	recs := make([]*kgo.Record, len(vals))
	for i, v := range vals {
		recs[i] = &kgo.Record{Value: v}
	}
	if err := p.cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		p.t.Fatal(err)
	}
	p.next += int64(len(vals))
}

func payments(id int, from, n int64) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = paymentValue(id, from+int64(i))
	}
	return out
}

// waitEnds waits until topic holds want records, failing t after d.
func waitEnds(ctx context.Context, t *testing.T, s *services.Services, topic string, want int64, d time.Duration) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := waitForOutput(wctx, s, topic, want); err != nil {
		t.Fatalf("%s: %v (holds %d)", topic, err, endOffsets(ctx, t, s, topic))
	}
}

// TestRegistryOutageIsWaitedOut: with the registry unreachable, records of
// known schemas flow; a record of a schema first seen during the outage
// waits (retried, never dead-lettered) while the records before it are
// delivered; once the registry is back it decodes and the pipeline goes on.
func TestRegistryOutageIsWaitedOut(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	in, out, dlq := servicestest.Topic(t, s, 1), servicestest.Topic(t, s, 1), servicestest.Topic(t, s, 1)
	idA, idB := registerSchema(t, s, paymentSchema), registerSchema(t, s, taggedSchema)
	px, reg := registryProxy(t, s)
	prod := &producer{t: t, cl: rawClientFor(t, s, kgo.DefaultProduceTopic(in), kgo.RecordPartitioner(kgo.ManualPartitioner()))}

	policy := kafka.DeadLetterPolicy(dlq)
	policy.OutageRetries, policy.Backoff, policy.MaxBackoff = 10_000, 20*time.Millisecond, 200*time.Millisecond
	src := openSource(t, kafka.SourceConfig{Brokers: s.Brokers, Topics: []string{in}, GroupID: servicestest.UniqueName(t),
		Codec: codec.Spec{Format: codec.Avro{}, Registry: reg}, AutoOffsetReset: kafka.OffsetEarliest,
		FetchMaxWait: 100 * time.Millisecond, OnError: policy})
	p := engine.FromKafka(src).ToKafka(openSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.JSON{}}}))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- p.Run(runCtx) }()

	prod.send(ctx, payments(idA, 0, 100)...)
	waitEnds(ctx, t, s, out, 100, time.Minute)

	px.Stop()
	// Known schema: flows with the registry gone.
	prod.send(ctx, payments(idA, 100, 50)...)
	waitEnds(ctx, t, s, out, 150, 30*time.Second)

	// A schema first seen now waits; the 20 before it are delivered.
	retries := src.Metrics().Retries
	// One produce, so that the 20 before it, it and the 20 after it are
	// likely fetched in one batch, which the Source cuts.
	stuck := prod.next + 20
	prod.send(ctx, append(append(payments(idA, 150, 20), taggedValue(idB, 1_000_000)), payments(idA, 171, 20)...)...)
	waitEnds(ctx, t, s, out, 170, 30*time.Second)
	time.Sleep(2 * time.Second)
	if got := endOffsets(ctx, t, s, out); got != 170 {
		t.Fatalf("output holds %d during the outage, want the 170 before record %d", got, stuck)
	}
	if got := endOffsets(ctx, t, s, dlq); got != 0 {
		t.Fatalf("%d records dead-lettered for a registry outage", got)
	}
	if m := src.Metrics(); m.Retries-retries < 3 || m.DeadLettered != 0 || m.DecodeErrors != 0 {
		t.Fatalf("metrics during the outage: %d retries, %d dead-lettered, %d decode errors", m.Retries-retries, m.DeadLettered, m.DecodeErrors)
	}
	select {
	case err := <-errc:
		t.Fatalf("pipeline stopped during the outage: %v", err)
	default:
	}

	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	waitEnds(ctx, t, s, out, 191, 30*time.Second)
	prod.send(ctx, payments(idA, 191, 9)...)
	waitEnds(ctx, t, s, out, 200, 30*time.Second)
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}

	recs := readRecords(ctx, t, s, out, 200, 2*time.Second)
	for i, r := range recs {
		var v struct {
			ID  int64  `json:"id"`
			Tag string `json:"tag"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatal(err)
		}
		want := int64(i)
		if i == int(stuck) {
			want = 1_000_000
		}
		if v.ID != want || (i == int(stuck)) != (v.Tag == "tag-1000000") {
			t.Fatalf("output %d is %s, want id %d", i, r.Value, want)
		}
	}
	if len(recs) != 200 || endOffsets(ctx, t, s, dlq) != 0 {
		t.Fatalf("%d output records (want 200), %d dead-lettered", len(recs), endOffsets(ctx, t, s, dlq))
	}
}

// TestRegistryOutageOutlastsRetries: an outage longer than the policy's
// retries fails the pipeline with an error saying the registry is
// unavailable, after delivering (and committing) only what came before the
// record that waited; a restart with the registry back picks up there.
func TestRegistryOutageOutlastsRetries(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	in, out, dlq := servicestest.Topic(t, s, 1), servicestest.Topic(t, s, 1), servicestest.Topic(t, s, 1)
	idA, idB := registerSchema(t, s, paymentSchema), registerSchema(t, s, taggedSchema)
	px, reg := registryProxy(t, s)
	prod := &producer{t: t, cl: rawClientFor(t, s, kgo.DefaultProduceTopic(in), kgo.RecordPartitioner(kgo.ManualPartitioner()))}
	group := servicestest.UniqueName(t)
	policy := kafka.DeadLetterPolicy(dlq)
	policy.OutageRetries, policy.Backoff, policy.MaxBackoff = 3, 50*time.Millisecond, 100*time.Millisecond
	srcCfg := kafka.SourceConfig{Brokers: s.Brokers, Topics: []string{in}, GroupID: group,
		Codec: codec.Spec{Format: codec.Avro{}, Registry: reg}, AutoOffsetReset: kafka.OffsetEarliest,
		FetchMaxWait: 100 * time.Millisecond, OnError: policy}
	sinkCfg := kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.JSON{}}}
	src := openSource(t, srcCfg)
	p := engine.FromKafka(src).ToKafka(openSink(t, sinkCfg))
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx) }()

	prod.send(ctx, payments(idA, 0, 10)...)
	waitEnds(ctx, t, s, out, 10, time.Minute)
	px.Stop()
	stuck := prod.next + 10
	prod.send(ctx, append(append(payments(idA, 10, 10), taggedValue(idB, 1_000_000)), payments(idA, 21, 5)...)...)

	var err error
	select {
	case err = <-errc:
	case <-time.After(time.Minute):
		t.Fatal("the pipeline did not fail on an outage outlasting its retries")
	}
	var oe *kafka.RegistryOutageError
	if !errors.As(err, &oe) || !errors.Is(err, decode.ErrRegistry) {
		t.Fatalf("Run returned %v, want a RegistryOutageError", err)
	}
	if oe.Offset != stuck || oe.Retries != 3 || oe.SchemaID != idB {
		t.Fatalf("outage error %+v, want record %d (schema %d) after 3 retries", oe, stuck, idB)
	}
	for _, want := range []string{"schema registry unavailable", fmt.Sprintf("@%d", stuck), "after 3 retries"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got := endOffsets(ctx, t, s, out); got != stuck {
		t.Fatalf("output holds %d, want the %d records before the stuck one", got, stuck)
	}
	if got := endOffsets(ctx, t, s, dlq); got != 0 {
		t.Fatalf("%d records dead-lettered for a registry outage", got)
	}
	if c := committedOffset(ctx, t, s, group, in); c > stuck {
		t.Fatalf("committed offset %d is past the stuck record %d", c, stuck)
	}

	// With the registry back, the same group picks up at the stuck record.
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	_, reg2 := registryProxy(t, s)
	srcCfg.Codec.Registry = reg2
	again := engine.FromKafka(openSource(t, srcCfg)).StopWhenIdle(3 * time.Second).ToKafka(openSink(t, sinkCfg))
	if err := again.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := endOffsets(ctx, t, s, out); got < prod.next {
		t.Fatalf("output holds %d after the restart, want all %d", got, prod.next)
	}
	if c := committedOffset(ctx, t, s, group, in); c != prod.next {
		t.Fatalf("committed %d after the restart, want %d", c, prod.next)
	}
}

// committedOffset is the group's committed offset of partition 0 of topic
// (0 when none).
func committedOffset(ctx context.Context, t *testing.T, s *services.Services, group, topic string) int64 {
	t.Helper()
	cl, err := s.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	offs, err := kadm.NewClient(cl).FetchOffsets(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := offs.Lookup(topic, 0); ok {
		return o.At
	}
	return 0
}
