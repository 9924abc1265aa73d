// Command sabot-bench measures Sabot side by side with what Go programs use
// today: for each format it runs produce (Arrow → topic), consume (topic →
// Arrow) and the full pipeline (consume → decode → filter + map → encode →
// produce) with Sabot, with raw franz-go (the ceiling: records moved, nothing
// decoded) and with the per-record libraries (encoding/json, sonic, hamba,
// protobuf, msgpack, ...), and prints records/s, MB/s, allocations, CPU and
// peak RSS with the ratios between them.
//
// With no flags it runs on the embedded broker in synthetic mode: the
// in-process cluster serves the dataset from a canned record batch and drops
// what is produced, so the figures are the client's, not the fake broker's.
// -brokers (or SABOT_KAFKA_BROKERS) runs the same against a real cluster.
//
//	go run ./cmd/sabot-bench                                  # pipeline, consume, produce × json, avro, protobuf, msgpack
//	go run ./cmd/sabot-bench -kinds pipeline -formats avro -size 100,1024 -compression none,lz4,zstd
//	go run ./cmd/sabot-bench -brokers 127.0.0.1:19092 -json out.json -svg out.svg
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/sabot-kafka/sabot/bench"
	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/services"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sabot-bench:", err)
		os.Exit(1)
	}
}

// options are the parsed flags.
type options struct {
	cfg        bench.Config
	brokers    string
	stored     bool
	jsonPath   string
	svgPath    string
	cpuProfile string
	quiet      bool
	gogc       int
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("sabot-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	kinds := fs.String("kinds", "produce,consume,pipeline", "scenario kinds: produce, consume, pipeline, decode, encode (in memory), or all")
	formats := fs.String("formats", "json,avro,protobuf,msgpack", "formats: json, avro, protobuf, msgpack, json_schema, string, bytes, arrow, or all")
	sizes := fs.String("size", "100", "target record sizes in bytes (as JSON), comma-separated, e.g. 100,1024,4096")
	comps := fs.String("compression", "none", "produce compression, comma-separated: none, gzip, snappy, lz4, zstd")
	fs.IntVar(&o.cfg.Records, "records", 1_000_000, "records per measured run")
	fs.IntVar(&o.cfg.Partitions, "partitions", 6, "partitions of every topic")
	fs.IntVar(&o.cfg.Warmup, "warmup", 1, "unmeasured runs per scenario")
	fs.IntVar(&o.cfg.Reps, "reps", 3, "measured runs per scenario (median and spread)")
	impls := fs.String("impls", "", "keep only these implementations, comma-separated (sabot, franz-go, hamba, sonic, ...)")
	noBase := fs.Bool("no-baselines", false, "leave out the per-record and confluent baselines (the franz-go ceiling still runs)")
	fs.BoolVar(&o.cfg.Confluent, "confluent", false, "add confluent-kafka-go baselines (cgo builds)")
	fs.StringVar(&o.brokers, "brokers", "", "comma-separated brokers (default: $SABOT_KAFKA_BROKERS, else the embedded cluster)")
	fs.BoolVar(&o.stored, "stored", false, "embedded broker: store and serve real topics instead of synthetic fetch + blackhole produce")
	fs.StringVar(&o.jsonPath, "json", "", "write the report as JSON to this file (- for stdout, instead of the table)")
	fs.StringVar(&o.svgPath, "svg", "", "write a bar chart of records/s to this SVG file")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured runs to this file")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines on stderr")
	fs.IntVar(&o.gogc, "gogc", 0, "set the garbage collector's GOGC percentage for the run (0: leave it)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.cfg.NoBaselines = *noBase
	o.cfg.Kinds = list(*kinds, bench.Kinds)
	o.cfg.Impls = list(*impls, nil)
	for _, name := range list(*formats, bench.Formats) {
		f, err := codec.ParseFormat(name)
		if err != nil {
			return o, err
		}
		o.cfg.Formats = append(o.cfg.Formats, f.Name())
	}
	for _, s := range list(*sizes, nil) {
		n, err := strconv.Atoi(s)
		if err != nil {
			return o, fmt.Errorf("bad -size %q: %w", s, err)
		}
		o.cfg.RecordBytes = append(o.cfg.RecordBytes, n)
	}
	o.cfg.Compression = list(*comps, nil)
	return o, o.cfg.Validate()
}

// list splits a comma-separated flag; "all" means every value of all.
func list(v string, all []string) []string {
	if strings.TrimSpace(v) == "all" && all != nil {
		return all
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.brokers != "" {
		if err := os.Setenv(services.EnvBrokers, o.brokers); err != nil {
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
	o.cfg.Synthetic = s.Embedded && !o.stored
	if !o.quiet {
		o.cfg.Log = stderr
	}
	if o.gogc > 0 {
		debug.SetGCPercent(o.gogc)
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	rep, err := bench.Run(ctx, s, o.cfg)
	if err != nil {
		return err
	}
	if o.svgPath != "" {
		if err := writeFile(o.svgPath, rep.WriteSVG); err != nil {
			return err
		}
	}
	switch o.jsonPath {
	case "-":
		return rep.WriteJSON(stdout)
	case "":
	default:
		if err := writeFile(o.jsonPath, rep.WriteJSON); err != nil {
			return err
		}
	}
	return rep.WriteTable(stdout)
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path) // #nosec G304 -- the user names the output file
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
