// Package engine runs Sabot pipelines: a source of Arrow micro-batches (Kafka,
// or any Source), stages over whole batches (Filter with a boolean mask, Map
// with any batch → batch function), and a sink (Kafka, Arrow IPC, a Go
// callback):
//
//	err := engine.From(src).Filter(mask).Map(fn).To(sink).Run(ctx)
//
// Run gives each step its own goroutine with bounded queues between them, so
// decoding, the stages and encoding overlap while memory stays at a few batches
// per step. A batch is committed to its source only after the sink
// acknowledged it, in order (at-least-once). When ctx ends, Run stops reading,
// drains and commits what is in flight, and returns nil; the first failure of
// any step stops the pipeline and is returned. Metrics and a periodic progress
// line report records/s, MB/s, lag and errors.
package engine
