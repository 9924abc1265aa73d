package main

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
)

// keyFormat is how integer record keys are written and read (-key-format).
// The sink writes integer key columns as decimal text; Java producers and
// Kafka Streams use the big-endian two's-complement bytes of
// org.apache.kafka.common.serialization.LongSerializer (8 bytes) and
// IntegerSerializer (4 bytes), which keyInt64 and keyInt32 are.
type keyFormat string

const (
	keyText  keyFormat = "text"
	keyInt64 keyFormat = "int64"
	keyInt32 keyFormat = "int32"
)

const keyFormatHelp = "record keys: text (strings as they are, integers as decimal text), " +
	"int64 (8 bytes big-endian, Java LongSerializer) or int32 (4 bytes big-endian, Java IntegerSerializer)"

func parseKeyFormat(s string) (keyFormat, error) {
	switch f := keyFormat(s); f {
	case keyText, keyInt64, keyInt32:
		return f, nil
	}
	return "", fmt.Errorf("unknown -key-format %q (want text, int64 or int32)", s)
}

// width is the size of a binary key in f.
func (f keyFormat) width() int {
	if f == keyInt32 {
		return 4
	}
	return 8
}

// withBinaryKeys returns rec with a _key binary column holding, in f, the
// values of the integer column name (which stays among the value columns
// unless it is _key itself). The caller releases the result.
func withBinaryKeys(mem memory.Allocator, rec arrow.RecordBatch, name string, f keyFormat) (arrow.RecordBatch, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		return nil, fmt.Errorf("key column %q: want exactly one such column, found %d", name, len(idx))
	}
	value, err := intValues(rec.Column(idx[0]))
	if err != nil {
		return nil, fmt.Errorf("key column %q: %w; -key-format %s writes integer keys", name, err, f)
	}
	col := rec.Column(idx[0])
	b := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
	defer b.Release()
	b.Reserve(col.Len())
	buf := make([]byte, 8)
	for i := range col.Len() {
		if col.IsNull(i) {
			b.AppendNull()
			continue
		}
		v, ok := value(i)
		switch {
		case !ok:
			return nil, fmt.Errorf("key column %q row %d: %s does not fit int64", name, i, col.ValueStr(i))
		case f == keyInt32 && (v < math.MinInt32 || v > math.MaxInt32):
			return nil, fmt.Errorf("key column %q row %d: %d does not fit -key-format int32", name, i, v)
		case f == keyInt32:
			binary.BigEndian.PutUint32(buf, uint32(int32(v))) // #nosec G115 -- range checked above
			b.Append(buf[:4])
		default:
			binary.BigEndian.PutUint64(buf, uint64(v)) // #nosec G115 -- two's complement, as Java writes it
			b.Append(buf)
		}
	}
	keys := b.NewArray()
	defer keys.Release()
	return replaceColumn(rec, arrow.Field{Name: decode.ColKey, Type: arrow.BinaryTypes.Binary, Nullable: true}, keys), nil
}

// intValues returns a reader of the integer column a as int64 (ok false for
// a uint64 past int64).
func intValues(a arrow.Array) (func(i int) (int64, bool), error) {
	switch a := a.(type) {
	case *array.Int8:
		return func(i int) (int64, bool) { return int64(a.Value(i)), true }, nil
	case *array.Int16:
		return func(i int) (int64, bool) { return int64(a.Value(i)), true }, nil
	case *array.Int32:
		return func(i int) (int64, bool) { return int64(a.Value(i)), true }, nil
	case *array.Int64:
		return func(i int) (int64, bool) { return a.Value(i), true }, nil
	case *array.Uint8:
		return func(i int) (int64, bool) { return int64(a.Value(i)), true }, nil
	case *array.Uint16:
		return func(i int) (int64, bool) { return int64(a.Value(i)), true }, nil
	case *array.Uint32:
		return func(i int) (int64, bool) { return int64(a.Value(i)), true }, nil
	case *array.Uint64:
		return func(i int) (int64, bool) {
			v := a.Value(i)
			return int64(v), v <= math.MaxInt64 // #nosec G115 -- checked by ok
		}, nil
	}
	return nil, fmt.Errorf("it is %s", a.DataType())
}

// withIntegerKeys returns rec with its _key binary column read as f: int64
// or int32 values, null for a null key. A key of another width is an error
// naming its record. The caller releases the result.
func withIntegerKeys(mem memory.Allocator, rec arrow.RecordBatch, f keyFormat) (arrow.RecordBatch, error) {
	idx := rec.Schema().FieldIndices(decode.ColKey)
	if len(idx) != 1 {
		return nil, fmt.Errorf("-key-format %s reads the %s column, which the batch lacks", f, decode.ColKey)
	}
	keys, ok := rec.Column(idx[0]).(*array.Binary)
	if !ok {
		return nil, fmt.Errorf("the %s column is %s, want binary", decode.ColKey, rec.Column(idx[0]).DataType())
	}
	var (
		b    array.Builder
		put  func(k []byte)
		want = f.width()
	)
	if f == keyInt32 {
		ib := array.NewInt32Builder(mem)
		b, put = ib, func(k []byte) { ib.Append(int32(binary.BigEndian.Uint32(k))) } // #nosec G115 -- two's complement
	} else {
		ib := array.NewInt64Builder(mem)
		b, put = ib, func(k []byte) { ib.Append(int64(binary.BigEndian.Uint64(k))) } // #nosec G115 -- two's complement
	}
	defer b.Release()
	b.Reserve(keys.Len())
	for i := range keys.Len() {
		if keys.IsNull(i) {
			b.AppendNull()
			continue
		}
		k := keys.Value(i)
		if len(k) != want {
			return nil, fmt.Errorf("%s: the key is %d bytes; -key-format %s reads %d-byte keys", recordName(rec, i), len(k), f, want)
		}
		put(k)
	}
	col := b.NewArray()
	defer col.Release()
	return replaceColumn(rec, arrow.Field{Name: decode.ColKey, Type: col.DataType(), Nullable: true}, col), nil
}

// recordName names row i of rec by its partition and offset when the batch
// has those columns.
func recordName(rec arrow.RecordBatch, i int) string {
	name := fmt.Sprintf("row %d", i)
	p, o := rec.Schema().FieldIndices(decode.ColPartition), rec.Schema().FieldIndices(decode.ColOffset)
	if len(p) == 1 && len(o) == 1 {
		if pc, ok := rec.Column(p[0]).(*array.Int32); ok {
			if oc, ok := rec.Column(o[0]).(*array.Int64); ok {
				name = fmt.Sprintf("the record at partition %d offset %d", pc.Value(i), oc.Value(i))
			}
		}
	}
	return name
}

// replaceColumn returns rec with the column named f.Name replaced by col,
// or col appended when rec has none.
func replaceColumn(rec arrow.RecordBatch, f arrow.Field, col arrow.Array) arrow.RecordBatch {
	fields := append([]arrow.Field(nil), rec.Schema().Fields()...)
	cols := append([]arrow.Array(nil), rec.Columns()...)
	if idx := rec.Schema().FieldIndices(f.Name); len(idx) > 0 {
		fields[idx[0]], cols[idx[0]] = f, col
	} else {
		fields, cols = append(fields, f), append(cols, col)
	}
	md := rec.Schema().Metadata()
	return array.NewRecordBatch(arrow.NewSchema(fields, &md), cols, rec.NumRows())
}
