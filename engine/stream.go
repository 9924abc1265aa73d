package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"github.com/sabot-kafka/sabot/kafka"
)

// Stream is a pipeline under construction: a source and the stages its batches
// pass through. Methods return the Stream so calls chain:
//
//	err := engine.From(src).Filter(pred).Map(fn).To(sink).Run(ctx)
type Stream struct {
	source      Source
	kafkaSource *kafka.SourceConfig // FromKafka: opened by Run
	stages      []Stage
}

// From starts a stream at src.
func From(src Source) *Stream { return &Stream{source: src} }

// MaskFunc computes a boolean mask over a whole batch: rows where it is true
// (not false, not null) are kept.
type MaskFunc func(ctx context.Context, rec arrow.RecordBatch) (*array.Boolean, error)

// Filter keeps the rows for which mask is true.
func (s *Stream) Filter(mask MaskFunc) *Stream {
	return s.Via(StageFunc(func(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		m, err := mask(ctx, rec)
		if err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
		defer m.Release()
		if m.Len() != int(rec.NumRows()) {
			return nil, fmt.Errorf("filter: mask has %d rows, batch %d", m.Len(), rec.NumRows())
		}
		if m.NullN() == 0 && countTrue(m) == m.Len() {
			rec.Retain() // every row kept: no copy
			return rec, nil
		}
		out, err := compute.FilterRecordBatch(ctx, rec, m, compute.DefaultFilterOptions())
		if err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
		return out, nil
	}))
}

func countTrue(m *array.Boolean) int {
	return bitutil.CountSetBits(m.Data().Buffers()[1].Bytes(), m.Data().Offset(), m.Len())
}

// MapFunc turns a batch into a new one (projection, computed columns, any
// user function). It must not release its input; it returns a batch the
// caller owns (Retain the input to pass it through).
type MapFunc func(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error)

// Map applies fn to every batch.
func (s *Stream) Map(fn MapFunc) *Stream {
	return s.Via(StageFunc(fn))
}

// Via adds any Stage.
func (s *Stream) Via(st Stage) *Stream {
	s.stages = append(s.stages, st)
	return s
}

// To ends the stream at sink, giving a Pipeline to run.
func (s *Stream) To(sink Sink) *Pipeline {
	return &Pipeline{source: s.source, kafkaSource: s.kafkaSource, stages: s.stages, sink: sink}
}

// Pipeline is a source, its stages and a sink, ready to run.
type Pipeline struct {
	source      Source
	kafkaSource *kafka.SourceConfig
	stages      []Stage
	sink        Sink
	kafkaSink   *kafka.SinkConfig
	opts        RunOptions
	metrics     Metrics
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
	if err := p.open(); err != nil {
		return err
	}
	err := run(ctx, p.source, p.stages, p.sink, &p.metrics, p.opts)
	if cerr := p.sink.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("engine: closing sink: %w", cerr)
	}
	if cerr := p.source.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("engine: closing source: %w", cerr)
	}
	return err
}

// Metrics is what the pipeline has moved so far; safe to call while it runs.
func (p *Pipeline) Metrics() Snapshot { return p.metrics.Snapshot(p.source) }

// ErrClosed is returned by sources and sinks used after Close.
var ErrClosed = errors.New("engine: closed")
