package compat

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sabot-kafka/sabot/registry"
)

// mainProtoPath is the file name the schema under check compiles as. It is
// unlikely to collide with an import path a reference uses.
const mainProtoPath = "sabot/registry/schema-under-check.proto"

// protoSchema is a compiled .proto file and the texts of the files it
// imports through references, to tell whether two types come from the same
// referenced schema.
type protoSchema struct {
	file protoreflect.FileDescriptor
	deps map[string]string
}

// Files Confluent's serializers import without registering them as
// references. Only their messages matter here; options are kept minimal.
var builtinProtoFiles = map[string]string{
	"confluent/meta.proto": `syntax = "proto3";
package confluent;
import "google/protobuf/descriptor.proto";
message Meta {
  string doc = 1;
  map<string, string> params = 2;
  repeated string tags = 3;
}
extend google.protobuf.FileOptions { Meta file_meta = 1088; }
extend google.protobuf.MessageOptions { Meta message_meta = 1088; }
extend google.protobuf.FieldOptions { Meta field_meta = 1088; }
extend google.protobuf.EnumOptions { Meta enum_meta = 1088; }
extend google.protobuf.EnumValueOptions { Meta enum_value_meta = 1088; }
`,
	"confluent/type/decimal.proto": `syntax = "proto3";
package confluent.type;
message Decimal {
  bytes value = 1;
  uint32 precision = 2;
  int32 scale = 3;
}
`,
}

// parseProtobuf compiles text with its references as importable files.
func parseProtobuf(text string, deps []registry.Dependency) (*protoSchema, error) {
	srcs := map[string]string{mainProtoPath: text}
	depTexts := make(map[string]string, len(deps))
	for _, d := range deps {
		if d.Schema.Type.Normalized() != registry.TypeProtobuf {
			return nil, fmt.Errorf("reference %q is %s, not PROTOBUF", d.Name, d.Schema.Type.Normalized())
		}
		if prev, ok := srcs[d.Name]; ok && prev != d.Schema.Text {
			return nil, fmt.Errorf("two references named %q with different schemas", d.Name)
		}
		srcs[d.Name] = d.Schema.Text
		depTexts[d.Name] = d.Schema.Text
	}
	for name, src := range builtinProtoFiles {
		if _, ok := srcs[name]; !ok {
			srcs[name] = src
		}
	}
	var firstErr error
	comp := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			Accessor: protocompile.SourceAccessorFromMap(srcs),
		}),
		MaxParallelism: 1,
		Reporter: reporter.NewReporter(func(err reporter.ErrorWithPos) error {
			if firstErr == nil {
				firstErr = err
			}
			return err
		}, nil),
	}
	files, err := comp.Compile(context.Background(), mainProtoPath)
	if err != nil {
		if firstErr != nil {
			err = firstErr
		}
		return nil, errors.New(strings.ReplaceAll(err.Error(), mainProtoPath+":", "line "))
	}
	if len(files) != 1 {
		return nil, fmt.Errorf("compiler returned %d files", len(files))
	}
	return &protoSchema{file: files[0], deps: depTexts}, nil
}

// The Protobuf rules are Confluent's: a schema diff whose differences are
// either compatible (fields and messages added or removed, names changed,
// enums changed) or not (package changed, a message removed, a field's kind,
// scalar group, message type or numeric label changed, required fields added
// or removed, fields moved into oneofs). The same diff serves both
// directions: BACKWARD diffs old→new, FORWARD new→old.

var protoCompatible = map[string]bool{
	"MESSAGE_ADDED": true, "MESSAGE_MOVED": true,
	"ENUM_ADDED": true, "ENUM_REMOVED": true,
	"ENUM_CONST_ADDED": true, "ENUM_CONST_CHANGED": true, "ENUM_CONST_REMOVED": true,
	"FIELD_ADDED": true, "FIELD_REMOVED": true, "FIELD_NAME_CHANGED": true,
	"FIELD_STRING_OR_BYTES_LABEL_CHANGED": true,
	"ONEOF_ADDED":                         true, "ONEOF_REMOVED": true, "ONEOF_FIELD_ADDED": true,
}

var protoMessages = map[string]string{
	"PACKAGE_CHANGED":                "the package changed",
	"MESSAGE_REMOVED":                "a message was removed",
	"FIELD_KIND_CHANGED":             "a field changed between scalar, message and map",
	"FIELD_SCALAR_KIND_CHANGED":      "a field's scalar type left its wire-compatible group",
	"FIELD_NAMED_TYPE_CHANGED":       "a field's message type changed",
	"FIELD_NUMERIC_LABEL_CHANGED":    "a numeric field's label changed",
	"REQUIRED_FIELD_ADDED":           "a required field was added",
	"REQUIRED_FIELD_REMOVED":         "a required field was removed",
	"ONEOF_FIELD_REMOVED":            "a oneof field was removed",
	"MULTIPLE_FIELDS_MOVED_TO_ONEOF": "several existing fields moved into one oneof",
	"FIELD_MOVED_TO_EXISTING_ONEOF":  "a field moved into a oneof that already existed",
}

type protoDiff struct {
	orig, upd *protoSchema
	path      []string
	inScope   map[protoreflect.FullName]bool
	diffs     []Issue
}

func checkProtobuf(original, update *protoSchema) []Issue {
	d := &protoDiff{orig: original, upd: update, inScope: make(map[protoreflect.FullName]bool)}
	if original.file.Package() != update.file.Package() {
		d.add("PACKAGE_CHANGED")
	}
	d.compareTypes(original.file.Messages(), original.file.Enums(), update.file.Messages(), update.file.Enums())
	var out []Issue
	for _, is := range d.diffs {
		if !protoCompatible[is.Kind] {
			out = append(out, is)
		}
	}
	return dedupe(out)
}

func (d *protoDiff) add(kind string) {
	d.diffs = append(d.diffs, Issue{Kind: kind, Path: "#" + joinPath(d.path), Message: protoMessages[kind]})
}

func (d *protoDiff) push(s string) { d.path = append(d.path, s) }
func (d *protoDiff) pop()          { d.path = d.path[:len(d.path)-1] }

func (d *protoDiff) compatible() bool {
	for _, is := range d.diffs {
		if !protoCompatible[is.Kind] {
			return false
		}
	}
	return true
}

// sub is a diff sharing the scope, for comparisons whose verdict decides a
// difference of their own.
func (d *protoDiff) sub() *protoDiff {
	return &protoDiff{orig: d.orig, upd: d.upd, path: append([]string(nil), d.path...), inScope: d.inScope}
}

type indexedMessage struct {
	msg   protoreflect.MessageDescriptor
	index int
}

func messagesByName(ms protoreflect.MessageDescriptors) map[protoreflect.Name]indexedMessage {
	out := make(map[protoreflect.Name]indexedMessage, ms.Len())
	n := 0
	for i := 0; i < ms.Len(); i++ {
		m := ms.Get(i)
		if m.IsMapEntry() {
			continue // map<k,v> fields, compared as maps
		}
		out[m.Name()] = indexedMessage{m, n}
		n++
	}
	return out
}

func (d *protoDiff) compareTypes(om protoreflect.MessageDescriptors, oe protoreflect.EnumDescriptors, um protoreflect.MessageDescriptors, ue protoreflect.EnumDescriptors) {
	origMsgs, updMsgs := messagesByName(om), messagesByName(um)
	for _, name := range unionKeys(origMsgs, updMsgs) {
		o, inOrig := origMsgs[name]
		u, inUpd := updMsgs[name]
		d.push(string(name))
		switch {
		case !inUpd:
			d.add("MESSAGE_REMOVED")
		case !inOrig:
			d.add("MESSAGE_ADDED")
		default:
			d.compareMessage(o.msg, u.msg)
			if o.index != u.index {
				d.add("MESSAGE_MOVED")
			}
		}
		d.pop()
	}
	origEnums, updEnums := enumsByName(oe), enumsByName(ue)
	for _, name := range unionKeys(origEnums, updEnums) {
		o, inOrig := origEnums[name]
		u, inUpd := updEnums[name]
		d.push(string(name))
		switch {
		case !inUpd:
			d.add("ENUM_REMOVED")
		case !inOrig:
			d.add("ENUM_ADDED")
		default:
			d.compareEnum(o, u)
		}
		d.pop()
	}
}

func enumsByName(es protoreflect.EnumDescriptors) map[protoreflect.Name]protoreflect.EnumDescriptor {
	out := make(map[protoreflect.Name]protoreflect.EnumDescriptor, es.Len())
	for i := 0; i < es.Len(); i++ {
		out[es.Get(i).Name()] = es.Get(i)
	}
	return out
}

func (d *protoDiff) compareEnum(o, u protoreflect.EnumDescriptor) {
	ov, uv := enumValuesByNumber(o), enumValuesByNumber(u)
	for _, n := range unionKeys(ov, uv) {
		a, inO := ov[n]
		b, inU := uv[n]
		d.push(fmt.Sprint(n))
		switch {
		case !inU:
			d.add("ENUM_CONST_REMOVED")
		case !inO:
			d.add("ENUM_CONST_ADDED")
		case a != b:
			d.add("ENUM_CONST_CHANGED")
		}
		d.pop()
	}
}

func enumValuesByNumber(e protoreflect.EnumDescriptor) map[protoreflect.EnumNumber]protoreflect.Name {
	vs := e.Values()
	out := make(map[protoreflect.EnumNumber]protoreflect.Name, vs.Len())
	for i := 0; i < vs.Len(); i++ {
		out[vs.Get(i).Number()] = vs.Get(i).Name()
	}
	return out
}
