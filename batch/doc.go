// Package batch holds the lifecycle of the Arrow batches Sabot builds:
//
//   - BuilderPool lends builder sets for one schema and reserves every
//     builder of each set it lends — nested ones included — for as many
//     entries and bytes as the last batch held, so a batch is one allocation
//     per buffer instead of a doubling series; it resets dictionaries between
//     batches and binds a decoder's appender to a set once (Builders.Bound).
//     The decoder builds every batch through it.
//   - SchemaCache is the one way Sabot remembers what it built per schema
//     (decode layouts, ops bindings, encode plans): keyed by the schema's
//     content, bounded, least recently used out, so equal schemas share one
//     entry whatever their pointers and a stream of new schemas cannot grow
//     memory.
//
// Format logic lives in decode/ and encode/; batchtest holds test helpers
// (random batches, an accounting allocator that catches leaks and foreign
// frees).
package batch
