// Package wire reads and writes the Confluent Schema Registry wire format that
// prefixes Kafka record values:
//
//	0x00 | schema id (4 bytes, big-endian, signed) | payload
//
// The id is a signed 32-bit integer, as the Java serializers write it;
// registries hand out positive ids, so a header whose id is negative (its
// first id byte is 0x80 or more) is not valid framing: [ParseHeader] reports
// it as [ErrNegativeID].
//
// A Protobuf payload starts with the path of message indexes that picks the
// message within its .proto file: a count then the indexes, all zigzag varints.
// The common path [0] is written as the single byte 0x00; the long form 02 00
// is accepted when reading.
//
// Producers that carry the schema id in a record header instead use the header
// named by [ValueSchemaIDHeader] or [KeySchemaIDHeader] whose value is 0x01
// followed by a 16-byte schema GUID.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MagicByte starts every wire-format value.
const MagicByte byte = 0x00

// HeaderSize is the size of the magic byte plus the schema id.
const HeaderSize = 5

// Header names and the magic byte for schema GUIDs carried in record headers.
const (
	ValueSchemaIDHeader = "__value_schema_id"
	KeySchemaIDHeader   = "__key_schema_id"
	GUIDMagicByte       = byte(0x01)
	GUIDSize            = 16
)

// MaxMessageIndexes caps the length of a Protobuf message-index path read from
// the wire. Real paths are as deep as message nesting in one file.
const MaxMessageIndexes = 64

// Errors callers branch on. Each failure wraps one of these with detail.
var (
	ErrTooShort       = errors.New("wire: value shorter than the 5-byte header")
	ErrBadMagic       = errors.New("wire: value does not start with magic byte 0x00")
	ErrBadIndexes     = errors.New("wire: malformed protobuf message-index path")
	ErrBadGUIDHeader  = errors.New("wire: malformed schema GUID header")
	ErrNegativeID     = errors.New("wire: schema id is negative")
	errVarintOverflow = errors.New("varint overflows 64 bits")
)

// ParseHeader splits a wire-format value into its schema id and payload. The
// payload aliases b. The id is read as the signed 32-bit integer it is on the
// wire; a negative one is an error wrapping [ErrNegativeID] (and is returned
// with it, for messages).
func ParseHeader(b []byte) (id int, payload []byte, err error) {
	if len(b) < HeaderSize {
		return 0, nil, fmt.Errorf("%w (%d bytes)", ErrTooShort, len(b))
	}
	if b[0] != MagicByte {
		return 0, nil, fmt.Errorf("%w (got 0x%02x)", ErrBadMagic, b[0])
	}
	id = int(int32(binary.BigEndian.Uint32(b[1:5]))) // #nosec G115 -- the id is a signed 32-bit integer on the wire
	if id < 0 {
		return id, nil, fmt.Errorf("%w (%d)", ErrNegativeID, id)
	}
	return id, b[HeaderSize:], nil
}

// AppendHeader appends the magic byte and schema id to dst. The id is written
// as a 32-bit integer: ids outside 0..2^31-1 are not valid on the wire.
func AppendHeader(dst []byte, id int) []byte {
	return binary.BigEndian.AppendUint32(append(dst, MagicByte), uint32(id)) // #nosec G115 -- ids are 32-bit on the wire
}

// ParseMessageIndexes reads a Protobuf message-index path from the start of a
// payload, appending the indexes to dst (which may be nil) and returning the
// rest of the payload. Both the one-byte form of [0] and the long form are
// accepted.
func ParseMessageIndexes(b []byte, dst []int) (indexes []int, rest []byte, err error) {
	count, n, err := zigzag(b)
	if err != nil {
		return dst, nil, fmt.Errorf("%w: count: %w", ErrBadIndexes, err)
	}
	b = b[n:]
	if count == 0 {
		return append(dst, 0), b, nil
	}
	if count < 0 || count > MaxMessageIndexes {
		return dst, nil, fmt.Errorf("%w: count %d outside 0..%d", ErrBadIndexes, count, MaxMessageIndexes)
	}
	for i := int64(0); i < count; i++ {
		v, n, err := zigzag(b)
		if err != nil {
			return dst, nil, fmt.Errorf("%w: index %d: %w", ErrBadIndexes, i, err)
		}
		if v < 0 || v > 1<<30 {
			return dst, nil, fmt.Errorf("%w: index %d is %d", ErrBadIndexes, i, v)
		}
		dst = append(dst, int(v))
		b = b[n:]
	}
	return dst, b, nil
}

// AppendMessageIndexes appends a Protobuf message-index path to dst, writing
// [0] (and an empty path) as the single byte 0x00.
func AppendMessageIndexes(dst []byte, indexes []int) []byte {
	if len(indexes) == 0 || (len(indexes) == 1 && indexes[0] == 0) {
		return append(dst, 0)
	}
	dst = binary.AppendVarint(dst, int64(len(indexes)))
	for _, ix := range indexes {
		dst = binary.AppendVarint(dst, int64(ix))
	}
	return dst
}

// ParseGUIDHeader reads a schema GUID header value (0x01 + 16 bytes) and returns
// the GUID in its canonical 8-4-4-4-12 text form.
func ParseGUIDHeader(v []byte) (string, error) {
	if len(v) != 1+GUIDSize || v[0] != GUIDMagicByte {
		return "", fmt.Errorf("%w: %d bytes", ErrBadGUIDHeader, len(v))
	}
	const hexdigits = "0123456789abcdef"
	g := v[1:]
	out := make([]byte, 0, 36)
	for i, c := range g {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdigits[c>>4], hexdigits[c&0x0f])
	}
	return string(out), nil
}

// zigzag reads one zigzag-encoded varint (what Confluent writes for the index
// path) and returns it with the number of bytes read.
func zigzag(b []byte) (int64, int, error) {
	v, n := binary.Varint(b)
	switch {
	case n == 0:
		return 0, 0, ErrTooShort
	case n < 0:
		return 0, 0, errVarintOverflow
	}
	return v, n, nil
}
