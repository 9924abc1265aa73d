package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/engine"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "Reads a topic, decodes its values with any codec (and the schema registry), and\n"+
		"writes the rows, with Kafka metadata columns, to an Arrow IPC file. It stops\n"+
		"after -max-records rows, or when no record arrives for -idle-timeout. json,\n"+
		"msgpack and arrow values take their columns from -layout, or from the first\n"+
		"1,000 records. An empty topic gives a file with the schema and no batches.\n"+
		"The file is written under a temporary name and renamed when the export\n"+
		"succeeds, so a failed export leaves no file behind.",
		`  sabot export -topic transactions -codec json -o tx.arrow
  sabot export -topic transactions-avro -codec avro -registry http://127.0.0.1:8081 -o tx.arrow
  sabot export -topic events -codec msgpack -layout events.avsc -o ev.arrow
  sabot export -topic events-pb -codec protobuf -schema events.proto -message shop.Event -start time:2026-01-02T15:04:05Z -o ev.arrow
  sabot export -topic accounts -codec json -key-format int64 -on-error dlq:accounts-dlq -o accounts.arrow
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
	keyFormatFlag := fs.String("key-format", "text", keyFormatHelp+"; int64 and int32 read the _key column as integers")
	onError := fs.String("on-error", "fail", "records that do not decode: fail, skip, or dlq:TOPIC (the topic must exist)")
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
	kf, err := parseKeyFormat(*keyFormatFlag)
	if err != nil {
		return err
	}
	if kf != keyText && meta&decode.MetaKey == 0 {
		return fmt.Errorf("-key-format %s reads the %s column: add key to -metadata", kf, decode.ColKey)
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
	// Before anything is read: the topic, and the dead-letter topic, must
	// exist. A missing dead-letter topic would otherwise surface only at the
	// first bad record, after everything before it was read.
	if err := checkTopics(ctx, cfg.Brokers, *topic, policy.DeadLetterTopic); err != nil {
		return err
	}
	seek, err := startPosition(&cfg, *start)
	if err != nil {
		return err
	}
	ex := exporter{cfg: cfg, start: *start, seekTo: seek, idle: *idle, maxRows: *maxRecords, kf: kf, note: func(format string, a ...any) {
		fmt.Fprintf(stderr, format+"\n", a...)
	}}
	if needsInference(spec.Format) {
		layout, err := ex.inferLayout(ctx)
		if err != nil {
			return err
		}
		if layout == nil {
			// Nothing to infer from: an empty topic.
			return writeOutput(*out, stdout, func(w io.Writer) error {
				s := keyedSchema(arrow.NewSchema(meta.Fields(), nil), kf)
				ex.note("topic %s has no records to infer the %s columns from; the file holds the metadata columns only (give -layout for the value columns)", *topic, spec.Format.Name())
				return writeEmpty(w, ipcFormat, s)
			}, func() { ex.note("exported 0 rows from 0 records to %s", *out) })
		}
		ex.cfg.Codec.Format = withLayout(spec.Format, layout)
	}
	src, err := kafka.NewSource(ex.cfg)
	if err != nil {
		return err
	}
	defer func() { _ = src.Close() }()
	if err := ex.seek(ctx, src); err != nil {
		return err
	}
	var rows, records, rejects int64
	err = writeOutput(*out, stdout, func(w io.Writer) error {
		sink := engine.IPC(w, ipcFormat, nil)
		var err error
		rows, records, rejects, err = ex.loop(ctx, src, sink)
		if cerr := sink.Close(); cerr != nil && err == nil {
			err = cerr
		}
		if err != nil || rows > 0 {
			return err
		}
		s, err := ex.emptyLayout(ctx, src)
		if err != nil {
			return err
		}
		if s == nil {
			ex.note("the %s columns of topic %s are unknown (no records, no schema): the file holds the metadata columns only", spec.Format.Name(), *topic)
			s = arrow.NewSchema(meta.Fields(), nil)
		}
		return writeEmpty(w, ipcFormat, keyedSchema(s, kf))
	}, func() {
		ex.note("exported %d rows from %d records (%d did not decode) to %s", rows, records, rejects, *out)
	})
	return err
}

// exporter holds what an export reads with.
type exporter struct {
	cfg     kafka.SourceConfig
	start   string
	seekTo  func(context.Context, *kafka.Source) error // -start, when it is a seek
	idle    time.Duration
	maxRows int64
	kf      keyFormat
	note    func(string, ...any)
}

// seek applies a -start that is a seek to src.
func (ex *exporter) seek(ctx context.Context, src *kafka.Source) error {
	if ex.seekTo == nil {
		return nil
	}
	return ex.seekTo(ctx, src)
}

// loop polls until maxRows rows were written (0: no limit), no record
// arrives for idle, or ctx ends.
func (ex *exporter) loop(ctx context.Context, src *kafka.Source, sink engine.Sink) (rows, records, rejects int64, err error) {
	for ctx.Err() == nil && (ex.maxRows == 0 || rows < ex.maxRows) {
		pctx, cancel := context.WithTimeout(ctx, ex.idle)
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
		n, err := ex.write(ctx, sink, b.Result.Batches, ex.maxRows-rows)
		rows += n
		b.Done()
		if err != nil {
			return rows, records, rejects, err
		}
	}
	return rows, records, rejects, nil
}

// write writes the rows of recs (at most limit when maxRows is set) with
// their keys read as -key-format; batches without rows are left out, so
// that an export with no rows writes its file from the schema alone.
func (ex *exporter) write(ctx context.Context, sink engine.Sink, recs []arrow.RecordBatch, limit int64) (int64, error) {
	var out []arrow.RecordBatch
	defer func() {
		for _, r := range out {
			r.Release()
		}
	}()
	var n int64
	for _, r := range recs {
		if r.NumRows() == 0 {
			continue
		}
		if ex.maxRows > 0 {
			if n >= limit {
				break
			}
			r = r.NewSlice(0, min(r.NumRows(), limit-n))
		} else {
			r.Retain()
		}
		if ex.kf != keyText {
			keyed, err := withIntegerKeys(memory.DefaultAllocator, r, ex.kf)
			r.Release()
			if err != nil {
				return n, err
			}
			r = keyed
		}
		out = append(out, r)
		n += r.NumRows()
	}
	if len(out) == 0 {
		return 0, nil
	}
	var werr error
	if err := sink.Write(ctx, out, func(err error) { werr = err }); err != nil {
		werr = err
	}
	return n, werr
}

// emptyLayout is the schema of an export with no rows: the decoder's when
// its values carry no wire-format header, else the layout of the reader or
// given writer schema, else that of the latest schema registered under
// "{topic}-value". Nil when none is known.
func (ex *exporter) emptyLayout(ctx context.Context, src *kafka.Source) (*arrow.Schema, error) {
	if s := src.Decoder().Schema(); s != nil {
		return s, nil
	}
	spec := ex.cfg.Codec
	f := spec.Format
	if a, ok := f.(codec.Avro); ok && a.ReaderSchema != "" || writerSchemaOf(f) != "" {
		return schemaLayout(spec, f)
	}
	subject, err := registry.TopicNameStrategy(ex.cfg.Topics[0], false, "")
	if err != nil {
		return nil, err
	}
	rs, _, ok, err := latestSchema(ctx, spec, subject)
	if err != nil || !ok {
		return nil, err
	}
	if f, err = withWriterSchema(f, rs, subject); err != nil {
		return nil, err
	}
	return schemaLayout(spec, f)
}

// keyedSchema is s with the _key column typed as kf reads it.
func keyedSchema(s *arrow.Schema, kf keyFormat) *arrow.Schema {
	idx := s.FieldIndices(decode.ColKey)
	if kf == keyText || len(idx) != 1 {
		return s
	}
	fields := append([]arrow.Field(nil), s.Fields()...)
	fields[idx[0]].Type = arrow.PrimitiveTypes.Int64
	if kf == keyInt32 {
		fields[idx[0]].Type = arrow.PrimitiveTypes.Int32
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md)
}

// writeEmpty writes an IPC file or stream holding schema s and no batches.
func writeEmpty(w io.Writer, format engine.IPCFormat, s *arrow.Schema) error {
	if format == engine.IPCFile {
		fw, err := ipc.NewFileWriter(w, ipc.WithSchema(s))
		if err != nil {
			return err
		}
		return fw.Close()
	}
	return ipc.NewWriter(w, ipc.WithSchema(s)).Close()
}

// checkTopics fails unless every named topic exists ("" names none).
func checkTopics(ctx context.Context, brokers []string, topics ...string) error {
	adm, closeAdm, err := adminClient(brokers)
	if err != nil {
		return err
	}
	defer closeAdm()
	for i, t := range topics {
		if t == "" {
			continue
		}
		td, err := adm.ListTopics(ctx, t)
		if err == nil {
			err = td[t].Err
		}
		if err == nil && td.Has(t) {
			continue
		}
		what := "topic"
		if i > 0 {
			what = "dead-letter topic"
		}
		if err == nil || errors.Is(err, kerr.UnknownTopicOrPartition) {
			return fmt.Errorf("%s %q does not exist (create it with: sabot topic create %s)", what, t, t)
		}
		return fmt.Errorf("%s %q: %w", what, t, err)
	}
	return nil
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

// writeOutput runs write on path ("-" is stdout) and calls done when it
// succeeded. A file is written under a temporary name in the same directory
// and renamed into place only when write succeeded, so a failed export
// leaves neither a partial file nor an empty one (and keeps an older file
// at path).
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error, done func()) error {
	if path == "-" {
		if err := write(stdout); err != nil {
			return err
		}
		done()
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// CreateTemp makes the file private; an export is for other tools
		// to read, as os.Create would have made it.
		err = os.Chmod(tmp, 0o644) // #nosec G302 -- an export file, world-readable like os.Create's
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	done()
	return nil
}
