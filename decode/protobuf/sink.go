package protobuf

import (
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// A sink appends scalar values of one kind to one Arrow builder. Numbers
// arrive normalised to 64 bits (sign-extended integers, float bits); the sink
// narrows them to its column type.
type sink interface {
	num(v uint64)
	bytes(b []byte)
	null()
	zero()
}

func newSink(k kind, e *enumSpec, b array.Builder) (sink, error) {
	var s sink
	switch k {
	case kInt32, kEnumNumber:
		if bb, ok := b.(*array.Int32Builder); ok {
			s = int32Sink{bb}
		}
	case kInt64:
		if bb, ok := b.(*array.Int64Builder); ok {
			s = int64Sink{bb}
		}
	case kUint32:
		if bb, ok := b.(*array.Uint32Builder); ok {
			s = uint32Sink{bb}
		}
	case kUint64:
		if bb, ok := b.(*array.Uint64Builder); ok {
			s = uint64Sink{bb}
		}
	case kFloat32:
		if bb, ok := b.(*array.Float32Builder); ok {
			s = float32Sink{bb}
		}
	case kFloat64:
		if bb, ok := b.(*array.Float64Builder); ok {
			s = float64Sink{bb}
		}
	case kBool:
		if bb, ok := b.(*array.BooleanBuilder); ok {
			s = boolSink{bb}
		}
	case kString:
		if bb, ok := b.(*array.StringBuilder); ok {
			s = binarySink{bb.BinaryBuilder}
		}
	case kBinary:
		if bb, ok := b.(*array.BinaryBuilder); ok {
			s = binarySink{bb}
		}
	case kTimestamp:
		if bb, ok := b.(*array.TimestampBuilder); ok {
			s = timestampSink{bb}
		}
	case kDuration:
		if bb, ok := b.(*array.DurationBuilder); ok {
			s = durationSink{bb}
		}
	case kEnumString:
		if bb, ok := b.(*array.StringBuilder); ok {
			s = &enumStringSink{b: bb, e: e}
		}
	case kEnumDict:
		if bb, ok := b.(*array.BinaryDictionaryBuilder); ok {
			ds := &enumDictSink{b: bb, e: e}
			if err := ds.init(); err != nil {
				return nil, err
			}
			s = ds
		}
	}
	if s == nil {
		return nil, fmt.Errorf("protobuf: bind: builder %T does not fit column type %s", b, kindType(k))
	}
	return s, nil
}

type int32Sink struct{ b *array.Int32Builder }

func (s int32Sink) num(v uint64) { s.b.Append(int32(v)) } // #nosec G115 -- protobuf int32 semantics: truncate
func (s int32Sink) bytes([]byte) { s.b.AppendNull() }
func (s int32Sink) null()        { s.b.AppendNull() }
func (s int32Sink) zero()        { s.b.Append(0) }

type int64Sink struct{ b *array.Int64Builder }

func (s int64Sink) num(v uint64) { s.b.Append(int64(v)) } // #nosec G115 -- two's complement bits
func (s int64Sink) bytes([]byte) { s.b.AppendNull() }
func (s int64Sink) null()        { s.b.AppendNull() }
func (s int64Sink) zero()        { s.b.Append(0) }

type uint32Sink struct{ b *array.Uint32Builder }

func (s uint32Sink) num(v uint64) { s.b.Append(uint32(v)) } // #nosec G115 -- protobuf uint32 semantics: truncate
func (s uint32Sink) bytes([]byte) { s.b.AppendNull() }
func (s uint32Sink) null()        { s.b.AppendNull() }
func (s uint32Sink) zero()        { s.b.Append(0) }

type uint64Sink struct{ b *array.Uint64Builder }

func (s uint64Sink) num(v uint64) { s.b.Append(v) }
func (s uint64Sink) bytes([]byte) { s.b.AppendNull() }
func (s uint64Sink) null()        { s.b.AppendNull() }
func (s uint64Sink) zero()        { s.b.Append(0) }

type float32Sink struct{ b *array.Float32Builder }

func (s float32Sink) num(v uint64) { s.b.Append(math.Float32frombits(uint32(v))) } // #nosec G115 -- fixed32 bits
func (s float32Sink) bytes([]byte) { s.b.AppendNull() }
func (s float32Sink) null()        { s.b.AppendNull() }
func (s float32Sink) zero()        { s.b.Append(0) }

type float64Sink struct{ b *array.Float64Builder }

func (s float64Sink) num(v uint64) { s.b.Append(math.Float64frombits(v)) }
func (s float64Sink) bytes([]byte) { s.b.AppendNull() }
func (s float64Sink) null()        { s.b.AppendNull() }
func (s float64Sink) zero()        { s.b.Append(0) }

type boolSink struct{ b *array.BooleanBuilder }

func (s boolSink) num(v uint64) { s.b.Append(v != 0) }
func (s boolSink) bytes([]byte) { s.b.AppendNull() }
func (s boolSink) null()        { s.b.AppendNull() }
func (s boolSink) zero()        { s.b.Append(false) }

// binarySink serves string and bytes columns: the bytes go straight in, with
// no string conversion.
type binarySink struct{ b *array.BinaryBuilder }

func (s binarySink) num(uint64)     { s.b.AppendNull() }
func (s binarySink) bytes(v []byte) { s.b.Append(v) }
func (s binarySink) null()          { s.b.AppendNull() }
func (s binarySink) zero()          { s.b.AppendEmptyValue() }

type timestampSink struct{ b *array.TimestampBuilder }

func (s timestampSink) num(v uint64) { s.b.Append(arrow.Timestamp(v)) } // #nosec G115 -- nanoseconds as int64 bits
func (s timestampSink) bytes([]byte) { s.b.AppendNull() }
func (s timestampSink) null()        { s.b.AppendNull() }
func (s timestampSink) zero()        { s.b.Append(0) }

type durationSink struct{ b *array.DurationBuilder }

func (s durationSink) num(v uint64) { s.b.Append(arrow.Duration(v)) } // #nosec G115 -- nanoseconds as int64 bits
func (s durationSink) bytes([]byte) { s.b.AppendNull() }
func (s durationSink) null()        { s.b.AppendNull() }
func (s durationSink) zero()        { s.b.Append(0) }

// enumStringSink writes an enum value's name; a number the enum does not
// declare is written as its decimal text.
type enumStringSink struct {
	b   *array.StringBuilder
	e   *enumSpec
	tmp []byte
}

func (s *enumStringSink) num(v uint64) {
	n := int32(v) // #nosec G115 -- enums are int32 on the wire
	if ix := s.e.index(n); ix >= 0 {
		s.b.BinaryBuilder.Append(s.e.names[ix])
		return
	}
	s.tmp = strconv.AppendInt(s.tmp[:0], int64(n), 10)
	s.b.BinaryBuilder.Append(s.tmp)
}
func (s *enumStringSink) bytes([]byte) { s.b.AppendNull() }
func (s *enumStringSink) null()        { s.b.AppendNull() }
func (s *enumStringSink) zero()        { s.num(uint64(s.e.zero())) } // #nosec G115 -- sign-extended like the wire

// enumDictSink writes dictionary indexes. The dictionary starts with the
// declared names in declaration order (inserted once at bind; the builder's
// memo survives NewArray), so a declared value is one index append. A number
// the enum does not declare is added to the dictionary as its decimal text.
type enumDictSink struct {
	b   *array.BinaryDictionaryBuilder
	e   *enumSpec
	ix  [1]int
	tmp []byte
}

func (s *enumDictSink) init() error {
	if s.b.DictionarySize() != 0 {
		return fmt.Errorf("protobuf: bind: dictionary builder for enum %s is not empty", s.e.name)
	}
	for _, n := range s.e.names {
		if err := s.b.Append(n); err != nil {
			return fmt.Errorf("protobuf: bind: enum %s: %w", s.e.name, err)
		}
	}
	// Drop the rows those appends made; the dictionary stays.
	s.b.NewArray().Release()
	if s.b.DictionarySize() != len(s.e.names) {
		return fmt.Errorf("protobuf: bind: enum %s has duplicate names", s.e.name)
	}
	return nil
}

func (s *enumDictSink) num(v uint64) {
	n := int32(v) // #nosec G115 -- enums are int32 on the wire
	if ix := s.e.index(n); ix >= 0 {
		s.ix[0] = int(ix)
		s.b.AppendIndices(s.ix[:], nil)
		return
	}
	s.tmp = strconv.AppendInt(s.tmp[:0], int64(n), 10)
	_ = s.b.Append(s.tmp) // only fails for values of the wrong type
}
func (s *enumDictSink) bytes([]byte) { s.b.AppendNull() }
func (s *enumDictSink) null()        { s.b.AppendNull() }
func (s *enumDictSink) zero()        { s.num(uint64(s.e.zero())) } // #nosec G115 -- sign-extended like the wire

// zero is the number an absent enum field reads as: 0 for open enums; the
// first declared value for closed (proto2) ones.
func (e *enumSpec) zero() int32 {
	if e.closedDefault {
		return e.nums[0]
	}
	return 0
}
