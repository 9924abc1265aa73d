package bench

import (
	"context"
	"fmt"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/registry"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The writer schemas of the benchmark record in the registry formats. They
// describe TransactionSchema field for field.
const (
	TransactionAvro = `{"type": "record", "name": "Transaction", "namespace": "sabot.bench",
 "fields": [
  {"name": "id", "type": "string"},
  {"name": "user_id", "type": "string"},
  {"name": "amount", "type": "double"},
  {"name": "currency", "type": "string"},
  {"name": "ts", "type": "long"},
  {"name": "ok", "type": "boolean"},
  {"name": "note", "type": "string"}
 ]}`

	TransactionProto = `syntax = "proto3";
package sabot.bench;

message Transaction {
  string id = 1;
  string user_id = 2;
  double amount = 3;
  string currency = 4;
  int64 ts = 5;
  bool ok = 6;
  string note = 7;
}
`

	TransactionJSONSchema = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Transaction",
  "type": "object",
  "properties": {
    "id": {"type": "string"},
    "user_id": {"type": "string"},
    "amount": {"type": "number"},
    "currency": {"type": "string"},
    "ts": {"type": "integer"},
    "ok": {"type": "boolean"},
    "note": {"type": "string"}
  },
  "required": ["id", "user_id", "amount", "currency", "ts", "ok", "note"]
}`
)

// Formats lists the codecs the harness knows by their codec.Format names,
// in report order.
var Formats = names(codec.JSON{}, codec.Avro{}, codec.Protobuf{}, codec.MsgPack{}, codec.JSONSchema{}, codec.String{}, codec.Bytes{}, codec.Arrow{})

// names returns the Name of every format.
func names(fs ...codec.Format) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name()
	}
	return out
}

// format is the codec.Format named name (zero options), nil for a name
// that is no format.
func format(name string) codec.Format {
	f, err := codec.ParseFormat(name)
	if err != nil {
		return nil
	}
	return f
}

// registryFormat reports whether values of the format named name carry the
// Confluent wire-format header in the benchmark (the way these formats
// travel through Kafka).
func registryFormat(name string) bool {
	switch format(name).(type) {
	case codec.Avro, codec.Protobuf, codec.JSONSchema:
		return true
	}
	return false
}

// rawFormat reports whether the rows of the format named name are the bare
// value (one column) rather than a Transaction.
func rawFormat(name string) bool {
	switch format(name).(type) {
	case codec.String, codec.Bytes:
		return true
	}
	return false
}

// specs returns the Sabot decode and encode specs of the format named name
// for the benchmark record. reg is the registry for the registry formats;
// topic names the subject the encoder registers under.
func specs(name string, reg codec.Registry, topic string) (dec, enc codec.Spec) {
	f := format(name)
	dec, enc = codec.Spec{Format: f}, codec.Spec{Format: f}
	switch f.(type) {
	case codec.JSON:
		dec.Format = codec.JSON{ArrowSchema: TransactionSchema}
	case codec.MsgPack:
		dec.Format = codec.MsgPack{ArrowSchema: TransactionSchema}
	case codec.Arrow:
		dec.Format = codec.Arrow{ArrowSchema: TransactionSchema}
	case codec.Avro:
		enc.Format = codec.Avro{Schema: TransactionAvro}
	case codec.Protobuf:
		enc.Format = codec.Protobuf{Schema: TransactionProto}
	case codec.JSONSchema:
		enc.Format = codec.JSONSchema{Schema: TransactionJSONSchema}
	}
	if registryFormat(name) {
		dec.Registry, enc.Registry, enc.Topic = reg, reg, topic
	}
	return dec, enc
}

// protoDescriptor compiles TransactionProto for the dynamicpb baseline.
func protoDescriptor(ctx context.Context) (protoreflect.MessageDescriptor, error) {
	md, err := (protobuf.Options{Proto: TransactionProto, Message: "sabot.bench.Transaction"}).Resolve(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: compiling the Transaction .proto: %w", err)
	}
	return md, nil
}

// newRegistry connects to the registry of the services the run uses.
func newRegistry(url string) (*registry.Client, error) {
	c, err := registry.NewClient(url)
	if err != nil {
		return nil, fmt.Errorf("bench: registry client: %w", err)
	}
	return c, nil
}
