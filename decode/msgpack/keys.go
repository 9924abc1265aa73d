package msgpack

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Arrow refuses a map array with a null key (NewArray panics), even in a row
// the caller drops. Key columns therefore append an empty value wherever
// another column would append a null: keyBuilder and keyBytes swap
// AppendNull for AppendEmptyValue.

type keyBuilder[T any] struct {
	b interface {
		Append(T)
		AppendEmptyValue()
	}
}

func (k keyBuilder[T]) Append(v T)  { k.b.Append(v) }
func (k keyBuilder[T]) AppendNull() { k.b.AppendEmptyValue() }

type keyBytes struct {
	b interface {
		Append([]byte)
		AppendEmptyValue()
	}
}

func (k keyBytes) Append(v []byte) { k.b.Append(v) }
func (k keyBytes) AppendNull()     { k.b.AppendEmptyValue() }

// newKeyColumn returns the column for map keys of type dt: strings, binary,
// integers, times of day and durations (keyTypeOK).
func newKeyColumn(dt arrow.DataType, b array.Builder) (column, error) {
	switch dt.(type) {
	case *arrow.Int8Type:
		return newIntCol[int8](keyBuilder[int8]{b.(*array.Int8Builder)}, 8), nil
	case *arrow.Int16Type:
		return newIntCol[int16](keyBuilder[int16]{b.(*array.Int16Builder)}, 16), nil
	case *arrow.Int32Type:
		return newIntCol[int32](keyBuilder[int32]{b.(*array.Int32Builder)}, 32), nil
	case *arrow.Int64Type:
		return newIntCol[int64](keyBuilder[int64]{b.(*array.Int64Builder)}, 64), nil
	case *arrow.Uint8Type:
		return &uintCol[uint8]{b: keyBuilder[uint8]{b.(*array.Uint8Builder)}, max: math.MaxUint8}, nil
	case *arrow.Uint16Type:
		return &uintCol[uint16]{b: keyBuilder[uint16]{b.(*array.Uint16Builder)}, max: math.MaxUint16}, nil
	case *arrow.Uint32Type:
		return &uintCol[uint32]{b: keyBuilder[uint32]{b.(*array.Uint32Builder)}, max: math.MaxUint32}, nil
	case *arrow.Uint64Type:
		return &uintCol[uint64]{b: keyBuilder[uint64]{b.(*array.Uint64Builder)}, max: math.MaxUint64}, nil
	case *arrow.Time32Type:
		return newIntCol[arrow.Time32](keyBuilder[arrow.Time32]{b.(*array.Time32Builder)}, 32), nil
	case *arrow.Time64Type:
		return newIntCol[arrow.Time64](keyBuilder[arrow.Time64]{b.(*array.Time64Builder)}, 64), nil
	case *arrow.DurationType:
		return newIntCol[arrow.Duration](keyBuilder[arrow.Duration]{b.(*array.DurationBuilder)}, 64), nil
	case *arrow.StringType:
		return bytesCol{b: keyBytes{b.(*array.StringBuilder).BinaryBuilder}, text: true}, nil
	case *arrow.LargeStringType:
		return bytesCol{b: keyBytes{b.(*array.LargeStringBuilder).BinaryBuilder}, text: true}, nil
	case *arrow.StringViewType:
		return bytesCol{b: keyBytes{b.(*array.StringViewBuilder).BinaryViewBuilder}, text: true}, nil
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return bytesCol{b: keyBytes{b.(*array.BinaryBuilder)}}, nil
	case *arrow.BinaryViewType:
		return bytesCol{b: keyBytes{b.(*array.BinaryViewBuilder)}}, nil
	}
	return nil, fmt.Errorf("map key type %s: %w", dt, errNoMapping)
}

// keyTypeOK says whether newKeyColumn handles dt.
func keyTypeOK(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.TIME32, arrow.TIME64, arrow.DURATION, arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW,
		arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
		return true
	}
	return false
}
