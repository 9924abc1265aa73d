// Package json writes Arrow rows as JSON objects, one value per row, appended
// into the caller's buffer (the Encoder's arena): strconv append functions
// for numbers, a hand-written string escaper, precomputed object keys, and
// no encoding/json or reflection per row. It is the inverse of decode/json's
// mapping: floats in the shortest digits that read back as the same value,
// always in a float's form (3.0, -0.0, 0.1, 1e+21) so that readers which tell
// integers from floats (Python's json, Jackson) see a float; timestamps as
// RFC 3339 UTC strings with the unit's fraction digits (or epoch integers
// with Options.EpochTimestamps), dates and times as strings, binary as
// standard base64, decimals as exact JSON numbers (or strings with
// Options.DecimalStrings), maps as objects, raw-JSON columns verbatim
// (checked to be one JSON value). Float16 columns are written too (the
// shortest digits for the half), though decode/json reads none. Nulls are
// written as null, or left out with Options.OmitNulls. NaN, infinities
// (which JSON cannot spell), timestamps and dates outside years 0000–9999 and
// raw-JSON values that are not one JSON value are row errors:
// *encode.ValueError values naming the field (spelled as in decode:
// "user.score", "tags[]", "attrs{}") and wrapping encode.ErrRange. Plain JSON
// uses no registry schema; see encode/jsonschema for JSON Schema values.
package json
