package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
	djson "github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/decode/msgpack"
	"github.com/sabot-kafka/sabot/kafka"
)

// exportSample is how many values an export infers json, msgpack or arrow
// columns from.
const exportSample = 1000

// needsInference reports whether f is a format whose values carry no schema
// and that was given no layout.
func needsInference(f codec.Format) bool {
	switch f := f.(type) {
	case codec.JSON:
		return f.ArrowSchema == nil
	case codec.MsgPack:
		return f.ArrowSchema == nil
	case codec.Arrow:
		return f.ArrowSchema == nil
	}
	return false
}

// inferLayout infers the value columns from the first records the export
// will read: a first pass over the same start position, with a source that
// hands out raw values and commits nothing. Values that do not infer on
// their own (malformed ones) are left out, so they meet the error policy in
// the export instead of failing it. Nil when there is no value to infer
// from.
func (ex *exporter) inferLayout(ctx context.Context) (*arrow.Schema, error) {
	if ex.start == "latest" {
		return nil, errors.New("-start latest reads only records that arrive later, so there are none to infer the columns from: give -layout")
	}
	values, err := ex.sample(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the first records to infer the columns from: %w", err)
	}
	if len(values) == 0 {
		return nil, nil
	}
	f := ex.cfg.Codec.Format
	lim := ex.cfg.Codec.Limits
	infer := func(vs [][]byte) (*arrow.Schema, error) {
		switch f := f.(type) {
		case codec.MsgPack:
			return msgpack.Infer(vs, msgpack.InferOptions{Limits: lim, UnknownExt: f.UnknownExt})
		case codec.Arrow:
			return arrowipc.SchemaOf(vs[0], lim)
		}
		return djson.Infer(vs, lim)
	}
	if _, isArrow := f.(codec.Arrow); !isArrow {
		if s, err := infer(values); err == nil {
			return s, nil
		}
	}
	good := values[:0]
	var first error
	for _, v := range values {
		if _, err := infer([][]byte{v}); err != nil {
			first = cmp.Or(first, err)
			continue
		}
		good = append(good, v)
	}
	if len(good) == 0 {
		return nil, fmt.Errorf("none of the first %d values is %s: %w", len(values), f.Name(), first)
	}
	s, err := infer(good)
	if err != nil {
		return nil, fmt.Errorf("inferring the %s columns: %w", f.Name(), err)
	}
	return s, nil
}

// sample reads up to exportSample values (tombstones aside) from the start
// position. It waits up to the idle timeout for the first records and a
// second for each further batch: a sample needs the first records, not the
// whole topic.
func (ex *exporter) sample(ctx context.Context) ([][]byte, error) {
	cfg := ex.cfg
	cfg.Codec = codec.Spec{Format: codec.Bytes{}}
	cfg.OnError = kafka.ErrorPolicy{}
	cfg.DisableAutoCommit = true
	cfg.MaxPollRecords = exportSample
	src, err := kafka.NewSource(cfg)
	if err != nil {
		return nil, err
	}
	// Batches are never marked Done before Close, so nothing is committed
	// for a -group; they are Done after it, to release their memory.
	var held []*kafka.Batch
	defer func() {
		_ = src.Close()
		for _, b := range held {
			b.Done()
		}
	}()
	if err := ex.seek(ctx, src); err != nil {
		return nil, err
	}
	var values [][]byte
	wait := ex.idle
	for len(values) < exportSample {
		pctx, cancel := context.WithTimeout(ctx, wait)
		b, err := src.Poll(pctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			break
		}
		if err != nil {
			return nil, err
		}
		held = append(held, b)
		for _, r := range b.Records {
			if r.Value != nil && len(values) < exportSample {
				values = append(values, bytes.Clone(r.Value))
			}
		}
		wait = min(ex.idle, time.Second)
	}
	return values, nil
}
