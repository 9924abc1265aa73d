package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// watchOutput reads topic from the start (read_committed when committed)
// until every value in want has been seen or ctx ends, and returns how many
// times each value was seen. It rides out broker restarts as any franz-go
// consumer does.
func watchOutput(ctx context.Context, t testing.TB, s *services.Services, topic string, committed bool, want int, seen chan<- map[string]int) {
	opts := []kgo.Opt{kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if committed {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := s.NewClient(opts...)
	if err != nil {
		t.Error(err)
		seen <- nil
		return
	}
	defer cl.Close()
	counts := map[string]int{}
	for len(counts) < want && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { counts[string(r.Value)]++ })
	}
	seen <- counts
}

// TestFaultBrokerRestarts kills the real broker with SIGKILL and
// starts it again on its data twice while one Run moves 100k records, for
// at-least-once and for exactly-once. The same Run keeps going: every input
// reaches the output; exactly-once writes each once (read_committed), and
// at-least-once's duplicates are counted.
func TestFaultBrokerRestarts(t *testing.T) {
	s := servicestest.Open(t)
	broker := servicestest.Bouncer(t, s)
	for _, exactlyOnce := range []bool{false, true} {
		name := "at-least-once"
		if exactlyOnce {
			name = "exactly-once"
		}
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
			defer cancel()
			in, out := servicestest.Topic(t, s, 6), servicestest.Topic(t, s, 3)
			const n = 100_000
			produceValues(ctx, t, s, in, n)

			src := stringSource(s, in, servicestest.UniqueName(t))
			src.MaxPollRecords = 2000
			sinkCfg := kafka.SinkConfig{Brokers: s.Brokers, Topic: out, Codec: codec.Spec{Format: codec.String{}}}
			var p *engine.Pipeline
			if exactlyOnce {
				sinkCfg.TransactionalID = servicestest.UniqueName(t)
				tx := openTransactor(t, sinkCfg, src)
				p = engine.FromTransactor(tx).Map(ops.Func(upper)).ToKafka(tx.Sink()).
					WithOptions(engine.RunOptions{TxnMaxRecords: 10_000, TxnMaxInterval: 500 * time.Millisecond})
			} else {
				p = engine.FromKafka(openSource(t, src)).Map(ops.Func(upper)).ToKafka(openSink(t, sinkCfg))
			}
			runCtx, stop := context.WithCancel(ctx)
			defer stop()
			ran := make(chan error, 1)
			// waits end as soon as Run does: a Run that returns before its
			// output is complete failed, and says why.
			waits, endWaits := context.WithCancel(ctx)
			defer endWaits()
			go func() {
				err := p.Run(runCtx)
				endWaits()
				ran <- err
			}()
			seen := make(chan map[string]int, 1)
			go watchOutput(ctx, t, s, out, exactlyOnce, n, seen)

			for _, at := range []int64{n / 5, n / 2} {
				if err := waitForOutput(waits, s, out, at); err != nil {
					t.Fatalf("before the restart at %d: %v (run: %v)", at, err, runDone(ran))
				}
				broker.Kill(t)
				time.Sleep(2 * time.Second) // down for a while, as a crash is
				took := broker.Start(t)
				t.Logf("broker killed after %d output records and back in %v; pipeline %v", at, took.Round(time.Millisecond), p.Metrics())
			}
			var counts map[string]int
			select {
			case counts = <-seen:
			case err := <-ran: // a Run that ends before its output is complete failed
				t.Fatalf("Run did not ride out the restarts: %v", err)
			}
			stop()
			if err := <-ran; err != nil {
				t.Fatalf("Run did not ride out the restarts: %v", err)
			}
			missing, dups := 0, 0
			for i := 0; i < n; i++ {
				c := counts[fmt.Sprintf("V-%07d", i)]
				if c == 0 {
					missing++
				}
				if c > 1 {
					dups += c - 1
				}
			}
			m := p.Metrics()
			t.Logf("%s: %d records read (%d more than the input), %d lost, %d duplicated; %d transactions (%d aborted)",
				name, m.InRecords, m.InRecords-n, missing, dups, m.TxnCommits+m.TxnAborts, m.TxnAborts)
			if missing > 0 {
				t.Fatalf("%d of %d inputs never reached the output", missing, n)
			}
			if exactlyOnce && dups > 0 {
				t.Fatalf("exactly-once: %d duplicates read_committed", dups)
			}
			if len(counts) != n {
				t.Fatalf("the output holds %d distinct values, want %d", len(counts), n)
			}
		})
	}
}

// runDone reports Run's result if it has returned (or returns within a
// moment: the wait it ended may have seen it first).
func runDone(ran <-chan error) string {
	select {
	case err := <-ran:
		return fmt.Sprintf("returned %v", err)
	case <-time.After(100 * time.Millisecond):
		return "still running"
	}
}
