package ops

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Binding of arithmetic. Integers run on the checked loops of arith.go;
// floats and decimals on compute's kernels (see floatViaCompute).

func (b *binder) bindArith(n arithNode, text string) (*bnode, error) {
	l, err := b.bind(n.l)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(n.r)
	if err != nil {
		return nil, err
	}
	if l.isLit && r.isLit {
		return nil, typeErr(text, "", "both operands are literals")
	}
	scalarLeft := false
	if l.isLit {
		l, r, scalarLeft = r, l, true
	}
	if !isNumeric(l.typ) && !isDecimal(l.typ) {
		return nil, typeErr(text, l.col, fmt.Sprintf("arithmetic needs numbers, not %s", l.typ))
	}
	if r.isLit {
		if r.val == nil {
			return &bnode{typ: l.typ, ev: constEval{scalar.MakeNullScalar(l.typ)}, text: text}, nil
		}
		v, widen, err := coerceTo(r, l.typ)
		if err != nil {
			return nil, typeErr(text, l.col, fmt.Sprintf("cannot combine %s with %s: %v", l.typ, r.text, err))
		}
		if widen != nil {
			if l, err = withCast(l, widen, text); err != nil {
				return nil, err
			}
		}
		if isDecimal(l.typ) || floatViaCompute(l.typ) {
			sc, err := literalScalar(r.val, l.typ)
			if err != nil {
				return nil, typeErr(text, l.col, err.Error())
			}
			return arithViaCompute(n.op, l, nil, sc, scalarLeft, text)
		}
		mk := arithKernels(l.typ, n.op)
		return &bnode{typ: l.typ, ev: &unaryEval{l.ev, mk.scalar(v, scalarLeft), text}, text: text}, nil
	}
	if !isNumeric(r.typ) && !isDecimal(r.typ) {
		return nil, typeErr(text, r.col, fmt.Sprintf("arithmetic needs numbers, not %s", r.typ))
	}
	if isDecimal(l.typ) || isDecimal(r.typ) {
		return arithViaCompute(n.op, l, r, nil, false, text)
	}
	common, ok := commonNumeric(l.typ, r.typ)
	if !ok {
		return nil, typeErr(text, firstNonEmpty(l.col, r.col),
			fmt.Sprintf("no common type for %s and %s; cast one side", l.typ, r.typ))
	}
	if l, err = withCast(l, common, text); err != nil {
		return nil, err
	}
	if r, err = withCast(r, common, text); err != nil {
		return nil, err
	}
	if floatViaCompute(common) {
		return arithViaCompute(n.op, l, r, nil, false, text)
	}
	mk := arithKernels(common, n.op)
	return &bnode{typ: common, ev: &binaryEval{l.ev, r.ev, mk.vector, text}, text: text}, nil
}

// floatViaCompute: float arithmetic (no checks, IEEE results) runs on
// compute's SIMD kernels, measured faster than the loops here
// (BenchmarkKernels/f64*scalar); integer arithmetic, which is checked, stays
// on the loops here, measured 2-3x faster than compute's checked kernels.
func floatViaCompute(dt arrow.DataType) bool {
	return dt.ID() == arrow.FLOAT32 || dt.ID() == arrow.FLOAT64
}

func isDecimal(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

type arithMaker struct {
	vector binaryFn
	scalar func(v any, left bool) unaryFn
}

func arithFor[T number](dt arrow.DataType, op ArithOp) arithMaker {
	f := arithLoop[T](op, dt)
	return arithMaker{
		vector: func(mem memory.Allocator, a, b arrow.Array) (arrow.Array, error) {
			return arithVector(mem, op, f, dt, a, b)
		},
		scalar: func(v any, left bool) unaryFn {
			s := v.(T)
			return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return arithScalar(mem, op, f, dt, a, s, left)
			}
		},
	}
}

// arithKernels picks the hand-written loops for a numeric type (callers check
// isNumeric first).
func arithKernels(dt arrow.DataType, op ArithOp) arithMaker {
	switch dt.ID() {
	case arrow.INT8:
		return arithFor[int8](dt, op)
	case arrow.INT16:
		return arithFor[int16](dt, op)
	case arrow.INT32:
		return arithFor[int32](dt, op)
	case arrow.INT64:
		return arithFor[int64](dt, op)
	case arrow.UINT8:
		return arithFor[uint8](dt, op)
	case arrow.UINT16:
		return arithFor[uint16](dt, op)
	case arrow.UINT32:
		return arithFor[uint32](dt, op)
	case arrow.UINT64:
		return arithFor[uint64](dt, op)
	case arrow.FLOAT32:
		return arithFor[float32](dt, op)
	}
	return arithFor[float64](dt, op)
}

// computeFn names compute's function for op: the checked forms for
// decimals (overflow is an error), the unchecked ones for floats (IEEE
// results either way, and faster).
func computeFn(op ArithOp, checked bool) string {
	name := [...]string{OpAdd: "add", OpSub: "sub", OpMul: "multiply", OpDiv: "divide"}[op]
	if !checked {
		name += "_unchecked"
	}
	return name
}

// computeArith returns a kernel calling compute's arithmetic function fn on a
// column and either another column or the scalar sc (on the left when
// scalarLeft).
func computeArith(fn string, sc scalar.Scalar, scalarLeft bool) binaryFn {
	return func(mem memory.Allocator, a, b arrow.Array) (arrow.Array, error) {
		da := compute.NewDatum(a)
		defer da.Release()
		var db compute.Datum
		if b != nil {
			db = compute.NewDatum(b)
		} else {
			db = compute.NewDatum(sc)
		}
		defer db.Release()
		if scalarLeft {
			da, db = db, da
		}
		out, err := compute.CallFunction(computeCtx(mem), fn, nil, da, db)
		if err != nil {
			return nil, err
		}
		defer out.Release()
		return out.(*compute.ArrayDatum).MakeArray(), nil
	}
}

// arithViaCompute binds arithmetic that runs on compute's kernels: decimals
// (whose result precision and scale follow Arrow's rules; the result type is
// found once here by running the kernel on empty input) and floats. r is nil
// when the other operand is the scalar sc.
func arithViaCompute(op ArithOp, l, r *bnode, sc scalar.Scalar, scalarLeft bool, text string) (*bnode, error) {
	run := computeArith(computeFn(op, isDecimal(l.typ) || r != nil && isDecimal(r.typ)), sc, scalarLeft)
	var typ arrow.DataType
	err := probe(func() error {
		pa := array.MakeArrayOfNull(memory.DefaultAllocator, l.typ, 0)
		defer pa.Release()
		var pb arrow.Array
		if r != nil {
			pb = array.MakeArrayOfNull(memory.DefaultAllocator, r.typ, 0)
			defer pb.Release()
		}
		out, err := run(memory.DefaultAllocator, pa, pb)
		if err != nil {
			return err
		}
		typ = out.DataType()
		out.Release()
		return nil
	})
	if err != nil {
		return nil, typeErr(text, firstNonEmpty(l.col, colOf(r)), err.Error())
	}
	if r == nil {
		fn := func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) { return run(mem, a, nil) }
		return &bnode{typ: typ, ev: &unaryEval{l.ev, fn, text}, text: text}, nil
	}
	return &bnode{typ: typ, ev: &binaryEval{l.ev, r.ev, run, text}, text: text}, nil
}

func colOf(n *bnode) string {
	if n == nil {
		return ""
	}
	return n.col
}
