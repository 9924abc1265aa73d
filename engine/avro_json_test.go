package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// The payments pipeline of the engine's end-to-end tests: Avro payments in
// (through the registry), the half with amount >= 50 kept, a computed column
// added, JSON out. Payment i has id i, name "n-<i>" and amount i%100, so the
// exact output is known for every input.

const paymentSchema = `{"type":"record","name":"Payment","namespace":"sabot.test","fields":[
 {"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"amount","type":"double"}]}`

var paymentArrow = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
}, nil)

var (
	largePayment  = ops.Col("amount").Ge(ops.Lit(50.0)).And(ops.Col("name").HasPrefix("n-"))
	doubledAmount = ops.Project(ops.Col("id"), ops.Col("name"), ops.Col("amount").Mul(ops.Lit(2.0)).As("doubled"))
)

// paymentsPipeline reads Avro payments from in and writes JSON to out.
func paymentsPipeline(brokers []string, reg codec.Registry, in, out, group string) (kafka.SourceConfig, kafka.SinkConfig) {
	src := kafka.SourceConfig{Brokers: brokers, Topics: []string{in}, GroupID: group,
		Codec: codec.Spec{Format: codec.Avro{}, Registry: reg}, AutoOffsetReset: kafka.OffsetEarliest, MaxPollRecords: 5000}
	sink := kafka.SinkConfig{Brokers: brokers, Topic: out, Codec: codec.Spec{Format: codec.JSON{}}}
	return src, sink
}

// producePayments writes payments 0..n-1 to topic as Avro in the Confluent
// wire format, 10,000 rows per Arrow batch.
func producePayments(ctx context.Context, t testing.TB, s *services.Services, reg codec.Registry, topic string, n int) {
	t.Helper()
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.Avro{Schema: paymentSchema}, Registry: reg}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sink.Close(); err != nil {
			t.Error(err)
		}
	}()
	b := array.NewRecordBuilder(memory.DefaultAllocator, paymentArrow)
	defer b.Release()
	ids, names, amounts := b.Field(0).(*array.Int64Builder), b.Field(1).(*array.StringBuilder), b.Field(2).(*array.Float64Builder)
	for i := 0; i < n; i++ {
		ids.Append(int64(i))
		names.Append(fmt.Sprintf("n-%d", i))
		amounts.Append(float64(i % 100))
		if ids.Len() == 10000 || i == n-1 {
			rec := b.NewRecordBatch()
			err := sink.Send(ctx, rec)
			rec.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkPayments checks that the JSON output of the payments pipeline over
// n inputs is exactly the payments with amount >= 50, each once, with the
// computed column right.
func checkPayments(t *testing.T, seen map[string]int, n int) {
	t.Helper()
	got := make([]bool, n)
	count := 0
	for v, times := range seen {
		var p struct {
			ID      *int64   `json:"id"`
			Name    string   `json:"name"`
			Doubled *float64 `json:"doubled"`
			Amount  *float64 `json:"amount"`
		}
		if err := json.Unmarshal([]byte(v), &p); err != nil || p.ID == nil || p.Doubled == nil {
			t.Fatalf("output value %s: %v", v, err)
		}
		id := *p.ID
		switch {
		case times != 1:
			t.Fatalf("payment %d written %d times", id, times)
		case id < 0 || id >= int64(n) || id%100 < 50:
			t.Fatalf("payment %s should have been filtered out", v)
		case p.Name != fmt.Sprintf("n-%d", id) || *p.Doubled != float64(2*(id%100)) || p.Amount != nil:
			t.Fatalf("payment %d came out as %s", id, v)
		}
		got[id] = true
		count++
	}
	for i := 0; i < n; i++ {
		if i%100 >= 50 && !got[i] {
			t.Fatalf("payment %d missing from the output (%d of %d written)", i, count, n/2)
		}
	}
}

// TestKafkaPipelineAvroToJSON runs the payments pipeline over a million Avro
// records (at least once) and checks the JSON output exactly.
func TestKafkaPipelineAvroToJSON(t *testing.T) {
	s := servicestest.Open(t)
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	reg, err := registry.NewClient(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	in, out := servicestest.Topic(t, s, 6), servicestest.Topic(t, s, 3)
	producePayments(ctx, t, s, reg, in, n)

	src, sink := paymentsPipeline(s.Brokers, reg, in, out, servicestest.UniqueName(t))
	p := engine.FromKafka(openSource(t, src)).Limit(int64(n)).Filter(largePayment).Map(doubledAmount).ToKafka(openSink(t, sink))
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if m := p.Metrics(); m.InRecords != int64(n) || m.OutRows != int64(n/2) || m.Rejects != 0 {
		t.Fatalf("metrics %+v", m)
	}
	checkPayments(t, readAll(ctx, t, s, out, n/2, 3*time.Second), n)
}
