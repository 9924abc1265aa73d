package protobuf_test

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/proto"

	pbdecode "github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
	"github.com/sabot-kafka/sabot/encode/protobuf"
)

const benchBatch = 10_000

func benchMessages(order bool) []proto.Message {
	out := make([]proto.Message, benchBatch)
	for i := range out {
		if !order {
			out[i] = &testpb.Transaction{
				Id: fmt.Sprintf("7f3c2a4e-%04x-4b1d-9c8e-%012x", i%65536, i), Amount: float64(i%100000) / 100,
				Timestamp: 1_700_000_000_000 + int64(i), Currency: "EUR", Merchant: fmt.Sprintf("merchant-%06d", i%5000),
				Category: int32(i % 40), Approved: i%7 != 0, Status: testpb.Status(1 + i%3), Account: fmt.Sprintf("acct-%010d", i%100000),
			}
			continue
		}
		m := &testpb.Order{
			Id:        fmt.Sprintf("order-%08d", i),
			Customer:  &testpb.Customer{Id: fmt.Sprintf("c-%06d", i%10000), Name: "Ada Lovelace", Address: &testpb.Address{Street: "12 Analytical Row", City: "London", Zip: int32(10000 + i%90000)}},
			Tags:      []string{"web", "promo"},
			CreatedMs: 1_700_000_000_000 + int64(i),
		}
		for j := 0; j < 2+i%2; j++ {
			m.Items = append(m.Items, &testpb.LineItem{Sku: fmt.Sprintf("sku-%05d", (i+j)%20000), Quantity: int32(1 + j), Price: 9.99 * float64(j+1)})
		}
		out[i] = m
	}
	return out
}

// benchEncode compares the plan (one arena for the batch, as the Encoder
// uses it) with proto.MarshalAppend of the generated messages into one
// arena; building the generated messages from Arrow is not counted for the
// baseline, which flatters it.
func benchEncode(b *testing.B, order bool) {
	msgs := benchMessages(order)
	md := msgs[0].ProtoReflect().Descriptor()
	rec, err := prototest.Record(memory.DefaultAllocator, md, pbdecode.Options{}, msgs)
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	var size int64
	for _, m := range msgs {
		size += int64(proto.Size(m))
	}
	b.Run("plan", func(b *testing.B) {
		plan, err := protobuf.NewPlan(rec.Schema(), md, protobuf.Options{Descriptor: md})
		if err != nil {
			b.Fatal(err)
		}
		arena := make([]byte, 0, size)
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			app, err := plan.Bind(rec)
			if err != nil {
				b.Fatal(err)
			}
			arena = arena[:0]
			for r := 0; r < benchBatch; r++ {
				if arena, err = app.AppendRow(arena, r); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(benchBatch)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("baseline-proto-marshal", func(b *testing.B) {
		arena := make([]byte, 0, size)
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			arena = arena[:0]
			for _, m := range msgs {
				var err error
				if arena, err = (proto.MarshalOptions{}).MarshalAppend(arena, m); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(benchBatch)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

func BenchmarkEncodeTransaction(b *testing.B) { benchEncode(b, false) }
func BenchmarkEncodeOrder(b *testing.B)       { benchEncode(b, true) }
