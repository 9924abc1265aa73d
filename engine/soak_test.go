package engine_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// EnvSoakMinutes sets how long TestFaultSoak runs (default 2; `make soak`
// runs 10).
const EnvSoakMinutes = "SABOT_SOAK_MINUTES"

// soakSchema is writer version v of the soak's payments: every minute adds
// an optional field, so the source meets a new writer schema while it runs.
func soakSchema(v int) string {
	fields := `{"name":"id","type":"long"},{"name":"amount","type":"double"}`
	for i := 1; i <= v; i++ {
		fields += fmt.Sprintf(`,{"name":"extra_%d","type":["null","string"],"default":null}`, i)
	}
	return `{"type":"record","name":"SoakPayment","namespace":"sabot.soak","fields":[` + fields + `]}`
}

// soakValue is payment id in writer version v (schema id sid): the id, an
// amount, and every optional field null.
func soakValue(sid int, v int, id int64) []byte {
	b := wire.AppendHeader(nil, sid)
	b = binary.AppendVarint(b, id)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(id%1000)/10))
	for range v {
		b = append(b, 0) // union branch 0: null
	}
	return b
}

// soakLedger is what the soak produced and what came out. Counts are kept
// compactly (a byte per good record, an entry per poison value) so the heap
// the soak reports is the pipeline's rather than the ledger's.
type soakLedger struct {
	mu       sync.Mutex
	produced int64 // good records acknowledged
	poison   int64
	out      []uint8             // output count per id (ids are 0..produced-1), saturating
	distinct int64               // ids with a nonzero count
	dlq      map[dlqSource]uint8 // dead letters per source position
	dlqDups  int64
}

// dlqSource is a dead letter's source position, from its headers: a poison
// value read again after a restart (at-least-once) is dead-lettered again.
type dlqSource struct {
	partition, offset string
}

// addOut counts one output record of id.
func (l *soakLedger) addOut(id int64) {
	for int64(len(l.out)) <= id {
		l.out = append(l.out, 0)
	}
	switch c := l.out[id]; c {
	case 0:
		l.distinct++
	case 255:
		return
	}
	l.out[id]++
}

// addDLQ counts one dead letter by its source position.
func (l *soakLedger) addDLQ(r *kgo.Record) {
	var k dlqSource
	for _, h := range r.Headers {
		switch h.Key {
		case kafka.HeaderDLQPartition:
			k.partition = string(h.Value)
		case kafka.HeaderDLQOffset:
			k.offset = string(h.Value)
		}
	}
	if l.dlq[k] > 0 {
		l.dlqDups++
	}
	l.dlq[k]++
}

// minute logs one line of the soak's progress and returns the heap in use
// after a collection.
func (l *soakLedger) minute(t *testing.T, minute int, p *engine.Pipeline) uint64 {
	lost, dups := l.count()
	l.mu.Lock()
	line := fmt.Sprintf("minute %d: in %d (+%d poison), out %d distinct, not yet out %d, duplicated %d, dead-lettered %d (+%d again)",
		minute, l.produced, l.poison, l.distinct, lost, dups, len(l.dlq), l.dlqDups)
	l.mu.Unlock()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("%s; heap %.1f MiB; pipeline: %v", line, float64(m.HeapAlloc)/(1<<20), p.Metrics())
	return m.HeapAlloc
}

// TestFaultSoak runs a pipeline for SABOT_SOAK_MINUTES (default 2) under a
// fault schedule: the broker is killed and restarted every two minutes, 1% of
// the values are garbage, and the writer schema changes every minute. Each
// minute it reports what went in, what came out, what is still missing,
// duplicates, the dead letters and the heap; at the end every good record
// is out, every poison value is dead-lettered, and the heap stayed bounded.
func TestFaultSoak(t *testing.T) {
	s := servicestest.Open(t)
	broker := servicestest.Bouncer(t, s)
	minutes := 2
	if v := os.Getenv(EnvSoakMinutes); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number of minutes", EnvSoakMinutes, v)
		}
		minutes = n
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(minutes+5)*time.Minute)
	defer cancel()
	reg, err := registry.NewClient(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	in, out, dlq := servicestest.Topic(t, s, 6), servicestest.Topic(t, s, 3), servicestest.Topic(t, s, 1)
	subject := in + "-value"
	// BACKWARD: every added field has a default, so each version registers.
	ledger := &soakLedger{dlq: map[dlqSource]uint8{}}

	src := kafka.SourceConfig{Brokers: s.Brokers, Topics: []string{in}, GroupID: servicestest.UniqueName(t),
		Codec: codec.Spec{Format: codec.Avro{}, Registry: reg}, AutoOffsetReset: kafka.OffsetEarliest,
		MaxPollRecords: 2000, OnError: kafka.DeadLetterPolicy(dlq)}
	sink := kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.JSON{}}}
	p := engine.FromKafka(openSource(t, src)).
		Map(ops.Project(ops.Col("id"), ops.Col("amount"))).
		ToKafka(openSink(t, sink))
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	ran := make(chan error, 1)
	go func() { ran <- p.Run(runCtx) }()

	var producer, reader sync.WaitGroup
	produceCtx, stopProducing := context.WithCancel(ctx)
	defer stopProducing()
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	var produceErr atomic.Pointer[error]
	producer.Go(func() { // ~4k records/s, 1% poison, a new writer schema every minute
		if err := soakProduce(produceCtx, s, reg, in, subject, ledger); err != nil && produceCtx.Err() == nil {
			produceErr.Store(&err)
		}
	})
	reader.Go(func() { soakRead(readCtx, t, s, out, dlq, ledger) })
	var heapFirst uint64

	start := time.Now()
	for minute := 1; minute <= minutes; minute++ {
		select {
		case err := <-ran:
			t.Fatalf("the pipeline stopped at minute %d: %v", minute, err)
		case <-time.After(time.Until(start.Add(time.Duration(minute) * time.Minute))):
		}
		if pe := produceErr.Load(); pe != nil {
			t.Fatalf("producer: %v", *pe)
		}
		if minute%2 == 1 && minute < minutes {
			broker.Kill(t)
			time.Sleep(2 * time.Second)
			t.Logf("minute %d: broker killed and back in %v", minute, broker.Start(t).Round(time.Millisecond))
		}
		if heap := ledger.minute(t, minute, p); minute == 1 {
			heapFirst = heap
		}
	}
	stopProducing()
	producer.Wait()
	if pe := produceErr.Load(); pe != nil {
		t.Fatalf("producer: %v", *pe)
	}
	// Everything produced comes out (or to the dead-letter topic) within two
	// minutes of the producer stopping.
	drained := time.Now().Add(2 * time.Minute)
	for !ledger.done() && time.Now().Before(drained) {
		time.Sleep(time.Second)
	}
	stopRun()
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
	stopReading()
	reader.Wait()
	heapLast := ledger.minute(t, minutes+1, p)
	lost, dups := ledger.count()
	if lost > 0 {
		t.Errorf("%d of %d good records never came out", lost, ledger.produced)
	}
	if int64(len(ledger.dlq)) != ledger.poison {
		t.Errorf("dead-lettered %d distinct records, produced %d poison values", len(ledger.dlq), ledger.poison)
	}
	t.Logf("after %d minutes: %d records, %d poison, %d duplicates and %d dead letters again (at-least-once), heap %.1f MiB after minute 1, %.1f MiB at the end",
		minutes, ledger.produced, ledger.poison, dups, ledger.dlqDups, float64(heapFirst)/(1<<20), float64(heapLast)/(1<<20))
	// The ledger grows by a byte per record (two while its slice grows);
	// beyond that the heap must stay where it was after the first minute,
	// give or take a few batches.
	if limit := heapFirst + 2*uint64(ledger.produced) + 32<<20; heapLast > limit {
		t.Errorf("heap grew to %d bytes (limit %d)", heapLast, limit)
	}
}

// count returns the good records not (yet) out and the duplicates.
func (l *soakLedger) count() (lost, dups int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id := int64(0); id < l.produced; id++ {
		var c uint8
		if id < int64(len(l.out)) {
			c = l.out[id]
		}
		switch {
		case c == 0:
			lost++
		case c > 1:
			dups += int64(c - 1)
		}
	}
	return lost, dups
}

// done reports whether every good record is out and every poison value
// dead-lettered.
func (l *soakLedger) done() bool {
	lost, _ := l.count()
	l.mu.Lock()
	defer l.mu.Unlock()
	return lost == 0 && int64(len(l.dlq)) >= l.poison
}

// soakProduce writes payments until ctx ends.
func soakProduce(ctx context.Context, s *services.Services, reg *registry.Client, topic, subject string, l *soakLedger) error {
	cl, err := s.NewClient(kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	rng := rand.New(rand.NewPCG(7, 11))
	version, started := 0, time.Now()
	sid, err := reg.Register(ctx, subject, registry.Schema{Text: soakSchema(version)})
	if err != nil {
		return fmt.Errorf("registering version %d: %w", version, err)
	}
	next := int64(0)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for ctx.Err() == nil {
		if v := int(time.Since(started) / time.Minute); v != version {
			if sid, err = reg.Register(ctx, subject, registry.Schema{Text: soakSchema(v)}); err != nil {
				return fmt.Errorf("registering version %d: %w", v, err)
			}
			version = v
		}
		batch := make([]*kgo.Record, 0, 101)
		for range 100 {
			batch = append(batch, &kgo.Record{Value: soakValue(sid, version, next)})
			next++
			if rng.IntN(100) == 0 {
				garbage := make([]byte, 1+rng.IntN(40))
				for i := range garbage {
					garbage[i] = byte(rng.Uint32())
				}
				garbage[0] = 0 // framed, so the id is garbage too
				batch = append(batch, &kgo.Record{Value: garbage})
			}
		}
		if err := cl.ProduceSync(ctx, batch...).FirstErr(); err != nil {
			return err
		}
		l.mu.Lock()
		l.produced = next
		l.poison += int64(len(batch) - 100)
		l.mu.Unlock()
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	return nil
}

// soakRead counts the output's ids and the dead letters until ctx ends.
func soakRead(ctx context.Context, t *testing.T, s *services.Services, out, dlq string, l *soakLedger) {
	cl, err := s.NewClient(kgo.ConsumeTopics(out, dlq), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Error(err)
		return
	}
	defer cl.Close()
	for ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		l.mu.Lock()
		fs.EachRecord(func(r *kgo.Record) {
			if r.Topic == dlq {
				l.addDLQ(r)
				return
			}
			var v struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(r.Value, &v); err != nil {
				t.Errorf("output value %q: %v", r.Value, err)
				return
			}
			if v.ID < 0 {
				t.Errorf("output id %d", v.ID)
				return
			}
			l.addOut(v.ID)
		})
		l.mu.Unlock()
	}
}
