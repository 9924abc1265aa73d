package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/kafka"
)

// Guarantee is a pipeline's delivery guarantee from a Kafka source to a Kafka
// sink.
type Guarantee int

const (
	// AtLeastOnce commits consumed offsets after the sink acknowledged the
	// rows they produced: nothing is lost; after a crash, rows produced
	// since the last commit are produced again.
	AtLeastOnce Guarantee = iota
	// ExactlyOnce produces rows and commits the consumed offsets in one Kafka
	// transaction: read_committed readers see every row once. It needs a
	// Kafka source with a GroupID and a Kafka sink with a TransactionalID.
	ExactlyOnce
)

// FromKafka starts a stream at a Kafka source. The source opens when the
// pipeline runs.
func FromKafka(cfg kafka.SourceConfig) *Stream {
	return &Stream{kafkaSource: &cfg}
}

// ToKafka ends the stream at a Kafka sink. The sink opens when the pipeline
// runs; with a Kafka source and RunOptions.Guarantee = ExactlyOnce both share
// one transactional client.
func (s *Stream) ToKafka(cfg kafka.SinkConfig) *Pipeline {
	return &Pipeline{stream: *s, kafkaSink: &cfg}
}

// KafkaSource adapts an open kafka.Source: each Poll is a batch, and a batch
// is marked Done (its offsets become committable) once the sink acknowledged
// it. The adapter closes src when the pipeline ends.
func KafkaSource(src *kafka.Source) Source { return &kafkaSource{src: src} }

type kafkaSource struct{ src *kafka.Source }

func (k *kafkaSource) Next(ctx context.Context) (*Batch, error) {
	for {
		kb, err := k.src.Poll(ctx)
		if err != nil {
			return nil, err
		}
		if kb.Len() == 0 {
			kb.Done()
			continue
		}
		return fromKafkaBatch(kb), nil
	}
}

// fromKafkaBatch wraps a kafka.Batch. The Arrow batches are Retained: the
// kafka.Batch releases its own when Done.
func fromKafkaBatch(kb *kafka.Batch) *Batch {
	b := &Batch{
		Records:   make([]arrow.RecordBatch, len(kb.Result.Batches)),
		Rejects:   len(kb.Result.Errors),
		InRecords: kb.Len(),
		Token:     kb,
	}
	for i, r := range kb.Result.Batches {
		r.Retain()
		b.Records[i] = r
	}
	for _, r := range kb.Records {
		b.InBytes += int64(len(r.Value))
	}
	return b
}

func (k *kafkaSource) Commit(_ context.Context, b *Batch) error {
	b.Token.(*kafka.Batch).Done()
	return nil
}

func (k *kafkaSource) Close() error { return k.src.Close() }

// Lag is the source's consumer lag summed over its partitions.
func (k *kafkaSource) Lag() int64 {
	var lag int64
	for _, l := range k.src.Metrics().Lag {
		lag += l
	}
	return lag
}

// KafkaSink adapts an open kafka.Sink: each record batch is encoded with the
// sink's codec and produced; the batch is acknowledged when every record is.
// The adapter closes sink when the pipeline ends.
func KafkaSink(sink *kafka.Sink) Sink { return &kafkaSink{sink: sink} }

type kafkaSink struct{ sink *kafka.Sink }

func (k *kafkaSink) Write(ctx context.Context, recs []arrow.RecordBatch, done func(error)) error {
	if len(recs) == 0 {
		done(nil)
		return nil
	}
	// Keys alias the Arrow buffers until the broker acknowledges, so hold a
	// reference per batch until then.
	var (
		mu      sync.Mutex
		first   error
		pending = len(recs)
	)
	for _, r := range recs {
		r.Retain()
		k.sink.SendRecordBatchAsync(ctx, r, func(err error) {
			r.Release()
			mu.Lock()
			if err != nil && first == nil {
				first = err
			}
			pending--
			last := pending == 0
			mu.Unlock()
			if last {
				done(first)
			}
		})
	}
	return nil
}

func (k *kafkaSink) Flush(ctx context.Context) error { return k.sink.Flush(ctx) }
func (k *kafkaSink) Close() error                    { return k.sink.Close() }

// open returns the pipeline's source and sink, opening the Kafka ones its
// configurations describe.
func (p *Pipeline) open() (Source, Sink, error) {
	src, sink := p.stream.source, p.sink
	if p.stream.kafkaSource != nil {
		ks, err := kafka.NewSource(*p.stream.kafkaSource)
		if err != nil {
			return nil, nil, err
		}
		src = KafkaSource(ks)
	}
	if p.kafkaSink != nil {
		ks, err := kafka.NewSink(*p.kafkaSink)
		if err != nil {
			if src != nil {
				_ = src.Close()
			}
			return nil, nil, err
		}
		sink = KafkaSink(ks)
	}
	if src == nil || sink == nil {
		return nil, nil, errors.New("engine: a pipeline needs a source and a sink")
	}
	return src, sink, nil
}

// ErrNeedsKafka is returned for ExactlyOnce without a Kafka source and sink.
var ErrNeedsKafka = errors.New("engine: ExactlyOnce needs FromKafka(...).ToKafka(...)")

// runExactlyOnce is the transactional loop: poll (which opens a transaction),
// run the stages, produce into the transaction, and commit the transaction
// with the consumed offsets every TxnMaxRecords records or TxnMaxInterval. A
// rebalance aborts the open transaction and the source rewinds, so its
// records are processed again; read_committed readers never see the aborted
// output.
func (p *Pipeline) runExactlyOnce(ctx context.Context) error {
	if p.stream.kafkaSource == nil || p.kafkaSink == nil {
		return ErrNeedsKafka
	}
	tx, err := kafka.NewTransactor(*p.stream.kafkaSource, *p.kafkaSink)
	if err != nil {
		return err
	}
	o := p.opts.withDefaults()
	sink := &kafkaSink{sink: tx.Sink()}
	var (
		inTxn    int
		txnStart time.Time
		sends    sync.WaitGroup
		sendMu   sync.Mutex
		sendErr  error
	)
	// finish waits for the open transaction's sends and commits it (or
	// aborts it when a send failed).
	finish := func(ctx context.Context) error {
		sends.Wait()
		sendMu.Lock()
		err := sendErr
		sendErr = nil
		sendMu.Unlock()
		inTxn = 0
		if err != nil {
			return errors.Join(fmt.Errorf("engine: produce in transaction: %w", err), tx.Abort(ctx))
		}
		if _, err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("engine: commit transaction: %w", err)
		}
		return nil
	}
	var total int64 // records read, for Limit
	lastBatch := time.Now()
	runErr := func() error {
		for {
			if p.stream.limit > 0 && total >= p.stream.limit {
				return finish(context.WithoutCancel(ctx))
			}
			// Poll until the open transaction is due, or the stream is idle.
			var deadline time.Time
			if inTxn > 0 {
				deadline = txnStart.Add(o.TxnMaxInterval)
			}
			if idleAt := lastBatch.Add(p.stream.idle); p.stream.idle > 0 && (deadline.IsZero() || idleAt.Before(deadline)) {
				deadline = idleAt
			}
			pollCtx, cancel := ctx, context.CancelFunc(func() {})
			if !deadline.IsZero() {
				pollCtx, cancel = context.WithDeadline(ctx, deadline)
			}
			kb, err := tx.Poll(pollCtx)
			cancel()
			if err != nil {
				switch {
				case ctx.Err() != nil: // stopping: commit what was processed
					drain, stop := context.WithTimeout(context.WithoutCancel(ctx), o.DrainTimeout)
					defer stop()
					if inTxn == 0 {
						return tx.Abort(drain)
					}
					return finish(drain)
				case errors.Is(err, context.DeadlineExceeded): // the transaction is due, or idle
					if err := finish(ctx); err != nil {
						return err
					}
					if p.stream.idle > 0 && time.Since(lastBatch) >= p.stream.idle {
						return nil
					}
					continue
				}
				return fmt.Errorf("engine: source: %w", err)
			}
			// The transaction commits the offsets of everything polled, so a
			// polled batch is always processed, even when ctx has ended.
			lastBatch = time.Now()
			total += int64(kb.Len())
			if inTxn == 0 {
				txnStart = lastBatch
			}
			b := fromKafkaBatch(kb)
			p.metrics.addIn(b)
			work := context.WithoutCancel(ctx)
			if err := applyStages(work, o.Allocator, p.stream.stages, b); err != nil {
				b.Release()
				kb.Done()
				return errors.Join(err, tx.Abort(ctx))
			}
			rows := b.NumRows()
			sends.Add(1)
			_ = sink.Write(work, b.Records, func(err error) {
				if err != nil {
					sendMu.Lock()
					if sendErr == nil {
						sendErr = err
					}
					sendMu.Unlock()
				}
				sends.Done()
			})
			p.metrics.addOut(rows)
			b.Release()
			kb.Done()
			inTxn += kb.Len()
			if ctx.Err() != nil || inTxn >= o.TxnMaxRecords || time.Since(txnStart) >= o.TxnMaxInterval {
				fctx, stop := context.WithTimeout(context.WithoutCancel(ctx), o.DrainTimeout)
				err := finish(fctx)
				stop()
				if err != nil || ctx.Err() != nil {
					return err
				}
			}
		}
	}()
	if cerr := tx.Close(); cerr != nil && runErr == nil {
		runErr = cerr
	}
	return runErr
}
