// Package arrowipc decodes record values that are Arrow IPC streams (a
// schema message, optional dictionary batches, record batches, an optional
// end-of-stream marker) into Arrow builders.
//
// A value may hold several record batches; all their rows are read. The
// decode.Appender contract is one row per value, so Append takes values of
// exactly one row — what encode/arrowipc writes — while AppendRows (on the
// concrete *Appender from BindRows) takes values of any size and returns the
// row count.
//
// The plan's schema is given (SchemaOf reads one from a sample value).
//
// Record errors are *decode.ValueError values wrapping decode.ErrMalformed
// for a corrupt stream, for a value whose schema differs — field count, names
// or types by arrow.TypeEqual; top-level nullability and metadata are not
// compared — and, for Append, for a value that does not hold exactly one
// row; decode.ErrNull for a null in a column the plan says is not nullable
// (the column's name is the path); decode.ErrTooLarge for a value over the
// limits below. The offset is that of the IPC message the framing check
// stopped at, else 0 (arrow-go's reader does not say where).
//
// Hostile input: before arrow-go's reader sees a value, its framing and the
// sizes its messages claim are checked against the value's length and
// Limits.MaxBytes (metadata, body, decompressed buffers), and its row count
// against Limits.MaxItems; the reader's options cap metadata and bodies at the
// value's length too, since the reader allocates what a message claims before
// reading it. Every column is then checked with array.ValidateFull, and the
// reader runs under recover. Nothing is appended until the whole value has
// passed; a value that fails appends one row of nulls and returns an error.
package arrowipc
