package ops

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Applying a mask: the mask becomes a selection vector (the int32 indices of
// the selected rows) once per batch, and every column is gathered through it.
// Flat columns (fixed-width, boolean, string/binary and their large forms,
// fixed-size binary) are gathered here over their raw buffers; nested,
// dictionary and view columns go through compute's Take with the same
// indices. A mask that selects every row returns the batch itself (retained)
// and one that selects a single run returns a zero-copy slice.

// Filter returns the rows of rec where mask is true; false and null rows are
// dropped. mask must have rec.NumRows() rows. The result is owned by the
// caller; it may share buffers with rec.
func Filter(mem memory.Allocator, rec arrow.RecordBatch, mask *array.Boolean) (arrow.RecordBatch, error) {
	n := int(rec.NumRows())
	if mask.Len() != n {
		return nil, fmt.Errorf("ops: filter: mask has %d rows, batch %d", mask.Len(), n)
	}
	sel, err := newSelection(mem, mask)
	if err != nil {
		return nil, err
	}
	defer sel.release()
	if lo, hi, ok := sel.run(n); ok {
		return rec.NewSlice(int64(lo), int64(hi)), nil
	}
	return takeRecord(mem, rec, sel)
}

// FilterArray returns the values of a where mask is true.
func FilterArray(mem memory.Allocator, a arrow.Array, mask *array.Boolean) (arrow.Array, error) {
	n := a.Len()
	if mask.Len() != n {
		return nil, fmt.Errorf("ops: filter: mask has %d rows, array %d", mask.Len(), n)
	}
	sel, err := newSelection(mem, mask)
	if err != nil {
		return nil, err
	}
	defer sel.release()
	if lo, hi, ok := sel.run(n); ok {
		return array.NewSlice(a, int64(lo), int64(hi)), nil
	}
	return takeColumn(mem, a, sel)
}

// Take returns the rows of rec at indices, in that order (repeats allowed).
// indices is an integer array without nulls; an index out of range is an
// error.
func Take(mem memory.Allocator, rec arrow.RecordBatch, indices arrow.Array) (arrow.RecordBatch, error) {
	sel, err := selectionFromIndices(mem, indices, int(rec.NumRows()))
	if err != nil {
		return nil, err
	}
	defer sel.release()
	return takeRecord(mem, rec, sel)
}

// TakeArray returns the values of a at indices.
func TakeArray(mem memory.Allocator, a, indices arrow.Array) (arrow.Array, error) {
	sel, err := selectionFromIndices(mem, indices, a.Len())
	if err != nil {
		return nil, err
	}
	defer sel.release()
	return takeColumn(mem, a, sel)
}

// selection is a selection vector: the rows to gather, in order.
type selection struct {
	idx []int32
	buf *memory.Buffer // owns idx when allocated here
	arr arrow.Array    // idx as an Int32 array, made on first use by compute
	mem memory.Allocator
}

func (s *selection) release() {
	if s.arr != nil {
		s.arr.Release()
	}
	if s.buf != nil {
		s.buf.Release()
	}
}

// run reports whether the selection is the single run [lo, hi) of n rows.
func (s *selection) run(n int) (lo, hi int, ok bool) {
	m := len(s.idx)
	if m == 0 {
		return 0, 0, true
	}
	lo, hi = int(s.idx[0]), int(s.idx[m-1])+1
	return lo, hi, hi-lo == m && hi <= n
}

// indicesArray gives the selection as an Int32 array for compute's Take.
func (s *selection) indicesArray() arrow.Array {
	if s.arr == nil {
		var bufs []*memory.Buffer
		if s.buf != nil {
			bufs = []*memory.Buffer{nil, s.buf}
		} else {
			bufs = []*memory.Buffer{nil, memory.NewBufferBytes(int32Bytes(s.idx))}
		}
		data := array.NewData(arrow.PrimitiveTypes.Int32, len(s.idx), bufs, nil, 0, 0)
		s.arr = array.MakeFromData(data)
		data.Release()
	}
	return s.arr
}

func int32Bytes(v []int32) []byte {
	return castSliceFrom(v)
}

// newSelection turns a mask into the indices of its true, non-null rows.
func newSelection(mem memory.Allocator, mask *array.Boolean) (*selection, error) {
	if err := checkLayout(mask); err != nil {
		return nil, err
	}
	n := mask.Len()
	v, err := viewBoolean(mem, mask)
	if err != nil {
		return nil, err
	}
	defer v.release()
	count := 0
	for i, w := range v.vals.w {
		count += bits.OnesCount64(w & validWord(v.valid.w, i))
	}
	if len(v.vals.w) > 0 {
		last := len(v.vals.w) - 1
		extra := v.vals.w[last] & validWord(v.valid.w, last) &^ tailMask(n)
		count -= bits.OnesCount64(extra)
	}
	buf, idx := newFixed[int32](mem, count)
	k := 0
	for i, w := range v.vals.w {
		w &= validWord(v.valid.w, i)
		if i == len(v.vals.w)-1 {
			w &= tailMask(n)
		}
		base := int32(i * 64)
		for w != 0 {
			idx[k] = base + int32(bits.TrailingZeros64(w)) //nolint:gosec // G115: 0..63
			k++
			w &= w - 1
		}
	}
	return &selection{idx: idx, buf: buf, mem: mem}, nil
}

// selectionFromIndices validates an index array (integer, no nulls, within
// [0, n)) and views or converts it as int32 indices.
func selectionFromIndices(mem memory.Allocator, indices arrow.Array, n int) (*selection, error) {
	if indices.NullN() > 0 {
		return nil, fmt.Errorf("ops: take: indices have %d nulls", indices.NullN())
	}
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("ops: take: %d rows is more than int32 indices address", n)
	}
	m := indices.Len()
	if indices.DataType().ID() == arrow.INT32 {
		idx := fixedValues[int32](indices)
		for i, j := range idx {
			if j < 0 || int(j) >= n {
				return nil, fmt.Errorf("ops: take: index %d at position %d is out of range [0, %d)", j, i, n)
			}
		}
		return &selection{idx: idx, mem: mem}, nil
	}
	var get func(i int) int64
	switch a := indices.(type) {
	case *array.Int8:
		get = func(i int) int64 { return int64(a.Value(i)) }
	case *array.Int16:
		get = func(i int) int64 { return int64(a.Value(i)) }
	case *array.Int64:
		get = func(i int) int64 { return a.Value(i) }
	case *array.Uint8:
		get = func(i int) int64 { return int64(a.Value(i)) }
	case *array.Uint16:
		get = func(i int) int64 { return int64(a.Value(i)) }
	case *array.Uint32:
		get = func(i int) int64 { return int64(a.Value(i)) }
	case *array.Uint64:
		get = func(i int) int64 {
			if v := a.Value(i); v <= math.MaxInt64 {
				return int64(v)
			}
			return -1
		}
	default:
		return nil, fmt.Errorf("ops: take: indices must be integers, not %s", indices.DataType())
	}
	buf, idx := newFixed[int32](mem, m)
	for i := range idx {
		j := get(i)
		if j < 0 || j >= int64(n) {
			buf.Release()
			return nil, fmt.Errorf("ops: take: index %d at position %d is out of range [0, %d)", j, i, n)
		}
		idx[i] = int32(j) //nolint:gosec // G115: checked against n <= MaxInt32 above
	}
	return &selection{idx: idx, buf: buf, mem: mem}, nil
}

func takeRecord(mem memory.Allocator, rec arrow.RecordBatch, sel *selection) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range rec.Columns() {
		out, err := takeColumn(mem, c, sel)
		if err != nil {
			return nil, fmt.Errorf("ops: column %q: %w", rec.ColumnName(i), err)
		}
		cols[i] = out
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(sel.idx))), nil
}

// takeColumn gathers one column through the selection.
func takeColumn(mem memory.Allocator, a arrow.Array, sel *selection) (arrow.Array, error) {
	if err := checkLayout(a); err != nil {
		return nil, err
	}
	switch a.DataType().ID() {
	case arrow.INT8, arrow.UINT8:
		return gatherFixed[uint8](mem, a, sel.idx)
	case arrow.INT16, arrow.UINT16, arrow.FLOAT16:
		return gatherFixed[uint16](mem, a, sel.idx)
	case arrow.INT32, arrow.UINT32, arrow.FLOAT32, arrow.DATE32, arrow.TIME32,
		arrow.DECIMAL32, arrow.INTERVAL_MONTHS:
		return gatherFixed[uint32](mem, a, sel.idx)
	case arrow.INT64, arrow.UINT64, arrow.FLOAT64, arrow.DATE64, arrow.TIME64,
		arrow.TIMESTAMP, arrow.DURATION, arrow.DECIMAL64, arrow.INTERVAL_DAY_TIME:
		return gatherFixed[uint64](mem, a, sel.idx)
	case arrow.DECIMAL128, arrow.INTERVAL_MONTH_DAY_NANO:
		return gatherFixed[[2]uint64](mem, a, sel.idx)
	case arrow.DECIMAL256:
		return gatherFixed[[4]uint64](mem, a, sel.idx)
	case arrow.BOOL:
		return gatherBool(mem, a, sel.idx)
	case arrow.STRING, arrow.BINARY:
		return gatherBytes[int32](mem, a, sel.idx)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return gatherBytes[int64](mem, a, sel.idx)
	case arrow.FIXED_SIZE_BINARY:
		return gatherFixedSizeBinary(mem, a, sel.idx)
	case arrow.NULL:
		return array.NewNull(len(sel.idx)), nil
	case arrow.DICTIONARY:
		return gatherDictionary(mem, a, sel.idx)
	}
	// nested, dictionary, view, extension, union, run-end encoded
	return compute.TakeArray(computeCtx(mem), a, sel.indicesArray())
}

// gatherValidity gathers the validity bits of a; nil when a has no nulls.
func gatherValidity(mem memory.Allocator, a arrow.Array, idx []int32) (*memory.Buffer, int, error) {
	if a.NullN() == 0 {
		return nil, 0, nil
	}
	buf, w, err := newBits(mem, len(idx))
	if err != nil {
		return nil, 0, err
	}
	gatherBits(validityOf(a).Bytes(), a.Data().Offset(), idx, w)
	return buf, len(idx) - countBits(w, len(idx)), nil
}

// gatherBits sets bit i of out to bit off+idx[i] of src.
func gatherBits(src []byte, off int, idx []int32, out []uint64) {
	m := len(idx)
	for w := range out {
		base := w * 64
		end := min(base+64, m)
		var word uint64
		for i := end - 1; i >= base; i-- {
			j := int(idx[i]) + off
			word = word<<1 | uint64(src[j>>3]>>(uint(j)&7)&1)
		}
		out[w] = word
	}
}

func gatherFixed[T any](mem memory.Allocator, a arrow.Array, idx []int32) (arrow.Array, error) {
	vals := fixedValues[T](a)
	buf, out := newFixed[T](mem, len(idx))
	for i, j := range idx {
		out[i] = vals[j]
	}
	validity, nulls, err := gatherValidity(mem, a, idx)
	if err != nil {
		buf.Release()
		return nil, err
	}
	return newFixedArray(a.DataType(), len(idx), buf, validity, nulls), nil
}

func gatherBool(mem memory.Allocator, a arrow.Array, idx []int32) (arrow.Array, error) {
	buf, w, err := newBits(mem, len(idx))
	if err != nil {
		return nil, err
	}
	d := a.Data()
	if len(idx) > 0 {
		gatherBits(d.Buffers()[1].Bytes(), d.Offset(), idx, w)
	}
	validity, nulls, err := gatherValidity(mem, a, idx)
	if err != nil {
		buf.Release()
		return nil, err
	}
	return newFixedArray(a.DataType(), len(idx), buf, validity, nulls), nil
}

func gatherBytes[O offset](mem memory.Allocator, a arrow.Array, idx []int32) (arrow.Array, error) {
	offs, data := binaryValues[O](a)
	obuf, outOffs := newFixed[O](mem, len(idx)+1)
	var total O
	outOffs[0] = 0
	for i, j := range idx {
		total += offs[j+1] - offs[j]
		outOffs[i+1] = total
	}
	// The data buffer gets 16 bytes of slack so values up to 16 bytes are
	// copied as one 16-byte move instead of a memmove call each; a move may
	// spill into the next value's space, which that value then overwrites.
	dbuf := memory.NewResizableBuffer(mem)
	dbuf.Reserve(int(total) + 16)
	dbuf.ResizeNoShrink(int(total))
	dst := dbuf.Buf()
	srcLimit := O(len(data) - 16)
	for i, j := range idx {
		lo, hi, o := offs[j], offs[j+1], outOffs[i]
		if hi-lo <= 16 && lo <= srcLimit {
			*(*[16]byte)(dst[o:]) = *(*[16]byte)(data[lo:])
			continue
		}
		copy(dst[o:], data[lo:hi])
	}
	validity, nulls, err := gatherValidity(mem, a, idx)
	if err != nil {
		obuf.Release()
		dbuf.Release()
		return nil, err
	}
	data2 := array.NewData(a.DataType(), len(idx), []*memory.Buffer{validity, obuf, dbuf}, nil, nulls, 0)
	obuf.Release()
	dbuf.Release()
	if validity != nil {
		validity.Release()
	}
	out := array.MakeFromData(data2)
	data2.Release()
	return out, nil
}

func gatherFixedSizeBinary(mem memory.Allocator, a arrow.Array, idx []int32) (arrow.Array, error) {
	width := a.DataType().(*arrow.FixedSizeBinaryType).ByteWidth
	d := a.Data()
	var src []byte
	if b := d.Buffers()[1]; b != nil {
		src = b.Bytes()[d.Offset()*width:]
	}
	buf, out := newFixed[byte](mem, len(idx)*width)
	for i, j := range idx {
		copy(out[i*width:(i+1)*width], src[int(j)*width:(int(j)+1)*width])
	}
	validity, nulls, err := gatherValidity(mem, a, idx)
	if err != nil {
		buf.Release()
		return nil, err
	}
	return newFixedArray(a.DataType(), len(idx), buf, validity, nulls), nil
}

// gatherDictionary gathers the indices of a dictionary array and shares its
// dictionary.
func gatherDictionary(mem memory.Allocator, a arrow.Array, idx []int32) (arrow.Array, error) {
	d := a.Data()
	dt := a.DataType().(*arrow.DictionaryType)
	// view the indices as a plain integer array of the same layout
	plain := array.NewData(dt.IndexType, d.Len(), d.Buffers(), nil, d.NullN(), d.Offset())
	defer plain.Release()
	pa := array.MakeFromData(plain)
	defer pa.Release()
	var out arrow.Array
	var err error
	switch bitWidth(dt.IndexType) {
	case 8:
		out, err = gatherFixed[uint8](mem, pa, idx)
	case 16:
		out, err = gatherFixed[uint16](mem, pa, idx)
	case 32:
		out, err = gatherFixed[uint32](mem, pa, idx)
	default:
		out, err = gatherFixed[uint64](mem, pa, idx)
	}
	if err != nil {
		return nil, err
	}
	defer out.Release()
	od := out.Data()
	res := array.NewDataWithDictionary(dt, od.Len(), od.Buffers(), od.NullN(), 0, d.Dictionary().(*array.Data))
	defer res.Release()
	return array.MakeFromData(res), nil
}
