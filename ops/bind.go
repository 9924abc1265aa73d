package ops

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Bound is an expression checked against a schema, with every kernel chosen:
// evaluating a batch does no type dispatch beyond one assertion per input
// column. A Bound is immutable and safe for concurrent use.
type Bound struct {
	text   string
	name   string
	typ    arrow.DataType
	ev     evaluator
	schema *arrow.Schema
	uses   []colUse
}

// colUse records a column the expression reads, so Eval can refuse a batch
// whose layout differs from the bound schema.
type colUse struct {
	idx  int
	name string
	typ  arrow.DataType
}

// Bind checks e against schema: columns exist, operand types fit their
// operators, literals convert to the types they meet. Errors are *BindError
// naming the column and wrapping ErrNoColumn or ErrType.
func (e Expr) Bind(schema *arrow.Schema) (*Bound, error) {
	if schema == nil {
		return nil, &BindError{Expr: e.String(), Msg: "no schema to bind to", Err: ErrType}
	}
	b := binder{schema: schema}
	n, err := b.bind(e.n)
	if err != nil {
		return nil, err
	}
	n = b.materialize(n)
	if n.err != nil {
		return nil, n.err
	}
	return &Bound{text: e.String(), name: e.Name(), typ: n.typ, ev: n.ev, schema: schema, uses: b.uses}, nil
}

// Type is the type of the expression's result.
func (b *Bound) Type() arrow.DataType { return b.typ }

// Schema is the schema the expression was bound to.
func (b *Bound) Schema() *arrow.Schema { return b.schema }

// Field is the output column the expression makes: its Name and Type.
func (b *Bound) Field() arrow.Field { return arrow.Field{Name: b.name, Type: b.typ, Nullable: true} }

func (b *Bound) String() string { return b.text }

// Eval computes the expression over rec, whose schema must match the bound
// one in the columns the expression reads (name, position and type). The
// result has rec.NumRows() rows and is owned by the caller (Release it); it
// may share buffers with rec (a plain column is rec's own, retained), which
// is never modified.
func (b *Bound) Eval(mem memory.Allocator, rec arrow.RecordBatch) (arrow.Array, error) {
	if rec == nil {
		return nil, fmt.Errorf("ops: %s: no batch", b.text)
	}
	if rec.Schema() != b.schema {
		for _, u := range b.uses {
			if u.idx >= int(rec.NumCols()) || rec.ColumnName(u.idx) != u.name || !arrow.TypeEqual(rec.Column(u.idx).DataType(), u.typ) {
				return nil, fmt.Errorf("ops: %s: column %q: %w", b.text, u.name, ErrSchemaChanged)
			}
		}
	}
	return b.ev.eval(mem, rec)
}

// Mask evaluates a boolean expression into a mask. Null rows of the mask are
// "unknown": Filter drops them, as SQL's WHERE does.
func (b *Bound) Mask(mem memory.Allocator, rec arrow.RecordBatch) (*array.Boolean, error) {
	if b.typ.ID() != arrow.BOOL {
		return nil, &BindError{Expr: b.text, Msg: "is " + b.typ.String() + ", not a boolean predicate", Err: ErrType}
	}
	out, err := b.Eval(mem, rec)
	if err != nil {
		return nil, err
	}
	return out.(*array.Boolean), nil
}

// evaluator computes one node of a bound expression over a batch. The result
// is owned by the caller.
type evaluator interface {
	eval(mem memory.Allocator, rec arrow.RecordBatch) (arrow.Array, error)
}

type (
	unaryFn  func(mem memory.Allocator, a arrow.Array) (arrow.Array, error)
	binaryFn func(mem memory.Allocator, a, b arrow.Array) (arrow.Array, error)
)

type colEval struct{ idx int }

func (c colEval) eval(_ memory.Allocator, rec arrow.RecordBatch) (arrow.Array, error) {
	a := rec.Column(c.idx)
	if err := checkLayout(a); err != nil {
		return nil, fmt.Errorf("%w (column %q)", err, rec.ColumnName(c.idx))
	}
	a.Retain()
	return a, nil
}

type unaryEval struct {
	x    evaluator
	fn   unaryFn
	text string
}

func (u *unaryEval) eval(mem memory.Allocator, rec arrow.RecordBatch) (arrow.Array, error) {
	a, err := u.x.eval(mem, rec)
	if err != nil {
		return nil, err
	}
	out, err := u.fn(mem, a)
	a.Release()
	return out, wrapEval(u.text, err)
}

type binaryEval struct {
	l, r evaluator
	fn   binaryFn
	text string
}

func (e *binaryEval) eval(mem memory.Allocator, rec arrow.RecordBatch) (arrow.Array, error) {
	a, err := e.l.eval(mem, rec)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	b, err := e.r.eval(mem, rec)
	if err != nil {
		return nil, err
	}
	defer b.Release()
	out, err := e.fn(mem, a, b)
	return out, wrapEval(e.text, err)
}

// logicEval is AND / OR with a short cut: when the left side decides every
// row (all false for AND, all true for OR, no nulls) the right side is not
// evaluated.
type logicEval struct {
	l, r evaluator
	and  bool
	text string
}

func (e *logicEval) eval(mem memory.Allocator, rec arrow.RecordBatch) (arrow.Array, error) {
	a, err := e.l.eval(mem, rec)
	if err != nil {
		return nil, err
	}
	la := a.(*array.Boolean)
	if decided, err := decides(mem, la, e.and); err != nil || decided {
		if err != nil {
			la.Release()
			return nil, err
		}
		return la, nil
	}
	defer la.Release()
	b, err := e.r.eval(mem, rec)
	if err != nil {
		return nil, err
	}
	defer b.Release()
	var out *array.Boolean
	if e.and {
		out, err = MaskAnd(mem, la, b.(*array.Boolean))
	} else {
		out, err = MaskOr(mem, la, b.(*array.Boolean))
	}
	if err != nil {
		return nil, wrapEval(e.text, err)
	}
	return out, nil
}

// decides reports whether a has no nulls and is all false (for AND) or all
// true (for OR).
func decides(mem memory.Allocator, a *array.Boolean, and bool) (bool, error) {
	if a.NullN() > 0 {
		return false, nil
	}
	n := a.Len()
	v, err := viewBits(mem, a.Data().Buffers()[1], a.Data().Offset(), n)
	if err != nil {
		return false, err
	}
	set := countBits(v.w, n)
	v.release()
	if and {
		return set == 0, nil
	}
	return set == n, nil
}

func wrapEval(text string, err error) error {
	if err == nil {
		return nil
	}
	var re *RowError
	if errors.As(err, &re) {
		if re.Expr == "" {
			re.Expr = text
		}
		return err
	}
	return fmt.Errorf("ops: %s: %w", text, err)
}

// bnode is a node during binding: a typed evaluator, or a literal that has
// not met a type yet.
type bnode struct {
	typ   arrow.DataType
	ev    evaluator
	text  string
	col   string // the column's name when the node is a plain column
	isLit bool
	val   any
	err   error // set by materialize on failure
}

type binder struct {
	schema *arrow.Schema
	uses   []colUse
}

func nodeText(n node) string {
	if n == nil {
		return "<empty>"
	}
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func typeErr(text, col, msg string) error {
	return &BindError{Expr: text, Column: col, Msg: msg, Err: ErrType}
}

func (b *binder) bind(n node) (*bnode, error) {
	text := nodeText(n)
	switch n := n.(type) {
	case nil:
		return nil, &BindError{Expr: text, Msg: "empty expression (the zero Expr)", Err: ErrType}
	case colNode:
		return b.bindCol(n, text)
	case litNode:
		return &bnode{isLit: true, val: unpackScalar(n.v), text: text}, nil
	case aliasNode:
		return b.bind(n.x)
	case cmpNode:
		return b.bindCmp(n, text)
	case logicNode:
		return b.bindLogic(n, text)
	case notNode:
		x, err := b.boolOperand(n.x, text)
		if err != nil {
			return nil, err
		}
		fn := func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
			return boolOut(MaskNot(mem, a.(*array.Boolean)))
		}
		return &bnode{typ: arrow.FixedWidthTypes.Boolean, ev: &unaryEval{x.ev, fn, text}, text: text}, nil
	case isNullNode:
		x, err := b.bind(n.x)
		if err != nil {
			return nil, err
		}
		if x = b.materialize(x); x.err != nil {
			return nil, x.err
		}
		want := n.null
		fn := func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) { return boolOut(nullTest(mem, a, want)) }
		return &bnode{typ: arrow.FixedWidthTypes.Boolean, ev: &unaryEval{x.ev, fn, text}, text: text}, nil
	case strNode:
		return b.bindStr(n, text)
	case inNode:
		return b.bindIn(n, text)
	case arithNode:
		return b.bindArith(n, text)
	case castNode:
		return b.bindCast(n, text)
	}
	return nil, &BindError{Expr: text, Msg: fmt.Sprintf("unknown expression node %T", n), Err: ErrType}
}

func (b *binder) bindCol(n colNode, text string) (*bnode, error) {
	idx := b.schema.FieldIndices(n.name)
	switch len(idx) {
	case 0:
		names := make([]string, b.schema.NumFields())
		for i, f := range b.schema.Fields() {
			names[i] = f.Name
		}
		return nil, &BindError{Expr: text, Column: n.name,
			Msg: "not in the schema (columns: " + strings.Join(names, ", ") + ")", Err: ErrNoColumn}
	case 1:
	default:
		return nil, &BindError{Expr: text, Column: n.name, Msg: "the schema has it more than once", Err: ErrNoColumn}
	}
	f := b.schema.Field(idx[0])
	b.uses = append(b.uses, colUse{idx: idx[0], name: n.name, typ: f.Type})
	return &bnode{typ: f.Type, ev: colEval{idx[0]}, text: text, col: n.name}, nil
}

// materialize turns a literal that met no type into a constant column of its
// natural type.
func (b *binder) materialize(n *bnode) *bnode {
	if !n.isLit {
		return n
	}
	dt, err := literalType(n.val)
	if err != nil {
		return &bnode{err: typeErr(n.text, "", err.Error())}
	}
	sc, err := literalScalar(n.val, dt)
	if err != nil {
		return &bnode{err: typeErr(n.text, "", err.Error())}
	}
	return &bnode{typ: dt, ev: constEval{sc}, text: n.text}
}

// boolOut converts a kernel's (*array.Boolean, error) to (arrow.Array, error)
// without the nil-interface trap.
func boolOut(a *array.Boolean, err error) (arrow.Array, error) {
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (b *binder) boolOperand(n node, text string) (*bnode, error) {
	x, err := b.bind(n)
	if err != nil {
		return nil, err
	}
	if x.isLit {
		switch x.val.(type) {
		case nil:
			return &bnode{typ: arrow.FixedWidthTypes.Boolean, ev: constEval{scalar.MakeNullScalar(arrow.FixedWidthTypes.Boolean)}, text: x.text}, nil
		case bool:
		default:
			return nil, typeErr(text, "", fmt.Sprintf("operand %s is not a boolean", x.text))
		}
	}
	if x = b.materialize(x); x.err != nil {
		return nil, x.err
	}
	if x.typ.ID() != arrow.BOOL {
		return nil, typeErr(text, x.col, fmt.Sprintf("operand %s is %s, not boolean", x.text, x.typ))
	}
	return x, nil
}

func (b *binder) bindLogic(n logicNode, text string) (*bnode, error) {
	l, err := b.boolOperand(n.l, text)
	if err != nil {
		return nil, err
	}
	r, err := b.boolOperand(n.r, text)
	if err != nil {
		return nil, err
	}
	return &bnode{typ: arrow.FixedWidthTypes.Boolean, ev: &logicEval{l.ev, r.ev, n.and, text}, text: text}, nil
}
