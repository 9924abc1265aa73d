package protobuf

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/protoschema"
)

// ErrNoMessage is wrapped by errors for a message name or index path that
// names no message in the file.
var ErrNoMessage = errors.New("protobuf: no such message")

// CompileProto compiles a schema file into a file descriptor. text, and
// each import, is .proto source or the serialized form registries also use
// (a base64 FileDescriptorProto). imports maps import paths to their text;
// the well-known google/protobuf/*.proto files are always available. name
// is the path the file is known by in error messages and to files that
// import it (default "schema.proto").
func CompileProto(ctx context.Context, name, text string, imports map[string]string) (protoreflect.FileDescriptor, error) {
	if name == "" {
		name = "schema.proto"
	}
	fd, err := protoschema.Compile(ctx, name, text, imports)
	if err != nil {
		return nil, fmt.Errorf("protobuf: %w", err)
	}
	return fd, nil
}

// CompileSchema compiles a registry schema: its Text and its Deps (the
// imported files, by import path) are each .proto source or a base64
// FileDescriptorProto, whichever form the registry answered with.
func CompileSchema(ctx context.Context, s *registry.ResolvedSchema) (protoreflect.FileDescriptor, error) {
	if s.Type != registry.TypeProtobuf {
		return nil, fmt.Errorf("protobuf: schema %d is of type %q, not PROTOBUF", s.ID, s.Type)
	}
	imports := make(map[string]string, len(s.Deps))
	for _, d := range s.Deps {
		imports[d.Name] = d.Schema.Text
	}
	fd, err := protoschema.Compile(ctx, "", s.Text, imports)
	if err != nil {
		return nil, fmt.Errorf("protobuf: schema %d: %w", s.ID, err)
	}
	return fd, nil
}

// MessageByPath returns the message a Confluent message-index path names:
// [i, j, ...] is the i-th top-level message of fd, then its j-th nested
// message, and so on. An empty path means [0].
func MessageByPath(fd protoreflect.FileDescriptor, path []int) (protoreflect.MessageDescriptor, error) {
	if len(path) == 0 {
		path = []int{0}
	}
	msgs := fd.Messages()
	var md protoreflect.MessageDescriptor
	for depth, ix := range path {
		if ix < 0 || ix >= msgs.Len() {
			return nil, fmt.Errorf("%w: index path %v: step %d is %d but %s has %d messages there",
				ErrNoMessage, path, depth, ix, scopeName(fd, md), msgs.Len())
		}
		md = msgs.Get(ix)
		msgs = md.Messages()
	}
	return md, nil
}

func scopeName(fd protoreflect.FileDescriptor, md protoreflect.MessageDescriptor) string {
	if md == nil {
		return "file " + fd.Path()
	}
	return string(md.FullName())
}

// MessageByName returns the message called name in fd: a full name
// ("pkg.Outer.Inner") or a name relative to the file's package
// ("Outer.Inner").
func MessageByName(fd protoreflect.FileDescriptor, name string) (protoreflect.MessageDescriptor, error) {
	full := protoreflect.FullName(strings.TrimPrefix(name, "."))
	if md := findMessage(fd.Messages(), full); md != nil {
		return md, nil
	}
	if pkg := fd.Package(); pkg != "" {
		if md := findMessage(fd.Messages(), pkg+"."+full); md != nil {
			return md, nil
		}
	}
	return nil, fmt.Errorf("%w: %q in %s", ErrNoMessage, name, fd.Path())
}

func findMessage(msgs protoreflect.MessageDescriptors, name protoreflect.FullName) protoreflect.MessageDescriptor {
	for i := 0; i < msgs.Len(); i++ {
		md := msgs.Get(i)
		if md.FullName() == name {
			return md
		}
		if strings.HasPrefix(string(name), string(md.FullName())+".") {
			if d := findMessage(md.Messages(), name); d != nil {
				return d
			}
		}
	}
	return nil
}

// MessagePath returns the Confluent message-index path of md within its file:
// the inverse of MessageByPath.
func MessagePath(md protoreflect.MessageDescriptor) []int {
	var rev []int
	for d := protoreflect.Descriptor(md); ; {
		m, ok := d.(protoreflect.MessageDescriptor)
		if !ok {
			break
		}
		rev = append(rev, m.Index())
		d = m.Parent()
	}
	path := make([]int, len(rev))
	for i, ix := range rev {
		path[len(rev)-1-i] = ix
	}
	return path
}
