// Command sabot-bench measures Sabot's Kafka throughput. With no flags it runs on
// the embedded default (an in-process Kafka cluster, nothing to install); with
// -brokers (or SABOT_KAFKA_BROKERS) it runs against that cluster.
//
//	go run ./cmd/sabot-bench                      # embedded broker, 1M x 100 B
//	go run ./cmd/sabot-bench -records 200000 -size 1024 -compression lz4
//	go run ./cmd/sabot-bench -brokers 127.0.0.1:19092
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/bench"
	"github.com/sabot-kafka/sabot/services"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sabot-bench:", err)
		os.Exit(1)
	}
}

func run() error {
	records := flag.Int("records", 1_000_000, "records to produce and consume")
	size := flag.Int("size", 100, "bytes per record value")
	partitions := flag.Int("partitions", 6, "partitions of the benchmark topic")
	compression := flag.String("compression", "none", "produce compression: none, gzip, snappy, lz4, zstd")
	brokers := flag.String("brokers", "", "comma-separated brokers (default: $SABOT_KAFKA_BROKERS, else the embedded cluster)")
	flag.Parse()

	codec, err := compressionCodec(*compression)
	if err != nil {
		return err
	}
	if *brokers != "" {
		if err := os.Setenv(services.EnvBrokers, *brokers); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	s, err := services.Open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	where := "embedded kfake broker"
	if !s.Embedded {
		where = fmt.Sprintf("broker %v", s.Brokers)
	}
	topic := fmt.Sprintf("sabot-bench-%d", time.Now().UnixNano())
	defer func() { _ = s.DeleteTopic(context.Background(), topic) }()

	fmt.Printf("sabot-bench: %d records x %d B, %d partitions, compression %s, %s\n",
		*records, *size, *partitions, *compression, where)
	res, err := bench.RunRoundTrip(ctx, s, bench.RoundTripConfig{
		Topic: topic, Partitions: int32(*partitions), Records: *records, RecordBytes: *size, Compression: codec, // #nosec G115 -- small flag value
	})
	if err != nil {
		return err
	}
	mb := float64(res.Bytes) / 1e6
	fmt.Printf("produce  %9.0f records/s  %7.1f MB/s  (%v)\n", res.ProduceRecsSec, mb/res.Produce.Seconds(), res.Produce.Round(time.Millisecond))
	fmt.Printf("consume  %9.0f records/s  %7.1f MB/s  (%v)\n", res.ConsumeRecsSec, mb/res.Consume.Seconds(), res.Consume.Round(time.Millisecond))
	return nil
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
	return kgo.CompressionCodec{}, fmt.Errorf("unknown compression %q (want none, gzip, snappy, lz4 or zstd)", name)
}
