package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
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
	sinkOpts = append(sinkOpts, kgo.WithHooks(seen))
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
	if t.sess != nil {
		committed, err = t.sess.End(ctx, try)
	} else {
		committed, err = t.endProduceOnly(ctx, try)
	}
	t.inTxn = false
	if !committed && t.src != nil {
		t.cl.SetOffsets(t.starts)
	}
	t.starts = nil
	if err != nil {
		return false, fmt.Errorf("kafka: end transaction: %w", withKind(err))
	}
	return committed, nil
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
