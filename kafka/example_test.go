package kafka_test

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
)

// Example writes an Arrow batch of strings through a Sink and reads it back
// as Arrow with a Source (the embedded broker unless SABOT_KAFKA_BROKERS is
// set).
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc, err := services.Open(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer svc.Close()
	topic := "example-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := svc.CreateTopic(ctx, topic, 1); err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = svc.DeleteTopic(context.Background(), topic) }()
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: svc.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.String{}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sink.Close()
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues([]string{"purchase", "view", "login"}, nil)
	col := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "action", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{col}, 3)
	col.Release()
	defer rec.Release()
	if err := sink.Send(ctx, rec); err != nil {
		fmt.Println(err)
		return
	}

	src, err := kafka.NewSource(kafka.SourceConfig{
		Brokers: svc.Brokers, Topics: []string{topic}, GroupID: "example-group-" + topic,
		Codec: codec.Spec{Format: codec.String{}}, AutoOffsetReset: kafka.OffsetEarliest,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	batch, err := src.Poll(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range batch.Result.Batches {
		fmt.Println(r.Schema().Field(0).Name, r.Column(0))
	}
	fmt.Println("offsets", batch.Offsets()[0].First, "to", batch.Offsets()[0].Last)
	batch.Done() // committable from here on
	// Output:
	// value ["purchase" "view" "login"]
	// offsets 0 to 2
}
