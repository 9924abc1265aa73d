package bench

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
)

// The pipeline's filter and map. Sabot runs them as ops kernels over whole
// batches, the per-record path as Go code per row; both keep the same rows
// and compute the same values.
//
// Transactions: keep amount ≥ 100 (about 90% of rows), then amount *= 1.1.
// String and Bytes values (JSON text): drop values containing "ok":false
// (about 10%), no map.
const (
	keepMinAmount = 100.0
	amountFactor  = 1.1
)

var rawDropMarker = []byte(`"ok":false`)

func keepAmount(a float64) bool   { return a >= keepMinAmount }
func mapAmount(a float64) float64 { return a * amountFactor }

// pipelineOps are the pipeline's Sabot filter predicate and map for the
// format named name.
func pipelineOps(name string) (ops.Expr, ops.Op) {
	if rawFormat(name) {
		keepAll := ops.Func(func(_ memory.Allocator, r arrow.RecordBatch) (arrow.RecordBatch, error) { r.Retain(); return r, nil })
		return ops.Not(ops.Col("value").Contains(string(rawDropMarker))), keepAll
	}
	return ops.Col("amount").Ge(ops.Lit(keepMinAmount)),
		ops.WithColumn("amount", ops.Col("amount").Mul(ops.Lit(amountFactor)))
}

// pipelineSabot runs engine.From(kafka source).Filter.Map.To(kafka sink)
// over n records: decode, filter and map, encode and produce overlap in
// their own goroutines.
func pipelineSabot(s *site, dec *decode.Decoder, enc *encode.Encoder, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		out, err := s.topic(ctx, "out")
		if err != nil {
			return nil, nil, err
		}
		scfg := s.sourceConfig()
		scfg.Decoder = dec
		src, err := kafka.NewSource(scfg)
		if err != nil {
			return nil, nil, err
		}
		kcfg := s.sinkConfig(out)
		kcfg.Encoder = enc
		sink, m0, err := newSink(ctx, kcfg)
		if err != nil {
			_ = src.Close()
			return nil, nil, err
		}
		pred, mapOp := pipelineOps(s.ds.Format)
		p := engine.FromKafka(src).Limit(int64(n)).Filter(pred).Map(mapOp).ToKafka(sink).
			WithOptions(engine.RunOptions{Allocator: s.ds.mem})
		run := func(ctx context.Context) (outcome, error) {
			if err := p.Run(ctx); err != nil {
				return outcome{}, err
			}
			m := p.Metrics()
			return outcome{records: m.InRecords, bytes: m.InBytes, out: sink.Metrics().RecordsOut - m0.RecordsOut}, nil
		}
		return run, func() { _ = sink.Close(); _ = src.Close() }, nil
	}
}

// pipelineRaw is the ceiling: franz-go consumes and produces the same
// values, with nothing decoded, filtered or encoded.
func pipelineRaw(s *site, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		return relay(ctx, s, n, func(recs []*kgo.Record, produce func(*kgo.Record)) error {
			slab := make([]kgo.Record, len(recs))
			for i, r := range recs {
				slab[i] = kgo.Record{Value: r.Value}
				produce(&slab[i])
			}
			return nil
		})
	}
}

// pipelinePerRecord is the per-record path: each value decoded by lib into
// a Go value, filtered and mapped, encoded back and produced on its own.
func pipelinePerRecord(s *site, lib string, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		rc, err := newRowCodec(ctx, lib, rowEnv{format: s.ds.Format, schemaID: s.ds.SchemaID, mem: s.ds.mem})
		if err != nil {
			return nil, nil, err
		}
		return relay(ctx, s, n, func(recs []*kgo.Record, produce func(*kgo.Record)) error {
			for _, r := range recs {
				if err := rc.decode(r.Value); err != nil {
					return fmt.Errorf("%s: offset %d: %w", lib, r.Offset, err)
				}
				if !rc.keep() {
					continue
				}
				rc.transform()
				v, err := rc.appendEncode(nil)
				if err != nil {
					return fmt.Errorf("%s: %w", lib, err)
				}
				produce(&kgo.Record{Value: v})
			}
			return nil
		})
	}
}

// relay is the loop of the franz-go pipelines: poll n records from the
// input, hand each fetch to each, which produces what it makes of it to a
// fresh topic, then flush and count the acknowledgements.
func relay(ctx context.Context, s *site, n int, each func(recs []*kgo.Record, produce func(*kgo.Record)) error) (runFunc, func(), error) {
	cl, err := s.svc.NewClient(consumerOpts(s.in)...)
	if err != nil {
		return nil, nil, err
	}
	pr, topic, err := s.producer(ctx)
	if err != nil {
		cl.Close()
		return nil, nil, err
	}
	run := func(ctx context.Context) (outcome, error) {
		var a acks
		produce := func(r *kgo.Record) {
			r.Topic = topic
			pr.Produce(ctx, r, a.promise)
		}
		o, err := pollLoop(ctx, cl, n, func(recs []*kgo.Record) error { return each(recs, produce) })
		if err == nil {
			err = a.flush(ctx, pr)
		}
		o.out = a.n.Load()
		return o, err
	}
	return run, func() { cl.Close(); pr.Close() }, nil
}
