// Package compat checks schema compatibility locally, with no registry: the
// rules a Confluent Schema Registry applies when a subject's compatibility
// level is set, for Avro, Protobuf and JSON Schema, at all seven levels.
//
// [Check] takes the new schema, the subject's existing versions (oldest
// first) and the level, and returns the verdict with messages naming the rule
// each problem breaks. It suits a CI step that vets a producer's schema
// before deployment, and it is what the in-process registry (package
// memregistry) enforces.
//
// The rules, per format:
//   - Avro (avro.go, avro_check.go): Avro's reader/writer resolution as Java's
//     SchemaCompatibility applies it. BACKWARD reads old data with the new
//     schema, FORWARD reads new data with the old one.
//   - Protobuf (protobuf*.go): Confluent's schema diff over the compiled
//     descriptors (bufbuild/protocompile): scalar types may change within a
//     wire-compatible group, fields may be added, removed or renamed, message
//     types must stay compatible, packages and required fields must not
//     change.
//   - JSON Schema (jsonschema*.go): Confluent's schema diff, with open and
//     closed content models; schemas are parsed and their $refs resolved by
//     santhosh-tekuri/jsonschema.
//
// Where the Apicurio registry used by the test rig reaches a different
// verdict, the corpus in testdata/registry/compat says so case by case.
package compat
