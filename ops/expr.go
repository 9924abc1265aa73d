package ops

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Expr is an expression over the columns of a record batch, built with Col,
// Lit and the methods below. It is a value: building never fails and never
// looks at data. Bind checks it against a schema and picks its kernels; the
// result evaluates batches. The zero Expr is invalid and fails to bind.
type Expr struct{ n node }

type node interface {
	// write appends the expression's text; nested binary operands are
	// parenthesised so the text is unambiguous.
	write(b *strings.Builder)
}

type (
	colNode struct{ name string }
	litNode struct{ v any }
	cmpNode struct {
		op   CmpOp
		l, r node
	}
	logicNode struct {
		and  bool
		l, r node
	}
	notNode    struct{ x node }
	isNullNode struct {
		x    node
		null bool
	}
	strNode struct {
		fn  strFn
		x   node
		pat string
	}
	inNode struct {
		x    node
		vals []any
	}
	arithNode struct {
		op   ArithOp
		l, r node
	}
	castNode struct {
		x  node
		to arrow.DataType
	}
	aliasNode struct {
		x    node
		name string
	}
)

// Col refers to the column named name.
func Col(name string) Expr { return Expr{colNode{name}} }

// Lit is a constant. It takes the type of what it is compared or combined
// with: Lit(100) against a float64 column is 100.0, against an int32 column
// int32(100). Accepted values: bool, every Go integer and float type, string,
// []byte, time.Time (timestamps and dates), time.Duration, decimal128.Num,
// decimal256.Num, an arrow scalar.Scalar, and nil (SQL NULL). A string also
// converts to timestamps and dates (RFC 3339 / 2006-01-02) and decimals. On
// its own (a constant column) a literal has its natural Arrow type: int is
// Int64, string is String, time.Time is Timestamp(µs, UTC).
func Lit(v any) Expr { return Expr{litNode{v}} }

func (e Expr) bin(op CmpOp, o Expr) Expr { return Expr{cmpNode{op, e.n, o.n}} }

// Eq is e == o.
func (e Expr) Eq(o Expr) Expr { return e.bin(OpEq, o) }

// Ne is e != o.
func (e Expr) Ne(o Expr) Expr { return e.bin(OpNe, o) }

// Lt is e < o.
func (e Expr) Lt(o Expr) Expr { return e.bin(OpLt, o) }

// Le is e <= o.
func (e Expr) Le(o Expr) Expr { return e.bin(OpLe, o) }

// Gt is e > o.
func (e Expr) Gt(o Expr) Expr { return e.bin(OpGt, o) }

// Ge is e >= o.
func (e Expr) Ge(o Expr) Expr { return e.bin(OpGe, o) }

// Cmp is e op o.
func (e Expr) Cmp(op CmpOp, o Expr) Expr { return e.bin(op, o) }

// And is the Kleene AND of two boolean expressions.
func (e Expr) And(o Expr) Expr { return Expr{logicNode{true, e.n, o.n}} }

// Or is the Kleene OR of two boolean expressions.
func (e Expr) Or(o Expr) Expr { return Expr{logicNode{false, e.n, o.n}} }

// Not negates a boolean expression (NOT null is null).
func (e Expr) Not() Expr { return Expr{notNode{e.n}} }

// IsNull is true where e is null; it is never null itself.
func (e Expr) IsNull() Expr { return Expr{isNullNode{e.n, true}} }

// IsNotNull is true where e is not null; it is never null itself.
func (e Expr) IsNotNull() Expr { return Expr{isNullNode{e.n, false}} }

// HasPrefix is true where the string or binary e starts with p.
func (e Expr) HasPrefix(p string) Expr { return Expr{strNode{fnPrefix, e.n, p}} }

// HasSuffix is true where the string or binary e ends with s.
func (e Expr) HasSuffix(s string) Expr { return Expr{strNode{fnSuffix, e.n, s}} }

// Contains is true where the string or binary e contains s.
func (e Expr) Contains(s string) Expr { return Expr{strNode{fnContains, e.n, s}} }

// In is true where e equals one of vals (literals, converted as Lit does; nil
// is not allowed). A null e gives null.
func (e Expr) In(vals ...any) Expr { return Expr{inNode{e.n, vals}} }

// Add is e + o.
func (e Expr) Add(o Expr) Expr { return Expr{arithNode{OpAdd, e.n, o.n}} }

// Sub is e - o.
func (e Expr) Sub(o Expr) Expr { return Expr{arithNode{OpSub, e.n, o.n}} }

// Mul is e * o.
func (e Expr) Mul(o Expr) Expr { return Expr{arithNode{OpMul, e.n, o.n}} }

// Div is e / o.
func (e Expr) Div(o Expr) Expr { return Expr{arithNode{OpDiv, e.n, o.n}} }

// Arith is e op o (for expressions built from configuration).
func (e Expr) Arith(op ArithOp, o Expr) Expr { return Expr{arithNode{op, e.n, o.n}} }

// Cast converts e to type t. Casts are safe: a value that does not fit t, a
// float with a fraction cast to an integer, or a string that does not parse
// fails the batch.
func (e Expr) Cast(t arrow.DataType) Expr { return Expr{castNode{e.n, t}} }

// As names the expression's result; Project and WithColumn use the name as
// the output column's.
func (e Expr) As(name string) Expr { return Expr{aliasNode{e.n, name}} }

// And combines expressions with AND; And() is true.
func And(es ...Expr) Expr { return fold(true, es) }

// Or combines expressions with OR; Or() is false.
func Or(es ...Expr) Expr { return fold(false, es) }

// Not negates e.
func Not(e Expr) Expr { return e.Not() }

func fold(and bool, es []Expr) Expr {
	if len(es) == 0 {
		return Lit(and)
	}
	out := es[0]
	for _, e := range es[1:] {
		out = Expr{logicNode{and, out.n, e.n}}
	}
	return out
}

// String renders the expression, e.g. (amount > 100) AND (currency == "EUR").
func (e Expr) String() string {
	return nodeText(e.n)
}

// Name is the column name the expression's result gets: the alias, the
// column's own name for a column, otherwise the expression's text.
func (e Expr) Name() string {
	switch n := e.n.(type) {
	case aliasNode:
		return n.name
	case colNode:
		return n.name
	}
	return e.String()
}

func writeNode(b *strings.Builder, n node) {
	if n == nil {
		b.WriteString("<empty>")
		return
	}
	n.write(b)
}

func writeOperand(b *strings.Builder, n node) {
	switch n.(type) {
	case nil:
		b.WriteString("<empty>")
	case cmpNode, logicNode, arithNode:
		b.WriteByte('(')
		n.write(b)
		b.WriteByte(')')
	default:
		n.write(b)
	}
}

func (n colNode) write(b *strings.Builder) {
	if isIdent(n.name) {
		b.WriteString(n.name)
		return
	}
	b.WriteString("col(")
	b.WriteString(strconv.Quote(n.name))
	b.WriteByte(')')
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9'
		if !ok {
			return false
		}
	}
	return true
}

func (n litNode) write(b *strings.Builder) { b.WriteString(litText(n.v)) }

func litText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(v)
	case []byte:
		return "0x" + hex.EncodeToString(v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case scalar.Scalar:
		return v.String()
	case decimal128.Num:
		return "decimal128(" + v.BigInt().String() + ")"
	case decimal256.Num:
		return "decimal256(" + v.BigInt().String() + ")"
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

func (n cmpNode) write(b *strings.Builder) {
	writeOperand(b, n.l)
	b.WriteString(" " + n.op.String() + " ")
	writeOperand(b, n.r)
}

func (n logicNode) write(b *strings.Builder) {
	writeOperand(b, n.l)
	if n.and {
		b.WriteString(" AND ")
	} else {
		b.WriteString(" OR ")
	}
	writeOperand(b, n.r)
}

func (n notNode) write(b *strings.Builder) {
	b.WriteString("NOT ")
	writeOperand(b, n.x)
}

func (n isNullNode) write(b *strings.Builder) {
	writeOperand(b, n.x)
	if n.null {
		b.WriteString(" IS NULL")
	} else {
		b.WriteString(" IS NOT NULL")
	}
}

func (n strNode) write(b *strings.Builder) {
	b.WriteString(n.fn.String())
	b.WriteByte('(')
	writeNode(b, n.x)
	b.WriteString(", ")
	b.WriteString(strconv.Quote(n.pat))
	b.WriteByte(')')
}

func (n inNode) write(b *strings.Builder) {
	writeOperand(b, n.x)
	b.WriteString(" IN (")
	for i, v := range n.vals {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(litText(v))
	}
	b.WriteByte(')')
}

func (n arithNode) write(b *strings.Builder) {
	writeOperand(b, n.l)
	b.WriteString(" " + n.op.String() + " ")
	writeOperand(b, n.r)
}

func (n castNode) write(b *strings.Builder) {
	b.WriteString("CAST(")
	writeNode(b, n.x)
	b.WriteString(" AS ")
	if n.to == nil {
		b.WriteString("<nil>")
	} else {
		b.WriteString(n.to.String())
	}
	b.WriteByte(')')
}

func (n aliasNode) write(b *strings.Builder) {
	writeOperand(b, n.x)
	b.WriteString(" AS ")
	b.WriteString(strconv.Quote(n.name))
}
