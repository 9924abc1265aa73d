package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/services"
)

// RoundTripConfig describes one produce-then-consume run.
type RoundTripConfig struct {
	Topic       string
	Partitions  int32
	Records     int
	RecordBytes int
	// Compression is the produce codec (default none).
	Compression kgo.CompressionCodec
}

// RoundTripResult is what a run measured.
type RoundTripResult struct {
	Records        int
	Bytes          int64
	Produce        time.Duration
	Consume        time.Duration
	ProduceRecsSec float64
	ConsumeRecsSec float64
}

// RunRoundTrip creates cfg.Topic, produces cfg.Records values of cfg.RecordBytes
// bytes, then consumes them all back through a consumer group and checks the
// count, timing each half.
func RunRoundTrip(ctx context.Context, s *services.Services, cfg RoundTripConfig) (RoundTripResult, error) {
	if cfg.Records <= 0 || cfg.RecordBytes <= 0 {
		return RoundTripResult{}, errors.New("bench: records and record bytes must be positive")
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 6
	}
	if err := s.CreateTopic(ctx, cfg.Topic, cfg.Partitions); err != nil {
		return RoundTripResult{}, err
	}
	res := RoundTripResult{Records: cfg.Records, Bytes: int64(cfg.Records) * int64(cfg.RecordBytes)}

	var err error
	if res.Produce, err = produce(ctx, s, cfg); err != nil {
		return res, err
	}
	if res.Consume, err = consume(ctx, s, cfg); err != nil {
		return res, err
	}
	res.ProduceRecsSec = float64(cfg.Records) / res.Produce.Seconds()
	res.ConsumeRecsSec = float64(cfg.Records) / res.Consume.Seconds()
	return res, nil
}

func produce(ctx context.Context, s *services.Services, cfg RoundTripConfig) (time.Duration, error) {
	codec := cfg.Compression
	cl, err := s.NewClient(
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.ProducerBatchCompression(codec),
		kgo.ProducerLinger(5*time.Millisecond),
		kgo.MaxBufferedRecords(1<<16),
	)
	if err != nil {
		return 0, err
	}
	defer cl.Close()

	value := make([]byte, cfg.RecordBytes)
	for i := range value {
		value[i] = 'a' + byte(i%26)
	}
	recs := make([]kgo.Record, cfg.Records) // one allocation, not one per record
	errc := make(chan error, 1)
	start := time.Now()
	for i := range recs {
		recs[i].Value = value
		cl.Produce(ctx, &recs[i], func(_ *kgo.Record, err error) {
			if err != nil {
				select {
				case errc <- err:
				default:
				}
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return 0, fmt.Errorf("bench: flush: %w", err)
	}
	elapsed := time.Since(start)
	select {
	case err := <-errc:
		return 0, fmt.Errorf("bench: produce: %w", err)
	default:
	}
	return elapsed, nil
}

func consume(ctx context.Context, s *services.Services, cfg RoundTripConfig) (time.Duration, error) {
	cl, err := s.NewClient(
		kgo.ConsumeTopics(cfg.Topic),
		kgo.ConsumerGroup(cfg.Topic+"-bench"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxBytes(64<<20),
	)
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	start := time.Now()
	got := 0
	for got < cfg.Records {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("bench: consumed %d of %d: %w", got, cfg.Records, err)
		}
		if errs := fs.Errors(); len(errs) > 0 {
			return 0, fmt.Errorf("bench: fetch %s/%d: %w", errs[0].Topic, errs[0].Partition, errs[0].Err)
		}
		got += fs.NumRecords()
	}
	elapsed := time.Since(start)
	if got != cfg.Records {
		return 0, fmt.Errorf("bench: consumed %d records, produced %d", got, cfg.Records)
	}
	return elapsed, nil
}
