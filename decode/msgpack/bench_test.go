package msgpack_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tinylib/msgp/msgp"
	vmsgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/msgpack"
	"github.com/sabot-kafka/sabot/internal/codecbench"
)

// payment is the ~100-byte benchmark record.
type payment struct {
	ID       string  `msgpack:"id"`
	UserID   string  `msgpack:"user_id"`
	Amount   float64 `msgpack:"amount"`
	Currency string  `msgpack:"currency"`
	TS       int64   `msgpack:"ts"`
	OK       bool    `msgpack:"ok"`
}

var paymentSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

const benchBatch = 10_000

// paymentValues encodes n payments the way a Go producer would (vmihailenco,
// struct fields in order, compact ints).
func paymentValues(tb testing.TB, n int) ([][]byte, int) {
	tb.Helper()
	vals := make([][]byte, n)
	total := 0
	for i := range vals {
		p := payment{
			ID:       fmt.Sprintf("pay_%020d", 7_000_000_000+i*7919),
			UserID:   fmt.Sprintf("user_%07d", i%50_000),
			Amount:   float64(i%100_000) / 100,
			Currency: []string{"EUR", "USD", "GBP"}[i%3],
			TS:       1_700_000_000_000 + int64(i),
			OK:       i%10 != 0,
		}
		b, err := vmsgpack.Marshal(&p)
		if err != nil {
			tb.Fatal(err)
		}
		vals[i] = b
		total += len(b)
	}
	return vals, total
}

type paymentBuilders struct {
	bs       []array.Builder
	id, user *array.StringBuilder
	amount   *array.Float64Builder
	currency *array.StringBuilder
	ts       *array.Int64Builder
	ok       *array.BooleanBuilder
}

func newPaymentBuilders(mem memory.Allocator) *paymentBuilders {
	p := &paymentBuilders{}
	for _, f := range paymentSchema.Fields() {
		p.bs = append(p.bs, array.NewBuilder(mem, f.Type))
	}
	p.id, p.user = p.bs[0].(*array.StringBuilder), p.bs[1].(*array.StringBuilder)
	p.amount, p.currency = p.bs[2].(*array.Float64Builder), p.bs[3].(*array.StringBuilder)
	p.ts, p.ok = p.bs[4].(*array.Int64Builder), p.bs[5].(*array.BooleanBuilder)
	return p
}

func (p *paymentBuilders) append(v *payment) {
	p.id.Append(v.ID)
	p.user.Append(v.UserID)
	p.amount.Append(v.Amount)
	p.currency.Append(v.Currency)
	p.ts.Append(v.TS)
	p.ok.Append(v.OK)
}

// reserve sizes the builders for a full batch, as a pool that remembers the
// last batch's size would.
func (p *paymentBuilders) reserve() {
	for _, b := range p.bs {
		b.Reserve(benchBatch)
	}
	p.id.ReserveData(benchBatch * 24)
	p.user.ReserveData(benchBatch * 12)
	p.currency.ReserveData(benchBatch * 3)
}

func (p *paymentBuilders) flush() {
	cols := make([]arrow.Array, len(p.bs))
	for i, b := range p.bs {
		cols[i] = b.NewArray()
	}
	rec := array.NewRecordBatch(paymentSchema, cols, int64(cols[0].Len()))
	for _, c := range cols {
		c.Release()
	}
	rec.Release()
}

func (p *paymentBuilders) release() {
	for _, b := range p.bs {
		b.Release()
	}
}

// report sets up the benchmark's byte and allocation counts and returns the
// function that reports records/s and allocs per record once the loop ends.
func report(b *testing.B, bytes int) func() {
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	return func() {
		b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "records/s")
	}
}

// BenchmarkDecode decodes batches of 10k ~100-byte records into Arrow: this
// plan, then the usual per-record paths (vmihailenco into a struct and into
// map[string]any, msgp-style generated code into a struct) appending to the
// same builders.
func BenchmarkDecode(b *testing.B) {
	vals, total := paymentValues(b, benchBatch)
	b.Logf("%d records, %.1f bytes each", benchBatch, float64(total)/benchBatch)

	b.Run("sabot", func(b *testing.B) {
		plan, err := msgpack.NewPlan(msgpack.Options{Schema: paymentSchema})
		if err != nil {
			b.Fatal(err)
		}
		pb := newPaymentBuilders(memory.NewGoAllocator())
		defer pb.release()
		app, err := plan.Bind(pb.bs)
		if err != nil {
			b.Fatal(err)
		}
		defer report(b, total)()
		for b.Loop() {
			for _, v := range vals {
				if err := app.Append(v); err != nil {
					b.Fatal(err)
				}
			}
			pb.flush()
		}
	})
	b.Run("sabot-decoder", func(b *testing.B) {
		comp, err := msgpack.NewCompiler(msgpack.Options{Schema: paymentSchema})
		if err != nil {
			b.Fatal(err)
		}
		dec, err := decode.New(decode.Config{Compiler: comp, Allocator: memory.NewGoAllocator()})
		if err != nil {
			b.Fatal(err)
		}
		recs := &decode.Input{Values: vals}
		defer report(b, total)()
		for b.Loop() {
			res, err := dec.Decode(context.Background(), recs)
			if err != nil || len(res.Errors) > 0 {
				b.Fatal(err, res.Errors)
			}
			res.Release()
		}
	})
	b.Run("sabot-reserved", func(b *testing.B) {
		plan, err := msgpack.NewPlan(msgpack.Options{Schema: paymentSchema})
		if err != nil {
			b.Fatal(err)
		}
		pb := newPaymentBuilders(memory.NewGoAllocator())
		defer pb.release()
		app, err := plan.Bind(pb.bs)
		if err != nil {
			b.Fatal(err)
		}
		defer report(b, total)()
		for b.Loop() {
			pb.reserve()
			for _, v := range vals {
				if err := app.Append(v); err != nil {
					b.Fatal(err)
				}
			}
			pb.flush()
		}
	})
	b.Run("builders-only", func(b *testing.B) {
		pb := newPaymentBuilders(memory.NewGoAllocator())
		defer pb.release()
		p := payment{ID: "pay_00000000007000000000", UserID: "user_0000001", Amount: 1.5, Currency: "EUR", TS: 1, OK: true}
		defer report(b, total)()
		for b.Loop() {
			for range vals {
				pb.append(&p)
			}
			pb.flush()
		}
	})
	b.Run("vmihailenco-struct", func(b *testing.B) {
		pb := newPaymentBuilders(memory.NewGoAllocator())
		defer pb.release()
		defer report(b, total)()
		codecbench.StructRows(b, vals, vmsgpack.Unmarshal, pb.append, pb.flush)
	})
	b.Run("vmihailenco-map", func(b *testing.B) {
		pb := newPaymentBuilders(memory.NewGoAllocator())
		defer pb.release()
		defer report(b, total)()
		for b.Loop() {
			for _, v := range vals {
				var m map[string]any
				if err := vmsgpack.Unmarshal(v, &m); err != nil {
					b.Fatal(err)
				}
				p := payment{}
				p.ID, _ = m["id"].(string)
				p.UserID, _ = m["user_id"].(string)
				p.Amount, _ = m["amount"].(float64)
				p.Currency, _ = m["currency"].(string)
				p.TS, _ = m["ts"].(int64)
				p.OK, _ = m["ok"].(bool)
				pb.append(&p)
			}
			pb.flush()
		}
	})
	b.Run("msgp-struct", func(b *testing.B) {
		pb := newPaymentBuilders(memory.NewGoAllocator())
		defer pb.release()
		defer report(b, total)()
		for b.Loop() {
			for _, v := range vals {
				var p payment
				if _, err := p.UnmarshalMsg(v); err != nil {
					b.Fatal(err)
				}
				pb.append(&p)
			}
			pb.flush()
		}
	})
}

// UnmarshalMsg is what github.com/tinylib/msgp generates for payment.
func (z *payment) UnmarshalMsg(bts []byte) (o []byte, err error) {
	var field []byte
	var zb0001 uint32
	zb0001, bts, err = msgp.ReadMapHeaderBytes(bts)
	if err != nil {
		return
	}
	for zb0001 > 0 {
		zb0001--
		field, bts, err = msgp.ReadMapKeyZC(bts)
		if err != nil {
			return
		}
		switch msgp.UnsafeString(field) {
		case "id":
			z.ID, bts, err = msgp.ReadStringBytes(bts)
		case "user_id":
			z.UserID, bts, err = msgp.ReadStringBytes(bts)
		case "amount":
			z.Amount, bts, err = msgp.ReadFloat64Bytes(bts)
		case "currency":
			z.Currency, bts, err = msgp.ReadStringBytes(bts)
		case "ts":
			z.TS, bts, err = msgp.ReadInt64Bytes(bts)
		case "ok":
			z.OK, bts, err = msgp.ReadBoolBytes(bts)
		default:
			bts, err = msgp.Skip(bts)
		}
		if err != nil {
			return
		}
	}
	o = bts
	return
}
