package ops

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Boolean kernels work on whole words of the value and validity bitmaps.
// And and Or follow Kleene (SQL) logic: false AND null is false, true OR null
// is true, any other combination with a null is null. Not null is null.

// boolViews holds word views of a Boolean array's values and validity
// (valid.w is nil when the array has no nulls).
type boolViews struct {
	vals, valid bitsView
}

func viewBoolean(mem memory.Allocator, a *array.Boolean) (boolViews, error) {
	var v boolViews
	if err := checkLayout(a); err != nil {
		return v, err
	}
	d := a.Data()
	var err error
	if v.vals, err = viewBits(mem, d.Buffers()[1], d.Offset(), d.Len()); err != nil {
		return v, err
	}
	if a.NullN() > 0 {
		if v.valid, err = viewBits(mem, d.Buffers()[0], d.Offset(), d.Len()); err != nil {
			v.vals.release()
			return v, err
		}
	}
	return v, nil
}

func (v *boolViews) release() {
	v.vals.release()
	v.valid.release()
}

func validWord(w []uint64, i int) uint64 {
	if w == nil {
		return ^uint64(0)
	}
	return w[i]
}

// kleene combines two Boolean arrays of the same length word by word.
// values gives the result bits; valid gives the validity bits from the values
// and validity of both sides.
func kleene(mem memory.Allocator, a, b *array.Boolean,
	values func(a, b uint64) uint64,
	valid func(av, aok, bv, bok uint64) uint64,
) (*array.Boolean, error) {
	n := a.Len()
	if b.Len() != n {
		return nil, fmt.Errorf("ops: boolean operands have %d and %d rows", n, b.Len())
	}
	va, err := viewBoolean(mem, a)
	if err != nil {
		return nil, err
	}
	defer va.release()
	vb, err := viewBoolean(mem, b)
	if err != nil {
		return nil, err
	}
	defer vb.release()

	vbuf, vw, err := newBits(mem, n)
	if err != nil {
		return nil, err
	}
	for i := range vw {
		vw[i] = values(va.vals.w[i], vb.vals.w[i])
	}
	clearTail(vw, n)
	if va.valid.w == nil && vb.valid.w == nil {
		return newBoolean(n, vbuf, nil, 0), nil
	}
	nbuf, nw, err := newBits(mem, n)
	if err != nil {
		vbuf.Release()
		return nil, err
	}
	for i := range nw {
		nw[i] = valid(va.vals.w[i], validWord(va.valid.w, i), vb.vals.w[i], validWord(vb.valid.w, i))
	}
	clearTail(nw, n)
	nulls := n - countBits(nw, n)
	if nulls == 0 {
		nbuf.Release()
		nbuf = nil
	}
	return newBoolean(n, vbuf, nbuf, nulls), nil
}

// MaskAnd is the Kleene AND of two masks of the same length.
func MaskAnd(mem memory.Allocator, a, b *array.Boolean) (*array.Boolean, error) {
	return kleene(mem, a, b,
		func(a, b uint64) uint64 { return a & b },
		func(av, aok, bv, bok uint64) uint64 {
			// valid when both are valid, or either side is a valid false
			return aok&bok | aok&^av | bok&^bv
		})
}

// MaskOr is the Kleene OR of two masks of the same length.
func MaskOr(mem memory.Allocator, a, b *array.Boolean) (*array.Boolean, error) {
	return kleene(mem, a, b,
		func(a, b uint64) uint64 { return a | b },
		func(av, aok, bv, bok uint64) uint64 {
			// valid when both are valid, or either side is a valid true
			return aok&bok | aok&av | bok&bv
		})
}

// MaskNot inverts a mask; null stays null.
func MaskNot(mem memory.Allocator, a *array.Boolean) (*array.Boolean, error) {
	n := a.Len()
	va, err := viewBoolean(mem, a)
	if err != nil {
		return nil, err
	}
	defer va.release()
	vbuf, vw, err := newBits(mem, n)
	if err != nil {
		return nil, err
	}
	for i := range vw {
		vw[i] = ^va.vals.w[i]
	}
	clearTail(vw, n)
	validity, nulls, err := outValidity(mem, n, a)
	if err != nil {
		vbuf.Release()
		return nil, err
	}
	return newBoolean(n, vbuf, validity, nulls), nil
}

// nullTest computes IsNull (when wantNull) or IsNotNull. The result has no
// nulls.
func nullTest(mem memory.Allocator, a arrow.Array, wantNull bool) (*array.Boolean, error) {
	n := a.Len()
	vbuf, vw, err := newBits(mem, n)
	if err != nil {
		return nil, err
	}
	switch {
	case a.DataType().ID() == arrow.NULL || a.NullN() == n:
		fill(vw, b2u(wantNull)*^uint64(0))
	case a.NullN() == 0:
		fill(vw, b2u(!wantNull)*^uint64(0))
	default:
		d := a.Data()
		v, err := viewBits(mem, d.Buffers()[0], d.Offset(), n)
		if err != nil {
			vbuf.Release()
			return nil, err
		}
		flip := b2u(wantNull) * ^uint64(0)
		for i := range vw {
			vw[i] = v.w[i] ^ flip
		}
		v.release()
	}
	clearTail(vw, n)
	return newBoolean(n, vbuf, nil, 0), nil
}

func fill(w []uint64, x uint64) {
	for i := range w {
		w[i] = x
	}
}

// boolWordFns maps a comparison of booleans (false < true) to a word function
// of the two value words.
func boolWordFn(op CmpOp) func(a, b uint64) uint64 {
	switch op {
	case OpEq:
		return func(a, b uint64) uint64 { return ^(a ^ b) }
	case OpNe:
		return func(a, b uint64) uint64 { return a ^ b }
	case OpLt:
		return func(a, b uint64) uint64 { return ^a & b }
	case OpLe:
		return func(a, b uint64) uint64 { return ^a | b }
	case OpGt:
		return func(a, b uint64) uint64 { return a &^ b }
	}
	return func(a, b uint64) uint64 { return a | ^b }
}

func compareBool(mem memory.Allocator, a arrow.Array, b arrow.Array, s bool, scalar bool, op CmpOp) (*array.Boolean, error) {
	n := a.Len()
	f := boolWordFn(op)
	av, err := viewBits(mem, a.Data().Buffers()[1], a.Data().Offset(), n)
	if err != nil {
		return nil, err
	}
	defer av.release()
	var bv bitsView
	if !scalar {
		if bv, err = viewBits(mem, b.Data().Buffers()[1], b.Data().Offset(), n); err != nil {
			return nil, err
		}
		defer bv.release()
	}
	sw := b2u(s) * ^uint64(0)
	fillWords := func(out []uint64) {
		for i := range out {
			y := sw
			if !scalar {
				y = bv.w[i]
			}
			out[i] = f(av.w[i], y)
		}
		clearTail(out, n)
	}
	if scalar {
		return boolResult(mem, n, fillWords, a)
	}
	return boolResult(mem, n, fillWords, a, b)
}
