package kafka_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
)

// TestDeadLetterReasonAndPath: the dead-letter record names the error's class
// (decode.Kind) and, when the error names a field, its path.
func TestDeadLetterReasonAndPath(t *testing.T) {
	for _, k := range []string{kafka.HeaderDLQReason, kafka.HeaderDLQPath} {
		if !slices.Contains(kafka.DeadLetterHeaders, k) {
			t.Errorf("DeadLetterHeaders lacks %s", k)
		}
	}
	src := &kgo.Record{Topic: "in", Partition: 2, Offset: 9, Key: []byte("k"), Value: []byte(`{"tags":[1,"x"]}`),
		Headers: []kgo.RecordHeader{{Key: "origin", Value: []byte("test")}}}
	now := time.UnixMilli(1_700_000_000_000)
	tests := []struct {
		name       string
		err        error
		reason     string
		path       string // "" for no header
		withHeader bool
	}{
		{"nested field", &decode.ValueError{Path: "user.tags[]", Offset: 12, Err: fmt.Errorf("%w: want number, got string", decode.ErrType)}, "type", "user.tags[]", true},
		{"wrapped", fmt.Errorf("decoding: %w", &decode.ValueError{Path: "attrs{}", Err: decode.ErrNull}), "null", "attrs{}", true},
		{"the value itself", &decode.ValueError{Err: fmt.Errorf("%w: trailing bytes", decode.ErrMalformed)}, "malformed", "", false},
		{"unknown schema", fmt.Errorf("%w id 7: not found", decode.ErrUnknownSchema), "unknown_schema", "", false},
		{"not classified", fmt.Errorf("something else"), "other", "", false},
		{"no error", nil, "other", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := kafka.DeadLetterRecord("dlq", "", src, decode.RecordError{Index: 0, Topic: "in", Partition: 2, Offset: 9, SchemaID: -1, Err: tt.err}, now)
			h := map[string]string{}
			for _, kv := range out.Headers {
				if _, dup := h[kv.Key]; dup {
					t.Errorf("header %s twice", kv.Key)
				}
				h[kv.Key] = string(kv.Value)
			}
			if h["origin"] != "test" || h[kafka.HeaderDLQTopic] != "in" || h[kafka.HeaderDLQOffset] != "9" {
				t.Errorf("headers %v", h)
			}
			if h[kafka.HeaderDLQReason] != tt.reason {
				t.Errorf("reason %q, want %q", h[kafka.HeaderDLQReason], tt.reason)
			}
			p, ok := h[kafka.HeaderDLQPath]
			if ok != tt.withHeader || p != tt.path {
				t.Errorf("path header %q (present %v), want %q (present %v)", p, ok, tt.path, tt.withHeader)
			}
			if tt.err != nil && h[kafka.HeaderDLQError] != tt.err.Error() {
				t.Errorf("error header %q, want %q", h[kafka.HeaderDLQError], tt.err.Error())
			}
			if len(out.Headers) > len(src.Headers)+len(kafka.DeadLetterHeaders) {
				t.Errorf("%d headers, more than DeadLetterHeaders lists", len(out.Headers))
			}
		})
	}
}
