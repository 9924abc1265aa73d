package decode

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/registry"
)

// A Plan decodes the payloads of one writer schema into rows of a fixed set of
// Arrow columns. A format package (decode/avro, decode/protobuf, ...) compiles
// a Plan once per schema; the Decoder caches it by schema id and shares it
// across batches and goroutines. Anything a plan cannot represent fails when the
// plan is compiled, with a message naming the field, never at row N.
type Plan interface {
	// Fields are the Arrow fields of the value columns, in order.
	Fields() []arrow.Field
	// Bind returns an Appender that writes into bs, one builder per field,
	// created by the caller from Fields() with its allocator. An Appender is
	// used by one goroutine at a time and lives as long as its builders.
	Bind(bs []array.Builder) (Appender, error)
}

// An Appender decodes one payload into one row.
type Appender interface {
	// Append decodes payload (the record value with any wire-format header
	// already removed) and appends exactly one row: one entry in every
	// builder it was bound to.
	//
	// On error it must still leave exactly one new entry in every builder —
	// nested builders included — appending nulls where decoding stopped, so
	// the columns stay aligned. The caller drops that row and reports the
	// error against the record; it never panics and never reads past payload.
	// The error is (or wraps) a *ValueError whose Err wraps one of the
	// sentinels of errors.go (ErrMalformed, ErrType, ...).
	Append(payload []byte) error
}

// Limits cap what a value read from the wire may claim, so a corrupt or hostile
// record costs an error, not memory. Format packages enforce them (a value
// over a cap fails with ErrTooLarge); zero fields take the defaults from
// DefaultLimits.
type Limits struct {
	// MaxBytes caps one string or bytes field (default 64 MiB).
	MaxBytes int
	// MaxItems caps the items of one array, map or repeated field (default 1M).
	MaxItems int
	// MaxDepth caps nesting of records, messages, objects and lists (default 64).
	MaxDepth int
}

// DefaultLimits are the limits used for zero fields of Limits.
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxItems: 1 << 20, MaxDepth: 64}

// WithDefaults returns l with zero fields replaced by DefaultLimits.
func (l Limits) WithDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxItems <= 0 {
		l.MaxItems = DefaultLimits.MaxItems
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	return l
}

// A Compiler builds plans for one format and configuration (inline schema,
// reader schema, Arrow schema, limits). The Decoder asks it once per writer
// schema id (and Protobuf message path) and caches the answer, so Compile may
// be slow; it must be safe for concurrent use.
type Compiler interface {
	// Compile returns the plan for values written with schema s. s is nil
	// when values carry no wire-format header: the schema then comes from the
	// compiler's own configuration. path is the Protobuf message-index path
	// read from the value (nil for other formats).
	Compile(s *registry.ResolvedSchema, path []int) (Plan, error)
}

// CompilerFunc adapts a function to Compiler.
type CompilerFunc func(s *registry.ResolvedSchema, path []int) (Plan, error)

// Compile calls f.
func (f CompilerFunc) Compile(s *registry.ResolvedSchema, path []int) (Plan, error) {
	return f(s, path)
}
