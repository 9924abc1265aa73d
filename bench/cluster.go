package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
)

// Producer and consumer settings every scenario uses, Sabot and baselines
// alike, so they differ only in what they do with the records.
const (
	produceLinger     = 5 * time.Millisecond
	produceBatchBytes = 1 << 20
	maxBufferedRecs   = 1 << 17
	pollRecords       = 10_000
	fetchMaxWait      = 500 * time.Millisecond
	// syntheticBatchBytes caps the canned batch a synthetic cluster serves.
	syntheticBatchBytes = 1 << 20
)

func producerOpts(comp string) ([]kgo.Opt, error) {
	c, err := compressionCodec(comp)
	if err != nil {
		return nil, err
	}
	return []kgo.Opt{
		kgo.ProducerLinger(produceLinger),
		kgo.ProducerBatchMaxBytes(produceBatchBytes),
		kgo.ProducerBatchCompression(c),
		kgo.MaxBufferedRecords(maxBufferedRecs),
	}, nil
}

func consumerOpts(topic string) []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(fetchMaxWait),
	}
}

func compressionCodec(name string) (kgo.CompressionCodec, error) {
	switch name {
	case "none", "":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.CompressionCodec{}, fmt.Errorf("bench: unknown compression %q (want none, gzip, snappy, lz4 or zstd)", name)
}

// Env is the Kafka side of a run: the services (embedded or real) and, in
// synthetic mode, one canned cluster per dataset.
type Env struct {
	svc       *services.Services
	synthetic bool
	parts     int32

	mu     sync.Mutex
	topics []string
	extra  []*services.Services
	seq    atomic.Int64
}

// NewEnv prepares runs against svc. synthetic (embedded services only)
// serves each dataset from a canned record batch and drops what is produced,
// so the in-process broker stores nothing and costs little: the figures are
// Sabot's and the client's, not the fake broker's.
func NewEnv(svc *services.Services, synthetic bool, partitions int) (*Env, error) {
	if synthetic && !svc.Embedded {
		return nil, errors.New("bench: synthetic mode needs the embedded broker")
	}
	if partitions <= 0 {
		partitions = 6
	}
	return &Env{svc: svc, synthetic: synthetic, parts: int32(partitions)}, nil // #nosec G115 -- small flag value
}

// Describe names the broker side for the report.
func (e *Env) Describe() string {
	switch {
	case e.synthetic:
		return "embedded kfake, synthetic fetch + blackhole produce (broker stores nothing)"
	case e.svc.Embedded:
		return "embedded kfake, stored"
	}
	return fmt.Sprintf("%v", e.svc.Brokers)
}

// Close deletes the topics the run created and stops synthetic clusters.
func (e *Env) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, t := range e.topics {
		_ = e.svc.DeleteTopic(ctx, t)
	}
	for _, s := range e.extra {
		s.Close()
	}
	e.topics, e.extra = nil, nil
}

// site is where the scenarios of one (dataset, compression) read and write.
type site struct {
	env     *Env
	svc     *services.Services // the cluster: e.svc, or a synthetic one
	ds      *Dataset
	comp    string
	in      string // topic holding (or serving) the dataset
	stored  int    // records stored in `in`; 0 when served synthetically (endless)
	brokers []string
}

// newSite prepares the input side for ds: a synthetic cluster serving its
// values, or a topic on the services holding records records (ds.Values
// repeated) produced with compression comp.
func (e *Env) newSite(ctx context.Context, ds *Dataset, comp string, records int) (*site, error) {
	s := &site{env: e, svc: e.svc, ds: ds, comp: comp}
	if e.synthetic {
		batch, err := recordBatch(syntheticValues(ds.Values), comp)
		if err != nil {
			return nil, err
		}
		svc, err := services.StartEmbedded(services.Options{KafkaOpts: []kfake.Opt{
			kfake.SyntheticFetch(kfake.SyntheticBatch{Batch: batch}), kfake.BlackholeProduce(),
		}})
		if err != nil {
			return nil, err
		}
		e.mu.Lock()
		e.extra = append(e.extra, svc)
		e.mu.Unlock()
		s.svc = svc
	}
	s.brokers = s.svc.Brokers
	in, err := s.topic(ctx, "in")
	if err != nil {
		return nil, err
	}
	s.in = in
	if !e.synthetic {
		if err := s.fill(ctx, records); err != nil {
			return nil, err
		}
		s.stored = records
	}
	return s, nil
}

// syntheticValues is the prefix of vals that fits one canned batch.
func syntheticValues(vals [][]byte) [][]byte {
	size := 0
	for i, v := range vals {
		size += len(v) + 8
		if size > syntheticBatchBytes && i >= 16 {
			return vals[:i]
		}
	}
	return vals
}

// topic creates a fresh topic on the site's cluster.
func (s *site) topic(ctx context.Context, what string) (string, error) {
	name := fmt.Sprintf("sabot-bench-%s-%s-%d-%d", s.ds.Format, what, time.Now().UnixNano(), s.env.seq.Add(1))
	if err := s.svc.CreateTopic(ctx, name, s.env.parts); err != nil {
		return "", fmt.Errorf("bench: creating topic %s: %w", name, err)
	}
	if s.svc == s.env.svc {
		s.env.mu.Lock()
		s.env.topics = append(s.env.topics, name)
		s.env.mu.Unlock()
	}
	return name, nil
}

// fill produces n records cycling through the dataset's values to s.in.
func (s *site) fill(ctx context.Context, n int) error {
	opts, err := producerOpts(s.comp)
	if err != nil {
		return err
	}
	cl, err := s.svc.NewClient(append(opts, kgo.DefaultProduceTopic(s.in))...)
	if err != nil {
		return err
	}
	defer cl.Close()
	var failed atomic.Pointer[error]
	vals := s.ds.Values
	for i := 0; i < n; i++ {
		cl.Produce(ctx, &kgo.Record{Value: vals[i%len(vals)]}, func(_ *kgo.Record, err error) {
			if err != nil {
				failed.CompareAndSwap(nil, &err)
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return fmt.Errorf("bench: filling %s: %w", s.in, err)
	}
	if p := failed.Load(); p != nil {
		return fmt.Errorf("bench: filling %s: %w", s.in, *p)
	}
	return nil
}

// sourceConfig is Sabot's source on the site's input topic, with the
// consumer settings the baselines use.
func (s *site) sourceConfig() kafka.SourceConfig {
	return kafka.SourceConfig{
		Brokers:         s.brokers,
		Topics:          []string{s.in},
		AutoOffsetReset: kafka.OffsetEarliest,
		MaxPollRecords:  pollRecords,
		FetchMaxWait:    fetchMaxWait,
	}
}

// sinkConfig is Sabot's sink on topic, with the producer settings the
// baselines use.
func (s *site) sinkConfig(topic string) kafka.SinkConfig {
	return kafka.SinkConfig{
		Brokers:     s.brokers,
		Topic:       topic,
		Compression: kafka.Compression(s.comp),
		Linger:      produceLinger,
		BatchSize:   produceBatchBytes,
		ClientOpts:  []kgo.Opt{kgo.MaxBufferedRecords(maxBufferedRecs)},
	}
}
