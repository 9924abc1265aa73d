package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/ops"
)

// RunOptions tune how a pipeline runs. The zero value is usable.
type RunOptions struct {
	// QueueDepth is how many batches may wait between two stages, and how
	// many written batches may wait for their acknowledgement (default 4).
	// It bounds the pipeline's memory to a few batches per stage.
	QueueDepth int
	// DrainTimeout bounds how long a stopping pipeline waits for in-flight
	// batches to be written and committed after ctx ends (default 30s).
	DrainTimeout time.Duration
	// Progress, when set, receives a one-line report every ProgressEvery
	// (default 5s) and a final one when the run ends.
	Progress      io.Writer
	ProgressEvery time.Duration
	// Allocator is where stages allocate (default memory.DefaultAllocator).
	Allocator memory.Allocator
	// TxnMaxRecords and TxnMaxInterval bound a transaction of a
	// FromTransactor (exactly-once) pipeline: it commits after this many
	// source records (default 50,000) or this long (default 1s), whichever
	// comes first. Ending a transaction waits for the batches in flight, so
	// longer transactions pipeline better. Other pipelines leave both unset.
	TxnMaxRecords  int
	TxnMaxInterval time.Duration
}

func (o RunOptions) withDefaults() RunOptions {
	if o.QueueDepth <= 0 {
		o.QueueDepth = 4
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 5 * time.Second
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	if o.TxnMaxRecords <= 0 {
		o.TxnMaxRecords = 50_000
	}
	if o.TxnMaxInterval <= 0 {
		o.TxnMaxInterval = time.Second
	}
	return o
}

// ErrDrainTimeout is the cause when a stopping pipeline could not finish its
// in-flight batches within RunOptions.DrainTimeout.
var ErrDrainTimeout = errors.New("engine: in-flight batches not drained in time")

// validate reports options that are out of range or that the pipeline would
// ignore (transactional is a FromTransactor pipeline).
func (o RunOptions) validate(transactional bool) []error {
	var errs []error
	neg := func(name string, v int64) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("engine: RunOptions.%s must not be negative, got %d", name, v))
		}
	}
	neg("QueueDepth", int64(o.QueueDepth))
	neg("DrainTimeout", int64(o.DrainTimeout))
	neg("ProgressEvery", int64(o.ProgressEvery))
	neg("TxnMaxRecords", int64(o.TxnMaxRecords))
	neg("TxnMaxInterval", int64(o.TxnMaxInterval))
	if !transactional && (o.TxnMaxRecords != 0 || o.TxnMaxInterval != 0) {
		errs = append(errs, errors.New("engine: RunOptions.TxnMaxRecords and TxnMaxInterval bound transactions; they apply to FromTransactor pipelines only"))
	}
	if o.ProgressEvery != 0 && o.Progress == nil {
		errs = append(errs, errors.New("engine: RunOptions.ProgressEvery is set but Progress is nil"))
	}
	return errs
}

// txnSource is a source that commits by transaction (exactly-once): every
// batch read between two EndTxn calls commits — offsets and the sink's
// output together — or aborts. run ends a transaction only once every batch
// read in it was acknowledged, and reads nothing meanwhile.
type txnSource interface {
	Source
	// EndTxn commits the open transaction. committed is false when the
	// group rebalanced and the transaction was aborted instead: the source
	// has rewound, and its records are read again.
	EndTxn(ctx context.Context) (committed bool, err error)
}

// pending is a written batch waiting for the sink's acknowledgement.
type pending struct {
	b    *Batch
	done chan error // capacity 1: the first outcome wins
}

// finish records the batch's outcome; later calls are ignored so a sink that
// both reports through done and returns an error cannot block the pipeline.
func (p *pending) finish(err error) {
	select {
	case p.done <- err:
	default:
	}
}

// run drives source → ops → sink with one goroutine per step and bounded
// queues between them: the one pipeline driver. Each batch is committed to
// its source after the sink acknowledged it, in order. The guarantee is the
// source's: a txnSource (exactly-once) additionally has its transaction
// ended by the read step every TxnMaxRecords records or TxnMaxInterval,
// once everything read in it is acknowledged. When ctx ends, run stops
// reading, drains and commits what is in flight and returns nil; the first
// failure of any step stops everything and is returned.
func run(ctx context.Context, src Source, txn txnSource, stages []ops.Op, sink Sink, m *Metrics, o RunOptions) (err error) {
	o = o.withDefaults()
	// Work continues past ctx's end so in-flight batches drain; a failure or
	// the drain timeout cancels it.
	work, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	fail := func(err error) { cancel(err) }
	stopDrainTimer := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(o.DrainTimeout, func() { cancel(ErrDrainTimeout) })
		context.AfterFunc(work, func() { t.Stop() })
	})
	defer stopDrainTimer()

	decoded := make(chan *Batch, o.QueueDepth)
	processed := make(chan *Batch, o.QueueDepth)
	inflight := make(chan *pending, o.QueueDepth)
	var wg sync.WaitGroup

	// open counts batches read and not yet committed (or dropped); the read
	// step waits for it to reach zero before ending a transaction.
	var open atomic.Int64
	drained := make(chan struct{}, 1)
	settle := func() {
		if open.Add(-1) == 0 {
			select {
			case drained <- struct{}{}:
			default:
			}
		}
	}
	drop := func(b *Batch) {
		b.Release()
		settle()
	}

	var progressDone chan struct{}
	if o.Progress != nil {
		progressDone = make(chan struct{})
		stopProgress := make(chan struct{})
		go func() {
			defer close(progressDone)
			reportProgress(o.Progress, o.ProgressEvery, m, src, stopProgress)
		}()
		defer func() { close(stopProgress); <-progressDone }()
	}

	wg.Go(func() { // read: source → decoded; ends transactions
		defer close(decoded)
		var (
			inTxn   int       // records read in the open transaction
			started time.Time // when its first batch was read
		)
		endTxn := func() error {
			for open.Load() > 0 {
				select {
				case <-drained:
				case <-work.Done():
					return context.Cause(work)
				}
			}
			committed, err := txn.EndTxn(work)
			if err != nil {
				return fmt.Errorf("engine: commit transaction: %w", err)
			}
			if committed {
				m.txnCommits.Add(1)
			} else {
				m.txnAborts.Add(1) // a rebalance: the source rewound, its records come again
			}
			inTxn = 0
			return nil
		}
		for {
			due := txn != nil && inTxn > 0
			if due && (inTxn >= o.TxnMaxRecords || time.Since(started) >= o.TxnMaxInterval) {
				if err := endTxn(); err != nil {
					fail(err)
					return
				}
				due = false
			}
			next, stop := ctx, context.CancelFunc(func() {})
			if due { // poll no longer than the open transaction may last
				next, stop = context.WithDeadline(ctx, started.Add(o.TxnMaxInterval))
			}
			b, err := src.Next(next)
			stop()
			if err != nil {
				if due && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
					continue // the transaction is due
				}
				if !errors.Is(err, io.EOF) && ctx.Err() == nil {
					fail(fmt.Errorf("engine: source: %w", err))
					return
				}
				// Exhausted or stopping: what was read commits.
				if txn != nil && inTxn > 0 {
					if err := endTxn(); err != nil {
						fail(err)
					}
				}
				return
			}
			open.Add(1)
			m.addIn(b)
			if txn != nil {
				if inTxn == 0 {
					started = time.Now()
				}
				inTxn += b.InRecords
			}
			select {
			case decoded <- b:
			case <-work.Done():
				drop(b)
				return
			}
		}
	})

	wg.Go(func() { // transform: decoded → processed
		defer close(processed)
		for b := range decoded {
			if work.Err() != nil {
				drop(b)
				continue
			}
			if err := applyStages(o.Allocator, stages, b); err != nil {
				drop(b)
				fail(err)
				continue
			}
			select {
			case processed <- b:
			case <-work.Done():
				drop(b)
			}
		}
	})

	wg.Go(func() { // write: processed → sink, then wait in inflight
		defer close(inflight)
		for b := range processed {
			if work.Err() != nil {
				drop(b)
				continue
			}
			// The committer releases b once acknowledged, which may happen
			// before Write returns: hold our own reference for the call.
			recs := append([]arrow.RecordBatch(nil), b.Records...)
			for _, r := range recs {
				r.Retain()
			}
			rows := b.NumRows()
			p := &pending{b: b, done: make(chan error, 1)}
			select {
			case inflight <- p: // blocks while QueueDepth batches await acks
			case <-work.Done():
				drop(b)
				releaseAll(recs)
				continue
			}
			if err := sink.Write(work, recs, p.finish); err != nil {
				p.finish(err)
			}
			releaseAll(recs)
			m.addOut(rows)
		}
	})

	wg.Go(func() { // commit: in order, after each acknowledgement
		for p := range inflight {
			select {
			case err := <-p.done:
				if err != nil {
					fail(fmt.Errorf("engine: sink: %w", err))
				} else if work.Err() == nil {
					if err := src.Commit(work, p.b); err != nil {
						fail(fmt.Errorf("engine: commit: %w", err))
					}
				}
			case <-work.Done():
			}
			drop(p.b)
		}
	})

	wg.Wait()
	if cause := context.Cause(work); cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}
	if ferr := sink.Flush(work); ferr != nil && err == nil && work.Err() == nil {
		err = fmt.Errorf("engine: sink flush: %w", ferr)
	}
	return err
}

// applyStages runs every op over every record batch of b, replacing
// b.Records with the results and dropping empty ones.
func applyStages(mem memory.Allocator, stages []ops.Op, b *Batch) error {
	if len(stages) == 0 {
		return nil
	}
	out := b.Records[:0]
	var firstErr error
	for _, rec := range b.Records {
		cur := rec
		for _, st := range stages {
			if cur == nil || firstErr != nil {
				break
			}
			next, err := st.Apply(mem, cur)
			cur.Release()
			cur = next
			if err != nil {
				firstErr = fmt.Errorf("engine: stage: %w", err)
				if cur != nil {
					cur.Release()
					cur = nil
				}
			}
		}
		switch {
		case cur == nil:
		case firstErr != nil || cur.NumRows() == 0:
			cur.Release()
		default:
			out = append(out, cur)
		}
	}
	b.Records = out
	return firstErr
}

func releaseAll(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}
