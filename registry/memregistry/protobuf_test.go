package memregistry_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/sabot-kafka/sabot/registry/memregistry"
	"github.com/sabot-kafka/sabot/registry/protoschema"
)

// golden reads testdata/registry/protobuf: base64 FileDescriptorProtos
// protoc wrote, which confluent-kafka-python's ProtobufSerializer registers
// as they are (see its README), and their .proto sources.
func golden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "registry", "protobuf", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const moneyPath = "shop/common/money.proto"

func body(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func raw(h *memregistry.Registry, method, path, reqBody string) (int, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(reqBody))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// registerPython registers the golden files as the Python serializer does:
// the import under its file name first, then the schema with a reference.
func registerPython(t *testing.T, r *memregistry.Registry) {
	t.Helper()
	moneyBody := body(t, map[string]any{"schemaType": "PROTOBUF", "schema": golden(t, "money.b64")})
	if status, out := do(t, r, "POST", "/subjects/"+url.PathEscape(moneyPath)+"/versions", moneyBody); status != 200 || out["id"] != 1.0 {
		t.Fatalf("register money: %d %v", status, out)
	}
	if status, out := do(t, r, "POST", "/subjects/"+url.PathEscape(moneyPath), moneyBody); status != 200 || out["version"] != 1.0 {
		t.Fatalf("look up money (as the serializer does for the reference's version): %d %v", status, out)
	}
	orderBody := body(t, map[string]any{"schemaType": "PROTOBUF", "schema": golden(t, "order.b64"),
		"references": []map[string]any{{"name": moneyPath, "subject": moneyPath, "version": 1}}})
	if status, out := do(t, r, "POST", "/subjects/orders-value/versions", orderBody); status != 200 || out["id"] != 2.0 {
		t.Fatalf("register order: %d %v", status, out)
	}
}

// TestProtobufSerializedForm: a schema registered as a base64
// FileDescriptorProto (with a reference, and google/protobuf/timestamp.proto
// imported without one) is stored as .proto text and served in both forms.
func TestProtobufSerializedForm(t *testing.T) {
	r := memregistry.New()
	registerPython(t, r)
	deps := map[string]string{moneyPath: golden(t, moneyPath)}
	src, err := protoschema.Compile(t.Context(), "", golden(t, "shop/v1/order.proto"), deps)
	if err != nil {
		t.Fatal(err)
	}
	want := protoschema.Descriptor(src, protoschema.DefaultName)

	// The default form is .proto text that compiles to the registered file.
	_, out := do(t, r, "GET", "/schemas/ids/2", "")
	text, _ := out["schema"].(string)
	fd, err := protoschema.Compile(t.Context(), "", text, deps)
	if err != nil || protoschema.IsSerialized(text) {
		t.Fatalf("default form %q: %v", text, err)
	}
	if !proto.Equal(protoschema.Descriptor(fd, protoschema.DefaultName), want) {
		t.Errorf("stored text compiles to another file:\n%s", text)
	}

	// Every endpoint with a format parameter serves the serialized form.
	for _, path := range []string{
		"/schemas/ids/2?format=serialized",
		"/subjects/orders-value/versions/1?format=serialized",
		"/subjects/orders-value/versions/latest?deleted=true&format=serialized",
		"/schemas/guids/" + out["guid"].(string) + "?format=serialized",
	} {
		status, got := do(t, r, "GET", path, "")
		s, _ := got["schema"].(string)
		checkSerialized(t, path, status, s, want)
	}
	for _, path := range []string{"/schemas/ids/2/schema?format=serialized", "/subjects/orders-value/versions/1/schema?format=serialized"} {
		status, s := raw(r, "GET", path, "")
		checkSerialized(t, path, status, s, want)
	}
	status, got := do(t, r, "POST", "/subjects/orders-value?format=serialized", body(t, map[string]any{"schemaType": "PROTOBUF", "schema": golden(t, "order.b64"),
		"references": []map[string]any{{"name": moneyPath, "subject": moneyPath, "version": 1}}}))
	s, _ := got["schema"].(string)
	checkSerialized(t, "lookup", status, s, want)
	if got["version"] != 1.0 || got["id"] != 2.0 {
		t.Errorf("lookup: %v", got)
	}

	// The reference, as the Python deserializer fetches it.
	status, got = do(t, r, "GET", "/subjects/"+url.PathEscape(moneyPath)+"/versions/1?deleted=true&format=serialized", "")
	moneyFD, err := protoschema.Compile(t.Context(), "", golden(t, moneyPath), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ = got["schema"].(string)
	checkSerialized(t, "reference", status, s, protoschema.Descriptor(moneyFD, protoschema.DefaultName))

	// The same schema in either form is the same schema: same id, no new
	// version.
	for form, text := range map[string]string{"serialized": golden(t, "order.b64"), "stored text": text} {
		_, got := do(t, r, "POST", "/subjects/orders-value/versions", body(t, map[string]any{"schemaType": "PROTOBUF", "schema": text,
			"references": []map[string]any{{"name": moneyPath, "subject": moneyPath, "version": 1}}}))
		if got["id"] != 2.0 {
			t.Errorf("%s re-registered: %v", form, got)
		}
	}
	if _, vs := raw(r, "GET", "/subjects/orders-value/versions", ""); strings.TrimSpace(vs) != "[1]" {
		t.Errorf("versions %s", vs)
	}
}

func checkSerialized(t *testing.T, what string, status int, s string, want proto.Message) {
	t.Helper()
	fdp, err := protoschema.ParseSerialized(s)
	if status != 200 || err != nil {
		t.Errorf("%s: status %d, %q: %v", what, status, s, err)
		return
	}
	if !proto.Equal(fdp, want) {
		t.Errorf("%s: serialized form is\n%v\nwant\n%v", what, fdp, want)
	}
}

// TestProtobufSerializedInvalid: a base64 descriptor that does not link (a
// missing import, a broken descriptor) is refused with 42201.
func TestProtobufSerializedInvalid(t *testing.T) {
	r := memregistry.New()
	for name, text := range map[string]string{
		"import without reference": golden(t, "order.b64"),
		"not a descriptor":         "AAAA",
		"invalid names":            "ChcwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMBILMDAwMDAwMDAwMDAiKEIFJTAwMDAyDQoFMDAwMDAwMCABKDAwMFoIMDAwMDAwMDAwMDAwMDA=",
	} {
		status, out := do(t, r, "POST", "/subjects/s/versions", body(t, map[string]any{"schemaType": "PROTOBUF", "schema": text}))
		if status != 422 || out["error_code"] != 42201.0 {
			t.Errorf("%s: %d %v", name, status, out)
		}
	}
}

// TestFormats: what each format value gives for each type, as Confluent's
// registry answers (unknown values give the stored text, not an error).
func TestFormats(t *testing.T) {
	r := memregistry.New()
	registerPython(t, r)
	avroDep := `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"units","type":"long"}]}`
	avroMain := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"}]}`
	do(t, r, "POST", "/subjects/money-avro/versions", body(t, map[string]any{"schema": avroDep}))
	do(t, r, "POST", "/subjects/order-avro/versions", body(t, map[string]any{"schema": avroMain,
		"references": []map[string]any{{"name": "shop.Money", "subject": "money-avro", "version": 1}}}))
	do(t, r, "POST", "/subjects/json/versions", body(t, map[string]any{"schemaType": "JSON", "schema": `{"type":"object"}`}))
	ext := "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions { string tag = 50001; }\nmessage M { string a = 1 [(tag) = \"x\"]; }\n"
	do(t, r, "POST", "/subjects/ext/versions", body(t, map[string]any{"schemaType": "PROTOBUF", "schema": ext}))

	for _, tc := range []struct {
		path      string
		want      string // exact text, or
		contains  []string
		lacks     []string
		wantCompl bool // the text is a serialized descriptor
	}{
		{path: "/subjects/order-avro/versions/1/schema", want: avroMain},
		{path: "/subjects/order-avro/versions/1/schema?format=default", want: avroMain},
		{path: "/subjects/order-avro/versions/1/schema?format=serialized", want: avroMain},
		{path: "/subjects/order-avro/versions/1/schema?format=resolved", contains: []string{`"name":"Order"`, `"name":"Money"`, `"units"`}},
		{path: "/subjects/money-avro/versions/1/schema?format=resolved", want: avroDep},
		{path: "/subjects/json/versions/1/schema?format=resolved", want: `{"type":"object"}`},
		{path: "/subjects/json/versions/1/schema?format=serialized", want: `{"type":"object"}`},
		{path: "/subjects/ext/versions/1/schema?format=nonsense", want: ext},
		{path: "/subjects/ext/versions/1/schema?format=resolved", want: ext},
		{path: "/subjects/ext/versions/1/schema?format=ignore_extensions", contains: []string{"string a = 1;"}, lacks: []string{"extend", "(tag)"}},
		{path: "/subjects/ext/versions/1/schema?format=serialized", wantCompl: true},
	} {
		status, got := raw(r, "GET", tc.path, "")
		switch {
		case status != 200:
			t.Errorf("%s: status %d %s", tc.path, status, got)
		case tc.want != "" && got != tc.want:
			t.Errorf("%s: %q, want %q", tc.path, got, tc.want)
		case tc.wantCompl && !protoschema.IsSerialized(got):
			t.Errorf("%s: %q is not serialized", tc.path, got)
		}
		for _, c := range tc.contains {
			if !strings.Contains(got, c) {
				t.Errorf("%s: %q lacks %q", tc.path, got, c)
			}
		}
		for _, c := range tc.lacks {
			if strings.Contains(got, c) {
				t.Errorf("%s: %q has %q", tc.path, got, c)
			}
		}
	}
}
