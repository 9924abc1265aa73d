package kafka_test

import (
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
		src.FetchMinBytes != 1 || src.FetchMaxWait != 500*time.Millisecond {
		t.Fatalf("source defaults changed: %+v", src)
	}
	if sink.Partitioning != kafka.KeyHash || sink.Acks != kafka.AcksAll || sink.Retries != 3 || sink.MaxInFlight != 5 ||
		sink.Linger != 10*time.Millisecond || sink.BatchSize != 16384 || sink.DisableIdempotence || sink.Compression != kafka.CompressionNone {
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
