// Package dataset generates the synthetic payments data that the benchmark
// harness (bench), the examples and the codec tests share: rows of
// Transaction, deterministic for a seed, padded to a target record size.
package dataset

import (
	"fmt"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TransactionSchema is the benchmark's record: a payment transaction with a
// few more fields typical of event data. Note pads records to a target size.
var TransactionSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "note", Type: arrow.BinaryTypes.String},
}, nil)

// Transaction is the same record as a Go struct, for the per-record baselines
// that decode into structs with the usual libraries.
type Transaction struct {
	ID       string  `json:"id" avro:"id" msgpack:"id"`
	UserID   string  `json:"user_id" avro:"user_id" msgpack:"user_id"`
	Amount   float64 `json:"amount" avro:"amount" msgpack:"amount"`
	Currency string  `json:"currency" avro:"currency" msgpack:"currency"`
	TS       int64   `json:"ts" avro:"ts" msgpack:"ts"`
	OK       bool    `json:"ok" avro:"ok" msgpack:"ok"`
	Note     string  `json:"note" avro:"note" msgpack:"note"`
}

var currencies = []string{"EUR", "USD", "GBP", "JPY", "CHF"}

// BaseRecordBytes is about what the fields other than note take in JSON: the
// smallest record size Transactions makes.
const BaseRecordBytes = 100

// Transactions builds a batch of rows transactions from seed. recordBytes
// (≥ 100) is the approximate JSON size of one record; note pads to it.
func Transactions(mem memory.Allocator, rows int, seed uint64, recordBytes int) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 0x5ab07))
	pad := max(recordBytes-BaseRecordBytes, 0)
	b := array.NewRecordBuilder(mem, TransactionSchema)
	defer b.Release()
	id := b.Field(0).(*array.StringBuilder)
	user := b.Field(1).(*array.StringBuilder)
	amount := b.Field(2).(*array.Float64Builder)
	currency := b.Field(3).(*array.StringBuilder)
	ts := b.Field(4).(*array.Int64Builder)
	ok := b.Field(5).(*array.BooleanBuilder)
	note := b.Field(6).(*array.StringBuilder)
	noteBytes := make([]byte, pad)
	for i := 0; i < rows; i++ {
		id.Append(fmt.Sprintf("TX-%09d", i))
		user.Append(fmt.Sprintf("u-%05d", rng.IntN(50000)))
		amount.Append(float64(rng.IntN(100000)) / 100)
		currency.Append(currencies[rng.IntN(len(currencies))])
		ts.Append(1_700_000_000_000 + int64(i))
		ok.Append(rng.IntN(10) != 0)
		for j := range noteBytes {
			noteBytes[j] = 'a' + byte(rng.IntN(26)) // #nosec G115 -- 0..25
		}
		note.BinaryBuilder.Append(noteBytes)
	}
	return b.NewRecordBatch()
}
