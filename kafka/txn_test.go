package kafka_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// readIsolated reads topic from the start with a plain client until it has
// seen the end offsets as of now, returning the values.
func readIsolated(ctx context.Context, t *testing.T, s *services.Services, topic string, committedOnly bool) []string {
	t.Helper()
	opts := []kgo.Opt{kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if committedOnly {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl := rawClient(t, s, opts...)
	var out []string
	for {
		pctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
		fs := cl.PollRecords(pctx, 1000)
		cancel()
		for _, r := range fs.Records() {
			out = append(out, string(r.Value))
		}
		if fs.NumRecords() == 0 {
			return out // nothing more within the wait: the end
		}
	}
}

func TestTransactionsCommittedVisibleAbortedNot(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 2)
	tx, err := kafka.NewTransactor(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, TransactionalID: servicestest.UniqueName(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Close() })
	send := func(prefix string, n int) {
		t.Helper()
		recs := make([]kafka.Record, n)
		for i := range recs {
			recs[i].Value = []byte(prefix + "-" + strconv.Itoa(i))
		}
		if err := tx.Sink().SendRecords(ctx, recs...); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		prefix string
		commit bool
	}{{"c1", true}, {"a1", false}, {"c2", true}}
	for _, st := range steps {
		if err := tx.Begin(); err != nil {
			t.Fatal(err)
		}
		send(st.prefix, 10)
		if st.commit {
			committed, err := tx.Commit(ctx)
			if err != nil || !committed {
				t.Fatalf("commit: %v, committed %v", err, committed)
			}
		} else if err := tx.Abort(ctx); err != nil {
			t.Fatal(err)
		}
	}
	committedVals := readIsolated(ctx, t, s, topic, true)
	all := readIsolated(ctx, t, s, topic, false)
	if len(committedVals) != 20 || countPrefix(committedVals, "a1-") != 0 {
		t.Fatalf("read_committed saw %d values (%d aborted), want 20 and none", len(committedVals), countPrefix(committedVals, "a1-"))
	}
	if len(all) != 30 || countPrefix(all, "a1-") != 10 {
		t.Fatalf("read_uncommitted saw %d values (%d aborted), want 30 with the 10 aborted", len(all), countPrefix(all, "a1-"))
	}
	// The Source with ReadCommitted agrees.
	cfg := sourceConfig(s, topic, "")
	cfg.ReadCommitted = true
	got := values(ctx, t, newSource(t, cfg), 20)
	if countPrefix(got, "a1-") != 0 {
		t.Fatalf("Source read aborted values: %v", got)
	}
	if !s.Embedded {
		out := runJava(t, nil, "consume", strings.Join(s.Brokers, ","), "read_committed", "20", topic)
		if n := strings.Count(out, "\n"); n != 20 {
			t.Fatalf("java read_committed read %d records, want 20", n)
		}
	}
	if _, err := tx.Poll(ctx); !errors.Is(err, kafka.ErrNoSource) {
		t.Fatalf("poll without a source: %v", err)
	}
	// A transactional sink is the Transactor's; a plain one is not transactional.
	if _, err := kafka.NewSink(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, TransactionalID: "x"}); err == nil {
		t.Fatal("NewSink opened a transactional sink")
	}
	if _, err := kafka.NewTransactor(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic}, nil); err == nil {
		t.Fatal("a Transactor without a TransactionalID")
	}
	scfg := sourceConfig(s, topic, "")
	scfg.AutoCommitInterval = time.Second
	_, err = kafka.NewTransactor(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, TransactionalID: "x"}, &scfg)
	if err == nil || !strings.Contains(err.Error(), "GroupID") || !strings.Contains(err.Error(), "AutoCommitInterval") {
		t.Fatalf("a Transactor source without a group and with auto commit: %v", err)
	}
}

func countPrefix(vs []string, p string) int {
	n := 0
	for _, v := range vs {
		if strings.HasPrefix(v, p) {
			n++
		}
	}
	return n
}

// TestTransactorConsumeTransformProduce upper-cases a 3-partition topic into
// another inside transactions, aborting one of them on purpose. The output
// read_committed holds every input exactly once, the aborted attempt is on
// the log but invisible, and the group's committed offsets cover exactly the
// input.
func TestTransactorConsumeTransformProduce(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	in := servicestest.Topic(t, s, 3)
	out := servicestest.Topic(t, s, 3)
	const n = 600
	produce(ctx, t, s, in, "in", n, -1)
	group := servicestest.UniqueName(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	scfg := sourceConfig(s, in, group)
	scfg.MaxPollRecords = 100
	tx, err := kafka.NewTransactor(kafka.SinkConfig{
		Brokers: s.Brokers, Topic: out, TransactionalID: servicestest.UniqueName(t),
		Codec: codec.Spec{Format: codec.String{Column: "value"}},
	}, &scfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	produced, aborted := 0, 0
	for round := 0; produced < n; round++ {
		b, err := tx.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		vals := batchValues(b)
		for i := range vals {
			vals[i] = strings.ToUpper(vals[i])
		}
		rec := stringBatch(mem, vals, nil)
		err = tx.Sink().Send(ctx, rec)
		rec.Release()
		b.Done()
		if err != nil {
			t.Fatal(err)
		}
		if round == 1 {
			if err := tx.Abort(ctx); err != nil {
				t.Fatal(err)
			}
			aborted += len(vals)
			continue
		}
		ok, err := tx.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Fatal("commit aborted without a rebalance")
		}
		produced += len(vals)
	}
	if produced != n || aborted == 0 {
		t.Fatalf("produced %d aborted %d", produced, aborted)
	}
	got := readIsolated(ctx, t, s, out, true)
	seen := map[string]int{}
	for _, v := range got {
		seen[v]++
	}
	for i := 0; i < n; i++ {
		if c := seen["IN-"+strconv.Itoa(i)]; c != 1 {
			t.Fatalf("output IN-%d appears %d times read_committed", i, c)
		}
	}
	if len(got) != n {
		t.Fatalf("read_committed output has %d records, want %d", len(got), n)
	}
	if all := readIsolated(ctx, t, s, out, false); len(all) != n+aborted {
		t.Fatalf("read_uncommitted output has %d records, want %d (aborted included)", len(all), n+aborted)
	}
	if c := committed(ctx, t, s, group, in); sum(c) != n {
		t.Fatalf("committed offsets %v sum to %d, want %d", c, sum(c), n)
	}
}
