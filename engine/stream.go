package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
)

// Stream is a pipeline under construction: a source and the stages its batches
// pass through. Methods return the Stream so calls chain:
//
//	err := engine.From(src).Filter(pred).Map(ops.Select("id", "amount")).To(sink).Run(ctx)
type Stream struct {
	source      Source
	kafkaSource *kafka.SourceConfig // FromKafka: opened by Run
	stages      []Stage
	limit       int64         // Limit
	idle        time.Duration // StopWhenIdle
}

// From starts a stream at src.
func From(src Source) *Stream { return &Stream{source: src} }

// Filter keeps the rows for which pred is true (not false, not null), e.g.
//
//	ops.Col("amount").Gt(ops.Lit(100.0)).And(ops.Col("currency").Eq(ops.Lit("EUR")))
//
// The expression is bound to each batch layout once and evaluated with
// whole-column kernels.
func (s *Stream) Filter(pred ops.Expr) *Stream { return s.Via(opStage{ops.Where(pred)}) }

// FilterFunc keeps the rows for which mask's result is true.
func (s *Stream) FilterFunc(mask ops.MaskFunc) *Stream { return s.Via(opStage{ops.WhereFunc(mask)}) }

// Map applies op to every batch: ops.Select, ops.Project, ops.WithColumn,
// ops.Rename, ops.Func, or ops.Chain of them.
func (s *Stream) Map(op ops.Op) *Stream { return s.Via(opStage{op}) }

// MapFunc applies a user function to every batch. It must not release its
// input; it returns a batch the caller owns (Retain the input to pass it
// through).
func (s *Stream) MapFunc(fn func(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error)) *Stream {
	return s.Via(stageFunc(func(ctx context.Context, _ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		return fn(ctx, rec)
	}))
}

// Via adds any Stage.
func (s *Stream) Via(st Stage) *Stream {
	s.stages = append(s.stages, st)
	return s
}

// opStage runs an ops.Op as a stage.
type opStage struct{ op ops.Op }

func (o opStage) Apply(_ context.Context, mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	return o.op.Apply(mem, rec)
}

type stageFunc func(ctx context.Context, mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error)

func (f stageFunc) Apply(ctx context.Context, mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	return f(ctx, mem, rec)
}

// To ends the stream at sink, giving a Pipeline to run.
func (s *Stream) To(sink Sink) *Pipeline {
	return &Pipeline{stream: *s, sink: sink}
}

// Pipeline is a source, its stages and a sink, ready to run.
type Pipeline struct {
	stream    Stream
	sink      Sink
	kafkaSink *kafka.SinkConfig
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

// Run moves batches until ctx ends (then drains in-flight batches, commits them
// and returns nil) or a bounded source is exhausted, or a step fails (then
// returns that cause). The source and sink are closed when it returns.
func (p *Pipeline) Run(ctx context.Context) error {
	if p.opts.Guarantee == ExactlyOnce {
		return p.runExactlyOnce(ctx)
	}
	src, sink, err := p.open()
	if err != nil {
		return err
	}
	src = bound(src, p.stream.limit, p.stream.idle)
	p.mu.Lock()
	p.source = src
	p.mu.Unlock()
	err = run(ctx, src, p.stream.stages, sink, &p.metrics, p.opts)
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
