package engine_test

import (
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
)

// TestValidateKafkaListsEveryProblem: one call names every bad field of the
// source, the sink, their codecs and the run options, on both guarantees.
func TestValidateKafkaListsEveryProblem(t *testing.T) {
	src := kafka.SourceConfig{Topics: []string{"in"}, MaxPollRecords: -1,
		Codec: codec.Spec{Format: codec.Avro{}}} // no Brokers; Avro without a schema or registry
	sink := kafka.SinkConfig{Brokers: []string{"b:9092"}, Compression: "brotli", Acks: "2"}
	opts := engine.RunOptions{QueueDepth: -1}

	for _, tc := range []struct {
		name string
		sink kafka.SinkConfig
		opts engine.RunOptions
		want []string
	}{
		{"at-least-once", sink, engine.RunOptions{QueueDepth: -1, TxnMaxRecords: 10}, []string{
			"Brokers is required", "MaxPollRecords must not be negative", "avro needs a Registry",
			`Compression "brotli"`, `Acks "2"`, "QueueDepth must not be negative",
			"apply to FromTransactor pipelines only",
		}},
		{"exactly-once", withTxnID(sink), opts, []string{
			"Brokers is required", "MaxPollRecords must not be negative", "avro needs a Registry",
			`Compression "brotli"`, `Acks "2"`, "QueueDepth must not be negative",
			"Source needs a GroupID",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := engine.ValidateKafka(src, tc.sink, tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "MaxInFlightRecords") {
				t.Errorf("reports a derived field the user never set:\n%v", err)
			}
		})
	}

	good := kafka.SourceConfig{Brokers: []string{"b:9092"}, Topics: []string{"in"}, GroupID: "g",
		Codec: codec.Spec{Format: codec.String{}}}
	goodSink := kafka.SinkConfig{Brokers: []string{"b:9092"}, Topic: "out", Codec: codec.Spec{Format: codec.String{}}}
	if err := engine.ValidateKafka(good, goodSink, engine.RunOptions{}); err != nil {
		t.Fatalf("valid at-least-once pipeline: %v", err)
	}
	if err := engine.ValidateKafka(good, withTxnID(goodSink), engine.RunOptions{TxnMaxRecords: 1000}); err != nil {
		t.Fatalf("valid exactly-once pipeline: %v", err)
	}
}

func withTxnID(c kafka.SinkConfig) kafka.SinkConfig {
	c.TransactionalID = "txn"
	return c
}
