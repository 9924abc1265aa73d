package decode

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The classes of values that do not decode. Every per-record error a Plan's
// Appender returns is (or wraps) a *ValueError whose Err wraps exactly one of
// these, with the detail after it: errors.Is(err, ErrType) holds whatever the
// format, and Kind names the class.
var (
	// ErrMalformed: not valid bytes for the format — truncated, bad syntax,
	// bad escapes, invalid UTF-8, trailing bytes, a corrupt IPC stream, an IPC
	// value that is not exactly one row, a schema mismatch inside an IPC value.
	ErrMalformed = errors.New("decode: malformed value")
	// ErrType: a well-formed value of a type the column does not take,
	// including a fraction in an integer column, a duplicate key and an
	// unsupported extension type.
	ErrType = errors.New("decode: value does not fit its column")
	// ErrNull: a null or missing value for a column that is not nullable.
	ErrNull = errors.New("decode: null in a non-nullable column")
	// ErrRange: a number, time or decimal outside the range of its column.
	ErrRange = errors.New("decode: value out of range for its column")
	// ErrTooLarge: a value over a Limits cap (bytes, items, depth). Plan
	// compilers also wrap it for schemas nested deeper than MaxDepth.
	ErrTooLarge = errors.New("decode: value exceeds a limit")
	// ErrInvalid: a value that breaks its JSON Schema.
	ErrInvalid = errors.New("decode: value violates its schema")
	// ErrUnknownSchema: the value names a writer schema id or GUID the
	// registry does not have (it answered 404, with or without an error
	// code).
	ErrUnknownSchema = errors.New("decode: unknown writer schema")
)

// ErrUnsupported is wrapped by plan-compile errors: a schema construct with
// no Arrow mapping (the message names the field) and, from the Decoder, any
// writer schema no plan can be built for — one that does not parse, is of
// another format, does not match the reader schema, or whose references the
// registry cannot resolve into a usable graph. The Decoder reports it per
// record (every record written with that schema) in Result.Errors; from New
// and Compile it is the caller's error.
var ErrUnsupported = errors.New("decode: unsupported schema construct")

// ValueError is a value that did not decode: where and why. Every per-record
// error a Plan's Appender returns is (or wraps) a *ValueError whose Err wraps
// one of the sentinels above.
type ValueError struct {
	// Path is the dotted field path of the value that failed: "user.name".
	// "[]" marks the items of a list or array ("tags[]", "lines[].sku"),
	// "{}" the values of a map ("attrs{}"); "" is the value itself. Every
	// format spells the same field the same way.
	Path string
	// Offset is the byte offset in the payload where decoding stopped.
	Offset int
	// Err wraps a sentinel, possibly with detail:
	// fmt.Errorf("%w: want int, got string", ErrType).
	Err error
}

// Error reads `decode: field user.tags[] at byte 12: value does not fit its
// column: want int, got string`, or `decode: at byte 3: ...` for the value
// itself.
func (e *ValueError) Error() string {
	msg := "<nil>"
	if e.Err != nil {
		msg = strings.TrimPrefix(e.Err.Error(), "decode: ")
	}
	var b strings.Builder
	b.Grow(len("decode: field  at byte : ") + len(e.Path) + 20 + len(msg))
	b.WriteString("decode: ")
	if e.Path != "" {
		b.WriteString("field ")
		b.WriteString(e.Path)
		b.WriteByte(' ')
	}
	b.WriteString("at byte ")
	b.WriteString(strconv.Itoa(e.Offset))
	b.WriteString(": ")
	b.WriteString(msg)
	return b.String()
}

// Unwrap returns Err.
func (e *ValueError) Unwrap() error { return e.Err }

// Kind names the class of err for routing and headers: "malformed", "type",
// "null", "range", "too_large", "invalid", "unknown_schema", "unsupported"
// (a writer schema no plan can be built for), "registry" (ErrRegistry: an
// outage, never a record's own fault), else "other" (nil included).
func Kind(err error) string {
	switch {
	case err == nil:
		return "other"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrType):
		return "type"
	case errors.Is(err, ErrNull):
		return "null"
	case errors.Is(err, ErrRange):
		return "range"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	case errors.Is(err, ErrUnknownSchema):
		return "unknown_schema"
	case errors.Is(err, ErrUnsupported):
		return "unsupported"
	case errors.Is(err, ErrRegistry):
		return "registry"
	}
	return "other"
}

// RecordError reports one record that did not decode. The rest of its batch
// decodes; the engine routes the record to the dead-letter path with this
// context. Err is usually a *ValueError; decode.Kind(Err) classifies it.
type RecordError struct {
	// Index is the record's position in the slice given to Decode.
	Index     int
	Topic     string
	Partition int32
	Offset    int64
	// SchemaID is the writer schema id from the wire-format header, or -1.
	SchemaID int
	Err      error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("decode: %s/%d@%d: %v", e.Topic, e.Partition, e.Offset, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }
