package bench

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Compression attribute bits of a Kafka record batch.
const (
	attrNone = 0
	attrLZ4  = 3
	attrZstd = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// recordBatch builds one Kafka v2 record batch (magic 2) holding values with
// null keys, compressed with comp ("none", "lz4" or "zstd"). The embedded
// cluster serves copies of it for every fetch in synthetic mode, so
// consumers read exactly these bytes without the broker storing anything.
func recordBatch(values [][]byte, comp string) ([]byte, error) {
	var recs []byte
	for i, v := range values {
		var body []byte
		body = append(body, 0)                     // attributes
		body = binary.AppendVarint(body, 0)        // timestamp delta
		body = binary.AppendVarint(body, int64(i)) // offset delta
		body = binary.AppendVarint(body, -1)       // null key
		body = binary.AppendVarint(body, int64(len(v)))
		body = append(body, v...)
		body = binary.AppendVarint(body, 0) // no headers
		recs = binary.AppendVarint(recs, int64(len(body)))
		recs = append(recs, body...)
	}
	var attr int16
	switch comp {
	case "none", "":
	case "lz4":
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		if _, err := w.Write(recs); err != nil {
			return nil, fmt.Errorf("bench: lz4: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("bench: lz4: %w", err)
		}
		recs, attr = buf.Bytes(), attrLZ4
	case "zstd":
		enc, err := zstd.NewWriter(nil)
		if err != nil {
			return nil, fmt.Errorf("bench: zstd: %w", err)
		}
		recs, attr = enc.EncodeAll(recs, nil), attrZstd
		_ = enc.Close()
	default:
		return nil, fmt.Errorf("bench: synthetic batches support none, lz4 and zstd, not %q", comp)
	}
	const ts = 1_700_000_000_000
	// Everything after the CRC, which the CRC covers.
	var tail []byte
	tail = binary.BigEndian.AppendUint16(tail, uint16(attr))          // #nosec G115 -- small constant
	tail = binary.BigEndian.AppendUint32(tail, uint32(len(values)-1)) // #nosec G115 -- last offset delta
	tail = binary.BigEndian.AppendUint64(tail, ts)                    // first timestamp
	tail = binary.BigEndian.AppendUint64(tail, ts)                    // max timestamp
	tail = binary.BigEndian.AppendUint64(tail, ^uint64(0))            // producer id -1
	tail = binary.BigEndian.AppendUint16(tail, ^uint16(0))            // producer epoch -1
	tail = binary.BigEndian.AppendUint32(tail, ^uint32(0))            // base sequence -1
	tail = binary.BigEndian.AppendUint32(tail, uint32(len(values)))   // #nosec G115 -- record count
	tail = append(tail, recs...)

	var b []byte
	b = binary.BigEndian.AppendUint64(b, 0)                       // base offset (rewritten per copy)
	b = binary.BigEndian.AppendUint32(b, uint32(4+1+4+len(tail))) // #nosec G115 -- batch length after this field
	b = binary.BigEndian.AppendUint32(b, 0)                       // partition leader epoch
	b = append(b, 2)                                              // magic
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(tail, castagnoli))
	return append(b, tail...), nil
}
