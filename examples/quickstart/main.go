// Command quickstart is the pipeline the README opens with: Avro payments in
// through the schema registry, the large ones kept, three columns projected,
// and JSON out, keyed by user. fraudCheck is the README's code, word for
// word (a test holds the two together); run feeds it payments and reads what
// it wrote.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
)

func main() { exampleenv.Main(run) }

// fraudCheck reads Avro transactions from topic in, keeps those above 500,
// and writes their id, user and amount to topic out as JSON, keyed by user,
// until ctx ends.
func fraudCheck(ctx context.Context, brokers []string, reg codec.Registry, in, out string) error {
	src, err := kafka.NewSource(kafka.SourceConfig{
		Brokers:         brokers,
		Topics:          []string{in},
		GroupID:         "fraud-check",
		Codec:           codec.Spec{Format: codec.Avro{}, Registry: reg},
		AutoOffsetReset: kafka.OffsetEarliest,
	})
	if err != nil {
		return err
	}
	sink, err := kafka.NewSink(kafka.SinkConfig{
		Brokers:   brokers,
		Topic:     out,
		Codec:     codec.Spec{Format: codec.JSON{}},
		KeyColumn: "user_id",
	})
	if err != nil {
		_ = src.Close()
		return err
	}
	pipeline := engine.FromKafka(src).
		Filter(ops.Col("amount").Gt(ops.Lit(500.0))).
		Map(ops.Project(ops.Col("id"), ops.Col("user_id"), ops.Col("amount"))).
		ToKafka(sink)
	return pipeline.Run(ctx) // closes src and sink when it returns
}

const schema = `{"type": "record", "name": "Transaction", "namespace": "com.example", "fields": [
  {"name": "id", "type": "string"},
  {"name": "user_id", "type": "string"},
  {"name": "amount", "type": "double"},
  {"name": "currency", "type": "string"}
]}`

var payments = []any{
	map[string]any{"id": "TX-1", "user_id": "u-7", "amount": 120.0, "currency": "EUR"},
	map[string]any{"id": "TX-2", "user_id": "u-3", "amount": 980.5, "currency": "EUR"},
	map[string]any{"id": "TX-3", "user_id": "u-7", "amount": 501.0, "currency": "USD"},
	map[string]any{"id": "TX-4", "user_id": "u-9", "amount": 499.99, "currency": "EUR"},
}

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "quickstart", args)
	if err != nil {
		return err
	}
	defer env.Close()
	in, err := env.Topic(ctx, "transactions", 1)
	if err != nil {
		return err
	}
	out, err := env.Topic(ctx, "large-payments", 1)
	if err != nil {
		return err
	}
	reg, err := env.Registry()
	if err != nil {
		return err
	}
	brokers := kafka.SplitBrokers(env.Brokers)
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: brokers, Topic: in,
		Codec: codec.Spec{Format: codec.Avro{Schema: schema}, Registry: reg}})
	if err != nil {
		return err
	}
	if err := sink.SendValues(ctx, payments...); err != nil {
		_ = sink.Close()
		return err
	}
	if err := sink.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sent %d payments to %s\n", len(payments), env.Short(in))

	// The pipeline runs until its context ends; stop it once its output is
	// read.
	pipeCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- fraudCheck(pipeCtx, brokers, reg, in, out) }()

	reader, err := kafka.NewSource(kafka.SourceConfig{Brokers: brokers, Topics: []string{out},
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
		fmt.Fprintf(stdout, "key %s: %s\n", m.Key, m.Value)
		if n++; n == 2 {
			break
		}
	}
	stop()
	return <-done
}
