package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "Reads a topic, decodes its values with any codec (and the schema registry), and\n"+
		"writes the rows, with Kafka metadata columns, to an Arrow IPC file. It stops\n"+
		"after -max-records rows, or when no record arrives for -idle-timeout.",
		`  sabot export -topic transactions -codec json -o tx.arrow
  sabot export -topic transactions-avro -codec avro -registry http://127.0.0.1:8081 -o tx.arrow
  sabot export -topic events -codec protobuf -schema events.proto -message shop.Event -start time:2026-01-02T15:04:05Z -o ev.arrow
  sabot export -topic raw -codec bytes -metadata offset,key -max-records 1000 -format stream -o - > raw.arrows
`, stderr)
	conn := addConnFlags(fs)
	topic := fs.String("topic", "", "topic to read (required)")
	cf := addCodecFlags(fs, false)
	group := fs.String("group", "", "consumer group: commit what was exported (default: no group, nothing committed)")
	start := fs.String("start", "earliest", "where to start: earliest, latest, committed, offset:N (every partition) or time:RFC3339")
	maxRecords := fs.Int64("max-records", 0, "stop after this many rows (0: until idle)")
	idle := fs.Duration("idle-timeout", 5*time.Second, "stop when no record arrives for this long")
	out := fs.String("o", "", "output path, or - for stdout (required)")
	format := fs.String("format", "file", "Arrow IPC format: file or stream")
	metadata := fs.String("metadata", "all", "metadata columns: all, none, or a list of topic,partition,offset,timestamp,key,headers")
	onError := fs.String("on-error", "fail", "records that do not decode: fail, skip, or dlq:TOPIC")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *topic == "" || *out == "" {
		fmt.Fprintln(stderr, "-topic and -o are required")
		fs.Usage()
		return errUsage
	}
	ipcFormat := engine.IPCFile
	switch *format {
	case "file":
	case "stream":
		ipcFormat = engine.IPCStream
	default:
		return fmt.Errorf("unknown -format %q (want file or stream)", *format)
	}
	meta, err := parseMetadata(*metadata)
	if err != nil {
		return err
	}
	policy, err := parseErrorPolicy(*onError)
	if err != nil {
		return err
	}
	spec, err := cf.spec(conn, *topic, meta)
	if err != nil {
		return err
	}
	cfg := kafka.SourceConfig{
		Brokers: services.SplitList(*conn.brokers), Topics: []string{*topic}, GroupID: *group,
		Codec: spec, OnError: policy, MaxPollRecords: 10_000,
	}
	seek, err := startPosition(&cfg, *start)
	if err != nil {
		return err
	}
	src, err := kafka.NewSource(cfg)
	if err != nil {
		return err
	}
	defer func() { _ = src.Close() }()
	if seek != nil {
		if err := seek(ctx, src); err != nil {
			return err
		}
	}

	w, closeOut, err := openOutput(*out, stdout)
	if err != nil {
		return err
	}
	sink := engine.IPC(w, ipcFormat, nil)
	rows, records, rejects, err := exportLoop(ctx, src, sink, *maxRecords, *idle)
	if cerr := sink.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if cerr := closeOut(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported %d rows from %d records (%d did not decode) to %s\n", rows, records, rejects, *out)
	return nil
}

// exportLoop polls until maxRows rows were written (0: no limit), no record
// arrives for idle, or ctx ends.
func exportLoop(ctx context.Context, src *kafka.Source, sink engine.Sink, maxRows int64, idle time.Duration) (rows, records, rejects int64, err error) {
	for ctx.Err() == nil && (maxRows == 0 || rows < maxRows) {
		pctx, cancel := context.WithTimeout(ctx, idle)
		b, err := src.Poll(pctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return rows, records, rejects, nil // idle: the topic is drained
		}
		if err != nil {
			if ctx.Err() != nil {
				return rows, records, rejects, nil
			}
			return rows, records, rejects, err
		}
		records += int64(b.Len())
		rejects += int64(len(b.Result.Errors))
		recs := b.Result.Batches
		if maxRows > 0 {
			recs = limitRows(recs, maxRows-rows)
		}
		var werr error
		if err := sink.Write(ctx, recs, func(err error) { werr = err }); err != nil {
			werr = err
		}
		for _, r := range recs {
			rows += r.NumRows()
		}
		if maxRows > 0 {
			for _, r := range recs {
				r.Release() // limitRows made new slices
			}
		}
		b.Done()
		if werr != nil {
			return rows, records, rejects, werr
		}
	}
	return rows, records, rejects, nil
}

// startPosition applies -start: a reset policy in cfg, or a seek to run once
// the source exists.
func startPosition(cfg *kafka.SourceConfig, start string) (func(context.Context, *kafka.Source) error, error) {
	switch {
	case start == "earliest":
		cfg.AutoOffsetReset = kafka.OffsetEarliest
	case start == "latest":
		cfg.AutoOffsetReset = kafka.OffsetLatest
	case start == "committed":
		cfg.AutoOffsetReset = kafka.OffsetCommitted
	case strings.HasPrefix(start, "offset:"):
		off, err := strconv.ParseInt(start[len("offset:"):], 10, 64)
		if err != nil || off < 0 {
			return nil, fmt.Errorf("bad -start %q: want offset:N with N ≥ 0", start)
		}
		cfg.AutoOffsetReset = kafka.OffsetEarliest
		return func(ctx context.Context, src *kafka.Source) error { return seekAll(ctx, src, cfg.Topics[0], off) }, nil
	case strings.HasPrefix(start, "time:"):
		t, err := time.Parse(time.RFC3339, start[len("time:"):])
		if err != nil {
			return nil, fmt.Errorf("bad -start %q: %w", start, err)
		}
		cfg.AutoOffsetReset = kafka.OffsetEarliest
		return func(ctx context.Context, src *kafka.Source) error { return src.SeekToTime(ctx, t) }, nil
	default:
		return nil, fmt.Errorf("unknown -start %q (want earliest, latest, committed, offset:N or time:RFC3339)", start)
	}
	return nil, nil
}

// seekAll moves every partition of topic to offset.
func seekAll(ctx context.Context, src *kafka.Source, topic string, offset int64) error {
	parts, err := partitionsOf(ctx, src.Client(), topic)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := src.Seek(ctx, topic, p, offset); err != nil {
			return err
		}
	}
	return nil
}

// openOutput opens path for writing ("-" is stdout).
func openOutput(path string, stdout io.Writer) (io.Writer, func() error, error) {
	if path == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path) // #nosec G304 -- the user names the output file
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}
