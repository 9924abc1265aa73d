package avroschema_test

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
	"github.com/sabot-kafka/sabot/registry"
)

func TestParseReferencesAndNames(t *testing.T) {
	deps := []registry.Dependency{
		{Name: "a.Kind", Schema: registry.Schema{Text: `{"type":"enum","name":"Kind","namespace":"a","symbols":["X","Y"],"default":"Y"}`}},
		{Name: "b.Box", Schema: registry.Schema{Type: registry.TypeAvro, Text: `{"type":"record","name":"Box","namespace":"b","aliases":["Crate"],"fields":[{"name":"k","type":"a.Kind"}]}`}},
	}
	n, err := avroschema.Parse(`{"type":"record","name":"R","namespace":"b","fields":[
		{"name":"box","type":"Box"},
		{"name":"again","type":["null","b.Box"]},
		{"name":"ts","type":{"type":"string","logicalType":"timestamp-millis"}},
		{"name":"u","type":{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}}]}`, deps)
	if err != nil {
		t.Fatal(err)
	}
	box := n.Fields[0].Type
	if box.Kind != avroschema.Record || box.Name != "b.Box" || box.Aliases[0] != "b.Crate" || n.Fields[1].Type.Branches[1] != box {
		t.Fatalf("box %+v", box)
	}
	if k := box.Fields[0].Type; k.Kind != avroschema.Enum || k.EnumDefault != 1 || k.Name != "a.Kind" {
		t.Fatalf("kind %+v", k)
	}
	if n.Fields[2].Type.Logical != avroschema.NoLogical {
		t.Fatal("timestamp-millis on a string is not ignored")
	}
	if n.Fields[3].Type.Logical != avroschema.UUID {
		t.Fatal("uuid on fixed(16) is lost")
	}
	_, err = avroschema.Parse(`{"type":"record","name":"R","fields":[{"name":"x","type":"a.Kind"}]}`, nil)
	if !errors.Is(err, avroschema.ErrSchema) {
		t.Fatalf("missing reference: %v", err)
	}
	_, err = avroschema.Parse(`"int"`, []registry.Dependency{{Name: "p", Schema: registry.Schema{Type: registry.TypeProtobuf, Text: "x"}}})
	if !errors.Is(err, avroschema.ErrSchema) {
		t.Fatalf("protobuf reference: %v", err)
	}
}

func TestLayout(t *testing.T) {
	n, err := avroschema.Parse(`["null","string",{"type":"record","name":"a.T","fields":[]},{"type":"record","name":"b.T","fields":[]},{"type":"array","items":"int"}]`, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := avroschema.Layout(n)
	if l.Null != 0 || !l.Struct() || len(l.Names) != 4 || l.Names[0] != "string" || l.Names[1] != "a.T" || l.Names[2] != "b.T" || l.Names[3] != "array" {
		t.Fatalf("layout %+v", l)
	}
	typ, null, err := avroschema.ArrowType(n, "u", avroschema.MapOptions{})
	if err != nil || !null || typ.ID() != arrow.STRUCT {
		t.Fatalf("%v %v %v", typ, null, err)
	}
}

func TestAppendDefault(t *testing.T) {
	cases := []struct {
		schema string
		want   string
	}{
		{`{"type":"record","name":"R","fields":[{"name":"f","type":["null","int"],"default":null}]}`, "00"},
		{`{"type":"record","name":"R","fields":[{"name":"f","type":["int","null"],"default":3}]}`, "0006"},
		{`{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"array","items":"long"},"default":[1,-1]}]}`, "04020100"},
		{`{"type":"record","name":"R","fields":[{"name":"f","type":{"type":"map","values":"boolean"},"default":{"b":true,"a":false}}]}`, "0402610002620100"},
		{`{"type":"record","name":"R","fields":[{"name":"f","type":"bytes","default":"\u00ff"}]}`, "02ff"},
		{`{"type":"record","name":"R","fields":[{"name":"f","type":"double","default":1}]}`, "000000000000f03f"},
	}
	for _, c := range cases {
		n, err := avroschema.Parse(c.schema, nil)
		if err != nil {
			t.Fatal(err)
		}
		f := n.Fields[0]
		b, err := avroschema.AppendDefault(nil, f.Type, f.Default)
		if err != nil || hex.EncodeToString(b) != c.want {
			t.Errorf("%s: %x %v, want %s", c.schema, b, err, c.want)
		}
	}
}
