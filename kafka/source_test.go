package kafka_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

func TestPollDecodesWithMetadataAndTombstones(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	cl := rawClient(t, s)
	hdr := []kgo.RecordHeader{{Key: "h", Value: []byte("v")}}
	if err := cl.ProduceSync(ctx,
		&kgo.Record{Topic: topic, Key: []byte("ka"), Value: []byte("a"), Headers: hdr},
		&kgo.Record{Topic: topic, Key: []byte("kb"), Value: nil},
		&kgo.Record{Topic: topic, Value: []byte("c")},
	).FirstErr(); err != nil {
		t.Fatal(err)
	}
	src := newSource(t, sourceConfig(s, topic, ""))
	b, err := src.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Done()
	if b.Len() != 3 || b.NumRows() != 2 {
		t.Fatalf("records %d rows %d, want 3 and 2", b.Len(), b.NumRows())
	}
	if !slices.Equal(b.Result.Tombstones, []int{1}) {
		t.Fatalf("tombstones %v, want [1]", b.Result.Tombstones)
	}
	if _, _, ok := b.Row(1); ok {
		t.Fatal("a tombstone has a row")
	}
	rec, row, ok := b.Row(2)
	if !ok || rec.Column(0).ValueStr(row) != "c" {
		t.Fatalf("record 2 row: ok=%v", ok)
	}
	sch := rec.Schema()
	for _, name := range []string{decode.ColTopic, decode.ColPartition, decode.ColOffset, decode.ColTimestamp, decode.ColKey, decode.ColHeaders} {
		if len(sch.FieldIndices(name)) != 1 {
			t.Fatalf("no metadata column %s in %s", name, sch)
		}
	}
	first, row0, _ := b.Row(0)
	off := first.Column(sch.FieldIndices(decode.ColOffset)[0]).(*array.Int64)
	key := first.Column(sch.FieldIndices(decode.ColKey)[0]).(*array.Binary)
	if off.Value(row0) != 0 || string(key.Value(row0)) != "ka" {
		t.Fatalf("offset %d key %q", off.Value(row0), key.Value(row0))
	}
	if got := b.Offsets(); len(got) != 1 || got[0].First != 0 || got[0].Last != 2 || got[0].Count != 3 {
		t.Fatalf("offsets %+v", got)
	}
	m := src.Metrics()
	if m.RecordsIn != 3 || m.Rows != 2 || m.Tombstones != 1 || m.Batches != 1 || m.BytesIn != int64(len("ka")+1+len("kb")+1) {
		t.Fatalf("metrics %+v", m)
	}
}

func TestMessagesSurfaceTombstonesAndMetadata(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	cl := rawClient(t, s)
	ts := time.UnixMilli(1_700_000_000_000)
	if err := cl.ProduceSync(ctx,
		&kgo.Record{Topic: topic, Key: []byte("k1"), Value: []byte("v1"), Timestamp: ts, Headers: []kgo.RecordHeader{{Key: "a", Value: []byte("b")}}},
		&kgo.Record{Topic: topic, Key: []byte("k1"), Value: nil, Timestamp: ts},
	).FirstErr(); err != nil {
		t.Fatal(err)
	}
	src := newSource(t, sourceConfig(s, topic, ""))
	var got []kafka.Message
	for m, err := range src.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
		if len(got) == 2 {
			break
		}
	}
	m0, m1 := got[0], got[1]
	if m0.Topic != topic || m0.Partition != 0 || m0.Offset != 0 || !m0.Timestamp.Equal(ts) ||
		string(m0.Key) != "k1" || string(m0.Value) != "v1" || len(m0.Headers) != 1 || m0.Headers[0].Key != "a" {
		t.Fatalf("message 0 = %+v", m0)
	}
	if m0.Tombstone || m0.Row.Rec == nil || m0.Err != nil {
		t.Fatalf("message 0 tombstone=%v row=%v err=%v", m0.Tombstone, m0.Row.Rec != nil, m0.Err)
	}
	if !m1.Tombstone || m1.Value != nil || m1.Row.Rec != nil || m1.Offset != 1 {
		t.Fatalf("message 1 = %+v, want a tombstone at offset 1", m1)
	}
}

func TestOffsetResetEarliestLatestCommitted(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 2)
	produce(ctx, t, s, topic, "old", 10, -1)

	// earliest: a new group reads everything, and Close commits it.
	group := servicestest.UniqueName(t)
	early := newSource(t, sourceConfig(s, topic, group))
	got := values(ctx, t, early, 10)
	if !slices.Contains(got, "old-0") || !slices.Contains(got, "old-9") {
		t.Fatalf("earliest read %v", got)
	}
	if err := early.Close(); err != nil {
		t.Fatal(err)
	}
	if c := committed(ctx, t, s, group, topic); sum(c) != 10 {
		t.Fatalf("committed after close %v, want a sum of 10", c)
	}

	// committed: the first group resumes after its commit, with
	// AutoOffsetReset committed (a commit is required) or latest.
	produce(ctx, t, s, topic, "second", 4, -1)
	for i, reset := range []kafka.OffsetReset{kafka.OffsetCommitted, kafka.OffsetLatest} {
		cfg := sourceConfig(s, topic, group)
		cfg.AutoOffsetReset = reset
		cfg.MaxPollRecords = 1 // two records per round
		src := newSource(t, cfg)
		got := values(ctx, t, src, 2)
		for _, v := range got {
			if !strings.HasPrefix(v, "second-") {
				t.Fatalf("%s: resumed member read %q", reset, v)
			}
		}
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}
		if c := committed(ctx, t, s, group, topic); sum(c) != int64(10+2*(i+1)) {
			t.Fatalf("%s: committed %v, want a sum of %d", reset, c, 10+2*(i+1))
		}
	}

	// latest: a new group sees only records written after it started.
	cfg := sourceConfig(s, topic, servicestest.UniqueName(t))
	cfg.AutoOffsetReset = kafka.OffsetLatest
	late := newSource(t, cfg)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // keep writing until the new member reads one
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			produce(ctx, t, s, topic, "new", 1, -1)
		}
	}()
	b, err := late.Poll(ctx)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range batchValues(b) {
		if !strings.HasPrefix(v, "new-") {
			t.Fatalf("latest read %q written before it started", v)
		}
	}
	b.Done()

	// committed with a group that has no commit is an error, not a reset.
	cfg = sourceConfig(s, topic, servicestest.UniqueName(t))
	cfg.AutoOffsetReset = kafka.OffsetCommitted
	none := newSource(t, cfg)
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if b, err := none.Poll(pctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		if b != nil {
			t.Fatalf("committed reset without a commit returned %d records", b.Len())
		}
		t.Fatalf("committed reset without a commit: err = %v, want a fetch error", err)
	}
}

func TestManualCommitMarksInOrder(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	produce(ctx, t, s, topic, "m", 10, 0)
	group := servicestest.UniqueName(t)
	cfg := sourceConfig(s, topic, group)
	cfg.DisableAutoCommit = true
	cfg.MaxPollRecords = 4
	src := newSource(t, cfg)

	b1 := pollN(ctx, t, src, 4)
	b2 := pollN(ctx, t, src, 4)
	b2.Done() // done out of order: must not commit past b1
	if err := src.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := committed(ctx, t, s, group, topic); c[0] > 0 {
		t.Fatalf("committed %v before the first batch was done", c)
	}
	b1.Done()
	if err := src.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := committed(ctx, t, s, group, topic); c[0] != 8 {
		t.Fatalf("committed %v, want 8", c)
	}
	b3 := pollN(ctx, t, src, 2)
	// Not Done: Close must not commit it.
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	b3.Done()
	if c := committed(ctx, t, s, group, topic); c[0] != 8 {
		t.Fatalf("committed %v after close with an unfinished batch, want 8", c)
	}
	if _, err := src.Poll(ctx); !errors.Is(err, kafka.ErrClosed) {
		t.Fatalf("poll after close: %v", err)
	}
}

// pollN polls until a batch arrives and checks its size.
func pollN(ctx context.Context, t *testing.T, src *kafka.Source, n int) *kafka.Batch {
	t.Helper()
	b, err := src.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != n {
		t.Fatalf("batch of %d records, want %d", b.Len(), n)
	}
	return b
}

func TestCommitInsideRowsIteration(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	produce(ctx, t, s, topic, "r", 10, 0)
	group := servicestest.UniqueName(t)
	cfg := sourceConfig(s, topic, group)
	cfg.DisableAutoCommit = true
	src := newSource(t, cfg)
	n := 0
	for row, err := range src.Rows(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if got := row.Rec.Column(0).ValueStr(row.Index); got != "r-"+itoa(n) {
			t.Fatalf("row %d = %q", n, got)
		}
		n++
		if n == 3 {
			if err := src.Commit(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n == 6 {
			break
		}
	}
	if c := committed(ctx, t, s, group, topic); c[0] != 3 {
		t.Fatalf("commit inside the loop: committed %v, want 3", c)
	}
	// Breaking out marked the six yielded and rewound the rest.
	got := values(ctx, t, src, 4)
	if got[0] != "r-6" {
		t.Fatalf("after break the next value is %q, want r-6", got[0])
	}
	if err := src.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := committed(ctx, t, s, group, topic); c[0] != 10 {
		t.Fatalf("committed %v, want 10", c)
	}
}

func itoa(i int) string { return string(appendInt(nil, i)) }

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

// TestSeekBeforeDiscoveryWithoutGroup seeks a group-less source right after it
// is created, before its client has loaded the topic's partitions: the seek
// must win over the reset offset every time.
func TestSeekBeforeDiscoveryWithoutGroup(t *testing.T) {
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	produce(ctx, t, s, topic, "v", 10, 0)
	for round := 0; round < 20; round++ {
		cfg := sourceConfig(s, topic, "")
		cfg.AutoOffsetReset = kafka.OffsetEarliest
		src := newSource(t, cfg)
		if err := src.Seek(ctx, topic, 0, 4); err != nil {
			t.Fatal(err)
		}
		pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
		b, err := src.Poll(pctx)
		pcancel()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if got := b.Records[0].Offset; got != 4 {
			t.Fatalf("round %d: first record at offset %d, want 4", round, got)
		}
		b.Done()
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRecordsRecycledAtDone: Done gives a batch's Records back to the fetch
// pool, while the keys and values they pointed to stay valid, so slices
// taken before Done (as Messages yields them) survive later fetches.
func TestRecordsRecycledAtDone(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	const n = 3000
	produce(ctx, t, s, topic, "v", n, 0)
	cfg := sourceConfig(s, topic, "")
	cfg.MaxPollRecords = 100
	src := newSource(t, cfg)
	var keys, vals [][]byte
	for len(vals) < n {
		b, err := src.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Records {
			keys, vals = append(keys, r.Key), append(vals, r.Value)
		}
		n := len(b.Records)
		b.Done()
		if b.Records != nil || b.Len() != n {
			t.Fatalf("after Done: %d records kept, Len %d, want none kept and Len %d", len(b.Records), b.Len(), n)
		}
	}
	for i := range vals {
		if want := "v-" + strconv.Itoa(i); string(vals[i]) != want || string(keys[i]) != "k-"+strconv.Itoa(i) {
			t.Fatalf("record %d: key %q value %q after later fetches, want %q", i, keys[i], vals[i], want)
		}
	}
}
