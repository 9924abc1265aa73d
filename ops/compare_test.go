package ops

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Every comparable type is tested on the same logical data, encoded per type
// so the order is preserved:
//
//	a   = [1, null, 3, 5, 2]   compared with the literal 3
//	b   = [1, 2, null, 6, 2]   compared column with column
var (
	cmpA = []int{1, -1, 3, 5, 2} // -1 is null
	cmpB = []int{1, 2, -1, 6, 2}

	wantScalar = map[CmpOp]string{
		OpEq: `[false, null, true, false, false]`,
		OpNe: `[true, null, false, true, true]`,
		OpLt: `[true, null, false, false, true]`,
		OpLe: `[true, null, true, false, true]`,
		OpGt: `[false, null, false, true, false]`,
		OpGe: `[false, null, true, true, false]`,
	}
	wantVector = map[CmpOp]string{
		OpEq: `[true, null, null, false, true]`,
		OpNe: `[false, null, null, true, false]`,
		OpLt: `[false, null, null, true, false]`,
		OpLe: `[true, null, null, true, true]`,
		OpGt: `[false, null, null, false, false]`,
		OpGe: `[true, null, null, false, true]`,
	}
	allOps = []CmpOp{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe}
)

type cmpType struct {
	name string
	dt   arrow.DataType
	enc  func(k int) string // JSON token of logical value k
	lit  any                // the literal 3 for this type
}

func itoa(k int) string { return fmt.Sprint(k) }

func quoted(f func(int) string) func(int) string {
	return func(k int) string { return `"` + f(k) + `"` }
}

var cmpTypes = []cmpType{
	{"int8", arrow.PrimitiveTypes.Int8, itoa, 3},
	{"int16", arrow.PrimitiveTypes.Int16, itoa, int16(3)},
	{"int32", arrow.PrimitiveTypes.Int32, itoa, 3},
	{"int64", arrow.PrimitiveTypes.Int64, itoa, int64(3)},
	{"uint8", arrow.PrimitiveTypes.Uint8, itoa, uint8(3)},
	{"uint16", arrow.PrimitiveTypes.Uint16, itoa, 3},
	{"uint32", arrow.PrimitiveTypes.Uint32, itoa, uint(3)},
	{"uint64", arrow.PrimitiveTypes.Uint64, itoa, 3},
	{"float32", arrow.PrimitiveTypes.Float32, func(k int) string { return fmt.Sprint(float64(k) + 0.5) }, 3.5},
	{"float64", arrow.PrimitiveTypes.Float64, func(k int) string { return fmt.Sprint(float64(k) - 0.25) }, 2.75},
	{"float64-int-literal", arrow.PrimitiveTypes.Float64, itoa, 3},
	{"string", arrow.BinaryTypes.String, quoted(func(k int) string { return "k" + strings.Repeat("z", k) }), "kzzz"},
	{"large_string", arrow.BinaryTypes.LargeString, quoted(func(k int) string { return string(rune('a' + k)) }), "d"},
	{"binary", arrow.BinaryTypes.Binary, quoted(func(k int) string { return []string{"", "Yg==", "Yw==", "ZA==", "", "Zg==", "Zw=="}[k] }), []byte("d")},
	{"large_binary", arrow.BinaryTypes.LargeBinary, quoted(func(k int) string { return []string{"", "Yg==", "Yw==", "ZA==", "", "Zg==", "Zw=="}[k] }), "d"},
	{"timestamp-raw", &arrow.TimestampType{Unit: arrow.Millisecond}, itoa, 3},
	{"timestamp-time", &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, func(k int) string { return itoa(1_700_000_000 + k) }, time.Unix(1_700_000_003, 0)},
	{"timestamp-string", &arrow.TimestampType{Unit: arrow.Microsecond}, func(k int) string { return itoa(k * 1_000_000) }, "1970-01-01T00:00:03Z"},
	{"date32", arrow.FixedWidthTypes.Date32, itoa, "1970-01-04"},
	{"date64", arrow.FixedWidthTypes.Date64, func(k int) string { return itoa(k * 86_400_000) }, time.Unix(3*86400, 0)},
	{"time32", arrow.FixedWidthTypes.Time32ms, itoa, 3 * time.Millisecond},
	{"time64", arrow.FixedWidthTypes.Time64us, itoa, int64(3)},
	{"duration", arrow.FixedWidthTypes.Duration_ms, itoa, 3 * time.Millisecond},
	{"decimal32", &arrow.Decimal32Type{Precision: 7, Scale: 2}, quoted(func(k int) string { return itoa(k) + ".25" }), "3.25"},
	{"decimal64", &arrow.Decimal64Type{Precision: 12, Scale: 3}, quoted(itoa), 3},
	{"decimal128", &arrow.Decimal128Type{Precision: 20, Scale: 2}, quoted(func(k int) string { return itoa(k) + ".25" }), "3.25"},
	{"decimal128-num", &arrow.Decimal128Type{Precision: 20, Scale: 0}, quoted(itoa), decimal128.FromI64(3)},
	{"decimal256", &arrow.Decimal256Type{Precision: 50, Scale: 1}, quoted(func(k int) string { return itoa(k) + ".5" }), 3.5},
}

func encode(ct cmpType, vals []int) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if v < 0 {
			parts[i] = "null"
		} else {
			parts[i] = ct.enc(v)
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// TestCompareTypes runs every operator on every type: column vs literal
// (both sides), column vs column, on plain and sliced arrays (offsets 3 and
// 67, the latter crossing a bitmap word).
func TestCompareTypes(t *testing.T) {
	for _, ct := range cmpTypes {
		for _, pad := range []int{0, 3, 67} {
			t.Run(fmt.Sprintf("%s/pad=%d", ct.name, pad), func(t *testing.T) {
				mem := newMem(t)
				a := slicedArr(t, mem, ct.dt, encode(ct, cmpA), pad, ct.enc(0))
				defer a.Release()
				b := slicedArr(t, mem, ct.dt, encode(ct, cmpB), pad, ct.enc(0))
				defer b.Release()
				rec := recordOf([]string{"a", "b"}, a, b)
				defer rec.Release()
				for _, op := range allOps {
					got := evalExpr(t, mem, rec, Col("a").Cmp(op, Lit(ct.lit)))
					assertJSON(t, mem, got, wantScalar[op])
					got.Release()

					// literal on the left: 3 op.flip() a == a op 3
					got = evalExpr(t, mem, rec, Lit(ct.lit).Cmp(op.flip(), Col("a")))
					assertJSON(t, mem, got, wantScalar[op])
					got.Release()

					got = evalExpr(t, mem, rec, Col("a").Cmp(op, Col("b")))
					assertJSON(t, mem, got, wantVector[op])
					got.Release()
				}
			})
		}
	}
}

func TestCompareBool(t *testing.T) {
	mem := newMem(t)
	// all four (a, b) pairs plus nulls on each side
	a := slicedArr(t, mem, arrow.FixedWidthTypes.Boolean, `[false, false, true, true, null, true]`, 5, "true")
	defer a.Release()
	b := arr(t, mem, arrow.FixedWidthTypes.Boolean, `[false, true, false, true, true, null]`)
	defer b.Release()
	rec := recordOf([]string{"a", "b"}, a, b)
	defer rec.Release()
	vector := map[CmpOp]string{
		OpEq: `[true, false, false, true, null, null]`,
		OpNe: `[false, true, true, false, null, null]`,
		OpLt: `[false, true, false, false, null, null]`,
		OpLe: `[true, true, false, true, null, null]`,
		OpGt: `[false, false, true, false, null, null]`,
		OpGe: `[true, false, true, true, null, null]`,
	}
	withTrue := map[CmpOp]string{
		OpEq: `[false, false, true, true, null, true]`,
		OpNe: `[true, true, false, false, null, false]`,
		OpLt: `[true, true, false, false, null, false]`,
		OpLe: `[true, true, true, true, null, true]`,
		OpGt: `[false, false, false, false, null, false]`,
		OpGe: `[false, false, true, true, null, true]`,
	}
	withFalse := map[CmpOp]string{
		OpEq: `[true, true, false, false, null, false]`,
		OpNe: `[false, false, true, true, null, true]`,
		OpLt: `[false, false, false, false, null, false]`,
		OpLe: `[true, true, false, false, null, false]`,
		OpGt: `[false, false, true, true, null, true]`,
		OpGe: `[true, true, true, true, null, true]`,
	}
	for _, op := range allOps {
		for _, c := range []struct {
			e    Expr
			want string
		}{
			{Col("a").Cmp(op, Col("b")), vector[op]},
			{Col("a").Cmp(op, Lit(true)), withTrue[op]},
			{Col("a").Cmp(op, Lit(false)), withFalse[op]},
		} {
			got := evalExpr(t, mem, rec, c.e)
			assertJSON(t, mem, got, c.want)
			got.Release()
		}
	}
}

// TestCompareFloatSpecials pins IEEE semantics: NaN is unequal to
// everything, itself included; infinities order as usual.
func TestCompareFloatSpecials(t *testing.T) {
	mem := newMem(t)
	b := array.NewFloat64Builder(mem)
	b.AppendValues([]float64{nan(), 1, inf(1), inf(-1), nan()}, nil)
	a := b.NewArray()
	b.Release()
	defer a.Release()
	c := array.NewFloat64Builder(mem)
	c.AppendValues([]float64{nan(), nan(), inf(1), 0, 1}, nil)
	bb := c.NewArray()
	c.Release()
	defer bb.Release()
	rec := recordOf([]string{"a", "b"}, a, bb)
	defer rec.Release()
	cases := []struct {
		e    Expr
		want string
	}{
		{Col("a").Eq(Col("b")), `[false, false, true, false, false]`},
		{Col("a").Ne(Col("b")), `[true, true, false, true, true]`},
		{Col("a").Lt(Col("b")), `[false, false, false, true, false]`},
		{Col("a").Ge(Col("b")), `[false, false, true, false, false]`},
		{Col("a").Gt(Lit(0)), `[false, true, true, false, false]`},
		{Col("a").Eq(Lit(nan())), `[false, false, false, false, false]`},
		{Col("a").Ne(Lit(nan())), `[true, true, true, true, true]`},
		{Col("a").Le(Lit(inf(1))), `[false, true, true, true, false]`},
	}
	for _, c := range cases {
		got := evalExpr(t, mem, rec, c.e)
		assertJSON(t, mem, got, c.want)
		got.Release()
	}
}

// TestCompareLengths covers the bitmap word boundaries: every length around
// 64 and a long one, with and without nulls, plus the empty array.
func TestCompareLengths(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 1000} {
		for _, nulls := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/nulls=%v", n, nulls), func(t *testing.T) {
				mem := newMem(t)
				ib := array.NewInt64Builder(mem)
				sb := array.NewStringBuilder(mem)
				inull := func(i int) bool { return nulls && i%7 == 3 }
				snull := func(i int) bool { return nulls && i%11 == 4 }
				for i := 0; i < n; i++ {
					if inull(i) {
						ib.AppendNull()
					} else {
						ib.Append(int64(i))
					}
					if snull(i) {
						sb.AppendNull()
					} else {
						sb.Append(fmt.Sprint(i % 10))
					}
				}
				ia, sa := ib.NewArray(), sb.NewArray()
				ib.Release()
				sb.Release()
				rec := recordOf([]string{"i", "s"}, ia, sa)
				ia.Release()
				sa.Release()
				defer rec.Release()
				got := evalExpr(t, mem, rec, Col("i").Ge(Lit(n/2)).And(Col("s").Ne(Lit("5"))))
				defer got.Release()
				m := got.(*array.Boolean)
				if m.Len() != n {
					t.Fatalf("len %d, want %d", m.Len(), n)
				}
				for i := 0; i < n; i++ {
					l := optBool(!inull(i), i >= n/2)
					r := optBool(!snull(i), i%10 != 5)
					want := kleeneAnd(l, r)
					if gotV := optBools(m)[i]; !sameOpt(gotV, want) {
						t.Fatalf("row %d: got %s, want %s", i, boolsJSON([]*bool{gotV}), boolsJSON([]*bool{want}))
					}
				}
			})
		}
	}
}

func TestStringPredicates(t *testing.T) {
	for _, dt := range []arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString} {
		for _, pad := range []int{0, 70} {
			t.Run(fmt.Sprintf("%s/pad=%d", dt, pad), func(t *testing.T) {
				mem := newMem(t)
				a := slicedArr(t, mem, dt, `["apple", "", null, "pineapple", "app", "APPLE", "grape-apple"]`, pad, `"apple"`)
				defer a.Release()
				rec := recordOf([]string{"s"}, a)
				defer rec.Release()
				cases := []struct {
					e    Expr
					want string
				}{
					{Col("s").HasPrefix("app"), `[true, false, null, false, true, false, false]`},
					{Col("s").HasPrefix(""), `[true, true, null, true, true, true, true]`},
					{Col("s").HasSuffix("apple"), `[true, false, null, true, false, false, true]`},
					{Col("s").Contains("pple"), `[true, false, null, true, false, false, true]`},
					{Col("s").Contains("-"), `[false, false, null, false, false, false, true]`},
					{Col("s").Eq(Lit("")), `[false, true, null, false, false, false, false]`},
					{Col("s").Eq(Lit("pineapple")), `[false, false, null, true, false, false, false]`},
					{Col("s").Ne(Lit("apple")), `[false, true, null, true, true, true, true]`},
					{Col("s").In("apple", "app", "nope"), `[true, false, null, false, true, false, false]`},
					{Col("s").In(), `[false, false, null, false, false, false, false]`},
					{Col("s").Lt(Lit("b")), `[true, true, null, false, true, true, false]`},
				}
				for _, c := range cases {
					got := evalExpr(t, mem, rec, c.e)
					assertJSON(t, mem, got, c.want)
					got.Release()
				}
			})
		}
	}
}

func TestInTypes(t *testing.T) {
	mem := newMem(t)
	many := make([]any, 0, 20)
	for i := 100; i < 120; i++ {
		many = append(many, i)
	}
	many = append(many, 3)
	cases := []struct {
		dt   arrow.DataType
		js   string
		vals []any
		want string
	}{
		{arrow.PrimitiveTypes.Int8, `[1, null, 3, -5]`, []any{3, -5, 1000}, `[false, null, true, true]`},
		{arrow.PrimitiveTypes.Int32, `[1, null, 3, 110]`, many, `[false, null, true, true]`},
		{arrow.PrimitiveTypes.Uint16, `[1, null, 3, 5]`, []any{-1, 5, 1.5}, `[false, null, false, true]`},
		{arrow.PrimitiveTypes.Float64, `[1.5, null, 3, 5]`, []any{1.5, 5}, `[true, null, false, true]`},
		{arrow.FixedWidthTypes.Boolean, `[true, null, false]`, []any{true}, `[true, null, false]`},
		{&arrow.Decimal128Type{Precision: 10, Scale: 2}, `["1.5", null, "2.25"]`, []any{"2.25", 7}, `[false, null, true]`},
		{arrow.FixedWidthTypes.Date32, `[1, null, 3]`, []any{"1970-01-02"}, `[true, null, false]`},
		{arrow.BinaryTypes.Binary, `["YQ==", null, "Yg=="]`, []any{[]byte("b")}, `[false, null, true]`},
		{arrow.BinaryTypes.String, `["k1", null, "k17"]`, func() []any {
			var v []any
			for i := 0; i < 30; i++ {
				v = append(v, fmt.Sprintf("k%d", i+10))
			}
			return v
		}(), `[false, null, true]`},
	}
	for _, c := range cases {
		a := arr(t, mem, c.dt, c.js)
		rec := recordOf([]string{"x"}, a)
		got := evalExpr(t, mem, rec, Col("x").In(c.vals...))
		assertJSON(t, mem, got, c.want)
		got.Release()
		rec.Release()
		a.Release()
	}
}

func TestNullTests(t *testing.T) {
	mem := newMem(t)
	for _, pad := range []int{0, 5, 64} {
		a := slicedArr(t, mem, arrow.PrimitiveTypes.Int32, `[1, null, 3, null, null]`, pad, "null")
		none := slicedArr(t, mem, arrow.PrimitiveTypes.Int32, `[1, 2, 3, 4, 5]`, pad, "0")
		all := arr(t, mem, arrow.Null, `[null, null, null, null, null]`)
		rec := recordOf([]string{"a", "none", "all"}, a, none, all)
		for _, c := range []struct {
			e    Expr
			want string
		}{
			{Col("a").IsNull(), `[false, true, false, true, true]`},
			{Col("a").IsNotNull(), `[true, false, true, false, false]`},
			{Col("none").IsNull(), `[false, false, false, false, false]`},
			{Col("none").IsNotNull(), `[true, true, true, true, true]`},
			{Col("all").IsNull(), `[true, true, true, true, true]`},
			{Col("all").IsNotNull(), `[false, false, false, false, false]`},
			{Col("a").Gt(Lit(1)).IsNull(), `[false, true, false, true, true]`},
		} {
			got := evalExpr(t, mem, rec, c.e)
			if got.NullN() != 0 {
				t.Errorf("%s: result has nulls", c.e)
			}
			assertJSON(t, mem, got, c.want)
			got.Release()
		}
		rec.Release()
		a.Release()
		none.Release()
		all.Release()
	}
}

// TestKleene checks AND, OR and NOT over all nine combinations of true,
// false and null, with the right side sliced to an odd offset.
func TestKleene(t *testing.T) {
	mem := newMem(t)
	a := arr(t, mem, arrow.FixedWidthTypes.Boolean, `[true, true, true, false, false, false, null, null, null]`)
	defer a.Release()
	b := slicedArr(t, mem, arrow.FixedWidthTypes.Boolean, `[true, false, null, true, false, null, true, false, null]`, 3, "true")
	defer b.Release()
	and, err := MaskAnd(mem, a.(*array.Boolean), b.(*array.Boolean))
	if err != nil {
		t.Fatal(err)
	}
	defer and.Release()
	assertJSON(t, mem, and, `[true, false, null, false, false, false, null, false, null]`)
	or, err := MaskOr(mem, a.(*array.Boolean), b.(*array.Boolean))
	if err != nil {
		t.Fatal(err)
	}
	defer or.Release()
	assertJSON(t, mem, or, `[true, true, true, true, false, null, true, null, null]`)
	not, err := MaskNot(mem, b.(*array.Boolean))
	if err != nil {
		t.Fatal(err)
	}
	defer not.Release()
	assertJSON(t, mem, not, `[false, true, null, false, true, null, false, true, null]`)

	// the same through expressions, including literal operands
	rec := recordOf([]string{"a", "b"}, a, b)
	defer rec.Release()
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{Col("a").And(Col("b")), `[true, false, null, false, false, false, null, false, null]`},
		{Or(Col("a"), Col("b")), `[true, true, true, true, false, null, true, null, null]`},
		{Not(Col("b")), `[false, true, null, false, true, null, false, true, null]`},
		{Col("a").And(Lit(nil)), `[null, null, null, false, false, false, null, null, null]`},
		{Col("a").Or(Lit(true)), `[true, true, true, true, true, true, true, true, true]`},
		{And(), `[true, true, true, true, true, true, true, true, true]`},
		{Or(), `[false, false, false, false, false, false, false, false, false]`},
	} {
		got := evalExpr(t, mem, rec, c.e)
		assertJSON(t, mem, got, c.want)
		got.Release()
	}

	short := array.NewSlice(b, 0, 2)
	defer short.Release()
	if _, err := MaskAnd(mem, a.(*array.Boolean), short.(*array.Boolean)); err == nil {
		t.Error("MaskAnd of different lengths: want an error")
	}
}

// TestShortCircuit: when the left side of AND is all false, the right side
// is not evaluated, so its failure (overflow) does not surface.
func TestShortCircuit(t *testing.T) {
	mem := newMem(t)
	a := arr(t, mem, arrow.PrimitiveTypes.Int8, `[100, 120]`)
	defer a.Release()
	rec := recordOf([]string{"a"}, a)
	defer rec.Release()
	overflow := Col("a").Add(Lit(100)).Gt(Lit(0))
	got := evalExpr(t, mem, rec, Col("a").Lt(Lit(0)).And(overflow))
	assertJSON(t, mem, got, `[false, false]`)
	got.Release()
	got = evalExpr(t, mem, rec, Col("a").Gt(Lit(0)).Or(overflow))
	assertJSON(t, mem, got, `[true, true]`)
	got.Release()

	b, err := Col("a").Gt(Lit(0)).And(overflow).Bind(rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Eval(mem, rec); err == nil {
		t.Error("AND with a true left side must evaluate the right side and fail")
	}
}

// boolsJSON renders optional booleans as JSON.
func boolsJSON(vals []*bool) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch {
		case v == nil:
			parts[i] = "null"
		case *v:
			parts[i] = "true"
		default:
			parts[i] = "false"
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}
