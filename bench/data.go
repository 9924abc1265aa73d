package bench

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/internal/dataset"
)

// The benchmark's record lives in internal/dataset, which the examples and
// the codec tests share without depending on this module.

// TransactionSchema is the benchmark's record: a payment transaction with a
// few more fields typical of event data. Note pads records to a target size.
var TransactionSchema = dataset.TransactionSchema

// Transaction is the same record as a Go struct, for the per-record baselines
// that decode into structs with the usual libraries.
type Transaction = dataset.Transaction

// baseRecordBytes is about what the fields other than note take in JSON.
const baseRecordBytes = dataset.BaseRecordBytes

// Transactions builds a batch of rows transactions from seed. recordBytes
// (≥ 100) is the approximate JSON size of one record; note pads to it.
func Transactions(mem memory.Allocator, rows int, seed uint64, recordBytes int) arrow.RecordBatch {
	return dataset.Transactions(mem, rows, seed, recordBytes)
}
