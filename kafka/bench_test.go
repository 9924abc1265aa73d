package kafka_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
)

// The benchmarks run on the embedded broker (kfake) whatever the
// environment says, so runs compare. One op is one record of 100 bytes;
// "records/s" is b.N over the elapsed time. Each has a franz-go baseline:
// the same records through a plain kgo client (the ceiling).

const benchValueSize = 100

func benchServices(b *testing.B) *services.Services {
	b.Helper()
	s, err := services.StartEmbedded(services.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}

func benchTopic(b *testing.B, s *services.Services, name string, n int) string {
	b.Helper()
	topic := name + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := s.CreateTopic(context.Background(), topic, 3); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		return topic
	}
	cl, err := s.NewClient(kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	val := benchValue()
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		cl.Produce(context.Background(), &kgo.Record{Value: val}, func(_ *kgo.Record, err error) {
			if err != nil {
				b.Error(err)
			}
			wg.Done()
		})
	}
	wg.Wait()
	return topic
}

func benchValue() []byte {
	v := make([]byte, benchValueSize)
	for i := range v {
		v[i] = 'a' + byte(i%26)
	}
	return v
}

func recordsPerSecond(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkConsume: Source.Poll (fetch + decode to Arrow, Bytes and String
// codecs) against kgo PollRecords of the same topic.
func BenchmarkConsume(b *testing.B) {
	s := benchServices(b)
	for _, tc := range []struct {
		name   string
		format codec.Format
	}{{"sabot-bytes", codec.Bytes{}}, {"sabot-string", codec.String{}}, {"franz-go", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			topic := benchTopic(b, s, "bench-consume", b.N)
			ctx := context.Background()
			b.SetBytes(benchValueSize)
			b.ReportAllocs()
			b.ResetTimer()
			if tc.format == nil {
				cl, err := s.NewClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
				if err != nil {
					b.Fatal(err)
				}
				defer cl.Close()
				for n := 0; n < b.N; {
					n += cl.PollRecords(ctx, 500).NumRecords()
				}
			} else {
				src, err := kafka.NewSource(kafka.SourceConfig{Brokers: s.Brokers, Topics: []string{topic},
					Codec: codec.Spec{Format: tc.format}, AutoOffsetReset: kafka.OffsetEarliest})
				if err != nil {
					b.Fatal(err)
				}
				defer src.Close()
				for n := 0; n < b.N; {
					bt, err := src.Poll(ctx)
					if err != nil {
						b.Fatal(err)
					}
					n += bt.Len()
					bt.Done()
				}
			}
			b.StopTimer()
			recordsPerSecond(b)
		})
	}
}

// BenchmarkProduce: Sink.Send (encode 1000-row Arrow batches into
// one arena, produce, wait for acks) against kgo Produce of the same values
// 1000 at a time with the same producer settings.
func BenchmarkProduce(b *testing.B) {
	s := benchServices(b)
	const rows = 1000
	mem := memory.NewGoAllocator()
	vals := make([]string, rows)
	for i := range vals {
		vals[i] = string(benchValue())
	}
	sb := array.NewStringBuilder(mem)
	sb.AppendValues(vals, nil)
	col := sb.NewArray()
	sb.Release()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{col}, rows)
	col.Release()
	defer rec.Release()
	def := kafka.DefaultSinkConfig()
	for _, name := range []string{"sabot-string", "franz-go"} {
		b.Run(name, func(b *testing.B) {
			topic := benchTopic(b, s, "bench-produce", 0)
			ctx := context.Background()
			b.SetBytes(benchValueSize)
			b.ReportAllocs()
			if name == "franz-go" {
				cl, err := s.NewClient(kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(def.Linger),
					kgo.ProducerBatchMaxBytes(def.BatchSize), kgo.ProducerBatchCompression(kgo.NoCompression()),
					kgo.RecordRetries(def.Retries))
				if err != nil {
					b.Fatal(err)
				}
				defer cl.Close()
				val := benchValue()
				recs := make([]kgo.Record, rows)
				b.ResetTimer()
				for n := 0; n < b.N; n += rows {
					var wg sync.WaitGroup
					k := min(rows, b.N-n)
					wg.Add(k)
					for i := 0; i < k; i++ {
						recs[i] = kgo.Record{Value: val}
						cl.Produce(ctx, &recs[i], func(_ *kgo.Record, err error) {
							if err != nil {
								b.Error(err)
							}
							wg.Done()
						})
					}
					wg.Wait()
				}
			} else {
				sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.String{}}})
				if err != nil {
					b.Fatal(err)
				}
				defer sink.Close()
				b.ResetTimer()
				for n := 0; n < b.N; n += rows {
					r := rec
					if k := min(rows, b.N-n); k < rows {
						r = rec.NewSlice(0, int64(k))
					}
					if err := sink.Send(ctx, r); err != nil {
						b.Fatal(err)
					}
					if r != rec {
						r.Release()
					}
				}
			}
			b.StopTimer()
			recordsPerSecond(b)
		})
	}
}
