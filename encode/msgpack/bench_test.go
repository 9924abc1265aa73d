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

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/msgpack"
)

const benchBatch = 10_000

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

func paymentBatch(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, paymentSchema)
	defer b.Release()
	for i := range benchBatch {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("pay_%020d", 7_000_000_000+i*7919))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("user_%07d", i%50_000))
		b.Field(2).(*array.Float64Builder).Append(float64(i%100_000) / 100)
		b.Field(3).(*array.StringBuilder).Append([]string{"EUR", "USD", "GBP"}[i%3])
		b.Field(4).(*array.Int64Builder).Append(1_700_000_000_000 + int64(i))
		b.Field(5).(*array.BooleanBuilder).Append(i%10 != 0)
	}
	return b.NewRecordBatch()
}

// rowOf reads row i back into a struct, as per-record code does.
func rowOf(rec arrow.RecordBatch, i int) payment {
	return payment{
		ID:       rec.Column(0).(*array.String).Value(i),
		UserID:   rec.Column(1).(*array.String).Value(i),
		Amount:   rec.Column(2).(*array.Float64).Value(i),
		Currency: rec.Column(3).(*array.String).Value(i),
		TS:       rec.Column(4).(*array.Int64).Value(i),
		OK:       rec.Column(5).(*array.Boolean).Value(i),
	}
}

func report(b *testing.B, bytes int) func() {
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	return func() { b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "records/s") }
}

// BenchmarkEncode encodes batches of 10k ~100-byte records: the Encoder with
// this plan, then the usual per-record paths (row to struct, then vmihailenco
// Marshal, or msgp-style generated MarshalMsg appending to one buffer).
func BenchmarkEncode(b *testing.B) {
	rec := paymentBatch(memory.NewGoAllocator())
	defer rec.Release()
	var vals encode.Values
	enc, err := encode.New(encode.Config{Compiler: msgpack.NewCompiler(msgpack.Options{})})
	if err != nil {
		b.Fatal(err)
	}
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		b.Fatal(err)
	}
	total := vals.Bytes()
	b.Logf("%d records, %.1f bytes each", benchBatch, float64(total)/benchBatch)

	b.Run("sabot", func(b *testing.B) {
		defer report(b, total)()
		for b.Loop() {
			if err := enc.Encode(context.Background(), rec, &vals); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("vmihailenco-struct", func(b *testing.B) {
		defer report(b, total)()
		for b.Loop() {
			for i := range benchBatch {
				p := rowOf(rec, i)
				if _, err := vmsgpack.Marshal(&p); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("msgp-struct", func(b *testing.B) {
		defer report(b, total)()
		var arena []byte
		for b.Loop() {
			arena = arena[:0]
			for i := range benchBatch {
				p := rowOf(rec, i)
				arena = p.appendMsg(arena)
			}
		}
	})
}

// appendMsg is what github.com/tinylib/msgp generates for payment (MarshalMsg).
func (z *payment) appendMsg(o []byte) []byte {
	o = append(o, 0x86, 0xa2, 'i', 'd')
	o = msgp.AppendString(o, z.ID)
	o = append(o, 0xa7, 'u', 's', 'e', 'r', '_', 'i', 'd')
	o = msgp.AppendString(o, z.UserID)
	o = append(o, 0xa6, 'a', 'm', 'o', 'u', 'n', 't')
	o = msgp.AppendFloat64(o, z.Amount)
	o = append(o, 0xa8, 'c', 'u', 'r', 'r', 'e', 'n', 'c', 'y')
	o = msgp.AppendString(o, z.Currency)
	o = append(o, 0xa2, 't', 's')
	o = msgp.AppendInt64(o, z.TS)
	o = append(o, 0xa2, 'o', 'k')
	return msgp.AppendBool(o, z.OK)
}
