package protobuf

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// PrintFile renders a proto2 or proto3 file descriptor as .proto source text
// that compiles to the same messages and enums: what a registry stores for a
// message known only by its Go type. Options other than packed and default
// values, services and extensions are left out (they do not change the wire
// format of the messages). Editions files are refused: give their source text.
func PrintFile(fd protoreflect.FileDescriptor) (string, error) {
	var syntax string
	switch fd.Syntax() {
	case protoreflect.Proto2:
		syntax = "proto2"
	case protoreflect.Proto3:
		syntax = "proto3"
	default:
		return "", fmt.Errorf("protobuf: %s uses editions; pass its source text in Options.Proto", fd.Path())
	}
	p := &printer{proto3: fd.Syntax() == protoreflect.Proto3}
	p.line(0, "syntax = %q;", syntax)
	if fd.Package() != "" {
		p.line(0, "")
		p.line(0, "package %s;", fd.Package())
	}
	if imps := fd.Imports(); imps.Len() > 0 {
		p.line(0, "")
		for i := 0; i < imps.Len(); i++ {
			imp := imps.Get(i)
			mod := ""
			if imp.IsPublic {
				mod = "public "
			}
			p.line(0, "import %s%q;", mod, imp.Path())
		}
	}
	for i := 0; i < fd.Enums().Len(); i++ {
		p.line(0, "")
		p.enum(0, fd.Enums().Get(i))
	}
	for i := 0; i < fd.Messages().Len(); i++ {
		p.line(0, "")
		if err := p.message(0, fd.Messages().Get(i)); err != nil {
			return "", err
		}
	}
	return p.b.String(), nil
}

type printer struct {
	b      strings.Builder
	proto3 bool
}

func (p *printer) line(indent int, format string, args ...any) {
	p.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&p.b, format, args...)
	p.b.WriteByte('\n')
}

func (p *printer) enum(indent int, ed protoreflect.EnumDescriptor) {
	p.line(indent, "enum %s {", ed.Name())
	vals := ed.Values()
	seen := map[protoreflect.EnumNumber]bool{}
	alias := false
	for i := 0; i < vals.Len(); i++ {
		n := vals.Get(i).Number()
		alias = alias || seen[n]
		seen[n] = true
	}
	if alias {
		p.line(indent+1, "option allow_alias = true;")
	}
	for i := 0; i < vals.Len(); i++ {
		p.line(indent+1, "%s = %d;", vals.Get(i).Name(), vals.Get(i).Number())
	}
	p.line(indent, "}")
}

// message prints md; groups print their message inline with the field.
func (p *printer) message(indent int, md protoreflect.MessageDescriptor) error {
	p.line(indent, "message %s {", md.Name())
	if err := p.body(indent+1, md); err != nil {
		return err
	}
	p.line(indent, "}")
	return nil
}

func (p *printer) body(indent int, md protoreflect.MessageDescriptor) error {
	if md.ExtensionRanges().Len() > 0 || md.Extensions().Len() > 0 {
		return errors.New("protobuf: printing messages with extensions is not supported; pass the source text in Options.Proto")
	}
	for i := 0; i < md.Enums().Len(); i++ {
		p.enum(indent, md.Enums().Get(i))
	}
	for i := 0; i < md.Messages().Len(); i++ {
		nested := md.Messages().Get(i)
		if nested.IsMapEntry() || isGroupMessage(md, nested) {
			continue
		}
		if err := p.message(indent, nested); err != nil {
			return err
		}
	}
	fds := md.Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		od := fd.ContainingOneof()
		if od == nil || od.IsSynthetic() {
			if err := p.field(indent, fd, false); err != nil {
				return err
			}
			continue
		}
		if od.Fields().Get(0) != fd {
			continue // printed with the first member
		}
		p.line(indent, "oneof %s {", od.Name())
		for k := 0; k < od.Fields().Len(); k++ {
			if err := p.field(indent+1, od.Fields().Get(k), true); err != nil {
				return err
			}
		}
		p.line(indent, "}")
	}
	return nil
}

func isGroupMessage(parent, md protoreflect.MessageDescriptor) bool {
	fds := parent.Fields()
	for i := 0; i < fds.Len(); i++ {
		if fd := fds.Get(i); fd.Kind() == protoreflect.GroupKind && fd.Message() == md {
			return true
		}
	}
	return false
}

func (p *printer) field(indent int, fd protoreflect.FieldDescriptor, inOneof bool) error {
	label := ""
	switch {
	case fd.IsMap():
	case fd.Cardinality() == protoreflect.Repeated:
		label = "repeated "
	case inOneof:
	case fd.Cardinality() == protoreflect.Required:
		label = "required "
	case !p.proto3 || fd.HasOptionalKeyword():
		label = "optional "
	}
	var opts []string
	if fd.IsList() && isPackable(fd) {
		switch {
		case p.proto3 && !fd.IsPacked():
			opts = append(opts, "packed = false")
		case !p.proto3 && fd.IsPacked():
			opts = append(opts, "packed = true")
		}
	}
	if fd.HasDefault() {
		opts = append(opts, "default = "+defaultText(fd))
	}
	suffix := ""
	if len(opts) > 0 {
		suffix = " [" + strings.Join(opts, ", ") + "]"
	}
	if fd.Kind() == protoreflect.GroupKind {
		p.line(indent, "%sgroup %s = %d%s {", label, fd.Message().Name(), fd.Number(), suffix)
		if err := p.body(indent+1, fd.Message()); err != nil {
			return err
		}
		p.line(indent, "}")
		return nil
	}
	typ := typeName(fd)
	if fd.IsMap() {
		typ = fmt.Sprintf("map<%s, %s>", typeName(fd.MapKey()), typeName(fd.MapValue()))
	}
	p.line(indent, "%s%s %s = %d%s;", label, typ, fd.Name(), fd.Number(), suffix)
	return nil
}

func isPackable(fd protoreflect.FieldDescriptor) bool {
	switch fd.Kind() {
	case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.MessageKind, protoreflect.GroupKind:
		return false
	}
	return true
}

func typeName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return "." + string(fd.Message().FullName())
	case protoreflect.EnumKind:
		return "." + string(fd.Enum().FullName())
	}
	return fd.Kind().String()
}

func defaultText(fd protoreflect.FieldDescriptor) string {
	v := fd.Default()
	switch fd.Kind() {
	case protoreflect.StringKind:
		return quote([]byte(v.String()))
	case protoreflect.BytesKind:
		return quote(v.Bytes())
	case protoreflect.EnumKind:
		return string(fd.DefaultEnumValue().Name())
	case protoreflect.BoolKind:
		return strconv.FormatBool(v.Bool())
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f := v.Float()
		switch {
		case math.IsInf(f, 1):
			return "inf"
		case math.IsInf(f, -1):
			return "-inf"
		case math.IsNaN(f):
			return "nan"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return strconv.FormatUint(v.Uint(), 10)
	}
	return strconv.FormatInt(v.Int(), 10)
}

// quote writes a .proto string literal, escaping every byte that is not
// printable ASCII as octal.
func quote(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			fmt.Fprintf(&sb, "\\%03o", c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
