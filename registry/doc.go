// Package registry is Sabot's Confluent Schema Registry client: subjects,
// versions, schemas by id, compatibility, config and mode, with caches that make
// one request per distinct schema, subject name strategies, reference
// resolution, and local compatibility checks that need no server.
//
// Nothing is built here yet; see the status table in the README. Until it is,
// the embedded default serves franz-go's in-memory registry (package services).
package registry
