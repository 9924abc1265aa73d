package encode_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/avro"
	"github.com/sabot-kafka/sabot/encode/json"
	"github.com/sabot-kafka/sabot/encode/jsonschema"
	"github.com/sabot-kafka/sabot/encode/msgpack"
	"github.com/sabot-kafka/sabot/encode/protobuf"
	"github.com/sabot-kafka/sabot/encode/raw"
)

// The cross-format test encodes one batch in every format; each row holds
// one value some writer schema or format cannot take:
//
//	row 0  good
//	row 1  id null
//	row 2  a null item in user.tags
//	row 3  a null value in attrs
//	row 4  user.score NaN
//	row 5  user.level "ZZZ", not a symbol of the enum
//
// Whatever the format, a row error is an *encode.ValueError with its row,
// the shared sentinel and the same path for the same field.

var rowLayout = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "user", Type: arrow.StructOf(
		arrow.Field{Name: "name", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "score", Type: arrow.PrimitiveTypes.Float64},
		arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		arrow.Field{Name: "level", Type: arrow.BinaryTypes.String},
	)},
	{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64)},
}, nil)

func rowBatch(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, rowLayout)
	defer b.Release()
	id := b.Field(0).(*array.Int64Builder)
	user := b.Field(1).(*array.StructBuilder)
	name := user.FieldBuilder(0).(*array.StringBuilder)
	score := user.FieldBuilder(1).(*array.Float64Builder)
	tags := user.FieldBuilder(2).(*array.ListBuilder)
	tag := tags.ValueBuilder().(*array.Int64Builder)
	level := user.FieldBuilder(3).(*array.StringBuilder)
	attrs := b.Field(2).(*array.MapBuilder)
	key, val := attrs.KeyBuilder().(*array.StringBuilder), attrs.ItemBuilder().(*array.Int64Builder)
	for row := range 6 {
		if row == 1 {
			id.AppendNull()
		} else {
			id.Append(int64(row))
		}
		user.Append(true)
		name.Append("n")
		if row == 4 {
			score.Append(math.NaN())
		} else {
			score.Append(1.5)
		}
		tags.Append(true)
		tag.Append(1)
		if row == 2 {
			tag.AppendNull()
		}
		if row == 5 {
			level.Append("ZZZ")
		} else {
			level.Append("HIGH")
		}
		attrs.Append(true)
		key.Append("a")
		if row == 3 {
			val.AppendNull()
		} else {
			val.Append(1)
		}
	}
	return b.NewRecordBatch()
}

const rowAvro = `{"type":"record","name":"Row","fields":[
  {"name":"id","type":"long"},
  {"name":"user","type":{"type":"record","name":"User","fields":[
    {"name":"name","type":"string"},
    {"name":"score","type":"double"},
    {"name":"tags","type":{"type":"array","items":"long"}},
    {"name":"level","type":{"type":"enum","name":"Level","symbols":["LOW","HIGH"]}}]}},
  {"name":"attrs","type":{"type":"map","values":"long"}}]}`

const rowProto = `syntax = "proto2";
package xe;
enum Level { LOW = 0; HIGH = 1; }
message User {
  optional string name = 1;
  optional double score = 2;
  repeated int64 tags = 3;
  optional Level level = 4;
}
message Row {
  required int64 id = 1;
  optional User user = 2;
  map<string, int64> attrs = 3;
}`

const rowJSONSchema = `{
  "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "user": {"type": "object", "properties": {
      "name": {"type": "string"},
      "score": {"type": "number"},
      "tags": {"type": "array", "items": {"type": "integer"}},
      "level": {"type": "string", "enum": ["LOW", "HIGH"]}
    }},
    "attrs": {"type": "object", "additionalProperties": {"type": "integer"}}
  },
  "required": ["id"]
}`

// rowError is the error a row must give: its sentinel and path.
type rowError struct {
	is   error
	path string
}

func TestValueErrorsAcrossFormats(t *testing.T) {
	cases := []struct {
		name     string
		compiler encode.Compiler
		want     map[int]rowError // rows not listed encode
	}{
		{"avro", avro.NewCompiler(avro.Options{Schema: rowAvro}), map[int]rowError{
			1: {encode.ErrNull, "id"},
			2: {encode.ErrNull, "user.tags[]"},
			3: {encode.ErrNull, "attrs{}"},
			5: {encode.ErrInvalid, "user.level"},
		}},
		{"protobuf", protobuf.NewCompiler(protobuf.Options{Proto: rowProto, Message: "xe.Row"}), map[int]rowError{
			1: {encode.ErrNull, "id"},
			2: {encode.ErrNull, "user.tags[]"},
			// a null map value is left out of its entry
			5: {encode.ErrInvalid, "user.level"},
		}},
		{"json", json.NewCompiler(json.Options{}), map[int]rowError{
			4: {encode.ErrRange, "user.score"},
		}},
		{"jsonschema", jsonschema.NewCompiler(jsonschema.Options{Schema: rowJSONSchema, Validate: true}), map[int]rowError{
			1: {encode.ErrInvalid, "id"},
			2: {encode.ErrInvalid, "user.tags[]"},
			3: {encode.ErrInvalid, "attrs{}"},
			4: {encode.ErrRange, "user.score"},
			5: {encode.ErrInvalid, "user.level"},
		}},
		{"msgpack", msgpack.NewCompiler(msgpack.Options{}), nil},
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := rowBatch(mem)
	defer rec.Release()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enc, err := encode.New(encode.Config{Compiler: c.compiler})
			if err != nil {
				t.Fatal(err)
			}
			var vals encode.Values
			if err := enc.Encode(context.Background(), rec, &vals); err != nil {
				t.Fatal(err)
			}
			checkRowErrors(t, &vals, c.want)
		})
	}
}

func checkRowErrors(t *testing.T, vals *encode.Values, want map[int]rowError) {
	t.Helper()
	got := map[int]*encode.ValueError{}
	for i := range vals.Errors {
		e := &vals.Errors[i]
		if _, dup := got[e.Row]; dup {
			t.Errorf("row %d listed twice", e.Row)
		}
		got[e.Row] = e
	}
	for row := range vals.Len() {
		w, bad := want[row]
		e := got[row]
		switch {
		case !bad && e != nil:
			t.Errorf("row %d: unexpected %v", row, e)
		case !bad:
			if vals.Value(row) == nil {
				t.Errorf("row %d: no value", row)
			}
		case e == nil:
			t.Errorf("row %d: no error, want %v at %q", row, w.is, w.path)
		default:
			if !errors.Is(e, w.is) || e.Path != w.path || encode.Kind(e) != kindOf(w.is) {
				t.Errorf("row %d: %v (path %q, kind %q), want %v at %q", row, e, e.Path, encode.Kind(e), w.is, w.path)
			}
			prefix := fmt.Sprintf("encode: row %d, field %s: %s", row, w.path, strings.TrimPrefix(w.is.Error(), "encode: "))
			if msg := e.Error(); !strings.HasPrefix(msg, prefix) || strings.Count(msg, "encode:") != 1 {
				t.Errorf("row %d: message %q, want it to start %q (and say encode: once)", row, msg, prefix)
			}
			if vals.Value(row) != nil {
				t.Errorf("row %d failed but has a value", row)
			}
		}
	}
}

// kindNames is what Kind must answer for each sentinel itself.
var kindNames = map[error]string{encode.ErrNull: "null", encode.ErrRange: "range", encode.ErrInvalid: "invalid"}

func kindOf(sentinel error) string {
	if k, ok := kindNames[sentinel]; ok {
		return k
	}
	return "other"
}

func TestRawNullRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues([]string{"a", ""}, []bool{true, false})
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true}}, nil), []arrow.Array{col}, 2)
	defer rec.Release()
	enc, err := encode.New(encode.Config{Compiler: raw.Compiler("")})
	if err != nil {
		t.Fatal(err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	if len(vals.Errors) != 1 {
		t.Fatalf("errors %v", vals.Errors)
	}
	e := &vals.Errors[0]
	if e.Row != 1 || e.Path != "" || !errors.Is(e, encode.ErrNull) || encode.Kind(e) != "null" ||
		!strings.HasPrefix(e.Error(), "encode: row 1: null value the format cannot hold") {
		t.Errorf("null row: %v", e)
	}
}

func TestKind(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "other"},
		{errors.New("x"), "other"},
		{encode.ErrUnsupported, "other"},
		{&encode.ValueError{Err: encode.ErrNull}, "null"},
		{fmt.Errorf("wrapped: %w", &encode.ValueError{Err: fmt.Errorf("%w: 2^70", encode.ErrRange)}), "range"},
		{&encode.ValueError{Err: encode.ErrInvalid}, "invalid"},
	} {
		if got := encode.Kind(tc.err); got != tc.want {
			t.Errorf("Kind(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	e := &encode.ValueError{Row: 3, Path: "user.id", Err: encode.ErrNull}
	if got, want := e.Error(), "encode: row 3, field user.id: null value the format cannot hold"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
