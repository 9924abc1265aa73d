// Command batch_send shows batch sending: a batch of messages goes
// out in one call, and Flush waits until everything handed to the producer
// is acknowledged. Sending a whole Arrow batch without waiting, then
// flushing, is how volume moves.
//
//	go run ./examples/batch_send
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/internal/dataset"
	"github.com/sabot-kafka/sabot/kafka"
)

func main() { exampleenv.Main(run) }

const bulk = 10000 // transactions sent as one Arrow batch

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "batch_send", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "batch-topic", 1)
	if err != nil {
		return err
	}
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{Format: codec.JSON{}}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)

	// Send a batch: one Arrow batch, one call, every acknowledgement awaited.
	messages := []any{
		map[string]any{"id": 1, "data": "a"},
		map[string]any{"id": 2, "data": "b"},
		map[string]any{"id": 3, "data": "c"},
	}
	if err := sink.SendValues(ctx, messages...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "SendValues: %d messages acknowledged\n", sink.Metrics().RecordsOut)

	// Send without waiting, then Flush: the call returns once the values are
	// encoded and handed to the producer, which batches them by partition.
	rec := dataset.Transactions(memory.DefaultAllocator, bulk, 3, 100)
	var asyncErr error
	sink.SendAsync(ctx, rec, func(err error) { asyncErr = err })
	if err := sink.Flush(ctx); err != nil {
		rec.Release()
		return err
	}
	rec.Release() // the keys and values are no longer needed once flushed
	if asyncErr != nil {
		return asyncErr
	}
	m := sink.Metrics()
	fmt.Fprintf(stdout, "SendAsync + Flush: %d more acknowledged, %d in total in %d calls\n",
		m.RecordsOut-int64(len(messages)), m.RecordsOut, m.Batches)

	// Read the first messages back.
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic},
		Codec: codec.Spec{Format: codec.String{}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)
	read, total := 0, int(m.RecordsOut)
	for m, err := range source.Messages(ctx) {
		if err != nil {
			return err
		}
		if m.Offset < int64(len(messages)) {
			fmt.Fprintf(stdout, "offset %d: %s\n", m.Offset, m.Value)
		}
		if read++; read == total {
			break
		}
	}
	fmt.Fprintf(stdout, "read %d messages back\n", read)
	return nil
}
