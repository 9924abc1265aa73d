package kafka

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

type seekKind uint8

const (
	seekStart seekKind = iota
	seekEnd
	seekTime
	seekOffset
)

// seekRequest is a seek waiting for the group to assign partitions.
type seekRequest struct {
	kind   seekKind
	milli  int64
	offset int64
	only   *TopicPartition // seekOffset: the one partition
}

func (r seekRequest) kgoOffset() kgo.Offset {
	switch r.kind {
	case seekStart:
		return kgo.NewOffset().AtStart()
	case seekEnd:
		return kgo.NewOffset().AtEnd()
	case seekTime:
		return kgo.NewOffset().AfterMilli(r.milli)
	}
	return kgo.NewOffset().At(r.offset)
}

// SeekToBeginning moves every assigned partition to its first record. In a
// group that has not been assigned partitions yet, the seek applies to the
// first assignment.
func (s *Source) SeekToBeginning(ctx context.Context) error {
	return s.seek(ctx, seekRequest{kind: seekStart})
}

// SeekToEnd moves every assigned partition past its last record.
func (s *Source) SeekToEnd(ctx context.Context) error {
	return s.seek(ctx, seekRequest{kind: seekEnd})
}

// SeekToTime moves every assigned partition to its first record with a
// timestamp at or after t (the end when there is none).
func (s *Source) SeekToTime(ctx context.Context, t time.Time) error {
	return s.seek(ctx, seekRequest{kind: seekTime, milli: t.UnixMilli()})
}

// Seek moves one partition to offset (bounded to the partition's log).
func (s *Source) Seek(ctx context.Context, topic string, partition int32, offset int64) error {
	if offset < 0 {
		return fmt.Errorf("kafka: seek to negative offset %d", offset)
	}
	return s.seek(ctx, seekRequest{kind: seekOffset, offset: offset, only: &TopicPartition{topic, partition}})
}

func (s *Source) seek(ctx context.Context, req seekRequest) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	var targets []TopicPartition
	if s.group {
		for tp := range s.assigned {
			if req.only == nil || *req.only == tp {
				targets = append(targets, tp)
			}
		}
		if len(s.assigned) == 0 {
			// Not assigned yet: apply on assignment.
			s.pendingSeek = &req
			s.mu.Unlock()
			return nil
		}
		if len(targets) == 0 {
			s.mu.Unlock()
			return fmt.Errorf("kafka: seek: %s/%d is not assigned to this member", req.only.Topic, req.only.Partition)
		}
	}
	s.mu.Unlock()

	adm := kadm.NewClient(s.cl)
	var (
		listed kadm.ListedOffsets
		err    error
	)
	switch req.kind {
	case seekStart:
		listed, err = adm.ListStartOffsets(ctx, s.cfg.Topics...)
	case seekEnd:
		listed, err = adm.ListEndOffsets(ctx, s.cfg.Topics...)
	case seekTime:
		listed, err = adm.ListOffsetsAfterMilli(ctx, req.milli, s.cfg.Topics...)
	case seekOffset:
		listed, err = adm.ListEndOffsets(ctx, s.cfg.Topics...) // to know the partition exists
	}
	if err == nil {
		err = listed.Error()
	}
	if err != nil {
		return fmt.Errorf("kafka: seek: listing offsets: %w", err)
	}
	if !s.group {
		listed.Each(func(o kadm.ListedOffset) {
			tp := TopicPartition{o.Topic, o.Partition}
			if req.only == nil || *req.only == tp {
				targets = append(targets, tp)
			}
		})
	}
	set := map[string]map[int32]kgo.EpochOffset{}
	for _, tp := range targets {
		o, ok := listed.Lookup(tp.Topic, tp.Partition)
		if !ok {
			return fmt.Errorf("kafka: seek: no partition %s/%d", tp.Topic, tp.Partition)
		}
		at := o.Offset
		if req.kind == seekOffset {
			at = req.offset
		}
		if set[tp.Topic] == nil {
			set[tp.Topic] = map[int32]kgo.EpochOffset{}
		}
		set[tp.Topic][tp.Partition] = kgo.EpochOffset{Epoch: -1, Offset: at}
	}
	if len(set) == 0 {
		return fmt.Errorf("kafka: seek: no partition to move")
	}
	if !s.group {
		// Without a group the client discovers partitions from metadata and
		// starts them at the reset offset, which would overwrite a seek
		// made before discovery: register the target as their start too.
		add := make(map[string]map[int32]kgo.Offset, len(set))
		for t, ps := range set {
			add[t] = make(map[int32]kgo.Offset, len(ps))
			for p, eo := range ps {
				add[t][p] = kgo.NewOffset().At(eo.Offset)
			}
		}
		s.cl.AddConsumePartitions(add)
	}
	s.cl.SetOffsets(set)
	return nil
}

// adjustOffsets applies a seek asked for before the group assigned
// partitions.
func (s *Source) adjustOffsets(_ context.Context, offsets map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	s.mu.Lock()
	req := s.pendingSeek
	s.pendingSeek = nil
	s.mu.Unlock()
	if req == nil {
		return offsets, nil
	}
	for t, ps := range offsets {
		for p := range ps {
			if req.only == nil || *req.only == (TopicPartition{t, p}) {
				ps[p] = req.kgoOffset()
			}
		}
	}
	return offsets, nil
}
