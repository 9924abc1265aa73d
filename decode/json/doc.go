// Package json decodes JSON object values straight into Arrow builders. A
// hand-written single-pass scanner walks each payload once; the decoder of
// every column is chosen when the plan is compiled, object keys are matched
// to columns without allocating (the next field in declaration order is
// tried first, then a collision-free hash table), numbers are parsed from
// the payload bytes, and strings are copied into the builders directly, or
// unescaped into a reused buffer when they hold escapes. No maps, reflection
// or per-record allocations.
//
// The column layout comes from one of (Options): an Arrow schema; a JSON
// Schema document (CompileJSONSchema, also used for registry schemas of
// values in the Confluent wire format); or a sample of values (Infer).
//
// # Mapping (Arrow type ← JSON value)
//
//	bool                     ← true / false
//	int8…int64, uint8…uint64 ← number with an integral value in range (1, -3, 1.0, 1e3); overflow is an error
//	float32, float64         ← number (correctly rounded by strconv; beyond the range is an error)
//	utf8, large utf8         ← string (valid UTF-8 required; \u escapes and surrogate pairs decoded)
//	utf8 with metadata sabot.json=raw ← any value, kept as its JSON text
//	binary, fixed_size_binary ← string in standard base64 with padding (fixed size: exact length)
//	dictionary<int, utf8>    ← string
//	timestamp[unit, tz]      ← RFC 3339 string ('T', 't' or ' ' separator; a missing offset means UTC;
//	                           fraction digits past the unit are truncated) or an integer count of the unit since the epoch
//	date32, date64           ← "YYYY-MM-DD" or an integer (days for date32, milliseconds for date64)
//	time32, time64           ← "HH:MM:SS[.fraction]" (optional Z) or an integer count of the unit
//	duration                 ← integer count of the unit
//	decimal128, decimal256   ← number or string holding one, exactly; digits past the scale or the precision are an error
//	struct                   ← object (unknown keys skipped, missing keys null)
//	list, large list         ← array
//	map<utf8, T>             ← object with any keys, in order
//
// JSON null, and a missing key, give null; both are errors for a
// non-nullable field. A key repeated within one object is an error (readers
// disagree on which one wins); repeated unknown keys are skipped unchecked.
// The top-level value must be an object; whitespace may surround it, nothing
// else may follow it. Arrow types with no JSON form (null, unions,
// fixed-size lists, intervals, float16, map keys that are not utf8) fail
// when the plan is compiled, naming the field.
//
// # Limits
//
// decode.Limits cap each payload: MaxBytes per string, MaxItems per array,
// map or object, MaxDepth for nesting of objects and arrays (skipped values
// included). Numbers longer than 1024 characters are refused.
//
// # Errors
//
// A payload that does not decode returns a *decode.ValueError with the field
// path ("user.tags[].k"; "[]" marks array items, "{}" map values, "" the
// value itself) and the byte offset, wrapping: decode.ErrMalformed for text
// that is not JSON (truncated, bad syntax or escapes, invalid UTF-8, data
// after the value); decode.ErrType for a value of the wrong kind, a fraction
// in an integer column (or past a decimal's scale), bad base64 or a
// repeated key; decode.ErrNull for null or a missing key in a non-nullable
// field; decode.ErrRange for a number, time or decimal outside its column;
// decode.ErrTooLarge for a value over a limit; decode.ErrInvalid for a
// value that breaks the JSON Schema a validating plan checks. The appender
// still leaves one entry in every builder.
//
// # JSON Schema → Arrow
//
// properties → struct fields in document order; a property is a nullable
// column unless it is required and its schema rejects null. type integer →
// int64, number → float64, boolean → bool, string → utf8, except format
// date-time → timestamp[us, UTC], date → date32, time → time64[us],
// contentEncoding base64 or format byte → binary (uuid, email, enum, ... stay
// utf8). A type union with null is nullable; any other union of types, an
// empty schema, oneOf/anyOf of several schemas, not, const and if → a raw
// JSON utf8 column. anyOf/oneOf of one schema and null → that schema,
// nullable. allOf of objects → their properties merged. items → list;
// prefixItems/tuples → list of raw JSON. An object without properties →
// map<utf8, T> with T from additionalProperties (or the one
// patternProperties schema; raw JSON when unconstrained); additionalProperties
// false with no properties → an empty struct. $ref and $defs/definitions are
// followed, including refs into the registered schemas of
// ResolvedSchema.Deps (loaded under BaseURL by reference name); a recursive
// $ref has no Arrow layout and fails at compile time naming its path. The
// top-level schema must describe an object with properties.
//
// # Inference (Options.Sample, Infer)
//
// Columns are the union of the sample's top-level keys, in first-seen order,
// all nullable. Integers that fit int64 → int64; any other number in the
// column (fraction, exponent, beyond int64) → float64; strings → utf8 (no
// guessing of timestamps); booleans → bool; objects → struct, inferred the
// same way; arrays → list of the union of their items. A key whose values
// mix kinds, or that was only ever null or an empty array's item, becomes a
// raw JSON utf8 column, which accepts anything later. After the sample the
// layout is fixed: new keys are skipped like any unknown key, and a value
// whose kind does not fit its column (a string in an int64 column) is a
// record error naming the field, so drifting records go to the dead-letter
// path instead of being silently nulled.
package json
