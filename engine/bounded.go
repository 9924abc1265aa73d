package engine

import (
	"context"
	"errors"
	"io"
	"time"
)

// bounded wraps a Source to end it (io.EOF) after a record limit or an idle
// spell.
type bounded struct {
	Source
	left int64         // records still to read; ≤ 0 with limited means done
	lim  bool          // a limit applies
	idle time.Duration // 0: no idle stop
}

func bound(src Source, limit int64, idle time.Duration) Source {
	if limit <= 0 && idle <= 0 {
		return src
	}
	return &bounded{Source: src, left: limit, lim: limit > 0, idle: idle}
}

func (b *bounded) Next(ctx context.Context) (*Batch, error) {
	if b.lim && b.left <= 0 {
		return nil, io.EOF
	}
	pctx, cancel := ctx, context.CancelFunc(func() {})
	if b.idle > 0 {
		pctx, cancel = context.WithTimeout(ctx, b.idle)
	}
	batch, err := b.Source.Next(pctx)
	cancel()
	if err != nil {
		if b.idle > 0 && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, io.EOF
		}
		return nil, err
	}
	b.left -= int64(batch.InRecords)
	return batch, nil
}

// Lag forwards to the wrapped source.
func (b *bounded) Lag() int64 {
	if l, ok := b.Source.(Lagger); ok {
		return l.Lag()
	}
	return -1
}
