package protobuf_test

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
)

const benchBatch = 10_000

// benchTransactions returns n ~100-byte Transaction payloads.
func benchTransactions(n int) [][]byte {
	out := make([][]byte, n)
	statuses := []testpb.Status{testpb.Status_PENDING, testpb.Status_SETTLED, testpb.Status_FAILED}
	for i := range out {
		m := &testpb.Transaction{
			Id:        fmt.Sprintf("7f3c2a4e-%04x-4b1d-9c8e-%012x", i%65536, i),
			Amount:    float64(i%100000) / 100,
			Timestamp: 1_700_000_000_000 + int64(i),
			Currency:  "EUR",
			Merchant:  fmt.Sprintf("merchant-%06d", i%5000),
			Category:  int32(i % 40),
			Approved:  i%7 != 0,
			Status:    statuses[i%3],
			Account:   fmt.Sprintf("acct-%010d", i%100000),
		}
		out[i], _ = proto.Marshal(m)
	}
	return out
}

// benchOrders returns n Order payloads: a nested customer, 2-3 line items
// and tags (~150-200 bytes).
func benchOrders(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		m := &testpb.Order{
			Id: fmt.Sprintf("order-%08d", i),
			Customer: &testpb.Customer{
				Id:      fmt.Sprintf("c-%06d", i%10000),
				Name:    "Ada Lovelace",
				Address: &testpb.Address{Street: "12 Analytical Row", City: "London", Zip: int32(10000 + i%90000)},
			},
			Tags:      []string{"web", "promo"},
			CreatedMs: 1_700_000_000_000 + int64(i),
		}
		for j := 0; j < 2+i%2; j++ {
			m.Items = append(m.Items, &testpb.LineItem{Sku: fmt.Sprintf("sku-%05d", (i+j)%20000), Quantity: int32(1 + j), Price: 9.99 * float64(j+1)})
		}
		out[i], _ = proto.Marshal(m)
	}
	return out
}

func totalBytes(ps [][]byte) int64 {
	var n int64
	for _, p := range ps {
		n += int64(len(p))
	}
	return n
}

func newBuilders(mem memory.Allocator, fields []arrow.Field) []array.Builder {
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(mem, f.Type)
	}
	return bs
}

func flush(bs []array.Builder) {
	for _, b := range bs {
		b.NewArray().Release()
	}
}

func reportRecords(b *testing.B, perOp int) {
	b.ReportMetric(float64(perOp)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// benchPlan decodes batches of payloads with the plan for msg.
func benchPlan(b *testing.B, msg proto.Message, payloads [][]byte) {
	plan, err := protobuf.NewPlan(msg.ProtoReflect().Descriptor(), protobuf.Options{})
	if err != nil {
		b.Fatal(err)
	}
	bs := newBuilders(memory.DefaultAllocator, plan.Fields())
	app, err := plan.Bind(bs)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(totalBytes(payloads))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range payloads {
			if err := app.Append(p); err != nil {
				b.Fatal(err)
			}
		}
		flush(bs)
	}
	reportRecords(b, len(payloads))
}

// BenchmarkDecodeTransaction compares the plan with the per-record path:
// proto.Unmarshal into the generated message (reused, Reset per record), then
// append each field to the builders.
func BenchmarkDecodeTransaction(b *testing.B) {
	payloads := benchTransactions(benchBatch)
	b.Run("plan", func(b *testing.B) { benchPlan(b, &testpb.Transaction{}, payloads) })
	b.Run("baseline-unmarshal-append", func(b *testing.B) {
		plan, _ := protobuf.NewPlan((&testpb.Transaction{}).ProtoReflect().Descriptor(), protobuf.Options{Enums: protobuf.EnumString})
		bs := newBuilders(memory.DefaultAllocator, plan.Fields())
		id, amount, ts := bs[0].(*array.StringBuilder), bs[1].(*array.Float64Builder), bs[2].(*array.Int64Builder)
		cur, merch := bs[3].(*array.StringBuilder), bs[4].(*array.StringBuilder)
		cat, ok, st, acct := bs[5].(*array.Int32Builder), bs[6].(*array.BooleanBuilder), bs[7].(*array.StringBuilder), bs[8].(*array.StringBuilder)
		var m testpb.Transaction
		b.SetBytes(totalBytes(payloads))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for _, p := range payloads {
				m.Reset()
				if err := proto.Unmarshal(p, &m); err != nil {
					b.Fatal(err)
				}
				id.Append(m.Id)
				amount.Append(m.Amount)
				ts.Append(m.Timestamp)
				cur.Append(m.Currency)
				merch.Append(m.Merchant)
				cat.Append(m.Category)
				ok.Append(m.Approved)
				st.Append(m.Status.String())
				acct.Append(m.Account)
			}
			flush(bs)
		}
		reportRecords(b, len(payloads))
	})
}

// BenchmarkDecodeTransactionDynamic is the baseline without generated code
// (what a registry-driven consumer has): proto.Unmarshal into a dynamicpb
// message, then append each field by reflection-free field lookups done once.
func BenchmarkDecodeTransactionDynamic(b *testing.B) {
	payloads := benchTransactions(benchBatch)
	md := (&testpb.Transaction{}).ProtoReflect().Descriptor()
	plan, _ := protobuf.NewPlan(md, protobuf.Options{Enums: protobuf.EnumNumber})
	bs := newBuilders(memory.DefaultAllocator, plan.Fields())
	fds := md.Fields()
	m := dynamicpb.NewMessage(md)
	b.SetBytes(totalBytes(payloads))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range payloads {
			m.Reset()
			if err := proto.Unmarshal(p, m); err != nil {
				b.Fatal(err)
			}
			bs[0].(*array.StringBuilder).Append(m.Get(fds.Get(0)).String())
			bs[1].(*array.Float64Builder).Append(m.Get(fds.Get(1)).Float())
			bs[2].(*array.Int64Builder).Append(m.Get(fds.Get(2)).Int())
			bs[3].(*array.StringBuilder).Append(m.Get(fds.Get(3)).String())
			bs[4].(*array.StringBuilder).Append(m.Get(fds.Get(4)).String())
			bs[5].(*array.Int32Builder).Append(int32(m.Get(fds.Get(5)).Int()))
			bs[6].(*array.BooleanBuilder).Append(m.Get(fds.Get(6)).Bool())
			bs[7].(*array.Int32Builder).Append(int32(m.Get(fds.Get(7)).Enum()))
			bs[8].(*array.StringBuilder).Append(m.Get(fds.Get(8)).String())
		}
		flush(bs)
	}
	reportRecords(b, len(payloads))
}

// BenchmarkDecodeOrder is BenchmarkDecodeTransaction for a message with a
// nested message and repeated fields.
func BenchmarkDecodeOrder(b *testing.B) {
	payloads := benchOrders(benchBatch)
	b.Run("plan", func(b *testing.B) { benchPlan(b, &testpb.Order{}, payloads) })
	b.Run("baseline-unmarshal-append", func(b *testing.B) {
		plan, _ := protobuf.NewPlan((&testpb.Order{}).ProtoReflect().Descriptor(), protobuf.Options{})
		bs := newBuilders(memory.DefaultAllocator, plan.Fields())
		id := bs[0].(*array.StringBuilder)
		cust := bs[1].(*array.StructBuilder)
		cid, cname := cust.FieldBuilder(0).(*array.StringBuilder), cust.FieldBuilder(1).(*array.StringBuilder)
		addr := cust.FieldBuilder(2).(*array.StructBuilder)
		street, city, zip := addr.FieldBuilder(0).(*array.StringBuilder), addr.FieldBuilder(1).(*array.StringBuilder), addr.FieldBuilder(2).(*array.Int32Builder)
		items := bs[2].(*array.ListBuilder)
		item := items.ValueBuilder().(*array.StructBuilder)
		sku, qty, price := item.FieldBuilder(0).(*array.StringBuilder), item.FieldBuilder(1).(*array.Int32Builder), item.FieldBuilder(2).(*array.Float64Builder)
		tags := bs[3].(*array.ListBuilder)
		tag := tags.ValueBuilder().(*array.StringBuilder)
		created := bs[4].(*array.Int64Builder)
		var m testpb.Order
		b.SetBytes(totalBytes(payloads))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for _, p := range payloads {
				m.Reset()
				if err := proto.Unmarshal(p, &m); err != nil {
					b.Fatal(err)
				}
				id.Append(m.Id)
				if c := m.Customer; c != nil {
					cust.Append(true)
					cid.Append(c.Id)
					cname.Append(c.Name)
					if a := c.Address; a != nil {
						addr.Append(true)
						street.Append(a.Street)
						city.Append(a.City)
						zip.Append(a.Zip)
					} else {
						addr.AppendNull()
					}
				} else {
					cust.AppendNull()
				}
				items.Append(true)
				for _, it := range m.Items {
					item.Append(true)
					sku.Append(it.Sku)
					qty.Append(it.Quantity)
					price.Append(it.Price)
				}
				tags.Append(true)
				for _, t := range m.Tags {
					tag.Append(t)
				}
				created.Append(m.CreatedMs)
			}
			flush(bs)
		}
		reportRecords(b, len(payloads))
	})
}
