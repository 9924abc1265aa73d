package kafka

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
)

// Batch is what one Poll returns: up to MaxPollRecords records, decoded.
//
// Result.Batches hold the decoded rows in record order (plus the metadata
// columns the codec's Metadata selects); Result.Tombstones and Result.Errors
// index into Records. Done releases the Arrow batches (Retain any you keep
// longer) and recycles the Records, whose memory the next fetches reuse: copy
// what you need of a record before Done.
type Batch struct {
	Result  *decode.Result
	Records []*kgo.Record

	src    *Source
	n      int // len(Records) until Done recycles them
	ranges []*partRange
	done   atomic.Bool
	rows   []rowRef // lazily built by Row
}

type rowRef struct{ batch, row int32 }

// OffsetRange is the records of one partition in a Batch.
type OffsetRange struct {
	TopicPartition
	First, Last int64 // offsets of the first and last record
	Count       int
}

// Len is the number of records (decoded, tombstones and bad ones), also
// after Done.
func (b *Batch) Len() int { return b.n }

// NumRows is the number of decoded rows.
func (b *Batch) NumRows() int64 { return b.Result.NumRows() }

// Offsets lists the partitions and offsets b covers.
func (b *Batch) Offsets() []OffsetRange {
	out := make([]OffsetRange, len(b.ranges))
	for i, r := range b.ranges {
		out[i] = OffsetRange{TopicPartition: r.tp, First: r.first.Offset, Last: r.last.Offset, Count: r.n}
	}
	return out
}

// Row returns the decoded row of record i: its Arrow batch and row index.
// ok is false for a tombstone or a record that did not decode.
func (b *Batch) Row(i int) (rec arrow.RecordBatch, row int, ok bool) {
	if b.rows == nil {
		b.rows = b.mapRows()
	}
	if i < 0 || i >= len(b.rows) || b.rows[i].batch < 0 {
		return nil, 0, false
	}
	ref := b.rows[i]
	return b.Result.Batches[ref.batch], int(ref.row), true
}

// mapRows walks the records in order, skipping tombstones and errors (both
// listed in record order), and assigns the decoded rows to the rest.
func (b *Batch) mapRows() []rowRef {
	refs := make([]rowRef, len(b.Records))
	tomb, errs := b.Result.Tombstones, b.Result.Errors
	bi, row := 0, int64(0)
	for i := range refs {
		switch {
		case len(tomb) > 0 && tomb[0] == i:
			tomb = tomb[1:]
			refs[i] = rowRef{-1, -1}
			continue
		case len(errs) > 0 && errs[0].Index == i:
			errs = errs[1:]
			refs[i] = rowRef{-1, -1}
			continue
		}
		for bi < len(b.Result.Batches) && row >= b.Result.Batches[bi].NumRows() {
			bi, row = bi+1, 0
		}
		if bi >= len(b.Result.Batches) {
			refs[i] = rowRef{-1, -1}
			continue
		}
		refs[i] = rowRef{int32(bi), int32(row)} // #nosec G115 -- bounded by MaxPollRecords
		row++
	}
	return refs
}

// Done marks b processed: its offsets become committable (in order per
// partition: never past an earlier batch not yet Done), its records leave the
// in-flight count, and its Arrow memory is released. Done is idempotent.
func (b *Batch) Done() {
	if !b.done.CompareAndSwap(false, true) {
		return
	}
	if b.src != nil {
		b.src.done(b)
	}
	b.Result.Release()
}
