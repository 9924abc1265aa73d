package ops

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The property tests run each hand-written kernel on random, sliced arrays
// with nulls and compare every row with a row-by-row reference that reads
// values through arrow's typed accessors.

func propCases(r *rand.Rand) []int {
	out := append([]int(nil), propLengths...)
	for i := 0; i < 4; i++ {
		out = append(out, r.IntN(300))
	}
	return out
}

func checkMask(t *testing.T, what string, got arrow.Array, want func(i int) *bool) {
	t.Helper()
	m := optBools(got.(*array.Boolean))
	for i, g := range m {
		if w := want(i); !sameOpt(g, w) {
			t.Fatalf("%s: row %d: got %s, want %s", what, i, boolsJSON([]*bool{g}), boolsJSON([]*bool{w}))
		}
	}
}

func TestPropertyCompare(t *testing.T) {
	for ti, dt := range randTypes {
		t.Run(dt.String(), func(t *testing.T) {
			mem := newMem(t)
			r := rand.New(rand.NewPCG(uint64(ti), 7))
			for _, n := range propCases(r) {
				a := randArray(r, mem, dt, n, 20)
				b := randArray(r, mem, dt, n, 20)
				rec := recordOf([]string{"a", "b"}, a, b)
				a.Release()
				b.Release()
				// the literal is a value of the column when there is one, so
				// equality holds on some rows
				var lit any
				if i := r.IntN(n + 1); i < n && a.IsValid(i) {
					lit = valueAt(a, i)
				} else {
					vb := randArray(r, mem, dt, 1, 0)
					lit = valueAt(vb, 0)
					vb.Release()
				}
				for _, op := range allOps {
					got := evalExpr(t, mem, rec, Col("a").Cmp(op, Lit(literalFor(dt, lit))))
					checkMask(t, fmt.Sprintf("n=%d a %s %v", n, op, lit), got, func(i int) *bool {
						if a.IsNull(i) {
							return nil
						}
						return optBool(true, refCmp(op, valueAt(a, i), lit))
					})
					got.Release()
					got = evalExpr(t, mem, rec, Col("a").Cmp(op, Col("b")))
					checkMask(t, fmt.Sprintf("n=%d a %s b", n, op), got, func(i int) *bool {
						if a.IsNull(i) || b.IsNull(i) {
							return nil
						}
						return optBool(true, refCmp(op, valueAt(a, i), valueAt(b, i)))
					})
					got.Release()
				}
				rec.Release()
			}
		})
	}
}

func TestPropertyStrings(t *testing.T) {
	for ti, dt := range []arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.LargeBinary} {
		t.Run(dt.String(), func(t *testing.T) {
			mem := newMem(t)
			r := rand.New(rand.NewPCG(uint64(ti), 11))
			for _, n := range propCases(r) {
				a := randArray(r, mem, dt, n, 15)
				rec := recordOf([]string{"s"}, a)
				a.Release()
				pat := randString(r)
				set := []any{randString(r), randString(r), pat}
				if r.IntN(2) == 0 {
					for i := 0; i < 12; i++ { // past the small-set scan
						set = append(set, randString(r))
					}
				}
				cases := []struct {
					e   Expr
					ref func(v string) bool
				}{
					{Col("s").HasPrefix(pat), func(v string) bool { return strings.HasPrefix(v, pat) }},
					{Col("s").HasSuffix(pat), func(v string) bool { return strings.HasSuffix(v, pat) }},
					{Col("s").Contains(pat), func(v string) bool { return strings.Contains(v, pat) }},
					{Col("s").Eq(Lit(pat)), func(v string) bool { return v == pat }},
					{Col("s").Ne(Lit(pat)), func(v string) bool { return v != pat }},
					{Col("s").In(set...), func(v string) bool {
						for _, x := range set {
							if x.(string) == v {
								return true
							}
						}
						return false
					}},
				}
				for _, c := range cases {
					got := evalExpr(t, mem, rec, c.e)
					checkMask(t, fmt.Sprintf("n=%d %s", n, c.e), got, func(i int) *bool {
						if a.IsNull(i) {
							return nil
						}
						return optBool(true, c.ref(valueAt(a, i).(string)))
					})
					got.Release()
				}
				rec.Release()
			}
		})
	}
}

func TestPropertyIn(t *testing.T) {
	for ti, dt := range []arrow.DataType{arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Boolean} {
		t.Run(dt.String(), func(t *testing.T) {
			mem := newMem(t)
			r := rand.New(rand.NewPCG(uint64(ti), 13))
			for _, n := range propCases(r) {
				a := randArray(r, mem, dt, n, 15)
				rec := recordOf([]string{"x"}, a)
				a.Release()
				src := randArray(r, mem, dt, 2+r.IntN(20), 0)
				set := make([]any, src.Len())
				for i := range set {
					set[i] = valueAt(src, i)
				}
				src.Release()
				got := evalExpr(t, mem, rec, Col("x").In(set...))
				checkMask(t, fmt.Sprintf("n=%d", n), got, func(i int) *bool {
					if a.IsNull(i) {
						return nil
					}
					hit := false
					for _, s := range set {
						hit = hit || refCmp(OpEq, valueAt(a, i), s)
					}
					return optBool(true, hit)
				})
				got.Release()
				rec.Release()
			}
		})
	}
}

func TestPropertyLogic(t *testing.T) {
	mem := newMem(t)
	r := rand.New(rand.NewPCG(3, 5))
	for _, n := range propCases(r) {
		for _, nullPct := range []int{0, 30} {
			a := randArray(r, mem, arrow.FixedWidthTypes.Boolean, n, nullPct)
			b := randArray(r, mem, arrow.FixedWidthTypes.Boolean, n, 30-nullPct)
			rec := recordOf([]string{"a", "b"}, a, b)
			a.Release()
			b.Release()
			ref := func(x arrow.Array, i int) *bool { return optBool(x.IsValid(i), x.(*array.Boolean).Value(i)) }
			for _, c := range []struct {
				e    Expr
				want func(i int) *bool
			}{
				{Col("a").And(Col("b")), func(i int) *bool { return kleeneAnd(ref(a, i), ref(b, i)) }},
				{Col("a").Or(Col("b")), func(i int) *bool { return kleeneOr(ref(a, i), ref(b, i)) }},
				{Col("a").Not(), func(i int) *bool {
					if v := ref(a, i); v != nil {
						return optBool(true, !*v)
					}
					return nil
				}},
				{Col("a").IsNull(), func(i int) *bool { return optBool(true, a.IsNull(i)) }},
				{Col("b").IsNotNull(), func(i int) *bool { return optBool(true, b.IsValid(i)) }},
			} {
				got := evalExpr(t, mem, rec, c.e)
				checkMask(t, fmt.Sprintf("n=%d %s", n, c.e), got, c.want)
				got.Release()
			}
			rec.Release()
		}
	}
}

// refArith computes x op y exactly with big integers; ok is false for
// overflow or division by zero (err says which).
func refArith(op ArithOp, x, y *big.Int, lo, hi *big.Int) (*big.Int, error) {
	z := new(big.Int)
	switch op {
	case OpAdd:
		z.Add(x, y)
	case OpSub:
		z.Sub(x, y)
	case OpMul:
		z.Mul(x, y)
	default:
		if y.Sign() == 0 {
			return nil, ErrDivideByZero
		}
		z.Quo(x, y) // truncates toward zero
	}
	if z.Cmp(lo) < 0 || z.Cmp(hi) > 0 {
		return nil, ErrOverflow
	}
	return z, nil
}

func bigOf(v any) *big.Int {
	switch v := v.(type) {
	case int64:
		return big.NewInt(v)
	case uint64:
		return new(big.Int).SetUint64(v)
	}
	panic("bigOf")
}

func typeRange(dt arrow.DataType) (lo, hi *big.Int) {
	bitsN := uint(bitWidth(dt))
	one := big.NewInt(1)
	if arrow.IsSignedInteger(dt.ID()) {
		hi = new(big.Int).Sub(new(big.Int).Lsh(one, bitsN-1), one)
		lo = new(big.Int).Neg(new(big.Int).Lsh(one, bitsN-1))
		return lo, hi
	}
	return big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(one, bitsN), one)
}

func TestPropertyArithInt(t *testing.T) {
	intTypes := []arrow.DataType{
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
		arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	}
	ops := []ArithOp{OpAdd, OpSub, OpMul, OpDiv}
	for ti, dt := range intTypes {
		t.Run(dt.String(), func(t *testing.T) {
			mem := newMem(t)
			r := rand.New(rand.NewPCG(uint64(ti), 17))
			lo, hi := typeRange(dt)
			var outcomes [2]int // failed, succeeded
			for ci, n := range propCases(r) {
				for _, op := range ops {
					// half the cases stay near zero so most rows succeed; the
					// other half reach the extremes and mostly fail
					small := ci%2 == 0
					a := randArrayOpt(r, mem, dt, n, 25, small)
					b := randArrayOpt(r, mem, dt, n, 25, small)
					rec := recordOf([]string{"a", "b"}, a, b)
					a.Release()
					b.Release()
					vb := randArray(r, mem, dt, 1, 0)
					lit := valueAt(vb, 0)
					vb.Release()
					outcomes[checkArith(t, mem, rec, Col("a").Arith(op, Col("b")), n, op, lo, hi,
						func(i int) (any, any, bool) { return valueAt(a, i), valueAt(b, i), a.IsValid(i) && b.IsValid(i) })]++
					outcomes[checkArith(t, mem, rec, Expr{arithNode{op, colNode{"a"}, litNode{lit}}}, n, op, lo, hi,
						func(i int) (any, any, bool) { return valueAt(a, i), lit, a.IsValid(i) })]++
					outcomes[checkArith(t, mem, rec, Expr{arithNode{op, litNode{lit}, colNode{"a"}}}, n, op, lo, hi,
						func(i int) (any, any, bool) { return lit, valueAt(a, i), a.IsValid(i) })]++
					rec.Release()
				}
			}
			if outcomes[0] < 10 || outcomes[1] < 10 {
				t.Errorf("cases that failed / succeeded: %v; both need to be exercised", outcomes)
			}
		})
	}
}

func checkArith(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch, e Expr, n int, op ArithOp, lo, hi *big.Int,
	row func(i int) (x, y any, valid bool),
) (succeeded int) {
	t.Helper()
	// the reference: the first valid row that fails decides the error
	var wantErr error
	wantRow := -1
	for i := 0; i < n && wantErr == nil; i++ {
		x, y, ok := row(i)
		if !ok {
			continue
		}
		if _, err := refArith(op, bigOf(x), bigOf(y), lo, hi); err != nil {
			wantErr, wantRow = err, i
		}
	}
	b, err := e.Bind(rec.Schema())
	if err != nil {
		t.Fatalf("Bind(%s): %v", e, err)
	}
	got, err := b.Eval(mem, rec)
	if wantErr != nil {
		var re *RowError
		if !errors.As(err, &re) || !errors.Is(err, wantErr) || re.Row != wantRow {
			t.Fatalf("n=%d %s: got error %v, want %v at row %d", n, e, err, wantErr, wantRow)
		}
		return 0
	}
	if err != nil {
		t.Fatalf("n=%d %s: %v", n, e, err)
	}
	defer got.Release()
	for i := 0; i < n; i++ {
		x, y, ok := row(i)
		if !ok {
			if got.IsValid(i) {
				t.Fatalf("n=%d %s: row %d: want null", n, e, i)
			}
			continue
		}
		want, _ := refArith(op, bigOf(x), bigOf(y), lo, hi)
		if g := bigOf(valueAt(got, i)); got.IsNull(i) || g.Cmp(want) != 0 {
			t.Fatalf("n=%d %s: row %d: got %v, want %v", n, e, i, g, want)
		}
	}
	return 1
}

func TestPropertyArithFloat(t *testing.T) {
	mem := newMem(t)
	r := rand.New(rand.NewPCG(5, 19))
	for _, dt := range []arrow.DataType{arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64} {
		for _, n := range propCases(r) {
			a := randArray(r, mem, dt, n, 20)
			b := randArray(r, mem, dt, n, 20)
			rec := recordOf([]string{"a", "b"}, a, b)
			a.Release()
			b.Release()
			for _, op := range []ArithOp{OpAdd, OpSub, OpMul, OpDiv} {
				got := evalExpr(t, mem, rec, Expr{arithNode{op, colNode{"a"}, colNode{"b"}}})
				for i := 0; i < n; i++ {
					if a.IsNull(i) || b.IsNull(i) {
						if got.IsValid(i) {
							t.Fatalf("%s %s row %d: want null", dt, op, i)
						}
						continue
					}
					x, y := valueAt(a, i).(float64), valueAt(b, i).(float64)
					var w float64
					switch op {
					case OpAdd:
						w = x + y
					case OpSub:
						w = x - y
					case OpMul:
						w = x * y
					default:
						w = x / y
					}
					if dt.ID() == arrow.FLOAT32 {
						w = float64(float32(w))
					}
					g := valueAt(got, i).(float64)
					if !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
						t.Fatalf("%s %s row %d: %v %s %v = %v, want %v", dt, op, i, x, op, y, g, w)
					}
				}
				got.Release()
			}
			rec.Release()
		}
	}
}
