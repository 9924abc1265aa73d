package batch

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Concat joins batches of one schema into one batch (copying into mem). One
// batch is returned retained, not copied. The caller releases the result.
func Concat(mem memory.Allocator, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(recs) == 0 {
		return nil, errors.New("batch: nothing to concatenate")
	}
	schema := recs[0].Schema()
	for i, r := range recs[1:] {
		if !r.Schema().Equal(schema) {
			return nil, fmt.Errorf("batch: batch %d has schema %s, batch 0 has %s", i+1, r.Schema(), schema)
		}
	}
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	parts := make([]arrow.Array, len(recs))
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	for i := range cols {
		for j, r := range recs {
			parts[j] = r.Column(i)
		}
		c, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, fmt.Errorf("batch: concatenating column %q: %w", schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, rows), nil
}

// Split cuts rec into zero-copy slices of at most rows rows each (the last
// may be shorter). The caller releases each slice.
func Split(rec arrow.RecordBatch, rows int64) []arrow.RecordBatch {
	if rows <= 0 {
		rows = rec.NumRows()
	}
	var out []arrow.RecordBatch
	for start := int64(0); start < rec.NumRows(); start += rows {
		out = append(out, rec.NewSlice(start, min(start+rows, rec.NumRows())))
	}
	return out
}

// RetainedBytes is the size of every buffer rec references, each counted
// once: the memory the batch keeps alive (a slice keeps its parent's
// buffers).
func RetainedBytes(rec arrow.RecordBatch) int64 {
	seen := map[*memory.Buffer]bool{}
	var n int64
	for _, c := range rec.Columns() {
		n += retained(c.Data(), seen)
	}
	return n
}

func retained(d arrow.ArrayData, seen map[*memory.Buffer]bool) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil && !seen[b] {
			seen[b] = true
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += retained(c, seen)
	}
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		n += retained(dict, seen)
	}
	return n
}

// Bytes estimates the bytes rec's rows occupy: validity bits, fixed-width
// values, offsets and the value bytes between them, recursively; a slice
// counts only its rows. Dictionaries count whole. It is what sizing a batch
// by bytes wants; RetainedBytes is what holding it costs.
func Bytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		n += dataBytes(c.Data(), int64(c.Data().Offset()), int64(c.Len()))
	}
	return n
}

// dataBytes estimates the bytes of rows [off, off+length) of d.
func dataBytes(d arrow.ArrayData, off, length int64) int64 {
	if length <= 0 {
		return 0
	}
	var n int64
	bufs := d.Buffers()
	if len(bufs) > 0 && bufs[0] != nil && d.NullN() != 0 { // -1: not counted yet
		n += (length + 7) / 8
	}
	switch dt := d.DataType().(type) {
	case *arrow.NullType:
		return 0
	case *arrow.BooleanType:
		return n + (length+7)/8
	case *arrow.StringType, *arrow.BinaryType:
		o := offsets32(bufs[1])
		if int(off+length) >= len(o) {
			return n + proportional(d, length)
		}
		return n + 4*(length+1) + int64(o[off+length]-o[off])
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		o := offsets64(bufs[1])
		if int(off+length) >= len(o) {
			return n + proportional(d, length)
		}
		return n + 8*(length+1) + o[off+length] - o[off]
	case *arrow.ListType, *arrow.MapType:
		o := offsets32(bufs[1])
		if int(off+length) >= len(o) {
			return n + proportional(d, length)
		}
		c := d.Children()[0]
		start, end := int64(o[off]), int64(o[off+length])
		return n + 4*(length+1) + dataBytes(c, int64(c.Offset())+start, end-start)
	case *arrow.LargeListType:
		o := offsets64(bufs[1])
		if int(off+length) >= len(o) {
			return n + proportional(d, length)
		}
		c := d.Children()[0]
		return n + 8*(length+1) + dataBytes(c, int64(c.Offset())+o[off], o[off+length]-o[off])
	case *arrow.FixedSizeListType:
		c := d.Children()[0]
		k := int64(dt.Len())
		return n + dataBytes(c, int64(c.Offset())+off*k, length*k)
	case *arrow.StructType:
		for _, c := range d.Children() {
			n += dataBytes(c, int64(c.Offset())+off, length)
		}
		return n
	case *arrow.DictionaryType:
		n += length * int64(dt.IndexType.(arrow.FixedWidthDataType).BitWidth()/8)
		if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
			n += dataBytes(dict, int64(dict.Offset()), int64(dict.Len()))
		}
		return n
	case arrow.FixedWidthDataType:
		return n + length*int64(dt.BitWidth())/8
	}
	return n + proportional(d, length)
}

// proportional is length rows' share of d's buffers, for layouts Bytes does
// not walk (views, unions, run-end encoded).
func proportional(d arrow.ArrayData, length int64) int64 {
	if d.Len() == 0 {
		return 0
	}
	var total int64
	for _, b := range d.Buffers() {
		if b != nil {
			total += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		total += dataBytes(c, int64(c.Offset()), int64(c.Len()))
	}
	return total * length / int64(d.Len())
}

func offsets32(b *memory.Buffer) []int32 {
	if b == nil {
		return nil
	}
	return arrow.Int32Traits.CastFromBytes(b.Bytes())
}

func offsets64(b *memory.Buffer) []int64 {
	if b == nil {
		return nil
	}
	return arrow.Int64Traits.CastFromBytes(b.Bytes())
}
