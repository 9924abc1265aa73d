package bench

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
)

// acks counts a producer's acknowledgements and keeps its first error.
type acks struct {
	n     atomic.Int64
	first atomic.Pointer[error]
}

func (a *acks) promise(_ *kgo.Record, err error) {
	if err != nil {
		a.first.CompareAndSwap(nil, &err)
		return
	}
	a.n.Add(1)
}

func (a *acks) err() error {
	if p := a.first.Load(); p != nil {
		return *p
	}
	return nil
}

// flush waits for cl's records and returns the first produce error.
func (a *acks) flush(ctx context.Context, cl *kgo.Client) error {
	if err := cl.Flush(ctx); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	if err := a.err(); err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	return nil
}

// produceSabot writes n rows of the dataset's Arrow batches through a Sabot
// pipeline: engine.Records → kafka sink (encode into one arena per batch,
// produce, wait for acks).
func produceSabot(s *site, enc *encode.Encoder, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		topic, err := s.topic(ctx, "produce")
		if err != nil {
			return nil, nil, err
		}
		cfg := s.sinkConfig(topic)
		cfg.Encoder = enc
		sink, m0, err := newSink(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		batches := s.ds.rowsOf(n)
		p := engine.From(engine.Records(batches...)).ToKafka(sink).
			WithOptions(engine.RunOptions{Allocator: s.ds.mem})
		releaseAll(batches) // the source holds its own references
		run := func(ctx context.Context) (outcome, error) {
			if err := p.Run(ctx); err != nil {
				return outcome{}, err
			}
			m := sink.Metrics()
			n := m.RecordsOut - m0.RecordsOut
			return outcome{records: n, bytes: m.BytesOut - m0.BytesOut, out: n}, nil
		}
		return run, func() { _ = sink.Close() }, nil
	}
}

func releaseAll(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// produceRaw is the ceiling: the values already encoded (the same bytes
// Sabot writes), produced with franz-go from a preallocated slab.
func produceRaw(s *site, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		cl, topic, err := s.producer(ctx)
		if err != nil {
			return nil, nil, err
		}
		slab := make([]kgo.Record, n)
		vals := s.ds.Values
		for i := range slab {
			slab[i] = kgo.Record{Topic: topic, Value: vals[i%len(vals)]}
		}
		run := func(ctx context.Context) (outcome, error) {
			var a acks
			var o outcome
			for i := range slab {
				o.bytes += int64(len(slab[i].Value))
				cl.Produce(ctx, &slab[i], a.promise)
			}
			err := a.flush(ctx, cl)
			o.records, o.out = a.n.Load(), a.n.Load()
			return o, err
		}
		return run, cl.Close, nil
	}
}

// producePerRecord is the per-record path: each Arrow row read into a Go
// value, encoded by lib, and produced as its own record.
func producePerRecord(s *site, lib string, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		rc, err := newRowCodec(ctx, lib, rowEnv{format: s.ds.Format, schemaID: s.ds.SchemaID, mem: s.ds.mem})
		if err != nil {
			return nil, nil, err
		}
		cl, topic, err := s.producer(ctx)
		if err != nil {
			return nil, nil, err
		}
		batches := s.ds.rowsOf(n)
		run := func(ctx context.Context) (outcome, error) {
			var a acks
			var o outcome
			for _, b := range batches {
				for i := 0; i < int(b.NumRows()); i++ {
					rc.loadArrow(b, i)
					v, err := rc.appendEncode(nil)
					if err != nil {
						return o, fmt.Errorf("%s: %w", lib, err)
					}
					o.bytes += int64(len(v))
					cl.Produce(ctx, &kgo.Record{Topic: topic, Value: v}, a.promise)
				}
			}
			err := a.flush(ctx, cl)
			o.records, o.out = a.n.Load(), a.n.Load()
			return o, err
		}
		return run, func() { cl.Close(); releaseAll(batches) }, nil
	}
}

// producer is a franz-go client with the shared producer settings, writing
// a fresh topic.
func (s *site) producer(ctx context.Context) (*kgo.Client, string, error) {
	topic, err := s.topic(ctx, "produce")
	if err != nil {
		return nil, "", err
	}
	opts, err := producerOpts(s.comp)
	if err != nil {
		return nil, "", err
	}
	cl, err := s.svc.NewClient(opts...)
	if err != nil {
		return nil, "", err
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: warmUpValue}).FirstErr(); err != nil {
		cl.Close()
		return nil, "", fmt.Errorf("warm-up record: %w", err)
	}
	return cl, topic, nil
}

// warmUpValue is written once by every producer before its measured run, so
// the run does not include connecting, the producer id, or waiting for the
// metadata of a topic just created (on a real broker that can be seconds).
// Output topics hold it besides what the run writes; counts leave it out.
var warmUpValue = []byte("sabot-bench warm-up")

// newSink opens a Sabot sink and writes the warm-up record through it; the
// returned metrics are what the run's counts start from.
func newSink(ctx context.Context, cfg kafka.SinkConfig) (*kafka.Sink, kafka.SinkMetrics, error) {
	sink, err := kafka.NewSink(cfg)
	if err != nil {
		return nil, kafka.SinkMetrics{}, err
	}
	if err := sink.SendRecords(ctx, kafka.Record{Value: warmUpValue}); err != nil {
		_ = sink.Close()
		return nil, kafka.SinkMetrics{}, fmt.Errorf("warm-up record: %w", err)
	}
	return sink, sink.Metrics(), nil
}
