package arrowipc

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sabot-kafka/sabot/decode"
)

// The stream is checked before arrow-go's reader sees it: that reader trusts
// sizes it reads (it allocates a body of the length a message claims before
// reading it, and an uncompressed buffer of the length a compressed buffer
// claims) and can panic on inconsistent metadata. scan walks the framing and
// the few flatbuffer fields that carry sizes, with every read bounds-checked.

// Message header types (Message.fbs MessageHeader union).
const (
	headerSchema          = 1
	headerDictionaryBatch = 2
	headerRecordBatch     = 3
)

var errBounds = errors.New("flatbuffer offset out of bounds")

// fb reads one flatbuffer with bounds checks.
type fb []byte

func (b fb) u16(pos int) (int, error) {
	if pos < 0 || pos+2 > len(b) {
		return 0, errBounds
	}
	return int(binary.LittleEndian.Uint16(b[pos:])), nil
}

func (b fb) u32(pos int) (int, error) {
	if pos < 0 || pos+4 > len(b) {
		return 0, errBounds
	}
	return int(binary.LittleEndian.Uint32(b[pos:])), nil
}

func (b fb) i64(pos int) (int64, error) {
	if pos < 0 || pos+8 > len(b) {
		return 0, errBounds
	}
	return int64(binary.LittleEndian.Uint64(b[pos:])), nil //nolint:gosec // G115: flatbuffer longs are two's complement
}

// field returns the position of field id of the table at pos, or -1 when the
// field is absent.
func (b fb) field(table, id int) (int, error) {
	so, err := b.u32(table)
	if err != nil {
		return 0, err
	}
	vt := table - int(int32(uint32(so))) //nolint:gosec // G115: flatbuffer offsets are 32-bit; the bytes are reinterpreted on purpose
	vtLen, err := b.u16(vt)
	if err != nil {
		return 0, err
	}
	if 4+2*id+2 > vtLen {
		return -1, nil
	}
	off, err := b.u16(vt + 4 + 2*id)
	if err != nil || off == 0 {
		return -1, err
	}
	return table + off, nil
}

// deref follows the offset stored at pos (to a table or vector).
func (b fb) deref(pos int) (int, error) {
	off, err := b.u32(pos)
	if err != nil {
		return 0, err
	}
	return pos + off, nil
}

// scanned is what scan learned about a stream.
type scanned struct {
	rows    int64 // rows over all record batches
	batches int
}

// scan checks the framing of an IPC stream and the sizes its messages claim
// against the payload and lim: metadata and bodies within the payload and
// MaxBytes, buffers within their body, decompressed buffers within MaxBytes,
// rows within MaxItems.
//
// views is the number of view-typed arrays (utf8_view, binary_view) in the
// expected schema: arrow-go reads one variadic buffer count per view array
// without checking that the batch carries that many.
func scan(p []byte, lim decode.Limits, views int) (scanned, error) {
	s, at, err := scanMessages(p, lim, views)
	if err != nil {
		return s, &decode.ValueError{Offset: at, Err: err}
	}
	return s, nil
}

// scanMessages is scan; on error it also returns the offset of the message
// that failed.
func scanMessages(p []byte, lim decode.Limits, views int) (s scanned, at int, err error) {
	pos := 0
	for {
		at = pos
		if pos == len(p) {
			return s, at, nil // a stream may end without the end-of-stream marker
		}
		if len(p)-pos < 4 {
			return s, at, fmt.Errorf("%w: %d stray bytes at the end", decode.ErrMalformed, len(p)-pos)
		}
		word := binary.LittleEndian.Uint32(p[pos:])
		n := int(word)
		pos += 4
		if word == 0xFFFFFFFF { // continuation marker, then the length
			if len(p)-pos < 4 {
				return s, at, fmt.Errorf("%w: truncated message length", decode.ErrMalformed)
			}
			n = int(binary.LittleEndian.Uint32(p[pos:]))
			pos += 4
		}
		if n == 0 {
			return s, at, nil // end of stream; what follows is ignored
		}
		if n > len(p)-pos || n < 0 {
			return s, at, fmt.Errorf("%w: %d-byte message metadata with %d bytes left", decode.ErrMalformed, n, len(p)-pos)
		}
		if n > lim.MaxBytes {
			return s, at, fmt.Errorf("%w: %d-byte message metadata over MaxBytes %d", decode.ErrTooLarge, n, lim.MaxBytes)
		}
		meta := fb(p[pos : pos+n])
		pos += n
		typ, bodyLen, header, err := messageHeader(meta)
		if err != nil {
			return s, at, fmt.Errorf("%w: message metadata: %w", decode.ErrMalformed, err)
		}
		if bodyLen < 0 || bodyLen > int64(len(p)-pos) {
			return s, at, fmt.Errorf("%w: %d-byte message body with %d bytes left", decode.ErrMalformed, bodyLen, len(p)-pos)
		}
		if bodyLen > int64(lim.MaxBytes) {
			return s, at, fmt.Errorf("%w: %d-byte message body over MaxBytes %d", decode.ErrTooLarge, bodyLen, lim.MaxBytes)
		}
		body := p[pos : pos+int(bodyLen)]
		pos += int(bodyLen)
		if err := checkOffsets(meta, mustRoot(meta), 4); err != nil { // Message.custom_metadata
			return s, at, fmt.Errorf("%w: message metadata: %w", decode.ErrMalformed, err)
		}
		switch typ {
		case headerSchema:
			if err := checkSchema(meta, header, lim); err != nil {
				return s, at, err
			}
		case headerRecordBatch:
			rows, err := checkBatch(meta, header, body, lim, views)
			if err != nil {
				return s, at, err
			}
			s.rows += rows
			s.batches++
			if s.rows > int64(lim.MaxItems) {
				return s, at, fmt.Errorf("%w: %d rows over MaxItems %d", decode.ErrTooLarge, s.rows, lim.MaxItems)
			}
		case headerDictionaryBatch:
			data, err := meta.field(header, 1) // DictionaryBatch.data: RecordBatch
			if err == nil && data >= 0 {
				var rb int
				if rb, err = meta.deref(data); err == nil {
					_, err = checkBatch(meta, rb, body, lim, 0)
				}
			}
			if err != nil {
				return s, at, err
			}
		default:
			return s, at, fmt.Errorf("%w: message type %d is not a schema, dictionary or record batch", decode.ErrMalformed, typ)
		}
	}
}

func mustRoot(meta fb) int {
	root, _ := meta.deref(0) // checked by messageHeader
	return root
}

// vector returns the position of the first element and the length of the
// vector in field id of table, checking that count elements of size bytes
// fit in the buffer (-1, 0 when the field is absent). arrow-go allocates
// slices of the lengths vectors claim before reading them.
func (b fb) vector(table, id, size int) (int, int, error) {
	f, err := b.field(table, id)
	if err != nil || f < 0 {
		return -1, 0, err
	}
	vec, err := b.deref(f)
	if err != nil {
		return 0, 0, err
	}
	n, err := b.u32(vec)
	if err != nil {
		return 0, 0, err
	}
	if n > (len(b)-vec-4)/size {
		return 0, 0, fmt.Errorf("vector of %d elements in %d bytes", n, len(b)-vec-4)
	}
	return vec + 4, n, nil
}

// checkOffsets checks a vector of tables or strings (4-byte offsets).
func checkOffsets(b fb, table, id int) error {
	_, _, err := b.vector(table, id, 4)
	return err
}

// checkSchema checks the vectors of a Schema message (fields, their children
// and custom metadata, recursively) and its nesting against MaxDepth.
func checkSchema(meta fb, schema int, lim decode.Limits) error {
	if err := checkOffsets(meta, schema, 2); err != nil { // Schema.custom_metadata
		return fmt.Errorf("%w: schema: %w", decode.ErrMalformed, err)
	}
	return checkFields(meta, schema, 1, 1, lim) // Schema.fields
}

func checkFields(meta fb, table, id, depth int, lim decode.Limits) error {
	if depth > lim.MaxDepth {
		return fmt.Errorf("%w: schema nests over MaxDepth %d", decode.ErrTooLarge, lim.MaxDepth)
	}
	first, n, err := meta.vector(table, id, 4)
	if err != nil {
		return fmt.Errorf("%w: schema fields: %w", decode.ErrMalformed, err)
	}
	for i := range n {
		field, err := meta.deref(first + 4*i)
		if err == nil {
			err = checkOffsets(meta, field, 6) // Field.custom_metadata
		}
		if err != nil {
			return fmt.Errorf("%w: schema field: %w", decode.ErrMalformed, err)
		}
		if err := checkFields(meta, field, 5, depth+1, lim); err != nil { // Field.children
			return err
		}
	}
	return nil
}

// messageHeader reads Message.header_type, Message.bodyLength and the
// position of the header table.
func messageHeader(meta fb) (typ int, bodyLen int64, header int, err error) {
	root, err := meta.deref(0)
	if err != nil {
		return 0, 0, 0, err
	}
	f, err := meta.field(root, 1)
	if err != nil || f < 0 {
		return 0, 0, 0, errors.Join(err, errors.New("no header type"))
	}
	if f >= len(meta) {
		return 0, 0, 0, errBounds
	}
	typ = int(meta[f])
	if f, err := meta.field(root, 3); err != nil {
		return 0, 0, 0, err
	} else if f >= 0 {
		if bodyLen, err = meta.i64(f); err != nil {
			return 0, 0, 0, err
		}
	}
	f, err = meta.field(root, 2)
	if err != nil || f < 0 {
		return 0, 0, 0, errors.Join(err, errors.New("no header"))
	}
	header, err = meta.deref(f)
	return typ, bodyLen, header, err
}

// checkBatch checks one RecordBatch table: its length, its buffers within
// the body and, when compressed, the sizes its buffers decompress to.
func checkBatch(meta fb, rb int, body []byte, lim decode.Limits, views int) (int64, error) {
	corrupt := func(err error) (int64, error) {
		return 0, fmt.Errorf("%w: record batch metadata: %w", decode.ErrMalformed, err)
	}
	var rows int64
	if f, err := meta.field(rb, 0); err != nil {
		return corrupt(err)
	} else if f >= 0 {
		if rows, err = meta.i64(f); err != nil {
			return corrupt(err)
		}
	}
	if rows < 0 {
		return corrupt(fmt.Errorf("%d rows", rows))
	}
	cf, err := meta.field(rb, 3)
	if err != nil {
		return corrupt(err)
	}
	compressed := cf >= 0
	if _, _, err := meta.vector(rb, 1, 16); err != nil { // nodes: [FieldNode{length, null_count}]
		return corrupt(err)
	}
	first, count, err := meta.vector(rb, 2, 16) // buffers: [Buffer{offset: long, length: long}]
	if err != nil {
		return corrupt(err)
	}
	// variadicBufferCounts: arrow-go reserves room for that many buffers.
	vfirst, vn, err := meta.vector(rb, 4, 8)
	if err != nil {
		return corrupt(err)
	}
	if vn < views {
		return corrupt(fmt.Errorf("%d variadic buffer counts for %d view arrays", vn, views))
	}
	for i := range vn {
		if c, _ := meta.i64(vfirst + 8*i); c < 0 || c > int64(count) {
			return corrupt(fmt.Errorf("%d variadic buffers of %d", c, count))
		}
	}
	var total int64
	for i := range count {
		off, _ := meta.i64(first + 16*i)
		n, _ := meta.i64(first + 16*i + 8)
		if off < 0 || n < 0 || off > int64(len(body)) || n > int64(len(body))-off {
			return corrupt(fmt.Errorf("buffer %d at %d+%d outside a %d-byte body", i, off, n, len(body)))
		}
		if !compressed || n == 0 {
			continue
		}
		if n < 8 {
			return corrupt(fmt.Errorf("compressed buffer %d of %d bytes", i, n))
		}
		size := int64(binary.LittleEndian.Uint64(body[off:])) //nolint:gosec // G115: -1 marks an uncompressed buffer
		if size == -1 {
			continue // stored uncompressed
		}
		if size < 0 {
			return corrupt(fmt.Errorf("compressed buffer %d claims %d bytes", i, size))
		}
		total += size
		if total > int64(lim.MaxBytes) {
			return 0, fmt.Errorf("%w: buffers decompress to over MaxBytes %d", decode.ErrTooLarge, lim.MaxBytes)
		}
	}
	return rows, nil
}
