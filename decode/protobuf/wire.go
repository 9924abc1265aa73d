package protobuf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sabot-kafka/sabot/decode"
)

// ErrMalformed is wrapped by errors for payloads that are not valid protobuf
// wire format for the message: truncated values, lengths past the end, a wire
// type that does not match the field, bad field numbers, unbalanced groups.
var ErrMalformed = errors.New("protobuf: malformed message")

// ErrInvalidUTF8 is wrapped by errors for string fields that are not UTF-8.
var ErrInvalidUTF8 = errors.New("protobuf: string field is not valid UTF-8")

// ErrRange is wrapped by errors for well-known values that do not fit their
// Arrow type (a Timestamp or Duration beyond ±292 years in nanoseconds).
var ErrRange = errors.New("protobuf: value out of range")

// consumeVarint reads a varint with a one-byte fast path.
func consumeVarint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return protowire.ConsumeVarint(b)
}

func malformed(path, what string, n int) error {
	if n < 0 {
		return fmt.Errorf("%w: field %s: %s: %w", ErrMalformed, path, what, protowire.ParseError(n))
	}
	return fmt.Errorf("%w: field %s: %s", ErrMalformed, path, what)
}

func wrongType(path string, got, want protowire.Type) error {
	return fmt.Errorf("%w: field %s: wire type %d, want %d", ErrMalformed, path, got, want)
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
func readLen(path string, b []byte, max int) ([]byte, int, error) {
	l, n := consumeVarint(b)
	if n < 0 {
		return nil, 0, malformed(path, "length", n)
	}
	if l > uint64(max) { // #nosec G115 -- max >= 0
		return nil, 0, fmt.Errorf("protobuf: field %s: %d-byte value: %w", path, l, decode.ErrLimit)
	}
	if l > uint64(len(b)-n) { // #nosec G115 -- n <= len(b)
		return nil, 0, fmt.Errorf("%w: field %s: length %d past the end (%d bytes left)", ErrMalformed, path, l, len(b)-n)
	}
	end := n + int(l) // #nosec G115 -- l <= len(b)
	return b[n:end:end], end, nil
}

func checkUTF8(path string, v []byte) error {
	if utf8.Valid(v) {
		return nil
	}
	return fmt.Errorf("%w: field %s", ErrInvalidUTF8, path)
}

// groupBody returns the body of a group whose start tag (field num) was just
// read, and the bytes consumed including the end tag.
func groupBody(path string, num protowire.Number, b []byte, depth, maxDepth int) ([]byte, int, error) {
	i := 0
	for {
		if i >= len(b) {
			return nil, 0, malformed(path, "group without end", 0)
		}
		tag, n := consumeVarint(b[i:])
		if n < 0 {
			return nil, 0, malformed(path, "tag in group", n)
		}
		if tag>>3 > uint64(protowire.MaxValidNumber) {
			return nil, 0, malformed(path, fmt.Sprintf("field number %d", tag>>3), 0)
		}
		fnum, typ := protowire.Number(tag>>3), protowire.Type(tag&7) // #nosec G115 -- checked above
		if typ == protowire.EndGroupType {
			if fnum != num {
				return nil, 0, malformed(path, fmt.Sprintf("group %d ended by end-group %d", num, fnum), 0)
			}
			return b[:i:i], i + n, nil
		}
		m, err := skipValue(path, fnum, typ, b[i+n:], depth+1, maxDepth)
		if err != nil {
			return nil, 0, err
		}
		i += n + m
	}
}

// skipValue skips one value of an unknown field and returns its size.
func skipValue(path string, num protowire.Number, typ protowire.Type, b []byte, depth, maxDepth int) (int, error) {
	if num < protowire.MinValidNumber || num > protowire.MaxValidNumber {
		return 0, malformed(path, fmt.Sprintf("field number %d", num), 0)
	}
	switch typ {
	case protowire.VarintType:
		_, n := consumeVarint(b)
		if n < 0 {
			return 0, malformed(path, fmt.Sprintf("unknown field %d", num), n)
		}
		return n, nil
	case protowire.Fixed32Type:
		if len(b) < 4 {
			return 0, malformed(path, fmt.Sprintf("unknown field %d: truncated fixed32", num), 0)
		}
		return 4, nil
	case protowire.Fixed64Type:
		if len(b) < 8 {
			return 0, malformed(path, fmt.Sprintf("unknown field %d: truncated fixed64", num), 0)
		}
		return 8, nil
	case protowire.BytesType:
		_, n, err := readLen(path, b, len(b))
		return n, err
	case protowire.StartGroupType:
		if depth > maxDepth {
			return 0, fmt.Errorf("protobuf: field %s: groups nested deeper than %d: %w", path, maxDepth, decode.ErrLimit)
		}
		_, n, err := groupBody(path, num, b, depth, maxDepth)
		return n, err
	case protowire.EndGroupType:
		return 0, malformed(path, fmt.Sprintf("unexpected end-group %d", num), 0)
	}
	return 0, malformed(path, fmt.Sprintf("field %d has invalid wire type %d", num, typ), 0)
}

const nanosPerSecond = 1_000_000_000

// readWKT reads a well-known message body into one value: nanoseconds for
// Timestamp and Duration, the normalised number or the bytes of a wrapper.
// Absent fields read as zero; unknown fields are skipped.
func readWKT(path string, w wkt, b []byte, maxBytes, maxDepth int) (uint64, []byte, error) {
	var (
		num   uint64
		val   []byte
		secs  int64
		nanos int32
	)
	for len(b) > 0 {
		tag, n := consumeVarint(b)
		if n < 0 {
			return 0, nil, malformed(path, "tag", n)
		}
		b = b[n:]
		if tag>>3 > uint64(protowire.MaxValidNumber) {
			return 0, nil, malformed(path, fmt.Sprintf("field number %d", tag>>3), 0)
		}
		fnum, typ := protowire.Number(tag>>3), protowire.Type(tag&7) // #nosec G115 -- checked above
		want, o := wktField(w, fnum)
		if want < 0 {
			m, err := skipValue(path, fnum, typ, b, 1, maxDepth)
			if err != nil {
				return 0, nil, err
			}
			b = b[m:]
			continue
		}
		if typ != want {
			return 0, nil, wrongType(path, typ, want)
		}
		if typ == protowire.BytesType {
			v, m, err := readLen(path, b, maxBytes)
			if err != nil {
				return 0, nil, err
			}
			if w == wktString {
				if err := checkUTF8(path, v); err != nil {
					return 0, nil, err
				}
			}
			val, b = v, b[m:]
			continue
		}
		v, m := readNum(o, b)
		if m < 0 {
			return 0, nil, malformed(path, "value", m)
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
			return 0, nil, fmt.Errorf("%w: field %s: %d seconds do not fit nanoseconds in int64", ErrRange, path, secs)
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
