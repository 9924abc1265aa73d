package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
)

// Stream is a pipeline under construction: a source and the ops its batches
// pass through. Methods return the Stream so calls chain:
//
//	src, err := kafka.NewSource(srcCfg)
//	...
//	sink, err := kafka.NewSink(sinkCfg)
//	...
//	err = engine.FromKafka(src).Filter(pred).Map(ops.Select("id", "amount")).ToKafka(sink).Run(ctx)
type Stream struct {
	source Source
	tx     *kafka.Transactor // FromTransactor
	stages []ops.Op
	limit  int64         // Limit
	idle   time.Duration // StopWhenIdle
}

// From starts a stream at src: Records, or a Source of your own.
func From(src Source) *Stream { return &Stream{source: src} }

// FromKafka starts a stream at an open Kafka source (kafka.NewSource). Each
// Poll is a batch; a batch is marked Done, its offsets committable, once the
// sink acknowledged it (at-least-once). The pipeline closes src when it
// ends.
func FromKafka(src *kafka.Source) *Stream {
	return &Stream{source: &kafkaSource{poll: src.Poll, src: src, close: src.Close}}
}

// FromTransactor starts an exactly-once stream at a Transactor opened with a
// Source (kafka.NewTransactor): the rows written to tx.Sink() — the only
// sink such a stream may end at — and the consumed offsets commit in one
// transaction every RunOptions.TxnMaxRecords records or TxnMaxInterval.
// read_committed readers see each input's output once. The pipeline closes
// tx when it ends.
func FromTransactor(tx *kafka.Transactor) *Stream {
	return &Stream{source: &kafkaTxnSource{kafkaSource{poll: tx.Poll, src: tx.Source(), close: tx.Close}, tx}, tx: tx}
}

// Filter keeps the rows for which pred is true (not false, not null), e.g.
//
//	ops.Col("amount").Gt(ops.Lit(100.0)).And(ops.Col("currency").Eq(ops.Lit("EUR")))
//
// It is Map(ops.Where(pred)): the expression is bound to each batch layout
// once and evaluated with whole-column kernels. A predicate expressions
// cannot say is Map(ops.WhereFunc(fn)).
func (s *Stream) Filter(pred ops.Expr) *Stream { return s.Map(ops.Where(pred)) }

// Map applies op to every batch: any ops.Op — ops.Select, ops.Project,
// ops.WithColumn, ops.Rename, ops.Where, ops.Func for a function of your own,
// or ops.Chain of them. Ops allocate from RunOptions.Allocator.
func (s *Stream) Map(op ops.Op) *Stream {
	s.stages = append(s.stages, op)
	return s
}

// Limit ends the stream after the source has read n records (the batch that
// reaches n is the last; it is processed in full). n ≤ 0 means no limit.
func (s *Stream) Limit(n int64) *Stream {
	s.limit = n
	return s
}

// StopWhenIdle ends the stream when no batch arrives for d: a way to drain a
// topic and stop. d ≤ 0 means never.
func (s *Stream) StopWhenIdle(d time.Duration) *Stream {
	s.idle = d
	return s
}

// To ends the stream at sink (IPC, Func, or a Sink of your own), giving a
// Pipeline to run.
func (s *Stream) To(sink Sink) *Pipeline {
	return &Pipeline{stream: *s, sink: sink}
}

// ToKafka ends the stream at an open Kafka sink (kafka.NewSink, or a
// Transactor's Sink): each record batch is encoded with the sink's codec and
// produced, and a batch is acknowledged when every record is. The pipeline
// closes sink when it ends.
func (s *Stream) ToKafka(sink *kafka.Sink) *Pipeline {
	return &Pipeline{stream: *s, sink: &kafkaSink{sink: sink}, kafkaSink: sink}
}

// Pipeline is a source, its ops and a sink, ready to run.
type Pipeline struct {
	stream    Stream
	sink      Sink
	kafkaSink *kafka.Sink // ToKafka
	opts      RunOptions
	metrics   Metrics

	mu     sync.Mutex
	source Source // set by Run; read by Metrics
}

// WithOptions sets how the pipeline runs.
func (p *Pipeline) WithOptions(o RunOptions) *Pipeline {
	p.opts = o
	return p
}

// Run moves batches until ctx ends (then drains in-flight batches, commits
// them and returns nil) or a bounded source is exhausted, or a step fails
// (then returns that cause). Every problem with the pipeline's shape and
// options is reported at once, before anything moves. The source and sink
// are closed when it returns.
func (p *Pipeline) Run(ctx context.Context) error {
	src, sink := p.stream.source, p.sink
	if err := p.validate(); err != nil {
		if src != nil {
			_ = src.Close()
		}
		if sink != nil {
			_ = sink.Close()
		}
		return err
	}
	txn, _ := src.(txnSource)
	src = bound(src, p.stream.limit, p.stream.idle)
	p.mu.Lock()
	p.source = src
	p.mu.Unlock()
	err := run(ctx, src, txn, p.stream.stages, sink, &p.metrics, p.opts)
	if cerr := sink.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("engine: closing sink: %w", cerr)
	}
	if cerr := src.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("engine: closing source: %w", cerr)
	}
	return err
}

// Metrics is what the pipeline has moved so far; safe to call while it runs.
func (p *Pipeline) Metrics() Snapshot {
	p.mu.Lock()
	src := p.source
	p.mu.Unlock()
	return p.metrics.Snapshot(src)
}

// ErrClosed is returned by sources and sinks used after Close.
var ErrClosed = errors.New("engine: closed")
