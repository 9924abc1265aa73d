package bench

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// Dataset is the benchmark's data in one format: the same rows as Arrow
// batches and as encoded Kafka values. Every scenario and baseline of the
// format reads (or writes) exactly these rows.
type Dataset struct {
	Format      string        // the codec.Format name
	RecordBytes int           // the target size of a record (as JSON)
	Schema      *arrow.Schema // of the rows: TransactionSchema, or one value column for String and Bytes
	// Batches hold the rows, BatchRows each.
	Batches []arrow.RecordBatch
	// Values are the rows encoded by Sabot's encoder for Format (with the
	// wire-format header for the registry formats).
	Values     [][]byte
	ValueBytes int64
	// SchemaID is the writer schema id of registry-framed values, else -1.
	SchemaID int
	// Decode and Encode are the Sabot codec specs of Format.
	Decode, Encode codec.Spec

	mem      memory.Allocator // of the batches, and of everything built from them
	regTopic string           // the topic whose subject holds the writer schema
}

// Rows is the number of distinct rows.
func (d *Dataset) Rows() int { return len(d.Values) }

// Release releases the Arrow batches.
func (d *Dataset) Release() {
	for _, b := range d.Batches {
		b.Release()
	}
	d.Batches = nil
}

// DatasetConfig says what data to build.
type DatasetConfig struct {
	Format      string // a name of Formats
	RecordBytes int
	Rows        int // distinct rows (default 10,000)
	BatchRows   int // rows per Arrow batch (default 10,000)
	// Registry serves the writer schemas of the registry formats; Topic
	// names the subject they are registered under.
	Registry codec.Registry
	Topic    string
	Mem      memory.Allocator
}

// NewDataset generates cfg.Rows transactions and encodes them in cfg.Format.
// String and Bytes rows are the transactions' JSON text in one column.
func NewDataset(ctx context.Context, cfg DatasetConfig) (*Dataset, error) {
	if cfg.Rows <= 0 {
		cfg.Rows = 10_000
	}
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = 10_000
	}
	if cfg.Mem == nil {
		cfg.Mem = memory.DefaultAllocator
	}
	if cfg.RecordBytes < baseRecordBytes {
		cfg.RecordBytes = baseRecordBytes
	}
	if format(cfg.Format) == nil {
		return nil, fmt.Errorf("bench: unknown format %q", cfg.Format)
	}
	if registryFormat(cfg.Format) && cfg.Registry == nil {
		return nil, fmt.Errorf("bench: %s needs a registry", cfg.Format)
	}
	d := &Dataset{Format: cfg.Format, RecordBytes: cfg.RecordBytes, Schema: TransactionSchema, SchemaID: -1, mem: cfg.Mem, regTopic: cfg.Topic}
	d.Decode, d.Encode = specs(cfg.Format, cfg.Registry, cfg.Topic)
	d.Decode.Allocator = cfg.Mem
	encSpec := d.Encode
	if rawFormat(cfg.Format) {
		// The rows of String and Bytes are JSON text: encode them as JSON
		// first, then make that text the value column.
		encSpec = codec.Spec{Format: codec.JSON{}}
	}
	enc, err := codec.NewEncoder(encSpec)
	if err != nil {
		return nil, fmt.Errorf("bench: %s encoder: %w", cfg.Format, err)
	}
	var vals encode.Values
	for start := 0; start < cfg.Rows; start += cfg.BatchRows {
		n := min(cfg.BatchRows, cfg.Rows-start)
		rec := Transactions(cfg.Mem, n, uint64(start)+1, cfg.RecordBytes) // #nosec G115 -- start ≥ 0
		err := enc.Encode(ctx, rec, &vals)
		if err == nil && len(vals.Errors) > 0 {
			err = &vals.Errors[0]
		}
		if err != nil {
			rec.Release()
			d.Release()
			return nil, fmt.Errorf("bench: encoding %s: %w", cfg.Format, err)
		}
		first := len(d.Values)
		for i := 0; i < vals.Len(); i++ {
			v := append([]byte(nil), vals.Value(i)...)
			d.Values = append(d.Values, v)
			d.ValueBytes += int64(len(v))
		}
		if rawFormat(cfg.Format) {
			rec.Release()
			rec = valueBatch(cfg.Mem, cfg.Format, d.Values[first:])
		}
		d.Batches = append(d.Batches, rec)
	}
	if rawFormat(cfg.Format) {
		d.Schema = d.Batches[0].Schema()
	}
	if registryFormat(cfg.Format) {
		id, _, err := wire.ParseHeader(d.Values[0])
		if err != nil {
			d.Release()
			return nil, fmt.Errorf("bench: %s values carry no wire-format header: %w", cfg.Format, err)
		}
		d.SchemaID = id
	}
	return d, nil
}

// valueBatch makes a one-column batch of vals: utf8 for String, binary for
// Bytes, as Sabot's raw decoders produce.
func valueBatch(mem memory.Allocator, name string, vals [][]byte) arrow.RecordBatch {
	typ := arrow.DataType(arrow.BinaryTypes.String)
	if _, ok := format(name).(codec.Bytes); ok {
		typ = arrow.BinaryTypes.Binary
	}
	b := array.NewBinaryBuilder(mem, typ.(arrow.BinaryDataType))
	defer b.Release()
	for _, v := range vals {
		b.Append(v)
	}
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "value", Type: typ}}, nil)
	return array.NewRecordBatch(schema, []arrow.Array{col}, int64(len(vals)))
}

// rowsOf returns n rows cycling through d's batches, as slices of them (no
// copy). The caller releases them.
func (d *Dataset) rowsOf(n int) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for n > 0 {
		for _, b := range d.Batches {
			k := min(int64(n), b.NumRows())
			out = append(out, b.NewSlice(0, k))
			n -= int(k)
			if n == 0 {
				break
			}
		}
	}
	return out
}
