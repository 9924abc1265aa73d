// Package protobuf encodes rows of Arrow record batches as Protocol Buffers
// messages, append-style into the caller's buffer. A Plan is compiled once per
// (Arrow schema, message descriptor): columns match fields by name, and each
// column's type must be the one decode/protobuf gives that field (any enum
// representation, any Timestamp/Duration unit, large utf8/binary are also
// accepted). Fields are written in field-number order; a field without a
// column is left absent.
//
// Writing rules: proto3 implicit-presence fields skip zero values (as
// protobuf does); explicit-presence fields write every non-null value; nulls
// are absent. Row errors are *encode.ValueError values naming the field
// ("user.tags[]" for a list element, "attrs{}" for a map value): a null
// required field or a null list element wraps encode.ErrNull; a row with two
// oneof members set (named by the second), or an enum name the enum does not
// declare (unless it is a decimal number), wraps encode.ErrInvalid.
// Oneof case columns produced by the decoder are recognised and ignored.
// Map entries always carry key and value. Nested messages get their length
// prefix by reserving one byte and widening in place when needed.
//
// NewCompiler also returns the encode.Writer: the .proto text to register
// (Options.Proto, or the descriptor's file printed by registry/protoschema), the
// message-index path of the message in that file and its full name.
package protobuf
