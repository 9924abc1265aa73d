// Command json_read_write is the smallest round trip: it writes two JSON
// messages to a topic with a kafka.Sink and reads them back with a
// kafka.Source in a consumer group.
//
//	go run ./examples/json_read_write                      # embedded Kafka
//	go run ./examples/json_read_write -brokers localhost:9092
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
)

func main() { exampleenv.Main(run) }

// event is one message; the json tags name its fields on the wire.
type event struct {
	UserID string `json:"user_id"`
	Action string `json:"action"`
}

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "json_read_write", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "transactions", 1)
	if err != nil {
		return err
	}

	// Writing to Kafka (JSON). The sink infers the columns from the values.
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{Format: codec.JSON{}}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)
	messages := []any{
		map[string]any{"user_id": "123", "action": "purchase"},
		event{UserID: "456", Action: "view"},
	}
	for _, msg := range messages {
		if err := sink.SendValues(ctx, msg); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "sent %d messages to %s\n", len(messages), env.Short(topic))

	// Reading from Kafka (JSON). JSON values decode into the Arrow columns
	// named here.
	columns := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "action", Type: arrow.BinaryTypes.String},
	}, nil)
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic}, GroupID: env.Name("my-consumer-group"),
		Codec: codec.Spec{Format: codec.JSON{ArrowSchema: columns}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)
	received := 0
	for row, err := range source.Rows(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Received: %s\n", row)
		if received++; received == len(messages) {
			break // the loop would otherwise wait for more messages
		}
	}
	// Close commits the group's offsets for the rows read.
	if err := source.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "received %d messages\n", received)
	return nil
}
