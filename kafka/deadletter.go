package kafka

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
)

// Headers added to dead-lettered records, after the record's own headers.
// Numbers are decimal text; times are Unix milliseconds.
const (
	HeaderDLQError     = "sabot.dlq.error"     // the decode error's message
	HeaderDLQReason    = "sabot.dlq.reason"    // its class, decode.Kind: "malformed", "type", "null", ...
	HeaderDLQPath      = "sabot.dlq.path"      // the field that failed ("user.tags[]"), when the error names one
	HeaderDLQTopic     = "sabot.dlq.topic"     // source topic
	HeaderDLQPartition = "sabot.dlq.partition" // source partition
	HeaderDLQOffset    = "sabot.dlq.offset"    // source offset
	HeaderDLQTimestamp = "sabot.dlq.timestamp" // source record's timestamp
	HeaderDLQTime      = "sabot.dlq.time"      // when it was dead-lettered
	HeaderDLQSchemaID  = "sabot.dlq.schema_id" // writer schema id, when the value named one
	HeaderDLQGroup     = "sabot.dlq.group"     // consumer group, when there is one
)

// DeadLetterHeaders lists the header keys a dead-lettered record carries
// (HeaderDLQPath, HeaderDLQSchemaID and HeaderDLQGroup only when they apply).
var DeadLetterHeaders = []string{
	HeaderDLQError, HeaderDLQReason, HeaderDLQPath, HeaderDLQTopic, HeaderDLQPartition, HeaderDLQOffset,
	HeaderDLQTimestamp, HeaderDLQTime, HeaderDLQSchemaID, HeaderDLQGroup,
}

// DeadLetterRecord builds the dead-letter record for src, which failed with
// e: the original key, value and headers, plus the headers above.
func DeadLetterRecord(topic, group string, src *kgo.Record, e decode.RecordError, now time.Time) *kgo.Record {
	hs := make([]kgo.RecordHeader, 0, len(src.Headers)+len(DeadLetterHeaders))
	hs = append(hs, src.Headers...)
	num := func(k string, v int64) {
		hs = append(hs, kgo.RecordHeader{Key: k, Value: strconv.AppendInt(nil, v, 10)})
	}
	msg := "unknown error"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	hs = append(hs,
		kgo.RecordHeader{Key: HeaderDLQError, Value: []byte(msg)},
		kgo.RecordHeader{Key: HeaderDLQReason, Value: []byte(decode.Kind(e.Err))},
	)
	var ve *decode.ValueError
	if errors.As(e.Err, &ve) && ve.Path != "" {
		hs = append(hs, kgo.RecordHeader{Key: HeaderDLQPath, Value: []byte(ve.Path)})
	}
	hs = append(hs, kgo.RecordHeader{Key: HeaderDLQTopic, Value: []byte(src.Topic)})
	num(HeaderDLQPartition, int64(src.Partition))
	num(HeaderDLQOffset, src.Offset)
	num(HeaderDLQTimestamp, src.Timestamp.UnixMilli())
	num(HeaderDLQTime, now.UnixMilli())
	if e.SchemaID >= 0 {
		num(HeaderDLQSchemaID, int64(e.SchemaID))
	}
	if group != "" {
		hs = append(hs, kgo.RecordHeader{Key: HeaderDLQGroup, Value: []byte(group)})
	}
	return &kgo.Record{Topic: topic, Key: src.Key, Value: src.Value, Headers: hs, Timestamp: now}
}

// deadLetter produces every failed record and waits for the broker. The
// first failure is returned as a *DeadLetterError.
func (s *Source) deadLetter(ctx context.Context, recs []*kgo.Record, errs []decode.RecordError) error {
	now := time.Now()
	out := make([]*kgo.Record, len(errs))
	for i, e := range errs {
		out[i] = DeadLetterRecord(s.cfg.OnError.DeadLetterTopic, s.cfg.GroupID, recs[e.Index], e, now)
	}
	res := s.cl.ProduceSync(ctx, out...)
	for i, r := range res {
		if r.Err != nil {
			return &DeadLetterError{Topic: s.cfg.OnError.DeadLetterTopic, Source: errs[i], Err: r.Err}
		}
	}
	return nil
}
