package ops

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestArith(t *testing.T) {
	i8 := arrow.PrimitiveTypes.Int8
	cases := []struct {
		name string
		dt   arrow.DataType
		a, b string
		e    Expr
		want string
		typ  arrow.DataType // result type, when not dt
	}{
		{"add", i8, `[1, null, 3]`, `[10, 20, null]`, Col("a").Add(Col("b")), `[11, null, null]`, nil},
		{"sub", i8, `[1, null, 3]`, `[10, 20, null]`, Col("a").Sub(Col("b")), `[-9, null, null]`, nil},
		{"mul", i8, `[-4, 5, 3]`, `[10, 20, 0]`, Col("a").Mul(Col("b")), `[-40, 100, 0]`, nil},
		{"div truncates toward zero", i8, `[7, -7, 0]`, `[2, 2, 5]`, Col("a").Div(Col("b")), `[3, -3, 0]`, nil},
		{"scalar right", i8, `[1, null, 3]`, `[0, 0, 0]`, Col("a").Sub(Lit(1)), `[0, null, 2]`, nil},
		{"scalar left", i8, `[1, null, 3]`, `[0, 0, 0]`, Lit(10).Sub(Col("a")), `[9, null, 7]`, nil},
		{"scalar left div", i8, `[1, null, 3]`, `[0, 0, 0]`, Lit(9).Div(Col("a")), `[9, null, 3]`, nil},
		{"division by zero under a null", i8, `[1, null]`, `[1, 0]`, Col("a").Div(Col("b")), `[1, null]`, nil},
		{"null literal", i8, `[1, 2]`, `[1, 0]`, Col("a").Add(Lit(nil)), `[null, null]`, nil},
		{"uint", arrow.PrimitiveTypes.Uint32, `[4000000000, 1]`, `[1, 1]`, Col("a").Add(Col("b")), `[4000000001, 2]`, nil},
		{"float", arrow.PrimitiveTypes.Float64, `[1.5, null, 1]`, `[0.5, 1, 0]`, Col("a").Div(Col("b")), `[3, null, "+Inf"]`, nil},
		{"float neg zero division", arrow.PrimitiveTypes.Float32, `[-1, 0]`, `[0, 0]`, Col("a").Div(Col("b")), `["-Inf", "NaN"]`, nil},
		{"float literal widens an int column", i8, `[1, 2]`, `[0, 0]`, Col("a").Mul(Lit(1.5)), `[1.5, 3]`, arrow.PrimitiveTypes.Float64},
		{"integral float literal stays int", i8, `[1, 2]`, `[0, 0]`, Col("a").Mul(Lit(2.0)), `[2, 4]`, nil},
		{"big literal widens", i8, `[1, 2]`, `[0, 0]`, Col("a").Add(Lit(1000)), `[1001, 1002]`, arrow.PrimitiveTypes.Int64},
		{"nested", i8, `[1, 2]`, `[3, 4]`, Col("a").Add(Col("b")).Mul(Lit(2)).Sub(Col("a")), `[7, 10]`, nil},
		{"decimal", &arrow.Decimal128Type{Precision: 10, Scale: 2}, `["1.25", null]`, `["2.50", "1"]`, Col("a").Add(Col("b")), `["3.75", null]`, &arrow.Decimal128Type{Precision: 11, Scale: 2}},
		{"decimal literal", &arrow.Decimal128Type{Precision: 10, Scale: 2}, `["1.25", null]`, `["2.50", "1"]`, Col("a").Mul(Lit("2.00")), `["2.5000", null]`, &arrow.Decimal128Type{Precision: 21, Scale: 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			for _, pad := range []int{0, 9} {
				a := slicedArr(t, mem, c.dt, c.a, pad, "1")
				b := slicedArr(t, mem, c.dt, c.b, pad, "1")
				rec := recordOf([]string{"a", "b"}, a, b)
				got := evalExpr(t, mem, rec, c.e)
				want := c.typ
				if want == nil {
					want = c.dt
				}
				if !arrow.TypeEqual(got.DataType(), want) {
					t.Errorf("type %s, want %s", got.DataType(), want)
				}
				assertJSON(t, mem, got, c.want)
				got.Release()
				rec.Release()
				a.Release()
				b.Release()
			}
		})
	}
}

func TestArithMixedTypes(t *testing.T) {
	mem := newMem(t)
	cases := []struct {
		a, b arrow.DataType
		want arrow.DataType
	}{
		{arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32},
		{arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16},
		{arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64},
		{arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Uint64},
		{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64},
		{arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float32},
	}
	for _, c := range cases {
		a := arr(t, mem, c.a, `[1, 2, null]`)
		b := arr(t, mem, c.b, `[3, null, 4]`)
		rec := recordOf([]string{"a", "b"}, a, b)
		got := evalExpr(t, mem, rec, Col("a").Add(Col("b")))
		if !arrow.TypeEqual(got.DataType(), c.want) {
			t.Errorf("%s + %s: type %s, want %s", c.a, c.b, got.DataType(), c.want)
		}
		assertJSON(t, mem, got, `[4, null, null]`)
		cmp := evalExpr(t, mem, rec, Col("a").Lt(Col("b")))
		assertJSON(t, mem, cmp, `[true, null, null]`)
		cmp.Release()
		got.Release()
		rec.Release()
		a.Release()
		b.Release()
	}
}

func TestArithErrors(t *testing.T) {
	cases := []struct {
		name string
		dt   arrow.DataType
		a, b string
		e    Expr
		err  error
		row  int
		msg  string
	}{
		{"add overflow", arrow.PrimitiveTypes.Int8, `[1, 100, 120]`, `[1, 27, 8]`, Col("a").Add(Col("b")), ErrOverflow, 2, "ops: a + b: row 2: integer overflow"},
		{"sub underflow unsigned", arrow.PrimitiveTypes.Uint8, `[5, 1]`, `[5, 2]`, Col("a").Sub(Col("b")), ErrOverflow, 1, ""},
		{"mul overflow int64", arrow.PrimitiveTypes.Int64, `[4611686018427387904, 1]`, `[2, 1]`, Col("a").Mul(Col("b")), ErrOverflow, 0, ""},
		{"min / -1", arrow.PrimitiveTypes.Int32, `[4, -2147483648]`, `[-1, -1]`, Col("a").Div(Col("b")), ErrOverflow, 1, ""},
		{"divide by zero", arrow.PrimitiveTypes.Int16, `[4, 5, 6]`, `[1, 0, 0]`, Col("a").Div(Col("b")), ErrDivideByZero, 1, "ops: a / b: row 1: integer division by zero"},
		{"divide by zero literal", arrow.PrimitiveTypes.Int16, `[4, 5]`, `[1, 0]`, Col("a").Div(Lit(0)), ErrDivideByZero, 0, ""},
		{"overflow in a nested expression", arrow.PrimitiveTypes.Int8, `[1, 2]`, `[1, 1]`, Col("a").Mul(Lit(100)).Gt(Lit(0)), ErrOverflow, 1, "ops: a * 100: row 1: integer overflow"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			a := arr(t, mem, c.dt, c.a)
			defer a.Release()
			b := arr(t, mem, c.dt, c.b)
			defer b.Release()
			rec := recordOf([]string{"a", "b"}, a, b)
			defer rec.Release()
			bound, err := c.e.Bind(rec.Schema())
			if err != nil {
				t.Fatal(err)
			}
			_, err = bound.Eval(mem, rec)
			var re *RowError
			if !errors.As(err, &re) || !errors.Is(err, c.err) || re.Row != c.row {
				t.Fatalf("got %v, want %v at row %d", err, c.err, c.row)
			}
			if c.msg != "" && err.Error() != c.msg {
				t.Errorf("message %q, want %q", err.Error(), c.msg)
			}
		})
	}
}

func TestCast(t *testing.T) {
	cases := []struct {
		name string
		dt   arrow.DataType
		js   string
		to   arrow.DataType
		want string
		err  string
	}{
		{"int to float", arrow.PrimitiveTypes.Int32, `[1, null, -3]`, arrow.PrimitiveTypes.Float64, `[1, null, -3]`, ""},
		{"float to int exact", arrow.PrimitiveTypes.Float64, `[1, null, -3]`, arrow.PrimitiveTypes.Int16, `[1, null, -3]`, ""},
		{"float to int truncation fails", arrow.PrimitiveTypes.Float64, `[1.5]`, arrow.PrimitiveTypes.Int16, "", "truncated"},
		{"int overflow fails", arrow.PrimitiveTypes.Int64, `[1, 300]`, arrow.PrimitiveTypes.Int8, "", "integer value 300 not in range"},
		{"int to string", arrow.PrimitiveTypes.Int64, `[12, null, -3]`, arrow.BinaryTypes.String, `["12", null, "-3"]`, ""},
		{"float to string", arrow.PrimitiveTypes.Float64, `[1.5]`, arrow.BinaryTypes.String, `["1.5"]`, ""},
		{"string to int", arrow.BinaryTypes.String, `["12", null, "-3"]`, arrow.PrimitiveTypes.Int32, `[12, null, -3]`, ""},
		{"string to int fails", arrow.BinaryTypes.String, `["12x"]`, arrow.PrimitiveTypes.Int32, "", "12x"},
		{"string to float", arrow.BinaryTypes.String, `["1.25"]`, arrow.PrimitiveTypes.Float64, `[1.25]`, ""},
		{"string to timestamp", arrow.BinaryTypes.String, `["2024-01-02T03:04:05Z", null]`, &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, `[1704164645000, null]`, ""},
		{"timestamp to int64", &arrow.TimestampType{Unit: arrow.Millisecond}, `[5, null]`, arrow.PrimitiveTypes.Int64, `[5, null]`, ""},
		{"timestamp unit", &arrow.TimestampType{Unit: arrow.Millisecond}, `[5000]`, &arrow.TimestampType{Unit: arrow.Second}, `[5]`, ""},
		{"bool to int", arrow.FixedWidthTypes.Boolean, `[true, false, null]`, arrow.PrimitiveTypes.Int8, `[1, 0, null]`, ""},
		{"same type", arrow.PrimitiveTypes.Int8, `[1, null]`, arrow.PrimitiveTypes.Int8, `[1, null]`, ""},
		{"decimal to float", &arrow.Decimal128Type{Precision: 5, Scale: 2}, `["1.25"]`, arrow.PrimitiveTypes.Float64, `[1.25]`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			a := slicedArr(t, mem, c.dt, c.js, 2, "null")
			defer a.Release()
			rec := recordOf([]string{"a"}, a)
			defer rec.Release()
			b, err := Col("a").Cast(c.to).Bind(rec.Schema())
			if err != nil {
				t.Fatal(err)
			}
			got, err := b.Eval(mem, rec)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "ops: CAST(a AS ") {
					t.Fatalf("got %v, want an error containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			assertJSON(t, mem, got, c.want)
		})
	}
}

// TestCastMatchesCompute runs every cast among these types on a sliced
// array and compares the result with compute's cast of an unsliced copy (the
// reference runs on a plain allocator: compute's casts to string do not free
// everything they allocate in arrow-go v18.8.0, which is one reason some casts
// are written here). Errors must agree too.
func TestCastMatchesCompute(t *testing.T) {
	types := []struct {
		dt arrow.DataType
		js string
	}{
		{arrow.FixedWidthTypes.Boolean, `[true,false,null,true,true,false,true,false,true,true]`},
		{arrow.PrimitiveTypes.Int8, `[1,-2,null,4,5,6,7,8,9,10]`},
		{arrow.PrimitiveTypes.Int32, `[1,2,null,4,-5,6,7,8,9,10]`},
		{arrow.PrimitiveTypes.Int64, `[1,2,null,4,5,6,7,8,9,10]`},
		{arrow.PrimitiveTypes.Uint16, `[1,2,null,4,5,6,7,8,9,10]`},
		{arrow.PrimitiveTypes.Uint64, `[1,2,null,4,5,6,7,8,9,18446744073709551615]`},
		{arrow.PrimitiveTypes.Float32, `[1.5,2,null,4,5,6,"NaN",8,9,1e10]`},
		{arrow.PrimitiveTypes.Float64, `[1,2.25,null,1e21,"-Inf",6,7,8,9,0.1]`},
		{arrow.BinaryTypes.String, `["1","2",null,"4","5","6","7","8","9","10"]`},
		{arrow.BinaryTypes.LargeString, `["1","2",null,"4","5","6","7","8","9","10"]`},
		{&arrow.TimestampType{Unit: arrow.Millisecond}, `[1704164645123,2,null,-4,5,6,7,8,9,10]`},
		{&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "America/New_York"}, `[1704164645000000001,2,null,4,5,6,7,8,9,10]`},
		{&arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, `[1,2,null,4,5,6,7,8,9,10]`},
		{arrow.FixedWidthTypes.Date32, `[19724,2,null,-4,5,6,7,8,9,10]`},
		{arrow.FixedWidthTypes.Date64, `[86400000,0,null,86400000,86400000,86400000,86400000,86400000,86400000,86400000]`},
		{arrow.FixedWidthTypes.Time32ms, `[3723004,2,null,4,5,6,7,8,9,10]`},
		{arrow.FixedWidthTypes.Time64us, `[1,2,null,4,5,6,7,8,9,10]`},
		{&arrow.Decimal128Type{Precision: 10, Scale: 0}, `["1","2",null,"4","5","6","7","8","9","10"]`},
	}
	ref := memory.NewGoAllocator()
	for _, from := range types {
		for _, to := range types {
			t.Run(from.dt.String()+"->"+to.dt.String(), func(t *testing.T) {
				mem := newMem(t)
				full := arr(t, mem, from.dt, from.js)
				defer full.Release()
				sl := array.NewSlice(full, 3, 10)
				defer sl.Release()
				compact := arr(t, ref, from.dt, from.js)
				compact = array.NewSlice(compact, 3, 10)
				compact, err := compute.TakeArray(context.Background(), compact, arr(t, ref, arrow.PrimitiveTypes.Int32, `[0,1,2,3,4,5,6]`))
				if err != nil {
					t.Fatal(err)
				}
				want, werr := compute.CastArray(compute.WithAllocator(context.Background(), ref), compact, compute.SafeCastOptions(to.dt))
				k, kerr := castKernel(from.dt, to.dt)
				if kerr != nil {
					if werr == nil {
						t.Fatalf("no kernel (%v) but compute casts", kerr)
					}
					return
				}
				got, gerr := k(mem, sl)
				if (gerr == nil) != (werr == nil) {
					t.Fatalf("error %v, compute's %v", gerr, werr)
				}
				if gerr != nil {
					return
				}
				defer got.Release()
				if !array.ApproxEqual(got, want, array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
					t.Errorf("got %v, compute %v", got, want)
				}
			})
		}
	}
}
