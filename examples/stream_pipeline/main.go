// Command stream_pipeline is the Stream API end to end: a pipeline
// reads JSON transactions from Kafka, filters them, maps each batch to new
// columns and writes the result back to Kafka as JSON:
//
//	engine.FromKafka(source).Filter(pred).Map(op).ToKafka(sink).Run(ctx)
//
// Filter and Map take expressions of package ops, which run as kernels over
// whole Arrow batches; no code here loops over records.
//
//	go run ./examples/stream_pipeline
package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/internal/dataset"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
)

func main() { exampleenv.Main(run) }

const (
	records = 1000 // transactions written to the input topic
	seed    = 1    // of the generated transactions
)

// The filter: large payments in euros.
var large = ops.Col("amount").Gt(ops.Lit(500.0)).And(ops.Col("currency").Eq(ops.Lit("EUR")))

// The map: keep three columns and add one computed over the whole batch.
var project = ops.Project(
	ops.Col("id"),
	ops.Col("user_id"),
	ops.Col("amount"),
	ops.Col("amount").Ge(ops.Lit(900.0)).As("very_large"),
)

func run(ctx context.Context, args []string, stdout io.Writer) error {
	env, err := exampleenv.Open(ctx, "stream_pipeline", args)
	if err != nil {
		return err
	}
	defer env.Close()
	in, err := env.Topic(ctx, "input-topic", 3)
	if err != nil {
		return err
	}
	out, err := env.Topic(ctx, "output-topic", 1)
	if err != nil {
		return err
	}
	if err := produceInput(ctx, env, in); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d transactions to %s\n", records, env.Short(in))

	// A Kafka source never ends by itself: Limit ends the stream after the
	// records written above, and Run returns once they are processed and
	// committed.
	source, err := kafka.NewSource(kafka.SourceConfig{
		Brokers:         kafka.SplitBrokers(env.Brokers),
		Topics:          []string{in},
		GroupID:         env.Name("stream-processor"),
		Codec:           codec.Spec{Format: codec.JSON{ArrowSchema: dataset.TransactionSchema}},
		AutoOffsetReset: kafka.OffsetEarliest,
	})
	if err != nil {
		return err
	}
	sink, err := kafka.NewSink(kafka.SinkConfig{
		Brokers:   kafka.SplitBrokers(env.Brokers),
		Topic:     out,
		Codec:     codec.Spec{Format: codec.JSON{}},
		KeyColumn: "user_id",
	})
	if err != nil {
		_ = source.Close()
		return err
	}
	// The pipeline closes its source and sink when it ends.
	pipeline := engine.FromKafka(source).Limit(records).Filter(large).Map(project).ToKafka(sink)
	if err := pipeline.Run(ctx); err != nil {
		return err
	}
	m := pipeline.Metrics()
	fmt.Fprintf(stdout, "pipeline read %d records and wrote %d rows (amount > 500 and currency = EUR)\n", m.InRecords, m.OutRows)

	rows, err := readOutput(ctx, env, out, int(m.OutRows))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "read %d rows back from %s; the first three by id:\n", len(rows), env.Short(out))
	for _, r := range rows[:min(3, len(rows))] {
		fmt.Fprintf(stdout, "  %s\n", r)
	}
	return nil
}

// produceInput writes the generated transactions to topic as JSON, keyed by
// user.
func produceInput(ctx context.Context, env *exampleenv.Env, topic string) (err error) {
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic,
		Codec: codec.Spec{Format: codec.JSON{}}, KeyColumn: "user_id"})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)
	batch := dataset.Transactions(memory.DefaultAllocator, records, seed, 100)
	defer batch.Release()
	return sink.Send(ctx, batch)
}

// readOutput reads n rows of the output topic as JSON text, sorted.
func readOutput(ctx context.Context, env *exampleenv.Env, topic string, n int) (_ []string, err error) {
	schema, err := project.OutputSchema(dataset.TransactionSchema)
	if err != nil {
		return nil, err
	}
	src, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic},
		Codec: codec.Spec{Format: codec.JSON{ArrowSchema: schema}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return nil, err
	}
	defer exampleenv.Close(&err, src)
	var rows []string
	for len(rows) < n {
		b, err := src.Poll(ctx)
		if err != nil {
			return nil, err
		}
		for _, rec := range b.Result.Batches {
			for i := range int(rec.NumRows()) {
				rows = append(rows, kafka.Row{Rec: rec, Index: i}.String())
			}
		}
		b.Done()
	}
	slices.Sort(rows)
	return rows, nil
}
