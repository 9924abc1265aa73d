package ops

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Casts run on arrow-go's compute kernels: they cover every pair of types
// (numbers, strings, timestamps with parsing, decimals) and check overflow
// and truncation. The exceptions are in cast_hand.go.

func computeCtx(mem memory.Allocator) context.Context {
	return compute.WithAllocator(context.Background(), mem)
}

// castKernel returns the kernel casting from one type to another, checked
// once at bind time by casting an empty array.
func castKernel(from, to arrow.DataType) (unaryFn, error) {
	if arrow.TypeEqual(from, to) {
		return func(_ memory.Allocator, a arrow.Array) (arrow.Array, error) {
			a.Retain()
			return a, nil
		}, nil
	}
	if k := handCast(from, to); k != nil {
		return k, nil
	}
	if !compute.CanCast(from, to) {
		return nil, fmt.Errorf("no cast from %s to %s", from, to)
	}
	opts := compute.SafeCastOptions(to)
	err := probe(func() error {
		in := array.MakeArrayOfNull(memory.DefaultAllocator, from, 0)
		defer in.Release()
		out, err := compute.CastArray(context.Background(), in, opts)
		if err == nil {
			out.Release()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
		return compute.CastArray(computeCtx(mem), a, opts)
	}, nil
}

// withCast wraps a bound node in the conversion binding chose for it, to a
// common numeric type: a plain conversion (compute's unchecked cast), where
// an integer past 2^53 rounds on its way to float64, which is what comparing
// it with a float means. A hand-written loop measured slower than compute's
// SIMD casts (BenchmarkKernels/widen-*).
func withCast(n *bnode, to arrow.DataType, text string) (*bnode, error) {
	if arrow.TypeEqual(n.typ, to) {
		return n, nil
	}
	if !isNumeric(n.typ) || !isNumeric(to) {
		return nil, typeErr(text, n.col, fmt.Sprintf("no conversion from %s to %s", n.typ, to))
	}
	opts := compute.UnsafeCastOptions(to)
	fn := func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
		return compute.CastArray(computeCtx(mem), a, opts)
	}
	return &bnode{typ: to, ev: &unaryEval{n.ev, fn, text}, text: n.text, col: n.col}, nil
}

func (b *binder) bindCast(n castNode, text string) (*bnode, error) {
	x, err := b.bind(n.x)
	if err != nil {
		return nil, err
	}
	if n.to == nil {
		return nil, typeErr(text, x.col, "cast to a nil type")
	}
	if x.isLit {
		// A literal cast is converted once, here.
		if x.val == nil {
			return &bnode{typ: n.to, ev: constEval{scalar.MakeNullScalar(n.to)}, text: text}, nil
		}
		if sc, err := literalScalar(x.val, n.to); err == nil {
			return &bnode{typ: n.to, ev: constEval{sc}, text: text}, nil
		}
		if x = b.materialize(x); x.err != nil {
			return nil, x.err
		}
	}
	if arrow.TypeEqual(x.typ, n.to) {
		return x, nil
	}
	fn, err := castKernel(x.typ, n.to)
	if err != nil {
		return nil, typeErr(text, x.col, err.Error())
	}
	return &bnode{typ: n.to, ev: &unaryEval{x.ev, fn, text}, text: text, col: x.col}, nil
}

// probe runs a bind-time trial of a compute kernel on empty input. arrow-go
// panics on some type combinations instead of returning an error; here that
// becomes an error, at bind time, never while running.
func probe(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not supported by compute: %v", r)
		}
	}()
	return f()
}
