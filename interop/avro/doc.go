// Package interop checks the Avro decode and encode plans against an
// independent implementation: confluent-kafka-go's avrov2 serializer and
// deserializer (which use github.com/hamba/avro underneath), through a
// Confluent-compatible registry (the rig's, or the embedded one).
//
// The package has only tests. They need cgo (confluent-kafka-go links
// librdkafka); run with -update they rewrite the golden files under
// testdata/avro/confluent, which the decode/avro and encode/avro tests read
// without cgo.
//
// It belongs to the interop module (interop/go.mod), so the library's own
// go.mod does not require confluent-kafka-go.
package interop
