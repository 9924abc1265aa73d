package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
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
	// Guarantee is the delivery guarantee between a Kafka source and a
	// Kafka sink (default AtLeastOnce).
	Guarantee Guarantee
	// TxnMaxRecords and TxnMaxInterval bound an ExactlyOnce transaction:
	// it commits after this many source records (default 50,000) or this
	// long (default 1s), whichever comes first.
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

// run drives source → stages → sink with one goroutine per step and bounded
// queues between them, committing each batch after the sink acknowledges it
// (at-least-once). When ctx ends it stops reading, drains what is in flight and
// returns nil; the first failure of any step stops everything and is returned.
func run(ctx context.Context, src Source, stages []Stage, sink Sink, m *Metrics, o RunOptions) (err error) {
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

	wg.Go(func() { // read: source → decoded
		defer close(decoded)
		for {
			b, err := src.Next(ctx)
			if err != nil {
				if !errors.Is(err, io.EOF) && ctx.Err() == nil {
					fail(fmt.Errorf("engine: source: %w", err))
				}
				return
			}
			m.addIn(b)
			select {
			case decoded <- b:
			case <-work.Done():
				b.Release()
				return
			}
		}
	})

	wg.Go(func() { // transform: decoded → processed
		defer close(processed)
		for b := range decoded {
			if work.Err() != nil {
				b.Release()
				continue
			}
			if err := applyStages(work, o.Allocator, stages, b); err != nil {
				b.Release()
				fail(err)
				continue
			}
			select {
			case processed <- b:
			case <-work.Done():
				b.Release()
			}
		}
	})

	wg.Go(func() { // write: processed → sink, then wait in inflight
		defer close(inflight)
		for b := range processed {
			if work.Err() != nil {
				b.Release()
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
				b.Release()
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
			p.b.Release()
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

// applyStages runs every stage over every record batch of b, replacing
// b.Records with the results and dropping empty ones.
func applyStages(ctx context.Context, mem memory.Allocator, stages []Stage, b *Batch) error {
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
			next, err := st.Apply(ctx, mem, cur)
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
