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

// Formats lists the codecs the harness knows, in report order.
var Formats = []codec.Type{codec.JSON, codec.Avro, codec.Protobuf, codec.MsgPack, codec.JSONSchema, codec.String, codec.Bytes, codec.Arrow}

// registryFormat reports whether values of t carry the Confluent wire-format
// header in the benchmark (the way these formats travel through Kafka).
func registryFormat(t codec.Type) bool {
	return t == codec.Avro || t == codec.Protobuf || t == codec.JSONSchema
}

// rawFormat reports whether t's rows are the bare value (one column) rather
// than a Transaction.
func rawFormat(t codec.Type) bool { return t == codec.String || t == codec.Bytes }

// specs returns the Sabot decode and encode specs of t for the benchmark
// record. reg is the registry for the registry formats; topic names the
// subject the encoder registers under.
func specs(t codec.Type, reg codec.Registry, topic string) (dec, enc codec.Spec) {
	dec, enc = codec.Spec{Type: t}, codec.Spec{Type: t, Topic: topic}
	switch t {
	case codec.JSON, codec.MsgPack, codec.Arrow:
		dec.ArrowSchema = TransactionSchema
	case codec.Avro:
		enc.Schema = TransactionAvro
	case codec.Protobuf:
		enc.Schema = TransactionProto
	case codec.JSONSchema:
		enc.Schema = TransactionJSONSchema
	}
	if registryFormat(t) {
		dec.Registry, enc.Registry = reg, reg
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
