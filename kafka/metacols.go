package kafka

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
)

// Batches decoded with metadata columns (decode.Metadata) carry each record's
// key, headers, timestamp and partition. When such a batch is written back,
// the sink uses them: _key keys the record (unless KeyColumn names another
// column), _headers become its headers, _timestamp its timestamp and, under
// the Explicit strategy, _partition its partition. The codec leaves metadata
// columns out of the values, so a topic copied through Sabot keeps its keys,
// headers and timestamps.

// metaColumns reads the metadata columns of one batch.
type metaColumns struct {
	headers *array.List
	hdrKey  *array.String
	hdrVal  *array.Binary
	ts      *array.Timestamp
	tsUnit  arrow.TimeUnit
	part    *array.Int32
}

// metadataColumns finds rec's metadata columns; explicit requires the
// _partition column (the Explicit strategy reads each row's partition there).
func metadataColumns(rec arrow.RecordBatch, explicit bool) (metaColumns, error) {
	var m metaColumns
	s := rec.Schema()
	if explicit {
		idx := s.FieldIndices(decode.ColPartition)
		if len(idx) != 1 {
			return m, fmt.Errorf("kafka: Partitioning explicit: the batch needs one %s column (int32) naming each row's partition, found %d", decode.ColPartition, len(idx))
		}
		p, ok := rec.Column(idx[0]).(*array.Int32)
		if !ok {
			return m, fmt.Errorf("kafka: column %s is %s, want int32", decode.ColPartition, rec.Column(idx[0]).DataType())
		}
		if p.NullN() > 0 {
			return m, fmt.Errorf("kafka: Partitioning explicit: column %s has %d nulls", decode.ColPartition, p.NullN())
		}
		m.part = p
	}
	if idx := s.FieldIndices(decode.ColHeaders); len(idx) == 1 {
		l, ok := rec.Column(idx[0]).(*array.List)
		if !ok || !arrow.TypeEqual(l.DataType(), decode.HeaderType) {
			return m, fmt.Errorf("kafka: column %s is %s, want %s", decode.ColHeaders, rec.Column(idx[0]).DataType(), decode.HeaderType)
		}
		st := l.ListValues().(*array.Struct)
		m.headers, m.hdrKey, m.hdrVal = l, st.Field(0).(*array.String), st.Field(1).(*array.Binary)
	}
	if idx := s.FieldIndices(decode.ColTimestamp); len(idx) == 1 {
		ts, ok := rec.Column(idx[0]).(*array.Timestamp)
		if !ok {
			return m, fmt.Errorf("kafka: column %s is %s, want a timestamp", decode.ColTimestamp, rec.Column(idx[0]).DataType())
		}
		m.ts, m.tsUnit = ts, ts.DataType().(*arrow.TimestampType).Unit
	}
	return m, nil
}

// apply sets row i's headers, timestamp and (Explicit) partition on kr. Header values alias the
// batch's buffers, which stay alive until the records are acknowledged.
func (m *metaColumns) apply(kr *kgo.Record, i int) {
	if m.headers != nil && m.headers.IsValid(i) {
		start, end := m.headers.ValueOffsets(i)
		if end > start {
			kr.Headers = make([]kgo.RecordHeader, 0, end-start)
			for j := int(start); j < int(end); j++ {
				h := kgo.RecordHeader{Key: m.hdrKey.Value(j)}
				if m.hdrVal.IsValid(j) {
					h.Value = m.hdrVal.Value(j)
				}
				kr.Headers = append(kr.Headers, h)
			}
		}
	}
	if m.ts != nil && m.ts.IsValid(i) {
		kr.Timestamp = m.ts.Value(i).ToTime(m.tsUnit)
	}
	if m.part != nil {
		kr.Partition = m.part.Value(i)
	}
}
