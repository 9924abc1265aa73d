package msgpack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/msgpack"
)

func TestInfer(t *testing.T) {
	cases := []struct {
		name    string
		samples [][]byte
		opts    msgpack.InferOptions
		want    string // schema fields, "name: type" joined by "; "
		err     error
	}{
		{"scalars in order of first appearance", [][]byte{
			obj(str("b"), i64(1), str("a"), str("x"))(nil),
			obj(str("c"), raw(0xc3), str("a"), str("y"), str("d"), bin("q"))(nil),
		}, msgpack.InferOptions{}, "b: int64; a: utf8; c: bool; d: binary", nil},
		{"numbers widen", [][]byte{
			obj(str("i"), i64(1), str("f"), i64(1), str("u"), u64(1<<63))(nil),
			obj(str("i"), i64(-5), str("f"), f32(0.5), str("u"), i64(3))(nil),
		}, msgpack.InferOptions{}, "i: int64; f: float64; u: uint64", nil},
		{"nil only and str with bin", [][]byte{
			obj(str("n"), nilv, str("s"), str("a"))(nil),
			obj(str("s"), bin("b"))(nil),
		}, msgpack.InferOptions{}, "n: null; s: binary", nil},
		{"timestamps, lists, structs", [][]byte{
			obj(str("at"), ext(-1, 0, 0, 0, 1), str("l"), arr(), str("s"), obj(str("x"), i64(1)))(nil),
			obj(str("l"), arr(i64(1), nilv), str("s"), obj(str("y"), arr(str("q")), str("x"), nilv))(nil),
		}, msgpack.InferOptions{}, "at: timestamp[ns, tz=UTC]; l: list<item: int64, nullable>; s: struct<x: int64 nullable, y: list<item: utf8, nullable> nullable>", nil},
		{"empty lists only", [][]byte{obj(str("l"), arr())(nil)}, msgpack.InferOptions{}, "l: list<item: null, nullable>", nil},
		{"many keys become a map", [][]byte{
			obj(str("m"), obj(str("a"), i64(1), str("b"), i64(2), str("c"), f64(2.5)))(nil),
		}, msgpack.InferOptions{MaxStructFields: 2}, "m: map<utf8, float64, items_nullable>", nil},
		{"int keys become a map", [][]byte{
			obj(str("m"), obj(i64(1), str("a")))(nil),
			obj(str("m"), obj(i64(2), nilv))(nil),
		}, msgpack.InferOptions{}, "m: map<int64, utf8, items_nullable>", nil},
		{"other extension as null", [][]byte{obj(str("e"), ext(4, 1))(nil)}, msgpack.InferOptions{UnknownExt: msgpack.ExtNull}, "e: null", nil},
		{"other extension", [][]byte{obj(str("e"), ext(4, 1))(nil)}, msgpack.InferOptions{}, "unsupported extension type 4", decode.ErrType},
		{"conflict", [][]byte{obj(str("s"), obj(str("v"), i64(1)))(nil), obj(str("s"), obj(str("v"), str("x")))(nil)}, msgpack.InferOptions{}, "field s.v holds int and str", decode.ErrType},
		{"big and negative", [][]byte{obj(str("v"), u64(1<<63))(nil), obj(str("v"), i64(-1))(nil)}, msgpack.InferOptions{}, "field v", decode.ErrRange},
		{"mixed keys with a bool key", [][]byte{obj(str("m"), obj(raw(0xc3), i64(1)))(nil)}, msgpack.InferOptions{}, "bool map keys", decode.ErrType},
		{"not a map", [][]byte{arr()(nil)}, msgpack.InferOptions{}, "sample 0", decode.ErrType},
		{"truncated", [][]byte{obj(str("a"), str("b"))(nil)[:4]}, msgpack.InferOptions{}, "sample 0", decode.ErrMalformed},
		{"too deep", [][]byte{obj(str("a"), arr(arr(arr(arr()))))(nil)}, msgpack.InferOptions{Limits: decode.Limits{MaxDepth: 3}}, "MaxDepth", decode.ErrTooLarge},
		{"no samples", nil, msgpack.InferOptions{}, "no samples", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := msgpack.Infer(tc.samples, tc.opts)
			if tc.err != nil || s == nil {
				if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %v containing %q", err, tc.err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range s.Fields() {
				if !f.Nullable {
					t.Fatalf("field %s not nullable", f.Name)
				}
				got = append(got, f.Name+": "+f.Type.String())
			}
			if strings.Join(got, "; ") != tc.want {
				t.Fatalf("got  %s\nwant %s", strings.Join(got, "; "), tc.want)
			}
		})
	}
}

// TestInferThenDecode: the samples an inferred schema came from all decode
// into it.
func TestInferThenDecode(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	samples := [][]byte{richValue, obj(str("id"), str("x"), str("extra"), arr(nilv, f64(1)))(nil)}
	s, err := msgpack.Infer(samples, msgpack.InferOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := msgpack.NewPlan(msgpack.Options{Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	rec, errs := decodetest.Run(t, mem, p, samples)
	defer rec.Release()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
	}
	if rec.NumCols() != 13 || rec.Schema().Field(12).Name != "extra" {
		t.Fatalf("schema %s", rec.Schema())
	}
}
