package ops

import (
	"errors"
	"fmt"
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Bitmaps here are handled as []uint64 words, 64 rows at a time, bit i of word w
// being row w*64+i (Arrow's LSB bit order on a little-endian machine). Every
// bitmap this package creates starts at bit 0 of a fresh buffer whose length is a
// whole number of words; bits past the logical length are zero.

// errMisaligned is returned when an allocator hands out memory that cannot be
// viewed as 64-bit words; Arrow requires 8-byte alignment.
var errMisaligned = errors.New("ops: allocator returned a buffer not aligned to 8 bytes")

func numWords(n int) int { return (n + 63) / 64 }

// tailMask is the mask of the valid bits in the last word of an n-bit bitmap.
func tailMask(n int) uint64 {
	if r := n % 64; r != 0 {
		return 1<<uint(r) - 1
	}
	return ^uint64(0)
}

// clearTail zeroes the bits past n in the last word.
func clearTail(w []uint64, n int) {
	if len(w) > 0 {
		w[len(w)-1] &= tailMask(n)
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// bytesAsWords views b as words when it is 8-byte aligned; ok is false when not.
func bytesAsWords(b []byte, n int) (w []uint64, ok bool) {
	if n == 0 {
		return nil, true
	}
	if len(b) < n*8 || uintptr(unsafe.Pointer(&b[0]))%8 != 0 { //nolint:gosec // G103: alignment check
		return nil, false
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n), true //nolint:gosec // G103: aligned and in bounds, checked above
}

// newBits allocates a bitmap of n bits from mem, rounded up to whole words.
// The words are not cleared: callers write every word.
func newBits(mem memory.Allocator, n int) (*memory.Buffer, []uint64, error) {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(numWords(n) * 8)
	w, ok := bytesAsWords(buf.Bytes(), numWords(n))
	if !ok {
		buf.Release()
		return nil, nil, errMisaligned
	}
	return buf, w, nil
}

// bitsView is a read-only word view of a bitmap region of n bits. When the
// source is not word-aligned it is copied into tmp, which release frees.
type bitsView struct {
	w   []uint64
	tmp *memory.Buffer
}

func (v *bitsView) release() {
	if v.tmp != nil {
		v.tmp.Release()
		v.tmp = nil
	}
}

// viewBits gives a word view of n bits of buf starting at bit off. A region that
// starts on a word boundary of an aligned, long enough buffer is viewed in
// place; anything else is copied once (sliced arrays are the usual reason).
func viewBits(mem memory.Allocator, buf *memory.Buffer, off, n int) (bitsView, error) {
	if n == 0 {
		return bitsView{}, nil
	}
	raw := buf.Buf()
	if off%64 == 0 {
		start := off / 8
		if start <= len(raw) {
			if w, ok := bytesAsWords(raw[start:], numWords(n)); ok {
				return bitsView{w: w}, nil
			}
		}
	}
	tmp, w, err := newBits(mem, n)
	if err != nil {
		return bitsView{}, err
	}
	w[len(w)-1] = 0
	bitutil.CopyBitmap(raw, off, n, tmp.Bytes(), 0)
	return bitsView{w: w, tmp: tmp}, nil
}

// countBits counts the set bits among the first n bits of w (bits past n in
// the last word are ignored).
func countBits(w []uint64, n int) int {
	if n == 0 {
		return 0
	}
	c := 0
	last := len(w) - 1
	for _, x := range w[:last] {
		c += bits.OnesCount64(x)
	}
	return c + bits.OnesCount64(w[last]&tailMask(n))
}

// validityOf returns a's validity buffer, or nil when a has no nulls.
func validityOf(a arrow.Array) *memory.Buffer {
	if a.NullN() == 0 {
		return nil
	}
	return a.Data().Buffers()[0]
}

// outValidity computes the validity of an element-wise result over arrays of the
// same length: a row is valid when it is valid in every input. The result starts
// at bit 0. When exactly one input has nulls and starts at offset 0 its buffer
// is shared (retained) instead of copied. nil means no nulls.
func outValidity(mem memory.Allocator, n int, in ...arrow.Array) (*memory.Buffer, int, error) {
	var withNulls [2]arrow.Array
	k := 0
	for _, a := range in {
		if a.NullN() > 0 {
			if k < len(withNulls) {
				withNulls[k] = a
			}
			k++
		}
	}
	switch {
	case k == 0:
		return nil, 0, nil
	case k == 1 && withNulls[0].Data().Offset() == 0:
		b := validityOf(withNulls[0])
		b.Retain()
		return b, withNulls[0].NullN(), nil
	}
	buf, w, err := newBits(mem, n)
	if err != nil {
		return nil, 0, err
	}
	w[len(w)-1] = 0
	first := true
	for _, a := range in {
		if a.NullN() == 0 {
			continue
		}
		vb := validityOf(a).Bytes()
		if first {
			bitutil.CopyBitmap(vb, a.Data().Offset(), n, buf.Bytes(), 0)
			first = false
			continue
		}
		bitutil.BitmapAnd(buf.Bytes(), vb, 0, int64(a.Data().Offset()), buf.Bytes(), 0, int64(n))
	}
	clearTail(w, n)
	return buf, n - countBits(w, n), nil
}

// newBoolean wraps value and validity bitmaps (both starting at bit 0) into a
// Boolean array. It takes over the caller's references to both buffers.
func newBoolean(n int, values, validity *memory.Buffer, nulls int) *array.Boolean {
	data := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{validity, values}, nil, nulls, 0)
	values.Release()
	if validity != nil {
		validity.Release()
	}
	out := array.NewBooleanData(data)
	data.Release()
	return out
}

// checkLayout verifies, in constant time, that the buffers of a column are
// long enough for the rows the kernels read from them raw, so a malformed
// batch is an error instead of an out-of-range panic. (Offsets are trusted to
// be monotonic, as Arrow requires; run ValidateFull on untrusted input.)
func checkLayout(a arrow.Array) error {
	d := a.Data()
	off, n := d.Offset(), d.Len()
	if n == 0 {
		return nil
	}
	bufs := d.Buffers()
	short := func(i, need int) bool { return len(bufs) <= i || bufs[i] == nil || bufs[i].Len() < need }
	bitsNeed := (off + n + 7) / 8
	if a.NullN() > 0 && a.DataType().ID() != arrow.NULL && isFlat(a.DataType()) && short(0, bitsNeed) {
		return fmt.Errorf("ops: malformed %s array: validity bitmap too short", a.DataType())
	}
	id := a.DataType().ID()
	switch id {
	case arrow.BOOL:
		if short(1, bitsNeed) {
			return fmt.Errorf("ops: malformed %s array: values too short", a.DataType())
		}
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		w := 4
		if id == arrow.LARGE_STRING || id == arrow.LARGE_BINARY {
			w = 8
		}
		if short(1, (off+n+1)*w) {
			return fmt.Errorf("ops: malformed %s array: offsets too short", a.DataType())
		}
		var lo, hi int64
		if w == 4 {
			o := castSlice[int32](bufs[1].Bytes())
			lo, hi = int64(o[off]), int64(o[off+n])
		} else {
			o := castSlice[int64](bufs[1].Bytes())
			lo, hi = o[off], o[off+n]
		}
		if lo < 0 || hi < lo || (hi > 0 && short(2, int(hi))) {
			return fmt.Errorf("ops: malformed %s array: offsets outside the data", a.DataType())
		}
	default:
		if fw, ok := a.DataType().(arrow.FixedWidthDataType); ok && isFlat(a.DataType()) && fw.BitWidth() >= 8 {
			if short(1, (off+n)*fw.BitWidth()/8) {
				return fmt.Errorf("ops: malformed %s array: values too short", a.DataType())
			}
		}
	}
	return nil
}

// isFlat reports whether the kernels read the type's buffers themselves.
func isFlat(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64,
		arrow.TIMESTAMP, arrow.DURATION, arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256,
		arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO,
		arrow.BOOL, arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		return true
	}
	return false
}
