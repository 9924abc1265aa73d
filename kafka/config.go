package kafka

import (
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
)

// SourceConfig configures a [Source]. Zero fields take the values of
// [DefaultSourceConfig].
type SourceConfig struct {
	// Brokers are the bootstrap servers, host:port. Required.
	Brokers []string
	// Topics to read. Required.
	Topics []string
	// GroupID joins a consumer group (cooperative-sticky rebalancing) whose
	// committed offsets say where to start. Empty reads every partition of
	// Topics without a group and commits nothing.
	GroupID string

	// Codec names the value format (codec_type plus codec_options). Ignored
	// when Decoder is set.
	Codec codec.Spec
	// Decoder, when set, is used instead of one built from Codec.
	Decoder *decode.Decoder

	// AutoOffsetReset is where a partition without a committed offset starts
	// (default OffsetLatest).
	AutoOffsetReset OffsetReset
	// DisableAutoCommit turns off committing every AutoCommitInterval; call
	// Source.Commit instead. Either way only offsets of batches marked Done
	// are committed, and they are also committed on revoke and on Close.
	DisableAutoCommit bool
	// AutoCommitInterval between automatic commits (default 5s).
	AutoCommitInterval time.Duration
	// MaxPollRecords caps the records of one Batch (default 500).
	MaxPollRecords int
	// FetchMinBytes a broker waits for before answering a fetch (default 1).
	FetchMinBytes int32
	// FetchMaxWait is how long a broker waits for FetchMinBytes (default 500ms).
	FetchMaxWait time.Duration
	// FetchMaxBytes caps one fetch response (default 50 MiB) and
	// FetchMaxPartitionBytes its share per partition (default 1 MiB). The
	// client holds at most one unread fetch per broker, so these bound the
	// bytes buffered ahead of Poll.
	FetchMaxBytes          int32
	FetchMaxPartitionBytes int32
	// SessionTimeout (default 45s), HeartbeatInterval (default 3s) and
	// RebalanceTimeout (default 60s) of the group member. Batches handed out
	// hold a pending rebalance until they are Done, so Done within
	// RebalanceTimeout.
	SessionTimeout    time.Duration
	HeartbeatInterval time.Duration
	RebalanceTimeout  time.Duration
	// ReadCommitted reads only committed transactional records
	// (isolation.level=read_committed); the default reads everything.
	ReadCommitted bool

	// MaxInFlightRecords caps the records handed out by Poll and not yet
	// Done (default 10 × MaxPollRecords). At the cap Poll waits for Done.
	MaxInFlightRecords int
	// PartitionPauseRecords pauses fetching a partition whose records handed
	// out and not Done reach this many, and resumes it when they drop below
	// half (default 4 × MaxPollRecords), so one slow partition does not stall
	// the others.
	PartitionPauseRecords int

	// OnError is the policy for records that do not decode (default fail).
	OnError ErrorPolicy

	// ConnectTimeout bounds the start-up check of NewSource: a metadata
	// request for Topics proving the brokers answer, authentication and
	// TLS work and every topic exists (default 30s). It fails with a
	// *ConnectError. SkipConnectCheck leaves the check out: the client
	// connects in the background and Poll meets what the check would have.
	ConnectTimeout   time.Duration
	SkipConnectCheck bool
	// MissingTopicTimeout is how long a topic of Topics may be missing,
	// at start (within ConnectTimeout) and while polling (a deleted topic),
	// before it is an error wrapping ErrTopicNotFound (default 10s).
	MissingTopicTimeout time.Duration
	// FetchErrorTimeout is how long broker and network errors may persist
	// with no successful fetch before Poll fails with a *FetchError
	// wrapping ErrFetchTimeout (default 2m). Until then the client retries
	// (a broker restart, a leader moving). Errors that cannot heal
	// (authentication, authorization, TLS, invalid configuration) fail
	// Poll at once.
	FetchErrorTimeout time.Duration

	// Security settings (SASL, TLS).
	Security Security
	// ClientID sent to brokers (default "sabot").
	ClientID string
	// ClientOpts are further kgo options, applied last: any consumer
	// setting not named above.
	ClientOpts []kgo.Opt
}

// DefaultSourceConfig returns the defaults, stated once.
func DefaultSourceConfig() SourceConfig {
	return SourceConfig{
		AutoOffsetReset:        OffsetLatest,
		AutoCommitInterval:     5 * time.Second,
		MaxPollRecords:         500,
		FetchMinBytes:          1,
		FetchMaxWait:           500 * time.Millisecond,
		FetchMaxBytes:          50 << 20,
		FetchMaxPartitionBytes: 1 << 20,
		SessionTimeout:         45 * time.Second,
		HeartbeatInterval:      3 * time.Second,
		RebalanceTimeout:       60 * time.Second,
		MaxInFlightRecords:     5000,
		PartitionPauseRecords:  2000,
		ConnectTimeout:         30 * time.Second,
		MissingTopicTimeout:    10 * time.Second,
		FetchErrorTimeout:      2 * time.Minute,
		ClientID:               "sabot",
	}
}

// withDefaults fills zero fields from DefaultSourceConfig.
func (c SourceConfig) withDefaults() SourceConfig {
	d := DefaultSourceConfig()
	if c.AutoOffsetReset == "" {
		c.AutoOffsetReset = d.AutoOffsetReset
	}
	if c.AutoCommitInterval == 0 {
		c.AutoCommitInterval = d.AutoCommitInterval
	}
	if c.MaxPollRecords == 0 {
		c.MaxPollRecords = d.MaxPollRecords
	}
	if c.MaxInFlightRecords == 0 {
		c.MaxInFlightRecords = 10 * c.MaxPollRecords
	}
	if c.PartitionPauseRecords == 0 {
		c.PartitionPauseRecords = 4 * c.MaxPollRecords
	}
	setIfZero(&c.FetchMinBytes, d.FetchMinBytes)
	setIfZero(&c.FetchMaxWait, d.FetchMaxWait)
	setIfZero(&c.FetchMaxBytes, d.FetchMaxBytes)
	setIfZero(&c.FetchMaxPartitionBytes, d.FetchMaxPartitionBytes)
	setIfZero(&c.SessionTimeout, d.SessionTimeout)
	setIfZero(&c.HeartbeatInterval, d.HeartbeatInterval)
	setIfZero(&c.RebalanceTimeout, d.RebalanceTimeout)
	setIfZero(&c.ConnectTimeout, d.ConnectTimeout)
	setIfZero(&c.MissingTopicTimeout, d.MissingTopicTimeout)
	setIfZero(&c.FetchErrorTimeout, d.FetchErrorTimeout)
	setIfZero(&c.ClientID, d.ClientID)
	return c
}

func setIfZero[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Validate reports every problem with c at once, each field the user set
// wrongly once: fields left zero take their defaults, and the defaults
// derived from another field (MaxInFlightRecords and PartitionPauseRecords
// from MaxPollRecords) are checked only when that field is valid.
func (c SourceConfig) Validate() error {
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("kafka: Brokers is required"))
	}
	if len(c.Topics) == 0 {
		errs = append(errs, errors.New("kafka: Topics is required"))
	}
	for _, t := range c.Topics {
		if t == "" {
			errs = append(errs, errors.New("kafka: Topics holds an empty name"))
			break
		}
	}
	if c.Decoder == nil {
		if err := c.Codec.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	switch c.AutoOffsetReset {
	case "", OffsetEarliest, OffsetLatest:
	case OffsetCommitted:
		if c.GroupID == "" {
			errs = append(errs, errors.New("kafka: AutoOffsetReset committed needs a GroupID"))
		}
	default:
		errs = append(errs, fmt.Errorf("kafka: unknown AutoOffsetReset %q (want earliest, latest or committed)", c.AutoOffsetReset))
	}
	nonNegative(&errs, "AutoCommitInterval", c.AutoCommitInterval)
	pollOK := nonNegative(&errs, "MaxPollRecords", c.MaxPollRecords)
	nonNegative(&errs, "FetchMinBytes", c.FetchMinBytes)
	nonNegative(&errs, "FetchMaxWait", c.FetchMaxWait)
	fetchOK := nonNegative(&errs, "FetchMaxBytes", c.FetchMaxBytes)
	partBytesOK := nonNegative(&errs, "FetchMaxPartitionBytes", c.FetchMaxPartitionBytes)
	sessionOK := nonNegative(&errs, "SessionTimeout", c.SessionTimeout)
	heartbeatOK := nonNegative(&errs, "HeartbeatInterval", c.HeartbeatInterval)
	nonNegative(&errs, "RebalanceTimeout", c.RebalanceTimeout)
	inFlightOK := nonNegative(&errs, "MaxInFlightRecords", c.MaxInFlightRecords)
	nonNegative(&errs, "PartitionPauseRecords", c.PartitionPauseRecords)
	nonNegative(&errs, "ConnectTimeout", c.ConnectTimeout)
	nonNegative(&errs, "MissingTopicTimeout", c.MissingTopicTimeout)
	nonNegative(&errs, "FetchErrorTimeout", c.FetchErrorTimeout)

	// Relations between fields, with defaults, when every field involved
	// is valid.
	d := c.withDefaults()
	if pollOK && inFlightOK && c.MaxInFlightRecords > 0 && c.MaxInFlightRecords < d.MaxPollRecords {
		errs = append(errs, fmt.Errorf("kafka: MaxInFlightRecords (%d) is below MaxPollRecords (%d)", c.MaxInFlightRecords, d.MaxPollRecords))
	}
	if fetchOK && partBytesOK && d.FetchMaxPartitionBytes > d.FetchMaxBytes {
		errs = append(errs, fmt.Errorf("kafka: FetchMaxPartitionBytes (%d) exceeds FetchMaxBytes (%d)", d.FetchMaxPartitionBytes, d.FetchMaxBytes))
	}
	if sessionOK && heartbeatOK && d.HeartbeatInterval >= d.SessionTimeout {
		errs = append(errs, fmt.Errorf("kafka: HeartbeatInterval (%v) must be below SessionTimeout (%v)", d.HeartbeatInterval, d.SessionTimeout))
	}
	errs = append(errs, c.OnError.validate(true)...)
	errs = append(errs, c.Security.validate()...)
	return errors.Join(errs...)
}

// nonNegative appends an error to errs when the field name holds a negative
// v, and reports whether v is valid.
func nonNegative[T ~int | ~int32 | ~int64](errs *[]error, name string, v T) bool {
	if v < 0 {
		*errs = append(*errs, fmt.Errorf("kafka: %s must not be negative, got %v", name, v))
		return false
	}
	return true
}

// kgoOpts translates c (with defaults) into client options.
func (c SourceConfig) kgoOpts() ([]kgo.Opt, error) {
	sec, err := c.Security.opts()
	if err != nil {
		return nil, err
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ClientID(c.ClientID),
		kgo.ConsumeTopics(c.Topics...),
		kgo.ConsumeResetOffset(c.AutoOffsetReset.offset()),
		kgo.FetchMinBytes(c.FetchMinBytes),
		kgo.FetchMaxWait(c.FetchMaxWait),
		kgo.FetchMaxBytes(c.FetchMaxBytes),
		kgo.FetchMaxPartitionBytes(c.FetchMaxPartitionBytes),
		// Retryable fetch errors reach Poll, where the Source's watch
		// classifies them: a deleted topic shows as UNKNOWN_TOPIC_*.
		kgo.KeepRetryableFetchErrors(),
	}
	if c.ReadCommitted {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	if c.GroupID != "" {
		opts = append(opts,
			kgo.ConsumerGroup(c.GroupID),
			kgo.Balancers(kgo.CooperativeStickyBalancer()),
			kgo.SessionTimeout(c.SessionTimeout),
			kgo.HeartbeatInterval(c.HeartbeatInterval),
			kgo.RebalanceTimeout(c.RebalanceTimeout),
			// Only offsets of batches marked Done are committed.
			kgo.AutoCommitMarks(),
		)
		if c.DisableAutoCommit {
			// franz-go refuses marks with autocommit disabled, and marks are
			// what keep commits to records marked Done. A timer that never
			// fires in practice is autocommit disabled with marks kept.
			opts = append(opts, kgo.AutoCommitInterval(neverInterval))
		} else {
			opts = append(opts, kgo.AutoCommitInterval(c.AutoCommitInterval))
		}
	}
	opts = append(opts, sec...)
	return opts, nil
}

// neverInterval is an auto commit interval of about 146 years.
const neverInterval = time.Duration(1 << 62)

// SinkConfig configures a [Sink]. Zero fields take the values of
// [DefaultSinkConfig].
type SinkConfig struct {
	// Brokers are the bootstrap servers, host:port. Required.
	Brokers []string
	// Topic written by default. Required unless every Message names one.
	Topic string

	// Codec names the value format of Send, SendAsync and SendValues.
	// Ignored when Encoder is set; neither is needed for SendRecords alone.
	Codec codec.Spec
	// Encoder, when set, is used instead of one built from Codec.
	Encoder *encode.Encoder

	// Partitioning chooses the partition of each record (default KeyHash).
	Partitioning PartitionStrategy
	// PartitionFunc is the Custom strategy: it returns a partition in [0, n).
	PartitionFunc func(key, value []byte, n int) int
	// KeyColumn names the column of a record batch whose values become the
	// records' keys (string, binary or integer columns; integers are written
	// as decimal text): a key extractor, as a column. Empty means
	// the batch's _key column when it has one, else no keys. SendRecords
	// takes each Record's Key instead.
	KeyColumn string

	// Compression of produce batches (default none).
	Compression Compression
	// Acks required for a write (default all). Acks other than all turn
	// idempotence off, as the Java client does when idempotence is not
	// asked for explicitly; a transactional sink needs all.
	Acks Acks
	// Retries of a failed produce before the record fails. The default
	// (0) is unlimited retries, with backoff, bounded by DeliveryTimeout,
	// as the Java client does; a positive count also fails a record after
	// that many retries; negative means none.
	Retries int
	// MaxInFlight produce requests per broker (default 5; at most 5 with
	// idempotence).
	MaxInFlight int
	// Linger waits this long for more records before sending a batch
	// (default 10ms).
	Linger time.Duration
	// BatchSize caps the bytes of one partition's batch (default 16 KiB).
	BatchSize int32
	// DisableIdempotence turns off idempotent writes (enable.idempotence
	// in the Java client, on by default).
	DisableIdempotence bool
	// TransactionalID makes the sink transactional (exactly once): such a
	// sink is opened by NewTransactor, not NewSink.
	TransactionalID string
	// DeliveryTimeout fails a record not acknowledged within it, counted
	// from when it was handed to the client: retries of broker and network
	// errors (a broker restart, a leader moving) go on until then (default
	// 2m, delivery.timeout.ms of the Java client). Such a record fails
	// with a *ProduceError wrapping ErrDeliveryTimeout. As in the Java
	// client it fails also while its produce request is unanswered (the
	// broker may have written it: sending it again can duplicate it, the
	// at-least-once of a failed, restarted pipeline); in a transaction it
	// fails only when that is safe, and the transaction aborts instead.
	// With the brokers unreachable the client checks the timeout when it
	// refreshes metadata, at most MetadataMinAge (5s) late.
	DeliveryTimeout time.Duration

	// ConnectTimeout bounds the start-up check of NewSink and
	// NewTransactor: a metadata request for Topic (or for no topic
	// without one) proving the brokers answer, authentication and TLS work
	// and the topic exists (default 30s). It fails with a *ConnectError.
	// SkipConnectCheck leaves the check out.
	ConnectTimeout   time.Duration
	SkipConnectCheck bool
	// MissingTopicTimeout is how long the check waits for a missing Topic
	// to appear, within ConnectTimeout (default 10s). A client allowed to
	// create topics (kgo.AllowAutoTopicCreation in ClientOpts) skips the
	// topic check.
	MissingTopicTimeout time.Duration

	// OnError is the policy for rows that do not encode in SendRecordBatch:
	// fail (the default) or skip.
	OnError ErrorPolicy

	// Security settings (SASL, TLS).
	Security Security
	// ClientID sent to brokers (default "sabot").
	ClientID string
	// ClientOpts are further kgo options, applied last: any producer
	// setting not named above.
	ClientOpts []kgo.Opt
}

// DefaultSinkConfig returns the defaults, stated once.
func DefaultSinkConfig() SinkConfig {
	return SinkConfig{
		Partitioning:        KeyHash,
		Compression:         CompressionNone,
		Acks:                AcksAll,
		Retries:             0, // unlimited within DeliveryTimeout
		MaxInFlight:         5,
		Linger:              10 * time.Millisecond,
		BatchSize:           16384,
		DeliveryTimeout:     2 * time.Minute,
		ConnectTimeout:      30 * time.Second,
		MissingTopicTimeout: 10 * time.Second,
		ClientID:            "sabot",
	}
}

func (c SinkConfig) withDefaults() SinkConfig {
	d := DefaultSinkConfig()
	setIfZero(&c.Partitioning, d.Partitioning)
	setIfZero(&c.Compression, d.Compression)
	setIfZero(&c.Acks, d.Acks)
	setIfZero(&c.Retries, d.Retries)
	setIfZero(&c.MaxInFlight, d.MaxInFlight)
	setIfZero(&c.Linger, d.Linger)
	setIfZero(&c.BatchSize, d.BatchSize)
	setIfZero(&c.DeliveryTimeout, d.DeliveryTimeout)
	setIfZero(&c.ConnectTimeout, d.ConnectTimeout)
	setIfZero(&c.MissingTopicTimeout, d.MissingTopicTimeout)
	setIfZero(&c.ClientID, d.ClientID)
	return c
}

// idempotent reports whether the sink writes idempotently.
func (c SinkConfig) idempotent() bool {
	return !c.DisableIdempotence && (c.Acks == AcksAll || c.Acks == "-1")
}

// Validate reports every problem with c at once, each field the user set
// wrongly once (fields left zero take their defaults).
func (c SinkConfig) Validate() error {
	c = c.withDefaults() // no default derives from another field
	var errs []error
	if len(c.Brokers) == 0 {
		errs = append(errs, errors.New("kafka: Brokers is required"))
	}
	if c.Encoder == nil && c.Codec.Format != nil {
		if err := c.Codec.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.KeyColumn != "" && c.Encoder == nil && c.Codec.Format == nil {
		errs = append(errs, fmt.Errorf("kafka: KeyColumn %q keys record batches, but the sink has no Codec or Encoder to send them", c.KeyColumn))
	}
	switch c.Partitioning {
	case KeyHash, RoundRobin, Sticky, Explicit:
	case Custom:
		if c.PartitionFunc == nil {
			errs = append(errs, errors.New("kafka: Partitioning custom needs a PartitionFunc"))
		}
	default:
		errs = append(errs, fmt.Errorf("kafka: unknown Partitioning %q", c.Partitioning))
	}
	if c.PartitionFunc != nil && c.Partitioning != Custom {
		errs = append(errs, fmt.Errorf("kafka: PartitionFunc is set but Partitioning is %q, not custom", c.Partitioning))
	}
	if _, ok := c.Compression.codec(); !ok {
		errs = append(errs, fmt.Errorf("kafka: unknown Compression %q (want none, gzip, snappy, lz4 or zstd)", c.Compression))
	}
	if _, ok := c.Acks.kgo(); !ok {
		errs = append(errs, fmt.Errorf("kafka: unknown Acks %q (want 0, 1 or all)", c.Acks))
	}
	nonNegative(&errs, "MaxInFlight", c.MaxInFlight)
	if c.idempotent() && c.MaxInFlight > 5 {
		errs = append(errs, fmt.Errorf("kafka: MaxInFlight %d exceeds 5, the most an idempotent producer may have", c.MaxInFlight))
	}
	nonNegative(&errs, "Linger", c.Linger)
	nonNegative(&errs, "BatchSize", c.BatchSize)
	nonNegative(&errs, "DeliveryTimeout", c.DeliveryTimeout)
	nonNegative(&errs, "ConnectTimeout", c.ConnectTimeout)
	nonNegative(&errs, "MissingTopicTimeout", c.MissingTopicTimeout)
	if c.TransactionalID != "" {
		if c.DisableIdempotence {
			errs = append(errs, errors.New("kafka: a TransactionalID needs idempotence; unset DisableIdempotence"))
		}
		if a, ok := c.Acks.kgo(); ok && a != kgo.AllISRAcks() {
			errs = append(errs, fmt.Errorf("kafka: a TransactionalID needs Acks all, got %q", c.Acks))
		}
	}
	errs = append(errs, c.OnError.validate(false)...)
	errs = append(errs, c.Security.validate()...)
	return errors.Join(errs...)
}

func (c SinkConfig) kgoOpts() ([]kgo.Opt, error) {
	sec, err := c.Security.opts()
	if err != nil {
		return nil, err
	}
	acks, _ := c.Acks.kgo()
	comp, _ := c.Compression.codec()
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ClientID(c.ClientID),
		kgo.RequiredAcks(acks),
		kgo.ProducerBatchCompression(comp),
		kgo.ProducerLinger(c.Linger),
		kgo.ProducerBatchMaxBytes(c.BatchSize),
		kgo.RecordPartitioner(c.partitioner()),
	}
	switch {
	case c.Retries > 0:
		opts = append(opts, kgo.RecordRetries(c.Retries))
	case c.Retries < 0:
		opts = append(opts, kgo.RecordRetries(0))
	}
	// franz-go's own default is unlimited retries. Its
	// RecordDeliveryTimeout counts from each record's Timestamp, which
	// fails at once a record carrying an old timestamp (a copy, a replay):
	// the Sink bounds delivery with a context per call instead.
	if c.Topic != "" {
		opts = append(opts, kgo.DefaultProduceTopic(c.Topic))
	}
	if !c.idempotent() {
		// franz-go refuses acks other than all with idempotence on.
		opts = append(opts, kgo.DisableIdempotentWrite(), kgo.MaxProduceRequestsInflightPerBroker(c.MaxInFlight))
	}
	if c.TransactionalID != "" {
		opts = append(opts, kgo.TransactionalID(c.TransactionalID))
	} else if c.idempotent() {
		// DeliveryTimeout holds for a record whose produce request is
		// unanswered too (a broker that died with it), as in the Java
		// client: such a record fails although the broker may have
		// written it, so the caller sending it again may write it twice.
		opts = append(opts, kgo.AllowIdempotentProduceCancellation())
	}
	opts = append(opts, sec...)
	return opts, nil
}
