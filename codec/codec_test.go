package codec_test

import (
	"context"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/internal/dataset"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../testdata/codec/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// roundTrip encodes rec with enc, decodes the values with dec's spec and
// checks every column of rec comes back equal.
func roundTrip(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch, encSpec, decSpec codec.Spec) {
	t.Helper()
	enc, err := codec.NewEncoder(encSpec)
	if err != nil {
		t.Fatalf("encoder: %v", err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		t.Fatalf("encode: %v", err)
	}
	if len(vals.Errors) > 0 {
		t.Fatalf("encode row errors: %v", vals.Errors[0])
	}
	recs := &decode.Input{Values: make([][]byte, vals.Len())}
	for i := range recs.Values {
		recs.Values[i] = vals.Value(i)
	}
	sample := [][]byte{vals.Value(0)}
	switch f := decSpec.Format.(type) {
	case codec.JSON:
		if f.Sample == nil && f.ArrowSchema == nil && f.Schema == "" {
			f.Sample = sample
		}
		decSpec.Format = f
	case codec.MsgPack:
		if f.Sample == nil && f.ArrowSchema == nil {
			f.Sample = sample
		}
		decSpec.Format = f
	case codec.Arrow:
		if f.Sample == nil && f.ArrowSchema == nil {
			f.Sample = sample
		}
		decSpec.Format = f
	}
	dec, err := codec.NewDecoder(decSpec)
	if err != nil {
		t.Fatalf("decoder: %v", err)
	}
	res, err := dec.Decode(context.Background(), recs)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	defer res.Release()
	if len(res.Errors) > 0 {
		t.Fatalf("decode errors: %d, first %v", len(res.Errors), res.Errors[0])
	}
	if len(res.Batches) != 1 || res.Batches[0].NumRows() != rec.NumRows() {
		t.Fatalf("decoded %d batches, %d rows; want 1 batch of %d", len(res.Batches), res.NumRows(), rec.NumRows())
	}
	got := res.Batches[0]
	for i, f := range rec.Schema().Fields() {
		idx := got.Schema().FieldIndices(f.Name)
		if len(idx) != 1 {
			t.Fatalf("decoded batch has no column %q: %v", f.Name, got.Schema())
		}
		if !array.Equal(rec.Column(i), got.Column(idx[0])) {
			t.Fatalf("column %q differs: %s vs %s", f.Name, rec.Column(i).DataType(), got.Column(idx[0]).DataType())
		}
	}
	_ = mem
}

func TestEveryFormatRoundTrips(t *testing.T) {
	s := servicestest.Open(t)
	reg, err := registry.NewClient(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := dataset.Transactions(mem, 500, 1, 150)
	defer rec.Release()
	topic := servicestest.UniqueName(t)
	avsc, proto, jsonSchema := readFile(t, "transaction.avsc"), readFile(t, "transaction.proto"), readFile(t, "transaction.schema.json")

	cases := []struct {
		name     string
		enc, dec codec.Spec
	}{
		{"json", codec.Spec{Format: codec.JSON{}}, codec.Spec{Format: codec.JSON{ArrowSchema: dataset.TransactionSchema}}},
		{"msgpack", codec.Spec{Format: codec.MsgPack{}}, codec.Spec{Format: codec.MsgPack{ArrowSchema: dataset.TransactionSchema}}},
		{"arrow", codec.Spec{Format: codec.Arrow{}}, codec.Spec{Format: codec.Arrow{}}},
		{"avro inline", codec.Spec{Format: codec.Avro{Schema: avsc}}, codec.Spec{Format: codec.Avro{Schema: avsc}}},
		{"avro registry", codec.Spec{Format: codec.Avro{Schema: avsc}, Registry: reg, Topic: topic}, codec.Spec{Format: codec.Avro{}, Registry: reg}},
		{"protobuf inline", codec.Spec{Format: codec.Protobuf{Schema: proto}}, codec.Spec{Format: codec.Protobuf{Schema: proto}}},
		{"protobuf registry", codec.Spec{Format: codec.Protobuf{Schema: proto}, Registry: reg, Topic: topic + "-pb"}, codec.Spec{Format: codec.Protobuf{}, Registry: reg}},
		{"json_schema inline", codec.Spec{Format: codec.JSONSchema{Schema: jsonSchema}}, codec.Spec{Format: codec.JSONSchema{Schema: jsonSchema}}},
		{"json_schema registry", codec.Spec{Format: codec.JSONSchema{Schema: jsonSchema}, Registry: reg, Topic: topic + "-js"}, codec.Spec{Format: codec.JSONSchema{}, Registry: reg}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			roundTrip(t, mem, rec, c.enc, c.dec)
		})
	}
}

func TestStringAndBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewStringBuilder(mem)
	b.AppendValues([]string{"a", "", "héllo"}, nil)
	col := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String, Nullable: true}}, nil), []arrow.Array{col}, 3)
	col.Release()
	defer rec.Release()
	roundTrip(t, mem, rec, codec.Spec{Format: codec.String{}}, codec.Spec{Format: codec.String{}})
}
