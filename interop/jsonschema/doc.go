// Package interop checks the JSON Schema decode and encode plans against an
// independent implementation: confluent-kafka-go's schemaregistry/serde/jsonschema
// serializer and deserializer over its in-memory mock registry, with
// santhosh-tekuri/jsonschema/v5 (the validator it uses) checking what Sabot
// writes. It holds tests only; both directions are kept as golden files in
// testdata/jsonschema/interop, which running them with -update rewrites.
//
// It belongs to the interop module (interop/go.mod), so the library's own
// go.mod does not require confluent-kafka-go.
package interop
