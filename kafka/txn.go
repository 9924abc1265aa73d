package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Transactor runs exactly-once consume-transform-produce: records polled
// from its Source and records sent through its Sink commit together, the
// consumed offsets inside the same transaction, or not at all.
//
//	for {
//		b, err := tx.Poll(ctx)       // opens a transaction when none is
//		...                          // transform, then tx.Sink().SendRecordBatch(...)
//		b.Done()
//		committed, err := tx.Commit(ctx)
//	}
//
// A rebalance during a transaction makes Commit abort instead (committed is
// false) and rewinds the Source to the committed offsets, so the records are
// polled and processed again; read_committed readers never see the aborted
// output. It is built on franz-go's GroupTransactSession.
type Transactor struct {
	sess *kgo.GroupTransactSession
	src  *Source
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

// NewTransactor returns a Transactor reading per src (GroupID required;
// read_committed is forced) and writing per sink (TransactionalID required).
// The Source's auto commit and commit settings do not apply: offsets commit
// in transactions.
func NewTransactor(src SourceConfig, sink SinkConfig) (*Transactor, error) {
	var errs []error
	if src.GroupID == "" {
		errs = append(errs, errors.New("kafka: a Transactor needs a Source GroupID"))
	}
	if sink.TransactionalID == "" {
		errs = append(errs, errors.New("kafka: a Transactor needs a Sink TransactionalID"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	src.ReadCommitted = true
	src.DisableAutoCommit = true
	s, srcOpts, err := newSource(src)
	if err != nil {
		return nil, err
	}
	s.txn = true
	k, sinkOpts, err := newSink(sink)
	if err != nil {
		return nil, err
	}
	opts := append(srcOpts, sinkOpts...)
	opts = append(append(opts, src.ClientOpts...), sink.ClientOpts...)
	sess, err := kgo.NewGroupTransactSession(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: transact session: %w", err)
	}
	s.cl, k.cl = sess.Client(), sess.Client()
	return &Transactor{sess: sess, src: s, sink: k}, nil
}

// Source is the reading side. Use Transactor.Poll rather than its Poll so a
// transaction is open before records arrive.
func (t *Transactor) Source() *Source { return t.src }

// Sink is the writing side: what it sends belongs to the open transaction.
func (t *Transactor) Sink() *Sink { return t.sink }

// Poll opens a transaction if none is open and returns the next batch.
// Dead-lettered records are produced inside the transaction too.
func (t *Transactor) Poll(ctx context.Context) (*Batch, error) {
	if err := t.begin(); err != nil {
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

func (t *Transactor) begin() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inTxn {
		return nil
	}
	if err := t.sess.Begin(); err != nil {
		return fmt.Errorf("kafka: begin transaction: %w", err)
	}
	t.inTxn = true
	t.starts = map[string]map[int32]kgo.EpochOffset{}
	return nil
}

// Commit flushes what was sent and commits it together with the offsets of
// everything polled since the last Commit. committed is false when a
// rebalance forced an abort; the Source is then rewound to the committed
// offsets.
func (t *Transactor) Commit(ctx context.Context) (committed bool, err error) {
	return t.end(ctx, kgo.TryCommit)
}

// Abort drops the open transaction and rewinds the Source to the committed
// offsets.
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
	committed, err := t.sess.End(ctx, try)
	t.inTxn = false
	if !committed {
		t.sess.Client().SetOffsets(t.starts)
	}
	t.starts = nil
	if err != nil {
		return false, fmt.Errorf("kafka: end transaction: %w", err)
	}
	return committed, nil
}

// Close aborts an open transaction, leaves the group and stops the client.
// It is idempotent.
func (t *Transactor) Close() error {
	t.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), t.src.cfg.SessionTimeout)
		defer cancel()
		if err := t.Abort(ctx); err != nil {
			t.closeErr = err
		}
		_ = t.src.Close() // commits nothing: offsets go through transactions
		_ = t.sink.Close()
		t.sess.Close()
	})
	return t.closeErr
}
