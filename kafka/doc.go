// Package kafka is Sabot's Kafka I/O: [Source] reads topics into Arrow record
// batches through a decode.Decoder, [Sink] writes Arrow record batches (or
// values already encoded) through an encode.Encoder, and [Transactor] ties the
// two together for exactly-once consume-transform-produce. It is built on
// franz-go (kgo).
//
// The shape is batch-first. [Source.Poll] returns a [Batch]: the decoded Arrow
// batches of up to MaxPollRecords records, the records themselves, the
// tombstones and the records that did not decode (after the error policy ran).
// [Batch.Done] marks the batch processed; only offsets of records in batches
// marked done are ever committed, whether by auto commit, [Source.Commit], a
// rebalance or Close. [Source.Rows] and [Source.Messages] are per-record
// iterators over the same batches for code that wants one value at a time.
//
// Configuration mirrors the seed's KafkaSourceConfig and KafkaSinkConfig:
// [SourceConfig] and [SinkConfig] take their defaults from [DefaultSourceConfig]
// and [DefaultSinkConfig] (zero fields mean "the default"), Validate reports
// every bad field at once, and ClientOpts passes further kgo options through.
// [FromKafka] and [ToKafka] are the short forms for the common case.
//
// Error policies ([ErrorPolicy]) decide what happens to records that do not
// decode: fail (the default), skip, retry with backoff, or dead letter, which
// produces the original key, value and headers plus headers naming the error
// and the source position to a dead-letter topic ([DeadLetterHeaders]).
//
// What lives elsewhere: formats (decode/, encode/, codec/), the schema
// registry client (registry/), pipelines that run sources and sinks (engine/).
package kafka
