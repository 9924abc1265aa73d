package codec

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/registry"
)

// Format is a value format with its options, named by Name and set by the
// fields of its type: JSON, JSONSchema, Avro, Protobuf, MsgPack, String,
// Bytes or Arrow. The set is
// closed: only this package's types implement Format, and a Spec takes them
// as values (JSON{...}, not &JSON{...}).
type Format interface {
	// Name is the format's codec_type: "json", "json_schema", "avro",
	// "protobuf", "msgpack", "string", "bytes" or "arrow".
	Name() string

	// registered reports whether values of the format carry the Confluent
	// wire-format header when the Spec has a Registry.
	registered() bool
	// check returns the problems of the options within s.
	check(s Spec) []error
	// decodeCompiler and encodeCompiler build the format package's
	// compilers for s.
	decodeCompiler(s Spec) (decode.Compiler, error)
	encodeCompiler(s Spec) (encode.Compiler, error)
}

// formats are the zero options of every format, in FormatNames order.
var formats = []Format{JSON{}, Avro{}, Protobuf{}, JSONSchema{}, MsgPack{}, String{}, Bytes{}, Arrow{}}

// FormatNames lists the Name of every Format.
var FormatNames = func() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name()
	}
	return names
}()

// ParseFormat returns the zero options of the format named name, in any case
// ("JSON_SCHEMA" too).
func ParseFormat(name string) (Format, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, f := range formats {
		if f.Name() == n {
			return f, nil
		}
	}
	return nil, fmt.Errorf("codec: unknown codec type %q (want one of %v)", name, FormatNames)
}

// Registry is what the registry formats need from a schema registry client.
type Registry interface {
	registry.Resolver
	registry.Registrar
}

// Spec names a format and its options: the Go form of codec_type plus
// codec_options. Validate says what is missing, and what is set but does not
// apply.
type Spec struct {
	// Format is the value format with its options: JSON{}, JSONSchema{},
	// Avro{}, Protobuf{}, MsgPack{}, String{}, Bytes{} or Arrow{}. Required.
	Format Format

	// The registry settings apply to the registry formats (Avro, Protobuf
	// and JSONSchema) only; Validate rejects them for the others, and
	// Subject, Strategy and Topic without a Registry.

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

	// Metadata selects Kafka metadata columns added to decoded batches.
	Metadata decode.Metadata
	// Limits cap lengths and counts read from the wire.
	Limits decode.Limits
	// Allocator for Arrow memory of decoded batches, and of the Arrow IPC
	// reader and writer (default memory.DefaultAllocator).
	Allocator memory.Allocator
}

// Validate reports every problem with s at once: a missing Format, options
// a format needs but lacks, and settings the chosen format would ignore.
func (s Spec) Validate() error {
	var errs []error
	switch s.Format.(type) {
	case nil:
		errs = append(errs, fmt.Errorf("codec: no Format: set one of the format types (%s)", strings.Join(FormatNames, ", ")))
	case *JSON, *JSONSchema, *Avro, *Protobuf, *MsgPack, *String, *Bytes, *Arrow:
		errs = append(errs, fmt.Errorf("codec: Format is a %T: give the options as a value, not a pointer", s.Format))
	default:
		errs = append(errs, s.Format.check(s)...)
		errs = append(errs, s.registryProblems()...)
	}
	return errors.Join(errs...)
}

// registryProblems reports registry settings that do not apply.
func (s Spec) registryProblems() []error {
	var set []string
	if !s.Format.registered() && s.Registry != nil {
		set = append(set, "Registry")
	}
	if !s.Format.registered() || s.Registry == nil {
		if s.Subject != "" {
			set = append(set, "Subject")
		}
		if s.Strategy != nil {
			set = append(set, "Strategy")
		}
		if s.Topic != "" {
			set = append(set, "Topic")
		}
	}
	switch {
	case len(set) == 0:
		return nil
	case !s.Format.registered():
		return []error{fmt.Errorf("codec: %s values use no schema registry, so %s must be unset", s.Format.Name(), strings.Join(set, ", "))}
	}
	return []error{fmt.Errorf("codec: %s set without a Registry (they name the subject an encoder registers its writer schema under)", strings.Join(set, ", "))}
}

// wire is the framing of values: the Confluent header when a registry is
// given for a registry format.
func (s Spec) wire() decode.Wire {
	if s.Registry != nil && s.Format.registered() {
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
	comp, err := s.Format.decodeCompiler(s)
	if err != nil {
		return nil, err
	}
	cfg.Compiler = comp
	_, isProto := s.Format.(Protobuf)
	cfg.MessageIndexes = isProto && cfg.Wire == decode.WireConfluent
	return decode.New(cfg)
}

// NewEncoder returns an encoder for s. With a Registry, registry formats
// register their writer schema (under Subject, or the name Strategy gives)
// and prefix every value with the wire-format header.
func NewEncoder(s Spec) (*encode.Encoder, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	comp, err := s.Format.encodeCompiler(s)
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
