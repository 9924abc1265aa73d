package interop_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	ckpb "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	pbdecode "github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
	"github.com/sabot-kafka/sabot/encode"
	pbencode "github.com/sabot-kafka/sabot/encode/protobuf"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// TestRegistryService runs both directions through the registry the
// services give (Apicurio's Confluent API in the rig, the in-memory one
// otherwise) over HTTP: our Encoder registers txn.proto with a reference to
// common.proto and writes an Order (path [2]); confluent-kafka-go reads it,
// and its serializer's Transaction (path [1]) decodes through our Decoder.
func TestRegistryService(t *testing.T) {
	svc := servicestest.Open(t)
	client, err := schemaregistry.NewClient(schemaregistry.NewConfig(svc.RegistryURL))
	if err != nil {
		t.Fatal(err)
	}
	reg := ckRegistry{client}
	srcs, err := prototest.Sources()
	if err != nil {
		t.Fatal(err)
	}
	prefix := servicestest.UniqueName(t)
	const common = "sabot/test/v1/common.proto"
	commonSubject := prefix + "-common"
	if _, err := reg.Register(t.Context(), commonSubject, registry.Schema{Type: registry.TypeProtobuf, Text: srcs[common]}); err != nil {
		t.Fatal(err)
	}

	order := &testpb.Order{Id: "o", Customer: &testpb.Customer{Name: "Ada"}, Items: []*testpb.LineItem{{Sku: "s", Quantity: 3}}}
	md := order.ProtoReflect().Descriptor()
	enc, err := encode.New(encode.Config{
		Compiler: pbencode.NewCompiler(pbencode.Options{
			Proto: srcs["sabot/test/v1/txn.proto"], Imports: map[string]string{common: srcs[common]}, Message: "sabot.test.v1.Order",
			References: []registry.Reference{{Name: common, Subject: commonSubject, Version: 1}},
		}),
		Registrar: reg,
		Subject:   func(encode.Writer) (string, error) { return prefix + "-order-value", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := prototest.Record(mem, md, pbdecode.Options{}, []proto.Message{order})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	var vals encode.Values
	if err := enc.Encode(t.Context(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	deser, err := ckpb.NewDeserializer(client, serde.ValueSerde, ckpb.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	deser.ProtoRegistry = protoregistry.GlobalTypes
	got, err := deser.Deserialize(prefix+"-order", vals.Value(0))
	if err != nil {
		t.Fatalf("confluent deserializer: %v", err)
	}
	if !proto.Equal(got.(proto.Message), order) {
		t.Fatalf("confluent read %v, want %v", got, order)
	}
	checkDecode(t, reg, order, vals.Value(0))

	ser, err := ckpb.NewSerializer(client, serde.ValueSerde, ckpb.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	txn := &testpb.Transaction{Id: "t", Amount: 2.5, Status: testpb.Status_FAILED}
	value, err := ser.Serialize(prefix+"-txn", txn)
	if err != nil {
		t.Fatal(err)
	}
	checkDecode(t, reg, txn, value)
}
