// Package memregistry is an in-memory, in-process Confluent Schema Registry:
// an http.Handler serving the REST subset Sabot's client uses (subjects,
// versions, schemas by id and GUID, lookups, soft and permanent deletes,
// references and referenced-by, compatibility checks with verbose messages,
// config and mode, contexts), with Confluent's error codes.
//
// Unlike a stub, it enforces compatibility: registering a schema checks it
// against the subject's versions at the subject's level (global default
// BACKWARD, as Confluent's registry) with the local checker of package
// compat, and invalid schemas are refused with error 42201. It backs the
// embedded default of package services and the registry tests.
//
// What it leaves out: schema contexts beyond the default one, IMPORT-mode
// registration with caller-chosen ids, schema normalization (the normalize
// parameter is accepted; Avro and JSON Schema texts are compared without
// insignificant whitespace anyway), metadata and rule sets, persistence.
package memregistry
