package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services"
)

// warmUpRecords caps the records of a warm-up run.
const warmUpRecords = 100_000

// Config selects what a run measures.
type Config struct {
	Kinds       []string // default: produce, consume, pipeline
	Formats     []string // codec.Format names (default: json, avro, protobuf, msgpack)
	RecordBytes []int    // target record sizes (default 100)
	Compression []string // none, lz4, zstd, ... (default none)
	Records     int      // records per measured run (default 1,000,000)
	Partitions  int      // of every topic (default 6)
	Warmup      int      // unmeasured runs per scenario, of at most 100,000 records (default 1)
	Reps        int      // measured runs per scenario (default 3)
	// Synthetic serves consumed data from canned batches and drops produced
	// records (embedded broker only); see NewEnv.
	Synthetic bool
	// NoBaselines leaves out the per-record and confluent baselines (the
	// raw franz-go ceiling always runs).
	NoBaselines bool
	// Confluent adds confluent-kafka-go baselines where this build has them.
	Confluent bool
	// Impls, when set, keeps only the implementations named (sabot,
	// franz-go, hamba, ...).
	Impls []string
	// Mem is the Arrow allocator of the datasets, decoders and stages
	// (default memory.DefaultAllocator).
	Mem memory.Allocator
	// Log, when set, gets a line per finished measurement.
	Log io.Writer
}

func (c Config) withDefaults() Config {
	if len(c.Kinds) == 0 {
		c.Kinds = []string{KindProduce, KindConsume, KindPipeline}
	}
	if len(c.Formats) == 0 {
		c.Formats = names(codec.JSON{}, codec.Avro{}, codec.Protobuf{}, codec.MsgPack{})
	}
	if len(c.RecordBytes) == 0 {
		c.RecordBytes = []int{100}
	}
	if len(c.Compression) == 0 {
		c.Compression = []string{"none"}
	}
	if c.Records <= 0 {
		c.Records = 1_000_000
	}
	if c.Partitions <= 0 {
		c.Partitions = 6
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	if c.Reps <= 0 {
		c.Reps = 3
	}
	return c
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	for _, k := range c.Kinds {
		if !slices.Contains(Kinds, k) {
			errs = append(errs, fmt.Errorf("bench: unknown scenario kind %q (want %s)", k, strings.Join(Kinds, ", ")))
		}
	}
	for _, f := range c.Formats {
		if !slices.Contains(Formats, f) {
			errs = append(errs, fmt.Errorf("bench: unknown format %q", f))
		}
	}
	for _, comp := range c.Compression {
		if _, err := compressionCodec(comp); err != nil {
			errs = append(errs, err)
		}
	}
	for _, s := range c.RecordBytes {
		if s < baseRecordBytes || s > 1<<20 {
			errs = append(errs, fmt.Errorf("bench: record size %d out of range [%d, 1MiB]", s, baseRecordBytes))
		}
	}
	return errors.Join(errs...)
}

// Run measures every selected scenario on svc and returns the report. Within
// a group (kind, format, size, compression) the implementations take turns
// rep by rep, so noise on a shared machine spreads over all of them and
// their ratios stay comparable.
func Run(ctx context.Context, svc *services.Services, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	env, err := NewEnv(svc, cfg.Synthetic, cfg.Partitions)
	if err != nil {
		return nil, err
	}
	defer env.Close()
	reg, err := newRegistry(svc.RegistryURL)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Title:   "sabot-bench",
		Machine: Machine(),
		Broker:  env.Describe(),
		Load:    LoadAverage(),
		Settings: fmt.Sprintf("%d records/run, %d partitions, warm-up %d, %d reps (median, spread = (max-min)/median)",
			cfg.Records, cfg.Partitions, cfg.Warmup, cfg.Reps),
	}
	kafkaKinds := slices.DeleteFunc(slices.Clone(cfg.Kinds), func(k string) bool { return k == KindDecode || k == KindEncode })
	memKinds := slices.DeleteFunc(slices.Clone(cfg.Kinds), func(k string) bool { return !slices.Contains([]string{KindDecode, KindEncode}, k) })
	for _, size := range cfg.RecordBytes {
		for _, f := range cfg.Formats {
			g, err := newGroupData(ctx, f, size, reg, cfg.Mem)
			if err != nil {
				return rep, err
			}
			for ci, comp := range cfg.Compression {
				kinds := kafkaKinds
				if ci == 0 {
					kinds = append(slices.Clone(memKinds), kafkaKinds...)
				}
				if err := runGroups(ctx, env, g, comp, kinds, cfg, rep); err != nil {
					g.ds.Release()
					return rep, err
				}
			}
			g.ds.Release()
		}
	}
	if l := LoadAverage(); l != "" && rep.Load != "" {
		rep.Load = fmt.Sprintf("%s at start, %s at end (1-minute)", rep.Load, l)
	}
	return rep, nil
}

// groupData is what every scenario of one (format, size) shares: the
// dataset and Sabot's decoder and encoder for it (plans compiled once).
type groupData struct {
	ds     *Dataset
	dec    *decode.Decoder
	enc    *encode.Encoder
	encErr error // the format cannot be encoded in this build
}

func newGroupData(ctx context.Context, f string, size int, reg *registry.Client, mem memory.Allocator) (*groupData, error) {
	topic := fmt.Sprintf("sabot-bench-%s-%d", f, time.Now().UnixNano())
	ds, err := NewDataset(ctx, DatasetConfig{Format: f, RecordBytes: size, Registry: reg, Topic: topic, Mem: mem})
	if err != nil {
		return nil, err
	}
	g := &groupData{ds: ds}
	if g.dec, err = codec.NewDecoder(ds.Decode); err != nil {
		ds.Release()
		return nil, fmt.Errorf("bench: %s decoder: %w", f, err)
	}
	g.enc, g.encErr = codec.NewEncoder(ds.Encode)
	return g, nil
}

// runGroups measures the kinds on one dataset and compression.
func runGroups(ctx context.Context, env *Env, g *groupData, comp string, kinds []string, cfg Config, rep *Report) error {
	var s *site
	for _, kind := range kinds {
		if s == nil && kind != KindDecode && kind != KindEncode {
			var err error
			if s, err = env.newSite(ctx, g.ds, comp, cfg.Records); err != nil {
				return err
			}
		}
		scs, skipped := scenarios(kind, g, s, comp, cfg)
		// Warm-up runs move fewer records: enough to connect, compile plans
		// and grow the heap, without doubling the time of a run.
		wcfg := cfg
		wcfg.Records = min(cfg.Records, warmUpRecords)
		warm, _ := scenarios(kind, g, s, comp, wcfg)
		rep.Notes = append(rep.Notes, skipped...)
		if len(scs) == 0 {
			continue
		}
		samples := make([][]Sample, len(scs))
		for i := 0; i < cfg.Warmup; i++ {
			for _, sc := range warm {
				if _, err := measureOnce(ctx, sc); err != nil {
					return fmt.Errorf("bench: warm-up: %w", err)
				}
			}
		}
		for r := 0; r < cfg.Reps; r++ {
			for i, sc := range scs {
				smp, err := measureOnce(ctx, sc)
				if err != nil {
					return fmt.Errorf("bench: %w", err)
				}
				samples[i] = append(samples[i], smp)
				if cfg.Log != nil {
					fmt.Fprintf(cfg.Log, "  %-40s %6dB %-4s rep %d: %10.0f records/s\n", sc.name(), g.ds.RecordBytes, comp, r+1, smp.RecordsPerSec())
				}
			}
		}
		for i, sc := range scs {
			sum := Summarize(sc.name(), samples[i])
			sum.Kind, sum.Format, sum.Impl, sum.Role = sc.kind, g.ds.Format, sc.impl, sc.role
			sum.RecordBytes, sum.ValueBytes, sum.Compression = g.ds.RecordBytes, int(g.ds.ValueBytes/int64(g.ds.Rows())), comp
			if kind == KindDecode || kind == KindEncode {
				sum.Compression = ""
			}
			rep.Results = append(rep.Results, sum)
		}
	}
	return nil
}

// scenarios lists the implementations of kind on g: Sabot, the franz-go
// ceiling (Kafka kinds), the per-record libraries and confluent-kafka-go.
// skipped explains implementations that cannot run in this build.
func scenarios(kind string, g *groupData, s *site, comp string, cfg Config) (scs []*scenario, skipped []string) {
	n := cfg.Records
	add := func(impl, role string, p prepFunc) {
		scs = append(scs, &scenario{kind: kind, impl: impl, role: role, ds: g.ds, comp: comp, prep: p})
	}
	encodes := kind == KindProduce || kind == KindPipeline || kind == KindEncode
	if encodes && g.encErr != nil {
		return nil, []string{fmt.Sprintf("%s/%s: not measured: %v", kind, g.ds.Format, g.encErr)}
	}
	switch kind {
	case KindProduce:
		add(RoleSabot, RoleSabot, produceSabot(s, g.enc, n))
		add("franz-go", RoleCeiling, produceRaw(s, n))
	case KindConsume:
		add(RoleSabot, RoleSabot, consumeSabot(s, g.dec, n))
		add("franz-go", RoleCeiling, consumeRaw(s, n))
	case KindPipeline:
		add(RoleSabot, RoleSabot, pipelineSabot(s, g.dec, g.enc, n))
		add("franz-go", RoleCeiling, pipelineRaw(s, n))
	case KindDecode:
		add(RoleSabot, RoleSabot, decodeSabot(g.ds, g.dec, n))
	case KindEncode:
		add(RoleSabot, RoleSabot, encodeSabot(g.ds, g.enc, n))
	}
	if cfg.NoBaselines {
		return filterImpls(scs, cfg.Impls), nil
	}
	for _, lib := range perRecordLibs[g.ds.Format] {
		switch kind {
		case KindProduce:
			add(lib, RolePerRecord, producePerRecord(s, lib, n))
		case KindConsume:
			add(lib, RolePerRecord, consumePerRecord(s, lib, n))
		case KindPipeline:
			add(lib, RolePerRecord, pipelinePerRecord(s, lib, n))
		case KindDecode:
			add(lib, RolePerRecord, decodePerRecord(g.ds, lib, n))
		case KindEncode:
			add(lib, RolePerRecord, encodePerRecord(g.ds, lib, n))
		}
	}
	if cfg.Confluent {
		cs, why := confluentScenarios(kind, g, s, comp, n)
		scs = append(scs, cs...)
		if why != "" {
			skipped = append(skipped, why)
		}
	}
	return filterImpls(scs, cfg.Impls), skipped
}

// filterImpls keeps the scenarios whose implementation is in impls (all
// when impls is empty).
func filterImpls(scs []*scenario, impls []string) []*scenario {
	if len(impls) == 0 {
		return scs
	}
	return slices.DeleteFunc(scs, func(sc *scenario) bool { return !slices.Contains(impls, sc.impl) })
}

// Machine describes the machine for the report.
func Machine() string {
	return fmt.Sprintf("%s/%s, %d CPUs (GOMAXPROCS %d), %s, %s", runtime.GOOS, runtime.GOARCH,
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), cpuModel())
}
