package kafka_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// poison writes good-0, a value that is not UTF-8 (with a header and key),
// and good-2 to a 1-partition topic, and returns the poison record as
// written.
func poison(ctx context.Context, t *testing.T, s *services.Services, topic string) *kgo.Record {
	t.Helper()
	cl := rawClient(t, s)
	bad := &kgo.Record{Topic: topic, Key: []byte("bad-key"), Value: []byte{0xff, 0xfe, 'x'},
		Headers: []kgo.RecordHeader{{Key: "origin", Value: []byte("test")}}, Timestamp: time.UnixMilli(1_700_000_000_123)}
	if err := cl.ProduceSync(ctx,
		&kgo.Record{Topic: topic, Value: []byte("good-0")},
		bad,
		&kgo.Record{Topic: topic, Value: []byte("good-2")},
	).FirstErr(); err != nil {
		t.Fatal(err)
	}
	return bad
}

func TestErrorPolicies(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)

	t.Run("skip", func(t *testing.T) {
		topic := servicestest.Topic(t, s, 1)
		poison(ctx, t, s, topic)
		cfg := sourceConfig(s, topic, "")
		cfg.OnError = kafka.SkipPolicy
		src := newSource(t, cfg)
		b, err := src.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Done()
		if got := batchValues(b); len(got) != 2 || got[0] != "good-0" || got[1] != "good-2" {
			t.Fatalf("values %v", got)
		}
		if len(b.Result.Errors) != 1 || b.Result.Errors[0].Offset != 1 || !errors.Is(b.Result.Errors[0].Err, decode.ErrMalformed) || decode.Kind(b.Result.Errors[0].Err) != "malformed" {
			t.Fatalf("errors %+v", b.Result.Errors)
		}
		if m := src.Metrics(); m.Skipped != 1 || m.DecodeErrors != 1 {
			t.Fatalf("metrics %+v", m)
		}
	})

	t.Run("fail", func(t *testing.T) {
		topic := servicestest.Topic(t, s, 1)
		poison(ctx, t, s, topic)
		group := servicestest.UniqueName(t)
		src := newSource(t, sourceConfig(s, topic, group))
		_, err := src.Poll(ctx)
		var de *kafka.DecodeError
		if !errors.As(err, &de) || de.Offset != 1 || !errors.Is(err, decode.ErrMalformed) || !strings.Contains(err.Error(), "not valid UTF-8") {
			t.Fatalf("poll: %v, want a DecodeError at offset 1", err)
		}
		if _, err2 := src.Poll(ctx); !errors.As(err2, &de) {
			t.Fatalf("second poll: %v, want the same DecodeError (the source stopped)", err2)
		}
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}
		if c := committed(ctx, t, s, group, topic); sum(c) != 0 {
			t.Fatalf("committed %v after a failed batch", c)
		}
	})

	t.Run("retry", func(t *testing.T) {
		topic := servicestest.Topic(t, s, 1)
		poison(ctx, t, s, topic)
		cfg := sourceConfig(s, topic, "")
		cfg.OnError = kafka.RetryPolicy(3, time.Millisecond, kafka.SkipPolicy)
		src := newSource(t, cfg)
		start := time.Now()
		b, err := src.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rows := b.NumRows()
		b.Done()
		m := src.Metrics()
		if m.Retries != 3 || m.Skipped != 1 || rows != 2 {
			t.Fatalf("retries %d skipped %d rows %d, want 3, 1, 2", m.Retries, m.Skipped, rows)
		}
		if el := time.Since(start); el < 7*time.Millisecond { // 1+2+4 ms of backoff
			t.Fatalf("three retries took %v, less than their backoff", el)
		}
	})

	t.Run("dead letter", func(t *testing.T) {
		topic := servicestest.Topic(t, s, 1)
		dlq := servicestest.Topic(t, s, 1)
		bad := poison(ctx, t, s, topic)
		group := servicestest.UniqueName(t)
		cfg := sourceConfig(s, topic, group)
		cfg.OnError = kafka.DeadLetterPolicy(dlq)
		src := newSource(t, cfg)
		before := time.Now().Add(-time.Second)
		b, err := src.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rows := b.NumRows()
		b.Done()
		if rows != 2 || src.Metrics().DeadLettered != 1 {
			t.Fatalf("rows %d dead-lettered %d", rows, src.Metrics().DeadLettered)
		}
		// Read the dead-letter topic with a plain client, field by field.
		rd := rawClient(t, s, kgo.ConsumeTopics(dlq), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		fs := rd.PollRecords(ctx, 10)
		if errs := fs.Errors(); len(errs) > 0 {
			t.Fatal(errs[0].Err)
		}
		recs := fs.Records()
		if len(recs) != 1 {
			t.Fatalf("%d dead letters, want 1", len(recs))
		}
		d := recs[0]
		if string(d.Key) != string(bad.Key) || string(d.Value) != string(bad.Value) {
			t.Fatalf("dead letter key %q value %x, want %q %x", d.Key, d.Value, bad.Key, bad.Value)
		}
		h := map[string]string{}
		for _, x := range d.Headers {
			h[x.Key] = string(x.Value)
		}
		want := map[string]string{
			"origin":                 "test",
			kafka.HeaderDLQTopic:     topic,
			kafka.HeaderDLQPartition: "0",
			kafka.HeaderDLQOffset:    "1",
			kafka.HeaderDLQTimestamp: "1700000000123",
			kafka.HeaderDLQGroup:     group,
		}
		for k, v := range want {
			if h[k] != v {
				t.Errorf("header %s = %q, want %q", k, h[k], v)
			}
		}
		if want := "decode: at byte 0: malformed value: value is not valid UTF-8"; h[kafka.HeaderDLQError] != want {
			t.Errorf("error header %q, want %q", h[kafka.HeaderDLQError], want)
		}
		if h[kafka.HeaderDLQReason] != "malformed" {
			t.Errorf("reason header %q, want malformed", h[kafka.HeaderDLQReason])
		}
		if p, ok := h[kafka.HeaderDLQPath]; ok {
			t.Errorf("path header %q on an error about the whole value", p)
		}
		ms, err := strconv.ParseInt(h[kafka.HeaderDLQTime], 10, 64)
		if err != nil || time.UnixMilli(ms).Before(before) || time.UnixMilli(ms).After(time.Now()) {
			t.Errorf("time header %q not the dead-lettering time", h[kafka.HeaderDLQTime])
		}
		if _, ok := h[kafka.HeaderDLQSchemaID]; ok {
			t.Error("schema id header on a value without a schema id")
		}
		if d.Headers[0].Key != "origin" {
			t.Error("the record's own headers do not come first")
		}
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}
		if c := committed(ctx, t, s, group, topic); c[0] != 3 {
			t.Fatalf("committed %v, want 3 (the dead letter is handled)", c)
		}
	})

	t.Run("dead letter produce fails", func(t *testing.T) {
		topic := servicestest.Topic(t, s, 1)
		poison(ctx, t, s, topic)
		cfg := sourceConfig(s, topic, "")
		cfg.OnError = kafka.DeadLetterPolicy(servicestest.UniqueName(t) + "-missing")
		cfg.ClientOpts = []kgo.Opt{kgo.UnknownTopicRetries(1)}
		src := newSource(t, cfg)
		_, err := src.Poll(ctx)
		var de *kafka.DeadLetterError
		if !errors.As(err, &de) || de.Source.Offset != 1 {
			t.Fatalf("poll: %v, want a DeadLetterError for offset 1", err)
		}
		// The batch was rewound: the next poll meets the same records.
		_, err = src.Poll(ctx)
		if !errors.As(err, &de) || de.Source.Offset != 1 {
			t.Fatalf("second poll: %v, want the same DeadLetterError", err)
		}
		if m := src.Metrics(); m.DeadLettered != 0 || m.RecordsIn != 0 {
			t.Fatalf("metrics %+v after failed dead letters", m)
		}
	})
}
