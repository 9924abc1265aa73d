package kafka

import (
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
)

// fillInput lays recs out column by column in in (reset first) for the
// decoder: values, keys, positions, timestamps and headers, aliasing the
// records' bytes.
func fillInput(in *decode.Input, recs []*kgo.Record) {
	in.Reset()
	hasHeaders := false
	for _, r := range recs {
		in.Values = append(in.Values, r.Value)
		in.Keys = append(in.Keys, r.Key)
		in.Topics = append(in.Topics, r.Topic)
		in.Partitions = append(in.Partitions, r.Partition)
		in.Offsets = append(in.Offsets, r.Offset)
		in.Timestamps = append(in.Timestamps, r.Timestamp.UnixMilli())
		hasHeaders = hasHeaders || len(r.Headers) > 0
	}
	if !hasHeaders {
		in.HeaderEnds = nil
		return
	}
	for _, r := range recs {
		for _, h := range r.Headers {
			in.Headers = append(in.Headers, decode.Header{Key: h.Key, Value: h.Value})
		}
		in.HeaderEnds = append(in.HeaderEnds, len(in.Headers))
	}
}
