package ops

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/sabot-kafka/sabot/batch"
)

// Op turns one record batch into another: the unit a pipeline's Filter and
// Map stages run. Apply does not consume rec (the caller still releases it)
// and returns a batch the caller owns and must Release; it may share buffers
// with rec. The ops of this package bind their expressions on the first batch
// of each new schema and reuse the binding while the schema stays the same;
// they are safe for concurrent use.
type Op interface {
	Apply(mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error)
}

// SchemaOp is an Op whose output schema follows from its input schema, so a
// pipeline can be checked (columns exist, types fit) before any data flows.
// Every Op here except Func implements it.
type SchemaOp interface {
	Op
	OutputSchema(in *arrow.Schema) (*arrow.Schema, error)
}

// OutputSchema checks a sequence of ops against an input schema and returns
// the final schema. ok is false when some op (a Func) cannot say.
func OutputSchema(in *arrow.Schema, ops ...Op) (out *arrow.Schema, ok bool, err error) {
	out = in
	for _, op := range ops {
		s, isSchemaOp := op.(SchemaOp)
		if !isSchemaOp {
			return nil, false, nil
		}
		if out, err = s.OutputSchema(out); err != nil {
			return nil, false, err
		}
		if out == nil {
			return nil, false, nil
		}
	}
	return out, true, nil
}

// bindCache holds an op's bindings by input layout (content, not pointer),
// so layouts that alternate — two writer schemas interleaved on one topic —
// each keep their binding and their output schema pointer, and a stream of
// new layouts cannot grow memory.
type bindCache[T any] struct {
	once  sync.Once
	cache *batch.SchemaCache[T]
}

// maxBindings bounds the layouts one op keeps bindings for.
const maxBindings = 64

func (c *bindCache[T]) get(s *arrow.Schema, build func(*arrow.Schema) (T, error)) (T, error) {
	c.once.Do(func() { c.cache = batch.NewSchemaCache[T](maxBindings, nil) })
	v, _, err := c.cache.Get(s, build)
	return v, err
}

// Where keeps the rows where pred is true (null counts as false).
func Where(pred Expr) SchemaOp { return &whereOp{pred: pred} }

type whereOp struct {
	pred  Expr
	cache bindCache[*Bound]
}

func (w *whereOp) bind(s *arrow.Schema) (*Bound, error) {
	b, err := w.pred.Bind(s)
	if err != nil {
		return nil, err
	}
	if b.Type().ID() != arrow.BOOL {
		return nil, &BindError{Expr: b.String(), Msg: "is " + b.Type().String() + ", not a boolean predicate", Err: ErrType}
	}
	return b, nil
}

func (w *whereOp) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if _, err := w.cache.get(in, w.bind); err != nil {
		return nil, err
	}
	return in, nil
}

func (w *whereOp) Apply(mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	b, err := w.cache.get(rec.Schema(), w.bind)
	if err != nil {
		return nil, err
	}
	mask, err := b.Mask(mem, rec)
	if err != nil {
		return nil, err
	}
	defer mask.Release()
	return Filter(mem, rec, mask)
}

func (w *whereOp) String() string { return "Where(" + w.pred.String() + ")" }

// MaskFunc computes a mask over a batch, for predicates expressions cannot
// say. The mask is owned by the caller.
type MaskFunc func(mem memory.Allocator, rec arrow.RecordBatch) (*array.Boolean, error)

// WhereFunc keeps the rows where fn's mask is true (null counts as false).
func WhereFunc(fn MaskFunc) SchemaOp { return whereFuncOp{fn} }

type whereFuncOp struct{ fn MaskFunc }

func (w whereFuncOp) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) { return in, nil }

func (w whereFuncOp) Apply(mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	mask, err := w.fn(mem, rec)
	if err != nil {
		return nil, fmt.Errorf("ops: mask function: %w", err)
	}
	if mask == nil {
		return nil, errors.New("ops: mask function returned no mask")
	}
	defer mask.Release()
	return Filter(mem, rec, mask)
}

// Select keeps the named columns, in the order given.
func Select(names ...string) SchemaOp { return &selectOp{names: names} }

type selectPlan struct {
	idx    []int
	schema *arrow.Schema
}

type selectOp struct {
	names []string
	cache bindCache[selectPlan]
}

func colIndex(s *arrow.Schema, name, what string) (int, error) {
	idx := s.FieldIndices(name)
	switch len(idx) {
	case 1:
		return idx[0], nil
	case 0:
		names := make([]string, s.NumFields())
		for i, f := range s.Fields() {
			names[i] = f.Name
		}
		return 0, &BindError{Expr: what, Column: name,
			Msg: "not in the schema (columns: " + strings.Join(names, ", ") + ")", Err: ErrNoColumn}
	}
	return 0, &BindError{Expr: what, Column: name, Msg: "the schema has it more than once", Err: ErrNoColumn}
}

func (o *selectOp) bind(s *arrow.Schema) (selectPlan, error) {
	p := selectPlan{idx: make([]int, len(o.names))}
	fields := make([]arrow.Field, len(o.names))
	for i, name := range o.names {
		j, err := colIndex(s, name, "Select")
		if err != nil {
			return p, err
		}
		p.idx[i], fields[i] = j, s.Field(j)
	}
	md := s.Metadata()
	p.schema = arrow.NewSchema(fields, &md)
	return p, nil
}

func (o *selectOp) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	p, err := o.cache.get(in, o.bind)
	return p.schema, err
}

func (o *selectOp) Apply(_ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	p, err := o.cache.get(rec.Schema(), o.bind)
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, len(p.idx))
	for i, j := range p.idx {
		cols[i] = rec.Column(j)
	}
	return array.NewRecordBatch(p.schema, cols, rec.NumRows()), nil
}

// Rename renames columns (old name → new name); other columns keep theirs.
// Renaming a column that does not exist, or making two columns share a name,
// is an error.
func Rename(names map[string]string) SchemaOp {
	cp := make(map[string]string, len(names))
	for k, v := range names {
		cp[k] = v
	}
	return &renameOp{names: cp}
}

type renameOp struct {
	names map[string]string
	cache bindCache[*arrow.Schema]
}

func (o *renameOp) bind(s *arrow.Schema) (*arrow.Schema, error) {
	fields := s.Fields()
	for old, name := range o.names {
		j, err := colIndex(s, old, "Rename")
		if err != nil {
			return nil, err
		}
		fields[j].Name = name
	}
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if seen[f.Name] {
			return nil, &BindError{Expr: "Rename", Column: f.Name, Msg: "two columns would have this name", Err: ErrType}
		}
		seen[f.Name] = true
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

func (o *renameOp) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return o.cache.get(in, o.bind)
}

func (o *renameOp) Apply(_ memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	s, err := o.cache.get(rec.Schema(), o.bind)
	if err != nil {
		return nil, err
	}
	return array.NewRecordBatch(s, rec.Columns(), rec.NumRows()), nil
}

// Project makes a batch of exactly the given expressions, in order: plain
// columns pass through without copying, others are computed. Output columns
// are named by Expr.Name (use As to choose).
func Project(exprs ...Expr) SchemaOp { return &projectOp{exprs: exprs} }

// WithColumn computes e into the column name, replacing a column of that name
// in place or appending a new one; the other columns pass through. A Lit adds
// a constant column.
func WithColumn(name string, e Expr) SchemaOp {
	return &projectOp{withName: name, with: e, isWith: true}
}

type projectPlan struct {
	// each output column is an input column (src >= 0) or a computed one
	src    []int
	bound  []*Bound
	schema *arrow.Schema
}

type projectOp struct {
	exprs    []Expr
	withName string
	with     Expr
	isWith   bool
	cache    bindCache[projectPlan]
}

func (o *projectOp) bind(s *arrow.Schema) (projectPlan, error) {
	var p projectPlan
	var fields []arrow.Field
	add := func(e Expr, name string) error {
		if c, ok := e.n.(colNode); ok && name == c.name {
			j, err := colIndex(s, c.name, e.String())
			if err != nil {
				return err
			}
			p.src, p.bound = append(p.src, j), append(p.bound, nil)
			fields = append(fields, s.Field(j))
			return nil
		}
		b, err := e.Bind(s)
		if err != nil {
			return err
		}
		p.src, p.bound = append(p.src, -1), append(p.bound, b)
		fields = append(fields, arrow.Field{Name: name, Type: b.Type(), Nullable: true})
		return nil
	}
	if o.isWith {
		replaced := false
		for i, f := range s.Fields() {
			if f.Name == o.withName && !replaced {
				if err := add(o.with, o.withName); err != nil {
					return p, err
				}
				replaced = true
				continue
			}
			p.src, p.bound = append(p.src, i), append(p.bound, nil)
			fields = append(fields, f)
		}
		if !replaced {
			if err := add(o.with, o.withName); err != nil {
				return p, err
			}
		}
	} else {
		seen := make(map[string]bool, len(o.exprs))
		for _, e := range o.exprs {
			name := e.Name()
			if seen[name] {
				return p, &BindError{Expr: "Project", Column: name, Msg: "two output columns would have this name", Err: ErrType}
			}
			seen[name] = true
			if err := add(e, name); err != nil {
				return p, err
			}
		}
	}
	md := s.Metadata()
	p.schema = arrow.NewSchema(fields, &md)
	return p, nil
}

func (o *projectOp) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	p, err := o.cache.get(in, o.bind)
	return p.schema, err
}

func (o *projectOp) Apply(mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	p, err := o.cache.get(rec.Schema(), o.bind)
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, len(p.src))
	var computed []arrow.Array
	defer func() {
		for _, c := range computed {
			c.Release()
		}
	}()
	for i, j := range p.src {
		if j >= 0 {
			cols[i] = rec.Column(j)
			continue
		}
		a, err := p.bound[i].Eval(mem, rec)
		if err != nil {
			return nil, err
		}
		computed = append(computed, a)
		cols[i] = a
	}
	return array.NewRecordBatch(p.schema, cols, rec.NumRows()), nil
}

// Func wraps a user function as an Op: it gets the allocator to build its
// output with (in a pipeline, RunOptions.Allocator) and borrows its input (it
// must not Release it), and returns a batch the caller owns: to pass the
// input through unchanged, Retain it and return it. Func cannot tell its
// output schema in advance.
func Func(fn func(mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error)) Op {
	return funcOp{fn}
}

type funcOp struct {
	fn func(memory.Allocator, arrow.RecordBatch) (arrow.RecordBatch, error)
}

func (f funcOp) Apply(mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	out, err := f.fn(mem, rec)
	if err != nil {
		if out != nil {
			out.Release()
		}
		return nil, fmt.Errorf("ops: map function: %w", err)
	}
	if out == nil {
		return nil, errors.New("ops: map function returned no batch")
	}
	return out, nil
}

// Chain runs ops one after another as one Op, releasing the batches between
// them.
func Chain(ops ...Op) Op {
	cp := append([]Op(nil), ops...)
	for _, op := range cp {
		if _, ok := op.(SchemaOp); !ok {
			return chainOp{cp}
		}
	}
	return schemaChainOp{chainOp{cp}}
}

type chainOp struct{ ops []Op }

func (c chainOp) Apply(mem memory.Allocator, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	rec.Retain()
	cur := rec
	for _, op := range c.ops {
		next, err := op.Apply(mem, cur)
		cur.Release()
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

type schemaChainOp struct{ chainOp }

func (c schemaChainOp) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	out, _, err := OutputSchema(in, c.ops...)
	return out, err
}
