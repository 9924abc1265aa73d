// Command msgpack_lz4 shows MessagePack at volume: it
// reads MessagePack transactions, processes each batch with column kernels
// and writes the result as MessagePack in lz4-compressed produce batches. It
// prints how much smaller the MessagePack values are than JSON and which
// compression the output's record batches carry.
//
//	go run ./examples/msgpack_lz4
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/examples/internal/exampleenv"
	"github.com/sabot-kafka/sabot/internal/dataset"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
)

func main() { exampleenv.Main(run) }

const records = 1000

// process is what happens to each batch: keep the payments in euros and
// three of their columns, and flag the large ones.
var process = ops.Chain(
	ops.Where(ops.Col("currency").Eq(ops.Lit("EUR"))),
	ops.Select("id", "user_id", "amount"),
	ops.WithColumn("large", ops.Col("amount").Ge(ops.Lit(500.0))),
)

// compression names the codec ids of Kafka record batch attributes.
var compression = map[uint8]string{0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, err := exampleenv.Open(ctx, "msgpack_lz4", args)
	if err != nil {
		return err
	}
	defer env.Close()
	in, err := env.Topic(ctx, "high-throughput", 1)
	if err != nil {
		return err
	}
	out, err := env.Topic(ctx, "msgpack-output", 1)
	if err != nil {
		return err
	}
	input := dataset.Transactions(memory.DefaultAllocator, records, 7, 100)
	defer input.Release()
	if err := compare(ctx, stdout, input); err != nil {
		return err
	}
	if err := produce(ctx, env, in, input); err != nil {
		return err
	}

	// MessagePack values decode into the columns given here.
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{in}, GroupID: env.Name("msgpack-consumer"),
		Codec: codec.Spec{Format: codec.MsgPack{ArrowSchema: dataset.TransactionSchema}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: out,
		Codec: codec.Spec{Format: codec.MsgPack{}}, Compression: kafka.CompressionLZ4})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)

	// Process at wire speed: a batch at a time.
	read := 0
	for read < records {
		b, err := source.Poll(ctx)
		if err != nil {
			return err
		}
		for _, rec := range b.Result.Batches {
			if err := sendProcessed(ctx, sink, rec); err != nil {
				return err
			}
		}
		read += b.Len()
		b.Done()
	}
	written := sink.Metrics().RecordsOut
	fmt.Fprintf(stdout, "read %d records from %s, wrote %d (the EUR payments) to %s\n",
		read, env.Short(in), written, env.Short(out))
	return check(ctx, env, stdout, out, int(written))
}

// compare prints the size of the transactions as MessagePack and as JSON.
func compare(ctx context.Context, stdout io.Writer, rec arrow.RecordBatch) error {
	size := func(f codec.Format) (int, error) {
		enc, err := codec.NewEncoder(codec.Spec{Format: f})
		if err != nil {
			return 0, err
		}
		var vals encode.Values
		if err := enc.Encode(ctx, rec, &vals); err != nil {
			return 0, err
		}
		return vals.Bytes(), nil
	}
	mp, err := size(codec.MsgPack{})
	if err != nil {
		return err
	}
	js, err := size(codec.JSON{})
	if err != nil {
		return err
	}
	n := float64(rec.NumRows())
	fmt.Fprintf(stdout, "%d transactions: MessagePack %.1f bytes/value, JSON %.1f bytes/value (%.0f%% of JSON)\n",
		rec.NumRows(), float64(mp)/n, float64(js)/n, 100*float64(mp)/float64(js))
	return nil
}

func produce(ctx context.Context, env *exampleenv.Env, topic string, rec arrow.RecordBatch) (err error) {
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topic: topic, Codec: codec.Spec{Format: codec.MsgPack{}}})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, sink)
	return sink.Send(ctx, rec)
}

func sendProcessed(ctx context.Context, sink *kafka.Sink, rec arrow.RecordBatch) error {
	done, err := process.Apply(memory.DefaultAllocator, rec)
	if err != nil {
		return err
	}
	defer done.Release()
	return sink.Send(ctx, done)
}

// check reads the output's records and reports their compression and
// layout.
func check(ctx context.Context, env *exampleenv.Env, stdout io.Writer, topic string, n int) (err error) {
	schema, _, err := ops.OutputSchema(dataset.TransactionSchema, process)
	if err != nil {
		return err
	}
	source, err := kafka.NewSource(kafka.SourceConfig{Brokers: kafka.SplitBrokers(env.Brokers), Topics: []string{topic},
		Codec: codec.Spec{Format: codec.MsgPack{ArrowSchema: schema}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		return err
	}
	defer exampleenv.Close(&err, source)
	codecs := map[string]int{}
	var first string
	for read := 0; read < n; {
		b, err := source.Poll(ctx)
		if err != nil {
			return err
		}
		for _, r := range b.Records {
			codecs[compression[r.Attrs.CompressionType()]]++
		}
		if first == "" && b.NumRows() > 0 {
			first = kafka.Row{Rec: b.Result.Batches[0]}.String()
		}
		read += b.Len()
		b.Done()
	}
	fmt.Fprintf(stdout, "output records by batch compression: %v\n", codecs)
	fmt.Fprintf(stdout, "first output row: %s\n", first)
	return nil
}
