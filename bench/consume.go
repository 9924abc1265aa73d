package bench

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
)

// consumeSabot reads n records through a Sabot Source: fetch, then decode
// into Arrow batches (Source.Poll), one goroutine.
func consumeSabot(s *site, dec *decode.Decoder, n int) prepFunc {
	return func(context.Context) (runFunc, func(), error) {
		cfg := s.sourceConfig()
		cfg.Decoder = dec
		src, err := kafka.NewSource(cfg)
		if err != nil {
			return nil, nil, err
		}
		run := func(ctx context.Context) (outcome, error) {
			var o outcome
			for o.records < int64(n) {
				b, err := src.Poll(ctx)
				if err != nil {
					return o, fmt.Errorf("poll after %d records: %w", o.records, err)
				}
				o.records += int64(b.Len())
				o.out += b.NumRows()
				for _, r := range b.Records {
					o.bytes += int64(len(r.Value))
				}
				b.Done()
			}
			return o, nil
		}
		return run, func() { _ = src.Close() }, nil
	}
}

// pollLoop polls cl until n records arrived, handing each fetch's records to
// each (which may be nil).
func pollLoop(ctx context.Context, cl *kgo.Client, n int, each func([]*kgo.Record) error) (outcome, error) {
	var o outcome
	for o.records < int64(n) {
		fs := cl.PollRecords(ctx, pollRecords)
		if err := ctx.Err(); err != nil {
			return o, err
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) {
			ferr = errors.Join(ferr, fmt.Errorf("fetch %s/%d: %w", t, p, err))
		})
		if ferr != nil {
			return o, ferr
		}
		recs := fs.Records()
		o.records += int64(len(recs))
		for _, r := range recs {
			o.bytes += int64(len(r.Value))
		}
		if each != nil {
			if err := each(recs); err != nil {
				return o, err
			}
		}
	}
	return o, nil
}

// consumeRaw is the ceiling: franz-go fetches the records and nothing
// decodes them.
func consumeRaw(s *site, n int) prepFunc {
	return func(context.Context) (runFunc, func(), error) {
		cl, err := s.svc.NewClient(consumerOpts(s.in)...)
		if err != nil {
			return nil, nil, err
		}
		run := func(ctx context.Context) (outcome, error) {
			o, err := pollLoop(ctx, cl, n, nil)
			o.out = o.records
			return o, err
		}
		return run, cl.Close, nil
	}
}

// consumePerRecord is the per-record path: franz-go fetches, lib decodes
// each value into a Go value, which is appended to Arrow builders; each
// fetch becomes one Arrow batch.
func consumePerRecord(s *site, lib string, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		rc, err := newRowCodec(ctx, lib, rowEnv{format: s.ds.Format, schemaID: s.ds.SchemaID, mem: s.ds.mem})
		if err != nil {
			return nil, nil, err
		}
		cl, err := s.svc.NewClient(consumerOpts(s.in)...)
		if err != nil {
			return nil, nil, err
		}
		b := array.NewRecordBuilder(s.ds.mem, s.ds.Schema)
		var rows int64
		run := func(ctx context.Context) (outcome, error) {
			o, err := pollLoop(ctx, cl, n, func(recs []*kgo.Record) error {
				for _, r := range recs {
					if err := rc.decode(r.Value); err != nil {
						return fmt.Errorf("%s: offset %d: %w", lib, r.Offset, err)
					}
					rc.appendArrow(b)
				}
				rec := b.NewRecordBatch()
				rows += rec.NumRows()
				rec.Release()
				return nil
			})
			o.out = rows
			return o, err
		}
		return run, func() { cl.Close(); b.Release() }, nil
	}
}
