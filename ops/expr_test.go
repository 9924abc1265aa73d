package ops

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ops")

var exprSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "qty", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "small", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "currency", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "price", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	{Name: "big", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "odd name", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// golden compares text with testdata/ops/name, or rewrites it with -update.
func golden(t *testing.T, name, text string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "ops", name)
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != text {
		t.Errorf("%s differs from the golden file; got:\n%s", name, text)
	}
}

// TestBindErrors records the message for each kind of bad expression in a
// golden file, and checks which sentinel each wraps.
func TestBindErrors(t *testing.T) {
	cases := []struct {
		e   Expr
		err error
	}{
		{Col("amont").Gt(Lit(100)), ErrNoColumn},
		{Col("amount").Gt(Lit("lots")), ErrType},
		{Col("amount").Eq(Col("currency")), ErrType},
		{Col("currency").Gt(Lit(3)), ErrType},
		{Col("qty").Add(Col("currency")), ErrType},
		{Col("currency").Mul(Lit(2)), ErrType},
		{Col("amount").HasPrefix("1"), ErrType},
		{Col("amount").And(Col("ok")), ErrType},
		{Col("ok").Or(Lit(1)), ErrType},
		{Col("ok").Not().And(Col("qty").Gt(Lit(1)).Not().Or(Col("id"))), ErrType},
		{Lit(1).Lt(Lit(2)), ErrType},
		{Lit(1).Add(Lit(2)), ErrType},
		{Col("ts").Gt(Lit("yesterday")), ErrType},
		{Col("ts").Gt(Lit(time.Date(2024, 1, 1, 0, 0, 0, 1, time.UTC))), ErrType},
		{Col("day").Eq(Lit("2024-01-01T10:00:00Z")), ErrType},
		{Col("price").Gt(Lit("1.005")), ErrType},
		{Col("price").Gt(Lit("123456789")), ErrType},
		{Col("tags").Eq(Col("tags")), ErrType},
		{Col("tags").In("a"), ErrType},
		{Col("qty").In(1, nil), ErrType},
		{Col("big").Add(Col("qty")), ErrType},
		{Col("small").Lt(Lit(struct{}{})), ErrType},
		{Col("id").Cast(arrow.ListOf(arrow.PrimitiveTypes.Int8)), ErrType},
		{Col("id").Cast(nil), ErrType},
		{Col("odd name").Gt(Col("missing column")), ErrNoColumn},
		{Expr{}.And(Col("ok")), ErrType},
		{Col("price").Add(Col("ts")), ErrType},
	}
	var b strings.Builder
	for _, c := range cases {
		_, err := c.e.Bind(exprSchema)
		if err == nil {
			t.Errorf("%s: bound without error", c.e)
			continue
		}
		var be *BindError
		if !errors.As(err, &be) || !errors.Is(err, c.err) {
			t.Errorf("%s: %v is not a *BindError wrapping %v", c.e, err, c.err)
		}
		fmt.Fprintf(&b, "%s\n\t%v\n", c.e, err)
	}
	golden(t, "bind_errors.golden", b.String())
}

// TestExprString records how expressions print (also their default output
// column names).
func TestExprString(t *testing.T) {
	exprs := []Expr{
		Col("amount").Gt(Lit(100.0)).And(Col("currency").Eq(Lit("EUR"))),
		Or(Col("a").IsNull(), Col("b").IsNotNull(), Not(Col("c"))),
		Col("x").Add(Lit(1)).Mul(Col("y").Sub(Lit(2.5))).Div(Lit(int8(3))),
		Col("s").HasPrefix("ab").Or(Col("s").HasSuffix("z")).Or(Col("s").Contains(`q"`)),
		Col("s").In("EUR", "USD", nil, 3, []byte{1, 2}),
		Col("ts").Ge(Lit(time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC))),
		Col("odd name").Cast(arrow.BinaryTypes.String).As("as text"),
		Col("p").Le(Lit(decimal128.FromI64(12345))),
		Col("v").Eq(Lit(scalar.NewInt16Scalar(7))),
		Col("d").Lt(Lit(90 * time.Minute)),
		And(),
		Expr{},
		Col("x").Cmp(OpNe, Expr{}),
	}
	var b strings.Builder
	for _, e := range exprs {
		fmt.Fprintf(&b, "%s\n\tname: %s\n", e, e.Name())
	}
	golden(t, "expr_string.golden", b.String())
}

func TestLiteralCoercion(t *testing.T) {
	mem := newMem(t)
	rec := record(t, mem, exprSchema, `[
		{"id": "a", "amount": 99.5, "qty": 3, "small": -3, "currency": "EUR", "ts": 1704067200000, "day": 19723, "ok": true, "price": "1.25", "tags": [], "big": 18446744073709551615, "odd name": 1},
		{"id": "b", "amount": 100, "qty": 100, "small": 127, "currency": "USD", "ts": 1704067200001, "day": 19724, "ok": false, "price": "9.99", "tags": ["x"], "big": 0, "odd name": 2}
	]`)
	defer rec.Release()
	jan1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		e    Expr
		want string
	}{
		{Col("amount").Ge(Lit(100)), `[false, true]`},
		{Col("amount").Ge(Lit(float32(99.5))), `[true, true]`},
		{Col("qty").Gt(Lit(2.5)), `[true, true]`},                    // widens qty to float64
		{Col("qty").Eq(Lit(100.0)), `[false, true]`},                 // integral float stays int
		{Col("small").Lt(Lit(1000)), `[true, true]`},                 // widens to int64
		{Col("small").Gt(Lit(-1000)), `[true, true]`},                // widens to int64
		{Col("big").Gt(Lit(uint64(1) << 63)), `[true, false]`},       // unsigned literal
		{Col("big").Gt(Lit(-1)), `[true, true]`},                     // negative against unsigned: float64
		{Col("ts").Eq(Lit(jan1)), `[true, false]`},                   // time.Time
		{Col("ts").Gt(Lit("2024-01-01T00:00:00Z")), `[false, true]`}, // RFC 3339 string
		{Col("ts").Gt(Lit(int64(1704067200000))), `[false, true]`},   // raw value
		{Col("day").Eq(Lit("2024-01-01")), `[true, false]`},
		{Col("day").Eq(Lit(jan1)), `[true, false]`},
		{Col("price").Gt(Lit("1.3")), `[false, true]`},
		{Col("price").Gt(Lit(5)), `[false, true]`},
		{Col("price").Lt(Lit(1.25)), `[false, false]`},
		{Col("price").Eq(Lit(decimal128.FromI64(125))), `[true, false]`}, // unscaled
		{Col("currency").Eq(Lit([]byte("EUR"))), `[true, false]`},
		{Col("amount").Eq(Lit(nil)), `[null, null]`},
		{Col("qty").Eq(Lit(scalar.NewInt64Scalar(3))), `[true, false]`},
		{Col("odd name").Eq(Lit(2)), `[false, true]`},
		{Lit(true), `[true, true]`},
	}
	for _, c := range cases {
		got := evalExpr(t, mem, rec, c.e)
		assertJSON(t, mem, got, c.want)
		got.Release()
	}
}

func TestConstantColumns(t *testing.T) {
	mem := newMem(t)
	a := arr(t, mem, arrow.PrimitiveTypes.Int8, `[1, 2, 3]`)
	defer a.Release()
	rec := recordOf([]string{"a"}, a)
	defer rec.Release()
	cases := []struct {
		lit  any
		typ  arrow.DataType
		want string
	}{
		{"kafka", arrow.BinaryTypes.String, `["kafka", "kafka", "kafka"]`},
		{42, arrow.PrimitiveTypes.Int64, `[42, 42, 42]`},
		{uint16(7), arrow.PrimitiveTypes.Uint16, `[7, 7, 7]`},
		{2.5, arrow.PrimitiveTypes.Float64, `[2.5, 2.5, 2.5]`},
		{false, arrow.FixedWidthTypes.Boolean, `[false, false, false]`},
		{nil, arrow.Null, `[null, null, null]`},
		{time.Unix(1, 0), &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, `[1000000, 1000000, 1000000]`},
		{[]byte("x"), arrow.BinaryTypes.Binary, `["eA==", "eA==", "eA=="]`},
	}
	for _, c := range cases {
		b, err := Lit(c.lit).Bind(rec.Schema())
		if err != nil {
			t.Fatalf("%v: %v", c.lit, err)
		}
		if !arrow.TypeEqual(b.Type(), c.typ) {
			t.Errorf("%v: type %s, want %s", c.lit, b.Type(), c.typ)
		}
		got, err := b.Eval(mem, rec)
		if err != nil {
			t.Fatal(err)
		}
		assertJSON(t, mem, got, c.want)
		got.Release()
	}
	// a literal cast is converted once
	got := evalExpr(t, mem, rec, Lit("12").Cast(arrow.PrimitiveTypes.Int16))
	assertJSON(t, mem, got, `[12, 12, 12]`)
	got.Release()
}

func TestEvalChecksSchema(t *testing.T) {
	mem := newMem(t)
	a := arr(t, mem, arrow.PrimitiveTypes.Int64, `[1, 2]`)
	defer a.Release()
	s := arr(t, mem, arrow.BinaryTypes.String, `["x", "y"]`)
	defer s.Release()
	rec := recordOf([]string{"a", "s"}, a, s)
	defer rec.Release()
	b, err := Col("a").Gt(Lit(1)).Bind(rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	// same layout in another schema object: fine
	same := recordOf([]string{"a", "s"}, a, s)
	defer same.Release()
	got, err := b.Eval(mem, same)
	if err != nil {
		t.Fatal(err)
	}
	got.Release()
	// the column moved or changed type: refused, never misread
	for _, other := range []arrow.RecordBatch{recordOf([]string{"s", "a"}, s, a), recordOf([]string{"a"}, s), recordOf(nil)} {
		if _, err := b.Eval(mem, other); !errors.Is(err, ErrSchemaChanged) {
			t.Errorf("%s: got %v, want ErrSchemaChanged", other.Schema(), err)
		}
		other.Release()
	}
	m, err := b.Mask(mem, rec)
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, mem, m, `[false, true]`)
	m.Release()
	nb, _ := Col("a").Bind(rec.Schema())
	if _, err := nb.Mask(mem, rec); !errors.Is(err, ErrType) {
		t.Errorf("Mask of an int64 expression: got %v", err)
	}
	if f := nb.Field(); f.Name != "a" || !arrow.TypeEqual(f.Type, arrow.PrimitiveTypes.Int64) {
		t.Errorf("Field: %v", f)
	}
}

// TestEmptyBatch: every kind of node works on a batch with no rows.
func TestEmptyBatch(t *testing.T) {
	mem := newMem(t)
	rec := record(t, mem, exprSchema, `[]`)
	defer rec.Release()
	for _, e := range []Expr{
		Col("amount").Gt(Lit(100.0)).And(Col("currency").Eq(Lit("EUR"))),
		Col("qty").Add(Col("small")).Mul(Lit(2)),
		Col("qty").Div(Lit(0)),
		Col("id").HasPrefix("a").Or(Col("id").In("x", "y")),
		Col("ok").Not().IsNull(),
		Col("qty").Cast(arrow.BinaryTypes.String),
		Col("price").Add(Lit("1.00")),
		Lit("const"),
	} {
		got := evalExpr(t, mem, rec, e)
		if got.Len() != 0 {
			t.Errorf("%s: %d rows", e, got.Len())
		}
		got.Release()
	}
	out, err := Where(Col("qty").Gt(Lit(1))).Apply(mem, rec)
	if err != nil {
		t.Fatal(err)
	}
	if out.NumRows() != 0 || out.NumCols() != rec.NumCols() {
		t.Errorf("Where on empty: %d rows, %d cols", out.NumRows(), out.NumCols())
	}
	out.Release()
}
