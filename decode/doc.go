// Package decode turns slices of Kafka record values straight into Arrow record
// batches. A decode plan is built once per (writer schema, Arrow schema) and
// appends into typed builders with no per-record maps or reflection. It covers
// JSON, Avro, Protobuf, JSON Schema, MessagePack, String, Bytes and Arrow IPC,
// and the Confluent wire format (magic byte, schema id, Protobuf message
// indexes). A record that does not decode becomes an error entry; the rest of
// the batch decodes.
//
// Nothing is built here yet; see the status table in the README.
package decode
