package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// OffsetReset says where a consumer starts in a partition that has no
// committed offset (auto.offset.reset in the Java client). With a consumer group a
// committed offset always wins over Earliest and Latest.
type OffsetReset string

// Offset reset choices.
const (
	// OffsetLatest starts after the last record (the default).
	OffsetLatest OffsetReset = "latest"
	// OffsetEarliest starts at the first record still in the log.
	OffsetEarliest OffsetReset = "earliest"
	// OffsetCommitted starts only from a committed offset: a partition with
	// none is an error from Poll instead of a silent reset. Needs GroupID.
	OffsetCommitted OffsetReset = "committed"
)

func (o OffsetReset) offset() kgo.Offset {
	switch o {
	case OffsetEarliest:
		return kgo.NewOffset().AtStart()
	case OffsetCommitted:
		return kgo.NewOffset().AtCommitted()
	}
	return kgo.NewOffset().AtEnd()
}

// Compression is a produce batch compression codec (compression.type in the
// Java client).
type Compression string

// Compression codecs.
const (
	CompressionNone   Compression = "none" // the default
	CompressionGzip   Compression = "gzip"
	CompressionSnappy Compression = "snappy"
	CompressionLZ4    Compression = "lz4"
	CompressionZstd   Compression = "zstd"
)

func (c Compression) codec() (kgo.CompressionCodec, bool) {
	switch c {
	case CompressionNone:
		return kgo.NoCompression(), true
	case CompressionGzip:
		return kgo.GzipCompression(), true
	case CompressionSnappy:
		return kgo.SnappyCompression(), true
	case CompressionLZ4:
		return kgo.Lz4Compression(), true
	case CompressionZstd:
		return kgo.ZstdCompression(), true
	}
	return kgo.CompressionCodec{}, false
}

// Acks is how many replicas must write a record before the broker answers
// (acks in the Java client: "0", "1" or "all").
type Acks string

// Acknowledgement levels.
const (
	AcksAll    Acks = "all" // every in-sync replica (the default)
	AcksLeader Acks = "1"   // the partition leader only
	AcksNone   Acks = "0"   // no answer at all: errors are invisible
)

func (a Acks) kgo() (kgo.Acks, bool) {
	switch a {
	case AcksAll, "-1":
		return kgo.AllISRAcks(), true
	case AcksLeader:
		return kgo.LeaderAck(), true
	case AcksNone:
		return kgo.NoAck(), true
	}
	return kgo.Acks{}, false
}

// PartitionStrategy chooses the partition of each produced record.
type PartitionStrategy string

// Partition strategies.
const (
	// KeyHash hashes the key exactly as the Java client's default partitioner
	// does (murmur2, see [KeyPartition]); records without a key stick to one
	// partition per batch. The default.
	KeyHash PartitionStrategy = "key_hash"
	// RoundRobin spreads records over partitions one by one, ignoring keys.
	RoundRobin PartitionStrategy = "round_robin"
	// Sticky fills a batch for one partition before moving to another,
	// ignoring keys.
	Sticky PartitionStrategy = "sticky"
	// Explicit writes each record to the partition it names: a Record's
	// Partition, or the _partition column of a batch (a batch without one
	// fails).
	Explicit PartitionStrategy = "explicit"
	// Custom calls SinkConfig.PartitionFunc.
	Custom PartitionStrategy = "custom"
)

// SASLMechanism names a SASL mechanism.
type SASLMechanism string

// SASL mechanisms.
const (
	SASLPlain       SASLMechanism = "PLAIN"
	SASLSCRAMSHA256 SASLMechanism = "SCRAM-SHA-256"
	SASLSCRAMSHA512 SASLMechanism = "SCRAM-SHA-512"
)

// Security holds how a client authenticates and encrypts its connections.
// The zero value is plaintext without authentication.
type Security struct {
	// SASL mechanism; empty means no SASL.
	SASL     SASLMechanism
	User     string
	Password string

	// TLS turns on TLS. CAFile (PEM) replaces the system roots; CertFile and
	// KeyFile present a client certificate. ServerName overrides the name
	// checked in the broker's certificate.
	TLS        bool
	CAFile     string
	CertFile   string
	KeyFile    string
	ServerName string
	// TLSConfig, when set, is used as is instead of the fields above.
	TLSConfig *tls.Config
}

func (s Security) validate() []error {
	var errs []error
	switch s.SASL {
	case "":
		if s.User != "" || s.Password != "" {
			errs = append(errs, errors.New("kafka: Security.User/Password given without a SASL mechanism"))
		}
	case SASLPlain, SASLSCRAMSHA256, SASLSCRAMSHA512:
		if s.User == "" {
			errs = append(errs, fmt.Errorf("kafka: Security.SASL %s needs a User", s.SASL))
		}
	default:
		errs = append(errs, fmt.Errorf("kafka: unknown Security.SASL %q (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", s.SASL))
	}
	files := s.CAFile != "" || s.CertFile != "" || s.KeyFile != "" || s.ServerName != ""
	switch {
	case s.TLSConfig != nil && files:
		errs = append(errs, errors.New("kafka: Security.TLSConfig is used as is: CAFile, CertFile, KeyFile and ServerName would be ignored; set them in the tls.Config"))
	case !s.TLS && s.TLSConfig == nil && files:
		errs = append(errs, errors.New("kafka: Security CA or certificate files or ServerName given but TLS is off"))
	case (s.CertFile == "") != (s.KeyFile == ""):
		errs = append(errs, errors.New("kafka: Security.CertFile and Security.KeyFile go together"))
	}
	return errs
}

func (s Security) opts() ([]kgo.Opt, error) {
	var opts []kgo.Opt
	switch s.SASL {
	case SASLPlain:
		opts = append(opts, kgo.SASL(plain.Auth{User: s.User, Pass: s.Password}.AsMechanism()))
	case SASLSCRAMSHA256:
		opts = append(opts, kgo.SASL(scram.Auth{User: s.User, Pass: s.Password}.AsSha256Mechanism()))
	case SASLSCRAMSHA512:
		opts = append(opts, kgo.SASL(scram.Auth{User: s.User, Pass: s.Password}.AsSha512Mechanism()))
	}
	switch {
	case s.TLSConfig != nil:
		opts = append(opts, kgo.DialTLSConfig(s.TLSConfig))
	case s.TLS:
		cfg, err := s.tlsConfig()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	return opts, nil
}

func (s Security) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: s.ServerName}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile) // #nosec G304 -- the operator names this file
		if err != nil {
			return nil, fmt.Errorf("kafka: reading CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka: CA file %s holds no PEM certificate", s.CAFile)
		}
		cfg.RootCAs = pool
	}
	if s.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka: client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// SplitBrokers splits a bootstrap_servers string ("h1:9092,h2:9092").
func SplitBrokers(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
