package protobuf_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/memregistry"
)

// serializedDir holds values confluent-kafka-python's ProtobufSerializer
// wrote and the base64 FileDescriptorProtos it registered for them.
var serializedDir = filepath.Join(prototest.Dir(), "..", "registry", "protobuf")

const moneyPath = "shop/common/money.proto"

func readSerialized(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(serializedDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSerializedSchema decodes values confluent-kafka-python wrote, with
// the writer schema in each form a registry may answer with: the base64
// FileDescriptorProto it registered (Apicurio keeps what it was given;
// Confluent answers with it for ?format=serialized), the same with a .proto
// source import, and .proto text (what Confluent's registry and
// memregistry store after converting the registration). Rows must match
// the source messages.
func TestSerializedSchema(t *testing.T) {
	orderText, moneyText := readSerialized(t, "shop/v1/order.proto"), readSerialized(t, moneyPath)
	srcFD, err := protobuf.CompileProto(t.Context(), "shop/v1/order.proto", orderText, map[string]string{moneyPath: moneyText})
	if err != nil {
		t.Fatal(err)
	}
	refs := []registry.Reference{{Name: moneyPath, Subject: moneyPath, Version: 1}}
	forms := map[string]registry.ResolvedSchema{
		"serialized": schemaOf(readSerialized(t, "order.b64"), refs, readSerialized(t, "money.b64")),
		"mixed":      schemaOf(readSerialized(t, "order.b64"), refs, moneyText),
		"text":       schemaOf(orderText, refs, moneyText),
	}
	forms["memregistry"] = viaMemregistry(t)
	for form, rs := range forms {
		t.Run(form, func(t *testing.T) {
			for _, tc := range []struct{ value, message string }{
				{"order", "shop.v1.Order"},
				{"refund", "shop.v1.Refund"}, // message-index path [1]
			} {
				md, err := protobuf.MessageByName(srcFD, tc.message)
				if err != nil {
					t.Fatal(err)
				}
				msg := dynamicpb.NewMessage(md)
				if err := protojson.Unmarshal([]byte(readSerialized(t, tc.value+"-value.want.json")), msg); err != nil {
					t.Fatal(err)
				}
				decodeOne(t, rs, []byte(readSerialized(t, tc.value+"-value.bin")), msg)
			}
		})
	}
}

func schemaOf(text string, refs []registry.Reference, money string) registry.ResolvedSchema {
	return registry.ResolvedSchema{
		ID:     2,
		Schema: registry.Schema{Type: registry.TypeProtobuf, Text: text, References: refs},
		Deps:   []registry.Dependency{{Name: moneyPath, Schema: registry.Schema{Type: registry.TypeProtobuf, Text: money}}},
	}
}

// viaMemregistry registers the base64 schemas as the Python serializer
// does (money first, id 1; the order file with its reference, id 2) and
// resolves id 2 through the registry client.
func viaMemregistry(t *testing.T) registry.ResolvedSchema {
	srv := httptest.NewServer(memregistry.New())
	t.Cleanup(srv.Close)
	c, err := registry.NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, reg := range []struct {
		subject string
		s       registry.Schema
	}{
		{moneyPath, registry.Schema{Type: registry.TypeProtobuf, Text: readSerialized(t, "money.b64")}},
		{"orders-value", registry.Schema{Type: registry.TypeProtobuf, Text: readSerialized(t, "order.b64"),
			References: []registry.Reference{{Name: moneyPath, Subject: moneyPath, Version: 1}}}},
	} {
		if _, err := c.Register(t.Context(), reg.subject, reg.s); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := c.Resolve(t.Context(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rs.Text, "message Order") {
		t.Fatalf("memregistry answered %q, want .proto text", rs.Text)
	}
	return rs
}

func decodeOne(t *testing.T, rs registry.ResolvedSchema, value []byte, msg proto.Message) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dec, err := decode.New(decode.Config{
		Wire: decode.WireConfluent, MessageIndexes: true, Registry: fixedResolver{rs.ID: rs},
		Compiler: protobuf.NewCompiler(protobuf.Options{}), Allocator: memory.NewGoAllocator(),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dec.Decode(t.Context(), &decode.Input{Values: [][]byte{value}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if len(res.Batches) != 1 || res.NumRows() != 1 || len(res.Errors) != 0 {
		t.Fatalf("%d batches, %d rows, errors %v", len(res.Batches), res.NumRows(), res.Errors)
	}
	want, err := prototest.Record(mem, msg.ProtoReflect().Descriptor(), protobuf.Options{}, []proto.Message{msg})
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	assertRecordsEqual(t, want, res.Batches[0])
}
