package kafka

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Transactor is the one way to write to Kafka in transactions: what its Sink
// sends between Begin and Commit becomes visible to read_committed readers
// together, or, after Abort, never. Opened with a Source it is exactly-once
// consume-transform-produce: the offsets of everything polled since the
// last Commit commit in the same transaction.
//
//	tx, err := kafka.NewTransactor(sinkCfg, &srcCfg)
//	for {
//		b, err := tx.Poll(ctx)              // begins a transaction when none is open
//		...                                 // transform, then tx.Sink().Send(ctx, rec)
//		b.Done()
//		committed, err := tx.Commit(ctx)
//	}
//
// A rebalance during a transaction makes Commit abort instead (committed is
// false) and rewinds the Source to where the transaction started, so its
// records are polled and processed again. With a Source it is built on
// franz-go's GroupTransactSession.
type Transactor struct {
	sess *kgo.GroupTransactSession // with a Source
	cl   *kgo.Client               // the transactional client
	src  *Source                   // nil without one
	sink *Sink

	mu    sync.Mutex
	inTxn bool
	// starts holds, per partition, the first record polled in the open
	// transaction: where to rewind when it does not commit. (The session
	// rewinds to committed offsets, which a partition without any commit
	// yet does not have.)
	starts    map[string]map[int32]kgo.EpochOffset
	closeOnce sync.Once
	closeErr  error
}

// ErrNoSource is returned by Poll on a Transactor opened without a Source.
var ErrNoSource = errors.New("kafka: the Transactor has no Source")

// ValidateTransactor reports, without connecting, every problem NewTransactor
// would find with sink and src (nil for a Transactor that only writes): each
// config's own Validate and what a transaction needs of them.
func ValidateTransactor(sink SinkConfig, src *SourceConfig) error {
	var errs []error
	if sink.TransactionalID == "" {
		errs = append(errs, errors.New("kafka: a Transactor needs a Sink TransactionalID"))
	}
	if err := sink.Validate(); err != nil {
		errs = append(errs, err)
	}
	if src != nil {
		if src.GroupID == "" {
			errs = append(errs, errors.New("kafka: a Transactor's Source needs a GroupID"))
		}
		if src.DisableAutoCommit || src.AutoCommitInterval > 0 { // a negative one is Validate's
			errs = append(errs, errors.New("kafka: a Transactor commits offsets in its transactions; unset the Source's DisableAutoCommit and AutoCommitInterval"))
		}
		if err := src.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// NewTransactor returns a Transactor writing per sink (TransactionalID
// required) and, when src is not nil, reading per *src (GroupID required;
// read_committed is forced). Offsets commit in the transactions, so src's
// auto commit settings must be left unset. Like NewSink it checks the
// brokers, authentication, TLS and the topics (sink's Topic and src's
// Topics) first, per sink's ConnectTimeout, MissingTopicTimeout and
// SkipConnectCheck, and returns a *ConnectError when they fail. Errors of
// Begin and Commit match the Err kinds of this package with errors.Is (a
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED is ErrAuthorization).
func NewTransactor(sink SinkConfig, src *SourceConfig) (*Transactor, error) {
	if err := ValidateTransactor(sink, src); err != nil {
		return nil, err
	}
	k, sinkOpts, err := newSink(sink)
	if err != nil {
		return nil, err
	}
	t := &Transactor{sink: k}
	seen := &connErrors{}
	session := 45 * time.Second // franz-go's default session timeout
	if src != nil {
		session = src.withDefaults().SessionTimeout
	}
	sinkOpts = append(sinkOpts, kgo.WithHooks(seen),
		kgo.RetryTimeoutFn(txnRetryTimeout(k.cfg.DeliveryTimeout, session)), kgo.RequestRetries(math.MaxInt32))
	if src == nil {
		if t.cl, err = kgo.NewClient(append(sinkOpts, sink.ClientOpts...)...); err != nil {
			return nil, fmt.Errorf("kafka: transactional client: %w", err)
		}
		k.cl = t.cl
		if err := sinkConnectCheck(k.cfg, "transactor", t.cl, nil, seen); err != nil {
			t.cl.Close()
			return nil, err
		}
		return t, nil
	}
	scfg := *src
	scfg.ReadCommitted = true
	scfg.DisableAutoCommit = true
	s, srcOpts, err := newSource(scfg)
	if err != nil {
		return nil, err
	}
	s.txn = true
	opts := append(srcOpts, sinkOpts...)
	opts = append(append(opts, scfg.ClientOpts...), sink.ClientOpts...)
	if t.sess, err = kgo.NewGroupTransactSession(opts...); err != nil {
		s.closeDecoder()
		return nil, fmt.Errorf("kafka: transact session: %w", err)
	}
	t.cl = t.sess.Client()
	s.cl, k.cl = t.cl, t.cl
	if err := sinkConnectCheck(k.cfg, "transactor", t.cl, s.cfg.Topics, seen); err != nil {
		t.sess.Close()
		s.closeDecoder()
		return nil, err
	}
	s.startWatch()
	t.src = s
	return t, nil
}

// Source is the reading side (nil without one). Use Transactor.Poll rather
// than its Poll so a transaction is open before records arrive.
func (t *Transactor) Source() *Source { return t.src }

// Sink is the writing side: what it sends belongs to the open transaction.
func (t *Transactor) Sink() *Sink { return t.sink }

// Begin opens a transaction if none is open. Poll calls it.
func (t *Transactor) Begin() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inTxn {
		return nil
	}
	var err error
	if t.sess != nil {
		err = t.sess.Begin()
	} else {
		err = t.cl.BeginTransaction()
	}
	if err != nil {
		return fmt.Errorf("kafka: begin transaction: %w", withKind(err))
	}
	t.inTxn = true
	t.starts = map[string]map[int32]kgo.EpochOffset{}
	return nil
}

// Poll opens a transaction if none is open and returns the next batch.
// Dead-lettered records are produced inside the transaction too.
func (t *Transactor) Poll(ctx context.Context) (*Batch, error) {
	if t.src == nil {
		return nil, ErrNoSource
	}
	if err := t.Begin(); err != nil {
		return nil, err
	}
	b, err := t.src.Poll(ctx)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	for _, r := range b.ranges {
		if t.starts[r.tp.Topic] == nil {
			t.starts[r.tp.Topic] = map[int32]kgo.EpochOffset{}
		}
		if _, ok := t.starts[r.tp.Topic][r.tp.Partition]; !ok {
			t.starts[r.tp.Topic][r.tp.Partition] = kgo.EpochOffset{Epoch: r.first.LeaderEpoch, Offset: r.first.Offset}
		}
	}
	t.mu.Unlock()
	return b, nil
}

// Commit flushes what was sent and commits it, with a Source together with
// the offsets of everything polled since the last Commit. committed is false
// when a rebalance forced an abort; the Source is then rewound to where the
// transaction started. Without an open transaction Commit does nothing.
func (t *Transactor) Commit(ctx context.Context) (committed bool, err error) {
	return t.end(ctx, kgo.TryCommit)
}

// Abort drops the open transaction (and rewinds the Source to where it
// started).
func (t *Transactor) Abort(ctx context.Context) error {
	_, err := t.end(ctx, kgo.TryAbort)
	return err
}

func (t *Transactor) end(ctx context.Context, try kgo.TransactionEndTry) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.inTxn {
		return false, nil
	}
	var (
		committed bool
		err       error
	)
	// Ending flushes (each record bounded by DeliveryTimeout), then retries
	// the transaction's requests for up to DeliveryTimeout; past both, a
	// transaction still not ended (a group that never settles, say) is an
	// error rather than a pipeline that hangs.
	ctx, cancel := context.WithTimeoutCause(ctx, 2*t.sink.cfg.DeliveryTimeout+t.sessionTimeout(),
		fmt.Errorf("%w: the transaction did not end within twice DeliveryTimeout (%v) and the session timeout", ErrDeliveryTimeout, t.sink.cfg.DeliveryTimeout))
	defer cancel()
	rewindTo := t.starts
	if t.sess != nil {
		committed, err = t.sess.End(ctx, try)
		if err != nil && t.src != nil && classify(err).class == faultTransient {
			// The brokers went away while it ended (a restart): the
			// outcome may be either. Settle it and read on from what
			// the group has committed, which says which it was.
			if rewindTo, err = t.settle(ctx, err); err == nil {
				committed = false
			}
		}
	} else {
		committed, err = t.endProduceOnly(ctx, try)
	}
	t.inTxn = false
	if !committed && t.src != nil && rewindTo != nil {
		t.cl.SetOffsets(rewindTo)
	}
	t.starts = nil
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && errors.Is(err, context.DeadlineExceeded) {
			err = cause
		}
		return false, fmt.Errorf("kafka: end transaction: %w", withKind(err))
	}
	return committed, nil
}

// settle follows an end of transaction that failed with a transient error
// (endErr), whose outcome may be a commit or an abort. It ends whatever is
// left of the transaction at the broker with an abort (franz-go's documented
// retry; an abort cannot undo a commit that went through) and then asks the
// group's committed offsets, waiting for them to be stable: they moved past
// the transaction's records if and only if it committed. It returns where
// the source reads on — the committed offset of each partition the
// transaction read, or where the transaction started for a partition with
// none — so nothing is skipped and nothing committed is read twice. Both
// steps retry until the sink's DeliveryTimeout; then endErr stands.
func (t *Transactor) settle(ctx context.Context, endErr error) (map[string]map[int32]kgo.EpochOffset, error) {
	ctx, cancel := context.WithTimeout(ctx, t.sink.cfg.DeliveryTimeout)
	defer cancel()
	adm := kadm.NewClient(t.cl)
	backoff := 100 * time.Millisecond
	wait := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(backoff):
			backoff = min(2*backoff, 2*time.Second)
			return true
		}
	}
	for {
		err := t.cl.EndTransaction(ctx, kgo.TryAbort)
		if err == nil {
			break
		}
		if classify(err).class != faultTransient || !wait() {
			return nil, fmt.Errorf("%w; then aborting: %w", endErr, err)
		}
	}
	for {
		committed, err := adm.FetchOffsets(kadm.RequireStable(ctx), t.src.cfg.GroupID)
		if err == nil {
			err = committed.Error()
		}
		if err == nil {
			to := make(map[string]map[int32]kgo.EpochOffset, len(t.starts))
			for topic, parts := range t.starts {
				to[topic] = make(map[int32]kgo.EpochOffset, len(parts))
				for p, start := range parts {
					if o, ok := committed.Lookup(topic, p); ok && o.At >= 0 {
						start = kgo.EpochOffset{Epoch: o.LeaderEpoch, Offset: o.At}
					}
					to[topic][p] = start
				}
			}
			return to, nil
		}
		if f := classify(err); f.class != faultTransient && !errors.Is(err, kerr.UnstableOffsetCommit) || !wait() {
			return nil, fmt.Errorf("%w; then reading the committed offsets: %w", endErr, err)
		}
	}
}

// sessionTimeout is the group session timeout of the Transactor's source
// (franz-go's default without one).
func (t *Transactor) sessionTimeout() time.Duration {
	if t.src != nil {
		return t.src.cfg.SessionTimeout
	}
	return 45 * time.Second
}

// endProduceOnly ends a transaction of a Transactor without a Source: flush
// (or drop what is buffered, to abort), then end.
func (t *Transactor) endProduceOnly(ctx context.Context, try kgo.TransactionEndTry) (bool, error) {
	if try == kgo.TryCommit {
		if err := t.cl.Flush(ctx); err != nil {
			return false, fmt.Errorf("flushing before commit: %w", err)
		}
	} else if err := t.cl.AbortBufferedRecords(ctx); err != nil {
		return false, fmt.Errorf("aborting buffered records: %w", err)
	}
	if err := t.cl.EndTransaction(ctx, try); err != nil {
		return false, err
	}
	return bool(try), nil
}

// Close aborts an open transaction, leaves the group and stops the client.
// It is idempotent.
func (t *Transactor) Close() error {
	t.closeOnce.Do(func() {
		wait := 30 * time.Second
		if t.src != nil {
			wait = t.src.cfg.SessionTimeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := t.Abort(ctx); err != nil {
			t.closeErr = err
		}
		_ = t.sink.Close()
		if t.src != nil {
			_ = t.src.Close() // commits nothing: offsets go through transactions
			t.sess.Close()
		} else {
			t.cl.Close()
		}
	})
	return t.closeErr
}

// txnRetryTimeout bounds how long a transactional client retries a request.
// The transaction's own (InitProducerID, AddPartitionsToTxn,
// AddOffsetsToTxn, EndTxn, TxnOffsetCommit, and finding their coordinator)
// get the sink's DeliveryTimeout rather than franz-go's 30s, so a
// transaction outlives a broker restart as its records do (the retry count
// is unbounded; time bounds it). Group membership keeps franz-go's bound, the
// session timeout, past which the member is gone anyway; the rest keep 30s.
func txnRetryTimeout(delivery, session time.Duration) func(int16) time.Duration {
	return func(key int16) time.Duration {
		switch kmsg.Key(key) {
		case kmsg.InitProducerID, kmsg.AddPartitionsToTxn, kmsg.AddOffsetsToTxn,
			kmsg.EndTxn, kmsg.TxnOffsetCommit, kmsg.FindCoordinator:
			return delivery
		case kmsg.JoinGroup, kmsg.SyncGroup, kmsg.Heartbeat:
			return session
		}
		return 30 * time.Second
	}
}
