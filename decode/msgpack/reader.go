package msgpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/sabot-kafka/sabot/decode"
)

// MessagePack type bytes (https://github.com/msgpack/msgpack/blob/master/spec.md).
const (
	mNil      = 0xc0
	mNever    = 0xc1
	mFalse    = 0xc2
	mTrue     = 0xc3
	mBin8     = 0xc4
	mBin16    = 0xc5
	mBin32    = 0xc6
	mExt8     = 0xc7
	mExt16    = 0xc8
	mExt32    = 0xc9
	mFloat32  = 0xca
	mFloat64  = 0xcb
	mUint8    = 0xcc
	mUint16   = 0xcd
	mUint32   = 0xce
	mUint64   = 0xcf
	mInt8     = 0xd0
	mInt16    = 0xd1
	mInt32    = 0xd2
	mInt64    = 0xd3
	mFixExt1  = 0xd4
	mFixExt2  = 0xd5
	mFixExt4  = 0xd6
	mFixExt8  = 0xd7
	mFixExt16 = 0xd8
	mStr8     = 0xd9
	mStr16    = 0xda
	mStr32    = 0xdb
	mArray16  = 0xdc
	mArray32  = 0xdd
	mMap16    = 0xde
	mMap32    = 0xdf
)

// TimestampExt is the MessagePack extension type of timestamps.
const TimestampExt = -1

// within prefixes the path of err (a *decode.ValueError) with seg: a field
// name, or "[]" (a list item) or "{}" (a map value), so paths read the same as
// in the other formats ("tags[].name", "attrs{}").
func within(err error, seg string) error {
	var e *decode.ValueError
	if errors.As(err, &e) {
		switch {
		case e.Path == "":
			e.Path = seg
		case e.Path[0] == '[' || e.Path[0] == '{':
			e.Path = seg + e.Path
		default:
			e.Path = seg + "." + e.Path
		}
	}
	return err
}

// reader walks one payload. All reads are bounds-checked; lengths are checked
// against the bytes left and the limits before anything is sliced.
type reader struct {
	b        []byte
	p        int
	maxBytes int
	maxItems int
	maxDepth int
	extNull  bool // ExtPolicy ExtNull
}

// fail is the error at r.p: a *decode.ValueError (its path filled in as it
// returns through the fields) whose Err wraps kind, a decode sentinel.
func (r *reader) fail(kind error, format string, args ...any) error {
	return &decode.ValueError{Offset: r.p, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

func (r *reader) truncated() error { return r.fail(decode.ErrMalformed, "truncated") }

// peek returns the next type byte without consuming it.
func (r *reader) peek() (byte, error) {
	if r.p >= len(r.b) {
		return 0, r.truncated()
	}
	return r.b[r.p], nil
}

// take consumes n bytes.
func (r *reader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.p {
		return nil, r.truncated()
	}
	v := r.b[r.p : r.p+n : r.p+n]
	r.p += n
	return v, nil
}

func (r *reader) u8() (uint8, error) {
	if r.p >= len(r.b) {
		return 0, r.truncated()
	}
	v := r.b[r.p]
	r.p++
	return v, nil
}

func (r *reader) u16() (uint16, error) {
	if len(r.b)-r.p < 2 {
		return 0, r.truncated()
	}
	v := binary.BigEndian.Uint16(r.b[r.p:])
	r.p += 2
	return v, nil
}

func (r *reader) u32() (uint32, error) {
	if len(r.b)-r.p < 4 {
		return 0, r.truncated()
	}
	v := binary.BigEndian.Uint32(r.b[r.p:])
	r.p += 4
	return v, nil
}

func (r *reader) u64() (uint64, error) {
	if len(r.b)-r.p < 8 {
		return 0, r.truncated()
	}
	v := binary.BigEndian.Uint64(r.b[r.p:])
	r.p += 8
	return v, nil
}

// bytesLen reads the length that follows a str/bin/ext type byte of the given
// width (1, 2 or 4 bytes) and checks it against MaxBytes.
func (r *reader) bytesLen(width int) (int, error) {
	var n int
	switch width {
	case 1:
		v, err := r.u8()
		if err != nil {
			return 0, err
		}
		n = int(v)
	case 2:
		v, err := r.u16()
		if err != nil {
			return 0, err
		}
		n = int(v)
	default:
		v, err := r.u32()
		if err != nil {
			return 0, err
		}
		n = int(v)
	}
	if n > len(r.b)-r.p {
		return 0, r.fail(decode.ErrMalformed, "%d-byte value with %d bytes left", n, len(r.b)-r.p)
	}
	if n > r.maxBytes {
		return 0, r.fail(decode.ErrTooLarge, "%d-byte value over MaxBytes %d", n, r.maxBytes)
	}
	return n, nil
}

// strOrBin reads a str or bin value; isStr says which.
func (r *reader) strOrBin() (v []byte, isStr bool, err error) {
	c, err := r.peek()
	if err != nil {
		return nil, false, err
	}
	var n int
	switch {
	case c >= 0xa0 && c <= 0xbf:
		r.p++
		n = int(c & 0x1f)
		if n > len(r.b)-r.p {
			return nil, true, r.fail(decode.ErrMalformed, "%d-byte str with %d bytes left", n, len(r.b)-r.p)
		}
		if n > r.maxBytes {
			return nil, true, r.fail(decode.ErrTooLarge, "%d-byte value over MaxBytes %d", n, r.maxBytes)
		}
		isStr = true
	case c == mStr8 || c == mStr16 || c == mStr32:
		r.p++
		if n, err = r.bytesLen(1 << (c - mStr8)); err != nil {
			return nil, true, err
		}
		isStr = true
	case c == mBin8 || c == mBin16 || c == mBin32:
		r.p++
		if n, err = r.bytesLen(1 << (c - mBin8)); err != nil {
			return nil, false, err
		}
	default:
		return nil, false, r.wrongType(c, "str or bin")
	}
	v = r.b[r.p : r.p+n : r.p+n]
	r.p += n
	return v, isStr, nil
}

// count reads an array or map header's element count (c already consumed is
// not assumed: the header is read from r.p). perItem is the minimum encoded
// size of one element (1 for arrays, 2 for maps), so a count no payload could
// hold fails before anything is allocated.
func (r *reader) count(c byte, fix, h16, h32 byte, perItem int) (int, error) {
	var n int
	switch {
	case c&0xf0 == fix:
		r.p++
		n = int(c & 0x0f)
	case c == h16:
		r.p++
		v, err := r.u16()
		if err != nil {
			return 0, err
		}
		n = int(v)
	case c == h32:
		r.p++
		v, err := r.u32()
		if err != nil {
			return 0, err
		}
		n = int(v)
	default:
		return 0, nil
	}
	if n*perItem > len(r.b)-r.p {
		return 0, r.fail(decode.ErrMalformed, "%d items with %d bytes left", n, len(r.b)-r.p)
	}
	if n > r.maxItems {
		return 0, r.fail(decode.ErrTooLarge, "%d items over MaxItems %d", n, r.maxItems)
	}
	return n, nil
}

func isArray(c byte) bool { return c&0xf0 == 0x90 || c == mArray16 || c == mArray32 }
func isMap(c byte) bool   { return c&0xf0 == 0x80 || c == mMap16 || c == mMap32 }

func (r *reader) arrayLen(c byte) (int, error) { return r.count(c, 0x90, mArray16, mArray32, 1) }
func (r *reader) mapLen(c byte) (int, error)   { return r.count(c, 0x80, mMap16, mMap32, 2) }

// number kinds read by num.
const (
	kindInt = iota
	kindUint
	kindFloat
)

// num reads any integer or float. Integers that fit int64 come back as
// kindInt; larger unsigned ones as kindUint (in u).
func (r *reader) num() (kind int, i int64, u uint64, f float64, err error) {
	c, err := r.peek()
	if err != nil {
		return 0, 0, 0, 0, err
	}
	if c <= 0x7f {
		r.p++
		return kindInt, int64(c), 0, 0, nil
	}
	if c >= 0xe0 {
		r.p++
		return kindInt, int64(int8(c)), 0, 0, nil //nolint:gosec // G115: two's-complement wire encoding reinterpreted on purpose
	}
	switch c {
	case mUint8, mInt8:
		r.p++
		v, err := r.u8()
		if c == mInt8 {
			return kindInt, int64(int8(v)), 0, 0, err //nolint:gosec // G115: two's-complement wire encoding reinterpreted on purpose
		}
		return kindInt, int64(v), 0, 0, err
	case mUint16, mInt16:
		r.p++
		v, err := r.u16()
		if c == mInt16 {
			return kindInt, int64(int16(v)), 0, 0, err //nolint:gosec // G115: two's-complement wire encoding reinterpreted on purpose
		}
		return kindInt, int64(v), 0, 0, err
	case mUint32, mInt32:
		r.p++
		v, err := r.u32()
		if c == mInt32 {
			return kindInt, int64(int32(v)), 0, 0, err //nolint:gosec // G115: two's-complement wire encoding reinterpreted on purpose
		}
		return kindInt, int64(v), 0, 0, err
	case mUint64:
		r.p++
		v, err := r.u64()
		if v > math.MaxInt64 {
			return kindUint, 0, v, 0, err
		}
		return kindInt, int64(v), 0, 0, err
	case mInt64:
		r.p++
		v, err := r.u64()
		return kindInt, int64(v), 0, 0, err //nolint:gosec // G115: two's-complement wire encoding reinterpreted on purpose
	case mFloat32:
		r.p++
		v, err := r.u32()
		return kindFloat, 0, 0, float64(math.Float32frombits(v)), err
	case mFloat64:
		r.p++
		v, err := r.u64()
		return kindFloat, 0, 0, math.Float64frombits(v), err
	}
	return 0, 0, 0, 0, r.wrongType(c, "a number")
}

// int64 reads an integer (or a float with an integral value) that fits int64.
func (r *reader) int64() (int64, error) {
	start := r.p
	kind, i, u, f, err := r.num()
	if err != nil {
		return 0, err
	}
	switch kind {
	case kindUint:
		r.p = start
		return 0, r.fail(decode.ErrRange, "%d overflows int64", u)
	case kindFloat:
		if f != math.Trunc(f) {
			r.p = start
			return 0, r.fail(decode.ErrType, "float %g is not an integer", f)
		}
		if f < -(1<<63) || f >= 1<<63 {
			r.p = start
			return 0, r.fail(decode.ErrRange, "float %g overflows int64", f)
		}
		return int64(f), nil
	}
	return i, nil
}

// uint64 reads a non-negative integer (or integral float) that fits uint64.
func (r *reader) uint64() (uint64, error) {
	start := r.p
	kind, i, u, f, err := r.num()
	if err != nil {
		return 0, err
	}
	switch kind {
	case kindUint:
		return u, nil
	case kindFloat:
		if f != math.Trunc(f) {
			r.p = start
			return 0, r.fail(decode.ErrType, "float %g is not an integer", f)
		}
		if f < 0 || f >= 1<<64 {
			r.p = start
			return 0, r.fail(decode.ErrRange, "float %g is outside the range of uint64", f)
		}
		return uint64(f), nil
	}
	if i < 0 {
		r.p = start
		return 0, r.fail(decode.ErrRange, "%d is negative", i)
	}
	return uint64(i), nil
}

// float64 reads any number as a float64 (integers above 2^53 round).
func (r *reader) float64() (float64, error) {
	kind, i, u, f, err := r.num()
	switch kind {
	case kindInt:
		return float64(i), err
	case kindUint:
		return float64(u), err
	}
	return f, err
}

// ext reads an extension header and returns its type and data.
func (r *reader) ext() (typ int8, data []byte, err error) {
	c, err := r.peek()
	if err != nil {
		return 0, nil, err
	}
	var n int
	switch c {
	case mFixExt1, mFixExt2, mFixExt4, mFixExt8, mFixExt16:
		r.p++
		n = 1 << (c - mFixExt1)
	case mExt8, mExt16, mExt32:
		r.p++
		if n, err = r.bytesLen(1 << (c - mExt8)); err != nil {
			return 0, nil, err
		}
	default:
		return 0, nil, r.wrongType(c, "ext")
	}
	t, err := r.u8()
	if err != nil {
		return 0, nil, err
	}
	data, err = r.take(n)
	return int8(t), data, err //nolint:gosec // G115: two's-complement wire encoding reinterpreted on purpose
}

func isExt(c byte) bool {
	return (c >= mFixExt1 && c <= mFixExt16) || (c >= mExt8 && c <= mExt32)
}

// timestamp decodes the data of a timestamp extension (4, 8 or 12 bytes).
func timestamp(data []byte) (sec int64, nsec uint32, ok bool) {
	switch len(data) {
	case 4:
		return int64(binary.BigEndian.Uint32(data)), 0, true
	case 8:
		v := binary.BigEndian.Uint64(data)
		return int64(v & (1<<34 - 1)), uint32(v >> 34), v>>34 < 1e9
	case 12:
		ns := binary.BigEndian.Uint32(data)
		return int64(binary.BigEndian.Uint64(data[4:])), ns, ns < 1e9 //nolint:gosec // G115: two's-complement wire encoding reinterpreted on purpose
	}
	return 0, 0, false
}

// skip consumes one value of any type, nested up to the depth limit.
func (r *reader) skip(depth int) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch {
	case c <= 0x7f || c >= 0xe0 || c == mNil || c == mFalse || c == mTrue:
		r.p++
		return nil
	case isMap(c) || isArray(c):
		if depth > r.maxDepth {
			return r.depthErr()
		}
		var n int
		if isMap(c) {
			n, err = r.mapLen(c)
			n *= 2
		} else {
			n, err = r.arrayLen(c)
		}
		if err != nil {
			return err
		}
		for range n {
			if err := r.skip(depth + 1); err != nil {
				return err
			}
		}
		return nil
	case (c >= 0xa0 && c <= 0xbf) || (c >= mStr8 && c <= mStr32) || (c >= mBin8 && c <= mBin32):
		_, _, err := r.strOrBin()
		return err
	case isExt(c):
		_, _, err := r.ext()
		return err
	}
	n := 0
	switch c {
	case mUint8, mInt8:
		n = 1
	case mUint16, mInt16:
		n = 2
	case mUint32, mInt32, mFloat32:
		n = 4
	case mUint64, mInt64, mFloat64:
		n = 8
	default: // only 0xc1 is left
		return r.fail(decode.ErrMalformed, "type byte 0x%02x is never used", c)
	}
	r.p++
	_, err = r.take(n)
	return err
}

func (r *reader) depthErr() error {
	return r.fail(decode.ErrTooLarge, "nesting over MaxDepth %d", r.maxDepth)
}

// wrongType is the error for a value of the wrong type: decode.ErrMalformed
// for the never-used byte, decode.ErrType otherwise.
func (r *reader) wrongType(c byte, want string) error {
	if c == mNever {
		return r.fail(decode.ErrMalformed, "type byte 0xc1 is never used")
	}
	return r.fail(decode.ErrType, "want %s, got %s", want, typeName(c))
}

// typeName names the MessagePack type of a type byte, for error messages.
func typeName(c byte) string {
	switch {
	case c <= 0x7f || c >= 0xe0 || (c >= mUint8 && c <= mInt64):
		return "int"
	case isMap(c):
		return "map"
	case isArray(c):
		return "array"
	case (c >= 0xa0 && c <= 0xbf) || (c >= mStr8 && c <= mStr32):
		return "str"
	case c >= mBin8 && c <= mBin32:
		return "bin"
	case isExt(c):
		return "ext"
	case c == mFloat32 || c == mFloat64:
		return "float"
	case c == mNil:
		return "nil"
	case c == mTrue || c == mFalse:
		return "bool"
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
