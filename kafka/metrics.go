package kafka

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// SourceMetrics is a snapshot of a Source's counters.
type SourceMetrics struct {
	RecordsIn int64 // records handed out in batches (tombstones and bad records included)
	BytesIn   int64 // key plus value bytes of those records
	Batches   int64 // batches handed out
	Rows      int64 // decoded rows

	Tombstones   int64
	DecodeErrors int64 // records that did not decode (after retries)
	Retries      int64 // decode retries
	Skipped      int64 // bad records dropped by the Skip policy
	DeadLettered int64 // bad records written to the dead-letter topic

	Commits      int64 // offset commits issued (manual, revoke, close)
	CommitErrors int64

	// InFlightRecords are handed out and not yet Done; BufferedRecords and
	// BufferedBytes are fetched by the client and not yet polled.
	InFlightRecords int64
	BufferedRecords int64
	BufferedBytes   int64
	// Paused partitions right now (too many records in flight).
	Paused []TopicPartition
	// Pauses counts partition pauses so far.
	Pauses int64

	// Lag per partition: the end of the partition minus the next offset to
	// hand out, as of the latest fetch of that partition. The end is the
	// high watermark, or the last stable offset with ReadCommitted (records
	// of open transactions are not yet readable, so not lag). A partition
	// revoked to another member leaves the map; one lost (a broker restart,
	// a session timeout) or still assigned at Close keeps its last value,
	// so a snapshot after a failure or a stop says what was left unread.
	Lag map[TopicPartition]int64
}

// TotalLag sums Lag.
func (m SourceMetrics) TotalLag() int64 {
	var n int64
	for _, l := range m.Lag {
		n += l
	}
	return n
}

type sourceCounters struct {
	recordsIn, bytesIn, batches, rows           atomic.Int64
	tombstones, decodeErrors, retries, skipped  atomic.Int64
	deadLettered, commits, commitErrors, pauses atomic.Int64

	lagMu sync.Mutex
	lag   map[TopicPartition]int64
}

func (c *sourceCounters) setLag(tp TopicPartition, lag int64) {
	c.lagMu.Lock()
	if c.lag == nil {
		c.lag = map[TopicPartition]int64{}
	}
	c.lag[tp] = max(lag, 0)
	c.lagMu.Unlock()
}

func (c *sourceCounters) dropLag(revoked map[string][]int32) {
	c.lagMu.Lock()
	for t, ps := range revoked {
		for _, p := range ps {
			delete(c.lag, TopicPartition{t, p})
		}
	}
	c.lagMu.Unlock()
}

// SinkMetrics is a snapshot of a Sink's counters.
type SinkMetrics struct {
	RecordsOut    int64 // records the broker acknowledged
	BytesOut      int64 // key plus value bytes of those records
	Batches       int64 // SendBatch and SendRecordBatch calls that produced
	EncodeErrors  int64 // rows that did not encode
	ProduceErrors int64 // records the broker or client refused
	// ProduceLatency is from handing a record to the client to its
	// acknowledgement.
	ProduceLatency LatencyStats
}

// LatencyBuckets is the number of buckets of a LatencyStats histogram.
const LatencyBuckets = 20

// LatencyBucketBound is the upper bound of histogram bucket i: 100µs
// doubled i times (100µs, 200µs, ... about 52s); the last bucket also
// holds everything longer.
func LatencyBucketBound(i int) time.Duration {
	return 100 * time.Microsecond << i
}

// latencyBucket is the bucket d falls into: the first i with d <=
// LatencyBucketBound(i), read off the bit length of (d-1)/100µs rather than
// searched for, since every acknowledged record passes here.
func latencyBucket(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return min(bits.Len64(uint64((d-1)/(100*time.Microsecond))), LatencyBuckets-1)
}

// LatencyStats summarises latencies: count, sum and maximum, and a histogram
// with power-of-two buckets (see LatencyBucketBound) for quantiles.
type LatencyStats struct {
	Count   int64
	Total   time.Duration
	Max     time.Duration
	Buckets [LatencyBuckets]int64
}

// Quantile is an upper bound of the q-quantile (0 < q <= 1): the bound of
// the bucket holding it, capped by Max. 0 with no samples.
func (l LatencyStats) Quantile(q float64) time.Duration {
	if l.Count == 0 {
		return 0
	}
	rank := int64(q*float64(l.Count) + 0.5)
	rank = min(max(rank, 1), l.Count)
	var seen int64
	for i, n := range l.Buckets {
		if seen += n; seen >= rank {
			return min(LatencyBucketBound(i), l.Max)
		}
	}
	return l.Max
}

// Mean is Total / Count (0 with no samples).
func (l LatencyStats) Mean() time.Duration {
	if l.Count == 0 {
		return 0
	}
	return l.Total / time.Duration(l.Count)
}

type sinkCounters struct {
	recordsOut, bytesOut, batches, encodeErrors, produceErrors atomic.Int64
	latCount, latTotal, latMax                                 atomic.Int64
	latBuckets                                                 [LatencyBuckets]atomic.Int64
}

func (c *sinkCounters) observe(d time.Duration) {
	c.latCount.Add(1)
	c.latTotal.Add(int64(d))
	c.latBuckets[latencyBucket(d)].Add(1)
	for {
		cur := c.latMax.Load()
		if int64(d) <= cur || c.latMax.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

func (c *sinkCounters) snapshot() SinkMetrics {
	m := SinkMetrics{
		RecordsOut:    c.recordsOut.Load(),
		BytesOut:      c.bytesOut.Load(),
		Batches:       c.batches.Load(),
		EncodeErrors:  c.encodeErrors.Load(),
		ProduceErrors: c.produceErrors.Load(),
		ProduceLatency: LatencyStats{
			Count: c.latCount.Load(),
			Total: time.Duration(c.latTotal.Load()),
			Max:   time.Duration(c.latMax.Load()),
		},
	}
	for i := range c.latBuckets {
		m.ProduceLatency.Buckets[i] = c.latBuckets[i].Load()
	}
	return m
}
