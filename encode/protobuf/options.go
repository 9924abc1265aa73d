package protobuf

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"google.golang.org/protobuf/reflect/protoreflect"

	pbdecode "github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/protoschema"
)

// Options configure a Compiler. The message comes from Descriptor, or from
// Proto text with Imports and Message.
type Options struct {
	// Descriptor is the message to write, e.g. from a generated Go type.
	Descriptor protoreflect.MessageDescriptor
	// Proto is the .proto source text of the message's file. It is what the
	// Writer registers; without it the text is printed from Descriptor.
	Proto string
	// Imports maps import paths to source text for Proto's imports.
	Imports map[string]string
	// Message names the message in Proto (full name or relative to the
	// package); empty means the first message of the file.
	Message string
	// References are the registry references for Proto's imports (the
	// well-known google/protobuf files need none).
	References []registry.Reference
	// IgnoreExtraColumns skips columns that name no field (metadata columns,
	// say) instead of failing the compile.
	IgnoreExtraColumns bool
}

// NewCompiler returns an encode.Compiler writing the message opts name from
// batches whose columns are its fields (by name, in any order; a missing
// column leaves its field absent). It is safe for concurrent use.
func NewCompiler(opts Options) encode.Compiler {
	return encode.CompilerFunc(func(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
		md, err := pbdecode.Options{Descriptor: opts.Descriptor, Proto: opts.Proto, Imports: opts.Imports, Message: opts.Message}.Resolve(context.Background())
		if err != nil {
			return nil, encode.Writer{}, err
		}
		p, err := NewPlan(s, md, opts)
		if err != nil {
			return nil, encode.Writer{}, err
		}
		w, err := NewWriter(md, opts)
		if err != nil {
			return nil, encode.Writer{}, err
		}
		return p, w, nil
	})
}

// NewWriter describes values of md for the wire-format header: the .proto
// text to register (type PROTOBUF), the message-index path of md in its file
// and its full name.
func NewWriter(md protoreflect.MessageDescriptor, opts Options) (encode.Writer, error) {
	text := opts.Proto
	if text == "" {
		var err error
		if text, err = protoschema.Print(md.ParentFile()); err != nil {
			return encode.Writer{}, fmt.Errorf("protobuf: writer schema for %s: %w", md.FullName(), err)
		}
	}
	return encode.Writer{
		Schema: registry.Schema{
			Type:       registry.TypeProtobuf,
			Text:       text,
			References: opts.References,
		},
		MessageIndexes: pbdecode.MessagePath(md),
		RecordName:     string(md.FullName()),
	}, nil
}
