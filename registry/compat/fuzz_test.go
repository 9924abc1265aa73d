package compat_test

import (
	"testing"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/compat"
)

// The fuzz targets feed schema text (well-formed, truncated, hostile) to the
// parsers and, when both texts parse, to every check: nothing may panic or
// hang, and a verdict must come with messages exactly when incompatible.

func seedFromCorpus(f *testing.F, file string) {
	c := loadCorpus(f, file)
	for _, tc := range c.Cases {
		n, existing := tc.schemas(f, c.Format)
		f.Add(existing[len(existing)-1].Text, n.Text)
	}
}

func fuzzCheck(t *testing.T, typ registry.SchemaType, old, new string) {
	for _, text := range []string{old, new} {
		_, _ = compat.Parse(registry.ResolvedSchema{Schema: registry.Schema{Type: typ, Text: text}})
	}
	n := registry.ResolvedSchema{Schema: registry.Schema{Type: typ, Text: new}}
	existing := []registry.ResolvedSchema{{Schema: registry.Schema{Type: typ, Text: old}}}
	res, err := compat.Check(n, existing, registry.CompatFullTransitive)
	if err != nil {
		return
	}
	if res.Compatible != (len(res.Messages) == 0) {
		t.Fatalf("verdict %v with %d messages", res.Compatible, len(res.Messages))
	}
}

func FuzzAvroCheck(f *testing.F) {
	seedFromCorpus(f, "avro.json")
	f.Add(`{"type":"record","name":"R","fields":[{"name":"a","type":["null","R"]}]}`, `{"type":"record","name":"R","fields":[]}`)
	f.Add(`{"type":"enum","name":"E","symbols":["A","A"]}`, `[`)
	f.Add(`{"type":"fixed","name":"F","size":-1}`, `{"type":"map"}`)
	f.Add(`["null",["int"]]`, `{"type":"record","name":"a.b.","fields":[]}`)
	f.Fuzz(func(t *testing.T, old, new string) { fuzzCheck(t, registry.TypeAvro, old, new) })
}

func FuzzProtobufCheck(f *testing.F) {
	seedFromCorpus(f, "protobuf.json")
	f.Add("syntax = \"proto2\";\nmessage M { required group G = 1 { optional int32 a = 2; } }\n", "syntax = \"proto3\";\nmessage M {")
	f.Add("syntax = \"proto3\";\nimport \"missing.proto\";\n", "edition = \"2023\";\nmessage M { int32 a = 1; }\n")
	f.Add("syntax = \"proto3\";\nmessage M { map<string, M> m = 1; oneof o { M x = 2; } }\n", "syntax = \"proto3\";\nmessage M { reserved 1 to max; }\n")
	f.Fuzz(func(t *testing.T, old, new string) { fuzzCheck(t, registry.TypeProtobuf, old, new) })
}

func FuzzJSONSchemaCheck(f *testing.F) {
	seedFromCorpus(f, "jsonschema.json")
	f.Add(`{"$ref":"#"}`, `{"not":{"$ref":"#"}}`)
	f.Add(`{"type":["string","null"],"enum":["a",null],"const":"a"}`, `{"allOf":[{"anyOf":[{}]},true,false]}`)
	f.Add(`{"items":[{"type":"string"}],"additionalItems":false}`, `{"patternProperties":{"(?=a)":{}},"additionalProperties":{"type":"integer"}}`)
	f.Add(`{"$schema":"https://json-schema.org/draft/2020-12/schema","prefixItems":[true],"items":false}`, `{"dependencies":{"a":["b"],"c":{"required":["d"]}}}`)
	f.Fuzz(func(t *testing.T, old, new string) { fuzzCheck(t, registry.TypeJSON, old, new) })
}
