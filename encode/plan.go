package encode

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/registry"
)

// A Plan encodes rows of Arrow record batches of one schema into values of one
// format and writer schema. A format package (encode/avro, encode/protobuf, ...)
// compiles a Plan once per (Arrow schema, writer schema); anything it cannot
// encode fails at compile time with a message naming the field.
type Plan interface {
	// Bind prepares to encode the rows of rec, whose schema must match the one
	// the plan was compiled for (by field name and type).
	Bind(rec arrow.RecordBatch) (Appender, error)
}

// An Appender encodes rows of the batch it was bound to.
type Appender interface {
	// AppendRow appends the encoding of row i (the payload only: the caller
	// writes any wire-format header) to dst and returns the extended slice.
	// It does not allocate per row beyond growing dst. A row that does not
	// encode returns a *ValueError (Path set where the format knows the
	// field) wrapping ErrNull, ErrRange or ErrInvalid; the Encoder fills in
	// Row.
	AppendRow(dst []byte, i int) ([]byte, error)
}

// Writer describes the values a plan writes, for the wire-format header.
type Writer struct {
	// Schema is the writer schema to register (its Text is empty for formats
	// that use no registry schema: plain JSON, MessagePack, String, Bytes).
	Schema registry.Schema
	// MessageIndexes is the Protobuf message-index path of the written
	// message within Schema (nil for other formats).
	MessageIndexes []int
	// RecordName is the fully qualified name of the written record or
	// message (Avro namespace.name, Protobuf package.Message, JSON Schema
	// title), for the record-name subject strategies.
	RecordName string
}

// A Compiler builds the encode plan for batches of one Arrow schema. The
// Encoder asks once per distinct Arrow schema and caches the answer; it must be
// safe for concurrent use.
type Compiler interface {
	Compile(s *arrow.Schema) (Plan, Writer, error)
}

// CompilerFunc adapts a function to Compiler.
type CompilerFunc func(s *arrow.Schema) (Plan, Writer, error)

// Compile calls f.
func (f CompilerFunc) Compile(s *arrow.Schema) (Plan, Writer, error) { return f(s) }
