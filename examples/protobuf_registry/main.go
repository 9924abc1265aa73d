// Command protobuf_registry shows Protobuf with a schema registry: it
// sends messages of a generated Go type (transactionpb.Transaction) through a
// Protobuf sink, which registers the message's .proto under the subject and
// frames each value in the Confluent wire format ([magic 0][schema id]
// [message indexes][payload]). It reads them back two ways: as Arrow rows
// through the registry, and as Go messages with proto.Unmarshal, as any
// Protobuf consumer would.
//
//	go run ./examples/protobuf_registry
package main

import (
	"context"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/examples/protobuf_registry/transactionpb"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry/wire"
)

func main() { exampleenv.Main(run) }

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "protobuf_registry", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "transactions-proto", 1)
	if err != nil {
		return err
	}
	reg, err := env.Registry()
	if err != nil {
		return err
	}
	subject := topic + "-value"

	// The sink writes transactionpb.Transaction messages.
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{
		Format:   codec.Protobuf{Descriptor: (*transactionpb.Transaction)(nil).ProtoReflect().Descriptor()},
		Registry: reg,
		Subject:  subject,
	}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)

	// Send Protobuf messages.
	transaction := &transactionpb.Transaction{Id: "TX-123", Amount: 99.99}
	if err := sink.SendValues(ctx, transaction); err != nil {
		return err
	}
	more := []any{
		&transactionpb.Transaction{Id: "TX-124", Amount: 5, Currency: "EUR", Status: transactionpb.Status_SETTLED, TimestampMs: 1704067200000},
		&transactionpb.Transaction{Id: "TX-125", Amount: 17.25, Currency: "USD", Status: transactionpb.Status_PENDING},
	}
	if err := sink.SendValues(ctx, more...); err != nil {
		return err
	}
	sent := 1 + len(more)
	latest, err := reg.LatestVersion(ctx, subject)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sent %d messages; %s is version %d, a %s schema\n",
		sent, env.Short(subject), latest.Version, latest.Type.Normalized())

	// Read them back as Arrow rows: the decoder takes the schema from the
	// registry by the id in each value.
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic}, GroupID: env.Name("proto-consumer"),
		Codec: codec.Spec{Format: codec.Protobuf{}, Registry: reg}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)
	n := 0
	for m, err := range source.Messages(ctx) {
		if err != nil {
			return err
		}
		// Any Protobuf consumer reads the payload after the header and the
		// message indexes.
		_, rest, err := wire.ParseHeader(m.Value)
		if err != nil {
			return err
		}
		_, payload, err := wire.ParseMessageIndexes(rest, nil)
		if err != nil {
			return err
		}
		var tx transactionpb.Transaction
		if err := proto.Unmarshal(payload, &tx); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "offset %d: row %s\n", m.Offset, m.Row)
		fmt.Fprintf(stdout, "          message id=%s amount=%v status=%s\n", tx.GetId(), tx.GetAmount(), tx.GetStatus())
		if n++; n == sent {
			break
		}
	}
	return nil
}
