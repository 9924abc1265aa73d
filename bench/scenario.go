package bench

import (
	"context"
	"fmt"
	"runtime"
)

// Kinds of scenario. The Kafka ones run against the run's broker; decode
// and encode run in memory (no broker) and are the harness's link to the
// codecs' `go test -bench` figures.
const (
	KindProduce  = "produce"  // Arrow batches → encode → topic
	KindConsume  = "consume"  // topic → decode → Arrow batches
	KindPipeline = "pipeline" // topic → decode → filter + map → encode → topic
	KindDecode   = "decode"   // values in memory → Arrow batches
	KindEncode   = "encode"   // Arrow batches in memory → values
)

// Kinds lists every kind, in report order.
var Kinds = []string{KindProduce, KindConsume, KindPipeline, KindDecode, KindEncode}

// Roles of a scenario within its group.
const (
	RoleSabot     = "sabot"      // what is being measured
	RoleCeiling   = "ceiling"    // raw franz-go: the records moved, no codec
	RolePerRecord = "per-record" // a library decoding/encoding one record at a time
	RoleConfluent = "confluent"  // confluent-kafka-go (librdkafka) with its serdes
)

// outcome is what one measured run moved.
type outcome struct {
	records int64 // records read (consume, pipeline, decode) or written (produce, encode)
	bytes   int64 // value bytes of those records
	out     int64 // records written by a pipeline (after the filter); rows decoded by consume
}

// runFunc is one measured run; prepFunc sets one up (clients, topics,
// buffers) outside the measurement and returns its cleanup.
type (
	runFunc  func(ctx context.Context) (outcome, error)
	prepFunc func(ctx context.Context) (runFunc, func(), error)
)

// scenario is one row of the report: an implementation of a kind on a
// dataset.
type scenario struct {
	kind, impl, role string
	ds               *Dataset
	comp             string
	prep             prepFunc
}

func (s *scenario) name() string {
	return fmt.Sprintf("%s/%s/%s", s.kind, s.ds.Format, s.impl)
}

// measureOnce prepares and runs sc once, metering only the run.
func measureOnce(ctx context.Context, sc *scenario) (Sample, error) {
	run, cleanup, err := sc.prep(ctx)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", sc.name(), err)
	}
	defer cleanup()
	runtime.GC()
	m := startMeter()
	o, err := run(ctx)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", sc.name(), err)
	}
	s := m.stop(o.records, o.bytes)
	s.Out = o.out
	return s, nil
}
