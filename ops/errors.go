package ops

import (
	"errors"
	"strconv"
	"strings"
)

// Conditions callers branch on. Errors returned by this package wrap one of
// these when it applies.
var (
	// ErrNoColumn: an expression names a column the schema does not have.
	ErrNoColumn = errors.New("no such column")
	// ErrType: an operator cannot take its operands' types, or a literal does
	// not convert to the type it is compared or combined with.
	ErrType = errors.New("type mismatch")
	// ErrOverflow: an integer result does not fit its type.
	ErrOverflow = errors.New("integer overflow")
	// ErrDivideByZero: an integer division by zero.
	ErrDivideByZero = errors.New("integer division by zero")
	// ErrSchemaChanged: a Bound was evaluated on a batch whose schema is not
	// the one it was bound to.
	ErrSchemaChanged = errors.New("batch schema differs from the bound schema")
)

// BindError reports an expression that does not fit a schema. Column is the
// column involved, when there is one.
type BindError struct {
	Expr   string // the (sub)expression that failed
	Column string
	Msg    string
	Err    error // ErrNoColumn, ErrType or a parse error of a literal
}

func (e *BindError) Error() string {
	var b strings.Builder
	b.WriteString("ops: ")
	b.WriteString(e.Expr)
	b.WriteString(": ")
	if e.Column != "" {
		b.WriteString("column ")
		b.WriteString(strconv.Quote(e.Column))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil && !errors.Is(e.Err, ErrType) && !errors.Is(e.Err, ErrNoColumn) {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *BindError) Unwrap() error { return e.Err }

// RowError reports a row that made a kernel fail (integer overflow, division
// by zero). Row is the row's index in the batch the kernel ran on.
type RowError struct {
	Expr string
	Row  int
	Err  error
}

func (e *RowError) Error() string {
	return "ops: " + e.Expr + ": row " + strconv.Itoa(e.Row) + ": " + e.Err.Error()
}

func (e *RowError) Unwrap() error { return e.Err }
