package protobuf

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
)

// EnumMode says how enum fields become Arrow columns.
type EnumMode uint8

const (
	// EnumDictionary maps an enum to Dictionary<int32, utf8> whose dictionary
	// holds the value names in declaration order (the default).
	EnumDictionary EnumMode = iota
	// EnumString maps an enum to utf8: the value's name.
	EnumString
	// EnumNumber maps an enum to int32: the value's number.
	EnumNumber
)

// OneofMode says how oneof groups become Arrow columns. Every member is always
// its own nullable column (null unless it is the member set).
type OneofMode uint8

const (
	// OneofCase adds a utf8 column named after the oneof, placed before its
	// first member, holding the name of the member set (null when none is).
	// The default.
	OneofCase OneofMode = iota
	// OneofMembersOnly adds no case column.
	OneofMembersOnly
)

// Options configure a Compiler. The message comes from, in order: the writer
// schema of a registry-framed value (with its message-index path), Descriptor,
// or Proto text with Imports and Message.
type Options struct {
	// Descriptor is the message to decode, e.g. from a generated Go type:
	// (*pb.Order)(nil).ProtoReflect().Descriptor().
	Descriptor protoreflect.MessageDescriptor
	// Proto is .proto source text to compile when Descriptor is nil.
	Proto string
	// Imports maps import paths to source text for Proto's imports.
	// google/protobuf/*.proto are always available.
	Imports map[string]string
	// Message names the message in Proto: a full name or one relative to the
	// file's package. Empty means the first message of the file.
	Message string
	// Limits cap lengths, counts and nesting read from the wire.
	Limits decode.Limits
	// Enums selects the enum column type (default EnumDictionary).
	Enums EnumMode
	// Oneofs selects the oneof representation (default OneofCase).
	Oneofs OneofMode
}

// NewCompiler returns a decode.Compiler for opts. For registry-framed values
// (Compile with a writer schema) the writer schema's .proto text is compiled
// and the message-index path picks the message; otherwise the message comes
// from opts. It is safe for concurrent use.
func NewCompiler(opts Options) decode.Compiler {
	return compiler{opts: opts}
}

type compiler struct{ opts Options }

func (c compiler) Compile(s *registry.ResolvedSchema, path []int) (decode.Plan, error) {
	md, err := c.message(s, path)
	if err != nil {
		return nil, err
	}
	return NewPlan(md, c.opts)
}

func (c compiler) message(s *registry.ResolvedSchema, path []int) (protoreflect.MessageDescriptor, error) {
	ctx := context.Background()
	if s != nil {
		fd, err := CompileSchema(ctx, s)
		if err != nil {
			return nil, err
		}
		return MessageByPath(fd, path)
	}
	return c.opts.Resolve(ctx)
}

// Resolve returns the message descriptor opts name: Descriptor, or the
// Message of Proto compiled with Imports.
func (o Options) Resolve(ctx context.Context) (protoreflect.MessageDescriptor, error) {
	if o.Descriptor != nil {
		return o.Descriptor, nil
	}
	if o.Proto == "" {
		return nil, errors.New("protobuf: Options need a Descriptor or Proto text")
	}
	fd, err := CompileProto(ctx, "", o.Proto, o.Imports)
	if err != nil {
		return nil, err
	}
	if o.Message == "" {
		if fd.Messages().Len() == 0 {
			return nil, fmt.Errorf("%w: the file declares no message", ErrNoMessage)
		}
		return fd.Messages().Get(0), nil
	}
	return MessageByName(fd, o.Message)
}
