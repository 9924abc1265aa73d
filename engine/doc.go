// Package engine runs Sabot pipelines: a Kafka (or any Arrow batch) source, Filter
// and Map stages over whole Arrow record batches, and sinks (Kafka, Arrow IPC, a
// Go callback). It owns the loop — micro-batch sizing by records, bytes and
// linger time, bounded queues between the decode, ops and encode stages, commits
// after produce acknowledgements (at-least-once) or inside a transaction
// (exactly-once), dead-letter routing, progress metrics and shutdown.
//
// Nothing is built here yet; see the status table in the README.
package engine
