package codec

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/registry"
)

// Type names a serialization format, spelled as the spec's codec_type.
type Type string

// The formats Sabot reads and writes.
const (
	JSON       Type = "json"
	Avro       Type = "avro"
	Protobuf   Type = "protobuf"
	JSONSchema Type = "json_schema"
	MsgPack    Type = "msgpack"
	String     Type = "string"
	Bytes      Type = "bytes"
	Arrow      Type = "arrow" // a value is an Arrow IPC stream of one batch
)

// Types lists every Type.
var Types = []Type{JSON, Avro, Protobuf, JSONSchema, MsgPack, String, Bytes, Arrow}

// ParseType accepts a Type's name in any case ("JSON_SCHEMA" too).
func ParseType(s string) (Type, error) {
	t := Type(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Types {
		if t == known {
			return t, nil
		}
	}
	return "", fmt.Errorf("codec: unknown codec type %q (want one of %v)", s, Types)
}

// Registry is what the registry formats need from a schema registry client.
type Registry interface {
	registry.Resolver
	registry.Registrar
}

// Spec names a format and its options: the Go form of codec_type plus
// codec_options. Which fields matter depends on Type; Validate says what is
// missing.
type Spec struct {
	Type Type

	// Registry serves writer schemas for values in the Confluent wire format
	// (required to decode Avro, Protobuf and JSON Schema values that carry
	// the header, and to encode them with one).
	Registry Registry
	// Subject is the subject encoders register under. When empty, Strategy
	// names it.
	Subject string
	// Strategy names the subject from the topic and the written record's
	// fully qualified name when Subject is empty (default: the topic name
	// strategy, "{topic}-value").
	Strategy func(topic string, isKey bool, recordName string) (string, error)
	// Topic is the topic the encoder writes, for the subject strategy.
	Topic string

	// Schema is the writer schema text given inline: an Avro schema, a JSON
	// Schema document or a .proto file.
	Schema string
	// ReaderSchema is an Avro reader schema: values written with any
	// compatible writer schema decode into it (one batch layout).
	ReaderSchema string
	// ArrowSchema is the column layout for JSON and MessagePack values.
	ArrowSchema *arrow.Schema
	// Sample holds example values the JSON or MessagePack column layout is
	// inferred from when neither ArrowSchema nor Schema is given.
	Sample [][]byte
	// ProtoMessage is the full name of the Protobuf message in Schema.
	ProtoMessage string
	// ProtoDescriptor is a compiled Protobuf message type (instead of Schema
	// and ProtoMessage).
	ProtoDescriptor protoreflect.MessageDescriptor
	// ProtoImports are further .proto files Schema imports, by import path.
	ProtoImports map[string]string
	// References are the registry references of Schema (Protobuf imports,
	// Avro named types, JSON Schema $refs), registered with it by encoders.
	References []registry.Reference

	// Column names the column String and Bytes encoders write (default: the
	// only column).
	Column string
	// Metadata selects Kafka metadata columns added to decoded batches.
	Metadata decode.Metadata
	// Limits cap lengths and counts read from the wire.
	Limits decode.Limits
	// Allocator for Arrow memory (default memory.DefaultAllocator).
	Allocator memory.Allocator
}

// ErrNotAvailable is returned for formats this build cannot decode or encode
// yet.
var ErrNotAvailable = errors.New("codec: format not available")

// Validate reports every problem with s at once.
func (s Spec) Validate() error {
	var errs []error
	if _, err := ParseType(string(s.Type)); err != nil {
		errs = append(errs, err)
	}
	switch s.Type {
	case String, Bytes:
		if s.Registry != nil || s.Schema != "" {
			errs = append(errs, fmt.Errorf("codec: %s values carry no schema; Registry and Schema must be unset", s.Type))
		}
	case Avro, JSONSchema:
		if s.Registry == nil && s.Schema == "" && s.ReaderSchema == "" {
			errs = append(errs, fmt.Errorf("codec: %s needs a Registry or an inline Schema", s.Type))
		}
	case Protobuf:
		if s.Registry == nil && s.Schema == "" && s.ProtoDescriptor == nil {
			errs = append(errs, errors.New("codec: protobuf needs a Registry, a .proto Schema or a ProtoDescriptor"))
		}
	}
	if s.ReaderSchema != "" && s.Type != Avro {
		errs = append(errs, fmt.Errorf("codec: ReaderSchema applies to avro, not %s", s.Type))
	}
	return errors.Join(errs...)
}

// wire is the framing of values: the Confluent header when a registry is
// given for a registry format.
func (s Spec) wire() decode.Wire {
	if s.Registry != nil && (s.Type == Avro || s.Type == Protobuf || s.Type == JSONSchema) {
		return decode.WireConfluent
	}
	return decode.WireNone
}

// NewDecoder returns a decoder for s.
func NewDecoder(s Spec) (*decode.Decoder, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	cfg := decode.Config{Metadata: s.Metadata, Allocator: s.Allocator, Wire: s.wire()}
	if cfg.Wire == decode.WireConfluent {
		cfg.Registry = s.Registry
	}
	comp, err := decodeCompiler(s)
	if err != nil {
		return nil, err
	}
	cfg.Compiler = comp
	cfg.MessageIndexes = s.Type == Protobuf && cfg.Wire == decode.WireConfluent
	return decode.New(cfg)
}

// NewEncoder returns an encoder for s. With a Registry, registry formats
// register their writer schema (under Subject, or the name Strategy gives)
// and prefix every value with the wire-format header.
func NewEncoder(s Spec) (*encode.Encoder, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	comp, err := encodeCompiler(s)
	if err != nil {
		return nil, err
	}
	cfg := encode.Config{Compiler: withoutMetadata{comp}}
	if s.wire() == decode.WireConfluent {
		cfg.Registrar = s.Registry
		cfg.Subject = s.subjectFor
	}
	return encode.New(cfg)
}

// subjectFor names the subject a writer schema registers under.
func (s Spec) subjectFor(w encode.Writer) (string, error) {
	if s.Subject != "" {
		return s.Subject, nil
	}
	strategy := s.Strategy
	if strategy == nil {
		strategy = registry.TopicNameStrategy
	}
	return strategy(s.Topic, false, w.RecordName)
}
