// Package memregistry is an in-memory, in-process Confluent Schema Registry:
// an http.Handler serving Confluent's REST API (subjects, versions, schemas
// by id and GUID, the schema list, lookups, soft and permanent deletes,
// references and referenced-by, compatibility checks with verbose messages,
// config and mode, contexts) with the status and error codes Confluent's
// registry answers, following its server where its API reference differs.
//
// Unlike a stub, it enforces compatibility: registering a schema checks it
// against the subject's versions at the subject's level (global default
// BACKWARD, as Confluent's registry) with the local checker of package
// compat, and invalid schemas are refused with error 42201. It backs the
// embedded default of package services and the registry tests.
//
// Protobuf schemas are accepted as .proto text or as a base64 serialized
// FileDescriptorProto (what confluent-kafka-python registers); like
// Confluent's registry it stores the latter as .proto text, and it serves
// either form: the format parameter gives "serialized" (and
// "ignore_extensions") for Protobuf and "resolved" for Avro; other values
// give the stored text. Ids are never reused: a schema whose last version
// is permanently deleted loses its id, and registering it again gets a new
// one.
//
// What it leaves out: schema contexts beyond the default one, IMPORT-mode
// registration with caller-chosen ids, schema normalization (the normalize
// parameter is accepted; Avro and JSON Schema texts are compared without
// insignificant whitespace anyway), metadata, rule sets, aliases and tags,
// persistence.
package memregistry
