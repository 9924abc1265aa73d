package codec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
)

// metadataNames are the columns decode adds for Kafka metadata. They describe
// the record, not its value, so encoders leave them out; the Kafka sink turns
// _key, _headers and _timestamp back into the record's key, headers and
// timestamp.
var metadataNames = map[string]bool{
	decode.ColTopic: true, decode.ColPartition: true, decode.ColOffset: true,
	decode.ColTimestamp: true, decode.ColKey: true, decode.ColHeaders: true,
}

// withoutMetadata wraps an encode compiler so metadata columns never become
// value fields.
type withoutMetadata struct{ inner encode.Compiler }

func (w withoutMetadata) Compile(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
	var keep []int
	for i, f := range s.Fields() {
		if !metadataNames[f.Name] {
			keep = append(keep, i)
		}
	}
	if len(keep) == s.NumFields() {
		return w.inner.Compile(s)
	}
	fields := make([]arrow.Field, len(keep))
	for i, k := range keep {
		fields[i] = s.Field(k)
	}
	sub := arrow.NewSchema(fields, nil)
	plan, wr, err := w.inner.Compile(sub)
	if err != nil {
		return nil, wr, err
	}
	return projected{inner: plan, keep: keep, schema: sub}, wr, nil
}

// projected binds its plan to the value columns of each batch.
type projected struct {
	inner  encode.Plan
	keep   []int
	schema *arrow.Schema
}

func (p projected) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	cols := make([]arrow.Array, len(p.keep))
	for i, k := range p.keep {
		cols[i] = rec.Column(k)
	}
	sub := array.NewRecordBatch(p.schema, cols, rec.NumRows())
	// The appender reads rec's columns, which rec keeps alive while it
	// encodes; sub's own references are not needed past Bind.
	defer sub.Release()
	return p.inner.Bind(sub)
}
