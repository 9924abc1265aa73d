package jsonschema_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"

	decjson "github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/json"
	"github.com/sabot-kafka/sabot/encode/jsonschema"
	"github.com/sabot-kafka/sabot/registry"
)

type memRegistrar struct{ got []registry.Schema }

func (m *memRegistrar) Register(_ context.Context, subject string, s registry.Schema) (int, error) {
	m.got = append(m.got, s)
	return 7, nil
}

func usersBatch(mem memory.Allocator) arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"123", "456", "789"}, nil)
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{30, 0, -1}, []bool{true, false, true})
	return b.NewRecordBatch()
}

// TestSinkRejectsInvalid: with a given schema and
// validation on, the row missing the required age is a row error and is not
// written; the others carry the wire-format header.
func TestSinkRejectsInvalid(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema, err := os.ReadFile("../../testdata/jsonschema/schemas/users.json")
	if err != nil {
		t.Fatal(err)
	}
	rec := usersBatch(mem)
	defer rec.Release()
	for _, full := range []bool{false, true} {
		text := string(schema)
		if full {
			// multipleOf is not compiled into the plan: the full validator runs.
			text = strings.Replace(text, `"minimum": 0`, `"minimum": 0, "multipleOf": 1`, 1)
		}
		reg := &memRegistrar{}
		enc, err := encode.New(encode.Config{
			Compiler:  jsonschema.NewCompiler(jsonschema.Options{Schema: text, Validate: true, JSON: json.Options{OmitNulls: true}}),
			Registrar: reg,
			Subject:   func(encode.Writer) (string, error) { return "validated-users-value", nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		var vals encode.Values
		if err := enc.Encode(context.Background(), rec, &vals); err != nil {
			t.Fatal(err)
		}
		if string(vals.Value(0)) != "\x00\x00\x00\x00\x07"+`{"user_id":"123","age":30}` {
			t.Errorf("full=%v: value 0 = %q", full, vals.Value(0))
		}
		if len(vals.Errors) != 2 || vals.Errors[0].Row != 1 || vals.Errors[1].Row != 2 ||
			!errors.Is(&vals.Errors[0], encode.ErrInvalid) || !strings.Contains(vals.Errors[0].Error(), "age") ||
			!errors.Is(&vals.Errors[1], encode.ErrInvalid) || encode.Kind(&vals.Errors[1]) != "invalid" ||
			!strings.Contains(vals.Errors[1].Error(), "minimum") || vals.Value(1) != nil {
			t.Errorf("full=%v: errors %v", full, vals.Errors)
		}
		if len(reg.got) != 1 || reg.got[0].Type != registry.TypeJSON || reg.got[0].Text != text {
			t.Errorf("registered %+v", reg.got)
		}
	}
}

// TestFloatsReadAsFloats: float columns of every width go out in a float's
// form (whole numbers and -0 with ".0") under the derived schema, validated.
func TestFloatsReadAsFloats(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := arrow.NewSchema([]arrow.Field{
		{Name: "h", Type: arrow.FixedWidthTypes.Float16},
		{Name: "f", Type: arrow.PrimitiveTypes.Float32},
		{Name: "d", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	b.Field(0).(*array.Float16Builder).AppendValues([]float16.Num{float16.New(3), float16.New(0.5)}, nil)
	b.Field(1).(*array.Float32Builder).AppendValues([]float32{float32(math.Copysign(0, -1)), 0.1}, nil)
	b.Field(2).(*array.Float64Builder).AppendValues([]float64{1e21, -7}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	enc, err := encode.New(encode.Config{
		Compiler:  jsonschema.NewCompiler(jsonschema.Options{Validate: true}),
		Registrar: &memRegistrar{},
		Subject:   func(encode.Writer) (string, error) { return "floats-value", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"h":3.0,"f":-0.0,"d":1e+21}`, `{"h":0.5,"f":0.1,"d":-7.0}`}
	if len(vals.Errors) != 0 || vals.Len() != len(want) {
		t.Fatalf("%d values, errors %v", vals.Len(), vals.Errors)
	}
	for i, w := range want {
		if got := string(vals.Value(i)[5:]); got != w {
			t.Errorf("value %d = %s, want %s", i, got, w)
		}
	}
}

// TestSchemaForMapsBack: the schema derived from an Arrow layout maps back to
// the same layout through decode/json.
func TestSchemaForMapsBack(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: arrow.NewMetadata([]string{decjson.MetaKey}, []string{decjson.MetaRaw})},
		{Name: "addr", Nullable: true, Type: arrow.StructOf(
			arrow.Field{Name: "street", Type: arrow.BinaryTypes.String},
			arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		)},
		{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	text, err := jsonschema.SchemaFor(s, "Thing", json.Options{})
	if err != nil {
		t.Fatal(err)
	}
	js, err := decjson.CompileJSONSchema(text, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !js.Schema().Equal(s) || js.Title() != "Thing" || !js.Exact() {
		t.Errorf("derived %s (exact %v)\nfrom %s\nwant %s", text, js.Exact(), js.Schema(), s)
	}
	if _, err := jsonschema.SchemaFor(arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.Null}}, nil), "T", json.Options{}); !errors.Is(err, encode.ErrUnsupported) {
		t.Errorf("null type: %v", err)
	}
}

func ExampleSchemaFor() {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "age", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	text, _ := jsonschema.SchemaFor(s, "User", json.Options{})
	fmt.Println(text)
	// Output:
	// {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"User","type":"object","properties":{"user_id":{"type":"string"},"age":{"type":["integer","null"],"minimum":-2147483648,"maximum":2147483647}},"required":["user_id"]}
}
