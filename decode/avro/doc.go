// Package avro decodes Avro binary values straight into Arrow builders.
//
// [NewCompiler] returns a decode.Compiler. For each writer schema (the
// registry schema of a Confluent-framed value, with the named types of its
// references, or the inline Options.Schema) it compiles a plan: a tree of
// typed field decoders built once, bound to the batch's builders, that reads
// each value in one pass with no per-record maps, structs or reflection.
// Plans are immutable and shared; an Appender keeps its own read state.
//
// # Type mapping
//
// The top-level record's fields are the columns; a top-level schema that is
// not a record gives one column named "value".
//
//	Avro                                  Arrow
//	null                                  null
//	boolean                               bool
//	int                                   int32
//	long                                  int64
//	float                                 float32
//	double                                float64
//	bytes                                 binary
//	string                                utf8 (UTF-8 checked unless Options.TrustUTF8)
//	record (nested)                       struct
//	enum                                  dictionary<int32, utf8>, the dictionary being the
//	                                      symbols in schema order (EnumString: utf8)
//	array                                 list (items nullable when the items are a union with null)
//	map                                   map<utf8, value>, values always nullable (see below)
//	fixed(n)                              fixed_size_binary(n)
//	[null, T] or [T, null]                T, nullable
//	[T]                                   T
//	["null"]                              null
//	any other union                       struct of one nullable field per non-null branch (below)
//	decimal(p, s) on bytes or fixed       decimal128(p, s) for p ≤ 38, decimal256(p, s) for p ≤ 76
//	uuid on string                        utf8, the text as written
//	uuid on fixed(16)                     fixed_size_binary(16)
//	date                                  date32
//	time-millis                           time32[ms]
//	time-micros                           time64[us]
//	timestamp-millis, -micros, -nanos     timestamp[ms | us | ns, UTC]
//	local-timestamp-millis, -micros, -nanos  timestamp[ms | us | ns] with no zone
//	duration on fixed(12)                 month_day_nano_interval
//
// Logical types that are unknown, or set on a type they do not apply to, are
// ignored as the specification says: the value reads as its underlying type.
//
// Unions of two or more non-null types become a struct with one nullable
// field per non-null branch, named after the branch ("string", "long",
// "array", "map", or a named type's short name, its full name when two
// branches share a short name). Exactly one field is set in a non-null row;
// the struct is null for the null branch. A dense Arrow union would be the
// literal choice, but Arrow's compute kernels, Parquet and most readers
// handle unions poorly or not at all, while a struct of nullable columns
// filters, projects and writes anywhere; members are matched by name, so
// reordering a union's branches does not move columns. The encoder takes
// such a struct back to the union.
//
// Durations become month-day-nano intervals, which carry Avro's three
// components (months, days, milliseconds → nanoseconds) with their meaning; a
// count of months or days over 2³¹−1 fails its record. UUID strings stay
// text: parsing each into 16 bytes would cost per value and fail on
// producers' odd spellings.
//
// Map values are nullable in the Arrow type whatever the Avro type says:
// arrow-go refuses to build a map whose non-nullable items hold a null, and
// a record that fails halfway through a map value leaves one there before
// the Decoder drops the row.
//
// Schema constructs without a mapping fail when the plan is compiled, with
// decode.ErrUnsupported and the field path: recursive records (a record that
// contains itself) and decimals of more than 76 digits. Nesting deeper than
// Limits.MaxDepth fails with decode.ErrTooLarge. A recursive type only in
// writer fields the reader schema drops is fine: it is skipped, bounded by
// MaxDepth at run time.
//
// # Schema resolution
//
// With Options.ReaderSchema every value decodes into the reader's layout,
// following the specification's resolution rules: fields are matched by
// name or by the reader field's aliases; reader fields the writer lacks take
// their defaults (encoded once at compile time and replayed); writer fields
// the reader lacks are skipped; int promotes to long, float and double, long
// to float and double, float to double, string and bytes to each other; an
// enum symbol the reader lacks takes the reader's enum default; a writer
// union branch reads into the first reader branch of the same type (named
// types by name or alias), else the first it promotes to. Named types
// outside unions are resolved whatever their names, so a reader schema may
// name its records differently from the writer's. Incompatibilities fail
// at compile time with ErrIncompatible and the field path; a union branch
// or enum symbol the reader cannot take fails only the records that carry
// it, with decode.ErrType (decode.ErrNull for a null branch) and
// ErrIncompatible.
//
// # Bad records
//
// A value that does not decode returns a *decode.ValueError with the reader
// field path ("user.tags[]": "[]" marks array items, "{}" map values; "" a
// top-level value that is not a record) and the byte offset, wrapping
// decode.ErrMalformed (not Avro binary for the writer schema: truncated,
// negative lengths, varints over 64 bits, an int over 32 bits, union or enum
// indexes out of range, invalid UTF-8, trailing bytes), decode.ErrRange (a
// decimal over its precision, a duration that does not fit an Arrow
// interval), decode.ErrType or decode.ErrNull (see Schema resolution) or
// decode.ErrTooLarge, and still leaves exactly one entry in every builder,
// nested ones included. The reader never reads past the payload; lengths are
// capped by Limits.MaxBytes, array and map items by Limits.MaxItems.
//
// # Schema library
//
// Schemas are parsed and validated by github.com/twmb/avro (names and
// namespaces, defaults checked against their types, duplicate definitions),
// whose SchemaCache resolves named types across registry references the way
// the registry orders them; its schema tree hands over typed defaults and
// validated decimal parameters. github.com/hamba/avro/v2 is archived, and
// confluent-kafka-go's serializers use it, so parsing with a different
// library keeps the interop tests an independent check. The plans do not
// use either library to read or write values. One difference from the
// letter of the specification: twmb/avro rejects a decimal with invalid
// precision or scale instead of ignoring the logical type.
//
// Throughput is measured by BenchmarkDecodeTransaction, next to hamba/avro
// and twmb/avro decoding into structs appended to Arrow builders.
package avro
