package protoschema

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/jhump/protoreflect/v2/protoprint"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// DefaultName is the file name Confluent's registry gives a schema it
// serializes, and the name Compile uses when given none.
const DefaultName = "default"

// ErrNotSerialized is wrapped by ParseSerialized's errors for text that is
// not base64, so callers can tell "not this form" from "broken descriptor".
var ErrNotSerialized = errors.New("protoschema: not a base64 FileDescriptorProto")

// ParseSerialized decodes text as the serialized form: standard base64
// (padded or not, surrounding whitespace ignored) of a FileDescriptorProto.
// The result is not linked: its imports and type names are not checked
// (Compile does that).
func ParseSerialized(text string) (*descriptorpb.FileDescriptorProto, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("%w: empty text", ErrNotSerialized)
	}
	enc := base64.StdEncoding
	if !strings.HasSuffix(text, "=") && len(text)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	raw, err := enc.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSerialized, err)
	}
	fdp := &descriptorpb.FileDescriptorProto{}
	if err := proto.Unmarshal(raw, fdp); err != nil {
		return nil, fmt.Errorf("protoschema: base64 text is not a FileDescriptorProto: %w", err)
	}
	return fdp, nil
}

// IsSerialized reports whether text is in the serialized form. .proto
// source always holds characters outside the base64 alphabet (spaces,
// quotes, semicolons, braces), so the two forms cannot be confused.
func IsSerialized(text string) bool {
	_, err := ParseSerialized(text)
	return err == nil
}

// Compile compiles a schema in either form. name is the path the file is
// known by to error messages and to the files importing it (when empty,
// DefaultName or, if a dep has that path, a variant of it); deps maps import
// paths to the imported files, each in either form. The well-known
// google/protobuf/*.proto files are always available; a dep of the same path
// takes precedence.
func Compile(ctx context.Context, name, text string, deps map[string]string) (protoreflect.FileDescriptor, error) {
	if name == "" {
		name = DefaultName
		for i := 0; ; i++ {
			if _, clash := deps[name]; !clash {
				break
			}
			name = fmt.Sprintf("%s%d", DefaultName, i)
		}
	}
	if _, clash := deps[name]; clash {
		return nil, fmt.Errorf("protoschema: the compiled file's name %q is also an import", name)
	}
	files := make(map[string]string, len(deps)+1)
	for k, v := range deps {
		files[k] = v
	}
	files[name] = text
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
			src, ok := files[path]
			if !ok {
				return protocompile.SearchResult{}, fs.ErrNotExist
			}
			fdp, err := ParseSerialized(src)
			switch {
			case err == nil:
				fdp.Name = proto.String(path)
				fillJSONNames(fdp)
				return protocompile.SearchResult{Proto: fdp}, nil
			case errors.Is(err, ErrNotSerialized):
				return protocompile.SearchResult{Source: strings.NewReader(src)}, nil
			default:
				return protocompile.SearchResult{}, fmt.Errorf("%s: %w", path, err)
			}
		})),
		MaxParallelism: 1,
	}
	out, err := c.Compile(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("protoschema: compiling %s: %w", name, err)
	}
	if err := checkSerialized(out[0], files); err != nil {
		return nil, fmt.Errorf("protoschema: compiling %s: %w", name, err)
	}
	return out[0], nil
}

// checkSerialized validates, with protodesc's full checks, each file of
// fd's graph that came in the serialized form: protocompile links a
// descriptor it is handed but does not check names, numbers and types the
// way it checks source.
func checkSerialized(fd protoreflect.FileDescriptor, files map[string]string) error {
	seen := map[string]bool{}
	var walk func(fd protoreflect.FileDescriptor) error
	walk = func(fd protoreflect.FileDescriptor) error {
		if seen[fd.Path()] {
			return nil
		}
		seen[fd.Path()] = true
		imps := fd.Imports()
		for i := 0; i < imps.Len(); i++ {
			if err := walk(imps.Get(i).FileDescriptor); err != nil {
				return err
			}
		}
		if src, ok := files[fd.Path()]; !ok || !IsSerialized(src) {
			return nil
		}
		deps := new(protoregistry.Files)
		if err := registerImports(deps, fd); err != nil {
			return err
		}
		if _, err := protodesc.NewFile(protodesc.ToFileDescriptorProto(fd), deps); err != nil {
			return fmt.Errorf("%s: %w", fd.Path(), err)
		}
		return nil
	}
	return walk(fd)
}

// fillJSONNames sets the json_name protoc would give every field that has
// none. Serializers leave it out (Python's serialized_pb, Java's
// toByteArray); protocompile's linker takes a missing one for a custom
// empty name.
func fillJSONNames(fdp *descriptorpb.FileDescriptorProto) {
	fill := func(fields []*descriptorpb.FieldDescriptorProto) {
		for _, f := range fields {
			if f.JsonName == nil {
				f.JsonName = proto.String(defaultJSONName(f.GetName()))
			}
		}
	}
	var msgs func([]*descriptorpb.DescriptorProto)
	msgs = func(ms []*descriptorpb.DescriptorProto) {
		for _, m := range ms {
			fill(m.Field)
			fill(m.Extension)
			msgs(m.NestedType)
		}
	}
	fill(fdp.Extension)
	msgs(fdp.MessageType)
}

// defaultJSONName is protobuf's default JSON name of a field: underscores
// dropped, each letter after one upper-cased.
func defaultJSONName(name string) string {
	var b strings.Builder
	upper := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_':
			upper = true
		case upper && 'a' <= c && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
			upper = false
		default:
			b.WriteByte(c)
			upper = false
		}
	}
	return b.String()
}

// Serialize returns fd in the serialized form, with its file name set to
// name (DefaultName when empty) and without source locations, as
// Confluent's registry answers ?format=serialized.
func Serialize(fd protoreflect.FileDescriptor, name string) string {
	return base64.StdEncoding.EncodeToString(marshal(Descriptor(fd, name)))
}

// Descriptor returns fd as a FileDescriptorProto named name (DefaultName
// when empty), without source locations.
func Descriptor(fd protoreflect.FileDescriptor, name string) *descriptorpb.FileDescriptorProto {
	if name == "" {
		name = DefaultName
	}
	fdp := protodesc.ToFileDescriptorProto(fd)
	fdp.Name = proto.String(name)
	fdp.SourceCodeInfo = nil
	return fdp
}

func marshal(fdp *descriptorpb.FileDescriptorProto) []byte {
	// A FileDescriptorProto built by protodesc always marshals.
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(fdp)
	return b
}

// Print renders fd as .proto source text that compiles to the same
// descriptor: every syntax (proto2, proto3, editions), options (custom ones
// included), services and extensions, and the comments of fd's source
// locations when it has them.
func Print(fd protoreflect.FileDescriptor) (string, error) {
	p := protoprint.Printer{Indent: "  ", Compact: true}
	var b strings.Builder
	if err := p.PrintProtoFile(fd, &b); err != nil {
		return "", fmt.Errorf("protoschema: printing %s: %w", fd.Path(), err)
	}
	return b.String(), nil
}
