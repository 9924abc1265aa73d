package bench

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Sample is what one run of a scenario measured.
type Sample struct {
	Records    int64
	Bytes      int64 // payload bytes moved (values)
	Out        int64 // records a pipeline wrote, rows a consumer decoded
	Wall       time.Duration
	CPU        time.Duration // user + system CPU of the process during the run
	Allocs     uint64        // heap allocations during the run
	AllocBytes uint64        // heap bytes allocated during the run
	PeakRSS    int64         // process peak resident set size after the run, bytes (0 if unknown)
}

// RecordsPerSec is the sample's throughput.
func (s Sample) RecordsPerSec() float64 { return float64(s.Records) / s.Wall.Seconds() }

// MBPerSec is the sample's payload throughput in 10^6 bytes per second.
func (s Sample) MBPerSec() float64 { return float64(s.Bytes) / 1e6 / s.Wall.Seconds() }

// meter snapshots process counters around a run.
type meter struct {
	start time.Time
	cpu   time.Duration
	ms    runtime.MemStats
}

func startMeter() meter {
	resetPeakRSS()
	m := meter{cpu: cpuTime()}
	runtime.ReadMemStats(&m.ms)
	m.start = time.Now()
	return m
}

// stop finishes a sample of records and bytes.
func (m meter) stop(records, bytes int64) Sample {
	wall := time.Since(m.start)
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	return Sample{
		Records:    records,
		Bytes:      bytes,
		Wall:       wall,
		CPU:        cpuTime() - m.cpu,
		Allocs:     end.Mallocs - m.ms.Mallocs,
		AllocBytes: end.TotalAlloc - m.ms.TotalAlloc,
		PeakRSS:    peakRSS(),
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS asks Linux to restart peak-RSS accounting (clear_refs value 5),
// so each run reports its own peak. Elsewhere it does nothing.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // #nosec G306 -- procfs control file
}

// peakRSS reads VmHWM from /proc/self/status (0 where unavailable).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// Summary aggregates the repetitions of one scenario.
type Summary struct {
	Name string `json:"name"`
	// Kind, Format, RecordBytes and Compression name the group the scenario
	// belongs to; its rows are compared with each other. Impl is the
	// implementation and Role what it stands for (sabot, ceiling,
	// per-record, confluent).
	Kind        string  `json:"kind,omitempty"`
	Format      string  `json:"format,omitempty"`
	Impl        string  `json:"impl,omitempty"`
	Role        string  `json:"role,omitempty"`
	RecordBytes int     `json:"record_bytes,omitempty"` // target size (as JSON)
	ValueBytes  int     `json:"value_bytes,omitempty"`  // mean encoded value size
	Compression string  `json:"compression,omitempty"`
	Samples     int     `json:"samples"`
	Median      float64 `json:"records_per_sec"` // median records/s
	Min         float64 `json:"min_records_per_sec"`
	Max         float64 `json:"max_records_per_sec"`
	MBPerSec    float64 `json:"mb_per_sec"` // of the median run
	// Per record, from the median run.
	AllocsPerRecord float64 `json:"allocs_per_record"`
	BytesPerRecord  float64 `json:"alloc_bytes_per_record"`
	CPUSeconds      float64 `json:"cpu_seconds"`
	PeakRSSMB       float64 `json:"peak_rss_mb"`
	Records         int64   `json:"records"`
	Out             int64   `json:"out"` // records written (pipeline) or rows decoded (consume), median run
}

// Spread is (max-min)/median: how noisy the repetitions were.
func (s Summary) Spread() float64 {
	if s.Median == 0 {
		return 0
	}
	return (s.Max - s.Min) / s.Median
}

// Summarize reduces samples to their median run and range.
func Summarize(name string, samples []Sample) Summary {
	if len(samples) == 0 {
		return Summary{Name: name}
	}
	sorted := slices.Clone(samples)
	slices.SortFunc(sorted, func(a, b Sample) int {
		return int(math.Copysign(1, a.RecordsPerSec()-b.RecordsPerSec()))
	})
	med := sorted[len(sorted)/2]
	n := float64(max(med.Records, 1))
	return Summary{
		Name:            name,
		Samples:         len(samples),
		Median:          med.RecordsPerSec(),
		Min:             sorted[0].RecordsPerSec(),
		Max:             sorted[len(sorted)-1].RecordsPerSec(),
		MBPerSec:        med.MBPerSec(),
		AllocsPerRecord: float64(med.Allocs) / n,
		BytesPerRecord:  float64(med.AllocBytes) / n,
		CPUSeconds:      med.CPU.Seconds(),
		PeakRSSMB:       float64(med.PeakRSS) / (1 << 20),
		Records:         med.Records,
		Out:             med.Out,
	}
}

// Repeat runs fn warmup times unmeasured and then reps times measured.
func Repeat(warmup, reps int, fn func() (records, bytes int64, err error)) ([]Sample, error) {
	for i := 0; i < warmup; i++ {
		if _, _, err := fn(); err != nil {
			return nil, fmt.Errorf("bench: warm-up: %w", err)
		}
	}
	out := make([]Sample, 0, reps)
	for i := 0; i < reps; i++ {
		runtime.GC()
		m := startMeter()
		records, bytes, err := fn()
		if err != nil {
			return out, err
		}
		out = append(out, m.stop(records, bytes))
	}
	return out, nil
}
