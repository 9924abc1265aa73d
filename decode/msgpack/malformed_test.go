package msgpack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/msgpack"
)

// richSchema exercises every kind of column at once; the fuzz target and the
// malformed-input tests decode into it.
var richSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "at", Type: ts(arrow.Millisecond), Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "attrs", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	{Name: "geo", Type: arrow.StructOf(
		arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		arrow.Field{Name: "pts", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int16), Nullable: true},
		arrow.Field{Name: "deep", Type: arrow.ListOf(arrow.StructOf(arrow.Field{Name: "k", Type: arrow.PrimitiveTypes.Uint8, Nullable: true})), Nullable: true},
	), Nullable: true},
	{Name: "cur", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

// richValue is a valid value for richSchema.
var richValue = obj(
	str("id"), str("r1"),
	str("n"), i64(-7),
	str("f"), f64(2.5),
	str("ok"), raw(0xc2),
	str("raw"), bin("\x00\x01"),
	str("at"), ext(-1, 0, 0, 0, 1),
	str("tags"), arr(str("a"), str("")),
	str("attrs"), obj(str("x"), i64(1), str("y"), nilv),
	str("geo"), obj(str("lat"), f32(1.25), str("pts"), arr(i64(1), i64(2)), str("deep"), arr(obj(str("k"), i64(9)), nilv)),
	str("cur"), str("EUR"),
	str("day"), i64(3),
	str("unknown"), arr(obj(str("z"), arr(i64(1)))),
)(nil)

func richPlan(t testing.TB, lim decode.Limits) *msgpack.Plan {
	t.Helper()
	p, err := msgpack.NewPlan(msgpack.Options{Schema: richSchema, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRichValue(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, errs := decodetest.Run(t, mem, richPlan(t, decode.Limits{}), [][]byte{richValue})
	defer rec.Release()
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	got, err := rec.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"at":"1970-01-01T00:00:01Z","attrs":[{"key":"x","value":1},{"key":"y","value":null}],"cur":"EUR","day":"1970-01-04","f":2.5,` +
		`"geo":{"deep":[{"k":9},null],"lat":1.25,"pts":[1,2]},"id":"r1","n":-7,"ok":false,"raw":"AAE=","tags":["a",""]}]`
	if strings.ReplaceAll(string(got), "\n", "") != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestTruncated cuts a valid value at every length: each prefix is a
// malformed record, and the columns stay aligned (decodetest checks) and
// build into valid arrays.
func TestTruncated(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var payloads [][]byte
	for n := range len(richValue) {
		payloads = append(payloads, richValue[:n])
	}
	rec, errs := decodetest.Run(t, mem, richPlan(t, decode.Limits{}), payloads)
	defer rec.Release()
	for n, err := range errs {
		if !errors.Is(err, decode.ErrMalformed) {
			t.Fatalf("prefix of %d bytes: error %v, want ErrMalformed", n, err)
		}
	}
	for i, c := range rec.Columns() {
		if err := array.ValidateFull(c); err != nil {
			t.Fatalf("column %d: %v", i, err)
		}
	}
}

func TestMalformed(t *testing.T) {
	lim := decode.Limits{MaxBytes: 8, MaxItems: 4, MaxDepth: 4}
	cases := []struct {
		name    string
		payload []byte
		err     error
		msg     string
	}{
		{"empty", nil, decode.ErrMalformed, "empty value"},
		{"nil value", []byte{0xc0}, decode.ErrType, "value is nil"},
		{"not a map", []byte{0x01}, decode.ErrType, "want map, got int"},
		{"never-used byte", []byte{0xc1}, decode.ErrMalformed, "never used"},
		{"trailing bytes", append(obj(str("id"), str("a"))(nil), 0x01), decode.ErrMalformed, "1 trailing bytes"},
		{"map count past end", []byte{0xdf, 0xff, 0xff, 0xff, 0x0f}, decode.ErrMalformed, "bytes left"},
		{"str length past end", obj(str("id"), raw(0xd9, 5, 'a'))(nil), decode.ErrMalformed, "5-byte value with 1 bytes left"},
		{"str over MaxBytes", obj(str("id"), str("123456789"))(nil), decode.ErrTooLarge, "over MaxBytes 8"},
		{"bin over MaxBytes in skipped key", obj(str("zz"), bin("123456789"), str("id"), str("a"))(nil), decode.ErrTooLarge, "over MaxBytes"},
		{"array over MaxItems", obj(str("id"), str("a"), str("tags"), arr(str("a"), str("b"), str("c"), str("d"), str("e")))(nil), decode.ErrTooLarge, "over MaxItems 4"},
		{"array count past end", obj(str("id"), str("a"), str("tags"), raw(0xdd, 0, 0, 1, 0))(nil), decode.ErrMalformed, "256 items with 0 bytes left"},
		{"skipped value nests too deep", obj(str("id"), str("a"), str("zz"), arr(arr(arr(arr(arr())))))(nil), decode.ErrTooLarge, "MaxDepth 4"},
		{"missing non-nullable", obj(str("n"), i64(1))(nil), decode.ErrNull, "field id"},
		{"nil non-nullable", obj(str("id"), nilv)(nil), decode.ErrNull, "field id"},
		{"nested error names the path", obj(str("id"), str("a"), str("geo"), obj(str("deep"), arr(obj(str("k"), i64(300)))))(nil), decode.ErrRange, "field geo.deep[].k at"},
		{"other extension", obj(str("id"), str("a"), str("n"), ext(7, 1))(nil), decode.ErrType, "got ext"},
		{"ext length past end", obj(str("id"), str("a"), str("at"), raw(0xc7, 200, 0xff))(nil), decode.ErrMalformed, "200-byte value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec, errs := decodetest.Run(t, mem, richPlan(t, lim), [][]byte{tc.payload})
			defer rec.Release()
			if !errors.Is(errs[0], tc.err) || !strings.Contains(errs[0].Error(), tc.msg) {
				t.Fatalf("error %v, want %v containing %q", errs[0], tc.err, tc.msg)
			}
			if !strings.HasPrefix(errs[0].Error(), "decode: ") {
				t.Fatalf("error %q does not start with the package name", errs[0])
			}
		})
	}
}

func TestUnknownExtNull(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	p, err := msgpack.NewPlan(msgpack.Options{Schema: richSchema, UnknownExt: msgpack.ExtNull})
	if err != nil {
		t.Fatal(err)
	}
	rec, errs := decodetest.Run(t, mem, p, [][]byte{
		obj(str("id"), str("a"), str("n"), ext(7, 1), str("at"), ext(-1, 0, 0, 0, 2))(nil),
		obj(str("id"), ext(7, 1))(nil),
	})
	defer rec.Release()
	if errs[0] != nil || !rec.Column(1).IsNull(0) || rec.Column(5).(*array.Timestamp).Value(0) != 2000 {
		t.Fatalf("err %v, n null %v, at %v", errs[0], rec.Column(1).IsNull(0), rec.Column(5))
	}
	if !errors.Is(errs[1], decode.ErrNull) {
		t.Fatalf("ext in a non-nullable field: %v", errs[1])
	}
}

func TestNewPlanErrors(t *testing.T) {
	deep := arrow.ListOf(arrow.PrimitiveTypes.Int64)
	for range 4 {
		deep = arrow.ListOf(deep)
	}
	cases := []struct {
		name   string
		schema *arrow.Schema
		err    error
		msg    string
	}{
		{"decimal", arrow.NewSchema([]arrow.Field{{Name: "price", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}}}, nil), decode.ErrUnsupported, "field price"},
		{"nested unsupported", arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.StructOf(arrow.Field{Name: "iv", Type: arrow.FixedWidthTypes.MonthInterval})}}, nil), decode.ErrUnsupported, "field s.iv"},
		{"float map key", arrow.NewSchema([]arrow.Field{{Name: "m", Type: arrow.MapOf(arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int64)}}, nil), decode.ErrUnsupported, "field m: map key"},
		{"too deep", arrow.NewSchema([]arrow.Field{{Name: "d", Type: deep}}, nil), decode.ErrTooLarge, "field d"},
		{"duplicate field", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.Null}, {Name: "a", Type: arrow.Null}}, nil), decode.ErrUnsupported, `"a" appears twice`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := msgpack.NewPlan(msgpack.Options{Schema: tc.schema, Limits: decode.Limits{MaxDepth: 4}})
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want %v containing %q", err, tc.err, tc.msg)
			}
		})
	}
	if _, err := msgpack.NewCompiler(msgpack.Options{}); err == nil {
		t.Fatal("no schema accepted")
	}
}

func TestBindChecksBuilders(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	p := richPlan(t, decode.Limits{})
	b := array.NewInt64Builder(mem)
	defer b.Release()
	if _, err := p.Bind([]array.Builder{b}); err == nil {
		t.Fatal("one builder accepted")
	}
	bs := make([]array.Builder, len(p.Fields()))
	for i := range bs {
		bs[i] = b
	}
	if _, err := p.Bind(bs); err == nil || !strings.Contains(err.Error(), `field "id"`) {
		t.Fatalf("wrong builder types: %v", err)
	}
}
