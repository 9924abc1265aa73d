package interop_test

import (
	"bytes"
	"context"
	"encoding/binary"
	stdjson "encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	ckjson "github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/jsonschema"
	jsonschemav5 "github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/jsonschema"
	"github.com/sabot-kafka/sabot/encode"
	encjs "github.com/sabot-kafka/sabot/encode/jsonschema"
	"github.com/sabot-kafka/sabot/registry"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/jsonschema/interop")

// dir holds the JSON Schema test data; the golden files are in its interop/.
const dir = "../../testdata/jsonschema/"

// ckRegistry adapts confluent-kafka-go's registry client (its in-memory
// mock here) to registry.Resolver and registry.Registrar, for this test.
type ckRegistry struct {
	c       schemaregistry.Client
	subject string
}

func (r ckRegistry) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	info, err := r.c.GetBySubjectAndID(r.subject, id)
	if err != nil {
		return registry.ResolvedSchema{}, fmt.Errorf("%w: %w", registry.ErrNotFound, err)
	}
	if len(info.References) > 0 {
		return registry.ResolvedSchema{}, fmt.Errorf("ckRegistry: references not needed by this test")
	}
	return registry.ResolvedSchema{ID: id, Schema: registry.Schema{Type: registry.SchemaType(info.SchemaType), Text: info.Schema}}, nil
}

func (r ckRegistry) Register(_ context.Context, subject string, s registry.Schema) (int, error) {
	return r.c.Register(subject, schemaregistry.SchemaInfo{Schema: s.Text, SchemaType: string(s.Type)}, false)
}

// mapResolver serves fixed schemas by id (for the golden files).
type mapResolver map[int]registry.ResolvedSchema

func (m mapResolver) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	s, ok := m[id]
	if !ok {
		return s, registry.ErrNotFound
	}
	return s, nil
}

type ckAddress struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

// ckTx is the record both implementations write: confluent-kafka-go derives
// its JSON Schema (draft 2020-12, $ref into $defs, additionalProperties
// false, required fields) from this struct.
type ckTx struct {
	ID       string           `json:"id"`
	UserID   string           `json:"user_id"`
	Amount   float64          `json:"amount"`
	Currency string           `json:"currency"`
	TS       time.Time        `json:"ts"`
	OK       bool             `json:"ok"`
	Tags     []string         `json:"tags"`
	Attrs    map[string]int64 `json:"attrs"`
	Addr     ckAddress        `json:"addr"`
	Note     *string          `json:"note,omitempty"`
}

func ckValues() []ckTx {
	note := "héllo \"quoted\" \n😀"
	return []ckTx{
		{ID: "TX-1", UserID: "u-42", Amount: 99.99, Currency: "EUR", TS: time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC), OK: true,
			Tags: []string{"a", ""}, Attrs: map[string]int64{"n": 1}, Addr: ckAddress{Street: "Main 1", City: "Oslo"}, Note: &note},
		{ID: "TX-2", UserID: "", Amount: -0.5, Currency: "USD", TS: time.Unix(0, 0).UTC(), Tags: []string{}, Attrs: map[string]int64{}},
	}
}

const interopTopic = "payments"

// TestConfluentWritesSabotReads: values confluent-kafka-go's JSON Schema
// serializer writes decode through the Decoder (Confluent wire format,
// schema from the registry) to the same data; the bytes and schema are kept
// as golden files.
func TestConfluentWritesSabotReads(t *testing.T) {
	client, err := schemaregistry.NewClient(schemaregistry.NewConfig("mock://sabot-interop"))
	if err != nil {
		t.Fatal(err)
	}
	ser, err := ckjson.NewSerializer(client, serde.ValueSerde, ckjson.NewSerializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	var payloads [][]byte
	for _, v := range ckValues() {
		b, err := ser.Serialize(interopTopic, &v)
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, b)
	}
	id := int(binary.BigEndian.Uint32(payloads[0][1:5]))
	info, err := client.GetBySubjectAndID(interopTopic+"-value", id)
	if err != nil {
		t.Fatal(err)
	}

	golden := filepath.Join(dir, "interop")
	if *update {
		if err := os.MkdirAll(golden, 0o755); err != nil {
			t.Fatal(err)
		}
		must(t, os.WriteFile(filepath.Join(golden, "confluent-tx.schema.json"), []byte(info.Schema), 0o644))
		for i, p := range payloads {
			must(t, os.WriteFile(filepath.Join(golden, fmt.Sprintf("confluent-tx-%d.bin", i)), p, 0o644))
		}
	}
	wantSchema, err := os.ReadFile(filepath.Join(golden, "confluent-tx.schema.json"))
	must(t, err)
	var wantValues [][]byte
	for i, p := range payloads {
		b, err := os.ReadFile(filepath.Join(golden, fmt.Sprintf("confluent-tx-%d.bin", i)))
		must(t, err)
		wantValues = append(wantValues, b)
		if !bytes.Equal(b, p) {
			t.Errorf("confluent-kafka-go value %d differs from the golden file (go test -update rewrites it):\n%q\n%q", i, p, b)
		}
	}
	if string(wantSchema) != info.Schema {
		t.Errorf("confluent-kafka-go schema differs from the golden file:\n%s", info.Schema)
	}

	// Live values through the live registry, and the golden ones through a
	// registry holding the golden schema: both decode to the same data.
	check := func(name string, res registry.Resolver, values [][]byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		dec, err := decode.New(decode.Config{Wire: decode.WireConfluent, Registry: res, Allocator: mem,
			Compiler: jsonschema.NewCompiler(jsonschema.Options{})})
		must(t, err)
		recs := &decode.Input{Values: values}
		r, err := dec.Decode(context.Background(), recs)
		must(t, err)
		defer r.Release()
		if len(r.Errors) != 0 || len(r.Batches) != 1 {
			t.Fatalf("%s: errors %v, %d batches", name, r.Errors, len(r.Batches))
		}
		got := r.Batches[0]
		want := ckValues()
		col := func(n string) arrow.Array { return got.Column(got.Schema().FieldIndices(n)[0]) }
		for i, w := range want {
			ts := col("ts").(*array.Timestamp).Value(i)
			addr := col("addr").(*array.Struct)
			tags := col("tags").(*array.List)
			s, e := tags.ValueOffsets(i)
			if col("id").(*array.String).Value(i) != w.ID || col("user_id").(*array.String).Value(i) != w.UserID ||
				col("amount").(*array.Float64).Value(i) != w.Amount || col("currency").(*array.String).Value(i) != w.Currency ||
				int64(ts) != w.TS.UnixMicro() || col("ok").(*array.Boolean).Value(i) != w.OK ||
				addr.Field(0).(*array.String).Value(i) != w.Addr.Street || addr.Field(1).(*array.String).Value(i) != w.Addr.City ||
				int(e-s) != len(w.Tags) {
				t.Errorf("%s row %d: decoded %v, want %+v", name, i, got.NewSlice(int64(i), int64(i+1)), w)
			}
			if w.Note == nil != col("note").IsNull(i) || (w.Note != nil && col("note").(*array.String).Value(i) != *w.Note) {
				t.Errorf("%s row %d: note", name, i)
			}
		}
		t.Logf("%s: layout %s", name, got.Schema())
	}
	check("live", ckRegistry{c: client, subject: interopTopic + "-value"}, payloads)
	check("golden", mapResolver{id: {ID: id, Schema: registry.Schema{Type: registry.TypeJSON, Text: string(wantSchema)}}}, wantValues)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestSabotWritesConfluentReads: a batch decoded from confluent-kafka-go's
// values is encoded by our Encoder (schema derived from the Arrow layout and
// registered through the registry client) and read back by
// confluent-kafka-go's deserializer, with its validation on, to the same
// structs. Our output is kept as golden files too.
func TestSabotWritesConfluentReads(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	client, err := schemaregistry.NewClient(schemaregistry.NewConfig("mock://sabot-interop-2"))
	must(t, err)
	reg := ckRegistry{c: client, subject: interopTopic + "-value"}
	ser, err := ckjson.NewSerializer(client, serde.ValueSerde, ckjson.NewSerializerConfig())
	must(t, err)
	recs := &decode.Input{}
	for _, v := range ckValues() {
		b, err := ser.Serialize(interopTopic, &v)
		must(t, err)
		recs.Values = append(recs.Values, b)
	}
	dec, err := decode.New(decode.Config{Wire: decode.WireConfluent, Registry: reg, Allocator: mem,
		Compiler: jsonschema.NewCompiler(jsonschema.Options{})})
	must(t, err)
	res, err := dec.Decode(context.Background(), recs)
	must(t, err)
	defer res.Release()

	enc, err := encode.New(encode.Config{
		Compiler:  encjs.NewCompiler(encjs.Options{Title: "com.example.Tx", Validate: true}),
		Registrar: reg,
		Subject:   func(encode.Writer) (string, error) { return interopTopic + "-value", nil },
	})
	must(t, err)
	var vals encode.Values
	must(t, enc.Encode(context.Background(), res.Batches[0], &vals))
	if len(vals.Errors) != 0 {
		t.Fatal(vals.Errors)
	}
	// confluent-kafka-go v2.11.1 validates the Go value it unmarshalled into
	// (a pointer), which its validator rejects for every type ("invalid
	// jsonType"), so its deserializer runs without validation and the values
	// are validated with the library it uses (santhosh-tekuri/jsonschema v5,
	// an older line than the v6 Sabot uses) against the registered schema.
	deser, err := ckjson.NewDeserializer(client, serde.ValueSerde, ckjson.NewDeserializerConfig())
	must(t, err)
	info, err := client.GetBySubjectAndID(interopTopic+"-value", int(binary.BigEndian.Uint32(vals.Value(0)[1:5])))
	must(t, err)
	v5, err := jsonschemav5.CompileString("mem://registered.json", info.Schema)
	must(t, err)
	golden := filepath.Join(dir, "interop")
	for i, want := range ckValues() {
		v := vals.Value(i)
		if *update {
			must(t, os.WriteFile(filepath.Join(golden, fmt.Sprintf("sabot-tx-%d.bin", i)), v, 0o644))
		}
		g, err := os.ReadFile(filepath.Join(golden, fmt.Sprintf("sabot-tx-%d.bin", i)))
		must(t, err)
		if !bytes.Equal(g[5:], v[5:]) { // the schema id depends on the registry
			t.Errorf("value %d differs from the golden file:\n%s\n%s", i, v, g)
		}
		var doc any
		must(t, stdjson.Unmarshal(v[5:], &doc))
		if err := v5.Validate(doc); err != nil {
			t.Errorf("row %d breaks the registered schema per jsonschema v5: %v", i, err)
		}
		var got ckTx
		if err := deser.DeserializeInto(interopTopic, v, &got); err != nil {
			t.Fatalf("confluent-kafka-go rejects %s: %v", v, err)
		}
		if !got.TS.Equal(want.TS) {
			t.Errorf("row %d: ts %v, want %v", i, got.TS, want.TS)
		}
		got.TS = want.TS
		if fmt.Sprintf("%+v", derefNote(got)) != fmt.Sprintf("%+v", derefNote(want)) {
			t.Errorf("row %d: confluent-kafka-go read %+v, want %+v", i, got, want)
		}
	}
	if *update {
		must(t, os.WriteFile(filepath.Join(golden, "sabot-tx.schema.json"), []byte(info.Schema), 0o644))
	}
	g, err := os.ReadFile(filepath.Join(golden, "sabot-tx.schema.json"))
	must(t, err)
	if string(g) != info.Schema {
		t.Errorf("registered schema differs from the golden file:\n%s", info.Schema)
	}
}

func derefNote(v ckTx) any {
	type flat struct {
		ckTx
		Note string
	}
	f := flat{ckTx: v}
	if v.Note != nil {
		f.Note = *v.Note
	}
	f.ckTx.Note = nil
	return f
}
