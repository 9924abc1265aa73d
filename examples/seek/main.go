// Command seek shows seek operations: a source moves to the
// beginning of the topic, to its end, to an offset and to the first message
// at or after a time, and reads from there.
//
//	go run ./examples/seek
package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
)

func main() { exampleenv.Main(run) }

const messages = 10

// start is the timestamp of message 0; message i is i minutes later.
var start = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "seek", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "my-topic", 1)
	if err != nil {
		return err
	}
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)
	for i := range messages {
		if err := send(ctx, sink, i); err != nil {
			return err
		}
	}

	// Without a group the source reads every partition, here from the
	// beginning.
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic},
		Codec: codec.Spec{Format: codec.String{}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)
	next := func(what string) error {
		b, err := source.Poll(ctx)
		if err != nil {
			return err
		}
		defer b.Done()
		r := b.Records[0]
		fmt.Fprintf(stdout, "%-30s -> offset %d: %s at %s\n", what, r.Offset, r.Value, r.Timestamp.UTC().Format("15:04"))
		return nil
	}

	// The first message, from the reset position.
	if err := next("start (earliest)"); err != nil {
		return err
	}

	// Seek to end: only messages written from now on are read.
	if err := source.SeekToEnd(ctx); err != nil {
		return err
	}
	if err := send(ctx, sink, messages); err != nil {
		return err
	}
	if err := next("SeekToEnd, one more sent"); err != nil {
		return err
	}

	// Seek to an offset of one partition.
	if err := source.Seek(ctx, topic, 0, 4); err != nil {
		return err
	}
	if err := next("Seek to offset 4"); err != nil {
		return err
	}

	// Seek to a time: the first message at or after it.
	at := start.Add(6*time.Minute + 30*time.Second)
	if err := source.SeekToTime(ctx, at); err != nil {
		return err
	}
	if err := next("SeekToTime " + at.Format("15:04:05")); err != nil {
		return err
	}

	// Seek to beginning.
	if err := source.SeekToBeginning(ctx); err != nil {
		return err
	}
	return next("SeekToBeginning")
}

// send writes message i with its timestamp.
func send(ctx context.Context, sink *kafka.Sink, i int) error {
	return sink.SendRecords(ctx, kafka.Record{
		Value:     fmt.Appendf(nil, "event-%d", i),
		Timestamp: start.Add(time.Duration(i) * time.Minute),
	})
}
