package protoschema

import (
	"fmt"

	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// WithoutExtensions returns fd without its extension declarations (extend
// blocks, top-level and nested) and without custom options (options set
// through extensions of the google.protobuf.*Options messages): the
// "ignore_extensions" form of Confluent's registry. Messages, fields, enums,
// services and standard options are kept; imports are kept too, even those
// only the removed parts used.
func WithoutExtensions(fd protoreflect.FileDescriptor) (protoreflect.FileDescriptor, error) {
	fdp := protodesc.ToFileDescriptorProto(fd)
	fdp.SourceCodeInfo = nil
	fdp.Extension = nil
	var dropNested func(msgs []*descriptorpb.DescriptorProto)
	dropNested = func(msgs []*descriptorpb.DescriptorProto) {
		for _, m := range msgs {
			m.Extension = nil
			dropNested(m.NestedType)
		}
	}
	dropNested(fdp.MessageType)
	stripCustomOptions(fdp.ProtoReflect())
	files := new(protoregistry.Files)
	if err := registerImports(files, fd); err != nil {
		return nil, err
	}
	out, err := protodesc.NewFile(fdp, files)
	if err != nil {
		return nil, fmt.Errorf("protoschema: %s without extensions: %w", fd.Path(), err)
	}
	return out, nil
}

// registerImports adds fd's imports, transitively, to files.
func registerImports(files *protoregistry.Files, fd protoreflect.FileDescriptor) error {
	imps := fd.Imports()
	for i := 0; i < imps.Len(); i++ {
		imp := imps.Get(i).FileDescriptor
		if _, err := files.FindFileByPath(imp.Path()); err == nil {
			continue
		}
		if err := registerImports(files, imp); err != nil {
			return err
		}
		if err := files.RegisterFile(imp); err != nil {
			return fmt.Errorf("protoschema: import %s: %w", imp.Path(), err)
		}
	}
	return nil
}

// stripCustomOptions clears extension fields and unknown fields (custom
// options not resolved as extensions) of every google.protobuf.*Options
// message under m.
func stripCustomOptions(m protoreflect.Message) {
	var drop []protoreflect.FieldDescriptor
	isOptions := isOptionsMessage(m.Descriptor())
	m.Range(func(f protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case isOptions && f.IsExtension():
			drop = append(drop, f)
		case f.Message() == nil || f.IsMap():
		case f.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				stripCustomOptions(l.Get(i).Message())
			}
		default:
			stripCustomOptions(v.Message())
		}
		return true
	})
	for _, f := range drop {
		m.Clear(f)
	}
	if isOptions {
		m.SetUnknown(nil)
	}
}

func isOptionsMessage(md protoreflect.MessageDescriptor) bool {
	switch md.FullName() {
	case "google.protobuf.FileOptions", "google.protobuf.MessageOptions",
		"google.protobuf.FieldOptions", "google.protobuf.OneofOptions",
		"google.protobuf.EnumOptions", "google.protobuf.EnumValueOptions",
		"google.protobuf.ServiceOptions", "google.protobuf.MethodOptions",
		"google.protobuf.ExtensionRangeOptions":
		return true
	}
	return false
}
