package registry

import (
	"context"
	"errors"
)

// SchemaType is the kind of a registered schema, as the Confluent API spells it.
// The API omits the type for Avro, so the zero value means Avro too.
type SchemaType string

// The schema types a Confluent-compatible registry knows.
const (
	TypeAvro     SchemaType = "AVRO"
	TypeProtobuf SchemaType = "PROTOBUF"
	TypeJSON     SchemaType = "JSON"
)

// Reference names another registered schema that a schema depends on: an Avro
// named type defined elsewhere, a Protobuf import, or a JSON Schema $ref.
// Name is how the dependent schema refers to it (an import path, a type name,
// a URL).
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Schema is a schema's text with its type and direct references.
type Schema struct {
	Type       SchemaType  `json:"schemaType,omitempty"`
	Text       string      `json:"schema"`
	References []Reference `json:"references,omitempty"`
}

// Dependency is one schema reachable through references, fetched.
type Dependency struct {
	// Name is the reference name the depending schema uses for it.
	Name   string
	Schema Schema
}

// ResolvedSchema is a registered schema with everything it depends on fetched:
// what a decoder or encoder needs to build a plan without further lookups.
type ResolvedSchema struct {
	// ID is the registry's id for the schema (the id in the wire-format header).
	ID int
	Schema
	// Deps holds every schema reachable through References, transitively, each
	// once, ordered so that a dependency comes before the schemas that use it.
	Deps []Dependency
}

// Resolver finds schemas by the id a record's wire-format header carries.
// Implementations cache: ids are immutable, so one lookup per id is enough.
type Resolver interface {
	Resolve(ctx context.Context, id int) (ResolvedSchema, error)
}

// Registrar returns the id of a schema under a subject, registering it when the
// subject does not hold it yet. Implementations cache: one request per distinct
// (subject, schema).
type Registrar interface {
	Register(ctx context.Context, subject string, s Schema) (id int, err error)
}

// ErrNotFound is wrapped by errors for subjects, versions or schemas the
// registry does not have. A decoder treats it as a bad record (the id in the
// header is unknown), not as an outage.
var ErrNotFound = errors.New("registry: not found")
