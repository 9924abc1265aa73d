package ops

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// constEval is a literal standing alone: a column repeating one value.
type constEval struct{ sc scalar.Scalar }

func (c constEval) eval(mem memory.Allocator, rec arrow.RecordBatch) (arrow.Array, error) {
	n := int(rec.NumRows())
	if !c.sc.IsValid() {
		// arrow-go builds null arrays assuming the allocator zeroes memory;
		// clear them here so any allocator works.
		a := array.MakeArrayOfNull(mem, c.sc.DataType(), n)
		zeroBuffers(a.Data())
		return a, nil
	}
	return scalar.MakeArrayFromScalar(c.sc, n, mem)
}

func zeroBuffers(d arrow.ArrayData) {
	for _, b := range d.Buffers() {
		if b != nil {
			clear(b.Bytes())
		}
	}
	for _, c := range d.Children() {
		zeroBuffers(c)
	}
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		zeroBuffers(dict)
	}
}

func isNumeric(dt arrow.DataType) bool {
	id := dt.ID()
	return arrow.IsInteger(id) || id == arrow.FLOAT32 || id == arrow.FLOAT64
}

var signedOfWidth = map[int]arrow.DataType{
	8: arrow.PrimitiveTypes.Int8, 16: arrow.PrimitiveTypes.Int16,
	32: arrow.PrimitiveTypes.Int32, 64: arrow.PrimitiveTypes.Int64,
}

func bitWidth(dt arrow.DataType) int { return dt.(arrow.FixedWidthDataType).BitWidth() }

// commonNumeric is the type two numeric operands are converted to: the wider
// of two integers of the same signedness; for mixed signedness the smallest
// signed type holding both (none for uint64 with a signed type); float64 when
// a float is involved, unless both are float32.
func commonNumeric(a, b arrow.DataType) (arrow.DataType, bool) {
	if !isNumeric(a) || !isNumeric(b) {
		return nil, false
	}
	if arrow.TypeEqual(a, b) {
		return a, true
	}
	if arrow.IsFloating(a.ID()) || arrow.IsFloating(b.ID()) {
		if a.ID() == arrow.FLOAT32 && b.ID() == arrow.FLOAT32 {
			return a, true
		}
		return arrow.PrimitiveTypes.Float64, true
	}
	sa, sb := arrow.IsSignedInteger(a.ID()), arrow.IsSignedInteger(b.ID())
	wa, wb := bitWidth(a), bitWidth(b)
	if sa == sb {
		if wa >= wb {
			return a, true
		}
		return b, true
	}
	s, ws, wu := a, wa, wb
	if sb {
		s, ws, wu = b, wb, wa
	}
	if ws > wu {
		return s, true
	}
	if wu < 64 {
		return signedOfWidth[2*wu], true
	}
	return nil, false
}

// comparable reports whether two column types compare directly.
func comparableTypes(a, b arrow.DataType) bool {
	if arrow.TypeEqual(a, b) {
		return true
	}
	switch {
	case a.ID() == arrow.TIMESTAMP && b.ID() == arrow.TIMESTAMP:
		// instants in the same unit compare whatever their zones
		return a.(*arrow.TimestampType).Unit == b.(*arrow.TimestampType).Unit
	case a.ID() == b.ID() && (a.ID() == arrow.DECIMAL128 || a.ID() == arrow.DECIMAL256):
		return a.(arrow.DecimalType).GetScale() == b.(arrow.DecimalType).GetScale()
	}
	return false
}

// coerceTo converts literal n for use against column type dt. When the
// literal only fits a wider type (an int column against 1.5 or 1000) it
// returns that type and the value converted to it, and the caller widens the
// column.
func coerceTo(n *bnode, dt arrow.DataType) (val any, widen arrow.DataType, err error) {
	val, err = coerce(n.val, dt)
	if !errors.Is(err, errWiden) {
		return val, nil, err
	}
	// An integer literal widens the column to int64 when both fit it, else
	// (a uint64 column, a literal past int64) to float64, as does a float.
	_, _, _, k := numberOf(n.val)
	widen = arrow.PrimitiveTypes.Int64
	if k == kindFloat || dt.ID() == arrow.UINT64 {
		widen = arrow.PrimitiveTypes.Float64
	}
	if !arrow.TypeEqual(widen, dt) {
		if val, err = coerce(n.val, widen); err == nil {
			return val, widen, nil
		}
	}
	widen = arrow.PrimitiveTypes.Float64
	if !arrow.TypeEqual(widen, dt) {
		if val, err = coerce(n.val, widen); err == nil {
			return val, widen, nil
		}
	}
	return nil, nil, fmt.Errorf("literal %s does not fit %s", n.text, dt)
}

func (b *binder) bindCmp(n cmpNode, text string) (*bnode, error) {
	l, err := b.bind(n.l)
	if err != nil {
		return nil, err
	}
	r, err := b.bind(n.r)
	if err != nil {
		return nil, err
	}
	op := n.op
	if l.isLit && r.isLit {
		return nil, typeErr(text, "", "both operands are literals")
	}
	if l.isLit {
		l, r, op = r, l, op.flip()
	}
	boolT := arrow.FixedWidthTypes.Boolean
	if r.isLit {
		if r.val == nil {
			// comparing with NULL is NULL for every row
			return &bnode{typ: boolT, ev: constEval{scalar.MakeNullScalar(boolT)}, text: text}, nil
		}
		v, widen, err := coerceTo(r, l.typ)
		if err != nil {
			return nil, typeErr(text, l.col, fmt.Sprintf("cannot compare %s with %s: %v", l.typ, r.text, err))
		}
		if widen != nil {
			if l, err = withCast(l, widen, text); err != nil {
				return nil, err
			}
		}
		sc, _, ok := cmpKernels(l.typ)
		if !ok {
			return nil, typeErr(text, l.col, fmt.Sprintf("cannot compare %s values", l.typ))
		}
		return &bnode{typ: boolT, ev: &unaryEval{l.ev, sc(op, v), text}, text: text}, nil
	}
	if !comparableTypes(l.typ, r.typ) {
		common, ok := commonNumeric(l.typ, r.typ)
		if !ok {
			return nil, typeErr(text, firstNonEmpty(l.col, r.col),
				fmt.Sprintf("cannot compare %s with %s; cast one side", l.typ, r.typ))
		}
		if l, err = withCast(l, common, text); err != nil {
			return nil, err
		}
		if r, err = withCast(r, common, text); err != nil {
			return nil, err
		}
	}
	_, vec, ok := cmpKernels(l.typ)
	if !ok {
		return nil, typeErr(text, l.col, fmt.Sprintf("cannot compare %s values", l.typ))
	}
	return &bnode{typ: boolT, ev: &binaryEval{l.ev, r.ev, vec(op), text}, text: text}, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type (
	scalarCmpMaker func(op CmpOp, v any) unaryFn
	vectorCmpMaker func(op CmpOp) binaryFn
)

func ordKernels[T ordered]() (scalarCmpMaker, vectorCmpMaker, bool) {
	return func(op CmpOp, v any) unaryFn {
			s := v.(T)
			return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return boolOut(compareScalar(mem, a, op, s))
			}
		}, func(op CmpOp) binaryFn {
			return func(mem memory.Allocator, a, b arrow.Array) (arrow.Array, error) {
				return boolOut(compareVector[T](mem, a, b, op))
			}
		}, true
}

func bytesKernels[O offset]() (scalarCmpMaker, vectorCmpMaker, bool) {
	return func(op CmpOp, v any) unaryFn {
			s := v.(string)
			return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return boolOut(compareScalarBytes[O](mem, a, op, s))
			}
		}, func(op CmpOp) binaryFn {
			return func(mem memory.Allocator, a, b arrow.Array) (arrow.Array, error) {
				return boolOut(compareVectorBytes[O](mem, a, b, op))
			}
		}, true
}

func cmpMethodKernels[T cmpMethod[T]]() (scalarCmpMaker, vectorCmpMaker, bool) {
	return func(op CmpOp, v any) unaryFn {
			s := v.(T)
			return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return boolOut(compareScalarCmp(mem, a, op, s))
			}
		}, func(op CmpOp) binaryFn {
			return func(mem memory.Allocator, a, b arrow.Array) (arrow.Array, error) {
				return boolOut(compareVectorCmp[T](mem, a, b, op))
			}
		}, true
}

func boolKernels() (scalarCmpMaker, vectorCmpMaker, bool) {
	return func(op CmpOp, v any) unaryFn {
			s := v.(bool)
			return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return boolOut(compareBool(mem, a, nil, s, true, op))
			}
		}, func(op CmpOp) binaryFn {
			return func(mem memory.Allocator, a, b arrow.Array) (arrow.Array, error) {
				return boolOut(compareBool(mem, a, b, false, false, op))
			}
		}, true
}

// cmpKernels picks the comparison kernels of a column type by its physical
// layout: dates, times, timestamps, durations and small decimals compare as
// the integers they are stored as.
func cmpKernels(dt arrow.DataType) (scalarCmpMaker, vectorCmpMaker, bool) {
	switch dt.ID() {
	case arrow.INT8:
		return ordKernels[int8]()
	case arrow.INT16:
		return ordKernels[int16]()
	case arrow.INT32, arrow.DATE32, arrow.TIME32, arrow.DECIMAL32:
		return ordKernels[int32]()
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION, arrow.DECIMAL64:
		return ordKernels[int64]()
	case arrow.UINT8:
		return ordKernels[uint8]()
	case arrow.UINT16:
		return ordKernels[uint16]()
	case arrow.UINT32:
		return ordKernels[uint32]()
	case arrow.UINT64:
		return ordKernels[uint64]()
	case arrow.FLOAT32:
		return ordKernels[float32]()
	case arrow.FLOAT64:
		return ordKernels[float64]()
	case arrow.STRING, arrow.BINARY:
		return bytesKernels[int32]()
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return bytesKernels[int64]()
	case arrow.BOOL:
		return boolKernels()
	case arrow.DECIMAL128:
		return cmpMethodKernels[decimal128.Num]()
	case arrow.DECIMAL256:
		return cmpMethodKernels[decimal256.Num]()
	}
	return nil, nil, false
}

func isBinaryLike(dt arrow.DataType) (large, ok bool) {
	switch dt.ID() {
	case arrow.STRING, arrow.BINARY:
		return false, true
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return true, true
	}
	return false, false
}

func (b *binder) typedOperand(n node, text string) (*bnode, error) {
	x, err := b.bind(n)
	if err != nil {
		return nil, err
	}
	if x = b.materialize(x); x.err != nil {
		return nil, x.err
	}
	return x, nil
}

func (b *binder) bindStr(n strNode, text string) (*bnode, error) {
	x, err := b.typedOperand(n.x, text)
	if err != nil {
		return nil, err
	}
	large, ok := isBinaryLike(x.typ)
	if !ok {
		return nil, typeErr(text, x.col, fmt.Sprintf("%s needs a string or binary operand, not %s", n.fn, x.typ))
	}
	fn, pat := n.fn, n.pat
	k := func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
		if large {
			return boolOut(matchBytes[int64](mem, a, fn, pat))
		}
		return boolOut(matchBytes[int32](mem, a, fn, pat))
	}
	return &bnode{typ: arrow.FixedWidthTypes.Boolean, ev: &unaryEval{x.ev, k, text}, text: text}, nil
}

func (b *binder) bindIn(n inNode, text string) (*bnode, error) {
	x, err := b.typedOperand(n.x, text)
	if err != nil {
		return nil, err
	}
	// Values that only fit a wider type can never equal a value of the
	// column's type (an int8 column IN (1000)), so they are left out.
	vals := make([]any, 0, len(n.vals))
	for _, v := range n.vals {
		v = unpackScalar(v)
		if v == nil {
			return nil, typeErr(text, x.col, "IN list holds null; use IsNull")
		}
		c, err := coerce(v, x.typ)
		if errors.Is(err, errWiden) {
			continue
		}
		if err != nil {
			return nil, typeErr(text, x.col, fmt.Sprintf("cannot compare %s with %s: %v", x.typ, litText(v), err))
		}
		vals = append(vals, c)
	}
	k, ok := inKernel(x.typ, vals)
	if !ok {
		return nil, typeErr(text, x.col, fmt.Sprintf("IN is not supported for %s", x.typ))
	}
	return &bnode{typ: arrow.FixedWidthTypes.Boolean, ev: &unaryEval{x.ev, k, text}, text: text}, nil
}

func inOrd[T ordered](vals []any) (unaryFn, bool) {
	ts := make([]T, len(vals))
	for i, v := range vals {
		ts[i] = v.(T)
	}
	set := newOrderedSet(ts)
	return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
		return boolOut(inOrdered(mem, a, set))
	}, true
}

func inKernel(dt arrow.DataType, vals []any) (unaryFn, bool) {
	if large, ok := isBinaryLike(dt); ok {
		ss := make([]string, len(vals))
		for i, v := range vals {
			ss[i] = v.(string)
		}
		set := newByteSet(ss)
		return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
			if large {
				return boolOut(inBytes[int64](mem, a, set))
			}
			return boolOut(inBytes[int32](mem, a, set))
		}, true
	}
	switch dt.ID() {
	case arrow.INT8:
		return inOrd[int8](vals)
	case arrow.INT16:
		return inOrd[int16](vals)
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return inOrd[int32](vals)
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return inOrd[int64](vals)
	case arrow.UINT8:
		return inOrd[uint8](vals)
	case arrow.UINT16:
		return inOrd[uint16](vals)
	case arrow.UINT32:
		return inOrd[uint32](vals)
	case arrow.UINT64:
		return inOrd[uint64](vals)
	case arrow.FLOAT32:
		return inOrd[float32](vals)
	case arrow.FLOAT64:
		return inOrd[float64](vals)
	}
	// Other comparable types (booleans, decimals): OR of equalities.
	sc, _, ok := cmpKernels(dt)
	if !ok {
		return nil, false
	}
	eqs := make([]unaryFn, len(vals))
	for i, v := range vals {
		eqs[i] = sc(OpEq, v)
	}
	return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
		return orAll(mem, a, eqs)
	}, true
}

// orAll ORs the results of eqs over a. An empty list is false where a is
// valid and null where a is null.
func orAll(mem memory.Allocator, a arrow.Array, eqs []unaryFn) (arrow.Array, error) {
	if len(eqs) == 0 {
		return boolOut(boolResult(mem, a.Len(), func(w []uint64) { fill(w, 0) }, a))
	}
	acc, err := eqs[0](mem, a)
	if err != nil {
		return nil, err
	}
	for _, eq := range eqs[1:] {
		next, err := eq(mem, a)
		if err != nil {
			acc.Release()
			return nil, err
		}
		merged, err := MaskOr(mem, acc.(*array.Boolean), next.(*array.Boolean))
		acc.Release()
		next.Release()
		if err != nil {
			return nil, err
		}
		acc = merged
	}
	return acc, nil
}
