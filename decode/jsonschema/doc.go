// Package jsonschema decodes JSON values that are validated against a JSON
// Schema — from the registry (Confluent wire format, $refs to other
// registered schemas resolved) or given inline — into the Arrow layout
// derived from that schema (see decode/json for the mapping). A value that
// breaks the schema is a record error, a *decode.ValueError wrapping
// decode.ErrInvalid whose message says which assertion failed where, e.g.
// `at '/': missing property 'age'`, and whose Path names the column the
// failing value belongs to ("user.tags[]"). Other record errors are
// decode/json's. On the path that validates inside the plan, a value of the
// wrong JSON type is decode.ErrType or decode.ErrNull as in decode/json; the
// full validator reports the same value as decode.ErrInvalid, at the same
// path, with offset 0.
//
// Validation has two paths. When every assertion of the schema is one the
// decode plan can check while it scans (types, required, properties with
// additionalProperties false, enum of strings, minimum/maximum and their
// exclusive forms, minLength/maxLength, pattern, minItems/maxItems, nullable
// unions), the plan checks them itself and no document is built. Otherwise
// each value is parsed for github.com/santhosh-tekuri/jsonschema/v6 and
// validated in full before it is decoded. Mode chooses explicitly. The two
// paths agree: a test and a fuzz target compare them on every schema of
// testdata/jsonschema.
//
// Drafts: 4, 6, 7, 2019-09 and 2020-12, as the document's $schema says
// (2020-12 when it says nothing). Formats are asserted where the draft says
// they are (draft 7 and older); contentEncoding is not asserted. Remote $refs
// are never fetched: a $ref must name the document itself or one of its
// registered references.
package jsonschema
