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
// are absent. A null required field, a null list element or a row with two
// oneof members set fails that row (ErrNull, ErrOneof); an enum name the enum
// does not declare fails it too (ErrEnum) unless it is a decimal number.
// Oneof case columns produced by the decoder are recognised and ignored.
// Map entries always carry key and value. Nested messages get their length
// prefix by reserving one byte and widening in place when needed.
//
// NewCompiler also returns the encode.Writer: the .proto text to register
// (Options.Proto, or PrintFile's rendering of the descriptor's file), the
// message-index path of the message in that file and its full name.
package protobuf
