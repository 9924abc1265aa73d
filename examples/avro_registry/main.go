// Command avro_registry shows Avro with a schema registry: it
// registers an Avro schema, writes transactions in the Confluent wire format
// ([magic 0][schema id][Avro payload]), reads them back as Arrow through the
// registry, and passes the batches on to a second Avro topic whose sink
// registers its own subject.
//
//	go run ./examples/avro_registry
//	go run ./examples/avro_registry -brokers localhost:9092 -registry http://localhost:8081
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

func main() { exampleenv.Main(run) }

// schema is the writer schema of the transactions.
const schema = `{
  "type": "record",
  "name": "Transaction",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "amount", "type": "double"},
    {"name": "timestamp", "type": "long"}
  ]
}`

// Transaction is one value; the json tags match the Avro field names.
type Transaction struct {
	ID        string  `json:"id"`
	Amount    float64 `json:"amount"`
	Timestamp int64   `json:"timestamp"`
}

var transactions = []any{
	Transaction{ID: "TX-1", Amount: 99.99, Timestamp: 1704067200000},
	Transaction{ID: "TX-2", Amount: 12.50, Timestamp: 1704067201000},
	Transaction{ID: "TX-3", Amount: 250.00, Timestamp: 1704067202000},
}

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "avro_registry", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "transactions", 1)
	if err != nil {
		return err
	}
	processed, err := env.Topic(ctx, "processed-transactions", 1)
	if err != nil {
		return err
	}
	reg, err := env.Registry()
	if err != nil {
		return err
	}

	// Register the schema.
	subject := topic + "-value"
	schemaID, err := reg.Register(ctx, subject, registry.Schema{Type: registry.TypeAvro, Text: schema})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "registered the schema under %s\n", env.Short(subject))

	// Write transactions: the sink encodes with the schema and prefixes
	// each value with its id.
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{
		Format: codec.Avro{Schema: schema}, Registry: reg, Subject: subject,
	}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)
	if err := sink.SendValues(ctx, transactions...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sent %d transactions to %s\n", len(transactions), env.Short(topic))

	// Create the Avro source: the schema of each value comes from the
	// registry by the id in its header.
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic}, GroupID: env.Name("avro-consumer"),
		Codec: codec.Spec{Format: codec.Avro{}, Registry: reg}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)

	// Create the Avro sink for processed transactions: it registers the
	// schema under its own subject on first use.
	out, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: processed, Codec: codec.Spec{
		Format: codec.Avro{Schema: schema}, Registry: reg, Subject: processed + "-value",
	}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, out)

	// Read whole batches and pass them on: Arrow in, Avro out, no per-record
	// objects in between.
	read := 0
	for read < len(transactions) {
		b, err := source.Poll(ctx)
		if err != nil {
			return err
		}
		for i, r := range b.Records {
			id, _, err := wire.ParseHeader(r.Value)
			if err != nil {
				return err
			}
			row, idx, _ := b.Row(i)
			fmt.Fprintf(stdout, "offset %d: schema id matches the registered one: %v, value %s\n",
				r.Offset, id == schemaID, kafka.Row{Rec: row, Index: idx})
		}
		for _, rec := range b.Result.Batches {
			if err := out.Send(ctx, rec); err != nil {
				return err
			}
		}
		read += b.Len()
		b.Done()
	}
	fmt.Fprintf(stdout, "wrote %d transactions to %s\n", read, env.Short(processed))

	latest, err := reg.LatestVersion(ctx, processed+"-value")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the sink registered %s version %d\n", env.Short(latest.Subject), latest.Version)
	return nil
}
