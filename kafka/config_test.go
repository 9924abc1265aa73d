package kafka_test

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/kafka"
)

func TestSourceConfigValidate(t *testing.T) {
	good := kafka.SourceConfig{Brokers: []string{"b:9092"}, Topics: []string{"t"}, Codec: codec.Spec{Format: codec.String{}}}
	tests := []struct {
		name string
		mod  func(*kafka.SourceConfig)
		want []string // every message fragment must appear
	}{
		{"defaults are valid", func(*kafka.SourceConfig) {}, nil},
		{"everything wrong at once", func(c *kafka.SourceConfig) {
			c.Brokers, c.Topics = nil, nil
			c.Codec.Format = nil
			c.AutoOffsetReset = "middle"
			c.MaxPollRecords = -1
			c.FetchMaxWait = -time.Second
			c.OnError = kafka.ErrorPolicy{Action: "explode", Retries: -2}
			c.Security = kafka.Security{SASL: "KERBEROS"}
		}, []string{"Brokers is required", "Topics is required", "codec: no Format", "unknown AutoOffsetReset",
			"MaxPollRecords must not be negative", "FetchMaxWait must not be negative", "unknown OnError action",
			"OnError.Retries must not be negative", "unknown Security.SASL"}},
		{"committed needs a group", func(c *kafka.SourceConfig) { c.AutoOffsetReset = kafka.OffsetCommitted }, []string{"needs a GroupID"}},
		{"dead letter needs a topic", func(c *kafka.SourceConfig) { c.OnError = kafka.ErrorPolicy{Action: kafka.DeadLetter} }, []string{"needs a DeadLetterTopic"}},
		{"dead letter topic without the action", func(c *kafka.SourceConfig) { c.OnError.DeadLetterTopic = "dlq" }, []string{"DeadLetterTopic is set"}},
		{"in flight below a poll", func(c *kafka.SourceConfig) { c.MaxInFlightRecords = 10 }, []string{"MaxInFlightRecords (10) is below MaxPollRecords (500)"}},
		{"heartbeat above session", func(c *kafka.SourceConfig) { c.HeartbeatInterval = time.Minute }, []string{"HeartbeatInterval"}},
		{"partition bytes above fetch bytes", func(c *kafka.SourceConfig) { c.FetchMaxBytes, c.FetchMaxPartitionBytes = 10, 20 }, []string{"FetchMaxPartitionBytes (20) exceeds"}},
		{"SASL without user", func(c *kafka.SourceConfig) { c.Security.SASL = kafka.SASLSCRAMSHA512 }, []string{"needs a User"}},
		{"cert without key", func(c *kafka.SourceConfig) { c.Security = kafka.Security{TLS: true, CertFile: "c.pem"} }, []string{"go together"}},
		{"files without TLS", func(c *kafka.SourceConfig) { c.Security = kafka.Security{CAFile: "ca.pem"} }, []string{"TLS is off"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.mod(&c)
			checkErrs(t, c.Validate(), tc.want)
		})
	}
}

func TestSinkConfigValidate(t *testing.T) {
	good := kafka.SinkConfig{Brokers: []string{"b:9092"}, Topic: "t"}
	tests := []struct {
		name string
		mod  func(*kafka.SinkConfig)
		want []string
	}{
		{"defaults are valid", func(*kafka.SinkConfig) {}, nil},
		{"acks 1 turns idempotence off, no error", func(c *kafka.SinkConfig) { c.Acks = kafka.AcksLeader; c.MaxInFlight = 10 }, nil},
		{"everything wrong at once", func(c *kafka.SinkConfig) {
			c.Brokers = nil
			c.Partitioning = "random"
			c.Compression = "brotli"
			c.Acks = "2"
			c.Linger = -time.Millisecond
			c.BatchSize = -1
			c.OnError = kafka.ErrorPolicy{Action: kafka.DeadLetter, DeadLetterTopic: "d", Retries: 2}
		}, []string{"Brokers is required", "unknown Partitioning", "unknown Compression", "unknown Acks",
			"Linger must not be negative", "BatchSize must not be negative", "dead_letter applies to a Source", "Retries applies to a Source"}},
		{"custom needs a function", func(c *kafka.SinkConfig) { c.Partitioning = kafka.Custom }, []string{"needs a PartitionFunc"}},
		{"function without custom", func(c *kafka.SinkConfig) { c.PartitionFunc = func(_, _ []byte, _ int) int { return 0 } }, []string{"PartitionFunc is set"}},
		{"idempotent in flight above 5", func(c *kafka.SinkConfig) { c.MaxInFlight = 6 }, []string{"exceeds 5"}},
		{"transactions need acks all", func(c *kafka.SinkConfig) { c.TransactionalID = "x"; c.Acks = kafka.AcksNone }, []string{"needs Acks all"}},
		{"transactions need idempotence", func(c *kafka.SinkConfig) { c.TransactionalID = "x"; c.DisableIdempotence = true }, []string{"needs idempotence"}},
		{"a key column with nothing to key", func(c *kafka.SinkConfig) { c.KeyColumn = "id" }, []string{`KeyColumn "id" keys record batches`}},
		{"a key column with a codec", func(c *kafka.SinkConfig) { c.KeyColumn = "id"; c.Codec = codec.Spec{Format: codec.JSON{}} }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.mod(&c)
			checkErrs(t, c.Validate(), tc.want)
		})
	}
}

func checkErrs(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, "kafka: ") && !strings.HasPrefix(line, "codec: ") {
			t.Errorf("error line without a package prefix: %q", line)
		}
	}
}

func TestDefaults(t *testing.T) {
	src, sink := kafka.DefaultSourceConfig(), kafka.DefaultSinkConfig()
	if src.AutoOffsetReset != kafka.OffsetLatest || src.AutoCommitInterval != 5*time.Second || src.MaxPollRecords != 500 ||
		src.FetchMinBytes != 1 || src.FetchMaxWait != 500*time.Millisecond || src.ConnectTimeout != 30*time.Second ||
		src.MissingTopicTimeout != 10*time.Second || src.FetchErrorTimeout != 2*time.Minute || src.SkipConnectCheck {
		t.Fatalf("source defaults changed: %+v", src)
	}
	// Unlimited retries (0) within a 2 minute delivery timeout, as the
	// Java client.
	if sink.Partitioning != kafka.KeyHash || sink.Acks != kafka.AcksAll || sink.Retries != 0 || sink.MaxInFlight != 5 ||
		sink.Linger != 10*time.Millisecond || sink.BatchSize != 16384 || sink.DisableIdempotence || sink.Compression != kafka.CompressionNone ||
		sink.DeliveryTimeout != 2*time.Minute || sink.ConnectTimeout != 30*time.Second || sink.MissingTopicTimeout != 10*time.Second ||
		sink.SkipConnectCheck {
		t.Fatalf("sink defaults changed: %+v", sink)
	}
	if _, err := kafka.NewSource(kafka.SourceConfig{}); err == nil {
		t.Fatal("NewSource accepted an empty config")
	}
	if _, err := kafka.NewSink(kafka.SinkConfig{}); err == nil {
		t.Fatal("NewSink accepted an empty config")
	}
}

func TestSplitBrokers(t *testing.T) {
	got := kafka.SplitBrokers(" a:1, ,b:2,")
	if len(got) != 2 || got[0] != "a:1" || got[1] != "b:2" {
		t.Fatalf("SplitBrokers = %q", got)
	}
}

// errLines splits a joined Validate error into its messages.
func errLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

// checkOnce asserts that each field is named by exactly one message of err,
// and that err has exactly len(fields) messages: every bad field reported,
// once, and nothing else (such as a default derived from a bad field).
func checkOnce(t *testing.T, err error, fields ...string) {
	t.Helper()
	lines := errLines(err)
	for _, f := range fields {
		n := 0
		for _, l := range lines {
			if strings.Contains(l, f) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q is named by %d messages, want 1:\n%v", f, n, err)
		}
	}
	if len(lines) != len(fields) {
		t.Errorf("%d messages for %d bad fields:\n%v", len(lines), len(fields), err)
	}
}

func TestValidateReportsEachBadFieldOnce(t *testing.T) {
	src := kafka.SourceConfig{Brokers: []string{"b:9092"}, Topics: []string{"t"}, Codec: codec.Spec{Format: codec.String{}}}
	t.Run("negative MaxPollRecords alone", func(t *testing.T) {
		c := src
		c.MaxPollRecords = -1
		// Not MaxInFlightRecords nor PartitionPauseRecords, which derive
		// from it and were never set.
		checkOnce(t, c.Validate(), "MaxPollRecords")
	})
	t.Run("every source field at once", func(t *testing.T) {
		c := src
		c.AutoCommitInterval, c.MaxPollRecords, c.FetchMinBytes, c.FetchMaxWait = -1, -1, -1, -1
		c.FetchMaxBytes, c.FetchMaxPartitionBytes, c.SessionTimeout, c.HeartbeatInterval = -1, -1, -1, -1
		c.RebalanceTimeout, c.MaxInFlightRecords, c.PartitionPauseRecords = -1, -1, -1
		c.ConnectTimeout, c.MissingTopicTimeout, c.FetchErrorTimeout = -1, -1, -1
		c.Topics = []string{"", ""}
		c.OnError = kafka.ErrorPolicy{Retries: -1, Backoff: -1, MaxBackoff: -1}
		checkOnce(t, c.Validate(), "AutoCommitInterval", "MaxPollRecords", "FetchMinBytes", "FetchMaxWait ",
			"FetchMaxBytes ", "FetchMaxPartitionBytes", "SessionTimeout", "HeartbeatInterval", "RebalanceTimeout",
			"MaxInFlightRecords", "PartitionPauseRecords", "ConnectTimeout", "MissingTopicTimeout", "FetchErrorTimeout",
			"empty name", "OnError.Retries", "OnError.Backoff ", "OnError.MaxBackoff")
	})
	t.Run("relations use the defaults of fields left zero", func(t *testing.T) {
		c := src
		c.MaxInFlightRecords = 10 // below the default MaxPollRecords
		checkOnce(t, c.Validate(), "MaxInFlightRecords (10) is below MaxPollRecords (500)")
		c = src
		c.HeartbeatInterval = time.Minute // above the default SessionTimeout
		checkOnce(t, c.Validate(), "HeartbeatInterval")
		c = src
		c.FetchMaxPartitionBytes = 60 << 20 // above the default FetchMaxBytes
		checkOnce(t, c.Validate(), "FetchMaxPartitionBytes")
	})
	t.Run("every sink field at once", func(t *testing.T) {
		c := kafka.SinkConfig{Brokers: []string{"b:9092"}, Topic: "t"}
		c.MaxInFlight, c.Linger, c.BatchSize, c.DeliveryTimeout = -1, -1, -1, -1
		c.ConnectTimeout, c.MissingTopicTimeout = -1, -1
		c.OnError = kafka.ErrorPolicy{Action: kafka.Skip, Backoff: -1}
		checkOnce(t, c.Validate(), "MaxInFlight ", "Linger", "BatchSize", "DeliveryTimeout", "ConnectTimeout",
			"MissingTopicTimeout", "OnError.Backoff")
	})
	t.Run("error policy backoffs", func(t *testing.T) {
		c := src
		c.OnError = kafka.ErrorPolicy{Retries: 2, Backoff: 10 * time.Second, MaxBackoff: time.Second}
		checkOnce(t, c.Validate(), "OnError.MaxBackoff (1s) is below OnError.Backoff (10s)")
	})
	t.Run("security settings that would be ignored", func(t *testing.T) {
		c := src
		c.Security = kafka.Security{TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}, CAFile: "ca.pem", ServerName: "k"}
		checkOnce(t, c.Validate(), "TLSConfig is used as is")
		c.Security = kafka.Security{ServerName: "k"}
		checkOnce(t, c.Validate(), "TLS is off")
		c.Security = kafka.Security{Password: "p"}
		checkOnce(t, c.Validate(), "without a SASL mechanism")
	})
	t.Run("transactor", func(t *testing.T) {
		s := src
		s.AutoCommitInterval = -1
		s.MaxPollRecords = -1
		_, err := kafka.NewTransactor(kafka.SinkConfig{Brokers: []string{"b:9092"}, Linger: -1}, &s)
		checkOnce(t, err, "needs a Sink TransactionalID", "Linger", "needs a GroupID", "AutoCommitInterval", "MaxPollRecords")
	})
}
