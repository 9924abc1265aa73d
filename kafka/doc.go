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
// Broker and network faults: the constructors check the cluster first (a
// metadata request within ConnectTimeout) and return a [*ConnectError];
// afterwards errors that may heal (a broker restarting, a group rejoining)
// are retried — by the Source for up to FetchErrorTimeout without a
// successful fetch, by the Sink for up to DeliveryTimeout per record — and
// errors that cannot heal end the Source at once ([*FetchError]). Both
// error types, and [ProduceError], match a kind with errors.Is:
// [ErrUnreachable], [ErrAuthentication], [ErrAuthorization], [ErrTLS],
// [ErrTopicNotFound], [ErrInvalidConfig], [ErrDeliveryTimeout],
// [ErrFetchTimeout]. Configs print their secrets redacted with every
// fmt verb.
//
// Error policies ([ErrorPolicy]) decide what happens to records that do not
// decode: fail (the default), skip, retry with backoff, or dead letter, which
// produces the original key, value and headers plus headers naming the error
// and the source position to a dead-letter topic ([DeadLetterHeaders]).
// Schema trouble that belongs to one record — a malformed or negative
// wire-format header, a schema id the registry does not have, a writer
// schema that does not parse — is such a record error; the records around it
// go on.
//
// A schema registry outage is not: a record whose schema is not cached and
// cannot be fetched (the registry refuses connections, times out, answers
// 5xx or 429) is never skipped or dead-lettered. Poll hands out the records
// before it (a batch's other partitions go first), fetches it and the rest of
// the batch again, and retries it with the policy's backoff
// (ErrorPolicy.OutageRetries, by default [DefaultOutageRetries], about half a
// minute); records with cached schemas keep flowing meanwhile, on its
// partition up to it and on the others. When the retries run out Poll
// returns a [*RegistryOutageError] and nothing of its partition from that
// record on has been handed out, so nothing past it is committed.
//
// What lives elsewhere: formats (decode/, encode/, codec/), the schema
// registry client (registry/), pipelines that run sources and sinks (engine/).
package kafka
