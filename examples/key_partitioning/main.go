// Command key_partitioning shows key extraction for partitioning: the sink
// keys each message by its user_id column (SinkConfig.KeyColumn), and the
// default partitioner hashes keys as the Java client does, so every message
// of one user lands in the same partition, in the order it was sent.
//
//	go run ./examples/key_partitioning
package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/kafka"
)

func main() { exampleenv.Main(run) }

const partitions = 6

type event struct {
	UserID string `json:"user_id"`
	Action string `json:"action"`
}

var events = []event{
	{"123", "login"},
	{"456", "login"},
	{"123", "purchase"}, // same user, same partition
	{"789", "view"},
	{"456", "logout"},
	{"123", "logout"},
}

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "key_partitioning", args)
	if err != nil {
		return err
	}
	defer env.Close()
	topic, err := env.Topic(ctx, "user-events", partitions)
	if err != nil {
		return err
	}
	sink, err := kafka.NewSink(kafka.SinkConfig{
		Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{Format: codec.JSON{}},
		KeyColumn:    "user_id",     // key = the user_id of each message
		Partitioning: kafka.KeyHash, // the default, spelled out
	})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)
	for _, e := range events {
		if err := sink.SendValues(ctx, e); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "sent %d events to %s (%d partitions)\n", len(events), env.Short(topic), partitions)

	columns := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "action", Type: arrow.BinaryTypes.String},
	}, nil)
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic},
		Codec: codec.Spec{Format: codec.JSON{ArrowSchema: columns}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)

	// Collect what each user's messages look like on the broker.
	type placed struct {
		partition int32
		offset    int64
		action    string
	}
	byUser := map[string][]placed{}
	n := 0
	for m, err := range source.Messages(ctx) {
		if err != nil {
			return err
		}
		user := string(m.Key)
		byUser[user] = append(byUser[user], placed{m.Partition, m.Offset, fmt.Sprint(m.Row.Map()["action"])})
		if n++; n == len(events) {
			break
		}
	}
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		ps := byUser[u]
		var actions []string
		same := true
		for _, p := range ps {
			actions = append(actions, fmt.Sprintf("%s@%d", p.action, p.offset))
			same = same && p.partition == ps[0].partition
		}
		fmt.Fprintf(stdout, "user %s: partition %d (murmur2 says %d), same partition for all: %v, in order: %s\n",
			u, ps[0].partition, kafka.KeyPartition([]byte(u), partitions), same, strings.Join(actions, " "))
	}
	return nil
}
