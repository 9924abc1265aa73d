package codec

import (
	"context"
	"errors"
	"fmt"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/decode/jsonschema"
	"github.com/sabot-kafka/sabot/decode/msgpack"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/raw"
	"github.com/sabot-kafka/sabot/encode"
	encipc "github.com/sabot-kafka/sabot/encode/arrowipc"
	encavro "github.com/sabot-kafka/sabot/encode/avro"
	encjson "github.com/sabot-kafka/sabot/encode/json"
	encjs "github.com/sabot-kafka/sabot/encode/jsonschema"
	encmsgpack "github.com/sabot-kafka/sabot/encode/msgpack"
	encproto "github.com/sabot-kafka/sabot/encode/protobuf"
	encraw "github.com/sabot-kafka/sabot/encode/raw"
)

// decodeCompiler picks the format package's compiler for s.
func decodeCompiler(s Spec) (decode.Compiler, error) {
	switch s.Type {
	case String:
		return raw.Compiler(raw.StringPlan(s.Limits)), nil
	case Bytes:
		return raw.Compiler(raw.BytesPlan(s.Limits)), nil
	case JSON:
		o := json.Options{Schema: s.ArrowSchema, JSONSchema: s.Schema, Sample: s.Sample, Limits: s.Limits}
		if o.Schema == nil && o.JSONSchema == "" && len(o.Sample) == 0 {
			return nil, errors.New("codec: json needs an ArrowSchema, a JSON Schema (Schema) or a Sample to infer columns from")
		}
		return json.NewCompiler(o), nil
	case JSONSchema:
		return jsonschema.NewCompiler(jsonschema.Options{Schema: s.Schema, Limits: s.Limits}), nil
	case Avro:
		return avro.NewCompiler(avro.Options{Schema: s.Schema, ReaderSchema: s.ReaderSchema, Limits: s.Limits}), nil
	case Protobuf:
		return protobuf.NewCompiler(protobuf.Options{
			Descriptor: s.ProtoDescriptor, Proto: s.Schema, Imports: s.ProtoImports, Message: s.ProtoMessage, Limits: s.Limits,
		}), nil
	case MsgPack:
		schema := s.ArrowSchema
		if schema == nil {
			if len(s.Sample) == 0 {
				return nil, errors.New("codec: msgpack needs an ArrowSchema or a Sample to infer columns from")
			}
			var err error
			if schema, err = msgpack.Infer(s.Sample, msgpack.InferOptions{Limits: s.Limits}); err != nil {
				return nil, fmt.Errorf("codec: inferring msgpack columns: %w", err)
			}
		}
		return msgpack.NewCompiler(msgpack.Options{Schema: schema, Limits: s.Limits})
	case Arrow:
		schema := s.ArrowSchema
		if schema == nil {
			if len(s.Sample) == 0 {
				return nil, errors.New("codec: arrow needs an ArrowSchema or a Sample value to read one from")
			}
			var err error
			if schema, err = arrowipc.SchemaOf(s.Sample[0], s.Limits); err != nil {
				return nil, fmt.Errorf("codec: reading the Arrow schema of the sample: %w", err)
			}
		}
		return arrowipc.NewCompiler(arrowipc.Options{Schema: schema, Limits: s.Limits})
	}
	return nil, fmt.Errorf("%w: decoding %s", ErrNotAvailable, s.Type)
}

// encodeCompiler picks the format package's compiler for s.
func encodeCompiler(s Spec) (encode.Compiler, error) {
	switch s.Type {
	case String, Bytes:
		return encraw.Compiler(s.Column), nil
	case JSON:
		return encjson.NewCompiler(encjson.Options{}), nil
	case JSONSchema:
		// Rows are validated against the schema: the spec's JSON Schema sink
		// rejects an invalid message rather than writing it.
		return encjs.NewCompiler(encjs.Options{Schema: s.Schema, References: s.References, Validate: true}), nil
	case Avro:
		return encavro.NewCompiler(encavro.Options{Schema: s.Schema, References: s.References}), nil
	case Protobuf:
		if s.ProtoDescriptor == nil && s.Schema != "" {
			// Compile once here so a bad .proto fails now, not at the first batch.
			if _, err := (protobuf.Options{Proto: s.Schema, Imports: s.ProtoImports, Message: s.ProtoMessage}).Resolve(context.Background()); err != nil {
				return nil, fmt.Errorf("codec: %w", err)
			}
		}
		return encproto.NewCompiler(encproto.Options{
			Descriptor: s.ProtoDescriptor, Proto: s.Schema, Imports: s.ProtoImports, Message: s.ProtoMessage,
			References: s.References, IgnoreExtraColumns: true,
		}), nil
	case MsgPack:
		return encmsgpack.NewCompiler(encmsgpack.Options{}), nil
	case Arrow:
		return encipc.NewCompiler(encipc.Options{}), nil
	}
	return nil, fmt.Errorf("%w: encoding %s", ErrNotAvailable, s.Type)
}
