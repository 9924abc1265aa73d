package engine

import (
	"context"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// Records is a bounded Source over batches already in memory: each becomes one
// micro-batch, then Next returns io.EOF. It retains the batches and releases
// them as they pass through. Committed reports how many were committed.
func Records(recs ...arrow.RecordBatch) *RecordsSource {
	own := make([]arrow.RecordBatch, len(recs))
	for i, r := range recs {
		r.Retain()
		own[i] = r
	}
	return &RecordsSource{recs: own}
}

// RecordsSource is the Source returned by Records.
type RecordsSource struct {
	mu        sync.Mutex
	recs      []arrow.RecordBatch
	next      int
	committed int
	closed    bool
}

// Next returns the next batch or io.EOF.
func (s *RecordsSource) Next(ctx context.Context) (*Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.next == len(s.recs) {
		return nil, io.EOF
	}
	r := s.recs[s.next]
	s.recs[s.next] = nil
	s.next++
	return &Batch{Records: []arrow.RecordBatch{r}, InRecords: int(r.NumRows()), Token: s.next}, nil
}

// Commit records that batches up to b are done.
func (s *RecordsSource) Commit(_ context.Context, b *Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.committed = b.Token.(int)
	return nil
}

// Committed is how many batches have been committed.
func (s *RecordsSource) Committed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed
}

// Close releases batches never read. It is idempotent.
func (s *RecordsSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	for _, r := range s.recs[s.next:] {
		r.Release()
	}
	return nil
}

// Func is a Sink that calls fn for each record batch as it arrives; a batch is
// acknowledged when fn returns. fn must Retain a batch it keeps.
func Func(fn func(ctx context.Context, rec arrow.RecordBatch) error) Sink { return funcSink(fn) }

type funcSink func(ctx context.Context, rec arrow.RecordBatch) error

func (f funcSink) Write(ctx context.Context, recs []arrow.RecordBatch, done func(error)) error {
	for _, r := range recs {
		if err := f(ctx, r); err != nil {
			done(err)
			return nil
		}
	}
	done(nil)
	return nil
}

func (funcSink) Flush(context.Context) error { return nil }
func (funcSink) Close() error                { return nil }
