package encode

import (
	"errors"
	"strconv"
	"strings"
)

// The classes of rows that do not encode. Every row error a Plan's Appender
// returns is (or wraps) a *ValueError whose Err wraps one of these, with the
// detail after it; the Encoder lists it in Values.Errors with its row.
var (
	// ErrNull: a null the format or the writer schema cannot hold (a field
	// without a null branch or presence, a null row for a raw value).
	ErrNull = errors.New("encode: null value the format cannot hold")
	// ErrRange: a value outside what the format can hold: NaN or an
	// infinity in JSON, an integer overflowing a narrower type, a date
	// outside the years 0000–9999, a decimal past the writer's precision.
	ErrRange = errors.New("encode: value out of range for the format")
	// ErrInvalid: a row that breaks the writer schema: a JSON Schema
	// violation, an enum name the enum does not declare, several members of
	// one oneof set.
	ErrInvalid = errors.New("encode: value violates the writer schema")
)

// ErrUnsupported is wrapped by plan-compile errors for Arrow types or schema
// constructs a format cannot encode; the message names the field. It is
// never a row error.
var ErrUnsupported = errors.New("encode: unsupported type")

// ValueError is a row that did not encode: where and why.
type ValueError struct {
	// Row is the row of the batch (filled in by the Encoder).
	Row int
	// Path is the field path, spelled as in decode.ValueError: "user.id",
	// "tags[]" for list items, "attrs{}" for map values; "" when the format
	// does not say (or for the row as a whole).
	Path string
	// Err wraps a sentinel above, possibly with detail.
	Err error
}

// Error reads `encode: row 3, field user.id: null value the format cannot
// hold`, or `encode: row 3: ...` without a path.
func (e *ValueError) Error() string {
	msg := "<nil>"
	if e.Err != nil {
		msg = strings.TrimPrefix(e.Err.Error(), "encode: ")
	}
	var b strings.Builder
	b.WriteString("encode: row ")
	b.WriteString(strconv.Itoa(e.Row))
	if e.Path != "" {
		b.WriteString(", field ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(msg)
	return b.String()
}

// Unwrap returns Err.
func (e *ValueError) Unwrap() error { return e.Err }

// Kind names the class of err for routing and headers: "null", "range",
// "invalid", else "other" (nil included).
func Kind(err error) string {
	switch {
	case err == nil:
		return "other"
	case errors.Is(err, ErrNull):
		return "null"
	case errors.Is(err, ErrRange):
		return "range"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	}
	return "other"
}
