// Package kafka is Sabot's Kafka I/O, built on franz-go (kgo): [Source]
// reads topics into Arrow record batches through a decode.Decoder, [Sink]
// writes Arrow record batches through an encode.Encoder, and [Transactor]
// writes in transactions, tying a Source and a Sink together for
// exactly-once consume-transform-produce. [NewSource], [NewSink] and
// [NewTransactor] are the only constructors.
//
// The shape is batch-first. [Source.Poll] returns a [Batch]: the decoded Arrow
// batches of up to MaxPollRecords records, the records themselves, the
// tombstones and the records that did not decode (after the error policy ran).
// [Batch.Done] marks the batch processed; only offsets of records in batches
// marked done are ever committed, whether by auto commit, [Source.Commit], a
// rebalance or Close. [Source.Rows] and [Source.Messages] are per-record
// iterators over the same batches for code that wants one value at a time.
//
// A Sink has one produce path under every send method — [Sink.Send] and
// [Sink.SendAsync] for Arrow batches, [Sink.SendValues] for Go values,
// [Sink.SendRecords] for values already encoded — so partitioning, keys
// (KeyColumn or a decoded _key column; a Record's Key), the error policy
// and the producer settings apply to all of them.
//
// [SourceConfig] and [SinkConfig] take their defaults from
// [DefaultSourceConfig] and [DefaultSinkConfig] (zero fields mean "the
// default"), Validate reports every bad field at once, and ClientOpts passes
// further kgo options through.
//
// Error policies ([ErrorPolicy]) decide what happens to records that do not
// decode: fail (the default), skip, retry with backoff, or dead letter, which
// produces the original key, value and headers plus headers naming the error
// and the source position to a dead-letter topic ([DeadLetterHeaders]).
//
// What lives elsewhere: formats (decode/, encode/, codec/), the schema
// registry client (registry/), pipelines that run sources and sinks (engine/).
package kafka
