// Package compat checks schema compatibility locally, with no registry: the
// rules a Confluent Schema Registry applies when a subject's compatibility
// level is set, for Avro, Protobuf and JSON Schema, at all seven levels.
//
// [Check] takes the new schema, the subject's existing versions (oldest
// first) and the level, and returns the verdict with messages naming the rule
// each problem breaks. It suits a CI step that vets a producer's schema
// before deployment, and it is what the in-process registry (package
// memregistry) enforces.
//
// The rules, per format:
//   - Avro (avro.go, avro_check.go): Avro's reader/writer resolution as Java's
//     SchemaCompatibility applies it. BACKWARD reads old data with the new
//     schema, FORWARD reads new data with the old one.
//   - Protobuf (protobuf*.go): Confluent's schema diff over the compiled
//     descriptors (bufbuild/protocompile): scalar types may change within a
//     wire-compatible group, fields may be added, removed or renamed, message
//     types must stay compatible, packages and required fields must not
//     change.
//   - JSON Schema (jsonschema*.go): Confluent's schema diff, with open and
//     closed content models, over schemas loaded the way its everit library
//     loads them (keywords beside "type", such as enum or if/then/else, make
//     an allOf); schemas are parsed and their $refs resolved by
//     santhosh-tekuri/jsonschema.
//
// The verdicts are those of Confluent Platform 7.7 and later: the Protobuf
// diff has not changed since, and the JSON Schema diff (default strict
// policy) only gained what is listed at the end. Earlier releases decide a
// few cases differently, and a registry running one of them disagrees with
// this package there:
//   - Protobuf: a change of package is incompatible (from 7.6.1, and 6.2.15,
//     7.0.14, 7.1.12, 7.2.10, 7.3.8, 7.4.5, 7.5.4 in the older lines);
//     before, it passed.
//   - JSON Schema: an allOf may narrow to one of its parts (from 7.4.4, 7.5.3
//     and 7.6.0), so removing the enum from {"type":"string","enum":[...]} is
//     BACKWARD compatible and adding if/then beside "type" is FORWARD
//     compatible; before, both were a type change.
//   - JSON Schema: a combination may change criterion when a side has one
//     branch (from 7.4.5, 7.5.4 and 7.6.0): anyOf or allOf of one branch to
//     oneOf, oneOf or anyOf of one branch to allOf of one, allOf to any one
//     branch; before, only a change to anyOf passed.
//
// JSON Schema conditionals follow Confluent's rule exactly: adding
// if/then/else breaks BACKWARD and removing it breaks FORWARD (a type
// change), but nothing inside them is compared, so changing a then (which may
// reject data valid before) passes at every level. Not compared here: what the JSON Schema diff gained in
// 8.0.6, 8.1.4 and 8.2.2 (unevaluatedProperties and unevaluatedItems,
// minContains and maxContains) and the equivalence of two schemas marked
// "connect.type": "bytes" (added in 7.7.5, 7.8.4, 7.9.3 and 8.0.1); the lenient policy of 8.0.3 and
// later is not offered.
//
// Where the Apicurio registry used by the test rig reaches a different
// verdict, the corpus in testdata/registry/compat says so case by case.
package compat
