package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ConnectError is the start-up check of NewSource, NewSink or NewTransactor
// failing: the brokers could not be reached, authentication or TLS failed,
// or a topic does not exist. errors.Is matches its Kind (ErrUnreachable,
// ErrAuthentication, ErrAuthorization, ErrTLS, ErrTopicNotFound,
// ErrInvalidConfig) and its cause.
type ConnectError struct {
	// Client is "source", "sink" or "transactor".
	Client string
	// Brokers are the bootstrap servers tried.
	Brokers []string
	// Topics are the topics found missing (with ErrTopicNotFound).
	Topics []string
	// Kind is one of the Err sentinels of this package.
	Kind error
	// Err is the cause: the last error met.
	Err error
	// Elapsed is how long the check ran.
	Elapsed time.Duration
	// TimedOut reports that the check gave up at its ConnectTimeout (or
	// MissingTopicTimeout) instead of meeting an error that cannot heal.
	TimedOut bool
}

func (e *ConnectError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kafka: %s: connecting to %s", e.Client, strings.Join(e.Brokers, ","))
	if k := kindText(e.Kind); k != "" {
		b.WriteString(": " + k)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.TimedOut {
		fmt.Fprintf(&b, " (gave up after %v)", e.Elapsed.Round(time.Millisecond))
	} else {
		fmt.Fprintf(&b, " (after %v)", e.Elapsed.Round(time.Millisecond))
	}
	return b.String()
}

// Unwrap returns the kind and the cause.
func (e *ConnectError) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// connectCheck is the start-up check: a metadata request for topics (none
// asks only for the brokers) that proves the brokers answer, authentication
// and TLS work and every topic exists. Errors that cannot heal end it at once;
// others are retried with backoff until timeout, and missing topics until
// missingTimeout (whichever ends first).
type connectCheck struct {
	client         string
	brokers        []string
	topics         []string
	timeout        time.Duration
	missingTimeout time.Duration
	// seen holds the connection errors the client met: franz-go retries
	// some inside a request until its context ends, leaving the request
	// only the context's error.
	seen *connErrors
}

// connErrors is a client hook keeping the last error a broker connection
// met (dialling, TLS, reading).
type connErrors struct {
	mu   sync.Mutex
	last error
}

var (
	_ kgo.HookBrokerConnect = (*connErrors)(nil)
	_ kgo.HookBrokerRead    = (*connErrors)(nil)
)

func (h *connErrors) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	h.set(err)
}

func (h *connErrors) OnBrokerRead(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	h.set(err)
}

func (h *connErrors) set(err error) {
	if err == nil || classify(err).class == faultIgnore {
		return
	}
	h.mu.Lock()
	h.last = err
	h.mu.Unlock()
}

func (h *connErrors) get() error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// suspectRepeats is how many times in a row an error that usually means a
// misconfiguration (faultSuspect) must come before the check gives up on it.
const suspectRepeats = 3

func (c connectCheck) run(cl *kgo.Client) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	var (
		last         error
		lastKind     error
		missing      []string
		missingSince time.Time
		suspects     int
		backoff      = 50 * time.Millisecond
	)
	fail := func(kind, err error, timedOut bool) error {
		e := &ConnectError{Client: c.client, Brokers: c.brokers, Kind: kind, Err: err, Elapsed: time.Since(start), TimedOut: timedOut}
		if errors.Is(kind, ErrTopicNotFound) {
			e.Topics = missing
		}
		return e
	}
	for {
		m, err := metadataTopics(ctx, cl, c.topics)
		switch {
		case err == nil && len(m) == 0:
			return nil
		case err == nil:
			missing = m
			if missingSince.IsZero() {
				missingSince = time.Now()
			}
			last, lastKind, suspects = &missingTopicsError{topics: m}, ErrTopicNotFound, 0
			if time.Since(missingSince) >= c.missingTimeout {
				return fail(ErrTopicNotFound, last, true)
			}
		case ctx.Err() != nil:
			// The timeout cut the request short: the last real error
			// says more than the context's.
		default:
			f := classify(err)
			switch f.class {
			case faultFatal:
				return fail(f.kind, err, false)
			case faultSuspect:
				if suspects++; suspects >= suspectRepeats {
					return fail(f.kind, err, false)
				}
			default:
				suspects = 0
			}
			last, lastKind = err, f.kind
		}
		wait := min(backoff, time.Until(missingSince.Add(c.missingTimeout)))
		if missingSince.IsZero() {
			wait = backoff
		}
		backoff = min(2*backoff, time.Second)
		t := time.NewTimer(max(wait, 0))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			if last == nil {
				last = c.seen.get()
				if f := classify(last); f.kind != nil {
					lastKind = f.kind
				}
			}
			if last == nil {
				last = fmt.Errorf("no answer within ConnectTimeout %v", c.timeout)
			}
			if lastKind == nil {
				lastKind = ErrUnreachable
			}
			return fail(lastKind, last, true)
		}
	}
}

// metadataTopics asks the cluster about topics and returns those it does not
// have. An error of the request itself, or a topic error that cannot heal
// (authorization), is returned as err.
func metadataTopics(ctx context.Context, cl *kgo.Client, topics []string) (missing []string, err error) {
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = make([]kmsg.MetadataRequestTopic, 0, len(topics)) // empty, not null: no topics, not all
	for i := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = &topics[i]
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(resp.Topics))
	for _, t := range resp.Topics {
		if t.Topic == nil {
			continue
		}
		name := *t.Topic
		seen[name] = true
		if t.ErrorCode == 0 {
			continue
		}
		terr := kerr.ErrorForCode(t.ErrorCode)
		switch classify(terr).class {
		case faultMissing:
			missing = append(missing, name)
		case faultFatal:
			return nil, fmt.Errorf("topic %q: %w", name, terr)
		}
		// Others (LEADER_NOT_AVAILABLE while a topic is created) heal.
	}
	for _, t := range topics {
		if !seen[t] {
			missing = append(missing, t)
		}
	}
	return missing, nil
}
