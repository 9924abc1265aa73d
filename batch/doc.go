// Package batch holds the memory side of Sabot's Arrow batches: pooled builders
// and byte buffers, batch sizing by rows and bytes, and allocator accounting so
// every allocation is released. Decoders append into these builders; encoders
// borrow these buffers.
//
// Nothing is built here yet; see the status table in the README.
package batch
