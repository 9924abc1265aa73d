// Command metadata shows a consumer with metadata: every message comes with
// its topic, partition, offset, timestamp, key, value and headers. It shows the same metadata two
// ways: per message (Source.Messages) and as Arrow columns next to the
// decoded value columns (codec.Spec.Metadata), which is how a pipeline keeps
// it.
//
//	go run ./examples/metadata
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
)

func main() { exampleenv.Main(run) }

type event struct {
	UserID string `json:"user_id"`
	Action string `json:"action"`
}

var columns = arrow.NewSchema([]arrow.Field{
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "action", Type: arrow.BinaryTypes.String},
}, nil)

// start is the timestamp of the first event; fixed so the output is too.
var start = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "metadata", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "user-events", 3)
	if err != nil {
		return err
	}
	n, err := produce(ctx, env, topic)
	if err != nil {
		return err
	}

	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic}, GroupID: env.Name("metadata-consumer"),
		Codec: codec.Spec{Format: codec.JSON{ArrowSchema: columns}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)

	// Get full message metadata. Partitions interleave in any order, so the
	// messages are printed by partition and offset.
	var lines []printed
	for m, err := range source.Messages(ctx) {
		if err != nil {
			return err
		}
		lines = append(lines, printed{m.Partition, m.Offset, format(env, m)})
		if len(lines) == n {
			break
		}
	}
	slices.SortFunc(lines, func(a, b printed) int {
		return cmp.Or(cmp.Compare(a.partition, b.partition), cmp.Compare(a.offset, b.offset))
	})
	for _, l := range lines {
		fmt.Fprint(stdout, l.text)
	}
	return metadataColumns(ctx, env, stdout, topic)
}

type printed struct {
	partition int32
	offset    int64
	text      string
}

func format(env *exampleenv.Env, m kafka.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Topic: %s\n", env.Short(m.Topic))
	fmt.Fprintf(&b, "Partition: %d\n", m.Partition)
	fmt.Fprintf(&b, "Offset: %d\n", m.Offset)
	fmt.Fprintf(&b, "Timestamp: %s\n", m.Timestamp.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Key: %s\n", m.Key)
	fmt.Fprintf(&b, "Value: %s\n", m.Row)
	fmt.Fprint(&b, "Headers:")
	for _, h := range m.Headers {
		fmt.Fprintf(&b, " %s=%s", h.Key, h.Value)
	}
	fmt.Fprint(&b, "\n\n")
	return b.String()
}

// produce writes three events with keys, headers and timestamps. Record
// values are already-encoded bytes: here the JSON of each event.
func produce(ctx context.Context, env *exampleenv.Env, topic string) (_ int, err error) {
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic})
	if err != nil {
		return 0, err
	}
	defer exampleenv.Close(&err, sink)
	events := []event{{"123", "login"}, {"789", "view"}, {"123", "purchase"}}
	records := make([]kafka.Record, len(events))
	for i, e := range events {
		value, err := json.Marshal(e)
		if err != nil {
			return 0, err
		}
		records[i] = kafka.Record{
			Key:       []byte(e.UserID),
			Value:     value,
			Timestamp: start.Add(time.Duration(i) * time.Second),
			Headers: []kgo.RecordHeader{
				{Key: "source", Value: []byte("web")},
				{Key: "seq", Value: fmt.Appendf(nil, "%d", i)},
			},
		}
	}
	return len(records), sink.SendRecords(ctx, records...)
}

// metadataColumns reads the topic again with every metadata column added to
// the decoded batches.
func metadataColumns(ctx context.Context, env *exampleenv.Env, stdout io.Writer, topic string) (err error) {
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic},
		Codec: codec.Spec{Format: codec.JSON{ArrowSchema: columns}, Metadata: decode.MetaAll}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)
	b, err := source.Poll(ctx)
	if err != nil {
		return err
	}
	defer b.Done()
	rec := b.Result.Batches[0]
	var names []string
	for _, f := range rec.Schema().Fields() {
		names = append(names, f.Name+" "+f.Type.String())
	}
	fmt.Fprintf(stdout, "As Arrow columns: %s\n", strings.Join(names, ", "))
	return nil
}
