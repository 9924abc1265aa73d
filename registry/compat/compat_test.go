package compat_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/compat"
)

func rs(typ registry.SchemaType, text string, deps ...registry.Dependency) registry.ResolvedSchema {
	return registry.ResolvedSchema{Schema: registry.Schema{Type: typ, Text: text}, Deps: deps}
}

func dep(name string, typ registry.SchemaType, text string) registry.Dependency {
	return registry.Dependency{Name: name, Schema: registry.Schema{Type: typ, Text: text}}
}

func TestCheckErrors(t *testing.T) {
	good := rs(registry.TypeAvro, `"string"`)
	for name, tc := range map[string]struct {
		n        registry.ResolvedSchema
		existing []registry.ResolvedSchema
		level    registry.CompatibilityLevel
		want     string
	}{
		"unknown level":        {good, nil, "SIDEWAYS", "unknown compatibility level"},
		"empty level":          {good, nil, "", "unknown compatibility level"},
		"unknown type":         {rs("XML", "<a/>"), nil, registry.CompatBackward, `unknown schema type "XML"`},
		"bad new avro":         {rs(registry.TypeAvro, `{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}`), nil, registry.CompatBackward, `unknown type "nope"`},
		"bad existing":         {good, []registry.ResolvedSchema{rs(registry.TypeAvro, `{`)}, registry.CompatBackward, "existing schema 1"},
		"bad protobuf":         {rs(registry.TypeProtobuf, `syntax = "proto3"; message M { int32 = 1; }`), nil, registry.CompatNone, "PROTOBUF"},
		"bad json schema":      {rs(registry.TypeJSON, `{"type": 12}`), nil, registry.CompatNone, "JSON"},
		"json not json":        {rs(registry.TypeJSON, `{"type": "string"} trailing`), nil, registry.CompatNone, "JSON"},
		"unresolved json ref":  {rs(registry.TypeJSON, `{"$ref": "https://example.com/x.json"}`), nil, registry.CompatNone, "example.com"},
		"missing proto import": {rs(registry.TypeProtobuf, "syntax = \"proto3\";\nimport \"other.proto\";\nmessage M { Other o = 1; }\n"), nil, registry.CompatNone, "other.proto"},
		"dep of another type":  {rs(registry.TypeAvro, `"string"`, dep("x", registry.TypeJSON, `{}`)), nil, registry.CompatNone, "not AVRO"},
		"oversized":            {rs(registry.TypeAvro, `"`+strings.Repeat("a", compat.MaxSchemaSize)+`"`), nil, registry.CompatNone, "more than"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := compat.Check(tc.n, tc.existing, tc.level)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "compat: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want the package prefix and %q", err, tc.want)
			}
			if strings.Contains(name, "level") {
				return
			}
			if !errors.Is(err, compat.ErrInvalidSchema) {
				t.Fatalf("%v does not wrap ErrInvalidSchema", err)
			}
		})
	}
}

func TestCheckTypeChangeBetweenVersions(t *testing.T) {
	res, err := compat.Check(rs(registry.TypeJSON, `{"type":"string"}`), []registry.ResolvedSchema{rs(registry.TypeAvro, `"string"`)}, registry.CompatBackward)
	if err != nil {
		t.Fatal(err)
	}
	if res.Compatible || !strings.Contains(strings.Join(res.Messages, ""), "different schema type") {
		t.Fatalf("%+v", res)
	}
	// NONE does not look at earlier versions at all.
	res, err = compat.Check(rs(registry.TypeJSON, `{"type":"string"}`), []registry.ResolvedSchema{rs(registry.TypeAvro, `"string"`)}, registry.CompatNone)
	if err != nil || !res.Compatible {
		t.Fatalf("%+v, %v", res, err)
	}
}

// TestCheckWithReferences: types defined by referenced schemas take part in
// the check.
func TestCheckWithReferences(t *testing.T) {
	money := func(unitsType string) registry.Dependency {
		return dep("shop.Money", registry.TypeAvro, `{"type":"record","name":"Money","namespace":"shop","fields":[{"name":"units","type":"`+unitsType+`"}]}`)
	}
	order := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"total","type":"Money"}]}`
	for _, tc := range []struct {
		oldUnits, newUnits string
		compatible         bool
	}{{"int", "long", true}, {"long", "int", false}} {
		res, err := compat.Check(rs(registry.TypeAvro, order, money(tc.newUnits)),
			[]registry.ResolvedSchema{rs(registry.TypeAvro, order, money(tc.oldUnits))}, registry.CompatBackward)
		if err != nil {
			t.Fatal(err)
		}
		if res.Compatible != tc.compatible {
			t.Fatalf("%s -> %s: %+v", tc.oldUnits, tc.newUnits, res)
		}
	}

	protoDep := func(typ string) registry.Dependency {
		return dep("shop/money.proto", registry.TypeProtobuf, "syntax = \"proto3\";\npackage shop;\nmessage Money {\n  "+typ+" units = 1;\n}\n")
	}
	paid := "syntax = \"proto3\";\npackage shop;\nimport \"shop/money.proto\";\nmessage Paid {\n  Money amount = 1;\n}\n"
	for _, tc := range []struct {
		oldType, newType string
		compatible       bool
	}{{"int32", "int64", true}, {"int32", "string", false}, {"int32", "int32", true}} {
		res, err := compat.Check(rs(registry.TypeProtobuf, paid, protoDep(tc.newType)),
			[]registry.ResolvedSchema{rs(registry.TypeProtobuf, paid, protoDep(tc.oldType))}, registry.CompatBackward)
		if err != nil {
			t.Fatal(err)
		}
		if res.Compatible != tc.compatible {
			t.Fatalf("proto %s -> %s: %+v", tc.oldType, tc.newType, res)
		}
	}

	jsonDep := func(max int) registry.Dependency {
		return dep("address.json", registry.TypeJSON, fmt.Sprintf(`{"type":"object","properties":{"zip":{"type":"string","maxLength":%d}}}`, max))
	}
	person := `{"type":"object","properties":{"home":{"$ref":"address.json"}}}`
	for _, tc := range []struct {
		oldMax, newMax int
		compatible     bool
	}{{5, 10, true}, {10, 5, false}} {
		res, err := compat.Check(rs(registry.TypeJSON, person, jsonDep(tc.newMax)),
			[]registry.ResolvedSchema{rs(registry.TypeJSON, person, jsonDep(tc.oldMax))}, registry.CompatBackward)
		if err != nil {
			t.Fatal(err)
		}
		if res.Compatible != tc.compatible {
			t.Fatalf("json maxLength %d -> %d: %+v", tc.oldMax, tc.newMax, res)
		}
	}
}

// TestCheckJSONKeywordsBesideType: keywords the "type" does not claim add
// schemas of their own, as everit loads them for Confluent's diff; the
// corpus holds the if/then/else cases as Confluent decides them.
func TestCheckJSONKeywordsBesideType(t *testing.T) {
	address := func(extra string) registry.Dependency {
		return dep("address.json", registry.TypeJSON, `{"type":"object"`+extra+`}`)
	}
	person := `{"type":"object","properties":{"home":{"$ref":"address.json"}}}`
	for _, tc := range []struct {
		name     string
		old, new registry.ResolvedSchema
		level    registry.CompatibilityLevel
		want     string // a message fragment; "" for compatible
	}{
		// The compiler drops then without if; the source document still
		// has it, found under a property name that needs escaping.
		{"then without if, escaped property name", rs(registry.TypeJSON, `{"type":"object","properties":{"a/b~c%":{"type":"object"}}}`),
			rs(registry.TypeJSON, `{"type":"object","properties":{"a/b~c%":{"type":"object","then":{"required":["x"]}}}}`),
			registry.CompatBackward, "TYPE_CHANGED at #/properties/a/b~c%"},
		{"if/then in a referenced schema", rs(registry.TypeJSON, person, address("")),
			rs(registry.TypeJSON, person, address(`,"if":{"required":["a"]},"then":{"required":["b"]}`)),
			registry.CompatBackward, "TYPE_CHANGED at #/properties/home"},
		{"if/then in a referenced schema, forward", rs(registry.TypeJSON, person, address("")),
			rs(registry.TypeJSON, person, address(`,"if":{"required":["a"]},"then":{"required":["b"]}`)),
			registry.CompatForward, ""},
		{"if: false is a conditional too", rs(registry.TypeJSON, `{"type":"object","if":false}`),
			rs(registry.TypeJSON, `{"type":"object","if":false,"then":{"required":["a"]}}`), registry.CompatFull, ""},
		{"draft 6 has no conditionals", rs(registry.TypeJSON, `{"$schema":"http://json-schema.org/draft-06/schema#","type":"object"}`),
			rs(registry.TypeJSON, `{"$schema":"http://json-schema.org/draft-06/schema#","type":"object","if":{"required":["a"]},"then":{"required":["b"]}}`),
			registry.CompatFull, ""},
		{"string keyword beside integer", rs(registry.TypeJSON, `{"type":"integer"}`),
			rs(registry.TypeJSON, `{"type":"integer","minLength":2}`), registry.CompatBackward, "TYPE_CHANGED at #/"},
		{"number keyword beside integer is the integer's", rs(registry.TypeJSON, `{"type":"integer"}`),
			rs(registry.TypeJSON, `{"type":"integer","maximum":2}`), registry.CompatBackward, "MAXIMUM_ADDED at #/maximum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := compat.Check(tc.new, []registry.ResolvedSchema{tc.old}, tc.level)
			if err != nil {
				t.Fatal(err)
			}
			msgs := strings.Join(res.Messages, "\n")
			if res.Compatible != (tc.want == "") || !strings.Contains(msgs, tc.want) {
				t.Fatalf("compatible = %v, messages:\n%s\nwant %q", res.Compatible, msgs, tc.want)
			}
		})
	}
}

// TestCheckRecursiveSchemas: self-referencing schemas terminate and are
// still checked.
func TestCheckRecursiveSchemas(t *testing.T) {
	for _, tc := range []struct {
		name       string
		typ        registry.SchemaType
		old, new   string
		compatible bool
	}{
		{"json self ref", registry.TypeJSON,
			`{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#"}}}`,
			`{"type":"object","properties":{"v":{"type":"number"},"next":{"$ref":"#"}}}`, true},
		{"json self ref narrowed", registry.TypeJSON,
			`{"type":"object","properties":{"v":{"type":"number"},"next":{"$ref":"#"}}}`,
			`{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#"}}}`, false},
		{"json ref loop", registry.TypeJSON,
			`{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"type":"object","properties":{"x":{"$ref":"#/definitions/a"}}}`,
			`{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"type":"object","properties":{"x":{"$ref":"#/definitions/a"}}}`, true},
		{"proto mutual recursion", registry.TypeProtobuf,
			"syntax = \"proto3\";\nmessage A { B b = 1; int32 n = 2; }\nmessage B { A a = 1; }\n",
			"syntax = \"proto3\";\nmessage A { B b = 1; int64 n = 2; }\nmessage B { A a = 1; string s = 2; }\n", true},
		{"proto mutual recursion broken", registry.TypeProtobuf,
			"syntax = \"proto3\";\nmessage A { B b = 1; }\nmessage B { A a = 1; int32 n = 2; }\n",
			"syntax = \"proto3\";\nmessage A { B b = 1; }\nmessage B { A a = 1; string n = 2; }\n", false},
		{"avro linked list narrowed", registry.TypeAvro,
			`{"type":"record","name":"N","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","N"]}]}`,
			`{"type":"record","name":"N","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","N"]}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := compat.Check(rs(tc.typ, tc.new), []registry.ResolvedSchema{rs(tc.typ, tc.old)}, registry.CompatBackward)
			if err != nil {
				t.Fatal(err)
			}
			if res.Compatible != tc.compatible {
				t.Fatalf("%+v", res)
			}
		})
	}
}

// TestCheckHostileInput: nesting that multiplies comparisons or parsing
// ends quickly with a verdict or an error, never a hang or a crash.
func TestCheckHostileInput(t *testing.T) {
	nest := func(depth, width int) string {
		s := `{"type":"string"}`
		for range depth {
			branches := make([]string, width)
			for i := range branches {
				branches[i] = s
			}
			s = `{"anyOf":[` + strings.Join(branches, ",") + `]}`
		}
		return s
	}
	start := time.Now()
	res, err := compat.Check(rs(registry.TypeJSON, nest(6, 4)), []registry.ResolvedSchema{rs(registry.TypeJSON, nest(6, 3))}, registry.CompatFull)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	_ = res // verdict either way; the point is that it ends
	deep := strings.Repeat(`{"type":"array","items":`, 400) + `"int"` + strings.Repeat("}", 400)
	if _, err := compat.Check(rs(registry.TypeAvro, deep), nil, registry.CompatNone); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Fatalf("deep Avro: %v", err)
	}
}

func ExampleCheck() {
	v1 := registry.ResolvedSchema{Schema: registry.Schema{
		Text: `{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}`,
	}}
	v2 := registry.ResolvedSchema{Schema: registry.Schema{
		Text: `{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}`,
	}}
	res, err := compat.Check(v2, []registry.ResolvedSchema{v1}, registry.CompatBackward)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Compatible)
	fmt.Println(res.Messages[0])
	// Output:
	// false
	// the latest schema, BACKWARD (new schema reads old data): READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: field "email" is missing from the writer and has no default
}
