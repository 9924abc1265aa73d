package agg

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fixedArray builds an array of type dt whose physical values are vals (T must
// have dt's width); valid nil means no nulls.
func fixedArray[T any](mem memory.Allocator, dt arrow.DataType, vals []T, valid []bool) arrow.Array {
	n := len(vals)
	var zero T
	size := int(unsafe.Sizeof(zero))
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * size)
	if n > 0 {
		// The buffer is n*size bytes, allocated above for exactly this.
		copy(unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(buf.Bytes()))), n), vals) //nolint:gosec // G103: sized above
	}
	var vb *memory.Buffer
	nulls := 0
	if valid != nil {
		vb = memory.NewResizableBuffer(mem)
		vb.Resize(int(bitutil.BytesForBits(int64(n))))
		bits := vb.Bytes()
		clear(bits)
		for i, ok := range valid {
			if ok {
				bitutil.SetBit(bits, i)
			} else {
				nulls++
			}
		}
		if nulls == 0 {
			vb.Release()
			vb = nil
		}
	}
	data := array.NewData(dt, n, []*memory.Buffer{vb, buf}, nil, nulls, 0)
	buf.Release()
	if vb != nil {
		vb.Release()
	}
	defer data.Release()
	return array.MakeFromData(data)
}

// bytesArray builds a string or binary array of type dt with n values; value(g)
// is group g's bytes; group g is null when flags[g] == flagIsNull.
func bytesArray(mem memory.Allocator, dt arrow.DataType, n int, value func(int) []byte, flags []bool, flagIsNull bool) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	b.Reserve(n)
	app := appender(b)
	for g := range n {
		if flags[g] == flagIsNull {
			b.AppendNull()
		} else {
			app(value(g))
		}
	}
	return b.NewArray()
}

func appender(b array.Builder) func([]byte) {
	switch b := b.(type) {
	case *array.StringBuilder:
		return b.BinaryBuilder.Append
	case *array.LargeStringBuilder:
		return b.BinaryBuilder.Append
	case *array.BinaryBuilder:
		return b.Append
	case *array.StringViewBuilder:
		return b.BinaryViewBuilder.Append
	case *array.BinaryViewBuilder:
		return b.Append
	}
	panic("agg: not a string or binary builder: " + b.Type().String())
}
