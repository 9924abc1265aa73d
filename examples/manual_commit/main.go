// Command manual_commit shows manual offset management: with auto
// commit off, the consumer commits after processing each message, so a
// consumer that starts later in the same group resumes right after the last
// committed message.
//
//	go run ./examples/manual_commit
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
)

func main() { exampleenv.Main(run) }

const (
	messages  = 10
	firstStop = 4 // the first consumer stops after this many messages
)

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "manual_commit", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "my-topic", 1)
	if err != nil {
		return err
	}
	if err := produce(ctx, env, topic); err != nil {
		return err
	}
	group := env.Name("manual-commit")

	open := func() (*kafka.Source, error) {
		return kafka.NewSource(kafka.SourceConfig{
			Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic}, GroupID: group,
			Codec:             codec.Spec{Format: codec.String{}},
			DisableAutoCommit: true, // manual commit
			AutoOffsetReset:   kafka.OffsetEarliest,
		})
	}

	// The first consumer processes a few messages, committing after each.
	source, err := open()
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source) // Close is idempotent
	processed := 0
	for row, err := range source.Rows(ctx) {
		if err != nil {
			return err
		}
		// process(message) would go here.
		if err := source.Commit(ctx); err != nil {
			return err
		}
		offset, err := committed(ctx, source, group, topic)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "processed %s, committed offset %d\n", row.Map()["value"], offset)
		if processed++; processed == firstStop {
			break
		}
	}
	if err := source.Close(); err != nil {
		return err
	}

	// A second consumer in the same group starts at the committed offset.
	second, err := open()
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, second)
	first, rest := int64(-1), 0
	for m, err := range second.Messages(ctx) {
		if err != nil {
			return err
		}
		if first < 0 {
			first = m.Offset
			fmt.Fprintf(stdout, "the second consumer starts at offset %d: %s\n", m.Offset, m.Row.Map()["value"])
		}
		if rest++; processed+rest == messages {
			break
		}
	}
	if err := second.Commit(ctx); err != nil {
		return err
	}
	offset, err := committed(ctx, second, group, topic)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "it processed the other %d messages from offset %d; committed offset %d\n", rest, first, offset)
	return nil
}

func produce(ctx context.Context, env *exampleenv.Env, topic string) (err error) {
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{Format: codec.String{}}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)
	values := make([]any, messages)
	for i := range values {
		values[i] = fmt.Sprintf("event-%d", i)
	}
	return sink.SendValues(ctx, values...)
}

// committed is the group's committed offset of partition 0: the next offset
// the group will read.
func committed(ctx context.Context, source *kafka.Source, group, topic string) (int64, error) {
	offsets, err := kadm.NewClient(source.Client()).FetchOffsets(ctx, group)
	if err != nil {
		return 0, err
	}
	o, ok := offsets.Lookup(topic, 0)
	if !ok {
		return -1, nil
	}
	return o.At, o.Err
}
