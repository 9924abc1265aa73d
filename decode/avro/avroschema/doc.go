// Package avroschema holds what the Avro decode and encode plans share about
// schemas: a parsed schema as a graph of [Node]s with named types resolved
// (references to other registry subjects included), the Avro-to-Arrow type
// mapping, the binary encoding of primitives and of field defaults.
//
// Parsing and validation (names, namespaces, defaults, duplicate types,
// references across schemas) are done by github.com/twmb/avro; this package
// walks its schema tree once into Nodes that the plans compile from. Reading
// and writing record values is not here: decode/avro and encode/avro compile
// their own per-field plans.
package avroschema
