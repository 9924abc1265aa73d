package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fetchWatch decides when a Source's errors end it. franz-go retries
// broker and network errors by itself and reports many of them only for
// information (in polls, or not at all); the watch classifies them:
//
//   - an error that cannot heal (authentication, authorization, TLS, invalid
//     configuration) ends the Source at once;
//   - a topic missing (from fetches or from the watch's own metadata
//     requests) ends it once it has been missing for missingTimeout and a
//     metadata request confirms it;
//   - other errors end it once they have persisted, with no successful fetch
//     since the first of them, for longer than timeout.
//
// Evidence of health is a fetch response read, records polled, or a group
// assignment. When there has been none for probeAfter, the watch asks for
// the topics' metadata itself: that surfaces errors franz-go only logs (a
// failed SASL handshake on reconnect) and proves connectivity is back.
//
// The verdict is sticky: every later Poll returns it.
type fetchWatch struct {
	timeout        time.Duration
	missingTimeout time.Duration
	probeAfter     time.Duration
	tick           time.Duration
	// probe asks the cluster about the topics: nil, a *missingTopicsError,
	// or the request's error.
	probe func(ctx context.Context) error

	start    time.Time
	okSeq    atomic.Uint64 // bumped by every piece of evidence of health
	lastOKAt atomic.Int64  // since start, of the latest one

	mu        sync.Mutex
	streak    bool          // errors met since okSeq was streakSeq
	streakSeq uint64        //
	errAt     time.Duration // since start, of the first error of the streak
	lastErr   error
	lastTopic string
	lastPart  int32
	lastProbe time.Duration
	missing   map[string]time.Duration // topic → since start, first seen missing
	verdict   error

	ended context.Context // done once there is a verdict
	end   context.CancelFunc
}

func newFetchWatch(timeout, missingTimeout time.Duration, probe func(context.Context) error) *fetchWatch {
	w := &fetchWatch{
		timeout:        timeout,
		missingTimeout: missingTimeout,
		probeAfter:     min(max(timeout/4, 50*time.Millisecond), 30*time.Second),
		tick:           min(max(min(timeout, missingTimeout)/20, 10*time.Millisecond), time.Second),
		probe:          probe,
		start:          time.Now(),
		missing:        map[string]time.Duration{},
	}
	w.ended, w.end = context.WithCancel(context.Background())
	return w
}

func (w *fetchWatch) since() time.Duration { return time.Since(w.start) }

// ok records evidence of health: the current streak of errors is over.
func (w *fetchWatch) ok() {
	w.okSeq.Add(1)
	w.lastOKAt.Store(int64(w.since()))
}

// err returns the verdict, nil while there is none.
func (w *fetchWatch) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.verdict
}

// fail records e as the verdict unless there is one already, and returns
// the verdict.
func (w *fetchWatch) fail(e error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.verdict == nil {
		w.verdict = e
		w.end()
	}
	return w.verdict
}

// observe classifies an error met by the client, about topic and partition
// ("" and -1 for none). It returns the verdict when err ends the Source, the
// error itself (prefixed) when it is not recognised, and nil when the
// Source goes on.
func (w *fetchWatch) observe(topic string, partition int32, err error) error {
	f := classify(err)
	switch f.class {
	case faultIgnore:
		return nil
	case faultFatal:
		return w.fail(&FetchError{Topic: topic, Partition: partition, Kind: f.kind, Err: err})
	case faultUnknown:
		return fmt.Errorf("kafka: fetching %s/%d: %w", topic, partition, err)
	case faultMissing:
		if topic != "" {
			w.markMissing(topic)
			return nil
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if seq := w.okSeq.Load(); !w.streak || w.streakSeq != seq {
		w.streak, w.streakSeq, w.errAt = true, seq, w.since()
	}
	w.lastErr, w.lastTopic, w.lastPart = err, topic, partition
	return nil
}

func (w *fetchWatch) markMissing(topic string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.missing[topic]; !ok {
		w.missing[topic] = w.since()
	}
}

// present records that topic exists (records came from it).
func (w *fetchWatch) present(topic string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.missing, topic)
}

// pollContext returns ctx, also cancelled when a verdict comes, and its
// release.
func (w *fetchWatch) pollContext(ctx context.Context) (context.Context, func()) {
	pctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(w.ended, cancel)
	return pctx, func() {
		stop()
		cancel()
	}
}

// run checks the deadlines every tick until closing is closed or there is a
// verdict.
func (w *fetchWatch) run(closing <-chan struct{}) {
	t := time.NewTicker(w.tick)
	defer t.Stop()
	for {
		select {
		case <-closing:
			return
		case <-w.ended.Done():
			return
		case <-t.C:
			w.check()
		}
	}
}

// check runs a probe when there has been no evidence of health for
// probeAfter, and gives the verdict of a deadline passed.
func (w *fetchWatch) check() {
	now := w.since()
	w.mu.Lock()
	quiet := now-time.Duration(w.lastOKAt.Load()) >= w.probeAfter && now-w.lastProbe >= w.probeAfter
	w.mu.Unlock()
	if quiet {
		_ = w.runProbe()
		now = w.since()
	}

	w.mu.Lock()
	if w.verdict != nil {
		w.mu.Unlock()
		return
	}
	if w.streak && w.streakSeq == w.okSeq.Load() && now-w.errAt >= w.timeout {
		e := &FetchError{Topic: w.lastTopic, Partition: w.lastPart, Kind: classify(w.lastErr).kind, Err: w.lastErr,
			TimedOut: true, Persisted: now - w.errAt}
		w.mu.Unlock()
		_ = w.fail(e)
		return
	}
	var expired []string
	for t, at := range w.missing {
		if now-at >= w.missingTimeout {
			expired = append(expired, t)
		}
	}
	w.mu.Unlock()
	if len(expired) == 0 {
		return
	}
	// Confirm before ending: the topic may have been created since, or
	// the cluster may not answer (then the streak of errors decides).
	var mt *missingTopicsError
	if err := w.runProbe(); !errors.As(err, &mt) {
		return
	}
	still := make(map[string]bool, len(mt.topics))
	for _, t := range mt.topics {
		still[t] = true
	}
	sort.Strings(expired)
	w.mu.Lock()
	var e *FetchError
	for _, t := range expired {
		if at, ok := w.missing[t]; ok && still[t] {
			e = &FetchError{Topic: t, Partition: -1, Kind: ErrTopicNotFound,
				Err: &missingTopicsError{topics: []string{t}}, Persisted: now - at}
			break
		}
	}
	w.mu.Unlock()
	if e != nil {
		_ = w.fail(e)
	}
}

// runProbe asks the cluster about the topics and records the answer. It
// returns the probe's error.
func (w *fetchWatch) runProbe() error {
	ctx, cancel := context.WithTimeout(context.Background(), max(w.probeAfter, time.Second))
	err := w.probe(ctx)
	cancel()
	w.mu.Lock()
	w.lastProbe = w.since()
	w.mu.Unlock()

	var mt *missingTopicsError
	switch {
	case err == nil:
		w.reachable()
		w.mu.Lock()
		clear(w.missing)
		w.mu.Unlock()
	case errors.As(err, &mt):
		w.reachable()
		w.mu.Lock()
		missing := make(map[string]bool, len(mt.topics))
		for _, t := range mt.topics {
			missing[t] = true
			if _, ok := w.missing[t]; !ok {
				w.missing[t] = w.since()
			}
		}
		for t := range w.missing {
			if !missing[t] {
				delete(w.missing, t)
			}
		}
		w.mu.Unlock()
	case errors.Is(err, context.DeadlineExceeded):
		// No answer in time: an error, unless the streak has one already
		// that says more (a refused dial the hooks saw).
		w.mu.Lock()
		active := w.streak && w.streakSeq == w.okSeq.Load()
		w.mu.Unlock()
		if !active {
			_ = w.observe("", -1, probeTimeoutError{})
		}
	default:
		_ = w.observe("", -1, fmt.Errorf("metadata request: %w", err))
	}
	return err
}

// probeTimeoutError is a probe that got no answer in time: a network
// timeout.
type probeTimeoutError struct{}

func (probeTimeoutError) Error() string   { return "metadata request: no answer in time" }
func (probeTimeoutError) Timeout() bool   { return true }
func (probeTimeoutError) Temporary() bool { return true }

// reachable ends a streak of connection-level errors: the brokers answered.
// A streak of broker answers (a coordinator not available) goes on: only a
// fetch or an assignment ends it.
func (w *fetchWatch) reachable() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.streak {
		return
	}
	if f := classify(w.lastErr); f.class == faultSuspect || errors.Is(f.kind, ErrUnreachable) {
		w.streak = false
	}
}

// The client's hooks: a fetch response read is health; a connection that
// failed or broke is an error.

var (
	_ kgo.HookBrokerConnect = (*fetchWatch)(nil)
	_ kgo.HookBrokerRead    = (*fetchWatch)(nil)
)

func (w *fetchWatch) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	if err != nil {
		_ = w.observe("", -1, err)
	}
}

func (w *fetchWatch) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	switch {
	case err != nil:
		_ = w.observe("", -1, err)
	case key == int16(kmsg.Fetch):
		w.ok()
	}
}
