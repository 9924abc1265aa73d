// Command json_schema_validation shows JSON Schema with validation: a sink with a JSON Schema registers it and checks every value
// against it, so a message missing the required "age" is rejected with an
// error saying so, while valid messages are written. A consumer reading the
// topic through the registry sees only the valid ones.
//
//	go run ./examples/json_schema_validation
package main

import (
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
)

func main() { exampleenv.Main(run) }

// schema is the JSON Schema of users.
const schema = `{
  "type": "object",
  "properties": {
    "user_id": {"type": "string"},
    "age": {"type": "integer", "minimum": 0}
  },
  "required": ["user_id", "age"]
}`

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "json_schema_validation", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "validated-users", 1)
	if err != nil {
		return err
	}
	reg, err := env.Registry()
	if err != nil {
		return err
	}
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{
		Format: codec.JSONSchema{Schema: schema}, Registry: reg, Subject: topic + "-value",
	}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)

	messages := []map[string]any{
		{"user_id": "123", "age": 30}, // valid
		{"user_id": "456"},            // invalid: missing required "age"
		{"user_id": "789", "age": -1}, // invalid: below the minimum
		{"user_id": "42", "age": 7},   // valid
	}
	sent := 0
	for _, msg := range messages {
		text, err := stdjson.Marshal(msg)
		if err != nil {
			return err
		}
		err = sink.SendValues(ctx, msg)
		switch {
		case errors.Is(err, decode.ErrInvalid):
			fmt.Fprintf(stdout, "rejected %s: %v\n", text, err)
		case err != nil:
			return err
		default:
			fmt.Fprintf(stdout, "sent %s\n", text)
			sent++
		}
	}

	// Arrow batches are checked too, by the sink's encoder: a row with a
	// null age fails the whole batch before anything is produced
	// (*kafka.EncodeError names the row).
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil), strings.NewReader(`[{"user_id": "900", "age": 50}, {"user_id": "901", "age": null}]`))
	if err != nil {
		return err
	}
	defer rec.Release()
	err = sink.Send(ctx, rec)
	var rejected *kafka.EncodeError
	if !errors.As(err, &rejected) {
		return fmt.Errorf("want the batch rejected, got: %w", err)
	}
	fmt.Fprintf(stdout, "rejected an Arrow batch of %d rows: %v\n", rec.NumRows(), err)

	// Read the topic back: the decoder validates too, with the schema the
	// registry holds for the id in each value.
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic}, GroupID: env.Name("users-consumer"),
		Codec: codec.Spec{Format: codec.JSONSchema{}, Registry: reg}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)
	n := 0
	for m, err := range source.Messages(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "read offset %d: %s\n", m.Offset, m.Row)
		if n++; n == sent {
			break
		}
	}
	fmt.Fprintf(stdout, "%d of %d messages written, %d rejected\n", sent, len(messages), len(messages)-sent)
	return nil
}
