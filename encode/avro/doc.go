// Package avro encodes rows of Arrow record batches as Avro binary values.
//
// [NewCompiler] returns an encode.Compiler. For each Arrow schema it pairs
// the columns with the fields of the Avro writer schema (Options.Schema, or
// one derived from the Arrow schema) once, into a plan of typed column
// encoders; binding a batch resolves the arrays, and each row is appended to
// the caller's buffer with no per-row allocation. The encode.Writer it
// returns carries the schema to register (type AVRO, with Options.References)
// and the record's full name for the record-name subject strategies.
//
// # Pairing columns with a writer schema
//
// Record fields take the Arrow field of the same name. An Avro field with no
// column is written as its default, or as null when its type allows null,
// and is a compile error otherwise. Columns the schema does not name (Kafka
// metadata columns, say) are not written. Values convert as follows; any
// other pair fails at compile time with encode.ErrUnsupported and the field
// path.
//
//	Avro                        Arrow
//	boolean                     bool
//	int, long                   int8…int64, uint8…uint64, and the stored value of date, time,
//	                            timestamp and duration columns; out-of-range values fail the row
//	date                        date32, date64 (whole days)
//	time-millis, time-micros    time32, time64, converted to the unit
//	timestamp-*, local-*        timestamp of any unit and zone, converted to the unit; a value
//	                            that does not convert exactly fails the row
//	float, double               float32, float64, integers
//	string                      utf8, large_utf8, utf8_view, binary kinds, dictionary<int, utf8>
//	bytes                       binary, large_binary, binary_view, fixed_size_binary, string kinds
//	decimal (bytes or fixed)    decimal128, decimal256 of the same scale; values with more digits
//	                            than the Avro precision fail the row
//	fixed(n)                    fixed_size_binary(n), binary kinds of n bytes per value
//	duration                    month_day_nano_interval of whole non-negative milliseconds
//	enum                        dictionary<int, utf8>, utf8: an unknown symbol takes the enum
//	                            default or fails the row
//	array                       list, large_list, fixed_size_list
//	map                         map with utf8 keys
//	record                      struct
//	union                       a struct whose fields are named after the union's branches (the
//	                            decoder's layout: the first non-null field picks the branch), or any
//	                            column whose type fits a branch: the branch the column's type maps
//	                            to, else the first it can be written as; null rows take the null
//	                            branch
//
// Row errors are *encode.ValueError values naming the field (Path spelled as
// in decode: "user.id", "tags[]", "attrs{}"): a null where the Avro type has
// no null branch wraps encode.ErrNull; a value the Avro type cannot hold (an
// int64 over an Avro int, a timestamp that does not convert exactly, a
// decimal with too many digits, bytes of the wrong size for a fixed) wraps
// encode.ErrRange; an enum symbol the schema lacks (and no default) wraps
// encode.ErrInvalid.
//
// # Derived writer schemas
//
// Without Options.Schema, DeriveSchema makes one record (Options.Name,
// default "Record", in Options.Namespace) with a field per column: nullable
// columns become ["null", T] with default null; int8, int16, int32, uint8,
// uint16 → int; int64, uint32, uint64, duration → long; float32 → float;
// float64 → double; utf8 kinds and dictionary<int, utf8> → string; binary
// kinds → bytes; fixed_size_binary(n) → fixed; decimal128/256 → bytes
// decimal; date32/64 → int date; time32 → int time-millis; time64 → long
// time-micros; timestamp[s, ms] → timestamp-millis, [us] → -micros, [ns] →
// -nanos (local-timestamp-* without a zone); month_day_nano_interval → fixed
// duration; lists → array; maps with utf8 keys → map; structs → record.
// Named types take their field's name, in a namespace made of the enclosing
// record's full name, so names stay unique. Column names must be Avro names.
// Enums and unions are not derived (an Arrow dictionary holds its values per
// batch, a struct does not say it was a union): give the schema to write
// them.
package avro
