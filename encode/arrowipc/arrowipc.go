// Package arrowipc encodes Arrow record batches as Arrow IPC streams: each
// row as a stream of its own (the encode.Plan contract: one value per row),
// or a whole batch as one stream with AppendBatch (for exports and for
// values that carry many rows). decode/arrowipc reads both.
package arrowipc

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
)

// Compression of IPC bodies.
type Compression uint8

// Body compressions.
const (
	Uncompressed Compression = iota
	LZ4
	Zstd
)

// Options configure the encoding.
type Options struct {
	// Compression compresses the record batch bodies (IPC's own buffer
	// compression, independent of the Kafka producer's).
	Compression Compression
	// Allocator for the writer's scratch buffers (default
	// memory.DefaultAllocator).
	Allocator memory.Allocator
}

func (o Options) ipcOptions(s *arrow.Schema) []ipc.Option {
	mem := o.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	opts := []ipc.Option{ipc.WithSchema(s), ipc.WithAllocator(mem)}
	switch o.Compression {
	case LZ4:
		opts = append(opts, ipc.WithLZ4())
	case Zstd:
		opts = append(opts, ipc.WithZstd())
	}
	return opts
}

// appendWriter is an io.Writer appending to a slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// AppendBatch appends rec as one IPC stream (schema, dictionaries, one record
// batch, end-of-stream) to dst.
func AppendBatch(dst []byte, rec arrow.RecordBatch, o Options) ([]byte, error) {
	w := &appendWriter{b: dst}
	iw := ipc.NewWriter(w, o.ipcOptions(rec.Schema())...)
	if err := iw.Write(rec); err != nil {
		_ = iw.Close()
		return dst, fmt.Errorf("arrowipc: writing batch: %w", err)
	}
	if err := iw.Close(); err != nil {
		return dst, fmt.Errorf("arrowipc: closing stream: %w", err)
	}
	return w.b, nil
}

// NewCompiler returns an encode.Compiler writing each row as an IPC stream.
// IPC values carry their own schema: the Writer it answers is empty.
func NewCompiler(o Options) encode.Compiler {
	return encode.CompilerFunc(func(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
		return &Plan{schema: s, opts: o}, encode.Writer{}, nil
	})
}

// Plan writes rows of batches of one schema.
type Plan struct {
	schema *arrow.Schema
	opts   Options
}

// Bind prepares to encode the rows of rec. Without dictionary columns the
// schema message is written once per batch and reused for every row; with
// them each row is written by a fresh writer, so each value carries the
// dictionaries its row needs.
func (p *Plan) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	if !rec.Schema().Equal(p.schema) {
		return nil, fmt.Errorf("arrowipc: batch schema %s differs from the plan's %s", rec.Schema(), p.schema)
	}
	a := &rowAppender{rec: rec, opts: p.opts}
	if hasDictionary(p.schema) {
		return a, nil
	}
	// Write an empty batch to learn the schema message's bytes.
	w := &appendWriter{}
	iw := ipc.NewWriter(w, p.opts.ipcOptions(p.schema)...)
	empty := rec.NewSlice(0, 0)
	defer empty.Release()
	if err := iw.Write(empty); err != nil {
		return nil, fmt.Errorf("arrowipc: writing schema: %w", err)
	}
	n, err := messageLen(w.b)
	if err != nil {
		return nil, err
	}
	a.schemaMsg = append([]byte(nil), w.b[:n]...)
	a.w, a.iw = w, iw
	return a, nil
}

func hasDictionary(s *arrow.Schema) bool {
	var walk func(dt arrow.DataType) bool
	walk = func(dt arrow.DataType) bool {
		if dt.ID() == arrow.DICTIONARY {
			return true
		}
		if n, ok := dt.(arrow.NestedType); ok {
			for _, f := range n.Fields() {
				if walk(f.Type) {
					return true
				}
			}
		}
		return false
	}
	for _, f := range s.Fields() {
		if walk(f.Type) {
			return true
		}
	}
	return false
}

// messageLen is the length of the first framed message of an IPC stream.
func messageLen(b []byte) (int, error) {
	if len(b) < 8 || binary.LittleEndian.Uint32(b) != 0xFFFFFFFF {
		return 0, errors.New("arrowipc: writer produced no framed message")
	}
	meta := int(binary.LittleEndian.Uint32(b[4:]))
	if 8+meta > len(b) {
		return 0, errors.New("arrowipc: writer produced a short message")
	}
	// A schema message has no body.
	return 8 + meta, nil
}

// endOfStream is the IPC end-of-stream marker.
var endOfStream = []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}

type rowAppender struct {
	rec       arrow.RecordBatch
	opts      Options
	schemaMsg []byte
	w         *appendWriter
	iw        *ipc.Writer
}

// AppendRow appends row i as an IPC stream of one one-row batch.
func (a *rowAppender) AppendRow(dst []byte, i int) ([]byte, error) {
	row := a.rec.NewSlice(int64(i), int64(i)+1)
	defer row.Release()
	if a.iw == nil {
		return AppendBatch(dst, row, a.opts)
	}
	a.w.b = a.w.b[:0]
	if err := a.iw.Write(row); err != nil {
		return dst, fmt.Errorf("arrowipc: writing row %d: %w", i, err)
	}
	dst = append(dst, a.schemaMsg...)
	dst = append(dst, a.w.b...)
	return append(dst, endOfStream...), nil
}
