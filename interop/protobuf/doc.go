// Package interop checks the protobuf decode and encode plans against an
// independent implementation of the Confluent wire format: confluent-kafka-go's
// schemaregistry/serde/protobuf serializer and deserializer (cgo, bundled
// librdkafka) over its in-memory mock registry. It holds tests only; running
// them with -update rewrites the golden values in testdata/protobuf/golden,
// which decode/protobuf's golden test reads without cgo.
//
// It belongs to the interop module (interop/go.mod), so the library's own
// go.mod does not require confluent-kafka-go.
package interop
