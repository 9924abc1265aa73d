package json_test

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/json"
)

func TestAppendFloat(t *testing.T) {
	half := func(bits uint16) float64 { return halfOf(bits) }
	for _, tc := range []struct {
		f    float64
		bits int
		want string
	}{
		{3, 64, "3.0"},
		{math.Copysign(0, -1), 64, "-0.0"},
		{0, 64, "0.0"},
		{-42, 64, "-42.0"},
		{0.1, 64, "0.1"},
		{1.5, 64, "1.5"},
		{1e20, 64, "100000000000000000000.0"},
		{1e21, 64, "1e+21"},
		{-1.5e300, 64, "-1.5e+300"},
		{1e-7, 64, "1e-7"},
		{1e-6, 64, "0.000001"},
		{math.MaxFloat64, 64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, 64, "5e-324"},
		{float64(float32(0.1)), 32, "0.1"},
		{16777216, 32, "16777216.0"},
		{float64(float32(math.Copysign(0, -1))), 32, "-0.0"},
		{math.MaxFloat32, 32, "3.4028235e+38"},
		{float64(float32(1e-7)), 32, "1e-7"},
		{half(0x3c00), 16, "1.0"},
		{half(0xc000), 16, "-2.0"},
		{half(0x8000), 16, "-0.0"},
		{half(0x2e66), 16, "0.1"},        // 0.0999755859375
		{half(0x3555), 16, "0.3333"},     // 0.333251953125
		{half(0x7bff), 16, "65500.0"},    // the largest half, 65504: 65500 reads back as it
		{half(0x0001), 16, "6e-8"},       // the smallest subnormal, 2^-24
		{half(0x0400), 16, "0.00006104"}, // the smallest normal, 2^-14
		{half(0x6400), 16, "1024.0"},
	} {
		got, ok := json.AppendFloat([]byte("x"), tc.f, tc.bits)
		if !ok || string(got) != "x"+tc.want {
			t.Errorf("AppendFloat(%v, %d) = %q, %v; want %q", tc.f, tc.bits, got, ok, "x"+tc.want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, bits := range []int{16, 32, 64} {
			if got, ok := json.AppendFloat([]byte("x"), f, bits); ok || string(got) != "x" {
				t.Errorf("AppendFloat(%v, %d) = %q, %v; want no JSON form", f, bits, got, ok)
			}
		}
	}
}

// halfOf is the exact value of a half-precision number (arrow's float16 does
// not convert subnormals).
func halfOf(bits uint16) float64 {
	exp, frac := int(bits>>10&0x1f), float64(bits&0x3ff)
	v := math.Ldexp(1024+frac, exp-25)
	if exp == 0 {
		v = math.Ldexp(frac, -24)
	}
	if bits&0x8000 != 0 {
		v = -v
	}
	return v
}

// TestAppendFloatEveryHalf: for each of the 63,488 finite halves, the text
// reads back (exactly, round to nearest, ties to even) as that half, is a
// float's form, and no decimal with fewer significant digits would do.
func TestAppendFloatEveryHalf(t *testing.T) {
	rat := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	for bits := range uint16(0x7c00) { // the positive finite halves; signs are symmetric
		v := halfOf(bits)
		text, ok := json.AppendFloat(nil, v, 16)
		if !ok || !floatForm(string(text)) {
			t.Fatalf("%#04x: %q, %v", bits, text, ok)
		}
		neg, _ := json.AppendFloat(nil, -v, 16)
		if string(neg) != "-"+string(text) {
			t.Fatalf("%#04x: %q negated is %q", bits, text, neg)
		}
		if bits == 0 {
			continue
		}
		next := 65536.0 // where rounding goes to infinity
		if bits < 0x7bff {
			next = halfOf(bits + 1)
		}
		lo := new(big.Rat).Add(rat(halfOf(bits-1)), rat(v))
		lo.Quo(lo, big.NewRat(2, 1))
		hi := new(big.Rat).Add(rat(next), rat(v))
		hi.Quo(hi, big.NewRat(2, 1))
		even := bits&1 == 0
		inside := func(r *big.Rat) bool {
			cl, ch := r.Cmp(lo), r.Cmp(hi)
			return cl > 0 && ch < 0 || even && (cl == 0 || ch == 0)
		}
		r, ok := new(big.Rat).SetString(string(text))
		if !ok || !inside(r) {
			t.Fatalf("%#04x (%v): %q does not read back", bits, v, text)
		}
		digits := significantDigits(string(text))
		exp10 := int(math.Floor(math.Log10(v)))
		for n := 1; n < digits; n++ {
			for _, e := range []int{exp10 - n + 1, exp10 - n + 2} {
				scale := new(big.Rat).SetFrac(big.NewInt(1), big.NewInt(1))
				p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(e))), nil)
				if e >= 0 {
					scale.SetInt(p)
				} else {
					scale.SetFrac(big.NewInt(1), p)
				}
				q := new(big.Rat).Quo(rat(v), scale)
				m := new(big.Int).Quo(q.Num(), q.Denom())
				for range 2 {
					c := new(big.Rat).Mul(new(big.Rat).SetInt(m), scale)
					if inside(c) {
						t.Fatalf("%#04x (%v): %q, but %s has %d digits", bits, v, text, c.FloatString(12), n)
					}
					m.Add(m, big.NewInt(1))
				}
			}
		}
	}
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// floatForm reports whether a JSON number reads as a float in readers that
// tell the two apart: it has a fraction or an exponent.
func floatForm(s string) bool { return strings.ContainsAny(s, ".eE") }

func significantDigits(s string) int {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimLeft(strings.ReplaceAll(strings.TrimPrefix(s, "-"), ".", ""), "0")
	return len(strings.TrimRight(s, "0"))
}

// TestFloatColumnsReadAsFloats: whatever the value, every float16, float32
// and float64 column (top level, in a struct, in a list) is written in a
// float's form that reads back as the same value, when parsed with
// encoding/json into any with UseNumber.
func TestFloatColumnsReadAsFloats(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "h", Type: arrow.FixedWidthTypes.Float16},
		{Name: "f", Type: arrow.PrimitiveTypes.Float32},
		{Name: "d", Type: arrow.PrimitiveTypes.Float64},
		{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "d", Type: arrow.PrimitiveTypes.Float64})},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
	}, nil)
	special := []float64{0, math.Copysign(0, -1), 1, -1, 3, 0.1, 0.5, 1e21, 1e20, 1e-6, 1e-7, 65504, 16777216,
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, math.MaxFloat32, 1 << 53, 123456789}
	r := rand.New(rand.NewPCG(12, 3))
	value := func() float64 {
		switch r.IntN(4) {
		case 0:
			return special[r.IntN(len(special))]
		case 1:
			return float64(r.IntN(2001) - 1000) // whole numbers
		case 2:
			return math.Float64frombits(r.Uint64()) // any bits: may be NaN or infinite, skipped
		}
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(80)-40))
	}
	finite := func(f float64) float64 {
		for math.IsNaN(f) || math.IsInf(f, 0) {
			f = value()
		}
		return f
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	const rows = 3000
	for range rows {
		h := float16.New(float32(finite(value()))) // truncates, never rounds to infinity from a finite float32 below 65520
		if h.IsInf() || h.IsNaN() {
			h = float16.New(1)
		}
		b.Field(0).(*array.Float16Builder).Append(float16.FromBits(h.Uint16() ^ uint16(r.IntN(2))<<15))
		f32 := float32(finite(value()))
		for math.IsInf(float64(f32), 0) {
			f32 = float32(r.NormFloat64())
		}
		b.Field(1).(*array.Float32Builder).Append(f32)
		b.Field(2).(*array.Float64Builder).Append(finite(value()))
		st := b.Field(3).(*array.StructBuilder)
		st.Append(true)
		st.FieldBuilder(0).(*array.Float64Builder).Append(finite(value()))
		l := b.Field(4).(*array.ListBuilder)
		l.Append(true)
		for range r.IntN(3) {
			l.ValueBuilder().(*array.Float32Builder).Append(float32(r.IntN(100)))
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	enc, err := encode.New(encode.Config{Compiler: json.NewCompiler(json.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	if len(vals.Errors) != 0 || vals.Len() != rows {
		t.Fatalf("%d values, row errors %v", vals.Len(), vals.Errors)
	}
	h, f, d := rec.Column(0).(*array.Float16), rec.Column(1).(*array.Float32), rec.Column(2).(*array.Float64)
	std := rec.Column(3).(*array.Struct).Field(0).(*array.Float64)
	lst := rec.Column(4).(*array.List)
	lvals := lst.ListValues().(*array.Float32)
	for i := range rows {
		payload := vals.Value(i)
		dec := stdjson.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		var row map[string]any
		if err := dec.Decode(&row); err != nil {
			t.Fatalf("row %d: %v\n%s", i, err, payload)
		}
		check := func(name string, n any, want float64, bits int) {
			t.Helper()
			num, ok := n.(stdjson.Number)
			if !ok || !floatForm(string(num)) {
				t.Fatalf("row %d %s: %#v is not in a float's form\n%s", i, name, n, payload)
			}
			got, err := strconv.ParseFloat(string(num), max(bits, 32))
			if bits == 16 {
				got, err = strconv.ParseFloat(string(num), 64)
				// Within half a step of the half (TestAppendFloatEveryHalf
				// checks the rounding exactly).
				if err == nil && math.Abs(got-want) <= math.Abs(want)*0x1p-11+0x1p-25 {
					got = want
				}
			}
			if err != nil || got != want || math.Signbit(got) != math.Signbit(want) {
				t.Fatalf("row %d %s: %s reads back as %v, want %v", i, name, num, got, want)
			}
		}
		check("h", row["h"], halfOf(h.Value(i).Uint16()), 16)
		check("f", row["f"], float64(f.Value(i)), 32)
		check("d", row["d"], d.Value(i), 64)
		check("st.d", row["st"].(map[string]any)["d"], std.Value(i), 64)
		start, end := lst.ValueOffsets(i)
		items := row["l"].([]any)
		if len(items) != int(end-start) {
			t.Fatalf("row %d l: %d items, want %d", i, len(items), end-start)
		}
		for j, it := range items {
			check("l[]", it, float64(lvals.Value(int(start)+j)), 32)
		}
	}
}
