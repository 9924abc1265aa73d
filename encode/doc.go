// Package encode turns Arrow record batches back into Kafka record values, one per
// row, appended into one pooled arena so records slice into it without a
// per-row allocation. It writes every format package decode reads, with the
// Confluent wire-format header where a registry is used.
//
// This package holds the Plan, Appender and Compiler interfaces the format
// packages (encode/json, encode/jsonschema, encode/avro, encode/protobuf,
// encode/msgpack, encode/arrowipc, encode/raw) implement, the Encoder that
// runs them over batches (plan cache, registration of writer schemas, the
// wire-format header) and the error model.
//
// # Errors
//
// A row that does not encode is listed in Values.Errors as a ValueError: its
// row, the field path (spelled as in decode.ValueError: "user.id",
// "tags[]", "attrs{}"; "" when the format does not say) and an Err wrapping
// one sentinel per class, the same in every format — ErrNull (a null the
// format or writer schema cannot hold), ErrRange (a value outside what the
// format can hold), ErrInvalid (a value that breaks the writer schema). Kind
// names the class. The other rows of the batch encode. Compile-time errors
// wrap ErrUnsupported and name the field.
package encode
