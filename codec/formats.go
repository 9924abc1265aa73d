package codec

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"google.golang.org/protobuf/reflect/protoreflect"

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
	"github.com/sabot-kafka/sabot/registry"
)

// JSON is plain JSON objects, one per value. Decoding needs a column layout:
// exactly one of ArrowSchema, Schema or Sample. Encoding needs none.
type JSON struct {
	// ArrowSchema is the column layout: one column per top-level key.
	ArrowSchema *arrow.Schema
	// Schema is a JSON Schema document the columns are derived from (values
	// are not validated against it; JSONSchema does that). Deps are the
	// documents its $refs name, by the reference names used in $ref.
	Schema string
	Deps   []registry.Dependency
	// Sample holds example values the columns are inferred from.
	Sample [][]byte

	// OmitNulls leaves null fields out of encoded objects instead of
	// writing null.
	OmitNulls bool
	// EpochTimestamps encodes timestamps as integers (ticks of the column's
	// unit since the epoch) instead of RFC 3339 strings.
	EpochTimestamps bool
	// DecimalStrings encodes decimals as JSON strings ("12.50"), for readers
	// that would round a number through float64.
	DecimalStrings bool
}

// JSONSchema is JSON values that follow a JSON Schema: decoded into the
// schema's layout and validated, and validated again, row by row, when
// encoded. With a Registry the writer schema comes from the registry (and
// encoders register theirs); without one, Schema is required.
type JSONSchema struct {
	// Schema is the writer schema. When empty, encoders derive it from each
	// batch's Arrow schema.
	Schema string
	// References are the registry references of Schema's $refs, registered
	// with it by encoders; Deps hold the referenced documents' text, to
	// compile Schema.
	References []registry.Reference
	Deps       []registry.Dependency
	// Mode chooses how decoders validate values (default jsonschema.Auto).
	Mode jsonschema.Mode
	// Title names a derived schema (its "title", and the record name for the
	// record-name subject strategies); default "Record".
	Title string

	// OmitNulls, EpochTimestamps and DecimalStrings are as for JSON.
	OmitNulls, EpochTimestamps, DecimalStrings bool
}

// Avro is Avro binary values. With a Registry each value names its writer
// schema; without one, Schema (or ReaderSchema) is required.
type Avro struct {
	// Schema is the writer schema of values without the wire-format header,
	// and the schema encoders write. When empty, decoders take ReaderSchema
	// as the writer schema and encoders derive a schema from each batch's
	// Arrow schema (named by RecordName and Namespace).
	Schema string
	// ReaderSchema is the schema values decode into: values written with any
	// compatible writer schema get its Arrow layout (one batch layout).
	ReaderSchema string
	// References are the registry references of Schema's named types,
	// registered with it by encoders; Deps hold the referenced schemas
	// (dependencies first), to parse Schema and ReaderSchema.
	References []registry.Reference
	Deps       []registry.Dependency
	// Enums chooses the Arrow type of decoded enums (default
	// avro.EnumDictionary).
	Enums avro.EnumMode
	// TrustUTF8 skips the decoder's UTF-8 check of strings and map keys.
	TrustUTF8 bool
	// RecordName and Namespace name the top-level record of a derived
	// schema (default "Record", no namespace).
	RecordName, Namespace string
}

// Protobuf is Protobuf messages. The message type comes from the registry
// (with a Registry), Descriptor, or Schema with Imports and Message.
type Protobuf struct {
	// Schema is .proto source text: compiled for the message type when
	// Descriptor is nil, and the text encoders register.
	Schema string
	// Message names the message in Schema: a full name or one relative to
	// the file's package (default: the file's first message).
	Message string
	// Imports maps import paths to the source text of Schema's imports
	// (google/protobuf/*.proto are always available).
	Imports map[string]string
	// Descriptor is a compiled message type, e.g. of a generated Go type:
	// (*pb.Order)(nil).ProtoReflect().Descriptor().
	Descriptor protoreflect.MessageDescriptor
	// References are the registry references of the file's imports,
	// registered with it by encoders.
	References []registry.Reference
	// Enums chooses the Arrow type of decoded enums (default
	// protobuf.EnumDictionary).
	Enums protobuf.EnumMode
	// Oneofs chooses how decoded oneofs look (default protobuf.OneofCase).
	Oneofs protobuf.OneofMode
	// RejectExtraColumns fails the encoder's compile for a batch column that
	// names no field of the message; by default such columns are skipped.
	RejectExtraColumns bool
}

// MsgPack is MessagePack maps, one per value. Decoding needs a column layout:
// ArrowSchema, or a Sample to infer it from.
type MsgPack struct {
	// ArrowSchema is the column layout: each top-level map fills a row, its
	// keys matched to field names.
	ArrowSchema *arrow.Schema
	// Sample holds example values the columns are inferred from.
	Sample [][]byte
	// UnknownExt says what decoding (and inferring from Sample) does with
	// extension types other than the timestamp (default msgpack.ExtError).
	UnknownExt msgpack.ExtPolicy
	// OmitNulls leaves null fields out of encoded maps instead of writing
	// nil.
	OmitNulls bool
}

// String is the value as UTF-8 text in one column, "value" when decoded.
type String struct {
	// Column names the column encoders write (default: the only column).
	Column string
}

// Bytes is the value as opaque bytes in one column, "value" when decoded.
type Bytes struct {
	// Column names the column encoders write (default: the only column).
	Column string
}

// Arrow is Arrow IPC: each value is an IPC stream of one record batch.
// Decoding needs the column layout: ArrowSchema, or a Sample value to read it
// from.
type Arrow struct {
	// ArrowSchema is the column layout.
	ArrowSchema *arrow.Schema
	// Sample holds an example value; the layout is the first one's schema.
	Sample [][]byte
	// Compression compresses encoded batch bodies (IPC's own buffer
	// compression, independent of the Kafka producer's).
	Compression encipc.Compression
}

// Name is "json".
func (JSON) Name() string { return "json" }

// Name is "json_schema".
func (JSONSchema) Name() string { return "json_schema" }

// Name is "avro".
func (Avro) Name() string { return "avro" }

// Name is "protobuf".
func (Protobuf) Name() string { return "protobuf" }

// Name is "msgpack".
func (MsgPack) Name() string { return "msgpack" }

// Name is "string".
func (String) Name() string { return "string" }

// Name is "bytes".
func (Bytes) Name() string { return "bytes" }

// Name is "arrow".
func (Arrow) Name() string { return "arrow" }

func (JSON) registered() bool       { return false }
func (JSONSchema) registered() bool { return true }
func (Avro) registered() bool       { return true }
func (Protobuf) registered() bool   { return true }
func (MsgPack) registered() bool    { return false }
func (String) registered() bool     { return false }
func (Bytes) registered() bool      { return false }
func (Arrow) registered() bool      { return false }

// oneOf reports layout options given together, of which a format reads one.
func oneOf(format string, opts map[string]bool, order ...string) []error {
	var set []string
	for _, name := range order {
		if opts[name] {
			set = append(set, name)
		}
	}
	if len(set) < 2 {
		return nil
	}
	return []error{fmt.Errorf("codec: %s reads its columns from one of %s, but %s are set", format, strings.Join(order, ", "), strings.Join(set, " and "))}
}

func (f JSON) check(Spec) []error {
	errs := oneOf(f.Name(), map[string]bool{"ArrowSchema": f.ArrowSchema != nil, "Schema": f.Schema != "", "Sample": len(f.Sample) > 0},
		"ArrowSchema", "Schema", "Sample")
	if len(f.Deps) > 0 && f.Schema == "" {
		errs = append(errs, errors.New("codec: json Deps are the documents Schema's $refs name, but Schema is empty"))
	}
	return errs
}

func (f JSON) decodeCompiler(s Spec) (decode.Compiler, error) {
	o := json.Options{Schema: f.ArrowSchema, JSONSchema: f.Schema, Deps: f.Deps, Sample: f.Sample, Limits: s.Limits}
	if o.Schema == nil && o.JSONSchema == "" && len(o.Sample) == 0 {
		return nil, errors.New("codec: json needs an ArrowSchema, a JSON Schema (Schema) or a Sample to infer columns from")
	}
	return json.NewCompiler(o), nil
}

func (f JSON) encodeCompiler(Spec) (encode.Compiler, error) {
	return encjson.NewCompiler(f.options()), nil
}

func (f JSON) options() encjson.Options {
	return encjson.Options{OmitNulls: f.OmitNulls, EpochTimestamps: f.EpochTimestamps, DecimalStrings: f.DecimalStrings}
}

func (f JSONSchema) check(s Spec) []error {
	var errs []error
	if s.Registry == nil && f.Schema == "" {
		errs = append(errs, errors.New("codec: json_schema needs a Registry or an inline Schema"))
	}
	if f.Schema == "" && (len(f.References) > 0 || len(f.Deps) > 0) {
		errs = append(errs, errors.New("codec: json_schema References and Deps belong to Schema, but Schema is empty"))
	}
	if f.Schema != "" && f.Title != "" {
		errs = append(errs, errors.New("codec: json_schema Title names a derived schema, but Schema is given (it has its own title)"))
	}
	return errs
}

func (f JSONSchema) decodeCompiler(s Spec) (decode.Compiler, error) {
	return jsonschema.NewCompiler(jsonschema.Options{Schema: f.Schema, Deps: f.Deps, Mode: f.Mode, Limits: s.Limits}), nil
}

func (f JSONSchema) encodeCompiler(Spec) (encode.Compiler, error) {
	// Rows are validated against the schema: a JSON Schema sink rejects an
	// invalid message rather than writing it.
	return encjs.NewCompiler(encjs.Options{
		Schema: f.Schema, References: f.References, Deps: f.Deps, Title: f.Title, Validate: true,
		JSON: JSON{OmitNulls: f.OmitNulls, EpochTimestamps: f.EpochTimestamps, DecimalStrings: f.DecimalStrings}.options(),
	}), nil
}

func (f Avro) check(s Spec) []error {
	var errs []error
	if s.Registry == nil && f.Schema == "" && f.ReaderSchema == "" {
		errs = append(errs, errors.New("codec: avro needs a Registry or an inline Schema"))
	}
	if f.Schema == "" && len(f.References) > 0 {
		errs = append(errs, errors.New("codec: avro References belong to Schema, but Schema is empty"))
	}
	if f.Schema == "" && f.ReaderSchema == "" && len(f.Deps) > 0 {
		errs = append(errs, errors.New("codec: avro Deps define types of Schema and ReaderSchema, but both are empty"))
	}
	if f.Schema != "" && (f.RecordName != "" || f.Namespace != "") {
		errs = append(errs, errors.New("codec: avro RecordName and Namespace name a derived schema, but Schema is given"))
	}
	return errs
}

func (f Avro) decodeCompiler(s Spec) (decode.Compiler, error) {
	return avro.NewCompiler(avro.Options{
		Schema: f.Schema, ReaderSchema: f.ReaderSchema, Deps: f.Deps, Enums: f.Enums, Limits: s.Limits, TrustUTF8: f.TrustUTF8,
	}), nil
}

func (f Avro) encodeCompiler(Spec) (encode.Compiler, error) {
	return encavro.NewCompiler(encavro.Options{
		Schema: f.Schema, References: f.References, Deps: f.Deps, Name: f.RecordName, Namespace: f.Namespace,
	}), nil
}

func (f Protobuf) check(s Spec) []error {
	var errs []error
	if s.Registry == nil && f.Schema == "" && f.Descriptor == nil {
		errs = append(errs, errors.New("codec: protobuf needs a Registry, a .proto Schema or a Descriptor"))
	}
	if (f.Message != "" || len(f.Imports) > 0) && (f.Schema == "" || f.Descriptor != nil) {
		errs = append(errs, errors.New("codec: protobuf Message and Imports apply to compiling Schema, which needs Schema set and Descriptor nil"))
	}
	return errs
}

func (f Protobuf) decodeCompiler(s Spec) (decode.Compiler, error) {
	return protobuf.NewCompiler(protobuf.Options{
		Descriptor: f.Descriptor, Proto: f.Schema, Imports: f.Imports, Message: f.Message, Limits: s.Limits,
		Enums: f.Enums, Oneofs: f.Oneofs,
	}), nil
}

func (f Protobuf) encodeCompiler(Spec) (encode.Compiler, error) {
	if f.Descriptor == nil && f.Schema != "" {
		// Compile once here so a bad .proto fails now, not at the first batch.
		if _, err := (protobuf.Options{Proto: f.Schema, Imports: f.Imports, Message: f.Message}).Resolve(context.Background()); err != nil {
			return nil, fmt.Errorf("codec: %w", err)
		}
	}
	return encproto.NewCompiler(encproto.Options{
		Descriptor: f.Descriptor, Proto: f.Schema, Imports: f.Imports, Message: f.Message,
		References: f.References, IgnoreExtraColumns: !f.RejectExtraColumns,
	}), nil
}

func (f MsgPack) check(Spec) []error {
	return oneOf(f.Name(), map[string]bool{"ArrowSchema": f.ArrowSchema != nil, "Sample": len(f.Sample) > 0}, "ArrowSchema", "Sample")
}

func (f MsgPack) decodeCompiler(s Spec) (decode.Compiler, error) {
	schema := f.ArrowSchema
	if schema == nil {
		if len(f.Sample) == 0 {
			return nil, errors.New("codec: msgpack needs an ArrowSchema or a Sample to infer columns from")
		}
		var err error
		if schema, err = msgpack.Infer(f.Sample, msgpack.InferOptions{Limits: s.Limits, UnknownExt: f.UnknownExt}); err != nil {
			return nil, fmt.Errorf("codec: inferring msgpack columns: %w", err)
		}
	}
	return msgpack.NewCompiler(msgpack.Options{Schema: schema, Limits: s.Limits, UnknownExt: f.UnknownExt})
}

func (f MsgPack) encodeCompiler(Spec) (encode.Compiler, error) {
	return encmsgpack.NewCompiler(encmsgpack.Options{OmitNulls: f.OmitNulls}), nil
}

func (String) check(Spec) []error { return nil }

func (String) decodeCompiler(s Spec) (decode.Compiler, error) {
	return raw.Compiler(raw.StringPlan(s.Limits)), nil
}

func (f String) encodeCompiler(Spec) (encode.Compiler, error) { return encraw.Compiler(f.Column), nil }

func (Bytes) check(Spec) []error { return nil }

func (Bytes) decodeCompiler(s Spec) (decode.Compiler, error) {
	return raw.Compiler(raw.BytesPlan(s.Limits)), nil
}

func (f Bytes) encodeCompiler(Spec) (encode.Compiler, error) { return encraw.Compiler(f.Column), nil }

func (f Arrow) check(Spec) []error {
	return oneOf(f.Name(), map[string]bool{"ArrowSchema": f.ArrowSchema != nil, "Sample": len(f.Sample) > 0}, "ArrowSchema", "Sample")
}

func (f Arrow) decodeCompiler(s Spec) (decode.Compiler, error) {
	schema := f.ArrowSchema
	if schema == nil {
		if len(f.Sample) == 0 {
			return nil, errors.New("codec: arrow needs an ArrowSchema or a Sample value to read one from")
		}
		var err error
		if schema, err = arrowipc.SchemaOf(f.Sample[0], s.Limits); err != nil {
			return nil, fmt.Errorf("codec: reading the Arrow schema of the sample: %w", err)
		}
	}
	return arrowipc.NewCompiler(arrowipc.Options{Schema: schema, Limits: s.Limits, Allocator: s.Allocator})
}

func (f Arrow) encodeCompiler(s Spec) (encode.Compiler, error) {
	return encipc.NewCompiler(encipc.Options{Compression: f.Compression, Allocator: s.Allocator}), nil
}
