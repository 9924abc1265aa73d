package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
)

// Source reads Kafka topics into Arrow record batches.
//
// One goroutine calls Poll (Poll calls are serialized); Done, Commit, Seek,
// Metrics and Close may be called from any goroutine.
type Source struct {
	cfg   SourceConfig
	cl    *kgo.Client
	txn   bool // the client belongs to a Transactor: offsets commit in its transactions
	group bool
	dec   *decode.Decoder
	owns  bool // dec was made here from the Codec: Close closes it
	m     sourceCounters
	watch *fetchWatch // decides when errors end the Source (fetchwatch.go)

	pollMu sync.Mutex   // one Poll at a time
	input  decode.Input // the decoder's view of the batch being polled (held by pollMu)
	outage outageState  // a registry outage being waited out (held by pollMu)

	mu          sync.Mutex
	inFlight    int // records handed out and not Done
	outstanding int // batches handed out and not Done, plus a Poll in progress
	parts       map[TopicPartition]*partState
	assigned    map[TopicPartition]bool
	pendingSeek *seekRequest // applied to the next assignment
	cursor      streamCursor // Rows/Messages position, for Commit
	failed      error        // sticky: Fail policy
	// rebalanceWanted: a rebalance waits for the batches handed out; Poll
	// hands out nothing more until they are Done, so a pipelined consumer
	// (always something in flight) still lets it through.
	rebalanceWanted bool
	pending         error // returned once by the next Poll
	closed          bool

	space     chan struct{} // signalled by Done
	closing   chan struct{} // closed by Close
	closeOnce sync.Once
	closeErr  error
}

// partState is the accounting of one partition's records in flight.
type partState struct {
	inFlight int
	queue    []*partRange // handed out, in offset order
	paused   bool
}

// partRange is one partition's records in one Batch.
type partRange struct {
	tp          TopicPartition
	first, last *kgo.Record
	n           int
	done        bool
	noMark      bool // none of its records were processed (an iteration stopped before it)
}

// NewSource returns a Source for cfg: the one way to open one (a Transactor
// opens its own). It checks first, within ConnectTimeout, that the brokers
// answer, authentication and TLS work and every topic exists, and returns a
// *ConnectError when they do not. The client joins the group in the
// background from here on; Poll waits for it.
func NewSource(cfg SourceConfig) (*Source, error) {
	s, opts, err := newSource(cfg)
	if err != nil {
		return nil, err
	}
	if s.group {
		// Rebalances wait until every batch handed out is Done, so a revoked
		// partition's offsets are committed exactly through what was
		// processed (the Java client's poll-thread guarantee).
		opts = append(opts, kgo.BlockRebalanceOnPoll(), kgo.OnPartitionsCallbackBlocked(s.rebalanceWaiting))
	}
	seen := &connErrors{}
	opts = append(opts, kgo.WithHooks(seen))
	s.cl, err = kgo.NewClient(append(opts, cfg.ClientOpts...)...)
	if err != nil {
		s.closeDecoder()
		return nil, fmt.Errorf("kafka: source client: %w", err)
	}
	if err := s.connectCheck(seen); err != nil {
		s.cl.Close()
		s.closeDecoder()
		return nil, err
	}
	s.startWatch()
	return s, nil
}

// closeDecoder releases the decoder when the Source made it.
func (s *Source) closeDecoder() {
	if s.owns {
		s.dec.Close()
	}
}

// newSource validates cfg and prepares everything but the client.
func newSource(cfg SourceConfig) (*Source, []kgo.Opt, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	cfg = cfg.withDefaults()
	dec, owns := cfg.Decoder, cfg.Decoder == nil
	if owns {
		var err error
		if dec, err = codec.NewDecoder(cfg.Codec); err != nil {
			return nil, nil, fmt.Errorf("kafka: source decoder: %w", err)
		}
	}
	s := &Source{
		cfg:      cfg,
		group:    cfg.GroupID != "",
		dec:      dec,
		owns:     owns,
		parts:    map[TopicPartition]*partState{},
		assigned: map[TopicPartition]bool{},
		space:    make(chan struct{}, 1),
		closing:  make(chan struct{}),
	}
	s.newWatch()
	opts, err := cfg.kgoOpts()
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, kgo.WithPools(fetchRecordPool), kgo.WithHooks(s.watch))
	if s.group {
		opts = append(opts,
			kgo.OnPartitionsAssigned(func(ctx context.Context, cl *kgo.Client, added map[string][]int32) {
				s.watch.ok() // a group joined is evidence of health
				s.onAssigned(ctx, cl, added)
			}),
			kgo.OnPartitionsRevoked(s.onRevoked),
			kgo.OnPartitionsLost(s.onLost),
			kgo.AdjustFetchOffsetsFn(s.adjustOffsets),
		)
	}
	return s, opts, nil
}

// Decoder is the decoder batches are built with.
func (s *Source) Decoder() *decode.Decoder { return s.dec }

// Client is the underlying franz-go client, for admin requests. Do not poll
// or commit through it.
func (s *Source) Client() *kgo.Client { return s.cl }

func (s *Source) onAssigned(_ context.Context, _ *kgo.Client, added map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, ps := range added {
		for _, p := range ps {
			s.assigned[TopicPartition{t, p}] = true
		}
	}
}

// onRevoked commits what was processed of the revoked partitions. Batches
// handed out hold the rebalance (BlockRebalanceOnPoll) until Done, so by now
// every record of a revoked partition handed out is marked.
func (s *Source) onRevoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
	if !s.txn {
		s.m.commits.Add(1)
		if err := cl.CommitMarkedOffsets(ctx); err != nil {
			s.m.commitErrors.Add(1)
			s.setPending(fmt.Errorf("kafka: committing offsets of revoked partitions: %w", err))
		}
	}
	// A partition handed to another member takes its lag along; the ones
	// left at Close keep theirs, so a last snapshot says what was unread.
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if !closed {
		s.m.dropLag(revoked)
	}
	s.forget(revoked)
}

// onLost drops lost partitions: their offsets cannot be committed any more.
// Their last known lag stays (a lost partition usually comes back, as after
// a broker restart, and its next fetch updates it).
func (s *Source) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	s.forget(lost)
}

func (s *Source) forget(tps map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, ps := range tps {
		for _, p := range ps {
			tp := TopicPartition{t, p}
			delete(s.assigned, tp)
			if st := s.parts[tp]; st != nil && st.inFlight == 0 {
				delete(s.parts, tp)
			}
		}
	}
}

func (s *Source) setPending(err error) {
	s.mu.Lock()
	s.pending = errors.Join(s.pending, err)
	s.mu.Unlock()
}

// Assigned lists the partitions the group assigned to this member (nil
// without a group).
func (s *Source) Assigned() []TopicPartition {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []TopicPartition
	for tp := range s.assigned {
		out = append(out, tp)
	}
	return out
}

// Poll returns the next batch of at most MaxPollRecords records, waiting
// until records arrive, ctx ends or the Source closes. Call Done on the batch
// once it is processed: only then can its offsets be committed, and a group
// rebalance waits for it.
//
// Records that do not decode go to the error policy first. Under Fail, Poll
// returns a *DecodeError and the Source stops. A dead-letter produce that
// fails returns a *DeadLetterError; the batch's partitions are rewound so the
// next Poll tries again. When ctx ends while a batch is being prepared, its
// partitions are rewound as well: nothing is lost.
func (s *Source) Poll(ctx context.Context) (*Batch, error) {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	if err := s.waitForSpace(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	allow := s.outstanding == 0
	if allow {
		s.rebalanceWanted = false
	}
	s.outstanding++ // reserve: a Done elsewhere must not allow a rebalance mid-poll
	s.mu.Unlock()
	if allow && s.group && !s.txn {
		s.cl.AllowRebalance()
	}
	b, err := s.poll(ctx)
	if b == nil {
		s.mu.Lock()
		s.outstanding--
		allow = s.outstanding == 0
		s.mu.Unlock()
		if allow && s.group && !s.txn {
			s.cl.AllowRebalance()
		}
	}
	return b, err
}

// rebalanceWaiting is called (in its own goroutine) when a rebalance is held
// by batches handed out and not yet Done.
func (s *Source) rebalanceWaiting(context.Context, *kgo.Client) {
	s.mu.Lock()
	s.rebalanceWanted = true
	s.mu.Unlock()
}

// waitForSpace returns once fewer than MaxInFlightRecords records are in
// flight, and reports a stopped or closed Source.
func (s *Source) waitForSpace(ctx context.Context) error {
	for {
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			return ErrClosed
		case s.failed != nil:
			err := s.failed
			s.mu.Unlock()
			return err
		case s.pending != nil:
			err := s.pending
			s.pending = nil
			s.mu.Unlock()
			return err
		}
		full := s.inFlight+s.cfg.MaxPollRecords > s.cfg.MaxInFlightRecords && s.inFlight > 0
		full = full || (s.rebalanceWanted && s.outstanding > 0)
		s.mu.Unlock()
		if !full {
			return nil
		}
		select {
		case <-s.space:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
			return ErrClosed
		}
	}
}

func (s *Source) poll(ctx context.Context) (*Batch, error) {
	var fs kgo.Fetches
	for {
		// The watch's verdict (an error that cannot heal, errors past
		// FetchErrorTimeout, a topic missing past MissingTopicTimeout)
		// ends the Source; it also wakes a poll waiting here.
		if err := s.watch.err(); err != nil {
			return nil, err
		}
		pctx, release := s.watch.pollContext(ctx)
		fs = s.cl.PollRecords(pctx, s.cfg.MaxPollRecords)
		release()
		if fs.IsClientClosed() {
			return nil, ErrClosed
		}
		if err := ctx.Err(); err != nil && fs.NumRecords() == 0 {
			return nil, err
		}
		// Errors the client retries (a broker restarting, a group
		// rejoining) are classified and waited out; the verdict and errors
		// not recognised are returned.
		fetchErr := s.fetched(fs)
		if fs.NumRecords() == 0 {
			if fetchErr != nil {
				return nil, fetchErr
			}
			// An empty poll (a rebalance ended it, errors retried, a
			// verdict): wait again, letting the rebalance the poll held
			// go on, such as the rejoin that heals a group error.
			s.releaseEmptyPoll()
			continue
		}
		if fetchErr != nil {
			s.setPending(fetchErr)
		}
		break
	}
	b := s.newBatch(fs)
	if err := s.decodeBatch(ctx, b); err != nil {
		b.Result.Release()
		var de *DecodeError
		if errors.As(err, &de) {
			s.mu.Lock()
			s.failed = err
			s.mu.Unlock()
		} else {
			s.rewind(b)
		}
		return nil, err
	}
	s.account(b)
	return b, nil
}

// newBatch collects the records of fs and their per-partition ranges, and
// records each partition's lag.
func (s *Source) newBatch(fs kgo.Fetches) *Batch {
	b := &Batch{src: s, Records: make([]*kgo.Record, 0, fs.NumRecords())}
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		if len(p.Records) == 0 {
			return
		}
		tp := TopicPartition{p.Topic, p.Partition}
		last := p.Records[len(p.Records)-1]
		b.ranges = append(b.ranges, &partRange{tp: tp, first: position(p.Records[0]), last: position(last), n: len(p.Records)})
		b.Records = append(b.Records, p.Records...)
		end := p.HighWatermark
		if s.cfg.ReadCommitted && p.LastStableOffset >= 0 {
			end = p.LastStableOffset
		}
		s.m.setLag(tp, end-last.Offset-1)
	})
	b.n = len(b.Records)
	return b
}

// decodeBatch decodes b's records, retrying per the policy, and applies the
// policy's action to records that still fail. A registry outage cuts b short
// (see decodeUpToOutage): b keeps the records before the first one that waits
// for the registry, and the rest are fetched again.
func (s *Source) decodeBatch(ctx context.Context, b *Batch) error {
	p := s.cfg.OnError
	var dropped []*kgo.Record
	defer func() { recycle(dropped) }()
	defer s.input.Reset() // the records go back to their pool at Done
	for try := 0; ; try++ {
		res, cut, err := s.decodeUpToOutage(ctx, b)
		if err != nil {
			b.Result = &decode.Result{}
			return err
		}
		if len(res.Errors) == 0 || try >= p.Retries || ctx.Err() != nil {
			b.Result = res
			dropped = s.cutBatch(b, cut)
			break
		}
		res.Release()
		s.m.retries.Add(1)
		if err := sleep(ctx, p.backoff(try)); err != nil {
			b.Result = &decode.Result{}
			return err
		}
	}
	errs := b.Result.Errors
	if len(errs) == 0 {
		return nil
	}
	s.m.decodeErrors.Add(int64(len(errs)))
	switch p.action() {
	case Skip:
		s.m.skipped.Add(int64(len(errs)))
		return nil
	case DeadLetter:
		if err := s.deadLetter(ctx, b.Records, errs); err != nil {
			return err
		}
		s.m.deadLettered.Add(int64(len(errs)))
		return nil
	}
	return &DecodeError{RecordError: errs[0]}
}

// rewind moves the fetch position of b's partitions back to b's first
// records, so the next Poll returns them again.
func (s *Source) rewind(b *Batch) {
	to := map[string]map[int32]kgo.EpochOffset{}
	for _, r := range b.ranges {
		if to[r.tp.Topic] == nil {
			to[r.tp.Topic] = map[int32]kgo.EpochOffset{}
		}
		to[r.tp.Topic][r.tp.Partition] = kgo.EpochOffset{Epoch: r.first.LeaderEpoch, Offset: r.first.Offset}
	}
	s.cl.SetOffsets(to)
}

// account adds b to the in-flight counts, pausing partitions with too many
// records in flight.
func (s *Source) account(b *Batch) {
	var bytes int64
	for _, r := range b.Records {
		bytes += int64(len(r.Key) + len(r.Value))
	}
	s.m.recordsIn.Add(int64(len(b.Records)))
	s.m.bytesIn.Add(bytes)
	s.m.batches.Add(1)
	s.m.rows.Add(b.Result.NumRows())
	s.m.tombstones.Add(int64(len(b.Result.Tombstones)))

	var pause map[string][]int32
	s.mu.Lock()
	s.inFlight += len(b.Records)
	for _, r := range b.ranges {
		st := s.parts[r.tp]
		if st == nil {
			st = &partState{}
			s.parts[r.tp] = st
		}
		st.inFlight += r.n
		st.queue = append(st.queue, r)
		if !st.paused && st.inFlight >= s.cfg.PartitionPauseRecords {
			st.paused = true
			if pause == nil {
				pause = map[string][]int32{}
			}
			pause[r.tp.Topic] = append(pause[r.tp.Topic], r.tp.Partition)
		}
	}
	s.mu.Unlock()
	if pause != nil {
		s.m.pauses.Add(int64(countPartitions(pause)))
		s.cl.PauseFetchPartitions(pause)
	}
}

func countPartitions(m map[string][]int32) int {
	n := 0
	for _, ps := range m {
		n += len(ps)
	}
	return n
}

// done is Batch.Done: mark what is now contiguous-done per partition,
// resume partitions that drained, and let a pending rebalance go on when
// nothing is outstanding.
func (s *Source) done(b *Batch) {
	var (
		mark   []*kgo.Record
		resume map[string][]int32
	)
	s.mu.Lock()
	for _, r := range b.ranges {
		r.done = true
		st := s.parts[r.tp]
		if st == nil {
			continue
		}
		st.inFlight -= r.n
		// Only a prefix of done ranges is committable: a later batch Done
		// first must not commit past an earlier one still in progress.
		var last *kgo.Record
		i := 0
		for ; i < len(st.queue) && st.queue[i].done; i++ {
			if !st.queue[i].noMark {
				last = st.queue[i].last
			}
		}
		st.queue = append(st.queue[:0], st.queue[i:]...)
		if last != nil {
			mark = append(mark, last)
		}
		if st.paused && st.inFlight < s.cfg.PartitionPauseRecords/2 {
			st.paused = false
			if resume == nil {
				resume = map[string][]int32{}
			}
			resume[r.tp.Topic] = append(resume[r.tp.Topic], r.tp.Partition)
		}
		if st.inFlight == 0 && !st.paused && !s.assigned[r.tp] && s.group {
			delete(s.parts, r.tp)
		}
	}
	s.inFlight -= len(b.Records)
	s.outstanding--
	recycle(b.Records)
	b.Records = nil
	allow := s.outstanding == 0
	if allow {
		s.rebalanceWanted = false
	}
	closed := s.closed
	s.mu.Unlock()

	if !closed {
		if len(mark) > 0 && s.group && !s.txn {
			s.cl.MarkCommitRecords(mark...)
		}
		if resume != nil {
			s.cl.ResumeFetchPartitions(resume)
		}
		if allow && s.group && !s.txn {
			s.cl.AllowRebalance()
		}
	}
	select {
	case s.space <- struct{}{}:
	default:
	}
}

// Commit commits the offsets of every batch marked Done (and, inside Rows
// or Messages, of every record yielded so far). It is the manual commit for
// DisableAutoCommit; with auto commit it commits now instead of at the next
// interval. Without a GroupID there is nothing to commit.
func (s *Source) Commit(ctx context.Context) error {
	if !s.group || s.txn {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	var marks []*kgo.Record
	if s.cursor.b != nil {
		marks = s.prefixMarks(s.cursor.b, s.cursor.n)
	}
	s.mu.Unlock()
	if len(marks) > 0 {
		s.cl.MarkCommitRecords(marks...)
	}
	s.m.commits.Add(1)
	if err := s.cl.CommitMarkedOffsets(ctx); err != nil {
		s.m.commitErrors.Add(1)
		return fmt.Errorf("kafka: commit: %w", err)
	}
	return nil
}

// Metrics returns a snapshot of the counters.
func (s *Source) Metrics() SourceMetrics {
	m := SourceMetrics{
		RecordsIn:       s.m.recordsIn.Load(),
		BytesIn:         s.m.bytesIn.Load(),
		Batches:         s.m.batches.Load(),
		Rows:            s.m.rows.Load(),
		Tombstones:      s.m.tombstones.Load(),
		DecodeErrors:    s.m.decodeErrors.Load(),
		Retries:         s.m.retries.Load(),
		Skipped:         s.m.skipped.Load(),
		DeadLettered:    s.m.deadLettered.Load(),
		Commits:         s.m.commits.Load(),
		CommitErrors:    s.m.commitErrors.Load(),
		Pauses:          s.m.pauses.Load(),
		BufferedRecords: s.cl.BufferedFetchRecords(),
		BufferedBytes:   s.cl.BufferedFetchBytes(),
	}
	s.mu.Lock()
	m.InFlightRecords = int64(s.inFlight)
	for tp, st := range s.parts {
		if st.paused {
			m.Paused = append(m.Paused, tp)
		}
	}
	s.mu.Unlock()
	s.m.lagMu.Lock()
	m.Lag = make(map[TopicPartition]int64, len(s.m.lag))
	for tp, l := range s.m.lag {
		m.Lag[tp] = l
	}
	s.m.lagMu.Unlock()
	return m
}

// Close commits the offsets of batches marked Done, leaves the group and
// stops the client. Batches still out may be Done after Close (that releases
// their memory; their offsets are not committed). Close is idempotent; later
// calls return the first call's error.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		if s.group && !s.txn {
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.SessionTimeout)
			s.m.commits.Add(1)
			if err := s.cl.CommitMarkedOffsets(ctx); err != nil {
				s.m.commitErrors.Add(1)
				s.closeErr = fmt.Errorf("kafka: committing offsets on close: %w", err)
			}
			cancel()
		}
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.closing)
		if !s.txn {
			s.cl.CloseAllowingRebalance()
		}
		s.closeDecoder() // batches handed out keep their own buffers
	})
	return s.closeErr
}
