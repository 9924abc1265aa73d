// Command avro_to_json is a multi-codec pipeline: it reads
// Avro transactions through the schema registry and writes them as JSON for
// downstream consumers that do not speak Avro. The conversion is automatic:
// the Avro decoder fills Arrow columns and the JSON encoder writes them.
//
//	go run ./examples/avro_to_json
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
)

func main() { exampleenv.Main(run) }

const schema = `{
  "type": "record",
  "name": "Transaction",
  "namespace": "com.example",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "amount", "type": "double"},
    {"name": "timestamp", "type": "long"},
    {"name": "note", "type": ["null", "string"], "default": null}
  ]
}`

var transactions = []any{
	map[string]any{"id": "TX-1", "amount": 99.99, "timestamp": 1704067200000},
	map[string]any{"id": "TX-2", "amount": 12.5, "timestamp": 1704067201000, "note": "refund"},
	map[string]any{"id": "TX-3", "amount": 250, "timestamp": 1704067202000},
}

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "avro_to_json", args)
	if err != nil {
		return err
	}
	defer env.Close()
	avroTopic, err := env.Topic(ctx, "transactions-avro", 1)
	if err != nil {
		return err
	}
	jsonTopic, err := env.Topic(ctx, "transactions-json", 1)
	if err != nil {
		return err
	}
	reg, err := env.Registry()
	if err != nil {
		return err
	}
	if err := produce(ctx, env, avroTopic, reg); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sent %d Avro transactions to %s\n", len(transactions), env.Short(avroTopic))

	// Convert Avro → JSON.
	// Limit ends the pipeline after the records written above.
	source, err := kafka.NewSource(kafka.SourceConfig{
		Brokers:         kafka.SplitBrokers(env.Brokers),
		Topics:          []string{avroTopic},
		GroupID:         env.Name("codec-converter"),
		Codec:           codec.Spec{Format: codec.Avro{}, Registry: reg},
		AutoOffsetReset: kafka.OffsetEarliest,
	})
	if err != nil {
		return err
	}
	sink, err := kafka.NewSink(kafka.SinkConfig{
		Brokers: kafka.SplitBrokers(env.Brokers),
		Topic:   jsonTopic,
		Codec:   codec.Spec{Format: codec.JSON{}},
	})
	if err != nil {
		_ = source.Close()
		return err
	}
	// The pipeline closes its source and sink when it ends.
	pipeline := engine.FromKafka(source).Limit(int64(len(transactions))).ToKafka(sink)
	if err := pipeline.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "converted %d records\n", pipeline.Metrics().OutRows)

	// What a downstream consumer sees: plain JSON text.
	reader, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{jsonTopic},
		Codec: codec.Spec{Format: codec.String{}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, reader)
	n := 0
	for m, err := range reader.Messages(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s offset %d: %s\n", env.Short(m.Topic), m.Offset, m.Value)
		if n++; n == len(transactions) {
			break
		}
	}
	return nil
}

func produce(ctx context.Context, env *exampleenv.Env, topic string, reg codec.Registry) (err error) {
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{Format: codec.Avro{Schema: schema}, Registry: reg}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)
	return sink.SendValues(ctx, transactions...)
}
