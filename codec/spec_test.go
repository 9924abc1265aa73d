package codec_test

import (
	"context"
	stdjson "encoding/json"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/jsonschema"
	"github.com/sabot-kafka/sabot/decode/msgpack"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/encode"
	encipc "github.com/sabot-kafka/sabot/encode/arrowipc"
	"github.com/sabot-kafka/sabot/registry"
)

// fakeRegistry keeps what encoders register, ids from 1.
type fakeRegistry struct {
	mu       sync.Mutex
	subjects []string
	schemas  []registry.Schema
}

func (r *fakeRegistry) Register(_ context.Context, subject string, s registry.Schema) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.subjects, r.schemas = append(r.subjects, subject), append(r.schemas, s)
	return len(r.schemas), nil
}

func (r *fakeRegistry) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id < 1 || id > len(r.schemas) {
		return registry.ResolvedSchema{}, registry.ErrNotFound
	}
	return registry.ResolvedSchema{ID: id, Schema: r.schemas[id-1]}, nil
}

// recordNames is a subject strategy that remembers the record names it is
// given.
type recordNames struct {
	mu    sync.Mutex
	names []string
}

func (n *recordNames) strategy(topic string, _ bool, record string) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.names = append(n.names, record)
	return topic + "-value", nil
}

func wantErrs(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want an error mentioning %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestParseFormat(t *testing.T) {
	want := []string{"json", "avro", "protobuf", "json_schema", "msgpack", "string", "bytes", "arrow"}
	if strings.Join(codec.FormatNames, ",") != strings.Join(want, ",") {
		t.Errorf("FormatNames = %v, want %v", codec.FormatNames, want)
	}
	for _, name := range codec.FormatNames {
		for _, spelled := range []string{name, strings.ToUpper(name), " " + name + " "} {
			f, err := codec.ParseFormat(spelled)
			if err != nil {
				t.Fatalf("ParseFormat(%q): %v", spelled, err)
			}
			if f.Name() != name {
				t.Errorf("ParseFormat(%q).Name() = %q", spelled, f.Name())
			}
		}
	}
	if f, err := codec.ParseFormat("JSON_SCHEMA"); err != nil || !reflect.DeepEqual(f, codec.JSONSchema{}) {
		t.Errorf("ParseFormat(JSON_SCHEMA) = %#v, %v; want the zero JSONSchema", f, err)
	}
	_, err := codec.ParseFormat("xml")
	wantErrs(t, err, `unknown codec type "xml"`, "json_schema")
}

func TestSpecValidateReportsEveryProblem(t *testing.T) {
	reg := &fakeRegistry{}
	strategy := registry.TopicNameStrategy
	err := codec.Spec{
		Format:   codec.JSON{ArrowSchema: arrow.NewSchema(nil, nil), Sample: [][]byte{[]byte(`{}`)}, Deps: []registry.Dependency{{Name: "d"}}},
		Registry: reg, Subject: "s",
	}.Validate()
	wantErrs(t, err, "json reads its columns from one of", "ArrowSchema and Sample", "json Deps", "json values use no schema registry", "Registry, Subject")
	if err := (codec.Spec{Format: codec.Avro{}}).Validate(); err == nil {
		t.Error("avro with neither registry nor schema accepted")
	}
	wantErrs(t, codec.Spec{Format: codec.Avro{}, Strategy: strategy}.Validate(), "avro needs a Registry", "Strategy set without a Registry")
}

func TestSpecValidateRejectsANilOrPointerFormat(t *testing.T) {
	wantErrs(t, codec.Spec{}.Validate(), "no Format", "json, avro")
	wantErrs(t, codec.Spec{Format: &codec.JSON{}}.Validate(), "*codec.JSON", "not a pointer")
	var nilAvro *codec.Avro
	wantErrs(t, codec.Spec{Format: nilAvro}.Validate(), "*codec.Avro", "not a pointer")
	if _, err := codec.NewDecoder(codec.Spec{}); err == nil {
		t.Error("NewDecoder accepted a spec without a Format")
	}
	if _, err := codec.NewEncoder(codec.Spec{}); err == nil {
		t.Error("NewEncoder accepted a spec without a Format")
	}
}

func TestSpecValidateRejectsRegistrySettingsOfOtherFormats(t *testing.T) {
	reg := &fakeRegistry{}
	for _, f := range []codec.Format{codec.JSON{}, codec.MsgPack{}, codec.String{}, codec.Bytes{}, codec.Arrow{}} {
		t.Run(f.Name(), func(t *testing.T) {
			s := codec.Spec{Format: f, Registry: reg, Subject: "s", Strategy: registry.TopicNameStrategy, Topic: "t"}
			wantErrs(t, s.Validate(), f.Name()+" values use no schema registry", "Registry, Subject, Strategy, Topic")
			if _, err := codec.NewEncoder(s); err == nil {
				t.Error("NewEncoder accepted the spec")
			}
			for _, only := range []codec.Spec{{Format: f, Registry: reg}, {Format: f, Subject: "s"}, {Format: f, Strategy: registry.TopicNameStrategy}, {Format: f, Topic: "t"}} {
				if only.Validate() == nil {
					t.Errorf("%+v accepted", only)
				}
			}
			if err := (codec.Spec{Format: f}).Validate(); err != nil {
				t.Errorf("plain %s rejected: %v", f.Name(), err)
			}
		})
	}
	// The registry formats take them, with a Registry only.
	for _, f := range []codec.Format{codec.Avro{Schema: `"long"`}, codec.Protobuf{Schema: `syntax = "proto3"; message M {}`}, codec.JSONSchema{Schema: `{}`}} {
		t.Run(f.Name(), func(t *testing.T) {
			if err := (codec.Spec{Format: f, Registry: reg, Subject: "s", Strategy: registry.TopicNameStrategy, Topic: "t"}).Validate(); err != nil {
				t.Errorf("rejected with a registry: %v", err)
			}
			wantErrs(t, codec.Spec{Format: f, Subject: "s", Strategy: registry.TopicNameStrategy, Topic: "t"}.Validate(),
				"Subject, Strategy, Topic set without a Registry")
		})
	}
}

func TestSpecValidateRejectsOptionsTheFormatIgnores(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	sample := [][]byte{[]byte(`{"a":1}`)}
	deps := []registry.Dependency{{Name: "dep"}}
	refs := []registry.Reference{{Name: "dep", Subject: "dep", Version: 1}}
	avsc := `{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}`
	proto := `syntax = "proto3"; message M { int64 a = 1; }`
	md, err := (protobuf.Options{Proto: proto}).Resolve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reg := &fakeRegistry{}
	for _, tc := range []struct {
		name string
		f    codec.Format
		want string
	}{
		{"json ArrowSchema and Schema", codec.JSON{ArrowSchema: schema, Schema: `{}`}, "ArrowSchema and Schema are set"},
		{"json Schema and Sample", codec.JSON{Schema: `{}`, Sample: sample}, "Schema and Sample are set"},
		{"json Deps without Schema", codec.JSON{ArrowSchema: schema, Deps: deps}, "json Deps"},
		{"msgpack ArrowSchema and Sample", codec.MsgPack{ArrowSchema: schema, Sample: sample}, "msgpack reads its columns from one of ArrowSchema, Sample"},
		{"arrow ArrowSchema and Sample", codec.Arrow{ArrowSchema: schema, Sample: sample}, "arrow reads its columns from one of ArrowSchema, Sample"},
		{"avro without a schema", codec.Avro{}, "avro needs a Registry or an inline Schema"},
		{"avro RecordName with Schema", codec.Avro{Schema: avsc, RecordName: "X"}, "RecordName and Namespace name a derived schema"},
		{"avro Namespace with Schema", codec.Avro{Schema: avsc, Namespace: "x"}, "RecordName and Namespace name a derived schema"},
		{"avro References without Schema", codec.Avro{ReaderSchema: avsc, References: refs}, "avro References belong to Schema"},
		{"avro Deps without schemas", codec.Avro{RecordName: "X", Deps: deps}, "avro Deps"},
		{"json_schema without a schema", codec.JSONSchema{}, "json_schema needs a Registry or an inline Schema"},
		{"json_schema Title with Schema", codec.JSONSchema{Schema: `{}`, Title: "T"}, "Title names a derived schema"},
		{"json_schema References without Schema", codec.JSONSchema{References: refs}, "References and Deps belong to Schema"},
		{"json_schema Deps without Schema", codec.JSONSchema{Deps: deps}, "References and Deps belong to Schema"},
		{"protobuf without a message", codec.Protobuf{}, "protobuf needs a Registry, a .proto Schema or a Descriptor"},
		{"protobuf Message without Schema", codec.Protobuf{Descriptor: md, Message: "M"}, "Message and Imports apply to compiling Schema"},
		{"protobuf Imports with a Descriptor", codec.Protobuf{Descriptor: md, Schema: proto, Imports: map[string]string{"a.proto": ""}}, "Message and Imports"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The registry formats get a Registry, so that the option under
			// test is the only problem, unless what is missing is under test.
			s := codec.Spec{Format: tc.f}
			if !strings.Contains(tc.want, "needs a Registry") {
				s.Registry = registryOf(tc.f, reg)
			}
			wantErrs(t, s.Validate(), tc.want)
			if err := s.Validate(); err != nil && strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("more than the one problem: %v", err)
			}
		})
	}
}

// registryOf is reg for the registry formats, else nil.
func registryOf(f codec.Format, reg codec.Registry) codec.Registry {
	switch f.(type) {
	case codec.Avro, codec.Protobuf, codec.JSONSchema:
		return reg
	}
	return nil
}

// --- every option reaches its format package ---

func record(t *testing.T, mem memory.Allocator, schema *arrow.Schema, rows string) arrow.RecordBatch {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(rows))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// encodeValues encodes rec with s and returns copies of the values.
func encodeValues(t *testing.T, s codec.Spec, rec arrow.RecordBatch) ([][]byte, error) {
	t.Helper()
	enc, err := codec.NewEncoder(s)
	if err != nil {
		t.Fatalf("encoder: %v", err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		return nil, err
	}
	if len(vals.Errors) > 0 {
		return nil, &vals.Errors[0]
	}
	out := make([][]byte, vals.Len())
	for i := range out {
		out[i] = append([]byte(nil), vals.Value(i)...)
	}
	return out, nil
}

func mustEncode(t *testing.T, s codec.Spec, rec arrow.RecordBatch) [][]byte {
	t.Helper()
	vals, err := encodeValues(t, s, rec)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return vals
}

// decodeValues decodes values with s; the caller releases the result.
func decodeValues(t *testing.T, s codec.Spec, values ...[]byte) *decode.Result {
	t.Helper()
	dec, err := codec.NewDecoder(s)
	if err != nil {
		t.Fatalf("decoder: %v", err)
	}
	t.Cleanup(func() { dec.Close() })
	res, err := dec.Decode(context.Background(), &decode.Input{Values: values})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res
}

// only is the one batch of a result without record errors.
func only(t *testing.T, res *decode.Result) arrow.RecordBatch {
	t.Helper()
	if len(res.Errors) > 0 {
		t.Fatalf("decode errors: %v", res.Errors[0])
	}
	if len(res.Batches) != 1 {
		t.Fatalf("%d batches, want 1", len(res.Batches))
	}
	return res.Batches[0]
}

// jsonObject decodes an encoded JSON value into a map, numbers as text.
func jsonObject(t *testing.T, v []byte) map[string]stdjson.RawMessage {
	t.Helper()
	var m map[string]stdjson.RawMessage
	if err := stdjson.Unmarshal(v, &m); err != nil {
		t.Fatalf("%s: %v", v, err)
	}
	return m
}

// JSON and JSON Schema encoders take OmitNulls, EpochTimestamps and
// DecimalStrings.
func TestJSONEncodeOptions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 6, Scale: 2}},
	}, nil)
	rec := record(t, mem, schema, `[{"n": null, "ts": "2023-11-14T22:13:20Z", "price": "12.50"}]`)
	defer rec.Release()
	const anyObject = `{"type":"object","properties":{"n":{},"ts":{},"price":{}}}`
	for _, tc := range []struct {
		f                              codec.Format
		omitNulls, epoch, decimalQuote bool
	}{
		{f: codec.JSON{}},
		{f: codec.JSON{OmitNulls: true}, omitNulls: true},
		{f: codec.JSON{EpochTimestamps: true}, epoch: true},
		{f: codec.JSON{DecimalStrings: true}, decimalQuote: true},
		{f: codec.JSONSchema{Schema: anyObject}},
		{f: codec.JSONSchema{Schema: anyObject, OmitNulls: true}, omitNulls: true},
		{f: codec.JSONSchema{Schema: anyObject, EpochTimestamps: true}, epoch: true},
		{f: codec.JSONSchema{Schema: anyObject, DecimalStrings: true}, decimalQuote: true},
	} {
		v := mustEncode(t, codec.Spec{Format: tc.f}, rec)[0]
		m := jsonObject(t, v)
		n, hasN := m["n"]
		if tc.omitNulls == hasN || (hasN && string(n) != "null") {
			t.Errorf("%#v wrote %s: the null field %s", tc.f, v, map[bool]string{true: "should be left out", false: "should be null"}[tc.omitNulls])
		}
		if got, want := string(m["ts"]) == "1700000000000", tc.epoch; got != want {
			t.Errorf("%#v wrote ts as %s; epoch integer wanted: %v", tc.f, m["ts"], want)
		}
		if !tc.epoch && !strings.HasPrefix(string(m["ts"]), `"2023-11-14T22:13:20`) {
			t.Errorf("%#v wrote ts as %s, want RFC 3339 text", tc.f, m["ts"])
		}
		if got := strings.HasPrefix(string(m["price"]), `"`); got != tc.decimalQuote {
			t.Errorf("%#v wrote price as %s; quoted wanted: %v", tc.f, m["price"], tc.decimalQuote)
		}
		if strings.Trim(string(m["price"]), `"`) != "12.50" {
			t.Errorf("%#v wrote price as %s, want 12.50", tc.f, m["price"])
		}
	}
}

// JSON and JSON Schema Deps resolve the $refs of Schema.
func TestJSONSchemaDeps(t *testing.T) {
	doc := `{"type":"object","properties":{"m":{"$ref":"money.json"}},"required":["m"]}`
	deps := []registry.Dependency{{Name: "money.json", Schema: registry.Schema{Type: registry.TypeJSON,
		Text: `{"type":"object","properties":{"cents":{"type":"integer","minimum":0}},"required":["cents"]}`}}}
	for _, f := range []codec.Format{codec.JSON{Schema: doc, Deps: deps}, codec.JSONSchema{Schema: doc, Deps: deps}} {
		t.Run(f.Name(), func(t *testing.T) {
			res := decodeValues(t, codec.Spec{Format: f}, []byte(`{"m":{"cents":5}}`))
			defer res.Release()
			got := only(t, res)
			st, ok := got.Schema().Field(0).Type.(*arrow.StructType)
			if got.Schema().Field(0).Name != "m" || !ok || st.NumFields() != 1 || st.Field(0).Name != "cents" {
				t.Fatalf("decoded layout %s, want m: struct<cents>", got.Schema())
			}
		})
	}
	// The encoder compiles Schema with its Deps to validate rows.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "m", Type: arrow.StructOf(arrow.Field{Name: "cents", Type: arrow.PrimitiveTypes.Int64})}}, nil)
	good := record(t, mem, schema, `[{"m": {"cents": 5}}]`)
	defer good.Release()
	bad := record(t, mem, schema, `[{"m": {"cents": -5}}]`)
	defer bad.Release()
	f := codec.JSONSchema{Schema: doc, Deps: deps}
	mustEncode(t, codec.Spec{Format: f}, good)
	if _, err := encodeValues(t, codec.Spec{Format: f}, bad); err == nil {
		t.Error("the JSON Schema encoder wrote a row its referenced schema forbids")
	}
}

// JSONSchema.Mode reaches the decoder, Title the derived writer schema.
func TestJSONSchemaModeAndTitle(t *testing.T) {
	doc := `{"type":"object","properties":{"n":{"type":"integer","minimum":10}}}`
	for _, tc := range []struct {
		mode    jsonschema.Mode
		invalid bool
	}{{jsonschema.Auto, true}, {jsonschema.Full, true}, {jsonschema.Off, false}} {
		res := decodeValues(t, codec.Spec{Format: codec.JSONSchema{Schema: doc, Mode: tc.mode}}, []byte(`{"n":1}`))
		if got := len(res.Errors) == 1; got != tc.invalid {
			t.Errorf("mode %d: %d record errors; an invalid value should fail: %v", tc.mode, len(res.Errors), tc.invalid)
		}
		res.Release()
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := record(t, mem, arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil), `[{"n": 1}]`)
	defer rec.Release()
	reg, names := &fakeRegistry{}, &recordNames{}
	mustEncode(t, codec.Spec{Format: codec.JSONSchema{Title: "Order"}, Registry: reg, Strategy: names.strategy, Topic: "orders"}, rec)
	if len(reg.schemas) != 1 || len(names.names) != 1 || names.names[0] != "Order" || reg.subjects[0] != "orders-value" {
		t.Fatalf("registered %v under %v, record names %v; want the derived schema titled Order", reg.schemas, reg.subjects, names.names)
	}
	var derived struct{ Title string }
	if err := stdjson.Unmarshal([]byte(reg.schemas[0].Text), &derived); err != nil || derived.Title != "Order" {
		t.Errorf("derived schema %s: title %q, %v", reg.schemas[0].Text, derived.Title, err)
	}
}

// MsgPack: OmitNulls reaches the encoder, UnknownExt the decoder and the
// inference from a Sample.
func TestMsgPackOptions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	rec := record(t, mem, schema, `[{"a": 1, "b": null}]`)
	defer rec.Release()
	// A fixmap's first byte is 0x80 | its number of keys.
	if v := mustEncode(t, codec.Spec{Format: codec.MsgPack{}}, rec)[0]; v[0] != 0x82 {
		t.Errorf("default encoding %x: want a map of 2 keys (b: nil)", v)
	}
	if v := mustEncode(t, codec.Spec{Format: codec.MsgPack{OmitNulls: true}}, rec)[0]; v[0] != 0x81 {
		t.Errorf("OmitNulls encoding %x: want a map of 1 key", v)
	}

	// {"a": 1, "x": fixext1 of type 5}
	ext := []byte{0x82, 0xa1, 'a', 0x01, 0xa1, 'x', 0xd4, 0x05, 0x00}
	layout := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	res := decodeValues(t, codec.Spec{Format: codec.MsgPack{ArrowSchema: layout}}, ext)
	if len(res.Errors) != 1 {
		t.Errorf("default UnknownExt: %d record errors, want 1", len(res.Errors))
	}
	res.Release()
	res = decodeValues(t, codec.Spec{Format: codec.MsgPack{ArrowSchema: layout, UnknownExt: msgpack.ExtNull}}, ext)
	if got := only(t, res); !got.Column(1).IsNull(0) {
		t.Errorf("ExtNull decoded x as %v, want null", got.Column(1))
	}
	res.Release()
	if _, err := codec.NewDecoder(codec.Spec{Format: codec.MsgPack{Sample: [][]byte{ext}}}); err == nil {
		t.Error("inferring from a sample with an unknown extension succeeded under ExtError")
	}
	res = decodeValues(t, codec.Spec{Format: codec.MsgPack{Sample: [][]byte{ext}, UnknownExt: msgpack.ExtNull}}, ext)
	if got := only(t, res); got.NumRows() != 1 {
		t.Errorf("decoded %d rows", got.NumRows())
	}
	res.Release()
}

// Avro: Enums and TrustUTF8 reach the decoder; RecordName and Namespace
// the derived writer schema; Deps and References both sides.
func TestAvroOptions(t *testing.T) {
	enumSchema := `{"type":"record","name":"R","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]}`
	b := []byte{0x02} // symbol 1, B
	for _, tc := range []struct {
		mode avro.EnumMode
		want arrow.Type
	}{{avro.EnumDictionary, arrow.DICTIONARY}, {avro.EnumString, arrow.STRING}} {
		res := decodeValues(t, codec.Spec{Format: codec.Avro{Schema: enumSchema, Enums: tc.mode}}, b)
		got := only(t, res)
		if id := got.Schema().Field(0).Type.ID(); id != tc.want {
			t.Errorf("enum mode %d decoded %s, want %s", tc.mode, got.Schema().Field(0).Type, tc.want)
		}
		res.Release()
	}

	stringSchema := `{"type":"record","name":"R","fields":[{"name":"s","type":"string"}]}`
	notUTF8 := []byte{0x02, 0xff}
	res := decodeValues(t, codec.Spec{Format: codec.Avro{Schema: stringSchema}}, notUTF8)
	if len(res.Errors) != 1 {
		t.Errorf("a string that is not UTF-8: %d record errors, want 1", len(res.Errors))
	}
	res.Release()
	res = decodeValues(t, codec.Spec{Format: codec.Avro{Schema: stringSchema, TrustUTF8: true}}, notUTF8)
	only(t, res)
	res.Release()

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := record(t, mem, arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil), `[{"id": 7}]`)
	defer rec.Release()
	reg, names := &fakeRegistry{}, &recordNames{}
	vals := mustEncode(t, codec.Spec{Format: codec.Avro{RecordName: "Payment", Namespace: "com.example"}, Registry: reg, Strategy: names.strategy, Topic: "payments"}, rec)
	var derived struct{ Name, Namespace string }
	if len(reg.schemas) != 1 {
		t.Fatalf("registered %d schemas", len(reg.schemas))
	}
	if err := stdjson.Unmarshal([]byte(reg.schemas[0].Text), &derived); err != nil {
		t.Fatal(err)
	}
	if derived.Name != "Payment" || derived.Namespace != "com.example" {
		t.Errorf("derived schema %s, want the record com.example.Payment", reg.schemas[0].Text)
	}
	if len(names.names) != 1 || !strings.HasSuffix(names.names[0], "Payment") {
		t.Errorf("the subject strategy got record names %v", names.names)
	}
	// What was written decodes with the registry.
	res = decodeValues(t, codec.Spec{Format: codec.Avro{}, Registry: reg}, vals...)
	only(t, res)
	res.Release()

	// Deps define the named types of Schema; References are registered with it.
	money := registry.Dependency{Name: "shop.Money", Schema: registry.Schema{Type: registry.TypeAvro,
		Text: `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"cents","type":"long"}]}`}}
	order := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"price","type":"shop.Money"}]}`
	refs := []registry.Reference{{Name: "shop.Money", Subject: "money", Version: 1}}
	res = decodeValues(t, codec.Spec{Format: codec.Avro{Schema: order, Deps: []registry.Dependency{money}}}, []byte{0x0a})
	if got := only(t, res); got.Schema().Field(0).Type.ID() != arrow.STRUCT {
		t.Errorf("decoded %s, want price: struct<cents>", got.Schema())
	}
	res.Release()
	priced := record(t, mem, arrow.NewSchema([]arrow.Field{{Name: "price", Type: arrow.StructOf(arrow.Field{Name: "cents", Type: arrow.PrimitiveTypes.Int64})}}, nil), `[{"price": {"cents": 5}}]`)
	defer priced.Release()
	reg = &fakeRegistry{}
	mustEncode(t, codec.Spec{Format: codec.Avro{Schema: order, Deps: []registry.Dependency{money}, References: refs}, Registry: reg, Subject: "orders-value"}, priced)
	if len(reg.schemas) != 1 || len(reg.schemas[0].References) != 1 || reg.schemas[0].References[0] != refs[0] {
		t.Errorf("registered %+v, want the schema with its reference", reg.schemas)
	}
	if _, err := encodeValues(t, codec.Spec{Format: codec.Avro{Schema: order}}, priced); err == nil {
		t.Error("a schema naming an undefined type encoded without its Deps")
	}
}

// Protobuf: Enums and Oneofs reach the decoder; RejectExtraColumns turns
// the encoder's IgnoreExtraColumns off.
func TestProtobufOptions(t *testing.T) {
	proto := `syntax = "proto3";
package shop;
enum Color { RED = 0; GREEN = 1; }
message Item {
  Color color = 1;
  oneof pick { string name = 2; int64 code = 3; }
}`
	value := []byte{0x08, 0x01, 0x12, 0x01, 'x'} // color GREEN, name "x"
	for _, tc := range []struct {
		mode protobuf.EnumMode
		want arrow.Type
	}{{protobuf.EnumDictionary, arrow.DICTIONARY}, {protobuf.EnumString, arrow.STRING}, {protobuf.EnumNumber, arrow.INT32}} {
		res := decodeValues(t, codec.Spec{Format: codec.Protobuf{Schema: proto, Enums: tc.mode}}, value)
		got := only(t, res)
		idx := got.Schema().FieldIndices("color")
		if len(idx) != 1 || got.Schema().Field(idx[0]).Type.ID() != tc.want {
			t.Errorf("enum mode %d decoded %s, want color as %s", tc.mode, got.Schema(), tc.want)
		}
		res.Release()
	}
	for _, tc := range []struct {
		mode    protobuf.OneofMode
		hasCase bool
	}{{protobuf.OneofCase, true}, {protobuf.OneofMembersOnly, false}} {
		res := decodeValues(t, codec.Spec{Format: codec.Protobuf{Schema: proto, Message: "shop.Item", Oneofs: tc.mode}}, value)
		got := only(t, res)
		if has := len(got.Schema().FieldIndices("pick")) == 1; has != tc.hasCase {
			t.Errorf("oneof mode %d decoded %s; a pick column wanted: %v", tc.mode, got.Schema(), tc.hasCase)
		}
		res.Release()
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := record(t, mem, arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "extra", Type: arrow.PrimitiveTypes.Int64},
	}, nil), `[{"name": "x", "extra": 1}]`)
	defer rec.Release()
	mustEncode(t, codec.Spec{Format: codec.Protobuf{Schema: proto}}, rec)
	if _, err := encodeValues(t, codec.Spec{Format: codec.Protobuf{Schema: proto, RejectExtraColumns: true}}, rec); err == nil {
		t.Error("RejectExtraColumns encoded a batch with a column that names no field")
	}
}

// Arrow: Compression reaches the encoder, and what it writes round-trips.
func TestArrowCompression(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "text", Type: arrow.BinaryTypes.String}}, nil)
	long := strings.Repeat("abcd", 4096)
	rec := record(t, mem, schema, `[{"text": "`+long+`"}, {"text": "`+long+`"}]`)
	defer rec.Release()
	plain := mustEncode(t, codec.Spec{Format: codec.Arrow{}}, rec)
	for _, c := range []encipc.Compression{encipc.LZ4, encipc.Zstd} {
		vals := mustEncode(t, codec.Spec{Format: codec.Arrow{Compression: c}}, rec)
		if len(vals[0])*4 > len(plain[0]) {
			t.Errorf("compression %d: a value of %d bytes, uncompressed %d", c, len(vals[0]), len(plain[0]))
		}
		res := decodeValues(t, codec.Spec{Format: codec.Arrow{ArrowSchema: schema}, Allocator: mem}, vals...)
		got := only(t, res)
		if got.NumRows() != 2 || !array.Equal(got.Column(0), rec.Column(0)) {
			t.Errorf("compression %d: decoded %v", c, got)
		}
		res.Release()
	}
}

// ipcAllocator counts the allocations arrow-go's IPC reader makes from it.
type ipcAllocator struct {
	memory.Allocator
	fromIPC atomic.Int64
}

func (a *ipcAllocator) Allocate(n int) []byte {
	a.count()
	return a.Allocator.Allocate(n)
}

func (a *ipcAllocator) Reallocate(n int, b []byte) []byte {
	a.count()
	return a.Allocator.Reallocate(n, b)
}

func (a *ipcAllocator) count() {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if strings.Contains(f.Function, "/arrow/ipc.") {
			a.fromIPC.Add(1)
			return
		}
		if !more {
			return
		}
	}
}

// Spec.Allocator reaches the Arrow IPC decoder: its reader's buffers come
// from it, and are all given back.
func TestArrowDecodeUsesTheSpecAllocator(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	mem := &ipcAllocator{Allocator: checked}
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	rec := record(t, memory.NewGoAllocator(), schema, `[{"n": 1, "s": "a"}, {"n": 2, "s": "b"}, {"n": 3, "s": "c"}]`)
	defer rec.Release()
	for _, c := range []encipc.Compression{encipc.Uncompressed, encipc.Zstd} {
		vals := mustEncode(t, codec.Spec{Format: codec.Arrow{Compression: c}}, rec)
		before := mem.fromIPC.Load()
		dec, err := codec.NewDecoder(codec.Spec{Format: codec.Arrow{Sample: vals[:1]}, Allocator: mem})
		if err != nil {
			t.Fatal(err)
		}
		res, err := dec.Decode(context.Background(), &decode.Input{Values: vals})
		if err != nil {
			t.Fatal(err)
		}
		got := only(t, res)
		if got.NumRows() != 3 {
			t.Errorf("decoded %d rows", got.NumRows())
		}
		if checked.CurrentAlloc() == 0 {
			t.Error("the decoded batch holds no memory of the spec's allocator")
		}
		res.Release()
		dec.Close()
		if mem.fromIPC.Load() == before {
			t.Errorf("compression %d: the IPC reader allocated nothing from Spec.Allocator", c)
		}
		if n := checked.CurrentAlloc(); n != 0 {
			t.Errorf("compression %d: %d bytes of the spec's allocator still held", c, n)
		}
	}
}

// Spec.Allocator reaches the Arrow IPC encoder too: its writer's scratch
// buffers come from it, and are all given back.
func TestArrowEncodeUsesTheSpecAllocator(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	mem := &ipcAllocator{Allocator: checked}
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	rec := record(t, memory.NewGoAllocator(), schema, `[{"s": "`+strings.Repeat("x", 4096)+`"}]`)
	defer rec.Release()
	vals := mustEncode(t, codec.Spec{Format: codec.Arrow{Compression: encipc.Zstd}, Allocator: mem}, rec)
	if len(vals) != 1 {
		t.Fatalf("%d values", len(vals))
	}
	if mem.fromIPC.Load() == 0 {
		t.Error("the IPC writer allocated nothing from Spec.Allocator")
	}
}
