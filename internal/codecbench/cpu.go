package codecbench

import (
	"testing"
	"time"
)

// CPUMeter reports records/s by wall time and by the process's CPU time: the
// machine is shared, and CPU time is what other load does not inflate.
type CPUMeter struct{ start time.Duration }

// StartCPU starts a meter at the process's CPU time so far.
func StartCPU() CPUMeter { return CPUMeter{cpuTime()} }

// Report reports records/s and records/cpu-s for b.N ops of Batch records.
// Without a CPU clock (cpuTime 0) only records/s is reported.
func (m CPUMeter) Report(b *testing.B) {
	recs := float64(b.N) * Batch
	b.ReportMetric(recs/b.Elapsed().Seconds(), "records/s")
	if cpu := (cpuTime() - m.start).Seconds(); cpu > 0 {
		b.ReportMetric(recs/cpu, "records/cpu-s")
	}
}
