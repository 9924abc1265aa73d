package kafka

import (
	"testing"
	"time"
)

// TestLatencyBucketIsFirstBoundAbove holds latencyBucket to its definition:
// the first bucket whose bound is at least d, the last one for longer.
func TestLatencyBucketIsFirstBoundAbove(t *testing.T) {
	want := func(d time.Duration) int {
		i := 0
		for i < LatencyBuckets-1 && d > LatencyBucketBound(i) {
			i++
		}
		return i
	}
	ds := []time.Duration{-1, 0, 1, time.Hour}
	for i := range LatencyBuckets {
		b := LatencyBucketBound(i)
		ds = append(ds, b-1, b, b+1)
	}
	for d := time.Duration(0); d < 10*time.Second; d = d*3/2 + 7 {
		ds = append(ds, d)
	}
	for _, d := range ds {
		if got := latencyBucket(d); got != want(d) {
			t.Fatalf("latencyBucket(%v) = %d, want %d", d, got, want(d))
		}
	}
}
