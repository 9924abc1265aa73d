package engine

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// Metrics counts what a pipeline moved. Read it with Snapshot while the
// pipeline runs; the counters only grow.
type Metrics struct {
	start     atomic.Int64 // unix nanos of the first batch
	batches   atomic.Int64
	inRecords atomic.Int64
	inBytes   atomic.Int64
	rejects   atomic.Int64
	outRows   atomic.Int64
	// Transactions (FromTransactor) committed, and aborted by a rebalance.
	txnCommits atomic.Int64
	txnAborts  atomic.Int64
}

// Snapshot is a point-in-time copy of a pipeline's metrics.
type Snapshot struct {
	Elapsed   time.Duration // since the first batch
	Batches   int64
	InRecords int64 // records read from the source (rejects included)
	InBytes   int64 // value bytes read
	Rejects   int64 // records that failed to decode (sent by the error policy)
	OutRows   int64 // rows written to the sink
	Lag       int64 // records behind the end of the source, -1 when unknown
	// TxnCommits and TxnAborts count the transactions of a FromTransactor
	// pipeline committed and aborted by a rebalance (their records were read
	// again).
	TxnCommits int64
	TxnAborts  int64
}

// RecordsPerSec is InRecords over Elapsed.
func (s Snapshot) RecordsPerSec() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.InRecords) / s.Elapsed.Seconds()
}

// MBPerSec is InBytes (in 10^6 bytes) over Elapsed.
func (s Snapshot) MBPerSec() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.InBytes) / 1e6 / s.Elapsed.Seconds()
}

// String is the one-line progress report.
func (s Snapshot) String() string {
	lag := "n/a"
	if s.Lag >= 0 {
		lag = fmt.Sprint(s.Lag)
	}
	line := fmt.Sprintf("%d records in, %d rows out, %.0f records/s, %.1f MB/s, lag %s, %d errors",
		s.InRecords, s.OutRows, s.RecordsPerSec(), s.MBPerSec(), lag, s.Rejects)
	if s.TxnCommits > 0 || s.TxnAborts > 0 {
		line += fmt.Sprintf(", %d transactions (%d aborted)", s.TxnCommits+s.TxnAborts, s.TxnAborts)
	}
	return line
}

// Lagger is implemented by sources that know how far behind they are.
type Lagger interface {
	Lag() int64
}

func (m *Metrics) addIn(b *Batch) {
	m.start.CompareAndSwap(0, time.Now().UnixNano())
	m.batches.Add(1)
	m.inRecords.Add(int64(b.InRecords))
	m.inBytes.Add(b.InBytes)
	m.rejects.Add(int64(b.Rejects))
}

func (m *Metrics) addOut(rows int64) { m.outRows.Add(rows) }

// Snapshot returns the current values; src, when it is a Lagger, fills Lag.
func (m *Metrics) Snapshot(src any) Snapshot {
	s := Snapshot{
		Batches:   m.batches.Load(),
		InRecords: m.inRecords.Load(),
		InBytes:   m.inBytes.Load(),
		Rejects:   m.rejects.Load(),
		OutRows:   m.outRows.Load(),
		Lag:       -1,

		TxnCommits: m.txnCommits.Load(),
		TxnAborts:  m.txnAborts.Load(),
	}
	if start := m.start.Load(); start != 0 {
		s.Elapsed = time.Since(time.Unix(0, start))
	}
	if l, ok := src.(Lagger); ok {
		s.Lag = l.Lag()
	}
	return s
}

// reportProgress writes a snapshot line every interval and a last one when stop
// closes.
func reportProgress(w io.Writer, every time.Duration, m *Metrics, src Source, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			fmt.Fprintln(w, "progress:", m.Snapshot(src))
		case <-stop:
			fmt.Fprintln(w, "done:", m.Snapshot(src))
			return
		}
	}
}
