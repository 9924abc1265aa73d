package encode

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
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
	// It does not allocate per row beyond growing dst.
	AppendRow(dst []byte, i int) ([]byte, error)
}

// ErrUnsupported is wrapped by plan-compile errors for Arrow types or schema
// constructs a format cannot encode; the message names the field.
var ErrUnsupported = errors.New("encode: unsupported type")
