package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// IPCFormat picks the Arrow IPC flavour a sink writes.
type IPCFormat int

const (
	// IPCStream writes the streaming format (readable as it is written).
	IPCStream IPCFormat = iota
	// IPCFile writes the file format (random access; footer written on Close).
	IPCFile
)

// IPC is a Sink writing every batch to w in the Arrow IPC stream or file
// format. The schema of the first batch is the schema of the output; a batch
// with another schema fails the pipeline (an IPC stream has one schema). Close
// finishes the stream or file; it does not close w.
func IPC(w io.Writer, format IPCFormat, mem memory.Allocator) Sink {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &ipcSink{w: w, format: format, mem: mem}
}

type ipcWriter interface {
	Write(arrow.RecordBatch) error
	Close() error
}

type ipcSink struct {
	mu     sync.Mutex
	w      io.Writer
	format IPCFormat
	mem    memory.Allocator
	schema *arrow.Schema
	out    ipcWriter
	closed bool
}

// ErrSchemaChanged is returned by the IPC sink for a batch whose schema differs
// from the first one written.
var ErrSchemaChanged = errors.New("engine: batch schema differs from the output's")

func (s *ipcSink) Write(_ context.Context, recs []arrow.RecordBatch, done func(error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	for _, r := range recs {
		if err := s.writeOne(r); err != nil {
			done(err)
			return nil
		}
	}
	done(nil)
	return nil
}

func (s *ipcSink) writeOne(r arrow.RecordBatch) error {
	if s.out == nil {
		s.schema = r.Schema()
		opts := []ipc.Option{ipc.WithSchema(s.schema), ipc.WithAllocator(s.mem)}
		switch s.format {
		case IPCFile:
			fw, err := ipc.NewFileWriter(s.w, opts...)
			if err != nil {
				return fmt.Errorf("engine: ipc file: %w", err)
			}
			s.out = fw
		default:
			s.out = ipc.NewWriter(s.w, opts...)
		}
	}
	if !r.Schema().Equal(s.schema) {
		return fmt.Errorf("%w: have %s, got %s", ErrSchemaChanged, s.schema, r.Schema())
	}
	if err := s.out.Write(r); err != nil {
		return fmt.Errorf("engine: ipc write: %w", err)
	}
	return nil
}

func (s *ipcSink) Flush(context.Context) error { return nil }

func (s *ipcSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.out == nil {
		s.closed = true
		return nil
	}
	s.closed = true
	if err := s.out.Close(); err != nil {
		return fmt.Errorf("engine: ipc close: %w", err)
	}
	return nil
}
