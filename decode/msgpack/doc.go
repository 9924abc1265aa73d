// Package msgpack decodes MessagePack values straight into Arrow builders for
// a given Arrow schema, with no per-record maps, reflection or allocation.
//
// A value is one MessagePack map with string keys (one row): each key fills
// the top-level column of the same name. Keys are matched without
// allocating, trying the schema's next field first (producers usually write
// fields in order), then a lookup. Unknown keys are skipped; a missing key or
// nil is a null; a duplicate key is a record error. A struct may also arrive
// as an array with exactly one item per field, in field order (the "tuple"
// form some producers use). Infer derives a schema from sample values; its
// doc states the policy.
//
// Accepted MessagePack types per Arrow column type:
//
//	Arrow column                         MessagePack
//	int8/16/32/64, uint8/16/32/64        any int or uint encoding, and floats with an integral
//	                                     value; range-checked into the column (decode.ErrRange)
//	float16/32/64                        any float or integer; a finite value outside a float16
//	                                     or float32 range is decode.ErrRange; integers above 2^53 round
//	bool                                 bool
//	utf8, large_utf8, utf8_view          str or bin holding valid UTF-8
//	binary, large_binary, binary_view    bin or str
//	fixed_size_binary[n]                 bin or str of exactly n bytes
//	timestamp[unit, tz]                  timestamp extension (-1, all three sizes), converted to
//	                                     the unit rounding toward the past; or an integer count
//	                                     of the unit
//	date32, date64                       an integer (days, milliseconds) or a timestamp extension
//	                                     floored to its day
//	time32, time64, duration             an integer count of the unit
//	dictionary<int, utf8|binary>         str or bin
//	list, large_list                     array
//	fixed_size_list[n]                   array of exactly n items
//	map<k, v>                            map (keys never nil)
//	struct                               map with string keys, or array of one item per field
//	null                                 nil only
//
// Decimal, interval, union, run-end-encoded, list-view and extension column
// types have no mapping: NewPlan fails naming the field, wrapping
// decode.ErrUnsupported. Other extension values than the timestamp are record
// errors (decode.ErrType) or, with ExtNull, nulls.
//
// Bad input never panics. A record error is a *decode.ValueError with the
// field path ("geo.deep[].k": "[]" marks list items, "{}" map values; a map
// key's error is the map's own) and the byte offset, wrapping:
// decode.ErrMalformed for bytes that are not MessagePack (a truncated value,
// a length past the end, the never-used byte 0xc1, trailing bytes, a str
// that is not UTF-8); decode.ErrType for a value of a type the column does
// not take (a fraction in an integer column, a bin that is not UTF-8 in a
// string column, a duplicate key, an unsupported extension);
// decode.ErrRange for a number or time outside the column; decode.ErrNull
// for nil or a missing key in a non-nullable field (fields meant to hold
// nulls must say Nullable); decode.ErrTooLarge for a count over
// Limits.MaxItems, a str/bin/ext over Limits.MaxBytes or nesting over
// Limits.MaxDepth. The appender still leaves one entry in every column.
//
// The Kafka producer's compression (lz4, zstd, ...) is undone by the client
// before values get here; this package sees plain MessagePack.
package msgpack
