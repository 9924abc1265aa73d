// Package decode turns Kafka record values straight into Arrow record
// batches. A decode plan is built once per (writer schema, Arrow schema) and
// appends into typed builders with no per-record maps or reflection. It covers
// JSON, Avro, Protobuf, JSON Schema, MessagePack, String, Bytes and Arrow IPC,
// and the Confluent wire format (magic byte, schema id, Protobuf message
// indexes). A record that does not decode becomes an error entry; the rest of
// the batch decodes.
//
// This package holds what the format packages (decode/json, decode/jsonschema,
// decode/avro, decode/protobuf, decode/msgpack, decode/arrowipc, decode/raw)
// share: the Plan, Appender and Compiler interfaces they implement, Limits,
// the error model, and the Decoder. The Decoder reads an Input — the values
// of a span of records and their metadata, column by column — strips the
// framing, finds each writer schema's plan (compiled once, kept in a bounded
// table read without locks; the last one is kept in the loop), and builds
// every batch through the builder pool of its output layout (package batch:
// sized like the last batch, one pool per distinct layout), adding the Kafka
// metadata columns Config.Metadata selects.
//
// # Errors
//
// A value that does not decode is a *ValueError: the field path, the byte
// offset where decoding stopped and an Err that wraps one sentinel per class,
// the same in every format — ErrMalformed (not valid bytes for the format),
// ErrType (a well-formed value the column does not take), ErrNull (a null or
// missing value for a non-nullable column), ErrRange (out of range for the
// column), ErrTooLarge (over a Limits cap), ErrInvalid (breaks its JSON
// Schema). Paths are dotted field names with "[]" for list items and "{}"
// for map values ("user.tags[]", "attrs{}"); "" is the value itself. The
// Decoder reports such errors per record in Result.Errors (a RecordError
// with the record's position), and so is every schema trouble that belongs
// to the record: a wire-format header that is short, has another magic byte
// or a negative schema id (ErrMalformed); a schema id or GUID the registry
// does not have, whatever shape its 404 answer takes (ErrUnknownSchema); a
// writer schema that does not parse or compile (ErrUnsupported, or
// ErrTooLarge for schemas nested past MaxDepth; the message names the field
// where there is one). Kind names the class of any of them ("malformed",
// "type", "unknown_schema", "unsupported", ...), for routing and dead-letter
// headers.
//
// # Registry outages
//
// A registry that cannot be reached for a schema not seen before (refused
// connections, timeouts, 5xx, 429) is not the record's fault and is never a
// RecordError. Decode stops at the first record that needs it and returns
// the Result of the records before it with an *OutageError (wrapping
// ErrRegistry) whose Index is where it stopped; the caller hands on that
// Result and decodes the rest later. Schemas seen before are cached, so
// records that use them keep decoding during an outage.
package decode
