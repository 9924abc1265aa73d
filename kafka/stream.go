package kafka

import (
	"context"
	"iter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Row is one decoded value: row Index of the Arrow batch Rec. It is valid
// until the iteration moves past its Kafka batch (Retain Rec to keep it).
type Row struct {
	Rec   arrow.RecordBatch
	Index int
}

// Message is one record with its metadata and decoded value.
type Message struct {
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
	Key       []byte
	// Value is the record's value as written; nil for a tombstone.
	Value   []byte
	Headers []kgo.RecordHeader
	// Tombstone is a record with a null value: a delete. It has no Row.
	Tombstone bool
	// Err is the decode error of a record the policy skipped or
	// dead-lettered. It has no Row.
	Err error
	// Row is the decoded value (Rec is nil for tombstones and errors).
	Row Row
}

// Rows iterates over decoded values one at a time, polling as needed:
// tombstones and records that did not decode are left out (Messages shows
// them). A batch is marked Done once all its rows were yielded; breaking out
// of the loop marks the records yielded so far and rewinds the rest, so the
// next Poll or iteration starts with them. A Commit inside the loop commits
// through the current value. The iteration ends with the first error
// (ErrClosed after Close, ctx's error when it ends).
func (s *Source) Rows(ctx context.Context) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		s.each(ctx, func(b *Batch, i int) bool {
			rec, row, ok := b.Row(i)
			if !ok {
				return true
			}
			return yield(Row{Rec: rec, Index: row}, nil)
		}, func(err error) { yield(Row{}, err) })
	}
}

// Messages iterates over records with their metadata and decoded values,
// tombstones and skipped or dead-lettered records included, with the same
// commit behaviour as Rows.
func (s *Source) Messages(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		s.each(ctx, func(b *Batch, i int) bool {
			r := b.Records[i]
			m := Message{
				Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Timestamp: r.Timestamp,
				Key: r.Key, Value: r.Value, Headers: r.Headers, Tombstone: r.Value == nil,
			}
			if rec, row, ok := b.Row(i); ok {
				m.Row = Row{Rec: rec, Index: row}
			} else if !m.Tombstone {
				m.Err = b.recordErr(i)
			}
			return yield(m, nil)
		}, func(err error) { yield(Message{}, err) })
	}
}

// recordErr returns the decode error of record i, if any.
func (b *Batch) recordErr(i int) error {
	for k := range b.Result.Errors {
		if b.Result.Errors[k].Index == i {
			return &b.Result.Errors[k]
		}
	}
	return nil
}

// each polls batches and calls fn for every record until fn returns false
// or Poll fails (onErr gets the error).
func (s *Source) each(ctx context.Context, fn func(*Batch, int) bool, onErr func(error)) {
	for {
		b, err := s.Poll(ctx)
		if err != nil {
			onErr(err)
			return
		}
		for i := range b.Records {
			s.setCursor(b, i+1)
			if !fn(b, i) {
				s.setCursor(nil, 0)
				b.doneThrough(i + 1)
				return
			}
		}
		s.setCursor(nil, 0)
		b.Done()
	}
}

// streamCursor is how far an iteration got into its current batch.
type streamCursor struct {
	b *Batch
	n int // records yielded
}

func (s *Source) setCursor(b *Batch, n int) {
	s.mu.Lock()
	s.cursor = streamCursor{b, n}
	s.mu.Unlock()
}

// prefixMarks returns, for the first n records of b, the last record of
// each partition that can be marked now (its range heads the partition's
// queue). Called with s.mu held.
func (s *Source) prefixMarks(b *Batch, n int) []*kgo.Record {
	var out []*kgo.Record
	start := 0
	for _, r := range b.ranges {
		k := min(max(n-start, 0), r.n)
		if k > 0 {
			if st := s.parts[r.tp]; st != nil && len(st.queue) > 0 && st.queue[0] == r {
				out = append(out, b.Records[start+k-1])
			}
		}
		start += r.n
	}
	return out
}

// doneThrough is Done for a batch of which only the first n records were
// processed: those are marked, and the partitions are rewound to the rest so
// they are fetched again.
func (b *Batch) doneThrough(n int) {
	if n >= len(b.Records) {
		b.Done()
		return
	}
	s := b.src
	rewind := map[string]map[int32]kgo.EpochOffset{}
	start := 0
	for _, r := range b.ranges {
		k := min(max(n-start, 0), r.n)
		if k < r.n {
			next := b.Records[start+k]
			if rewind[r.tp.Topic] == nil {
				rewind[r.tp.Topic] = map[int32]kgo.EpochOffset{}
			}
			rewind[r.tp.Topic][r.tp.Partition] = kgo.EpochOffset{Epoch: next.LeaderEpoch, Offset: next.Offset}
		}
		if k == 0 {
			r.noMark = true
		} else {
			r.last = position(b.Records[start+k-1])
		}
		start += r.n
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if !closed {
		s.cl.SetOffsets(rewind)
	}
	b.Done()
}
