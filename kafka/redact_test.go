package kafka_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

const (
	secretPassword = "kafka-pw-Zq81"   // #nosec G101 -- a test value
	secretRegistry = "registry-pw-Ux4" // #nosec G101 -- a test value
	secretToken    = "bearer-tok-Yp3"  // #nosec G101 -- a test value
)

// leaks reports which secret s holds, as text, hex or base64.
func leaks(s string) string {
	for _, sec := range []string{secretPassword, secretRegistry, secretToken} {
		for _, enc := range []string{sec, hex.EncodeToString([]byte(sec)), strings.ToUpper(hex.EncodeToString([]byte(sec))),
			base64.StdEncoding.EncodeToString([]byte("sabot:" + sec)), base64.StdEncoding.EncodeToString([]byte(sec))} {
			if strings.Contains(s, enc) {
				return sec
			}
		}
	}
	return ""
}

var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"}

// TestSecretsRedacted formats every type holding a secret (Security,
// SourceConfig, SinkConfig, the registry client inside a Codec, the Source,
// Sink and Transactor holding them), alone, by pointer and inside another
// struct, with every verb: the secrets never appear.
func TestSecretsRedacted(t *testing.T) {
	reg, err := registry.NewClient("http://sabot:" + secretRegistry + "@127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	bearer, err := registry.NewClient("http://127.0.0.1:1", registry.BearerToken(secretToken))
	if err != nil {
		t.Fatal(err)
	}
	sec := kafka.Security{SASL: kafka.SASLSCRAMSHA512, User: "sabot", Password: secretPassword}
	srcCfg := kafka.SourceConfig{Brokers: []string{"127.0.0.1:1"}, Topics: []string{"t"}, Security: sec,
		Codec: codec.Spec{Format: codec.Avro{}, Registry: reg}, SkipConnectCheck: true}
	sinkCfg := kafka.SinkConfig{Brokers: []string{"127.0.0.1:1"}, Topic: "t", Security: sec,
		Codec: codec.Spec{Format: codec.Avro{}, Registry: bearer}, SkipConnectCheck: true}
	src, err := kafka.NewSource(srcCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sink, err := kafka.NewSink(sinkCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	txCfg := sinkCfg
	txCfg.TransactionalID = "tx"
	txSrc := srcCfg
	txSrc.GroupID = "g"
	tx, err := kafka.NewTransactor(txCfg, &txSrc)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()

	values := map[string]any{
		"Security":              sec,
		"*Security":             &sec,
		"SourceConfig":          srcCfg,
		"*SourceConfig":         &srcCfg,
		"SinkConfig":            sinkCfg,
		"*SinkConfig":           &sinkCfg,
		"a struct holding them": struct{ Src, Sink any }{srcCfg, &sinkCfg},
		"a slice of them":       []kafka.Security{sec},
		"registry client":       reg,
		"bearer client":         bearer,
		"Source":                src,
		"Sink":                  sink,
		"Transactor":            tx,
	}
	for name, v := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, v)
			if sec := leaks(out); sec != "" {
				t.Errorf("%s with %s prints a secret: %s", name, verb, strings.ReplaceAll(out, sec, "<SECRET>"))
			}
		}
	}
	// What is redacted still says what it is.
	if got := fmt.Sprintf("%+v", sec); !strings.Contains(got, "User:sabot") || !strings.Contains(got, "Password:[redacted]") {
		t.Errorf("Security prints %s", got)
	}
	if got := fmt.Sprintf("%#v", srcCfg); !strings.HasPrefix(got, "kafka.SourceConfig{") || !strings.Contains(got, `Password:"[redacted]"`) {
		t.Errorf("SourceConfig %%#v prints %s", got)
	}
	if got := fmt.Sprint(kafka.Security{User: "u"}); strings.Contains(got, "redacted") {
		t.Errorf("an empty password prints as redacted: %s", got)
	}
	if got := fmt.Sprint(sink); !strings.Contains(got, `Topic:"t"`) {
		t.Errorf("Sink prints %s", got)
	}
}

// syncBuf is a buffer safe for the client's logging goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsNotInErrorsOrLogs: the errors of a failed start-up check and of
// a failed send, and the client's debug log, hold no secret.
func TestSecretsNotInErrorsOrLogs(t *testing.T) {
	t.Parallel() // waits out timeouts: alongside the others
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	var logs syncBuf
	logger := kgo.WithLogger(kgo.BasicLogger(&logs, kgo.LogLevelDebug, nil))
	sec := kafka.Security{SASL: kafka.SASLSCRAMSHA512, User: "sabot", Password: secretPassword}
	var errs []error
	_, err := kafka.NewSource(kafka.SourceConfig{Brokers: []string{deadAddress(t)}, Topics: []string{topic}, Codec: stringSpec(),
		Security: sec, ConnectTimeout: 500 * time.Millisecond, ClientOpts: []kgo.Opt{logger}})
	errs = append(errs, err)
	// The embedded broker offers no SCRAM: authentication fails.
	_, err = kafka.NewSink(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Security: sec,
		ConnectTimeout: time.Second, ClientOpts: []kgo.Opt{logger}})
	errs = append(errs, err)
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Security: sec, SkipConnectCheck: true,
		DeliveryTimeout: time.Second, ClientOpts: []kgo.Opt{logger}})
	if err != nil {
		t.Fatal(err)
	}
	errs = append(errs, sink.SendRecords(context.Background(), kafka.Record{Value: []byte("x")}))
	_ = sink.Close()
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d did not fail", i)
		}
		if leaks(err.Error()) == "" {
			t.Logf("call %d: %v", i, err)
		}
		if sec := leaks(err.Error() + fmt.Sprintf("%+v %#v", err, err)); sec != "" {
			t.Errorf("error %d holds a secret", i)
		}
	}
	if !strings.Contains(logs.String(), "sasl") && !strings.Contains(logs.String(), "SASL") {
		t.Fatalf("the debug log says nothing of SASL; is it the client's log at all?")
	}
	if sec := leaks(logs.String()); sec != "" {
		t.Errorf("the client's debug log holds a secret")
	}
}
