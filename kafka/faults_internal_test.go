package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func dialRefused() error {
	return fmt.Errorf("unable to dial: %w", &net.OpError{Op: "dial", Net: "tcp",
		Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}})
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		class faultClass
		kind  error
	}{
		{"wrong password", fmt.Errorf("sasl: %w", kerr.SaslAuthenticationFailed), faultFatal, ErrAuthentication},
		{"mechanism not enabled", kerr.UnsupportedSaslMechanism, faultFatal, ErrAuthentication},
		{"topic authorization", kerr.TopicAuthorizationFailed, faultFatal, ErrAuthorization},
		{"group authorization in a group session", &kgo.ErrGroupSession{Err: kerr.GroupAuthorizationFailed}, faultFatal, ErrAuthorization},
		{"cluster authorization", kerr.ClusterAuthorizationFailed, faultFatal, ErrAuthorization},
		{"transactional id authorization", kerr.TransactionalIDAuthorizationFailed, faultFatal, ErrAuthorization},
		{"session timeout out of the broker's bounds", &kgo.ErrGroupSession{Err: kerr.InvalidSessionTimeout}, faultFatal, ErrInvalidConfig},
		{"invalid group id", kerr.InvalidGroupID, faultFatal, ErrInvalidConfig},
		{"unknown topic", kerr.UnknownTopicOrPartition, faultMissing, ErrTopicNotFound},
		{"unknown topic id", kerr.UnknownTopicID, faultMissing, ErrTopicNotFound},
		{"not leader", kerr.NotLeaderForPartition, faultTransient, nil},
		{"coordinator loading", kerr.CoordinatorLoadInProgress, faultTransient, nil},
		{"rebalance in a group session", &kgo.ErrGroupSession{Err: kerr.RebalanceInProgress}, faultTransient, nil},
		{"unknown member in a group session", &kgo.ErrGroupSession{Err: kerr.UnknownMemberID}, faultTransient, nil},
		{"dial refused in a group session", &kgo.ErrGroupSession{Err: dialRefused()}, faultTransient, ErrUnreachable},
		{"anything else in a group session", &kgo.ErrGroupSession{Err: errors.New("odd")}, faultTransient, nil},
		{"dial refused", dialRefused(), faultTransient, ErrUnreachable},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}, faultTransient, ErrUnreachable},
		{"broker closed the connection", fmt.Errorf("read: %w", io.EOF), faultTransient, ErrUnreachable},
		{"unexpected EOF", io.ErrUnexpectedEOF, faultTransient, ErrUnreachable},
		{"unknown host", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nohost.invalid", IsNotFound: true}}, faultSuspect, ErrUnreachable},
		{"untrusted certificate", fmt.Errorf("unable to dial: %w", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), faultFatal, ErrTLS},
		{"wrong server name", fmt.Errorf("unable to dial: %w", x509.HostnameError{Host: "wrong.example", Certificate: &x509.Certificate{}}), faultFatal, ErrTLS},
		{"TLS against a plaintext listener", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, faultFatal, ErrTLS},
		{"plaintext against a TLS listener", errors.New("invalid large response size 352518912 > limit 104857600; the first three bytes received appear to be a tls alert record for TLS v1.2; is this a plaintext connection speaking to a tls endpoint?"), faultFatal, ErrTLS},
		{"an HTTP port", errors.New("invalid large response size 1213486160 > limit 104857600; the four size bytes are 'HTTP' in ascii, the beginning of an HTTP response; is your broker port correct?"), faultFatal, ErrUnreachable},
		{"first read EOF", &kgo.ErrFirstReadEOF{}, faultSuspect, ErrTLS},
		{"delivery timeout", kgo.ErrRecordTimeout, faultFatal, ErrDeliveryTimeout},
		{"context ended", context.Canceled, faultIgnore, nil},
		{"deadline", fmt.Errorf("poll: %w", context.DeadlineExceeded), faultIgnore, nil},
		{"client closed", kgo.ErrClientClosed, faultIgnore, nil},
		{"data loss is the caller's to see", &kgo.ErrDataLoss{Topic: "t"}, faultUnknown, nil},
		{"not recognised", errors.New("something else"), faultUnknown, nil},
		{"unknown server error", kerr.UnknownServerError, faultUnknown, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := classify(tc.err)
			if f.class != tc.class || !errors.Is(f.kind, tc.kind) {
				t.Fatalf("classify(%v) = class %d kind %v, want class %d kind %v", tc.err, f.class, f.kind, tc.class, tc.kind)
			}
		})
	}
}

// fakeProbe answers a watch's metadata requests with whatever the test set.
type fakeProbe struct {
	err   atomic.Pointer[error]
	calls atomic.Int64
}

func (p *fakeProbe) set(err error) { p.err.Store(&err) }

func (p *fakeProbe) probe(context.Context) error {
	p.calls.Add(1)
	if e := p.err.Load(); e != nil {
		return *e
	}
	return nil
}

// watched runs fn with a running watch (FetchErrorTimeout 2m and
// MissingTopicTimeout 10s, the defaults) in a synctest bubble: time.Sleep
// moves the fake clock, so minutes pass at once.
func watched(t *testing.T, fn func(t *testing.T, w *fetchWatch, p *fakeProbe)) {
	synctest.Test(t, func(t *testing.T) {
		p := &fakeProbe{}
		w := newFetchWatch(2*time.Minute, 10*time.Second, p.probe)
		closing := make(chan struct{})
		go w.run(closing)
		fn(t, w, p)
		close(closing)
		synctest.Wait()
	})
}

func TestFetchWatchTransientErrorsKeepPolling(t *testing.T) {
	watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
		p.set(dialRefused())
		// A broker restart: errors for a minute, then fetches again.
		for range 6 {
			if err := w.observe("", -1, &kgo.ErrGroupSession{Err: dialRefused()}); err != nil {
				t.Fatalf("a transient error was returned: %v", err)
			}
			time.Sleep(10 * time.Second)
		}
		if err := w.err(); err != nil {
			t.Fatalf("a verdict after a minute of transient errors: %v", err)
		}
		w.ok()
		p.set(nil)
		// Errors again, never two minutes after the last fetch.
		for range 5 {
			time.Sleep(90 * time.Second)
			_ = w.observe("t", 0, kerr.NotLeaderForPartition)
			time.Sleep(20 * time.Second)
			w.ok()
		}
		if err := w.err(); err != nil {
			t.Fatalf("a verdict although fetches kept succeeding: %v", err)
		}
	})
}

func TestFetchWatchPersistentErrorsEndAfterTheTimeout(t *testing.T) {
	watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
		p.set(dialRefused())
		start := time.Now()
		pctx, release := w.pollContext(context.Background())
		defer release()
		_ = w.observe("", -1, dialRefused())
		<-pctx.Done() // the verdict wakes a waiting poll
		took := time.Since(start)
		var fe *FetchError
		if err := w.err(); !errors.As(err, &fe) || !fe.TimedOut || !errors.Is(err, ErrFetchTimeout) || !errors.Is(err, ErrUnreachable) {
			t.Fatalf("verdict %v, want a FetchError matching ErrFetchTimeout and ErrUnreachable", err)
		}
		if took < 2*time.Minute || took > 2*time.Minute+2*time.Second {
			t.Fatalf("verdict after %v, want 2m (the tick is 1s)", took)
		}
		if fe.Persisted < 2*time.Minute {
			t.Fatalf("Persisted %v", fe.Persisted)
		}
		t.Logf("%v", fe)
	})
}

func TestFetchWatchFatalErrorsEndAtOnce(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("sasl: %w", kerr.SaslAuthenticationFailed),
		&kgo.ErrGroupSession{Err: kerr.GroupAuthorizationFailed},
		&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}},
		&kgo.ErrGroupSession{Err: kerr.InvalidSessionTimeout},
	} {
		watched(t, func(t *testing.T, w *fetchWatch, _ *fakeProbe) {
			pctx, release := w.pollContext(context.Background())
			defer release()
			got := w.observe("t", 3, err)
			var fe *FetchError
			if !errors.As(got, &fe) || fe.Topic != "t" || fe.Partition != 3 || !errors.Is(got, err) || fe.TimedOut {
				t.Fatalf("observe(%v) = %v, want a FetchError about t/3", err, got)
			}
			if !errors.Is(w.err(), got) {
				t.Fatalf("the verdict %v is not what observe returned", w.err())
			}
			synctest.Wait() // the cancel runs in its own goroutine
			select {
			case <-pctx.Done():
			default:
				t.Fatal("the verdict did not cancel the poll")
			}
			// Later errors do not replace the verdict.
			if again := w.observe("", -1, kerr.TopicAuthorizationFailed); !errors.Is(again, got) {
				t.Fatalf("a second fatal error replaced the verdict: %v", again)
			}
		})
	}
}

func TestFetchWatchUnknownErrorsAreReturned(t *testing.T) {
	watched(t, func(t *testing.T, w *fetchWatch, _ *fakeProbe) {
		odd := errors.New("odd")
		if err := w.observe("t", 1, odd); !errors.Is(err, odd) || err.Error() != "kafka: fetching t/1: odd" {
			t.Fatalf("observe = %v", err)
		}
		if w.err() != nil {
			t.Fatalf("an unknown error became a verdict: %v", w.err())
		}
	})
}

func TestFetchWatchMissingTopic(t *testing.T) {
	t.Run("still missing", func(t *testing.T) {
		watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
			p.set(&missingTopicsError{topics: []string{"gone"}})
			start := time.Now()
			if err := w.observe("gone", -1, kerr.UnknownTopicOrPartition); err != nil {
				t.Fatalf("a missing topic ended it at once: %v", err)
			}
			for w.err() == nil && time.Since(start) < time.Minute {
				time.Sleep(100 * time.Millisecond)
			}
			var fe *FetchError
			if err := w.err(); !errors.As(err, &fe) || fe.Topic != "gone" || !errors.Is(err, ErrTopicNotFound) {
				t.Fatalf("verdict %v, want ErrTopicNotFound for gone", err)
			}
			if took := time.Since(start); took < 10*time.Second || took > 12*time.Second {
				t.Fatalf("verdict after %v, want MissingTopicTimeout 10s", took)
			}
		})
	})
	t.Run("created meanwhile", func(t *testing.T) {
		watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
			p.set(nil) // the confirming metadata request finds it
			_ = w.observe("late", -1, kerr.UnknownTopicOrPartition)
			time.Sleep(30 * time.Second)
			if err := w.err(); err != nil {
				t.Fatalf("a topic that exists again ended the source: %v", err)
			}
		})
	})
	t.Run("records from it", func(t *testing.T) {
		watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
			p.set(&missingTopicsError{topics: []string{"flaky"}})
			_ = w.observe("flaky", -1, kerr.UnknownTopicOrPartition)
			time.Sleep(5 * time.Second)
			w.present("flaky")
			w.ok()
			time.Sleep(7 * time.Second)
			if err := w.err(); err != nil {
				t.Fatalf("a topic that brought records ended the source: %v", err)
			}
		})
	})
}

func TestFetchWatchProbe(t *testing.T) {
	t.Run("finds what the client only logs", func(t *testing.T) {
		watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
			// No fetch succeeds and no error reaches a poll: a SASL
			// handshake failing on reconnect.
			p.set(fmt.Errorf("sasl: %w", kerr.SaslAuthenticationFailed))
			time.Sleep(time.Minute)
			if err := w.err(); !errors.Is(err, ErrAuthentication) {
				t.Fatalf("verdict %v, want ErrAuthentication from the probe", err)
			}
		})
	})
	t.Run("a quiet healthy source only probes", func(t *testing.T) {
		watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
			time.Sleep(10 * time.Minute)
			if err := w.err(); err != nil {
				t.Fatalf("verdict %v for a source without errors", err)
			}
			if n := p.calls.Load(); n < 5 || n > 25 {
				t.Fatalf("%d probes in 10 minutes, want one per 30s", n)
			}
		})
	})
	t.Run("an answer ends a streak of connection errors", func(t *testing.T) {
		watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
			_ = w.observe("", -1, dialRefused())
			time.Sleep(5 * time.Minute)
			if err := w.err(); err != nil {
				t.Fatalf("verdict %v although the brokers answer again", err)
			}
		})
	})
	t.Run("an answer does not end a streak of broker errors", func(t *testing.T) {
		watched(t, func(t *testing.T, w *fetchWatch, p *fakeProbe) {
			_ = w.observe("", -1, &kgo.ErrGroupSession{Err: kerr.CoordinatorNotAvailable})
			time.Sleep(3 * time.Minute)
			if err := w.err(); !errors.Is(err, ErrFetchTimeout) || !errors.Is(err, kerr.CoordinatorNotAvailable) {
				t.Fatalf("verdict %v, want ErrFetchTimeout naming COORDINATOR_NOT_AVAILABLE", err)
			}
		})
	})
}
