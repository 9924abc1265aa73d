package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/bench"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

func TestRunRoundTripCountsEveryRecord(t *testing.T) {
	s := servicestest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topic := servicestest.UniqueName(t)
	t.Cleanup(func() { _ = s.DeleteTopic(context.Background(), topic) })
	res, err := bench.RunRoundTrip(ctx, s, bench.RoundTripConfig{Topic: topic, Partitions: 3, Records: 5000, RecordBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 5000 || res.Bytes != 500000 {
		t.Fatalf("result counts %d records / %d bytes", res.Records, res.Bytes)
	}
	if res.ProduceRecsSec <= 0 || res.ConsumeRecsSec <= 0 {
		t.Fatalf("rates not computed: %+v", res)
	}
}

func TestRunRoundTripRejectsEmptyRun(t *testing.T) {
	s := servicestest.Open(t)
	if _, err := bench.RunRoundTrip(context.Background(), s, bench.RoundTripConfig{Topic: "x"}); err == nil {
		t.Fatal("a run of zero records was accepted")
	}
}
