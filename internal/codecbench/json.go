package codecbench

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	encjson "github.com/sabot-kafka/sabot/encode/json"
)

// JSONDecodeSchema is the JSON decode benchmarks' record: ~100 bytes, the
// shape of a payment event.
var JSONDecodeSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

// JSONEncodeSchema is the JSON encode benchmarks' record: the same fields,
// ts as plain int64.
var JSONEncodeSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

// JSONTx is the struct a Go user unmarshals the JSON record into, or fills
// from Arrow columns to marshal it.
type JSONTx struct {
	ID       string  `json:"id"`
	UserID   string  `json:"user_id"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	TS       int64   `json:"ts"`
	OK       bool    `json:"ok"`
}

// JSONPayloads returns n JSON records and their total size in bytes.
func JSONPayloads(n int) ([][]byte, int) {
	out := make([][]byte, n)
	total := 0
	cur := []string{"EUR", "USD", "GBP", "CHF"}
	for i := range out {
		out[i] = fmt.Appendf(nil, `{"id":"TX-%06d","user_id":"u-%d","amount":%d.%02d,"currency":"%s","ts":%d,"ok":%t}`,
			i, i%977, i%5000, i%100, cur[i%4], 1700000000000+int64(i)*37, i%7 != 0)
		total += len(out[i])
	}
	return out, total
}

// JSONTxBuilders is the baseline's hand-written struct → Arrow append, into
// JSONDecodeSchema's columns.
type JSONTxBuilders struct {
	// Builders are the column builders, in field order.
	Builders           []array.Builder
	id, user, currency *array.StringBuilder
	amount             *array.Float64Builder
	ts                 *array.TimestampBuilder
	ok                 *array.BooleanBuilder
}

// NewJSONTxBuilders returns empty builders from mem.
func NewJSONTxBuilders(mem memory.Allocator) *JSONTxBuilders {
	t := &JSONTxBuilders{Builders: Builders(mem, JSONDecodeSchema.Fields())}
	t.id, t.user, t.amount = t.Builders[0].(*array.StringBuilder), t.Builders[1].(*array.StringBuilder), t.Builders[2].(*array.Float64Builder)
	t.currency, t.ts, t.ok = t.Builders[3].(*array.StringBuilder), t.Builders[4].(*array.TimestampBuilder), t.Builders[5].(*array.BooleanBuilder)
	return t
}

// Append appends v as one row.
func (t *JSONTxBuilders) Append(v *JSONTx) {
	t.id.Append(v.ID)
	t.user.Append(v.UserID)
	t.amount.Append(v.Amount)
	t.currency.Append(v.Currency)
	t.ts.Append(arrow.Timestamp(v.TS))
	t.ok.Append(v.OK)
}

// Finish turns the builders into arrays and drops them, as a batch does.
func (t *JSONTxBuilders) Finish() { Finish(t.Builders) }

// Release releases the builders.
func (t *JSONTxBuilders) Release() { ReleaseAll(t.Builders) }

// JSONReport sets the bytes per op and returns what reports records/s after
// the loop.
func JSONReport(b *testing.B, total int) func() {
	b.SetBytes(int64(total))
	return func() { b.ReportMetric(float64(b.N)*Batch/b.Elapsed().Seconds(), "records/s") }
}

// JSONStructArrow is the decode row of a per-record JSON library, unmarshal
// standing for it: payloads → JSONTx → Arrow builders from mem.
func JSONStructArrow(payloads [][]byte, total int, mem memory.Allocator, unmarshal func([]byte, any) error) func(*testing.B) {
	return func(b *testing.B) {
		t := NewJSONTxBuilders(mem)
		defer t.Release()
		b.ReportAllocs()
		defer JSONReport(b, total)()
		StructRows(b, payloads, unmarshal, t.Append, t.Finish)
	}
}

// JSONTxBatch builds Batch rows of JSONEncodeSchema.
func JSONTxBatch(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, JSONEncodeSchema)
	defer b.Release()
	cur := []string{"EUR", "USD", "GBP", "CHF"}
	for i := range Batch {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("TX-%06d", i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("u-%d", i%977))
		b.Field(2).(*array.Float64Builder).Append(float64(i%500000) / 100)
		b.Field(3).(*array.StringBuilder).Append(cur[i%4])
		b.Field(4).(*array.Int64Builder).Append(1700000000000 + int64(i)*37)
		b.Field(5).(*array.BooleanBuilder).Append(i%7 != 0)
	}
	return b.NewRecordBatch()
}

// JSONAppender binds the JSON encode plan to rec (of JSONEncodeSchema) and
// returns it with the size of its encoding of every row, the bytes per op of
// the encode rows.
func JSONAppender(tb testing.TB, rec arrow.RecordBatch) (encode.Appender, int) {
	tb.Helper()
	plan, err := encjson.NewPlan(JSONEncodeSchema, encjson.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	app, err := plan.Bind(rec)
	if err != nil {
		tb.Fatal(err)
	}
	var arena []byte
	for i := range Batch {
		arena, _ = app.AppendRow(arena, i)
	}
	return app, len(arena)
}

// JSONEncodeRow runs name, an encode row: per op, row appends each of the
// Batch rows to an arena reused from the last op; size is the bytes per op.
func JSONEncodeRow(b *testing.B, name string, size int, row func(dst []byte, i int) []byte) {
	b.Run(name, func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		arena := make([]byte, 0, 2*size)
		for b.Loop() {
			arena = arena[:0]
			for i := range Batch {
				arena = row(arena, i)
			}
		}
		b.ReportMetric(float64(b.N)*Batch/b.Elapsed().Seconds(), "records/s")
	})
}

// JSONMarshalRow is the row of a per-record JSON library, marshal standing
// for it: row i of rec read into a JSONTx, marshalled and appended.
func JSONMarshalRow(tb testing.TB, rec arrow.RecordBatch, marshal func(any) ([]byte, error)) func(dst []byte, i int) []byte {
	return func(dst []byte, i int) []byte {
		v, err := marshal(jsonRowOf(rec, i))
		if err != nil {
			tb.Fatal(err)
		}
		return append(dst, v...)
	}
}

// jsonRowOf is what a user writes today: read the columns of row i into a
// struct.
func jsonRowOf(rec arrow.RecordBatch, i int) JSONTx {
	return JSONTx{
		ID: rec.Column(0).(*array.String).Value(i), UserID: rec.Column(1).(*array.String).Value(i),
		Amount: rec.Column(2).(*array.Float64).Value(i), Currency: rec.Column(3).(*array.String).Value(i),
		TS: rec.Column(4).(*array.Int64).Value(i), OK: rec.Column(5).(*array.Boolean).Value(i),
	}
}
