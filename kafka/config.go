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
	setIfZero(&c.ClientID, d.ClientID)
	return c
}

func setIfZero[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Validate reports every problem with c (after defaults) at once.
func (c SourceConfig) Validate() error {
	c = c.withDefaults()
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
		}
	}
	if c.Decoder == nil {
		if err := c.Codec.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	switch c.AutoOffsetReset {
	case OffsetEarliest, OffsetLatest:
	case OffsetCommitted:
		if c.GroupID == "" {
			errs = append(errs, errors.New("kafka: AutoOffsetReset committed needs a GroupID"))
		}
	default:
		errs = append(errs, fmt.Errorf("kafka: unknown AutoOffsetReset %q (want earliest, latest or committed)", c.AutoOffsetReset))
	}
	positive := func(name string, v int64) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("kafka: %s must not be negative, got %d", name, v))
		}
	}
	positive("AutoCommitInterval", int64(c.AutoCommitInterval))
	positive("MaxPollRecords", int64(c.MaxPollRecords))
	positive("FetchMinBytes", int64(c.FetchMinBytes))
	positive("FetchMaxWait", int64(c.FetchMaxWait))
	positive("FetchMaxBytes", int64(c.FetchMaxBytes))
	positive("FetchMaxPartitionBytes", int64(c.FetchMaxPartitionBytes))
	positive("SessionTimeout", int64(c.SessionTimeout))
	positive("HeartbeatInterval", int64(c.HeartbeatInterval))
	positive("RebalanceTimeout", int64(c.RebalanceTimeout))
	if c.MaxInFlightRecords > 0 && c.MaxInFlightRecords < c.MaxPollRecords {
		errs = append(errs, fmt.Errorf("kafka: MaxInFlightRecords (%d) is below MaxPollRecords (%d)", c.MaxInFlightRecords, c.MaxPollRecords))
	}
	positive("MaxInFlightRecords", int64(c.MaxInFlightRecords))
	positive("PartitionPauseRecords", int64(c.PartitionPauseRecords))
	if c.FetchMaxPartitionBytes > c.FetchMaxBytes && c.FetchMaxBytes > 0 {
		errs = append(errs, fmt.Errorf("kafka: FetchMaxPartitionBytes (%d) exceeds FetchMaxBytes (%d)", c.FetchMaxPartitionBytes, c.FetchMaxBytes))
	}
	if c.HeartbeatInterval >= c.SessionTimeout && c.SessionTimeout > 0 {
		errs = append(errs, fmt.Errorf("kafka: HeartbeatInterval (%v) must be below SessionTimeout (%v)", c.HeartbeatInterval, c.SessionTimeout))
	}
	errs = append(errs, c.OnError.validate(true)...)
	errs = append(errs, c.Security.validate()...)
	return errors.Join(errs...)
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
	// Retries of a failed produce before the record fails (default 3;
	// negative means none).
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
	// DeliveryTimeout fails a record not written within it (default: no
	// limit beyond Retries).
	DeliveryTimeout time.Duration

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
		Partitioning: KeyHash,
		Compression:  CompressionNone,
		Acks:         AcksAll,
		Retries:      3,
		MaxInFlight:  5,
		Linger:       10 * time.Millisecond,
		BatchSize:    16384,
		ClientID:     "sabot",
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
	setIfZero(&c.ClientID, d.ClientID)
	return c
}

// idempotent reports whether the sink writes idempotently.
func (c SinkConfig) idempotent() bool {
	return !c.DisableIdempotence && (c.Acks == AcksAll || c.Acks == "-1")
}

// Validate reports every problem with c (after defaults) at once.
func (c SinkConfig) Validate() error {
	c = c.withDefaults()
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
	if c.MaxInFlight < 0 {
		errs = append(errs, fmt.Errorf("kafka: MaxInFlight must not be negative, got %d", c.MaxInFlight))
	}
	if c.idempotent() && c.MaxInFlight > 5 {
		errs = append(errs, fmt.Errorf("kafka: MaxInFlight %d exceeds 5, the most an idempotent producer may have", c.MaxInFlight))
	}
	if c.Linger < 0 {
		errs = append(errs, fmt.Errorf("kafka: Linger must not be negative, got %v", c.Linger))
	}
	if c.BatchSize < 0 {
		errs = append(errs, fmt.Errorf("kafka: BatchSize must not be negative, got %d", c.BatchSize))
	}
	if c.DeliveryTimeout < 0 {
		errs = append(errs, fmt.Errorf("kafka: DeliveryTimeout must not be negative, got %v", c.DeliveryTimeout))
	}
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
	if c.Retries >= 0 {
		opts = append(opts, kgo.RecordRetries(c.Retries))
	} else {
		opts = append(opts, kgo.RecordRetries(0))
	}
	if c.Topic != "" {
		opts = append(opts, kgo.DefaultProduceTopic(c.Topic))
	}
	if c.DeliveryTimeout > 0 {
		opts = append(opts, kgo.RecordDeliveryTimeout(c.DeliveryTimeout))
	}
	if !c.idempotent() {
		// franz-go refuses acks other than all with idempotence on.
		opts = append(opts, kgo.DisableIdempotentWrite(), kgo.MaxProduceRequestsInflightPerBroker(c.MaxInFlight))
	}
	if c.TransactionalID != "" {
		opts = append(opts, kgo.TransactionalID(c.TransactionalID))
	}
	opts = append(opts, sec...)
	return opts, nil
}
