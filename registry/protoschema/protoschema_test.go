package protoschema_test

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sabot-kafka/sabot/registry/protoschema"
)

// dir holds the golden schemas: base64 FileDescriptorProtos protoc wrote,
// as confluent-kafka-python registers them (see its README).
var dir = filepath.Join("..", "..", "testdata", "registry", "protobuf")

func read(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const moneyPath = "shop/common/money.proto"

// compileText compiles the golden order.proto from source.
func compileText(t testing.TB) protoreflect.FileDescriptor {
	t.Helper()
	fd, err := protoschema.Compile(t.Context(), "shop/v1/order.proto", read(t, "shop/v1/order.proto"),
		map[string]string{moneyPath: read(t, moneyPath)})
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func TestParseSerialized(t *testing.T) {
	fdp, err := protoschema.ParseSerialized(read(t, "money.b64"))
	if err != nil {
		t.Fatal(err)
	}
	if fdp.GetName() != moneyPath || fdp.GetPackage() != "shop.common" || len(fdp.GetMessageType()) != 1 {
		t.Fatalf("money.b64 parsed as %v", fdp)
	}
	unpadded := strings.TrimRight(strings.TrimSpace(read(t, "money.b64")), "=")
	if _, err := protoschema.ParseSerialized(unpadded); err != nil {
		t.Errorf("unpadded base64: %v", err)
	}
	for _, tc := range []struct {
		name, text  string
		notThisForm bool // the error wraps ErrNotSerialized
	}{
		{"empty", "", true},
		{"blank", " \n\t", true},
		{"proto source", read(t, moneyPath), true},
		{"comment only", "// nothing", true},
		{"url alphabet", "ab-_", true},
		{"not a message", base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff}), false},
		{"field number 0", "AAAA", false},
	} {
		_, err := protoschema.ParseSerialized(tc.text)
		if err == nil || errors.Is(err, protoschema.ErrNotSerialized) != tc.notThisForm {
			t.Errorf("%s: error %v, want one (wrapping ErrNotSerialized: %v)", tc.name, err, tc.notThisForm)
		}
		if protoschema.IsSerialized(tc.text) {
			t.Errorf("%s: IsSerialized", tc.name)
		}
	}
}

// TestCompileBothForms: the serialized files protoc wrote and the .proto
// sources compile to the same descriptor, and a serialized schema may
// import a source one and the other way round.
func TestCompileBothForms(t *testing.T) {
	want := protoschema.Descriptor(compileText(t), "x")
	for _, tc := range []struct{ name, order, money string }{
		{"both serialized", read(t, "order.b64"), read(t, "money.b64")},
		{"serialized schema, source import", read(t, "order.b64"), read(t, moneyPath)},
		{"source schema, serialized import", read(t, "shop/v1/order.proto"), read(t, "money.b64")},
	} {
		fd, err := protoschema.Compile(t.Context(), "", tc.order, map[string]string{moneyPath: tc.money})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if fd.Path() != protoschema.DefaultName {
			t.Errorf("%s: path %q", tc.name, fd.Path())
		}
		if got := protoschema.Descriptor(fd, "x"); !proto.Equal(got, want) {
			t.Errorf("%s: descriptor differs from the source's:\n%v\nwant\n%v", tc.name, got, want)
		}
	}
	if _, err := protoschema.Compile(t.Context(), "", read(t, "order.b64"), nil); err == nil || !strings.Contains(err.Error(), moneyPath) {
		t.Errorf("missing import: %v", err)
	}
	if _, err := protoschema.Compile(t.Context(), "", "CgA=", map[string]string{protoschema.DefaultName: ""}); err != nil {
		t.Errorf("a dep named %q: %v", protoschema.DefaultName, err)
	}
}

// TestSerializeAndPrint: both renderings of a compiled file compile back
// to the same descriptor.
func TestSerializeAndPrint(t *testing.T) {
	fd := compileText(t)
	want := protoschema.Descriptor(fd, "x")
	deps := map[string]string{moneyPath: read(t, "money.b64")}

	ser := protoschema.Serialize(fd, "")
	fdp, err := protoschema.ParseSerialized(ser)
	if err != nil {
		t.Fatal(err)
	}
	if fdp.GetName() != protoschema.DefaultName || fdp.SourceCodeInfo != nil {
		t.Errorf("serialized: name %q, source info %v", fdp.GetName(), fdp.SourceCodeInfo != nil)
	}
	text, err := protoschema.Print(fd)
	if err != nil {
		t.Fatal(err)
	}
	for form, s := range map[string]string{"serialized": ser, "printed": text} {
		back, err := protoschema.Compile(t.Context(), "", s, deps)
		if err != nil {
			t.Fatalf("%s: %v", form, err)
		}
		if got := protoschema.Descriptor(back, "x"); !proto.Equal(got, want) {
			t.Errorf("%s form compiles to\n%v\nwant\n%v", form, got, want)
		}
	}
}

// TestPrintKeepsEverything: options, services, extensions, proto2 groups
// and editions survive printing.
func TestPrintKeepsEverything(t *testing.T) {
	for name, src := range map[string]string{
		"proto2": `syntax = "proto2";
package p;
import "google/protobuf/descriptor.proto";
extend google.protobuf.FieldOptions { optional string tag = 50001; }
message B {
  optional group G = 1 { optional int32 x = 2; }
  required string s = 3 [default = "a\"b", (tag) = "t"];
  extensions 100 to 200;
}
message A { optional B b = 1 [deprecated = true, json_name = "bee"]; }
extend B { optional int32 ext = 100; }
service S { rpc Get(A) returns (B); }
`,
		"editions": `edition = "2023";
package e;
message M {
  int32 a = 1 [features.field_presence = IMPLICIT];
  M2 d = 2 [features.message_encoding = DELIMITED];
}
message M2 { repeated int32 x = 1; }
`,
	} {
		fd, err := protoschema.Compile(t.Context(), "f.proto", src, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text, err := protoschema.Print(fd)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back, err := protoschema.Compile(t.Context(), "f.proto", text, nil)
		if err != nil {
			t.Fatalf("%s: printed text does not compile: %v\n%s", name, err, text)
		}
		if got, want := protoschema.Descriptor(back, ""), protoschema.Descriptor(fd, ""); !proto.Equal(got, want) {
			t.Errorf("%s: printed text compiles to another descriptor:\n%v\nwant\n%v\ntext:\n%s", name, got, want, text)
		}
	}
}

func TestWithoutExtensions(t *testing.T) {
	src := `syntax = "proto3";
package p;
import "google/protobuf/descriptor.proto";
extend google.protobuf.MessageOptions { string doc = 50002; }
message M {
  option (doc) = "a message";
  option deprecated = true;
  string a = 1 [json_name = "A"];
  message N { extend google.protobuf.FieldOptions { int32 n = 50003; } int32 b = 1 [(n) = 7]; }
  N n = 2;
}
`
	fd, err := protoschema.Compile(t.Context(), "", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := protoschema.WithoutExtensions(fd)
	if err != nil {
		t.Fatal(err)
	}
	text, err := protoschema.Print(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"extend", "(doc)", "(n)", "50002", "50003"} {
		if strings.Contains(text, gone) {
			t.Errorf("%q is still there:\n%s", gone, text)
		}
	}
	for _, kept := range []string{"option deprecated = true;", `json_name = "A"`, "N n = 2;", "int32 b = 1;"} {
		if !strings.Contains(text, kept) {
			t.Errorf("%q is gone:\n%s", kept, text)
		}
	}
	if _, err := protoschema.Compile(t.Context(), "", text, nil); err != nil {
		t.Errorf("does not compile: %v\n%s", err, text)
	}
}
