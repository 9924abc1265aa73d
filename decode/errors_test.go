package decode_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tinylib/msgp/msgp"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/decode/jsonschema"
	"github.com/sabot-kafka/sabot/decode/msgpack"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/raw"
	encipc "github.com/sabot-kafka/sabot/encode/arrowipc"
)

// The cross-format test decodes the same row layout in every format:
//
//	id    int64, not nullable
//	user  {name: utf8, tags: list<int64>}
//	attrs map<utf8, int64>
//
// and feeds each format the bad values it can express. Whatever the format,
// the error is a *decode.ValueError wrapping the shared sentinel, with the
// same path for the same field.

// limits makes "a string over MaxBytes" easy to write.
var limits = decode.Limits{MaxBytes: 8, MaxItems: 4, MaxDepth: 8}

var arrowLayout = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "user", Type: arrow.StructOf(
		arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
	), Nullable: true},
	{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
}, nil)

// badValue is one payload and the error it must give.
type badValue struct {
	what    string
	payload []byte
	is      error
	path    string // anyPath: where the bytes end, which differs by format
}

const anyPath = "*"

// The bad values every format is fed, where it can express them.
const (
	malformed = "malformed"
	nullID    = "null id"
	wrongTag  = "wrong-typed user.tags item"
	wrongAttr = "wrong-typed attrs value"
	longName  = "user.name over MaxBytes"
	manyTags  = "user.tags over MaxItems"
)

// wantPath is the one spelling of each bad value's field, in every format.
var wantPath = map[string]string{
	nullID:    "id",
	wrongTag:  "user.tags[]",
	wrongAttr: "attrs{}",
	longName:  "user.name",
	manyTags:  "user.tags",
}

func TestValueErrorsAcrossFormats(t *testing.T) {
	type format struct {
		name   string
		plan   decode.Plan
		values []badValue
	}
	formats := []format{
		{"json", must(json.NewPlan(arrowLayout, limits)), jsonValues(decode.ErrNull, decode.ErrType)},
		{"jsonschema/auto", must(jsonschema.NewPlan(rowJSONSchema, nil, jsonschema.Auto, limits)), jsonValues(decode.ErrNull, decode.ErrType)},
		// The full validator sees the null and the wrong types first: they
		// break the schema. The paths are the same.
		{"jsonschema/full", must(jsonschema.NewPlan(rowJSONSchema, nil, jsonschema.Full, limits)), jsonValues(decode.ErrInvalid, decode.ErrInvalid)},
		{"msgpack", must(msgpack.NewPlan(msgpack.Options{Schema: arrowLayout, Limits: limits})), msgpackValues()},
		{"avro", must(avro.NewCompiler(avro.Options{Schema: rowAvroWriter, ReaderSchema: rowAvroReader, Limits: limits}).Compile(nil, nil)), avroValues()},
		{"protobuf", protobufPlan(t), protobufValues()},
		{"arrowipc", must(arrowipc.NewPlan(arrowipc.Options{Schema: arrowLayout, Limits: decode.Limits{MaxItems: limits.MaxItems}})), arrowIPCValues(t)},
		{"raw", raw.StringPlan(limits), []badValue{
			{malformed, []byte("ok\xff"), decode.ErrMalformed, ""},
			{"over MaxBytes", []byte("123456789"), decode.ErrTooLarge, ""},
		}},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			payloads := make([][]byte, len(f.values))
			for i, v := range f.values {
				payloads[i] = v.payload
			}
			rec, errs := decodetest.Run(t, mem, f.plan, payloads)
			defer rec.Release()
			for i, v := range f.values {
				checkValueError(t, v, errs[i])
			}
		})
	}
}

func checkValueError(t *testing.T, v badValue, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", v.what)
		return
	}
	var ve *decode.ValueError
	if !errors.As(err, &ve) {
		t.Errorf("%s: %T %v is not a *decode.ValueError", v.what, err, err)
		return
	}
	if !errors.Is(err, v.is) {
		t.Errorf("%s: %v does not wrap %v", v.what, err, v.is)
	}
	if want := wantPath[v.what]; v.path != want && want != "" {
		t.Fatalf("%s: the test expects path %q, the shared spelling is %q", v.what, v.path, want)
	}
	if ve.Path != v.path && v.path != anyPath {
		t.Errorf("%s: path %q, want %q (%v)", v.what, ve.Path, v.path, err)
	}
	if ve.Offset < 0 || ve.Offset > len(v.payload) {
		t.Errorf("%s: offset %d outside the %d-byte payload", v.what, ve.Offset, len(v.payload))
	}
	if want := kindOf(v.is); decode.Kind(err) != want {
		t.Errorf("%s: Kind %q, want %q", v.what, decode.Kind(err), want)
	}
	msg := err.Error()
	prefix := "decode: at byte "
	if ve.Path != "" {
		prefix = "decode: field " + ve.Path + " at byte "
	}
	if !strings.HasPrefix(msg, prefix) || strings.Count(msg, "decode:") != 1 {
		t.Errorf("%s: message %q, want it to start %q (and say decode: once)", v.what, msg, prefix)
	}
	class := strings.TrimPrefix(v.is.Error(), "decode: ")
	if !strings.Contains(msg, class) {
		t.Errorf("%s: message %q does not say %q", v.what, msg, class)
	}
}

// kindNames is what Kind must answer for each sentinel itself.
var kindNames = map[error]string{
	decode.ErrMalformed: "malformed", decode.ErrType: "type", decode.ErrNull: "null",
	decode.ErrRange: "range", decode.ErrTooLarge: "too_large", decode.ErrInvalid: "invalid",
}

func kindOf(sentinel error) string {
	if k, ok := kindNames[sentinel]; ok {
		return k
	}
	return "other"
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// JSON and JSON Schema.

const rowJSONSchema = `{
  "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "user": {"type": "object", "properties": {
      "name": {"type": "string"},
      "tags": {"type": "array", "items": {"type": "integer"}}
    }},
    "attrs": {"type": "object", "additionalProperties": {"type": "integer"}}
  },
  "required": ["id"]
}`

func jsonValues(null, typ error) []badValue {
	return []badValue{
		{malformed, []byte(`{"id":1,"user":{"name":"a`), decode.ErrMalformed, anyPath},
		{nullID, []byte(`{"id":null}`), null, "id"},
		{wrongTag, []byte(`{"id":1,"user":{"tags":[1,"x"]}}`), typ, "user.tags[]"},
		{wrongAttr, []byte(`{"id":1,"attrs":{"a":1,"b":"x"}}`), typ, "attrs{}"},
		{longName, []byte(`{"id":1,"user":{"name":"123456789"}}`), decode.ErrTooLarge, "user.name"},
		{manyTags, []byte(`{"id":1,"user":{"tags":[1,2,3,4,5]}}`), decode.ErrTooLarge, "user.tags"},
	}
}

// MessagePack.

func msgpackValues() []badValue {
	row := func(id func([]byte) []byte, user func([]byte) []byte, attrs func([]byte) []byte) []byte {
		b := msgp.AppendMapHeader(nil, 3)
		b = id(msgp.AppendString(b, "id"))
		b = user(msgp.AppendString(b, "user"))
		return attrs(msgp.AppendString(b, "attrs"))
	}
	id1 := func(b []byte) []byte { return msgp.AppendInt64(b, 1) }
	nilv := func(b []byte) []byte { return msgp.AppendNil(b) }
	user := func(name string, tags ...func([]byte) []byte) func([]byte) []byte {
		return func(b []byte) []byte {
			b = msgp.AppendMapHeader(b, 2)
			b = msgp.AppendString(msgp.AppendString(b, "name"), name)
			b = msgp.AppendArrayHeader(msgp.AppendString(b, "tags"), uint32(len(tags))) //nolint:gosec // G115: a few items
			for _, tag := range tags {
				b = tag(b)
			}
			return b
		}
	}
	attrs := func(v func([]byte) []byte) func([]byte) []byte {
		return func(b []byte) []byte { return v(msgp.AppendString(msgp.AppendMapHeader(b, 1), "a")) }
	}
	str := func(s string) func([]byte) []byte { return func(b []byte) []byte { return msgp.AppendString(b, s) } }
	good := row(id1, user("a", id1), attrs(id1))
	return []badValue{
		{malformed, good[:len(good)-3], decode.ErrMalformed, anyPath},
		{nullID, row(nilv, nilv, nilv), decode.ErrNull, "id"},
		{wrongTag, row(id1, user("a", id1, str("x")), nilv), decode.ErrType, "user.tags[]"},
		{wrongAttr, row(id1, nilv, attrs(str("x"))), decode.ErrType, "attrs{}"},
		{longName, row(id1, user("123456789"), nilv), decode.ErrTooLarge, "user.name"},
		{manyTags, row(id1, user("a", id1, id1, id1, id1, id1), nilv), decode.ErrTooLarge, "user.tags"},
	}
}

// Avro: the writer allows what the reader does not (a null id, strings
// among the tags and attrs), so those fail per value.

const rowAvroReader = `{"type":"record","name":"Row","fields":[
  {"name":"id","type":"long"},
  {"name":"user","type":{"type":"record","name":"User","fields":[
    {"name":"name","type":"string"},
    {"name":"tags","type":{"type":"array","items":"long"}}]}},
  {"name":"attrs","type":{"type":"map","values":"long"}}]}`

const rowAvroWriter = `{"type":"record","name":"Row","fields":[
  {"name":"id","type":["null","long"]},
  {"name":"user","type":{"type":"record","name":"User","fields":[
    {"name":"name","type":"string"},
    {"name":"tags","type":{"type":"array","items":["long","string"]}}]}},
  {"name":"attrs","type":{"type":"map","values":["long","string"]}}]}`

func avroValues() []badValue {
	zz := func(b []byte, v int64) []byte { return protowire.AppendVarint(b, protowire.EncodeZigZag(v)) }
	str := func(b []byte, s string) []byte { return append(zz(b, int64(len(s))), s...) }
	type item struct {
		branch int64 // 0 long, 1 string
		n      int64
		s      string
	}
	val := func(b []byte, it item) []byte {
		b = zz(b, it.branch)
		if it.branch == 1 {
			return str(b, it.s)
		}
		return zz(b, it.n)
	}
	row := func(nullID bool, name string, tags []item, attrs []item) []byte {
		var b []byte
		if nullID {
			b = zz(b, 0)
		} else {
			b = zz(zz(b, 1), 1)
		}
		b = str(b, name)
		if len(tags) > 0 {
			b = zz(b, int64(len(tags)))
			for _, it := range tags {
				b = val(b, it)
			}
		}
		b = zz(b, 0)
		if len(attrs) > 0 {
			b = zz(b, int64(len(attrs)))
			for i, it := range attrs {
				b = val(str(b, fmt.Sprint("k", i)), it)
			}
		}
		return zz(b, 0)
	}
	n := item{}
	good := row(false, "a", []item{n}, []item{n})
	return []badValue{
		{malformed, good[:len(good)-2], decode.ErrMalformed, anyPath},
		{nullID, row(true, "a", nil, nil), decode.ErrNull, "id"},
		{wrongTag, row(false, "a", []item{n, {branch: 1, s: "x"}}, nil), decode.ErrType, "user.tags[]"},
		{wrongAttr, row(false, "a", nil, []item{n, {branch: 1, s: "x"}}), decode.ErrType, "attrs{}"},
		{longName, row(false, "123456789", nil, nil), decode.ErrTooLarge, "user.name"},
		{manyTags, row(false, "a", []item{n, n, n, n, n}, nil), decode.ErrTooLarge, "user.tags"},
	}
}

// Protobuf: proto2, so a required id can be missing; wrong types are wire
// types the field does not have.

const rowProto = `syntax = "proto2";
package xf;
message User {
  optional string name = 1;
  repeated int64 tags = 2;
}
message Row {
  required int64 id = 1;
  optional User user = 2;
  map<string, int64> attrs = 3;
}`

func protobufPlan(t *testing.T) decode.Plan {
	t.Helper()
	opts := protobuf.Options{Proto: rowProto, Message: "xf.Row", Limits: limits}
	md, err := opts.Resolve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := protobuf.NewPlan(md, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func protobufValues() []badValue {
	id := func(b []byte) []byte {
		return protowire.AppendVarint(protowire.AppendTag(b, 1, protowire.VarintType), 1)
	}
	msg := func(b []byte, num protowire.Number, body []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), body)
	}
	name := func(b []byte, s string) []byte { return msg(b, 1, []byte(s)) }
	tag := func(b []byte) []byte {
		return protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.VarintType), 7)
	}
	badTag := func(b []byte) []byte {
		return protowire.AppendFixed32(protowire.AppendTag(b, 2, protowire.Fixed32Type), 7)
	}
	entry := func(value []byte) []byte { return append(name(nil, "a"), value...) }
	good := msg(msg(id(nil), 2, tag(name(nil, "a"))), 3, entry(protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 1)))
	return []badValue{
		{malformed, good[:len(good)-1], decode.ErrMalformed, anyPath},
		{nullID, msg(nil, 2, name(nil, "a")), decode.ErrNull, "id"},
		{wrongTag, msg(id(nil), 2, badTag(tag(name(nil, "a")))), decode.ErrType, "user.tags[]"},
		{wrongAttr, msg(id(nil), 3, entry(msg(nil, 2, []byte("x")))), decode.ErrType, "attrs{}"},
		{longName, msg(id(nil), 2, name(nil, "123456789")), decode.ErrTooLarge, "user.name"},
		{manyTags, msg(id(nil), 2, tag(tag(tag(tag(tag(nil)))))), decode.ErrTooLarge, "user.tags"},
	}
}

// Arrow IPC: values describe themselves, so a wrong type is a schema
// mismatch (decode.ErrMalformed); a null in the non-nullable id column is
// checked, and the row count against MaxItems.

func arrowIPCValues(t *testing.T) []badValue {
	t.Helper()
	mem := memory.NewGoAllocator()
	nullable := arrow.NewSchema(append([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, arrowLayout.Fields()[1:]...), nil)
	value := func(s *arrow.Schema, rows string) []byte {
		rec, _, err := array.RecordFromJSON(mem, s, strings.NewReader(rows))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		b, err := encipc.AppendBatch(nil, rec, encipc.Options{Allocator: mem})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := value(arrowLayout, `[{"id":1}]`)
	other := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil)
	return []badValue{
		{malformed, good[:len(good)/2], decode.ErrMalformed, ""},
		{nullID, value(nullable, `[{"id":null}]`), decode.ErrNull, "id"},
		{"wrong-typed schema", value(other, `[{"id":"x"}]`), decode.ErrMalformed, ""},
		{"rows over MaxItems", value(arrowLayout, `[{"id":1},{"id":2},{"id":3},{"id":4},{"id":5}]`), decode.ErrTooLarge, ""},
	}
}

func TestKind(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "other"},
		{errors.New("x"), "other"},
		{decode.ErrUnsupported, "unsupported"},
		{fmt.Errorf("decode: compiling plan: %w: avro: bad schema", decode.ErrUnsupported), "unsupported"},
		{&decode.OutageError{Index: 3, Err: fmt.Errorf("%w: schema id 9: refused", decode.ErrRegistry)}, "registry"},
		{&decode.ValueError{Err: fmt.Errorf("%w: bad", decode.ErrMalformed)}, "malformed"},
		{fmt.Errorf("wrapped: %w", &decode.ValueError{Err: decode.ErrType}), "type"},
		{&decode.ValueError{Err: decode.ErrNull}, "null"},
		{&decode.ValueError{Err: decode.ErrRange}, "range"},
		{&decode.ValueError{Err: decode.ErrTooLarge}, "too_large"},
		{&decode.ValueError{Err: decode.ErrInvalid}, "invalid"},
		{fmt.Errorf("%w: id 7", decode.ErrUnknownSchema), "unknown_schema"},
		{fmt.Errorf("%w: down", decode.ErrRegistry), "registry"},
		{&decode.RecordError{Err: &decode.ValueError{Err: decode.ErrNull}}, "null"},
	} {
		if got := decode.Kind(tc.err); got != tc.want {
			t.Errorf("Kind(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestValueErrorMessage(t *testing.T) {
	e := &decode.ValueError{Path: "user.tags[]", Offset: 12, Err: fmt.Errorf("%w: want int, got string", decode.ErrType)}
	if got, want := e.Error(), "decode: field user.tags[] at byte 12: value does not fit its column: want int, got string"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = &decode.ValueError{Offset: 3, Err: decode.ErrMalformed}
	if got, want := e.Error(), "decode: at byte 3: malformed value"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if inner := errors.Unwrap(e); !errors.Is(e, decode.ErrMalformed) || !errors.Is(inner, decode.ErrMalformed) || errors.Unwrap(inner) != nil {
		t.Error("ValueError does not unwrap to its Err")
	}
}
