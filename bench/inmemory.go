package bench

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
)

// The in-memory scenarios take Kafka out: the same values and batches the
// Kafka scenarios move, decoded or encoded on one goroutine. They measure
// what the codecs' `go test -bench` benchmarks measure, so the two can be
// compared.

// chunks splits the dataset's values pollRecords at a time (the size of a
// Poll in the Kafka scenarios).
func (d *Dataset) chunks() [][][]byte {
	var out [][][]byte
	for start := 0; start < len(d.Values); start += pollRecords {
		out = append(out, d.Values[start:min(start+pollRecords, len(d.Values))])
	}
	return out
}

// decodeSabot decodes n values with Sabot's Decoder, a Poll's worth per call.
func decodeSabot(ds *Dataset, dec *decode.Decoder, n int) prepFunc {
	return func(context.Context) (runFunc, func(), error) {
		chunks := ds.chunks()
		var in decode.Input
		run := func(ctx context.Context) (outcome, error) {
			var o outcome
			for o.records < int64(n) {
				for _, c := range chunks {
					c = c[:min(len(c), n-int(o.records))]
					in.Values = c
					res, err := dec.Decode(ctx, &in)
					if err != nil {
						res.Release() // an outage returns what decoded before it
						return o, err
					}
					if len(res.Errors) > 0 {
						err := res.Errors[0]
						res.Release()
						return o, &err
					}
					o.records += int64(len(c))
					o.out += res.NumRows()
					for _, v := range c {
						o.bytes += int64(len(v))
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
					for _, v := range c {
						if err := rc.decode(v); err != nil {
							return o, fmt.Errorf("%s: %w", lib, err)
						}
						rc.appendArrow(b)
						o.bytes += int64(len(v))
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
