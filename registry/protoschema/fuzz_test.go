package protoschema_test

import (
	"encoding/base64"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/sabot-kafka/sabot/registry/protoschema"
)

// FuzzCompile feeds arbitrary schema text, and base64 of arbitrary bytes,
// through the serialized-form parser and the compiler: nothing panics, and
// whatever compiles prints and serializes to forms that compile to the same
// descriptor. Seeds: the golden descriptors protoc wrote and small sources.
func FuzzCompile(f *testing.F) {
	money, err := protoschema.ParseSerialized(read(f, "money.b64"))
	if err != nil {
		f.Fatal(err)
	}
	raw, _ := proto.Marshal(money)
	f.Add(read(f, "money.b64"), []byte(nil))
	f.Add("", raw)
	f.Add("", raw[:len(raw)/2])
	f.Add(read(f, "shop/common/money.proto"), []byte(nil))
	f.Add("syntax = \"proto2\";\nmessage M { optional group G = 1 { optional int32 x = 2; } }\n", []byte(nil))
	f.Add("", []byte{0x0a, 0x00, 0x22, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, text string, desc []byte) {
		if len(desc) > 0 {
			text = base64.StdEncoding.EncodeToString(desc)
		}
		_, perr := protoschema.ParseSerialized(text)
		fd, err := protoschema.Compile(t.Context(), "", text, nil)
		if err != nil {
			return
		}
		if len(desc) > 0 && perr != nil {
			t.Fatalf("compiled base64 that does not parse: %v", perr)
		}
		want := protoschema.Descriptor(fd, "")
		back, err := protoschema.Compile(t.Context(), "", protoschema.Serialize(fd, ""), nil)
		if err != nil {
			t.Fatalf("serialized form does not compile: %v", err)
		}
		if !proto.Equal(protoschema.Descriptor(back, ""), want) {
			t.Fatal("serialized form compiles to another descriptor")
		}
		if _, err := protoschema.Print(fd); err != nil {
			t.Fatalf("print: %v", err)
		}
	})
}
