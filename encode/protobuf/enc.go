package protobuf

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sabot-kafka/sabot/encode"
)

// rowErr is the row error for the value at path: a *encode.ValueError (the
// Encoder fills in its row) wrapping kind, an encode sentinel.
func rowErr(path string, kind error, format string, args ...any) error {
	return &encode.ValueError{Path: path, Err: fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))}
}

// Bind prepares to encode the rows of rec.
func (p *Plan) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	if int(rec.NumCols()) != p.cols {
		return nil, fmt.Errorf("protobuf: bind: batch has %d columns, the plan %d", rec.NumCols(), p.cols)
	}
	m, err := bindMessage(p.root, rec.Columns())
	if err != nil {
		return nil, err
	}
	return m, nil
}

// msgEnc writes one message per row from a set of aligned columns.
type msgEnc struct {
	plan   *msgPlan
	fields []fieldEnc
}

type fieldEnc struct {
	*fieldPlan
	col  arrow.Array
	val  valEnc
	fast fastEnc     // val, when it has the one-call form
	list *array.List // modeList
	mp   *array.Map  // modeMap
	kids *msgEnc     // modeMap: the entry over keys and items
}

// validity reads a column's null bitmap without an interface call.
type validity struct {
	bits []byte
	off  int
}

func newValidity(a arrow.Array) validity {
	if a.NullN() == 0 {
		return validity{}
	}
	return validity{bits: a.NullBitmapBytes(), off: a.Data().Offset()}
}

func (v validity) null(i int) bool { return v.bits != nil && !bitutil.BitIsSet(v.bits, v.off+i) }

// A fastEnc writes a whole singular field (tag and value) in one call:
// isNull reports a null it skipped; skipZero omits zero values.
type fastEnc interface {
	emit(dst []byte, i int, tag []byte, skipZero bool) (out []byte, isNull bool)
}

// A valEnc writes one value of a column: the bytes after the tag.
type valEnc interface {
	null(i int) bool
	// zero reports a zero value, which implicit-presence fields omit.
	zero(i int) bool
	put(dst []byte, i int) ([]byte, error)
}

func bindMessage(p *msgPlan, cols []arrow.Array) (*msgEnc, error) {
	m := &msgEnc{plan: p, fields: make([]fieldEnc, len(p.fields))}
	for i := range p.fields {
		fp := &p.fields[i]
		f := &m.fields[i]
		f.fieldPlan = fp
		f.col = cols[fp.col]
		var err error
		switch fp.mode {
		case modeMap:
			mp, ok := f.col.(*array.Map)
			if !ok {
				return nil, fmt.Errorf("protobuf: bind: column %s is %T, want a map", fp.path, f.col)
			}
			f.mp = mp
			f.kids, err = bindMessage(fp.value.child, []arrow.Array{mp.Keys(), mp.Items()})
		case modeList:
			l, ok := f.col.(*array.List)
			if !ok {
				return nil, fmt.Errorf("protobuf: bind: column %s is %T, want a list", fp.path, f.col)
			}
			f.list = l
			f.val, err = bindValue(&fp.value, l.ListValues(), fp.itemPath)
		default:
			f.val, err = bindValue(&fp.value, f.col, fp.path)
			f.fast, _ = f.val.(fastEnc)
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// AppendRow appends row i's message to dst.
func (m *msgEnc) AppendRow(dst []byte, i int) ([]byte, error) {
	return m.append(dst, i)
}

func (m *msgEnc) append(dst []byte, i int) ([]byte, error) {
	for _, members := range m.plan.oneofs {
		set := -1
		for _, fi := range members {
			if m.fields[fi].val.null(i) {
				continue
			}
			if set >= 0 {
				return dst, rowErr(m.fields[fi].path, encode.ErrInvalid, "more than one oneof member set: %s and %s", m.fields[set].path, m.fields[fi].path)
			}
			set = fi
		}
	}
	var err error
	for k := range m.fields {
		f := &m.fields[k]
		switch f.mode {
		case modeValue:
			if f.fast != nil {
				var isNull bool
				dst, isNull = f.fast.emit(dst, i, f.tag, !f.presence && !m.plan.always)
				if isNull && f.required {
					return dst, rowErr(f.path, encode.ErrNull, "required field is null")
				}
				continue
			}
			if f.val.null(i) {
				if f.required {
					return dst, rowErr(f.path, encode.ErrNull, "required field is null")
				}
				continue
			}
			if !f.presence && !m.plan.always && f.val.zero(i) {
				continue
			}
			dst = append(dst, f.tag...)
			if dst, err = f.val.put(dst, i); err != nil {
				return dst, err
			}
		case modeList:
			if dst, err = f.appendList(dst, i); err != nil {
				return dst, err
			}
		case modeMap:
			if f.mp.IsNull(i) {
				continue
			}
			start, end := f.mp.ValueOffsets(i)
			for j := int(start); j < int(end); j++ {
				dst = append(dst, f.tag...)
				at := len(dst)
				dst = append(dst, 0)
				if dst, err = f.kids.append(dst, j); err != nil {
					return dst, err
				}
				dst = fixLen(dst, at)
			}
		}
	}
	return dst, nil
}

func (f *fieldEnc) appendList(dst []byte, i int) ([]byte, error) {
	if f.list.IsNull(i) {
		return dst, nil
	}
	start, end := f.list.ValueOffsets(i)
	if start == end {
		return dst, nil
	}
	var err error
	if f.packed {
		dst = protowire.AppendTag(dst, f.num, protowire.BytesType)
		at := len(dst)
		dst = append(dst, 0)
		for j := int(start); j < int(end); j++ {
			if f.val.null(j) {
				return dst, rowErr(f.itemPath, encode.ErrNull, "list element %d is null", j-int(start))
			}
			if dst, err = f.val.put(dst, j); err != nil {
				return dst, err
			}
		}
		return fixLen(dst, at), nil
	}
	for j := int(start); j < int(end); j++ {
		if f.val.null(j) {
			return dst, rowErr(f.itemPath, encode.ErrNull, "list element %d is null", j-int(start))
		}
		dst = append(dst, f.tag...)
		if dst, err = f.val.put(dst, j); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// fixLen writes the length of the bytes after the one-byte placeholder at
// dst[at], widening the varint (and moving the bytes) when it needs more.
func fixLen(dst []byte, at int) []byte {
	n := len(dst) - at - 1
	if n < 0x80 {
		dst[at] = byte(n) // #nosec G115 -- n < 0x80
		return dst
	}
	w := protowire.SizeVarint(uint64(n))
	dst = append(dst, make([]byte, w-1)...)
	copy(dst[at+w:], dst[at+1:at+1+n])
	protowire.AppendVarint(dst[at:at], uint64(n))
	return dst
}

func putNum(dst []byte, o op, v uint64) []byte {
	switch o {
	case opZigzag32:
		return protowire.AppendVarint(dst, uint64(uint32(int32(v)<<1^int32(v)>>31))) // #nosec G115 -- zigzag of the low 32 bits
	case opZigzag64:
		return protowire.AppendVarint(dst, protowire.EncodeZigZag(int64(v))) // #nosec G115 -- bits
	case opFixed32:
		return binary.LittleEndian.AppendUint32(dst, uint32(v)) // #nosec G115 -- low 32 bits
	case opFixed64:
		return binary.LittleEndian.AppendUint64(dst, v)
	}
	if v < 0x80 {
		return append(dst, byte(v))
	}
	return protowire.AppendVarint(dst, v)
}

func bindValue(v *valuePlan, a arrow.Array, path string) (valEnc, error) {
	var e valEnc
	switch {
	case v.child != nil:
		sa, ok := a.(*array.Struct)
		if !ok {
			break
		}
		cols := make([]arrow.Array, sa.NumField())
		for k := range cols {
			cols[k] = sa.Field(k)
		}
		kids, err := bindMessage(v.child, cols)
		if err != nil {
			return nil, err
		}
		e = &structEnc{arr: sa, kids: kids, group: v.group, end: v.groupEnd}
	case v.wrapped != nil:
		inner, err := bindValue(v.wrapped, a, path)
		if err != nil {
			return nil, err
		}
		e = &wrapperEnc{inner: inner, tag: v.wrapTag}
	case v.wkt != "":
		e = bindTime(v, a)
	case v.enum != nil:
		e = bindEnum(v, a, path)
	default:
		e = bindScalar(v, a)
	}
	if e == nil {
		return nil, fmt.Errorf("protobuf: bind: column %s is %s (%T), not what the plan was compiled for", path, a.DataType(), a)
	}
	return e, nil
}

func bindScalar(v *valuePlan, a arrow.Array) valEnc {
	switch c := a.(type) {
	case *array.Int32:
		return intEnc[int32]{newValidity(c), c.Int32Values(), v.op}
	case *array.Int64:
		return intEnc[int64]{newValidity(c), c.Int64Values(), v.op}
	case *array.Uint32:
		return intEnc[uint32]{newValidity(c), c.Uint32Values(), v.op}
	case *array.Uint64:
		return intEnc[uint64]{newValidity(c), c.Uint64Values(), v.op}
	case *array.Float32:
		return float32Enc{newValidity(c), c.Float32Values()}
	case *array.Float64:
		return float64Enc{newValidity(c), c.Float64Values()}
	case *array.Boolean:
		return boolEnc{newValidity(c), c}
	case *array.String:
		return stringEnc[*array.String]{newValidity(c), c}
	case *array.LargeString:
		return stringEnc[*array.LargeString]{newValidity(c), c}
	case *array.Binary:
		return bytesEnc[*array.Binary]{newValidity(c), c}
	case *array.LargeBinary:
		return bytesEnc[*array.LargeBinary]{newValidity(c), c}
	}
	return nil
}

type intEnc[T int32 | int64 | uint32 | uint64] struct {
	validity
	vals []T
	op   op
}

func (e intEnc[T]) emit(dst []byte, i int, tag []byte, skipZero bool) ([]byte, bool) {
	if e.null(i) {
		return dst, true
	}
	v := e.vals[i]
	if skipZero && v == 0 {
		return dst, false
	}
	return putNum(append(dst, tag...), e.op, uint64(v)), false // #nosec G115 -- sign-extends like protobuf
}
func (e intEnc[T]) zero(i int) bool { return e.vals[i] == 0 }
func (e intEnc[T]) put(dst []byte, i int) ([]byte, error) {
	return putNum(dst, e.op, uint64(e.vals[i])), nil // #nosec G115 -- sign-extends like protobuf
}

type float32Enc struct {
	validity
	vals []float32
}

func (e float32Enc) emit(dst []byte, i int, tag []byte, skipZero bool) ([]byte, bool) {
	if e.null(i) {
		return dst, true
	}
	v := math.Float32bits(e.vals[i])
	if skipZero && v == 0 {
		return dst, false
	}
	return binary.LittleEndian.AppendUint32(append(dst, tag...), v), false
}
func (e float32Enc) zero(i int) bool { return math.Float32bits(e.vals[i]) == 0 }
func (e float32Enc) put(dst []byte, i int) ([]byte, error) {
	return binary.LittleEndian.AppendUint32(dst, math.Float32bits(e.vals[i])), nil
}

type float64Enc struct {
	validity
	vals []float64
}

func (e float64Enc) emit(dst []byte, i int, tag []byte, skipZero bool) ([]byte, bool) {
	if e.null(i) {
		return dst, true
	}
	v := math.Float64bits(e.vals[i])
	if skipZero && v == 0 {
		return dst, false
	}
	return binary.LittleEndian.AppendUint64(append(dst, tag...), v), false
}
func (e float64Enc) zero(i int) bool { return math.Float64bits(e.vals[i]) == 0 }
func (e float64Enc) put(dst []byte, i int) ([]byte, error) {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(e.vals[i])), nil
}

type boolEnc struct {
	validity
	arr *array.Boolean
}

func (e boolEnc) zero(i int) bool { return !e.arr.Value(i) }
func (e boolEnc) put(dst []byte, i int) ([]byte, error) {
	if e.arr.Value(i) {
		return append(dst, 1), nil
	}
	return append(dst, 0), nil
}

type stringArray interface {
	IsNull(int) bool
	Value(int) string
}

type stringEnc[A stringArray] struct {
	validity
	arr A
}

func (e stringEnc[A]) emit(dst []byte, i int, tag []byte, skipZero bool) ([]byte, bool) {
	if e.null(i) {
		return dst, true
	}
	v := e.arr.Value(i)
	if skipZero && len(v) == 0 {
		return dst, false
	}
	dst = append(dst, tag...)
	if len(v) < 0x80 {
		return append(append(dst, byte(len(v))), v...), false // #nosec G115 -- len(v) < 0x80
	}
	return append(protowire.AppendVarint(dst, uint64(len(v))), v...), false
}
func (e stringEnc[A]) zero(i int) bool { return len(e.arr.Value(i)) == 0 }
func (e stringEnc[A]) put(dst []byte, i int) ([]byte, error) {
	s := e.arr.Value(i)
	return append(protowire.AppendVarint(dst, uint64(len(s))), s...), nil
}

type bytesArray interface {
	IsNull(int) bool
	Value(int) []byte
}

type bytesEnc[A bytesArray] struct {
	validity
	arr A
}

func (e bytesEnc[A]) zero(i int) bool { return len(e.arr.Value(i)) == 0 }
func (e bytesEnc[A]) put(dst []byte, i int) ([]byte, error) {
	b := e.arr.Value(i)
	return append(protowire.AppendVarint(dst, uint64(len(b))), b...), nil
}

// structEnc writes a nested message (length-delimited, or a group body and
// its end tag).
type structEnc struct {
	arr   *array.Struct
	kids  *msgEnc
	group bool
	end   []byte
}

func (e *structEnc) null(i int) bool { return e.arr.IsNull(i) }
func (e *structEnc) zero(int) bool   { return false }
func (e *structEnc) put(dst []byte, i int) ([]byte, error) {
	if e.group {
		dst, err := e.kids.append(dst, i)
		return append(dst, e.end...), err
	}
	at := len(dst)
	dst, err := e.kids.append(append(dst, 0), i)
	if err != nil {
		return dst, err
	}
	return fixLen(dst, at), nil
}

// wrapperEnc writes a wrapper message (google.protobuf.Int64Value, ...)
// around a value; a zero value is the empty message.
type wrapperEnc struct {
	inner valEnc
	tag   []byte
}

func (e *wrapperEnc) null(i int) bool { return e.inner.null(i) }
func (e *wrapperEnc) zero(int) bool   { return false }
func (e *wrapperEnc) put(dst []byte, i int) ([]byte, error) {
	at := len(dst)
	dst = append(dst, 0)
	if !e.inner.zero(i) {
		var err error
		if dst, err = e.inner.put(append(dst, e.tag...), i); err != nil {
			return dst, err
		}
	}
	return fixLen(dst, at), nil
}
