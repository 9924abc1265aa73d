package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/ops"
	"github.com/sabot-kafka/sabot/services"
)

func runProduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("produce", "Reads rows from an Arrow IPC file or stream, or from JSON Lines, and writes one\n"+
		"record per row to a topic in any codec (registering the writer schema when a\n"+
		"registry is given). The topic is created with -partitions when it is missing.",
		`  sabot produce -topic transactions -input tx.jsonl -codec json
  sabot produce -topic transactions-avro -input tx.arrow -codec avro -registry http://127.0.0.1:8081 -key id
  sabot produce -topic events -input - -input-format jsonl -codec msgpack -compression lz4 -partitions 12 < events.jsonl
  sabot produce -topic events-pb -input ev.arrow -codec protobuf -schema events.proto -message shop.Event -registry http://127.0.0.1:8081
`, stderr)
	conn := addConnFlags(fs)
	topic := fs.String("topic", "", "topic to write (required)")
	cf := addCodecFlags(fs, true)
	input := fs.String("input", "", "input path, or - for stdin (required)")
	inputFormat := fs.String("input-format", "auto", "input format: auto, ipc or jsonl")
	key := fs.String("key", "", "column whose value keys each record")
	partitioner := fs.String("partitioner", "key_hash", "partition strategy: key_hash, round_robin, sticky or explicit")
	partition := fs.Int("partition", -1, "the partition of every record for -partitioner explicit (default: each row's _partition column)")
	partitions := fs.Int("partitions", 6, "partitions of the topic when it has to be created")
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
	in, closeIn, err := openInput(*input)
	if err != nil {
		return err
	}
	defer closeIn()
	rows, err := readRows(in, *inputFormat)
	if err != nil {
		return err
	}
	defer rows.close()

	cfg := kafka.SinkConfig{
		Brokers: services.SplitList(*conn.brokers), Topic: *topic, Codec: spec, KeyColumn: *key,
		Partitioning: kafka.PartitionStrategy(*partitioner), Compression: kafka.Compression(*compression),
	}
	// The topic is created before the sink opens: NewSink checks that it
	// exists. A sink without a topic checks the brokers only, and its
	// client creates the topic.
	admin, err := kafka.NewSink(kafka.SinkConfig{Brokers: cfg.Brokers})
	if err != nil {
		return err
	}
	created, err := ensureTopic(ctx, admin.Client(), *topic, int32(*partitions)) // #nosec G115 -- a small count
	_ = admin.Close()
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stderr, "created topic %s with %d partitions\n", *topic, *partitions)
	}
	sink, err := kafka.NewSink(cfg)
	if err != nil {
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
		if toPartition != nil {
			withPart, err := toPartition.Apply(memory.DefaultAllocator, rec)
			rec.Release()
			if err != nil {
				return err
			}
			rec = withPart
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

// rowReader yields record batches from an input; the caller releases each.
type rowReader struct {
	next  func() (arrow.RecordBatch, error)
	close func()
}

// readRows opens in as Arrow IPC (file or stream) or JSON Lines.
func readRows(in io.Reader, format string) (*rowReader, error) {
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
		return jsonLinesRows(br)
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

// jsonLinesRows decodes JSON objects, one per line, into batches of up to 10k
// rows; the column layout is inferred from the first 1,000 lines.
func jsonLinesRows(r *bufio.Reader) (*rowReader, error) {
	const chunk, sampleLines = 10_000, 1000
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var pending decode.Input
	read := func(n int) error {
		for pending.Len() < n && sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			pending.Values = append(pending.Values, bytes.Clone(line))
		}
		return sc.Err()
	}
	if err := read(sampleLines); err != nil {
		return nil, err
	}
	sample := append([][]byte(nil), pending.Values...)
	dec, err := codec.NewDecoder(codec.Spec{Format: codec.JSON{Sample: sample}})
	if err != nil {
		return nil, fmt.Errorf("inferring columns from the JSON lines: %w", err)
	}
	var queue []arrow.RecordBatch
	line := int64(0)
	return &rowReader{
		next: func() (arrow.RecordBatch, error) {
			for len(queue) == 0 {
				if err := read(chunk); err != nil {
					return nil, err
				}
				if pending.Len() == 0 {
					return nil, io.EOF
				}
				res, err := dec.Decode(context.Background(), &pending)
				if err != nil {
					res.Release() // an outage returns what decoded before it
					return nil, err
				}
				if len(res.Errors) > 0 {
					e := res.Errors[0]
					res.Release()
					return nil, fmt.Errorf("JSON line %d: %w", line+int64(e.Index)+1, e.Err)
				}
				line += int64(pending.Len())
				pending.Reset()
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
		},
	}, nil
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
