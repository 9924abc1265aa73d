package main

import (
	"bufio"
	"bytes"
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	djson "github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
	"github.com/sabot-kafka/sabot/services"
)

func runProduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("produce", "Reads rows from an Arrow IPC file or stream, or from JSON Lines, and writes one\n"+
		"record per row to a topic in any codec (registering the writer schema when a\n"+
		"registry is given). JSON Lines take their columns from the writer schema\n"+
		"(-schema, or the registry subject's latest version) or -layout, and are\n"+
		"inferred from the first 1,000 lines only when there is neither. A missing\n"+
		"topic is created with -partitions, or the cluster's default count.",
		`  sabot produce -topic transactions -input tx.jsonl -codec json
  sabot produce -topic transactions-avro -input tx.jsonl -codec avro -schema tx.avsc -registry http://127.0.0.1:8081 -key id
  sabot produce -topic events -input - -input-format jsonl -codec msgpack -compression lz4 -partitions 12 < events.jsonl
  sabot produce -topic events-pb -input ev.arrow -codec protobuf -schema events.proto -message shop.Event -registry http://127.0.0.1:8081
  sabot produce -topic accounts -input accounts.jsonl -codec json -key account_id -key-format int64
`, stderr)
	conn := addConnFlags(fs)
	topic := fs.String("topic", "", "topic to write (required)")
	cf := addCodecFlags(fs, true)
	input := fs.String("input", "", "input path, or - for stdin (required)")
	inputFormat := fs.String("input-format", "auto", "input format: auto, ipc or jsonl")
	key := fs.String("key", "", "column whose value keys each record (default: the _key column when there is one)")
	keyFormatFlag := fs.String("key-format", "text", keyFormatHelp)
	partitioner := fs.String("partitioner", "key_hash", "partition strategy: key_hash, round_robin, sticky or explicit")
	partition := fs.Int("partition", -1, "the partition of every record for -partitioner explicit (default: each row's _partition column)")
	partitions := fs.Int("partitions", 0, "partitions of the topic when it has to be created (default: the cluster's default)")
	compression := fs.String("compression", "none", "compression: none, gzip, snappy, lz4 or zstd")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *topic == "" || *input == "" {
		fmt.Fprintln(stderr, "-topic and -input are required")
		fs.Usage()
		return errUsage
	}
	if *partition >= 0 && *partitioner != string(kafka.Explicit) {
		fmt.Fprintln(stderr, "-partition applies to -partitioner explicit")
		return errUsage
	}
	if *partitions < 0 || *partitions > math.MaxInt32 {
		return fmt.Errorf("bad -partitions %d", *partitions)
	}
	kf, err := parseKeyFormat(*keyFormatFlag)
	if err != nil {
		return err
	}
	// Explicit partitioning reads each row's _partition column; -partition
	// fills one for every row.
	var toPartition ops.Op
	if *partition >= 0 {
		toPartition = ops.WithColumn(decode.ColPartition, ops.Lit(int32(*partition))) // #nosec G115 -- a partition number
	}
	spec, err := cf.spec(conn, *topic, 0)
	if err != nil {
		return err
	}
	note := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	if err := useSubjectSchema(ctx, &spec, *cf.strategy == "topic", note); err != nil {
		return err
	}
	in, closeIn, err := openInput(*input)
	if err != nil {
		return err
	}
	defer closeIn()
	// The sink is opened after the input is, so that a JSON Lines sample
	// that does not parse fails before a topic is created; rows with a
	// writer schema or layout are built by the sink (its codec's columns).
	var sink *kafka.Sink
	fromSchema := func(ctx context.Context, vs []any) (arrow.RecordBatch, error) { return sink.ValuesBatch(ctx, vs) }
	if !hasLayout(spec.Format) {
		fromSchema = nil
	}
	rows, err := readRows(ctx, in, *inputFormat, fromSchema)
	if err != nil {
		return err
	}
	defer rows.close()

	cfg := kafka.SinkConfig{
		Brokers: services.SplitList(*conn.brokers), Topic: *topic, Codec: spec, KeyColumn: *key,
		Partitioning: kafka.PartitionStrategy(*partitioner), Compression: kafka.Compression(*compression),
	}
	if kf != keyText {
		cfg.KeyColumn = "" // the binary _key column built below
	}
	if err := createIfMissing(ctx, cfg.Brokers, *topic, int32(*partitions), note); err != nil { // #nosec G115 -- range checked above
		return err
	}
	if sink, err = kafka.NewSink(cfg); err != nil {
		return err
	}
	defer func() { _ = sink.Close() }()
	var n int64
	for {
		rec, err := rows.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if rec, err = prepareRows(rec, toPartition, *key, kf); err != nil {
			return err
		}
		err = sink.Send(ctx, rec)
		n += rec.NumRows()
		rec.Release()
		if err != nil {
			return err
		}
	}
	if err := sink.Flush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "produced %d records to %s\n", n, *topic)
	return nil
}

// prepareRows adds what the sink reads besides the values: the _partition
// column of -partition, and the _key column of a binary -key-format. It
// takes rec and returns the batch to send; the caller releases it.
func prepareRows(rec arrow.RecordBatch, toPartition ops.Op, key string, kf keyFormat) (arrow.RecordBatch, error) {
	if toPartition != nil {
		withPart, err := toPartition.Apply(memory.DefaultAllocator, rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
		rec = withPart
	}
	if kf == keyText {
		return rec, nil
	}
	if key == "" {
		key = decode.ColKey
		if len(rec.Schema().FieldIndices(key)) == 0 {
			rec.Release()
			return nil, fmt.Errorf("-key-format %s: name the key column with -key (the rows have no %s column)", kf, decode.ColKey)
		}
	}
	keyed, err := withBinaryKeys(memory.DefaultAllocator, rec, key, kf)
	rec.Release()
	return keyed, err
}

// createIfMissing creates topic when the cluster does not have it: with
// partitions, or the cluster's default count when partitions is 0. An
// existing topic is left as it is; a -partitions that differs from its
// count is reported, not applied.
func createIfMissing(ctx context.Context, brokers []string, topic string, partitions int32, note func(string, ...any)) error {
	adm, closeAdm, err := adminClient(brokers)
	if err != nil {
		return err
	}
	defer closeAdm()
	n := partitions
	if n == 0 {
		n = -1
	}
	resp, err := adm.CreateTopic(ctx, n, -1, nil, topic)
	if err == nil {
		err = resp.Err
	}
	switch {
	case err == nil:
		how := ""
		if partitions == 0 {
			how = ", the cluster's default"
		}
		note("created topic %s with %s%s", topic, plural(int(resp.NumPartitions), "partition"), how)
		return nil
	case !errors.Is(err, kerr.TopicAlreadyExists):
		return fmt.Errorf("creating topic %q: %w", topic, err)
	}
	if partitions > 0 {
		if td, err := adm.ListTopics(ctx, topic); err == nil && td.Has(topic) && len(td[topic].Partitions) != int(partitions) {
			note("topic %s exists with %s; -partitions %d applies only to a topic this command creates", topic, plural(len(td[topic].Partitions), "partition"), partitions)
		}
	}
	return nil
}

// rowReader yields record batches from an input; the caller releases each.
type rowReader struct {
	next  func() (arrow.RecordBatch, error)
	close func()
}

// plural is "1 partition", "6 partitions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// valuesBatch turns values (JSON text as json.RawMessage) into a batch of
// the sink codec's columns: kafka.Sink.ValuesBatch.
type valuesBatch func(ctx context.Context, vs []any) (arrow.RecordBatch, error)

// readRows opens in as Arrow IPC (file or stream) or JSON Lines. JSON Lines
// become rows through fromSchema when the codec fixes the columns, else
// through columns inferred from the first lines.
func readRows(ctx context.Context, in io.Reader, format string, fromSchema valuesBatch) (*rowReader, error) {
	br := bufio.NewReaderSize(in, 1<<20)
	if format == "auto" {
		head, _ := br.Peek(8)
		switch {
		case bytes.HasPrefix(head, []byte("ARROW1")):
			format = "ipc-file"
		case len(head) >= 4 && head[0] == 0xff && head[1] == 0xff && head[2] == 0xff && head[3] == 0xff:
			format = "ipc"
		default:
			format = "jsonl"
		}
	}
	switch format {
	case "ipc-file":
		return ipcFileRows(br)
	case "ipc":
		r, err := ipc.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading Arrow IPC stream: %w", err)
		}
		return &rowReader{
			next: func() (arrow.RecordBatch, error) {
				if !r.Next() {
					if err := r.Err(); err != nil {
						return nil, err
					}
					return nil, io.EOF
				}
				rec := r.RecordBatch()
				rec.Retain()
				return rec, nil
			},
			close: r.Release,
		}, nil
	case "jsonl":
		if fromSchema != nil {
			return jsonLinesWithSchema(ctx, br, fromSchema), nil
		}
		return jsonLinesInferred(br)
	}
	return nil, fmt.Errorf("unknown -input-format %q (want auto, ipc or jsonl)", format)
}

// ipcFileRows reads an Arrow IPC file (it needs random access, so it is read
// into memory first).
func ipcFileRows(r io.Reader) (*rowReader, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	fr, err := ipc.NewFileReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading Arrow IPC file: %w", err)
	}
	i := 0
	return &rowReader{
		next: func() (arrow.RecordBatch, error) {
			if i == fr.NumRecords() {
				return nil, io.EOF
			}
			rec, err := fr.RecordBatch(i)
			if err != nil {
				return nil, err
			}
			i++
			rec.Retain()
			return rec, nil
		},
		close: func() { _ = fr.Close() },
	}, nil
}

// JSON Lines are read in chunks of jsonChunk lines; columns are inferred
// from the first jsonSample.
const jsonChunk, jsonSample = 10_000, 1000

// jsonLines reads non-blank lines with their 1-based line numbers.
type jsonLines struct {
	sc    *bufio.Scanner
	n     int64    // lines read so far, blank ones included
	vals  [][]byte // the pending values
	lines []int64  // the line number of each pending value
}

func newJSONLines(r io.Reader) *jsonLines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	return &jsonLines{sc: sc}
}

// read fills the pending values up to n.
func (j *jsonLines) read(n int) error {
	for len(j.vals) < n && j.sc.Scan() {
		j.n++
		line := bytes.TrimSpace(j.sc.Bytes())
		if len(line) == 0 {
			continue
		}
		j.vals = append(j.vals, bytes.Clone(line))
		j.lines = append(j.lines, j.n)
	}
	if err := j.sc.Err(); err != nil {
		return fmt.Errorf("reading JSON line %d: %w", j.n+1, err)
	}
	return nil
}

func (j *jsonLines) reset() { j.vals, j.lines = j.vals[:0], j.lines[:0] }

// lineError names value i's line in err.
func (j *jsonLines) lineError(i int, err error) error {
	return fmt.Errorf("JSON line %d: %w", j.lines[i], err)
}

// jsonLinesWithSchema turns chunks of lines into rows of the codec's
// columns with fromSchema.
func jsonLinesWithSchema(ctx context.Context, r io.Reader, fromSchema valuesBatch) *rowReader {
	j := newJSONLines(r)
	vs := make([]any, 0, jsonChunk)
	return &rowReader{
		next: func() (arrow.RecordBatch, error) {
			j.reset()
			if err := j.read(jsonChunk); err != nil {
				return nil, err
			}
			if len(j.vals) == 0 {
				return nil, io.EOF
			}
			vs = vs[:0]
			for _, v := range j.vals {
				vs = append(vs, stdjson.RawMessage(v))
			}
			rec, err := fromSchema(ctx, vs)
			var ve *kafka.ValueError
			if errors.As(err, &ve) && ve.Index < len(j.lines) {
				return nil, j.lineError(ve.Index, ve.Err)
			}
			return rec, err
		},
		close: func() {},
	}
}

// jsonLinesInferred decodes JSON objects into batches of up to jsonChunk
// rows; the column layout is inferred from the first jsonSample lines.
func jsonLinesInferred(r io.Reader) (*rowReader, error) {
	j := newJSONLines(r)
	if err := j.read(jsonSample); err != nil {
		return nil, err
	}
	if len(j.vals) == 0 {
		return &rowReader{next: func() (arrow.RecordBatch, error) { return nil, io.EOF }, close: func() {}}, nil
	}
	layout, err := djson.Infer(j.vals, decode.Limits{})
	if err != nil {
		return nil, j.inferError(err)
	}
	dec, err := codec.NewDecoder(codec.Spec{Format: codec.JSON{ArrowSchema: layout}})
	if err != nil {
		return nil, fmt.Errorf("the columns inferred from the JSON lines: %w", err)
	}
	var queue []arrow.RecordBatch
	return &rowReader{
		next: func() (arrow.RecordBatch, error) {
			for len(queue) == 0 {
				if err := j.read(jsonChunk); err != nil {
					return nil, err
				}
				if len(j.vals) == 0 {
					return nil, io.EOF
				}
				res, err := dec.Decode(context.Background(), &decode.Input{Values: j.vals})
				if err != nil {
					res.Release() // an outage returns what decoded before it
					return nil, err
				}
				if len(res.Errors) > 0 {
					e := res.Errors[0]
					res.Release()
					return nil, j.lineError(e.Index, e.Err)
				}
				j.reset()
				queue = res.Batches
			}
			rec := queue[0]
			queue = queue[1:]
			return rec, nil
		},
		close: func() {
			for _, r := range queue {
				r.Release()
			}
			dec.Close()
		},
	}, nil
}

// inferError names the line of the sample value inference failed on: the
// first one that does not infer on its own.
func (j *jsonLines) inferError(err error) error {
	for i, v := range j.vals {
		_, one := djson.Infer([][]byte{v}, decode.Limits{})
		if one == nil {
			continue
		}
		if c := firstByte(v); c != '{' {
			return j.lineError(i, fmt.Errorf("%w: want a JSON object", decode.ErrType))
		}
		var ve *decode.ValueError
		if errors.As(one, &ve) {
			return j.lineError(i, ve)
		}
		return j.lineError(i, one)
	}
	return fmt.Errorf("inferring columns from the JSON lines: %w", err)
}

func firstByte(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// openInput opens path for reading ("-" is stdin).
func openInput(path string) (io.Reader, func(), error) {
	if path == "-" {
		return os.Stdin, func() {}, nil
	}
	f, err := os.Open(path) // #nosec G304 -- the user names the input file
	if err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}
