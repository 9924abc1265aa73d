// Package batch holds the memory side of Sabot's Arrow batches:
//
//   - Allocator wraps a memory.Allocator and accounts for every byte (live,
//     peak, allocations, frees); in checked mode it also tracks each buffer,
//     so a leak or a free of a foreign buffer is reported by Check. Tests end
//     with it at zero; the engine reads its Stats as metrics.
//   - BufferPool lends *[]byte buffers (encode arenas, scratch) from a
//     sync.Pool, reset on Put and dropped when they grew past a cap.
//   - Sizer says when a micro-batch is full: by rows, by bytes, or because
//     its first record has waited the linger time.
//   - Concat, Split and Bytes/RetainedBytes join, cut and measure record
//     batches.
//   - BuilderPool keeps builder sets for one schema and sizes them from the
//     batches they built before, so a batch is one allocation per buffer
//     instead of a doubling series.
//
// Format logic lives in decode/ and encode/; batchtest makes random batches
// for their tests.
package batch
