package bench

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
)

// The in-memory scenarios take Kafka out: the same values and batches the
// Kafka scenarios move, decoded or encoded on one goroutine. They measure
// what the codecs' `go test -bench` benchmarks measure, so the two can be
// compared.

// chunks splits the dataset's values into kgo records, pollRecords at a time
// (the size of a Poll in the Kafka scenarios).
func (d *Dataset) chunks() [][]*kgo.Record {
	var out [][]*kgo.Record
	recs := make([]kgo.Record, len(d.Values))
	for start := 0; start < len(recs); start += pollRecords {
		end := min(start+pollRecords, len(recs))
		chunk := make([]*kgo.Record, 0, end-start)
		for i := start; i < end; i++ {
			recs[i] = kgo.Record{Value: d.Values[i], Offset: int64(i)}
			chunk = append(chunk, &recs[i])
		}
		out = append(out, chunk)
	}
	return out
}

// decodeSabot decodes n values with Sabot's Decoder, a Poll's worth per call.
func decodeSabot(ds *Dataset, dec *decode.Decoder, n int) prepFunc {
	return func(context.Context) (runFunc, func(), error) {
		chunks := ds.chunks()
		run := func(ctx context.Context) (outcome, error) {
			var o outcome
			for o.records < int64(n) {
				for _, c := range chunks {
					c = c[:min(len(c), n-int(o.records))]
					res, err := dec.Decode(ctx, c)
					if err != nil {
						return o, err
					}
					if len(res.Errors) > 0 {
						err := res.Errors[0]
						res.Release()
						return o, &err
					}
					o.records += int64(len(c))
					o.out += res.NumRows()
					for _, r := range c {
						o.bytes += int64(len(r.Value))
					}
					res.Release()
					if o.records >= int64(n) {
						break
					}
				}
			}
			return o, nil
		}
		return run, func() {}, nil
	}
}

// decodePerRecord decodes n values one at a time with lib and appends them
// to Arrow builders, one batch per Poll's worth.
func decodePerRecord(ds *Dataset, lib string, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		rc, err := newRowCodec(ctx, lib, rowEnv{format: ds.Format, schemaID: ds.SchemaID, mem: ds.mem})
		if err != nil {
			return nil, nil, err
		}
		chunks := ds.chunks()
		b := array.NewRecordBuilder(ds.mem, ds.Schema)
		run := func(context.Context) (outcome, error) {
			var o outcome
			for o.records < int64(n) {
				for _, c := range chunks {
					c = c[:min(len(c), n-int(o.records))]
					for _, r := range c {
						if err := rc.decode(r.Value); err != nil {
							return o, fmt.Errorf("%s: %w", lib, err)
						}
						rc.appendArrow(b)
						o.bytes += int64(len(r.Value))
					}
					rec := b.NewRecordBatch()
					o.records += int64(len(c))
					o.out += rec.NumRows()
					rec.Release()
					if o.records >= int64(n) {
						break
					}
				}
			}
			return o, nil
		}
		return run, b.Release, nil
	}
}

// encodeSabot encodes n rows of the dataset's batches with Sabot's Encoder
// into one reused arena.
func encodeSabot(ds *Dataset, enc *encode.Encoder, n int) prepFunc {
	return func(context.Context) (runFunc, func(), error) {
		batches := ds.rowsOf(n)
		run := func(ctx context.Context) (outcome, error) {
			var (
				o    outcome
				vals encode.Values
			)
			for _, b := range batches {
				if err := enc.Encode(ctx, b, &vals); err != nil {
					return o, err
				}
				if len(vals.Errors) > 0 {
					return o, &vals.Errors[0]
				}
				o.records += int64(vals.Len())
				o.bytes += int64(vals.Bytes())
			}
			o.out = o.records
			return o, nil
		}
		return run, func() { releaseAll(batches) }, nil
	}
}

// encodePerRecord reads n Arrow rows one at a time into Go values and
// encodes each with lib.
func encodePerRecord(ds *Dataset, lib string, n int) prepFunc {
	return func(ctx context.Context) (runFunc, func(), error) {
		rc, err := newRowCodec(ctx, lib, rowEnv{format: ds.Format, schemaID: ds.SchemaID, mem: ds.mem})
		if err != nil {
			return nil, nil, err
		}
		batches := ds.rowsOf(n)
		run := func(context.Context) (outcome, error) {
			var (
				o   outcome
				buf []byte
			)
			for _, b := range batches {
				for i := 0; i < int(b.NumRows()); i++ {
					rc.loadArrow(b, i)
					if buf, err = rc.appendEncode(buf[:0]); err != nil {
						return o, fmt.Errorf("%s: %w", lib, err)
					}
					o.records++
					o.bytes += int64(len(buf))
				}
			}
			o.out = o.records
			return o, nil
		}
		return run, func() { releaseAll(batches) }, nil
	}
}
