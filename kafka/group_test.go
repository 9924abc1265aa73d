package kafka_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// member polls in its own goroutine, recording every value it reads, until
// stop is closed.
type member struct {
	src  *kafka.Source
	mu   sync.Mutex
	n    int
	err  error
	done chan struct{}
}

func startMember(ctx context.Context, t *testing.T, cfg kafka.SourceConfig, seen *sync.Map, dups *int64, dupMu *sync.Mutex, gate <-chan struct{}, stop <-chan struct{}) *member {
	m := &member{src: newSource(t, cfg), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			b, err := m.src.Poll(pctx)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				continue
			}
			if err != nil {
				m.mu.Lock()
				m.err = err
				m.mu.Unlock()
				return
			}
			for _, v := range batchValues(b) {
				if _, loaded := seen.LoadOrStore(v, true); loaded {
					dupMu.Lock()
					*dups++
					dupMu.Unlock()
				}
			}
			m.mu.Lock()
			m.n += b.Len()
			m.mu.Unlock()
			b.Done()
			if gate != nil {
				select {
				case <-gate:
				case <-stop:
					return
				}
			}
			time.Sleep(5 * time.Millisecond) // a consumer that does some work
		}
	}()
	return m
}

func (m *member) count() (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n, m.err
}

func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestGroupTwoMembersConsumeOnceAndResume: two members of one group share a
// 6-partition topic. Member A starts alone; once it has read part of the
// topic, B joins and takes partitions in a cooperative-sticky rebalance.
// Every record is read exactly once (A committed what it had processed of
// the partitions it gave up), the committed offsets add up to the record
// count, and a restarted member resumes from them.
func TestGroupTwoMembersConsumeOnceAndResume(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 6)
	const total = 6000
	produce(ctx, t, s, topic, "g", total, -1)
	group := servicestest.UniqueName(t)
	cfg := sourceConfig(s, topic, group)
	cfg.MaxPollRecords = 50

	var (
		seen  sync.Map
		dups  int64
		dupMu sync.Mutex
	)
	stop := make(chan struct{})
	gate := make(chan struct{}) // A pauses after its first batches until B is in
	a := startMember(ctx, t, cfg, &seen, &dups, &dupMu, gate, stop)
	waitFor(ctx, t, "member A to read", func() bool { n, _ := a.count(); return n >= 50 })
	b := startMember(ctx, t, cfg, &seen, &dups, &dupMu, nil, stop)
	waitFor(ctx, t, "member B to be assigned partitions", func() bool { return len(b.src.Assigned()) > 0 })
	close(gate)
	waitFor(ctx, t, "all records", func() bool {
		na, errA := a.count()
		nb, errB := b.count()
		if errA != nil || errB != nil {
			t.Fatalf("member errors: A %v, B %v", errA, errB)
		}
		return na+nb >= total
	})
	close(stop)
	<-a.done
	<-b.done
	na, _ := a.count()
	nb, _ := b.count()
	if na == 0 || nb == 0 {
		t.Fatalf("A read %d, B read %d: both must have had partitions", na, nb)
	}
	if la, lb := len(a.src.Assigned()), len(b.src.Assigned()); la+lb != 6 || la == 0 || lb == 0 {
		t.Fatalf("assignments A %d B %d, want 6 shared", la, lb)
	}
	unique := 0
	seen.Range(func(any, any) bool { unique++; return true })
	if dups != 0 || unique != total || na+nb != total {
		t.Fatalf("read %d records (%d unique, %d duplicates), want %d once each", na+nb, unique, dups, total)
	}
	mA, mB := a.src.Metrics(), b.src.Metrics()
	if mA.CommitErrors != 0 || mB.CommitErrors != 0 {
		t.Fatalf("commit errors: A %d B %d", mA.CommitErrors, mB.CommitErrors)
	}
	if err := errors.Join(a.src.Close(), b.src.Close()); err != nil {
		t.Fatal(err)
	}
	if c := committed(ctx, t, s, group, topic); sum(c) != total || len(c) != 6 {
		t.Fatalf("committed %v (sum %d), want 6 partitions summing to %d", c, sum(c), total)
	}
	t.Logf("A read %d, B read %d; A commits %d, B commits %d", na, nb, mA.Commits, mB.Commits)

	// A restarted member resumes from the committed offsets.
	produce(ctx, t, s, topic, "after", 600, -1)
	c := newSource(t, cfg)
	got := values(ctx, t, c, 600)
	for _, v := range got {
		if !strings.HasPrefix(v, "after-") {
			t.Fatalf("restarted member re-read %q", v)
		}
	}
	if len(got) != 600 {
		t.Fatalf("restarted member read %d, want 600", len(got))
	}
}

func TestSeek(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	cl := rawClient(t, s)
	for i := 0; i < 10; i++ {
		r := &kgo.Record{Topic: topic, Value: []byte("s-" + itoa(i)), Timestamp: t0.Add(time.Duration(i) * time.Second)}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	first := func(src *kafka.Source) int64 {
		t.Helper()
		b, err := src.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Done()
		return b.Records[0].Offset
	}
	for _, group := range []string{"", servicestest.UniqueName(t)} {
		cfg := sourceConfig(s, topic, group)
		cfg.MaxPollRecords = 2
		src := newSource(t, cfg)
		if group != "" {
			// Before the group assigned anything the seek waits for it.
			if err := src.SeekToTime(ctx, t0.Add(7*time.Second)); err != nil {
				t.Fatal(err)
			}
			if got := first(src); got != 7 {
				t.Fatalf("group: pending seek to time: first offset %d, want 7", got)
			}
		} else if got := first(src); got != 0 {
			t.Fatalf("first offset %d, want 0", got)
		}
		steps := []struct {
			name string
			seek func() error
			want int64
		}{
			{"offset 5", func() error { return src.Seek(ctx, topic, 0, 5) }, 5},
			{"time +3s", func() error { return src.SeekToTime(ctx, t0.Add(3*time.Second)) }, 3},
			{"time +2.5s", func() error { return src.SeekToTime(ctx, t0.Add(2500*time.Millisecond)) }, 3},
			{"beginning", func() error { return src.SeekToBeginning(ctx) }, 0},
			{"offset 9", func() error { return src.Seek(ctx, topic, 0, 9) }, 9},
		}
		for _, st := range steps {
			if err := st.seek(); err != nil {
				t.Fatalf("group %q seek %s: %v", group, st.name, err)
			}
			if got := first(src); got != st.want {
				t.Fatalf("group %q seek %s: first offset %d, want %d", group, st.name, got, st.want)
			}
		}
		if err := src.SeekToEnd(ctx); err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("end")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		b, err := src.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v := batchValues(b); len(v) != 1 || v[0] != "end" {
			t.Fatalf("group %q after seek to end read %v", group, v)
		}
		b.Done()
		if err := src.Seek(ctx, topic, 3, 0); err == nil {
			t.Fatal("seek to a partition that does not exist succeeded")
		}
	}
}
