package msgpack_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tinylib/msgp/msgp"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/msgpack"
)

// one encodes the map {"v": value}, value appended by fn.
func one(fn func([]byte) []byte) []byte {
	return fn(msgp.AppendString(msgp.AppendMapHeader(nil, 1), "v"))
}

func raw(b ...byte) func([]byte) []byte { return func(d []byte) []byte { return append(d, b...) } }
func i64(v int64) func([]byte) []byte   { return func(d []byte) []byte { return msgp.AppendInt64(d, v) } }
func u64(v uint64) func([]byte) []byte {
	return func(d []byte) []byte { return msgp.AppendUint64(d, v) }
}
func f64(v float64) func([]byte) []byte {
	return func(d []byte) []byte { return msgp.AppendFloat64(d, v) }
}
func f32(v float32) func([]byte) []byte {
	return func(d []byte) []byte { return msgp.AppendFloat32(d, v) }
}
func str(v string) func([]byte) []byte {
	return func(d []byte) []byte { return msgp.AppendString(d, v) }
}
func bin(v string) func([]byte) []byte {
	return func(d []byte) []byte { return msgp.AppendBytes(d, []byte(v)) }
}

// ext appends an extension value with the given type and data.
func ext(typ int8, data ...byte) func([]byte) []byte {
	return func(d []byte) []byte {
		switch len(data) {
		case 1, 2, 4, 8, 16:
			code := map[int]byte{1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8}[len(data)]
			d = append(d, code, byte(typ))
		default:
			d = append(d, 0xc7, byte(len(data)), byte(typ))
		}
		return append(d, data...)
	}
}

func seq(fns ...func([]byte) []byte) func([]byte) []byte {
	return func(d []byte) []byte {
		for _, fn := range fns {
			d = fn(d)
		}
		return d
	}
}

func arr(items ...func([]byte) []byte) func([]byte) []byte {
	return func(d []byte) []byte { return seq(items...)(msgp.AppendArrayHeader(d, uint32(len(items)))) }
}

// obj appends a map of alternating keys and values.
func obj(kv ...func([]byte) []byte) func([]byte) []byte {
	return func(d []byte) []byte { return seq(kv...)(msgp.AppendMapHeader(d, uint32(len(kv)/2))) }
}

var nilv = raw(0xc0)

func ts(unit arrow.TimeUnit) arrow.DataType { return &arrow.TimestampType{Unit: unit, TimeZone: "UTC"} }

// TestTypes decodes one value into a one-column schema and checks the row's
// JSON form or the error.
func TestTypes(t *testing.T) {
	strList := arrow.ListOf(arrow.BinaryTypes.String)
	pair := arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true})
	cases := []struct {
		name string
		dt   arrow.DataType
		val  func([]byte) []byte
		want string // JSON of the value; "" when an error is expected
		err  error
	}{
		{"int8 fixint", arrow.PrimitiveTypes.Int8, i64(5), "5", nil},
		{"int8 negative int8", arrow.PrimitiveTypes.Int8, i64(-100), "-100", nil},
		{"int8 from uint8 200", arrow.PrimitiveTypes.Int8, u64(200), "", decode.ErrRange},
		{"int8 from int16 -129", arrow.PrimitiveTypes.Int8, i64(-129), "", decode.ErrRange},
		{"int16 from uint16", arrow.PrimitiveTypes.Int16, raw(0xcd, 0x7f, 0xff), "32767", nil},
		{"int32 from int64 encoding", arrow.PrimitiveTypes.Int32, raw(0xd3, 0, 0, 0, 0, 0, 0, 0, 7), "7", nil},
		{"int32 from integral float", arrow.PrimitiveTypes.Int32, f64(3), "3", nil},
		{"int32 from fractional float", arrow.PrimitiveTypes.Int32, f64(3.5), "", decode.ErrType},
		{"int64 from max uint64", arrow.PrimitiveTypes.Int64, u64(math.MaxUint64), "", decode.ErrRange},
		{"int64 from min int64", arrow.PrimitiveTypes.Int64, i64(math.MinInt64), "-9223372036854775808", nil},
		{"int64 from str", arrow.PrimitiveTypes.Int64, str("1"), "", decode.ErrType},
		{"uint8 from -1", arrow.PrimitiveTypes.Uint8, i64(-1), "", decode.ErrRange},
		{"uint8 from 256", arrow.PrimitiveTypes.Uint8, u64(256), "", decode.ErrRange},
		{"uint64 from max uint64", arrow.PrimitiveTypes.Uint64, u64(math.MaxUint64), "18446744073709551615", nil},
		{"uint32 from float", arrow.PrimitiveTypes.Uint32, f32(42), "42", nil},
		{"float64 from float32", arrow.PrimitiveTypes.Float64, f32(1.5), "1.5", nil},
		{"float64 from int", arrow.PrimitiveTypes.Float64, i64(-3), "-3", nil},
		{"float64 from uint64", arrow.PrimitiveTypes.Float64, u64(1 << 63), "9223372036854776000", nil},
		{"float32 from big float64", arrow.PrimitiveTypes.Float32, f64(1e300), "", decode.ErrRange},
		{"float32 from inf", arrow.PrimitiveTypes.Float32, f64(math.Inf(1)), `"+Inf"`, nil},
		{"float16 from 1e6", arrow.FixedWidthTypes.Float16, f64(1e6), "", decode.ErrRange},
		{"float16 from 0.5", arrow.FixedWidthTypes.Float16, f64(0.5), "0.5", nil},
		{"float64 from bool", arrow.PrimitiveTypes.Float64, raw(0xc3), "", decode.ErrType},
		{"bool true", arrow.FixedWidthTypes.Boolean, raw(0xc3), "true", nil},
		{"bool from int", arrow.FixedWidthTypes.Boolean, i64(1), "", decode.ErrType},
		{"utf8 fixstr", arrow.BinaryTypes.String, str("héllo"), `"héllo"`, nil},
		{"utf8 empty", arrow.BinaryTypes.String, str(""), `""`, nil},
		{"utf8 str8", arrow.BinaryTypes.String, str(strings.Repeat("x", 40)), `"` + strings.Repeat("x", 40) + `"`, nil},
		{"utf8 from bin", arrow.BinaryTypes.String, bin("abc"), `"abc"`, nil},
		{"utf8 invalid", arrow.BinaryTypes.String, raw(0xa2, 0xc3, 0x28), "", decode.ErrMalformed},
		{"utf8 from invalid bin", arrow.BinaryTypes.String, bin("\xc3("), "", decode.ErrType},
		{"utf8 from int", arrow.BinaryTypes.String, i64(1), "", decode.ErrType},
		{"large utf8", arrow.BinaryTypes.LargeString, str("big"), `"big"`, nil},
		{"utf8 view", arrow.BinaryTypes.StringView, str("view"), `"view"`, nil},
		{"binary from bin", arrow.BinaryTypes.Binary, bin("\x00\xff"), `"AP8="`, nil},
		{"binary from str", arrow.BinaryTypes.Binary, str("ab"), `"YWI="`, nil},
		{"large binary", arrow.BinaryTypes.LargeBinary, bin("z"), `"eg=="`, nil},
		{"fixed binary", &arrow.FixedSizeBinaryType{ByteWidth: 2}, bin("ab"), `"YWI="`, nil},
		{"fixed binary wrong width", &arrow.FixedSizeBinaryType{ByteWidth: 2}, bin("abc"), "", decode.ErrType},
		{"timestamp s from fixext4", ts(arrow.Second), ext(-1, 0, 0, 0, 60), `"1970-01-01T00:01:00Z"`, nil},
		{"timestamp ms from fixext8", ts(arrow.Millisecond), ext(-1, 0x77, 0x35, 0x94, 0x00, 0, 0, 0, 1), `"1970-01-01T00:00:01.5Z"`, nil},
		{"timestamp us from ext8 negative", ts(arrow.Microsecond), ext(-1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), `"1969-12-31T23:59:59Z"`, nil},
		{"timestamp ms floors", ts(arrow.Millisecond), ext(-1, 0, 0x1e, 0x84, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), `"1969-12-31T23:59:59.001Z"`, nil},
		{"timestamp from int", ts(arrow.Millisecond), i64(1500), `"1970-01-01T00:00:01.5Z"`, nil},
		{"timestamp ns overflow", ts(arrow.Nanosecond), ext(-1, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0, 0), "", decode.ErrRange},
		{"timestamp nanos over 1e9", ts(arrow.Nanosecond), ext(-1, 0x3b, 0x9a, 0xca, 0x00, 0, 0, 0, 0, 0, 0, 0, 0), "", decode.ErrMalformed},
		{"timestamp wrong size", ts(arrow.Second), ext(-1, 1, 2), "", decode.ErrMalformed},
		{"timestamp other ext", ts(arrow.Second), ext(5, 1, 2, 3, 4), "", decode.ErrType},
		{"timestamp from str", ts(arrow.Second), str("2020"), "", decode.ErrType},
		{"date32 from int", arrow.FixedWidthTypes.Date32, i64(19000), `"2022-01-08"`, nil},
		{"date32 from ext floors", arrow.FixedWidthTypes.Date32, ext(-1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), `"1969-12-31"`, nil},
		{"date64 from ext", arrow.FixedWidthTypes.Date64, ext(-1, 0, 0x01, 0x51, 0x81), `"1970-01-02"`, nil},
		{"time32 ms", arrow.FixedWidthTypes.Time32ms, i64(1000), `"00:00:01"`, nil},
		{"time64 us", arrow.FixedWidthTypes.Time64us, i64(1), `"00:00:00.000001"`, nil},
		{"duration", arrow.FixedWidthTypes.Duration_ms, i64(-5), `"-5ms"`, nil},
		{"dictionary", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, str("eur"), `"eur"`, nil},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int64), arr(i64(1), nilv, i64(3)), "[1,null,3]", nil},
		{"list empty", arrow.ListOf(arrow.PrimitiveTypes.Int64), arr(), "[]", nil},
		{"list of non-null items gets nil", arrow.ListOfNonNullable(arrow.PrimitiveTypes.Int64), arr(nilv), "", decode.ErrNull},
		{"list from map", strList, obj(), "", decode.ErrType},
		{"list bad item", strList, arr(str("a"), i64(1)), "", decode.ErrType},
		{"large list", arrow.LargeListOf(arrow.BinaryTypes.String), arr(str("a")), `["a"]`, nil},
		{"fixed list", arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int32), arr(i64(1), i64(2)), "[1,2]", nil},
		{"fixed list wrong length", arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int32), arr(i64(1)), "", decode.ErrType},
		{"fixed list bad item", arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Int32), arr(i64(1), str("x"), i64(3)), "", decode.ErrType},
		{"map", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), obj(str("a"), i64(1), str("b"), nilv), `[{"key":"a","value":1},{"key":"b","value":null}]`, nil},
		{"map int keys", arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String), obj(i64(7), str("x")), `[{"key":7,"value":"x"}]`, nil},
		{"map nil key", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), obj(nilv, i64(1)), "", decode.ErrNull},
		{"map bad key", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), obj(str("a"), i64(1), i64(2), i64(1)), "", decode.ErrType},
		{"map bad uint key", arrow.MapOf(arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Int64), obj(i64(-1), i64(1)), "", decode.ErrRange},
		{"map from array", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), arr(), "", decode.ErrType},
		{"struct from map", pair, obj(str("b"), str("x"), str("zz"), arr(obj(str("q"), arr())), str("a"), i64(1)), `{"a":1,"b":"x"}`, nil},
		{"struct missing key", pair, obj(str("b"), str("x")), `{"a":null,"b":"x"}`, nil},
		{"struct from array", pair, arr(i64(2), str("y")), `{"a":2,"b":"y"}`, nil},
		{"struct from short array", pair, arr(i64(2)), "", decode.ErrType},
		{"struct duplicate key", pair, obj(str("a"), i64(1), str("a"), i64(2)), "", decode.ErrType},
		{"struct int key", pair, obj(i64(1), i64(2)), "", decode.ErrType},
		{"struct bin key", pair, obj(bin("a"), i64(9)), `{"a":9,"b":null}`, nil},
		{"struct from str", pair, str("x"), "", decode.ErrType},
		{"null type", arrow.Null, nilv, "null", nil},
		{"null type from int", arrow.Null, i64(1), "", decode.ErrType},
		{"nil in nullable", arrow.PrimitiveTypes.Int64, nilv, "null", nil},
		{"other ext", arrow.BinaryTypes.Binary, ext(3, 1), "", decode.ErrType},
		{"never-used byte", arrow.PrimitiveTypes.Int64, raw(0xc1), "", decode.ErrMalformed},
	}

	detail := map[string]string{
		"struct duplicate key": "duplicate key",
		"timestamp other ext":  "unsupported extension type",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: tc.dt, Nullable: true}}, nil)
			plan, err := msgpack.NewPlan(msgpack.Options{Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			rec, errs := decodetest.Run(t, mem, plan, [][]byte{one(tc.val)})
			defer rec.Release()
			if tc.err != nil {
				if !errors.Is(errs[0], tc.err) {
					t.Fatalf("error %v, want %v", errs[0], tc.err)
				}
				var me *decode.ValueError
				if !errors.As(errs[0], &me) || !strings.HasPrefix(me.Path, "v") {
					t.Fatalf("error %v does not name field v", errs[0])
				}
				// Classes that took a sentinel of their own before the shared
				// ones still say what they are.
				if d, ok := detail[tc.name]; ok && !strings.Contains(errs[0].Error(), d) {
					t.Fatalf("error %v does not say %q", errs[0], d)
				}
				return
			}
			if errs[0] != nil {
				t.Fatal(errs[0])
			}
			got, err := json.Marshal(rec.Column(0).GetOneForMarshal(0))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
