// Package engine runs Sabot pipelines: a source of Arrow micro-batches (a
// Kafka source, a Transactor, Records, or any Source), ops over whole batches
// (package ops: Filter with an expression, Map with any ops.Op), and a sink
// (a Kafka sink, Arrow IPC, a Go callback, or any Sink):
//
//	err := engine.FromKafka(src).Filter(pred).Map(op).ToKafka(sink).Run(ctx)
//
// There is one driver. Run gives each step — read, transform, write, commit —
// its own goroutine with bounded queues between them, so decoding, the ops
// and encoding overlap while memory stays at a few batches per step. A batch
// is committed to its source only after the sink acknowledged it, in order.
// That is the whole difference between the guarantees: FromKafka marks each
// acknowledged batch's offsets committable (at-least-once); FromTransactor
// also ends the Transactor's transaction — output and offsets together — every
// RunOptions.TxnMaxRecords records or TxnMaxInterval, once everything read in
// it is acknowledged (exactly-once). Limit, StopWhenIdle, progress, metrics
// and lag work the same under both.
//
// When ctx ends, Run stops reading, drains and commits what is in flight,
// and returns nil; the first failure of any step stops the pipeline and is
// returned. Run closes the source and sink it was given. Every problem with
// the pipeline's shape and options is reported at once before anything
// moves; ValidateKafka checks a whole Kafka-to-Kafka configuration (source,
// sink, codecs, options) the same way before anything is opened.
package engine
