package decode

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Metadata selects the Kafka record fields added as columns after the decoded
// value columns. The zero value adds none.
type Metadata uint8

// Metadata columns, in the order they appear.
const (
	MetaTopic     Metadata = 1 << iota // _topic: utf8
	MetaPartition                      // _partition: int32
	MetaOffset                         // _offset: int64
	MetaTimestamp                      // _timestamp: timestamp[ms, UTC]
	MetaKey                            // _key: binary (null for a null key)
	MetaHeaders                        // _headers: list<struct<key: utf8, value: binary>>

	// MetaAll selects every metadata column.
	MetaAll = MetaTopic | MetaPartition | MetaOffset | MetaTimestamp | MetaKey | MetaHeaders
)

// Names of the metadata columns.
const (
	ColTopic     = "_topic"
	ColPartition = "_partition"
	ColOffset    = "_offset"
	ColTimestamp = "_timestamp"
	ColKey       = "_key"
	ColHeaders   = "_headers"
)

// HeaderType is the Arrow type of the _headers column: a list (headers repeat
// and keep their order) of key/value structs.
var HeaderType = arrow.ListOf(arrow.StructOf(
	arrow.Field{Name: "key", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "value", Type: arrow.BinaryTypes.Binary, Nullable: true},
))

// Fields returns the Arrow fields of the selected metadata columns.
func (m Metadata) Fields() []arrow.Field {
	var fs []arrow.Field
	if m&MetaTopic != 0 {
		fs = append(fs, arrow.Field{Name: ColTopic, Type: arrow.BinaryTypes.String})
	}
	if m&MetaPartition != 0 {
		fs = append(fs, arrow.Field{Name: ColPartition, Type: arrow.PrimitiveTypes.Int32})
	}
	if m&MetaOffset != 0 {
		fs = append(fs, arrow.Field{Name: ColOffset, Type: arrow.PrimitiveTypes.Int64})
	}
	if m&MetaTimestamp != 0 {
		fs = append(fs, arrow.Field{Name: ColTimestamp, Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}})
	}
	if m&MetaKey != 0 {
		fs = append(fs, arrow.Field{Name: ColKey, Type: arrow.BinaryTypes.Binary, Nullable: true})
	}
	if m&MetaHeaders != 0 {
		fs = append(fs, arrow.Field{Name: ColHeaders, Type: HeaderType})
	}
	return fs
}

// metaAppender appends the selected metadata of one record per call into
// builders created from Metadata.Fields.
type metaAppender struct {
	topic     *array.StringBuilder
	partition *array.Int32Builder
	offset    *array.Int64Builder
	timestamp *array.TimestampBuilder
	key       *array.BinaryBuilder
	headers   *array.ListBuilder
	hdrStruct *array.StructBuilder
	hdrKey    *array.StringBuilder
	hdrValue  *array.BinaryBuilder
}

func newMetaAppender(m Metadata, bs []array.Builder) *metaAppender {
	a := &metaAppender{}
	i := 0
	next := func() array.Builder { b := bs[i]; i++; return b }
	if m&MetaTopic != 0 {
		a.topic = next().(*array.StringBuilder)
	}
	if m&MetaPartition != 0 {
		a.partition = next().(*array.Int32Builder)
	}
	if m&MetaOffset != 0 {
		a.offset = next().(*array.Int64Builder)
	}
	if m&MetaTimestamp != 0 {
		a.timestamp = next().(*array.TimestampBuilder)
	}
	if m&MetaKey != 0 {
		a.key = next().(*array.BinaryBuilder)
	}
	if m&MetaHeaders != 0 {
		a.headers = next().(*array.ListBuilder)
		a.hdrStruct = a.headers.ValueBuilder().(*array.StructBuilder)
		a.hdrKey = a.hdrStruct.FieldBuilder(0).(*array.StringBuilder)
		a.hdrValue = a.hdrStruct.FieldBuilder(1).(*array.BinaryBuilder)
	}
	return a
}

// append adds record i's metadata. The Input holds every column it reads
// (Input.check).
func (a *metaAppender) append(in *Input, i int) {
	if a.topic != nil {
		a.topic.Append(in.Topics[i])
	}
	if a.partition != nil {
		a.partition.Append(in.Partitions[i])
	}
	if a.offset != nil {
		a.offset.Append(in.Offsets[i])
	}
	if a.timestamp != nil {
		a.timestamp.Append(arrow.Timestamp(in.Timestamps[i]))
	}
	if a.key != nil {
		if k := in.Keys[i]; k == nil {
			a.key.AppendNull()
		} else {
			a.key.Append(k)
		}
	}
	if a.headers != nil {
		a.headers.Append(true)
		for _, h := range in.RecordHeaders(i) {
			a.hdrStruct.Append(true)
			a.hdrKey.Append(h.Key)
			if h.Value == nil {
				a.hdrValue.AppendNull()
			} else {
				a.hdrValue.Append(h.Value)
			}
		}
	}
}
