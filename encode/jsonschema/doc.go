// Package jsonschema encodes Arrow rows as JSON Schema values: each row is a
// JSON object written by encode/json, and the Writer carries the writer
// schema (type JSON) to register — given, or derived from the Arrow schema by
// SchemaFor — with the record name taken from the schema's title. With
// Options.Validate every row is checked against that schema before it is
// written; a row that breaks it is a row error, an *encode.ValueError
// wrapping encode.ErrInvalid (the sink rejects an invalid message),
// with the field path when the decode plan's compiled checks found it.
// Validation uses those checks when they cover the schema, else the full
// validator (see decode/jsonschema), whose message names the instance
// location instead. Values with no JSON form fail as in encode/json.
package jsonschema
