package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
)

// A registry outage is waited out record by record. When Decode stops at a
// record whose schema the registry cannot be reached for, the Source hands
// out the records before it (the Batch is cut there), rewinds the fetch
// position of every partition to its first record from there on, and
// remembers the record it stopped at. The attempts at that record are paced
// by the policy's backoff: until the next attempt is due, a batch in which it
// comes later is decoded only up to it (records with known schemas keep
// flowing without asking the registry again). When it comes first, its
// partition's records are moved behind the other partitions' (order only
// matters within a partition), so they go first; a batch of that partition
// alone waits. Each attempt that meets the outage counts as a retry; past
// ErrorPolicy.outageRetries, Poll returns a *RegistryOutageError and hands
// out nothing from that record on.

// outageState is the outage a Source is waiting out (guarded by pollMu).
type outageState struct {
	active bool
	tp     TopicPartition
	offset int64     // the record the Source stopped at
	tries  int       // attempts that met the outage since it began
	since  time.Time // the first of them
	next   time.Time // the next attempt at the record is not due before this
}

// RegistryOutageError is what Poll returns when the schema registry stayed
// unreachable through every retry the policy allows (ErrorPolicy
// .OutageRetries) for a record whose schema it has not seen. Nothing of its
// partition from that record on was handed out, so nothing past it is
// committed; the fetch positions of the batch are rewound, and a later Poll
// tries again from there with a fresh count.
type RegistryOutageError struct {
	// Topic, Partition and Offset name the record that waited.
	Topic     string
	Partition int32
	Offset    int64
	// SchemaID is the id the record names, or -1 (a GUID header).
	SchemaID int
	// Retries made and how long the outage lasted so far.
	Retries int
	Waited  time.Duration
	// Err is the decoder's *decode.OutageError (wrapping
	// decode.ErrRegistry and the registry client's error).
	Err error
}

func (e *RegistryOutageError) Error() string {
	id := "a schema GUID"
	if e.SchemaID >= 0 {
		id = fmt.Sprintf("schema id %d", e.SchemaID)
	}
	return fmt.Sprintf("kafka: schema registry unavailable: %s/%d@%d (%s) still waiting after %d retries over %v: %v",
		e.Topic, e.Partition, e.Offset, id, e.Retries, e.Waited.Round(time.Millisecond), e.Err)
}

// Unwrap returns Err, so errors.Is(err, decode.ErrRegistry) holds.
func (e *RegistryOutageError) Unwrap() error { return e.Err }

// decodeUpToOutage decodes b.Records, waiting out a registry outage as
// described above. It returns the Result of b.Records[:cut] (cut > 0): the
// records from cut on were not decoded and are for cutBatch to drop and
// rewind. An error means nothing is handed out: ctx ended, the retries ran
// out (a *RegistryOutageError), or the decode failed as a whole.
func (s *Source) decodeUpToOutage(ctx context.Context, b *Batch) (*decode.Result, int, error) {
	p, o := s.cfg.OnError, &s.outage
	moves := 0 // partitions moved to the back of b, at most all but one
	for {
		n := len(b.Records)
		if o.active {
			if j := recordIndex(b, o.tp, o.offset); j >= 0 {
				if wait := time.Until(o.next); wait > 0 {
					switch {
					case j > 0:
						n = j // its turn has not come: hand out what precedes it
					case moves < len(b.ranges)-1:
						moveToBack(b, o.tp) // let the other partitions go first
						moves++
						continue
					default:
						if err := sleep(ctx, wait); err != nil {
							return nil, 0, err
						}
					}
				}
			}
		}
		fillInput(&s.input, b.Records[:n])
		res, err := s.dec.Decode(ctx, &s.input)
		var oe *decode.OutageError
		if !errors.As(err, &oe) {
			if err != nil {
				return nil, 0, fmt.Errorf("kafka: decoding: %w", err)
			}
			s.outagePassed(b, n)
			return res, n, nil
		}
		if ctx.Err() != nil {
			res.Release()
			return nil, 0, fmt.Errorf("kafka: decoding: %w", err)
		}
		s.outagePassed(b, oe.Index)
		rec := b.Records[oe.Index]
		now := time.Now()
		tp := TopicPartition{rec.Topic, rec.Partition}
		if !o.active || o.tp != tp || o.offset != rec.Offset {
			// Another record now waits. While the one before it was not
			// passed this is the same outage: its retries go on counting.
			if !o.active {
				o.tries, o.since = 0, now
			}
			o.active, o.tp, o.offset = true, tp, rec.Offset
		}
		o.next = now.Add(p.backoff(o.tries))
		o.tries++
		if o.tries > p.outageRetries() {
			// Checked whatever the record's place in the batch, so a
			// partition stuck behind busy ones still fails loudly.
			res.Release()
			err := &RegistryOutageError{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset,
				SchemaID: oe.SchemaID, Retries: o.tries - 1, Waited: now.Sub(o.since), Err: oe}
			*o = outageState{} // a later Poll starts a fresh count
			return nil, 0, err
		}
		if oe.Index > 0 {
			return res, oe.Index, nil
		}
		res.Release()
		s.m.retries.Add(1)
		if moves < len(b.ranges)-1 {
			moveToBack(b, tp)
			moves++
		}
	}
}

// moveToBack moves the records of tp behind those of every other partition
// in b, keeping the order within each partition (only that order matters).
func moveToBack(b *Batch, tp TopicPartition) {
	recs := make([]*kgo.Record, 0, len(b.Records))
	ranges := make([]*partRange, 0, len(b.ranges))
	var backRecs []*kgo.Record
	var backRanges []*partRange
	start := 0
	for _, r := range b.ranges {
		part := b.Records[start : start+r.n]
		if r.tp == tp {
			backRecs, backRanges = append(backRecs, part...), append(backRanges, r)
		} else {
			recs, ranges = append(recs, part...), append(ranges, r)
		}
		start += r.n
	}
	b.Records, b.ranges = append(recs, backRecs...), append(ranges, backRanges...)
}

// outagePassed ends the outage being waited out once the record it waits
// for is among b.Records[:n], which decoded.
func (s *Source) outagePassed(b *Batch, n int) {
	if o := &s.outage; o.active {
		if j := recordIndex(b, o.tp, o.offset); j >= 0 && j < n {
			*o = outageState{}
		}
	}
}

// recordIndex is the index in b.Records of the record at offset of tp, or
// -1.
func recordIndex(b *Batch, tp TopicPartition, offset int64) int {
	start := 0
	for _, r := range b.ranges {
		if r.tp == tp && r.first.Offset <= offset && offset <= r.last.Offset {
			for i, rec := range b.Records[start : start+r.n] {
				if rec.Offset == offset {
					return start + i
				}
			}
			return -1
		}
		start += r.n
	}
	return -1
}

// cutBatch keeps the first cut records of b and rewinds the fetch position of
// every partition with records from cut on to the first of them, so the next
// Poll fetches them again. The per-partition ranges are cut to match: only
// the records kept are ever accounted and committed. It returns the records
// dropped, to recycle once nothing refers to them.
func (s *Source) cutBatch(b *Batch, cut int) []*kgo.Record {
	if cut >= len(b.Records) {
		return nil
	}
	to := map[string]map[int32]kgo.EpochOffset{}
	var kept []*partRange
	start := 0
	for _, r := range b.ranges {
		end := start + r.n
		if end > cut {
			first := b.Records[max(start, cut)]
			if to[r.tp.Topic] == nil {
				to[r.tp.Topic] = map[int32]kgo.EpochOffset{}
			}
			to[r.tp.Topic][r.tp.Partition] = kgo.EpochOffset{Epoch: first.LeaderEpoch, Offset: first.Offset}
		}
		switch {
		case end <= cut:
			kept = append(kept, r)
		case start < cut:
			r.n = cut - start
			r.last = position(b.Records[cut-1])
			kept = append(kept, r)
		}
		start = end
	}
	dropped := b.Records[cut:]
	b.Records, b.ranges, b.n = b.Records[:cut:cut], kept, cut
	s.cl.SetOffsets(to)
	return dropped
}
