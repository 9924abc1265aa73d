package interop_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	ckpb "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/sabot-kafka/sabot/decode"
	pbdecode "github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
	"github.com/sabot-kafka/sabot/encode"
	pbencode "github.com/sabot-kafka/sabot/encode/protobuf"
	"github.com/sabot-kafka/sabot/registry"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/protobuf/golden")

// ckRegistry adapts confluent-kafka-go's registry client to registry.Resolver
// and registry.Registrar.
type ckRegistry struct{ c schemaregistry.Client }

func (r ckRegistry) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	subject := ""
	if svs, err := r.c.GetSubjectsAndVersionsByID(id); err == nil && len(svs) > 0 {
		subject = svs[0].Subject
	}
	info, err := r.c.GetBySubjectAndID(subject, id)
	if err != nil {
		return registry.ResolvedSchema{}, fmt.Errorf("%w: %w", registry.ErrNotFound, err)
	}
	rs := registry.ResolvedSchema{ID: id, Schema: toSchema(info)}
	seen := map[string]bool{}
	var walk func(refs []schemaregistry.Reference) error
	walk = func(refs []schemaregistry.Reference) error {
		for _, ref := range refs {
			if seen[ref.Name] {
				continue
			}
			seen[ref.Name] = true
			md, err := r.c.GetSchemaMetadata(ref.Subject, ref.Version)
			if err != nil {
				return err
			}
			if err := walk(md.References); err != nil { // dependencies first
				return err
			}
			rs.Deps = append(rs.Deps, registry.Dependency{Name: ref.Name, Schema: toSchema(md.SchemaInfo)})
		}
		return nil
	}
	return rs, walk(info.References)
}

func (r ckRegistry) Register(_ context.Context, subject string, s registry.Schema) (int, error) {
	info := schemaregistry.SchemaInfo{Schema: s.Text, SchemaType: string(s.Type)}
	for _, ref := range s.References {
		info.References = append(info.References, schemaregistry.Reference{Name: ref.Name, Subject: ref.Subject, Version: ref.Version})
	}
	return r.c.Register(subject, info, false)
}

func toSchema(info schemaregistry.SchemaInfo) registry.Schema {
	s := registry.Schema{Type: registry.SchemaType(info.SchemaType), Text: info.Schema}
	for _, ref := range info.References {
		s.References = append(s.References, registry.Reference{Name: ref.Name, Subject: ref.Subject, Version: ref.Version})
	}
	return s
}

// cases are the messages written by each side. Maps hold one entry: the
// serializer marshals maps in random order and we keep wire order. Transaction is the second
// message of its file (index path [1]) and Envelope.Inner a nested one
// ([0, 0]).
func cases() map[string]proto.Message {
	return map[string]proto.Message{
		"transaction": &testpb.Transaction{Id: "t-1", Amount: 12.5, Timestamp: 1700000000000, Currency: "EUR", Merchant: "Café", Category: -3, Approved: true, Status: testpb.Status_SETTLED, Account: ""},
		"inner":       &testpb.Envelope_Inner{Note: "nested", Values: []int64{1, -2, 1 << 40}},
		"order": &testpb.Order{Id: "o-9", Customer: &testpb.Customer{Id: "c", Address: &testpb.Address{City: "Oslo", Zip: 150}},
			Items: []*testpb.LineItem{{Sku: "a", Quantity: 2, Price: 1.25}, {Sku: "", Quantity: 0}}, Tags: []string{"x", ""}},
		"everything": &testpb.Everything{
			I32: -1, U64: 1 << 63, S32: -7, Sf64: -9, Fl: 1.5, S: "s", By: []byte{0, 1}, St: testpb.Status_REFUNDED,
			OptI32: proto.Int32(0), Addr: &testpb.Address{Street: "x"}, RI32: []int32{1, -1}, RS: []string{"", "b"},
			RAddr: []*testpb.Address{{Zip: 1}}, RSt: []testpb.Status{testpb.Status_PENDING},
			MSi: map[string]int64{"a": 1}, MIa: map[int32]*testpb.Address{7: {City: "c"}},
			Choice: &testpb.Everything_CNum{CNum: 42}, Ts: timestamppb.New(timestamppb.Now().AsTime().Truncate(1000)),
			Dur: durationpb.New(-1500000000), WI64: wrapperspb.Int64(0), WS: wrapperspb.String("w"),
			RTs: []*timestamppb.Timestamp{{Seconds: 1, Nanos: 2}}, MTs: map[string]*timestamppb.Timestamp{"k": {Seconds: 3}},
			St2: testpb.Status_FAILED,
		},
		"legacy": &testpb.Legacy{Id: proto.Int64(5), Kind: testpb.Legacy_KIND_B.Enum(), Packed: []int32{1, 2}, Unpacked: []int32{3},
			Pos: &testpb.Legacy_Pos{X: proto.Int32(1)}, Hist: []*testpb.Legacy_Hist{{Label: proto.String("h")}}},
	}
}

func newClient(t *testing.T) schemaregistry.Client {
	t.Helper()
	c, err := schemaregistry.NewClient(schemaregistry.NewConfig("mock://" + t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConfluentWritesWeRead: values from confluent-kafka-go's serializer
// decode through decode.Decoder (wire format, message-index path, registry
// schema text with references) to the rows of the source message.
func TestConfluentWritesWeRead(t *testing.T) {
	client := newClient(t)
	ser, err := ckpb.NewSerializer(client, serde.ValueSerde, ckpb.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	reg := ckRegistry{client}
	for name, msg := range cases() {
		t.Run(name, func(t *testing.T) {
			value, err := ser.Serialize("interop", msg)
			if err != nil {
				t.Fatal(err)
			}
			checkDecode(t, reg, msg, value)
			if *update {
				writeGolden(t, reg, name, msg, value)
			}
		})
	}
}

func checkDecode(t *testing.T, reg registry.Resolver, msg proto.Message, value []byte) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// The Decoder pools its builders for reuse and has no Close, so the
	// dictionary memo of enum columns outlives the call: give it its own
	// allocator and check ours (the expected rows) for leaks.
	dec, err := decode.New(decode.Config{
		Wire: decode.WireConfluent, MessageIndexes: true, Registry: reg,
		Compiler: pbdecode.NewCompiler(pbdecode.Options{}), Allocator: memory.NewGoAllocator(),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dec.Decode(t.Context(), &decode.Input{Values: [][]byte{value}, Topics: []string{"interop"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if len(res.Errors) > 0 || len(res.Batches) != 1 {
		t.Fatalf("errors %v, %d batches", res.Errors, len(res.Batches))
	}
	want, err := prototest.Record(mem, msg.ProtoReflect().Descriptor(), pbdecode.Options{}, []proto.Message{msg})
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	if !array.RecordEqual(want, res.Batches[0]) {
		t.Fatalf("decoded\n%v\nwant\n%v", res.Batches[0], want)
	}
}

// TestWeWriteConfluentReads: values from our Encoder (with the registry
// header and index path) read back with confluent-kafka-go's deserializer
// equal the source message. Envelope.Inner and Transaction are written from
// their .proto text with a reference to common.proto; Legacy from its Go
// descriptor alone, so the registered text is the one registry/protoschema
// prints.
func TestWeWriteConfluentReads(t *testing.T) {
	client := newClient(t)
	reg := ckRegistry{client}
	srcs, err := prototest.Sources()
	if err != nil {
		t.Fatal(err)
	}
	const common = "sabot/test/v1/common.proto"
	if _, err := reg.Register(t.Context(), common, registry.Schema{Type: registry.TypeProtobuf, Text: srcs[common]}); err != nil {
		t.Fatal(err)
	}
	deser, err := ckpb.NewDeserializer(client, serde.ValueSerde, ckpb.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	deser.ProtoRegistry = protoregistry.GlobalTypes
	for name, msg := range cases() {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			md := msg.ProtoReflect().Descriptor()
			opts := pbencode.Options{Descriptor: md}
			if md.ParentFile().Path() == "sabot/test/v1/txn.proto" {
				opts = pbencode.Options{
					Proto: srcs["sabot/test/v1/txn.proto"], Imports: map[string]string{common: srcs[common]},
					Message:    string(md.FullName()),
					References: []registry.Reference{{Name: common, Subject: common, Version: 1}},
				}
			}
			enc, err := encode.New(encode.Config{
				Compiler: pbencode.NewCompiler(opts), Registrar: reg,
				Subject: func(encode.Writer) (string, error) { return "interop-" + name + "-value", nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := prototest.Record(mem, md, pbdecode.Options{}, []proto.Message{msg})
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			var vals encode.Values
			if err := enc.Encode(t.Context(), rec, &vals); err != nil {
				t.Fatal(err)
			}
			if len(vals.Errors) > 0 {
				t.Fatal(vals.Errors)
			}
			got, err := deser.Deserialize("interop-"+name, vals.Value(0))
			if err != nil {
				t.Fatalf("confluent deserializer: %v", err)
			}
			if !proto.Equal(got.(proto.Message), msg) {
				t.Fatalf("confluent read\n%v\nwant\n%v", got, msg)
			}
			checkDecode(t, reg, msg, vals.Value(0)) // and we read our own framing
		})
	}
}

// golden is the schema side of a golden value: what a registry answers for
// its id.
type golden struct {
	ID     int                   `json:"id"`
	Schema registry.Schema       `json:"schema"`
	Deps   []registry.Dependency `json:"deps"`
}

func writeGolden(t *testing.T, reg registry.Resolver, name string, msg proto.Message, value []byte) {
	t.Helper()
	id := int(value[1])<<24 | int(value[2])<<16 | int(value[3])<<8 | int(value[4])
	rs, err := reg.Resolve(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(prototest.Dir(), "golden")
	js, err := json.MarshalIndent(golden{ID: rs.ID, Schema: rs.Schema, Deps: rs.Deps}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want, err := protojson.MarshalOptions{Multiline: true}.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	for file, data := range map[string][]byte{
		"confluent-" + name + ".bin":         value,
		"confluent-" + name + ".schema.json": append(js, '\n'),
		"confluent-" + name + ".want.json":   append(want, '\n'),
	} {
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
