package protobuf

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sabot-kafka/sabot/decode"
)

// Record errors are *decode.ValueError values. Their offsets count from the
// start of the payload: every function that reads a slice of it takes at, the
// slice's offset in the payload. Not protobuf wire format — truncated values,
// lengths past the end, bad field numbers, unbalanced groups, strings that are
// not UTF-8 — is decode.ErrMalformed; a field whose wire type is not the one
// its schema declares is decode.ErrType; a Timestamp or Duration beyond ±292
// years in nanoseconds is decode.ErrRange; a proto2 required field that is
// absent is decode.ErrNull.

// valueErr is the error for the value at path, at bytes into the payload.
func valueErr(path string, at int, kind error, format string, args ...any) error {
	return &decode.ValueError{Path: path, Offset: at, Err: fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))}
}

// consumeVarint reads a varint with a one-byte fast path.
func consumeVarint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return protowire.ConsumeVarint(b)
}

func malformed(path string, at int, what string, n int) error {
	if n < 0 {
		return valueErr(path, at, decode.ErrMalformed, "%s: %v", what, protowire.ParseError(n))
	}
	return valueErr(path, at, decode.ErrMalformed, "%s", what)
}

// wrongType is the error for a known field whose value has wire type got:
// not protobuf at all for an end-group without its start or wire types 6
// and 7 (decode.ErrMalformed), else a value the field does not take
// (decode.ErrType).
func wrongType(path string, at int, got, want protowire.Type) error {
	switch {
	case got == protowire.EndGroupType:
		return valueErr(path, at, decode.ErrMalformed, "unexpected end-group")
	case got > protowire.Fixed32Type:
		return valueErr(path, at, decode.ErrMalformed, "invalid wire type %d", got)
	}
	return valueErr(path, at, decode.ErrType, "wire type %d, want %d", got, want)
}

// readNum reads one number of the given op, normalised to 64 bits.
func readNum(o op, b []byte) (uint64, int) {
	switch o {
	case opFixed32:
		if len(b) < 4 {
			return 0, -1
		}
		return uint64(binary.LittleEndian.Uint32(b)), 4
	case opFixed64:
		if len(b) < 8 {
			return 0, -1
		}
		return binary.LittleEndian.Uint64(b), 8
	}
	v, n := consumeVarint(b)
	switch o {
	case opZigzag32:
		v = uint64(int64(int32(protowire.DecodeZigZag(v & math.MaxUint32)))) // #nosec G115 -- sint32 semantics
	case opZigzag64:
		v = uint64(protowire.DecodeZigZag(v)) // #nosec G115 -- two's complement bits
	}
	return v, n
}

// readLen reads a length-delimited value: its bytes and the bytes consumed.
// max caps the length (MaxBytes for strings and bytes; len(b) otherwise).
func readLen(path string, at int, b []byte, max int) ([]byte, int, error) {
	l, n := consumeVarint(b)
	if n < 0 {
		return nil, 0, malformed(path, at, "length", n)
	}
	if l > uint64(max) { // #nosec G115 -- max >= 0
		return nil, 0, valueErr(path, at, decode.ErrTooLarge, "%d-byte value over the %d-byte limit", l, max)
	}
	if l > uint64(len(b)-n) { // #nosec G115 -- n <= len(b)
		return nil, 0, valueErr(path, at, decode.ErrMalformed, "length %d past the end (%d bytes left)", l, len(b)-n)
	}
	end := n + int(l) // #nosec G115 -- l <= len(b)
	return b[n:end:end], end, nil
}

func checkUTF8(path string, at int, v []byte) error {
	if utf8.Valid(v) {
		return nil
	}
	return valueErr(path, at, decode.ErrMalformed, "string is not valid UTF-8")
}

// groupBody returns the body of a group whose start tag (field num) was just
// read, and the bytes consumed including the end tag.
func groupBody(path string, at int, num protowire.Number, b []byte, depth, maxDepth int) ([]byte, int, error) {
	i := 0
	for {
		if i >= len(b) {
			return nil, 0, malformed(path, at+i, "group without end", 0)
		}
		tag, n := consumeVarint(b[i:])
		if n < 0 {
			return nil, 0, malformed(path, at+i, "tag in group", n)
		}
		if tag>>3 > uint64(protowire.MaxValidNumber) {
			return nil, 0, malformed(path, at+i, fmt.Sprintf("field number %d", tag>>3), 0)
		}
		fnum, typ := protowire.Number(tag>>3), protowire.Type(tag&7) // #nosec G115 -- checked above
		if typ == protowire.EndGroupType {
			if fnum != num {
				return nil, 0, malformed(path, at+i, fmt.Sprintf("group %d ended by end-group %d", num, fnum), 0)
			}
			return b[:i:i], i + n, nil
		}
		m, err := skipValue(path, at+i+n, fnum, typ, b[i+n:], depth+1, maxDepth)
		if err != nil {
			return nil, 0, err
		}
		i += n + m
	}
}

// skipValue skips one value of an unknown field and returns its size.
func skipValue(path string, at int, num protowire.Number, typ protowire.Type, b []byte, depth, maxDepth int) (int, error) {
	if num < protowire.MinValidNumber || num > protowire.MaxValidNumber {
		return 0, malformed(path, at, fmt.Sprintf("field number %d", num), 0)
	}
	switch typ {
	case protowire.VarintType:
		_, n := consumeVarint(b)
		if n < 0 {
			return 0, malformed(path, at, fmt.Sprintf("unknown field %d", num), n)
		}
		return n, nil
	case protowire.Fixed32Type:
		if len(b) < 4 {
			return 0, malformed(path, at, fmt.Sprintf("unknown field %d: truncated fixed32", num), 0)
		}
		return 4, nil
	case protowire.Fixed64Type:
		if len(b) < 8 {
			return 0, malformed(path, at, fmt.Sprintf("unknown field %d: truncated fixed64", num), 0)
		}
		return 8, nil
	case protowire.BytesType:
		_, n, err := readLen(path, at, b, len(b))
		return n, err
	case protowire.StartGroupType:
		if depth > maxDepth {
			return 0, valueErr(path, at, decode.ErrTooLarge, "groups nested deeper than %d", maxDepth)
		}
		_, n, err := groupBody(path, at, num, b, depth, maxDepth)
		return n, err
	case protowire.EndGroupType:
		return 0, malformed(path, at, fmt.Sprintf("unexpected end-group %d", num), 0)
	}
	return 0, malformed(path, at, fmt.Sprintf("field %d has invalid wire type %d", num, typ), 0)
}

const nanosPerSecond = 1_000_000_000

// readWKT reads a well-known message body into one value: nanoseconds for
// Timestamp and Duration, the normalised number or the bytes of a wrapper.
// Absent fields read as zero; unknown fields are skipped.
func readWKT(path string, at int, w wkt, b []byte, maxBytes, maxDepth int) (uint64, []byte, error) {
	var (
		num   uint64
		val   []byte
		secs  int64
		nanos int32
	)
	end := at + len(b)
	for len(b) > 0 {
		tag, n := consumeVarint(b)
		if n < 0 {
			return 0, nil, malformed(path, end-len(b), "tag", n)
		}
		b = b[n:]
		if tag>>3 > uint64(protowire.MaxValidNumber) {
			return 0, nil, malformed(path, end-len(b)-n, fmt.Sprintf("field number %d", tag>>3), 0)
		}
		fnum, typ := protowire.Number(tag>>3), protowire.Type(tag&7) // #nosec G115 -- checked above
		want, o := wktField(w, fnum)
		if want < 0 {
			m, err := skipValue(path, end-len(b), fnum, typ, b, 1, maxDepth)
			if err != nil {
				return 0, nil, err
			}
			b = b[m:]
			continue
		}
		if typ != want {
			return 0, nil, wrongType(path, end-len(b), typ, want)
		}
		if typ == protowire.BytesType {
			v, m, err := readLen(path, end-len(b), b, maxBytes)
			if err != nil {
				return 0, nil, err
			}
			if w == wktString {
				if err := checkUTF8(path, end-len(b), v); err != nil {
					return 0, nil, err
				}
			}
			val, b = v, b[m:]
			continue
		}
		v, m := readNum(o, b)
		if m < 0 {
			return 0, nil, malformed(path, end-len(b), "value", m)
		}
		b = b[m:]
		switch {
		case (w == wktTimestamp || w == wktDuration) && fnum == 1:
			secs = int64(v) // #nosec G115 -- int64 field
		case w == wktTimestamp || w == wktDuration:
			nanos = int32(v) // #nosec G115 -- int32 field
		default:
			num = v
		}
	}
	switch w {
	case wktTimestamp, wktDuration:
		const maxSecs = math.MaxInt64/nanosPerSecond - 3 // room for any int32 nanos
		if secs > maxSecs || secs < -maxSecs {
			return 0, nil, valueErr(path, at, decode.ErrRange, "%d seconds do not fit nanoseconds in int64", secs)
		}
		return uint64(secs*nanosPerSecond + int64(nanos)), nil, nil // #nosec G115 -- bits
	case wktString, wktBytes:
		if val == nil {
			val = []byte{}
		}
		return 0, val, nil
	}
	return num, nil, nil
}

// wktField gives the wire type and op of field fnum of a well-known type, or
// -1 for fields it does not have.
func wktField(w wkt, fnum protowire.Number) (protowire.Type, op) {
	switch w {
	case wktTimestamp, wktDuration:
		if fnum == 1 || fnum == 2 {
			return protowire.VarintType, opVarint
		}
		return -1, 0
	}
	if fnum != 1 {
		return -1, 0
	}
	switch w {
	case wktDouble:
		return protowire.Fixed64Type, opFixed64
	case wktFloat:
		return protowire.Fixed32Type, opFixed32
	case wktString, wktBytes:
		return protowire.BytesType, opBytes
	}
	return protowire.VarintType, opVarint
}
