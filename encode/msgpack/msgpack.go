package msgpack

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tinylib/msgp/msgp"

	"github.com/sabot-kafka/sabot/encode"
)

// Options configure the encoding.
type Options struct {
	// OmitNulls leaves null fields out of the maps instead of writing nil
	// (smaller values; readers see a missing key, which decode/msgpack also
	// reads as null).
	OmitNulls bool
}

// NewCompiler returns an encode.Compiler writing MessagePack maps with o.
// MessagePack uses no registry schema: the Writer it answers is empty.
func NewCompiler(o Options) encode.Compiler {
	return encode.CompilerFunc(func(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
		p, err := NewPlan(s, o)
		if err != nil {
			return nil, encode.Writer{}, err
		}
		return p, encode.Writer{}, nil
	})
}

// Plan encodes rows of batches with one Arrow schema.
type Plan struct {
	schema *arrow.Schema
	omit   bool
}

// NewPlan checks that every column of s can be encoded.
func NewPlan(s *arrow.Schema, o Options) (*Plan, error) {
	p := &Plan{schema: s, omit: o.OmitNulls}
	for _, f := range s.Fields() {
		if err := check(f.Type, f.Name); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func check(dt arrow.DataType, path string) error {
	switch dt := dt.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float16Type, *arrow.Float32Type, *arrow.Float64Type, *arrow.BooleanType,
		*arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType,
		*arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType, *arrow.FixedSizeBinaryType,
		*arrow.NullType, *arrow.TimestampType, *arrow.Date32Type, *arrow.Date64Type,
		*arrow.Time32Type, *arrow.Time64Type, *arrow.DurationType:
		return nil
	case *arrow.DictionaryType:
		return check(dt.ValueType, path)
	case *arrow.ListType:
		return check(dt.Elem(), path+"[]")
	case *arrow.LargeListType:
		return check(dt.Elem(), path+"[]")
	case *arrow.FixedSizeListType:
		return check(dt.Elem(), path+"[]")
	case *arrow.MapType:
		if err := check(dt.KeyType(), path+".key"); err != nil {
			return err
		}
		return check(dt.ItemType(), path+".value")
	case *arrow.StructType:
		for _, f := range dt.Fields() {
			if err := check(f.Type, path+"."+f.Name); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("msgpack: column %s: type %s has no MessagePack encoding: %w", path, dt, encode.ErrUnsupported)
}

// Bind prepares to encode the rows of rec.
func (p *Plan) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	if !rec.Schema().Equal(p.schema) {
		return nil, fmt.Errorf("msgpack: batch schema %s differs from the plan's %s", rec.Schema(), p.schema)
	}
	ws := make([]writer, rec.NumCols())
	for i, col := range rec.Columns() {
		w, err := newWriter(col, p.omit)
		if err != nil {
			return nil, fmt.Errorf("msgpack: column %q: %w", p.schema.Field(i).Name, err)
		}
		ws[i] = w
	}
	root := &structWriter{omit: p.omit}
	for i, w := range ws {
		root.add(p.schema.Field(i).Name, w, validityOf(rec.Column(i)))
	}
	return &rowAppender{root: root}, nil
}

type rowAppender struct{ root *structWriter }

// AppendRow appends row i as a MessagePack map.
func (a *rowAppender) AppendRow(dst []byte, i int) ([]byte, error) {
	return a.root.appendValue(dst, i)
}

// A writer appends the values of one array.
type writer interface {
	isNull(i int) bool
	// appendValue appends non-null element i.
	appendValue(dst []byte, i int) ([]byte, error)
}

// validity answers isNull from an array's bitmap.
type validity struct {
	bits []byte
	off  int
	all  bool // the array is all nulls (null type)
}

func validityOf(a arrow.Array) validity {
	if a.DataType().ID() == arrow.NULL {
		return validity{all: true}
	}
	if a.NullN() == 0 {
		return validity{}
	}
	return validity{bits: a.NullBitmapBytes(), off: a.Data().Offset()}
}

func (v validity) isNull(i int) bool {
	if v.bits == nil {
		return v.all
	}
	j := v.off + i
	return v.bits[j>>3]&(1<<(j&7)) == 0
}

// appendElem appends element i of w: nil when null.
func appendElem(dst []byte, w writer, i int) ([]byte, error) {
	if w.isNull(i) {
		return append(dst, 0xc0), nil
	}
	return w.appendValue(dst, i)
}

type intWriter[T ~int8 | ~int16 | ~int32 | ~int64] struct {
	validity
	vals []T
}

func (w intWriter[T]) appendValue(dst []byte, i int) ([]byte, error) {
	return msgp.AppendInt64(dst, int64(w.vals[i])), nil
}

type uintWriter[T ~uint8 | ~uint16 | ~uint32 | ~uint64] struct {
	validity
	vals []T
}

func (w uintWriter[T]) appendValue(dst []byte, i int) ([]byte, error) {
	return msgp.AppendUint64(dst, uint64(w.vals[i])), nil
}

type float64Writer struct {
	validity
	vals []float64
}

func (w float64Writer) appendValue(dst []byte, i int) ([]byte, error) {
	return msgp.AppendFloat64(dst, w.vals[i]), nil
}

type float32Writer struct {
	validity
	get func(int) float32
}

func (w float32Writer) appendValue(dst []byte, i int) ([]byte, error) {
	return msgp.AppendFloat32(dst, w.get(i)), nil
}

type boolWriter struct {
	validity
	a *array.Boolean
}

func (w boolWriter) appendValue(dst []byte, i int) ([]byte, error) {
	return msgp.AppendBool(dst, w.a.Value(i)), nil
}

type stringArray interface{ Value(int) string }

type strWriter[A stringArray] struct {
	validity
	a A
}

func (w strWriter[A]) appendValue(dst []byte, i int) ([]byte, error) {
	return msgp.AppendString(dst, w.a.Value(i)), nil
}

type bytesArray interface{ Value(int) []byte }

type binWriter[A bytesArray] struct {
	validity
	a A
}

func (w binWriter[A]) appendValue(dst []byte, i int) ([]byte, error) {
	return msgp.AppendBytes(dst, w.a.Value(i)), nil
}

type timestampWriter struct {
	validity
	vals []arrow.Timestamp
	mul  int64 // units per second
}

func (w timestampWriter) appendValue(dst []byte, i int) ([]byte, error) {
	v := int64(w.vals[i])
	sec := v / w.mul
	rem := v % w.mul
	if rem < 0 {
		sec--
		rem += w.mul
	}
	return AppendTimestamp(dst, sec, uint32(rem*(1_000_000_000/w.mul))), nil //nolint:gosec // G115: below 1e9
}

// AppendTimestamp appends the timestamp extension (-1) for sec seconds and
// nsec nanoseconds (below 1e9) since the epoch, in the smallest of its three
// sizes.
func AppendTimestamp(dst []byte, sec int64, nsec uint32) []byte {
	switch {
	case nsec == 0 && sec >= 0 && sec <= math.MaxUint32:
		dst = append(dst, 0xd6, 0xff)
		return binary.BigEndian.AppendUint32(dst, uint32(sec))
	case sec >= 0 && sec < 1<<34:
		dst = append(dst, 0xd7, 0xff)
		return binary.BigEndian.AppendUint64(dst, uint64(nsec)<<34|uint64(sec))
	}
	dst = append(dst, 0xc7, 12, 0xff)
	dst = binary.BigEndian.AppendUint32(dst, nsec)
	return binary.BigEndian.AppendUint64(dst, uint64(sec)) //nolint:gosec // G115: two's complement on the wire
}

type nullWriter struct{}

func (nullWriter) isNull(int) bool { return true }
func (nullWriter) appendValue(dst []byte, _ int) ([]byte, error) {
	return append(dst, 0xc0), nil
}

type dictWriter struct {
	validity
	a    *array.Dictionary
	vals writer
}

func (w dictWriter) isNull(i int) bool {
	return w.validity.isNull(i) || w.vals.isNull(w.a.GetValueIndex(i))
}

func (w dictWriter) appendValue(dst []byte, i int) ([]byte, error) {
	return w.vals.appendValue(dst, w.a.GetValueIndex(i))
}

type offsetsArray interface{ ValueOffsets(int) (int64, int64) }

type listWriter struct {
	validity
	a    offsetsArray
	elem writer
}

func (w listWriter) appendValue(dst []byte, i int) ([]byte, error) {
	start, end := w.a.ValueOffsets(i)
	if end-start > math.MaxUint32 {
		return dst, &encode.ValueError{Err: fmt.Errorf("%w: list of %d items, over 2^32-1", encode.ErrRange, end-start)}
	}
	dst = msgp.AppendArrayHeader(dst, uint32(end-start)) //nolint:gosec // G115: lengths checked against MaxUint32 above; bit patterns kept
	var err error
	for j := int(start); j < int(end); j++ {
		if dst, err = appendElem(dst, w.elem, j); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

type mapWriter struct {
	validity
	a          *array.Map
	keys, vals writer
}

func (w mapWriter) appendValue(dst []byte, i int) ([]byte, error) {
	start, end := w.a.ValueOffsets(i)
	if end-start > math.MaxUint32 {
		return dst, &encode.ValueError{Err: fmt.Errorf("%w: map of %d entries, over 2^32-1", encode.ErrRange, end-start)}
	}
	dst = msgp.AppendMapHeader(dst, uint32(end-start)) //nolint:gosec // G115: lengths checked against MaxUint32 above; bit patterns kept
	var err error
	for j := int(start); j < int(end); j++ {
		if dst, err = appendElem(dst, w.keys, j); err != nil {
			return dst, err
		}
		if dst, err = appendElem(dst, w.vals, j); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// structWriter writes a map of field name → value; the top-level row is one
// with no validity.
type structWriter struct {
	validity
	fields []fieldWriter
	omit   bool
}

type fieldWriter struct {
	key []byte // the field name encoded as a str
	v   validity
	w   writer
}

func (w *structWriter) add(name string, fw writer, v validity) {
	w.fields = append(w.fields, fieldWriter{key: msgp.AppendString(nil, name), v: v, w: fw})
}

func (w *structWriter) appendValue(dst []byte, i int) ([]byte, error) {
	n := len(w.fields)
	if w.omit {
		n = 0
		for j := range w.fields {
			if !w.fields[j].w.isNull(i) {
				n++
			}
		}
	}
	dst = msgp.AppendMapHeader(dst, uint32(n))
	var err error
	for j := range w.fields {
		f := &w.fields[j]
		if f.v.bits != nil || f.v.all {
			if f.w.isNull(i) {
				if !w.omit {
					dst = append(append(dst, f.key...), 0xc0)
				}
				continue
			}
		}
		dst = append(dst, f.key...)
		if dst, err = f.w.appendValue(dst, i); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// stringWriter reads a utf8 or binary array's offsets and data directly.
type stringWriter struct {
	validity
	offs []int32
	data []byte
	bin  bool
}

func newStringWriter(v validity, offs []int32, data []byte, bin bool) *stringWriter {
	return &stringWriter{validity: v, offs: offs, data: data, bin: bin}
}

func (w *stringWriter) appendValue(dst []byte, i int) ([]byte, error) {
	base := w.offs[0]
	v := w.data[w.offs[i]-base : w.offs[i+1]-base]
	if w.bin {
		return msgp.AppendBytes(dst, v), nil
	}
	if n := len(v); n < 32 {
		return append(append(dst, 0xa0|byte(n)), v...), nil
	}
	return msgp.AppendStringFromBytes(dst, v), nil
}

// newWriter returns the writer for the values of a.
func newWriter(a arrow.Array, omit bool) (writer, error) {
	v := validityOf(a)
	switch a := a.(type) {
	case *array.Int8:
		return intWriter[int8]{v, a.Int8Values()}, nil
	case *array.Int16:
		return intWriter[int16]{v, a.Int16Values()}, nil
	case *array.Int32:
		return intWriter[int32]{v, a.Int32Values()}, nil
	case *array.Int64:
		return intWriter[int64]{v, a.Int64Values()}, nil
	case *array.Uint8:
		return uintWriter[uint8]{v, a.Uint8Values()}, nil
	case *array.Uint16:
		return uintWriter[uint16]{v, a.Uint16Values()}, nil
	case *array.Uint32:
		return uintWriter[uint32]{v, a.Uint32Values()}, nil
	case *array.Uint64:
		return uintWriter[uint64]{v, a.Uint64Values()}, nil
	case *array.Float64:
		return float64Writer{v, a.Float64Values()}, nil
	case *array.Float32:
		return float32Writer{v, a.Value}, nil
	case *array.Float16:
		return float32Writer{v, func(i int) float32 { return a.Value(i).Float32() }}, nil
	case *array.Boolean:
		return boolWriter{v, a}, nil
	case *array.String:
		return newStringWriter(v, a.ValueOffsets(), a.ValueBytes(), false), nil
	case *array.LargeString:
		return strWriter[*array.LargeString]{v, a}, nil
	case *array.StringView:
		return strWriter[*array.StringView]{v, a}, nil
	case *array.Binary:
		return newStringWriter(v, a.ValueOffsets(), a.ValueBytes(), true), nil
	case *array.LargeBinary:
		return binWriter[*array.LargeBinary]{v, a}, nil
	case *array.BinaryView:
		return binWriter[*array.BinaryView]{v, a}, nil
	case *array.FixedSizeBinary:
		return binWriter[*array.FixedSizeBinary]{v, a}, nil
	case *array.Null:
		return nullWriter{}, nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return timestampWriter{v, a.TimestampValues(), int64(time1e9 / unit.Multiplier())}, nil
	case *array.Date32:
		return intWriter[arrow.Date32]{v, a.Date32Values()}, nil
	case *array.Date64:
		return intWriter[arrow.Date64]{v, a.Date64Values()}, nil
	case *array.Time32:
		return intWriter[arrow.Time32]{v, a.Time32Values()}, nil
	case *array.Time64:
		return intWriter[arrow.Time64]{v, a.Time64Values()}, nil
	case *array.Duration:
		return intWriter[arrow.Duration]{v, a.DurationValues()}, nil
	case *array.Dictionary:
		vals, err := newWriter(a.Dictionary(), omit)
		if err != nil {
			return nil, err
		}
		return dictWriter{v, a, vals}, nil
	case *array.Map: // before *array.List: a Map is a List too
		keys, err := newWriter(a.Keys(), omit)
		if err != nil {
			return nil, err
		}
		items, err := newWriter(a.Items(), omit)
		if err != nil {
			return nil, err
		}
		return mapWriter{v, a, keys, items}, nil
	case *array.List:
		elem, err := newWriter(a.ListValues(), omit)
		if err != nil {
			return nil, err
		}
		return listWriter{v, a, elem}, nil
	case *array.LargeList:
		elem, err := newWriter(a.ListValues(), omit)
		if err != nil {
			return nil, err
		}
		return listWriter{v, a, elem}, nil
	case *array.FixedSizeList:
		elem, err := newWriter(a.ListValues(), omit)
		if err != nil {
			return nil, err
		}
		return listWriter{v, a, elem}, nil
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		w := &structWriter{validity: v, omit: omit}
		for j, f := range st.Fields() {
			fw, err := newWriter(a.Field(j), omit)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", f.Name, err)
			}
			w.add(f.Name, fw, validityOf(a.Field(j)))
		}
		return w, nil
	}
	return nil, fmt.Errorf("type %s: %w", a.DataType(), encode.ErrUnsupported)
}

const time1e9 = 1_000_000_000
