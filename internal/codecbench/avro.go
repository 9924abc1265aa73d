package codecbench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	twmb "github.com/twmb/avro"

	decavro "github.com/sabot-kafka/sabot/decode/avro"
)

// Transaction is the struct a Go user decodes testdata/avro/transaction.avsc
// into, or fills from Arrow columns to write it, with a per-record library.
type Transaction struct {
	ID          string  `avro:"id"`
	Amount      float64 `avro:"amount"`
	Timestamp   int64   `avro:"timestamp"`
	Currency    string  `avro:"currency"`
	Merchant    string  `avro:"merchant"`
	Account     int64   `avro:"account"`
	Status      string  `avro:"status"`
	CardPresent bool    `avro:"card_present"`
	Note        *string `avro:"note"`
}

var merchants = []string{"Corner Coffee", "Grocery Outlet 42", "Metro Transit", "Online Books Ltd", "Hardware & Co"}

// Transactions returns n Transaction values (about 100 bytes each) encoded
// with schema, the text of transaction.avsc. github.com/twmb/avro writes
// them; hamba/avro writes the same bytes.
func Transactions(tb testing.TB, schema string, n int) [][]byte {
	tb.Helper()
	s := twmb.MustParse(schema)
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([][]byte, n)
	for i := range vals {
		tx := Transaction{
			ID:          fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff),
			Amount:      float64(rng.IntN(1_000_000)) / 100,
			Timestamp:   1_700_000_000_000 + int64(i),
			Currency:    []string{"USD", "EUR", "GBP"}[rng.IntN(3)],
			Merchant:    merchants[rng.IntN(len(merchants))],
			Account:     rng.Int64N(10_000_000),
			Status:      []string{"PENDING", "SETTLED", "DECLINED"}[rng.IntN(3)],
			CardPresent: rng.IntN(2) == 1,
		}
		if rng.IntN(4) == 0 {
			note := "refund requested"
			tx.Note = &note
		}
		b, err := s.Encode(&tx)
		if err != nil {
			tb.Fatal(err)
		}
		vals[i] = b
	}
	return vals
}

// TransactionBatch builds Batch rows in the decoder's layout of
// transaction.avsc (status as a dictionary); schema is its text.
func TransactionBatch(tb testing.TB, mem memory.Allocator, schema string) arrow.RecordBatch {
	tb.Helper()
	p, err := decavro.NewCompiler(decavro.Options{Schema: schema}).Compile(nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	fields := p.Fields()
	bs := Builders(mem, fields)
	defer ReleaseAll(bs)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < Batch; i++ {
		bs[0].(*array.StringBuilder).Append(fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff,
			rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff))
		bs[1].(*array.Float64Builder).Append(float64(rng.IntN(1_000_000)) / 100)
		bs[2].(*array.Int64Builder).Append(1_700_000_000_000 + int64(i))
		bs[3].(*array.StringBuilder).Append([]string{"USD", "EUR", "GBP"}[rng.IntN(3)])
		bs[4].(*array.StringBuilder).Append(merchants[rng.IntN(len(merchants))])
		bs[5].(*array.Int64Builder).Append(rng.Int64N(10_000_000))
		if err := bs[6].(*array.BinaryDictionaryBuilder).AppendString([]string{"PENDING", "SETTLED", "DECLINED"}[rng.IntN(3)]); err != nil {
			tb.Fatal(err)
		}
		bs[7].(*array.BooleanBuilder).Append(rng.IntN(2) == 1)
		if rng.IntN(4) == 0 {
			bs[8].(*array.StringBuilder).Append("refund requested")
		} else {
			bs[8].AppendNull()
		}
	}
	cols := make([]arrow.Array, len(bs))
	for i, b := range bs {
		cols[i] = b.NewArray()
		defer cols[i].Release()
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, Batch)
}

// TxBuilders is the baseline's hand-written struct → Arrow append, into the
// decoder's layout of transaction.avsc.
type TxBuilders struct {
	// Builders are the column builders, in field order.
	Builders    []array.Builder
	id          *array.StringBuilder
	amount      *array.Float64Builder
	timestamp   *array.Int64Builder
	currency    *array.StringBuilder
	merchant    *array.StringBuilder
	account     *array.Int64Builder
	status      *array.BinaryDictionaryBuilder
	cardPresent *array.BooleanBuilder
	note        *array.StringBuilder
}

// NewTxBuilders returns empty builders from mem.
func NewTxBuilders(mem memory.Allocator) *TxBuilders {
	t := &TxBuilders{
		id:          array.NewStringBuilder(mem),
		amount:      array.NewFloat64Builder(mem),
		timestamp:   array.NewInt64Builder(mem),
		currency:    array.NewStringBuilder(mem),
		merchant:    array.NewStringBuilder(mem),
		account:     array.NewInt64Builder(mem),
		status:      array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder),
		cardPresent: array.NewBooleanBuilder(mem),
		note:        array.NewStringBuilder(mem),
	}
	t.Builders = []array.Builder{t.id, t.amount, t.timestamp, t.currency, t.merchant, t.account, t.status, t.cardPresent, t.note}
	return t
}

// Append appends tx as one row.
func (t *TxBuilders) Append(tx *Transaction) {
	t.id.Append(tx.ID)
	t.amount.Append(tx.Amount)
	t.timestamp.Append(tx.Timestamp)
	t.currency.Append(tx.Currency)
	t.merchant.Append(tx.Merchant)
	t.account.Append(tx.Account)
	_ = t.status.AppendString(tx.Status)
	t.cardPresent.Append(tx.CardPresent)
	if tx.Note == nil {
		t.note.AppendNull()
	} else {
		t.note.Append(*tx.Note)
	}
}

// DecodeBatch is one op of a per-record baseline: each value decoded into tx
// with decode and appended, then the batch finished.
func (t *TxBuilders) DecodeBatch(tb testing.TB, vals [][]byte, tx *Transaction, decode func([]byte, *Transaction) error) {
	for _, v := range vals {
		if err := decode(v, tx); err != nil {
			tb.Fatal(err)
		}
		t.Append(tx)
	}
	Finish(t.Builders)
}

// Release releases the builders.
func (t *TxBuilders) Release() { ReleaseAll(t.Builders) }

// TxStructArrow runs the decode row of a per-record library: library →
// Transaction → Arrow builders, decode standing for the library.
func TxStructArrow(b *testing.B, vals [][]byte, decode func([]byte, *Transaction) error) {
	t := NewTxBuilders(memory.DefaultAllocator)
	defer t.Release()
	var tx Transaction
	DecodeOps(b, TotalBytes(vals), func() { t.DecodeBatch(b, vals, &tx, decode) })
}
