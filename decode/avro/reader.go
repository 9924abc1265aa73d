package avro

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
)

// Values that are not valid Avro binary for their writer schema — truncated
// data, negative lengths, varints over 64 bits, union or enum indexes out of
// range, invalid UTF-8, trailing bytes — fail with decode.ErrMalformed.
var (
	errTruncated = fmt.Errorf("%w: unexpected end of data", decode.ErrMalformed)
	errVarint    = fmt.Errorf("%w: varint longer than 64 bits", decode.ErrMalformed)
	errUTF8      = fmt.Errorf("%w: string is not valid UTF-8", decode.ErrMalformed)
	errNegLength = fmt.Errorf("%w: negative length", decode.ErrMalformed)
)

// reader reads Avro binary from one payload. It lives in the appender so the
// hot path passes a pointer that does not escape per record.
//
// Reads do not return errors: a failed read records the first error in err
// and returns a zero value, and decoders check err after each read. Without
// an error result the one-byte paths of long and bytes are small enough to
// inline into the decoders.
type reader struct {
	buf      []byte
	pos      int
	err      error
	maxBytes int
	maxItems int
	maxDepth int
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// long reads a zigzag varint: int, long, lengths, counts and indexes.
func (r *reader) long() int64 {
	if p := r.pos; uint(p) < uint(len(r.buf)) {
		if b := r.buf[p]; b < 0x80 {
			r.pos = p + 1
			return int64(b>>1) ^ -int64(b&1)
		}
	}
	return r.longSlow()
}

func (r *reader) longSlow() int64 {
	p := r.pos
	if len(r.buf)-p >= 8 {
		// Up to 8 bytes from one load: find the last byte by its clear
		// high bit, then gather the 7-bit groups with shifts.
		x := binary.LittleEndian.Uint64(r.buf[p:])
		if stop := ^x & 0x8080808080808080; stop != 0 {
			n := bits.TrailingZeros64(stop)/8 + 1
			x &= 1<<(8*n) - 1
			u := x&0x7f | x>>1&(0x7f<<7) | x>>2&(0x7f<<14) | x>>3&(0x7f<<21) |
				x>>4&(0x7f<<28) | x>>5&(0x7f<<35) | x>>6&(0x7f<<42) | x>>7&(0x7f<<49)
			r.pos = p + n
			return int64(u>>1) ^ -int64(u&1) // #nosec G115 -- zigzag
		}
	}
	u, n := binary.Uvarint(r.buf[p:])
	switch {
	case n == 0:
		r.fail(errTruncated)
		return 0
	case n < 0:
		r.fail(errVarint)
		return 0
	}
	r.pos += n
	return int64(u>>1) ^ -int64(u&1) // #nosec G115 -- zigzag
}

// int reads an Avro int, which must fit 32 bits.
func (r *reader) int() int32 {
	v := r.long()
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.fail(fmt.Errorf("%w: int %d out of 32-bit range", decode.ErrMalformed, v))
		return 0
	}
	return int32(v)
}

func (r *reader) float() float32 {
	if len(r.buf)-r.pos < 4 {
		r.fail(errTruncated)
		return 0
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(r.buf[r.pos:]))
	r.pos += 4
	return v
}

func (r *reader) double() float64 {
	if len(r.buf)-r.pos < 8 {
		r.fail(errTruncated)
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.buf[r.pos:]))
	r.pos += 8
	return v
}

func (r *reader) boolean() bool {
	if r.pos >= len(r.buf) {
		r.fail(errTruncated)
		return false
	}
	b := r.buf[r.pos]
	if b > 1 {
		r.fail(fmt.Errorf("%w: boolean byte 0x%02x", decode.ErrMalformed, b))
		return false
	}
	r.pos++
	return b == 1
}

// bytes reads a length-prefixed byte string (bytes or string). The result
// aliases the payload.
func (r *reader) bytes() []byte {
	if p := r.pos; uint(p) < uint(len(r.buf)) {
		// A one-byte, non-negative length (under 64 bytes).
		if c := r.buf[p]; c&0x81 == 0 {
			if end := p + 1 + int(c>>1); end <= len(r.buf) && int(c>>1) <= r.maxBytes {
				r.pos = end
				return r.buf[p+1 : end : end]
			}
		}
	}
	return r.bytesSlow()
}

func (r *reader) bytesSlow() []byte {
	n := r.long()
	if r.err != nil {
		return nil
	}
	return r.fixed(n)
}

// fixed reads n bytes, aliasing the payload.
func (r *reader) fixed(n int64) []byte {
	switch {
	case n < 0:
		r.fail(errNegLength)
		return nil
	case n > int64(r.maxBytes):
		r.fail(fmt.Errorf("%w: %d-byte value over the %d-byte limit", decode.ErrTooLarge, n, r.maxBytes))
		return nil
	case n > int64(len(r.buf)-r.pos):
		r.fail(errTruncated)
		return nil
	}
	v := r.buf[r.pos : r.pos+int(n) : r.pos+int(n)]
	r.pos += int(n)
	return v
}

// blockCount reads the count that starts an array or map block, skipping the
// block byte size that follows a negative count. total is the items read so
// far; the result keeps total within maxItems.
func (r *reader) blockCount(total int) (int, error) {
	n := r.long()
	if r.err != nil {
		return 0, r.err
	}
	if n < 0 {
		if n < -int64(r.maxItems) {
			return 0, r.itemsLimit(total, n)
		}
		n = -n
		size := r.long()
		if r.err != nil {
			return 0, r.err
		}
		if size < 0 {
			return 0, fmt.Errorf("%w: negative block size %d", decode.ErrMalformed, size)
		}
	}
	if n > int64(r.maxItems-total) {
		return 0, r.itemsLimit(total, n)
	}
	return int(n), nil
}

func (r *reader) itemsLimit(total int, n int64) error {
	return fmt.Errorf("%w: block of %d items after %d is over the %d-item limit", decode.ErrTooLarge, n, total, r.maxItems)
}

// skip reads past one value of writer type n without decoding it: fields the
// reader schema does not have. It interprets the schema (writer-only fields
// are off the fast path) and so handles recursive types, bounded by maxDepth.
func (r *reader) skip(n *avroschema.Node, depth int) error {
	if depth > r.maxDepth {
		return fmt.Errorf("%w: value nested deeper than %d", decode.ErrTooLarge, r.maxDepth)
	}
	switch n.Kind {
	case avroschema.Null:
	case avroschema.Boolean:
		r.boolean()
	case avroschema.Int, avroschema.Long, avroschema.Enum:
		r.long()
	case avroschema.Float:
		r.fixed(4)
	case avroschema.Double:
		r.fixed(8)
	case avroschema.Bytes, avroschema.String:
		r.bytes()
	case avroschema.Fixed:
		r.fixed(int64(n.Size))
	case avroschema.Record:
		for _, f := range n.Fields {
			if err := r.skip(f.Type, depth+1); err != nil {
				return err
			}
		}
	case avroschema.Union:
		i := r.long()
		if r.err != nil {
			return r.err
		}
		if i < 0 || i >= int64(len(n.Branches)) {
			return badUnionIndex(i, len(n.Branches))
		}
		return r.skip(n.Branches[i], depth+1)
	case avroschema.Array, avroschema.Map:
		return r.skipBlocks(n, depth)
	default:
		return fmt.Errorf("%w: cannot skip %s", decode.ErrMalformed, n.Kind)
	}
	return r.err
}

func (r *reader) skipBlocks(n *avroschema.Node, depth int) error {
	total := 0
	for {
		c := r.long()
		if r.err != nil {
			return r.err
		}
		if c == 0 {
			return nil
		}
		if c < 0 {
			// A negative count is followed by the block's size in bytes:
			// jump over it whole.
			size := r.long()
			if r.err == nil {
				r.fixed(size)
			}
			if r.err != nil {
				return r.err
			}
			if c < -int64(r.maxItems) || -c > int64(r.maxItems-total) {
				return r.itemsLimit(total, -c)
			}
			total += int(-c)
			continue
		}
		if c > int64(r.maxItems-total) {
			return r.itemsLimit(total, c)
		}
		total += int(c)
		for ; c > 0; c-- {
			if n.Kind == avroschema.Map {
				if r.bytes(); r.err != nil {
					return r.err
				}
				if err := r.skip(n.Values, depth+1); err != nil {
					return err
				}
			} else if err := r.skip(n.Items, depth+1); err != nil {
				return err
			}
		}
	}
}

func badUnionIndex(i int64, n int) error {
	return fmt.Errorf("%w: union index %d outside 0..%d", decode.ErrMalformed, i, n-1)
}
