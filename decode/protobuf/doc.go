// Package protobuf decodes Protocol Buffers payloads straight into Arrow
// builders. A Plan is compiled once per message descriptor into a tree of
// per-field-number decoders; appending a record walks the wire bytes with no
// dynamicpb, proto.Unmarshal or reflection. Descriptors come from a compiled
// Go type, or from a schema compiled by package registry/protoschema (imports
// as a map, or a registry schema's Deps): .proto source or the base64
// FileDescriptorProto some registries answer with, either form for each
// file. For registry-framed values the message is picked by the Confluent
// message-index path.
//
// Scalars of a message land in a per-plan scratch row and are appended once
// at the end of the message. That gives protobuf's semantics for free:
// last-one-wins for a singular field that occurs twice, zero values (or nulls,
// see below) for absent fields, and exactly one entry per builder when a
// payload turns out to be malformed halfway. Repeated fields are appended as
// they arrive; a singular message that occurs twice is merged by decoding the
// concatenation of both bodies, which is protobuf's merge.
//
// # Type mapping
//
//	protobuf                           Arrow
//	---------------------------------  ------------------------------------------------
//	top-level message                  one column per field, declaration order
//	message field                      Struct (nullable: null when absent)
//	group (proto2, editions DELIMITED) Struct, as a message field
//	repeated T                         List<T> with non-null items; never null (empty)
//	map<K, V>                          Map<K, V>, non-null keys and values, wire order
//	int32, sint32, sfixed32            Int32
//	int64, sint64, sfixed64            Int64
//	uint32, fixed32                    Uint32
//	uint64, fixed64                    Uint64
//	float / double                     Float32 / Float64
//	bool                               Boolean
//	string                             Utf8 (UTF-8 checked, proto2 included)
//	bytes                              Binary
//	enum (EnumDictionary, default)     Dictionary<int32, utf8>: the declared names in
//	                                   declaration order; an undeclared number is
//	                                   added as its decimal text ("17")
//	enum (EnumString / EnumNumber)     Utf8 name (undeclared: decimal text) / Int32
//	oneof (OneofCase, default)         each member its own nullable column, plus a
//	                                   Utf8 column named after the oneof, before its
//	                                   first member, holding the set member's name
//	                                   (null when none); OneofMembersOnly drops it
//	implicit presence (proto3 scalars) non-null; absent reads as the zero value
//	explicit presence (proto3          nullable; absent reads as null (a proto2
//	  optional, proto2 optional)         [default] is not filled in)
//	proto2 required                    non-null; a missing one fails the record
//	google.protobuf.Timestamp          Timestamp(ns, UTC), nullable
//	google.protobuf.Duration           Duration(ns), nullable
//	google.protobuf.*Value wrappers    the wrapped scalar, nullable
//	google.protobuf.Any, FieldMask,    Struct of their fields (ordinary messages)
//	  Empty
//	google.protobuf.Struct, Value,     compile-time error naming the field
//	  ListValue
//	recursive message                  compile-time error naming the field path
//
// Unknown fields (any wire type, nested groups included up to Limits.MaxDepth)
// are skipped. Repeated numbers are accepted packed and unpacked, mixed.
// Duplicate map keys are kept in wire order (protobuf would keep the last).
//
// # Bad input
//
// A payload fails with a *decode.ValueError naming the field ("user.tags[]"
// for an element of a repeated field, "attrs{}" for a map value; a map key's
// error is the map's own) and the byte offset in the payload, wrapping
// decode.ErrMalformed (truncated value, length past the end, field number 0,
// wire types 6 and 7, unbalanced groups, a string that is not UTF-8),
// decode.ErrType (a wire type that does not match the field's — protobuf-go
// would keep such a field as unknown), decode.ErrNull (a proto2 required
// field that is absent), decode.ErrRange (a Timestamp or Duration outside
// int64 nanoseconds) or decode.ErrTooLarge (string or bytes over
// Limits.MaxBytes, more than Limits.MaxItems items in one repeated field or
// map, nesting deeper than Limits.MaxDepth). Offsets inside a message that
// occurs more than once (and is merged) count from its first occurrence. The
// Appender still leaves one entry in every builder.
//
// Subpackages: prototest (reference conversion by reflection and random
// messages, for tests), testpb (generated test messages), interop (tests
// against confluent-kafka-go's serializer and deserializer).
package protobuf
