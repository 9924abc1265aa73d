package engine

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
)

// Batch is one micro-batch moving through a pipeline: the Arrow record batches
// decoded from a span of source records, the records that failed to decode, and
// the source's token for committing the span once every stage is done with it.
type Batch struct {
	// Records hold the decoded rows. There may be several (a writer schema
	// changed mid-span) or none (every record failed, or all were filtered
	// out).
	Records []arrow.RecordBatch
	// Rejects are source records that did not decode; the source has already
	// routed them by its error policy and lists them for metrics.
	Rejects int
	// InRecords and InBytes count what the source read for this batch
	// (rejects included), for metrics.
	InRecords int
	InBytes   int64
	// Token is the source's own record of the span (offsets), handed back to
	// Source.Commit.
	Token any
}

// NumRows is the number of rows across Records.
func (b *Batch) NumRows() int64 {
	var n int64
	for _, r := range b.Records {
		n += r.NumRows()
	}
	return n
}

// Release releases the record batches.
func (b *Batch) Release() {
	for _, r := range b.Records {
		r.Release()
	}
	b.Records = nil
}

// Source produces micro-batches. A pipeline calls Next from one goroutine and
// Commit from another, in the order batches were returned.
type Source interface {
	// Next blocks until a batch is ready. It returns io.EOF when a bounded
	// source is exhausted, and ctx.Err() when ctx ends.
	Next(ctx context.Context) (*Batch, error)
	// Commit records that b and every batch before it are fully processed
	// (delivered to the sink). At-least-once delivery commits only after the
	// sink acknowledged the rows.
	Commit(ctx context.Context, b *Batch) error
	// Close releases the source; it is called once when the pipeline stops.
	Close() error
}

// Sink receives the processed rows of each batch.
type Sink interface {
	// Write hands over the records of one batch. It may return before they
	// are durable; it calls done once, with nil when the rows are
	// acknowledged (e.g. by the broker) or with the error that lost them. An
	// error returned by Write itself counts as done(err). The sink must
	// Retain records it keeps beyond the call.
	Write(ctx context.Context, recs []arrow.RecordBatch, done func(error)) error
	// Flush waits until every written batch is acknowledged.
	Flush(ctx context.Context) error
	// Close flushes and releases the sink.
	Close() error
}
