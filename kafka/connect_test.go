package kafka_test

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// The bounds the fail-fast tests configure, and the margin a check may take
// past them (a metadata request already under way when the bound ends).
const (
	testConnectTimeout      = 3 * time.Second
	testMissingTopicTimeout = 2 * time.Second
	boundMargin             = time.Second
)

// failCase is a misconfiguration NewSource, NewSink and NewTransactor must
// refuse with a *ConnectError of the given kind within the bound.
type failCase struct {
	name     string
	real     bool // needs the rig's SASL or TLS listener
	brokers  []string
	topic    string
	security kafka.Security
	kind     error
	// atLeast is how long the check must wait before it gives up (a
	// missing topic, a dead address); 0 for errors that cannot heal.
	atLeast time.Duration
}

// deadAddress is a loopback address nothing listens on.
func deadAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func failCases(t *testing.T, s *services.Services) []failCase {
	t.Helper()
	topic := servicestest.Topic(t, s, 1)
	sasl := kafka.SplitBrokers(os.Getenv(services.EnvSASLBrokers))
	tlsBrokers := kafka.SplitBrokers(os.Getenv(services.EnvTLSBrokers))
	ca := os.Getenv(services.EnvTLSCA)
	user := os.Getenv(services.EnvSASLUser)
	return []failCase{
		{name: "wrong password", real: true, brokers: sasl, topic: topic, kind: kafka.ErrAuthentication,
			security: kafka.Security{SASL: kafka.SASLSCRAMSHA512, User: user, Password: "not-the-password"}},
		{name: "unknown user", real: true, brokers: sasl, topic: topic, kind: kafka.ErrAuthentication,
			security: kafka.Security{SASL: kafka.SASLSCRAMSHA512, User: "nobody-" + servicestest.UniqueName(t)[len("sabot-"):], Password: "x"}},
		{name: "no SASL on the SASL port", real: true, brokers: sasl, topic: topic, kind: kafka.ErrAuthentication},
		{name: "SASL against the plaintext port", real: true, brokers: s.Brokers, topic: topic, kind: kafka.ErrAuthentication,
			security: kafka.Security{SASL: kafka.SASLSCRAMSHA512, User: user, Password: "x"}},
		{name: "TLS without the CA", real: true, brokers: tlsBrokers, topic: topic, kind: kafka.ErrTLS,
			security: kafka.Security{TLS: true}},
		{name: "TLS with the wrong server name", real: true, brokers: tlsBrokers, topic: topic, kind: kafka.ErrTLS,
			security: kafka.Security{TLS: true, CAFile: ca, ServerName: "wrong.example"}},
		{name: "plaintext against the TLS port", real: true, brokers: tlsBrokers, topic: topic, kind: kafka.ErrTLS},
		{name: "TLS against the plaintext port", real: true, brokers: s.Brokers, topic: topic, kind: kafka.ErrTLS,
			security: kafka.Security{TLS: true, CAFile: ca}},
		{name: "missing topic", brokers: s.Brokers, topic: servicestest.UniqueName(t) + "-missing", kind: kafka.ErrTopicNotFound,
			atLeast: testMissingTopicTimeout},
		{name: "dead broker address", brokers: []string{deadAddress(t)}, topic: topic, kind: kafka.ErrUnreachable,
			atLeast: testConnectTimeout},
	}
}

// TestFailFast opens a Source, a Sink and a Transactor with each
// misconfiguration: each must fail with a *ConnectError of the right kind
// within the configured bound. The cases needing the rig's SASL and TLS
// listeners fail under SABOT_REQUIRE_REAL=1 without it (and skip
// otherwise); the missing topic and the dead address run on the embedded
// default too.
func TestFailFast(t *testing.T) {
	t.Parallel() // waits out timeouts: alongside the others
	s := servicestest.Open(t)
	password := os.Getenv(services.EnvSASLPassword)
	for _, tc := range failCases(t, s) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.real {
				servicestest.RequireReal(t, s, "the rig's SASL and TLS listeners")
				if len(tc.brokers) == 0 {
					t.Fatal("the rig's listener variables are unset")
				}
			}
			bound := testConnectTimeout + boundMargin
			open := map[string]func() (func(), error){
				"source": func() (func(), error) {
					src, err := kafka.NewSource(kafka.SourceConfig{Brokers: tc.brokers, Topics: []string{tc.topic}, Codec: stringSpec(),
						Security: tc.security, ConnectTimeout: testConnectTimeout, MissingTopicTimeout: testMissingTopicTimeout})
					return func() { _ = src.Close() }, err
				},
				"sink": func() (func(), error) {
					sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: tc.brokers, Topic: tc.topic,
						Security: tc.security, ConnectTimeout: testConnectTimeout, MissingTopicTimeout: testMissingTopicTimeout})
					return func() { _ = sink.Close() }, err
				},
				"transactor": func() (func(), error) {
					src := kafka.SourceConfig{Brokers: tc.brokers, Topics: []string{tc.topic}, GroupID: servicestest.UniqueName(t),
						Codec: stringSpec(), Security: tc.security}
					tx, err := kafka.NewTransactor(kafka.SinkConfig{Brokers: tc.brokers, Topic: tc.topic, TransactionalID: servicestest.UniqueName(t),
						Security: tc.security, ConnectTimeout: testConnectTimeout, MissingTopicTimeout: testMissingTopicTimeout}, &src)
					return func() { _ = tx.Close() }, err
				},
			}
			// The three clients open at once: the cases that wait for
			// their bound take it once.
			type result struct {
				closeIt func()
				err     error
				took    time.Duration
			}
			results := map[string]*result{}
			var wg sync.WaitGroup
			for client, fn := range open {
				r := &result{}
				results[client] = r
				wg.Go(func() {
					start := time.Now()
					r.closeIt, r.err = fn()
					r.took = time.Since(start)
				})
			}
			wg.Wait()
			for _, client := range []string{"source", "sink", "transactor"} {
				closeIt, err, took := results[client].closeIt, results[client].err, results[client].took
				if err == nil {
					closeIt()
					t.Errorf("%s: opened despite %s", client, tc.name)
					continue
				}
				t.Logf("%s: %v: %v", client, took.Round(time.Millisecond), err)
				var ce *kafka.ConnectError
				switch {
				case !errors.As(err, &ce):
					t.Errorf("%s: %v, want a *kafka.ConnectError", client, err)
				case !errors.Is(err, tc.kind):
					t.Errorf("%s: %v, want it to match %v", client, err, tc.kind)
				case ce.Client != client || strings.Join(ce.Brokers, ",") != strings.Join(tc.brokers, ","):
					t.Errorf("%s: ConnectError names client %q and brokers %v", client, ce.Client, ce.Brokers)
				case errors.Is(tc.kind, kafka.ErrTopicNotFound) && (len(ce.Topics) != 1 || ce.Topics[0] != tc.topic):
					t.Errorf("%s: ConnectError names missing topics %v, want %q", client, ce.Topics, tc.topic)
				}
				if took > bound {
					t.Errorf("%s: failed after %v, beyond the configured bound %v", client, took, bound)
				}
				if took < tc.atLeast {
					t.Errorf("%s: gave up after %v, before its timeout %v", client, took, tc.atLeast)
				}
				if password != "" && strings.Contains(err.Error(), password) {
					t.Errorf("%s: the error holds the SASL password", client)
				}
			}
		})
	}
}

// TestSourceTopicDeleted: a topic deleted under a running Source ends Poll
// with a *FetchError matching ErrTopicNotFound once it has been missing for
// MissingTopicTimeout.
func TestSourceTopicDeleted(t *testing.T) {
	t.Parallel() // waits out timeouts: alongside the others
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	produce(ctx, t, s, topic, "v", 1, 0)
	cfg := sourceConfig(s, topic, "")
	cfg.MissingTopicTimeout = testMissingTopicTimeout
	src := newSource(t, cfg)
	values(ctx, t, src, 1)
	if err := s.DeleteTopic(ctx, topic); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, err := src.Poll(pctx)
	took := time.Since(start)
	t.Logf("Poll failed after %v: %v", took.Round(time.Millisecond), err)
	var fe *kafka.FetchError
	if !errors.As(err, &fe) || !errors.Is(err, kafka.ErrTopicNotFound) || fe.Topic != topic {
		t.Fatalf("poll of a deleted topic: %v, want a FetchError matching ErrTopicNotFound for %s", err, topic)
	}
	if took < testMissingTopicTimeout || took > testMissingTopicTimeout+10*time.Second {
		t.Fatalf("failed after %v, want about MissingTopicTimeout %v", took, testMissingTopicTimeout)
	}
}
