package arrowipc

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
)

var errNoCopy = errors.New("no mapping")

// Options configure a plan.
type Options struct {
	// Schema is the Arrow schema of the output columns. Required: SchemaOf
	// reads it from a sample value.
	Schema *arrow.Schema
	// Limits: MaxBytes caps each message's metadata, its body, and what its
	// compressed buffers decompress to; MaxItems caps the rows of one value;
	// MaxDepth caps the schema's nesting.
	Limits decode.Limits
	// Allocator for the IPC reader's buffers while a value is read (default
	// memory.DefaultAllocator); the rows land in the bound builders. It
	// should be garbage-collected: on some corrupt batches arrow-go's reader
	// and validator recover from their own panics (or this package recovers
	// from theirs) without releasing what they had retained.
	Allocator memory.Allocator
}

// Plan reads Arrow IPC stream values into the columns of Options.Schema.
// Safe for concurrent use; each Bind gets its own Appender.
type Plan struct {
	schema *arrow.Schema
	lim    decode.Limits
	mem    memory.Allocator
	views  int // view-typed arrays in the schema
}

// NewPlan checks o. Column types without a copy into builders (unions,
// run-end encoded, list views, intervals, extension types, dictionaries of
// other than utf8/binary values) fail naming the field.
func NewPlan(o Options) (*Plan, error) {
	if o.Schema == nil {
		return nil, errors.New("arrowipc: Options.Schema is required (SchemaOf reads one from a value)")
	}
	lim := o.Limits.WithDefaults()
	for _, f := range o.Schema.Fields() {
		if d := depth(f.Type); d+1 > lim.MaxDepth {
			return nil, fmt.Errorf("arrowipc: field %s nests %d deep, over MaxDepth %d: %w", f.Name, d+1, lim.MaxDepth, decode.ErrTooLarge)
		}
		if f.Type.ID() != arrow.NULL && hasNull(f.Type) {
			return nil, fmt.Errorf("arrowipc: field %s: null type nested in %s (only a top-level null column reads back): %w", f.Name, f.Type, decode.ErrUnsupported)
		}
		b := array.NewBuilder(memory.NewGoAllocator(), f.Type)
		_, err := newCopier(f.Type, b)
		b.Release()
		if err != nil {
			return nil, fmt.Errorf("arrowipc: field %s: %w: %w", f.Name, err, decode.ErrUnsupported)
		}
	}
	mem := o.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	views := 0
	for _, f := range o.Schema.Fields() {
		views += countViews(f.Type)
	}
	return &Plan{schema: o.Schema, lim: lim, mem: mem, views: views}, nil
}

// NewCompiler returns a decode.Compiler answering the plan of o for every
// value (IPC values describe themselves; no registry schema is consulted).
func NewCompiler(o Options) (decode.Compiler, error) {
	p, err := NewPlan(o)
	if err != nil {
		return nil, err
	}
	return decode.CompilerFunc(func(*registry.ResolvedSchema, []int) (decode.Plan, error) { return p, nil }), nil
}

// countViews counts the view-typed arrays dt is made of.
func countViews(dt arrow.DataType) int {
	n := 0
	switch dt.ID() {
	case arrow.STRING_VIEW, arrow.BINARY_VIEW:
		n = 1
	}
	if nt, ok := dt.(arrow.NestedType); ok {
		for _, f := range nt.Fields() {
			n += countViews(f.Type)
		}
	}
	return n
}

// hasNull says whether dt is or holds the null type.
func hasNull(dt arrow.DataType) bool {
	if dt.ID() == arrow.NULL {
		return true
	}
	if n, ok := dt.(arrow.NestedType); ok {
		for _, f := range n.Fields() {
			if hasNull(f.Type) {
				return true
			}
		}
	}
	return false
}

// depth is how many levels of nesting dt has (1 for a flat type).
func depth(dt arrow.DataType) int {
	switch dt := dt.(type) {
	case arrow.NestedType:
		d := 0
		for _, f := range dt.Fields() {
			d = max(d, depth(f.Type))
		}
		return d + 1
	}
	return 1
}

// SchemaOf reads the schema of an IPC stream value, for a Plan whose schema
// is taken from the data (the first value of a topic, say).
func SchemaOf(value []byte, lim decode.Limits) (s *arrow.Schema, err error) {
	lim = lim.WithDefaults()
	if _, err := scan(value, lim, 0); err != nil {
		return nil, fmt.Errorf("arrowipc: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("arrowipc: %w: reading schema: %v", decode.ErrMalformed, p)
		}
	}()
	r, err := ipc.NewReader(bytes.NewReader(value), ipc.WithAllocator(memory.NewGoAllocator()))
	if err != nil {
		return nil, fmt.Errorf("arrowipc: %w: %w", decode.ErrMalformed, err)
	}
	defer r.Release()
	return r.Schema(), nil
}

// Fields returns the schema's fields.
func (p *Plan) Fields() []arrow.Field { return p.schema.Fields() }

// Bind returns an Appender writing into bs, one builder per field made from
// Fields with array.NewBuilder.
func (p *Plan) Bind(bs []array.Builder) (decode.Appender, error) {
	return p.BindRows(bs)
}

// BindRows is Bind with the concrete type, whose AppendRows takes values of
// any number of rows.
func (p *Plan) BindRows(bs []array.Builder) (*Appender, error) {
	fields := p.schema.Fields()
	if len(bs) != len(fields) {
		return nil, fmt.Errorf("arrowipc: bind wants %d builders, got %d", len(fields), len(bs))
	}
	a := &Appender{plan: p, bs: bs}
	for i, f := range fields {
		if !arrow.TypeEqual(bs[i].Type(), f.Type) {
			return nil, fmt.Errorf("arrowipc: bind: builder %d is %s, field %q is %s", i, bs[i].Type(), f.Name, f.Type)
		}
		c, err := newCopier(f.Type, bs[i])
		if err != nil {
			return nil, fmt.Errorf("arrowipc: bind: field %s: %w", f.Name, err)
		}
		a.cols = append(a.cols, c)
	}
	return a, nil
}

// Appender reads IPC stream values into its builders.
type Appender struct {
	plan *Plan
	bs   []array.Builder
	cols []copier
	rd   bytes.Reader
}

// Append appends the one row of payload, a value that must hold exactly one
// row over its batches (decode.ErrMalformed otherwise): the decode.Appender
// contract. On error it appends one row of nulls.
func (a *Appender) Append(payload []byte) error {
	_, err := a.appendRows(payload, true)
	return err
}

// AppendRows appends every row of every record batch in payload and returns
// how many. On error it appends nothing but one row of nulls (n is 1), like
// Append, so a caller that drops failed rows stays aligned.
func (a *Appender) AppendRows(payload []byte) (int, error) {
	return a.appendRows(payload, false)
}

func (a *Appender) nullRow() {
	for _, b := range a.bs {
		b.AppendNull()
	}
}

func (a *Appender) appendRows(payload []byte, one bool) (int, error) {
	batches, err := a.read(payload, one)
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	if err != nil {
		a.nullRow()
		return 1, err
	}
	n := 0
	for _, rec := range batches {
		for i, c := range a.cols {
			c.bind(rec.Column(i))
		}
		for r := range int(rec.NumRows()) {
			for _, c := range a.cols {
				c.row(r)
			}
		}
		n += int(rec.NumRows())
	}
	return n, nil
}

// read checks and reads every batch of payload (retained for the caller).
// Nothing is appended until the whole value has passed. Errors are
// *decode.ValueError values: at the offset of the failing message when the
// framing check finds it, else at 0 (arrow-go's reader does not say where);
// a column's name is the path of errors about that column.
func (a *Appender) read(payload []byte, one bool) (out []arrow.RecordBatch, err error) {
	p := a.plan
	sc, err := scan(payload, p.lim, p.views)
	if err != nil {
		return nil, err
	}
	if one && sc.rows != 1 {
		return nil, valueErr("", decode.ErrMalformed, "%d rows in %d batches, want exactly one row", sc.rows, sc.batches)
	}
	defer func() {
		if r := recover(); r != nil { // arrow-go's reader and validators are not trusted not to panic
			for _, b := range out {
				b.Release()
			}
			out, err = nil, valueErr("", decode.ErrMalformed, "corrupt IPC stream: recovered: %v", r)
		}
	}()
	a.rd.Reset(payload)
	defer a.rd.Reset(nil)
	r, err := ipc.NewReader(&a.rd, ipc.WithAllocator(p.mem),
		ipc.WithMetadataSizeLimit(int64(min(p.lim.MaxBytes, len(payload)))),
		ipc.WithBodySizeLimit(int64(min(p.lim.MaxBytes, len(payload)))))
	if err != nil {
		return nil, valueErr("", decode.ErrMalformed, "corrupt IPC stream: %v", err)
	}
	defer r.Release()
	if err := p.checkSchema(r.Schema()); err != nil {
		return nil, err
	}
	for r.Next() {
		rec := r.RecordBatch()
		if err := p.checkBatch(rec); err != nil {
			return out, err
		}
		rec.Retain()
		out = append(out, rec)
	}
	if err := r.Err(); err != nil {
		return out, valueErr("", decode.ErrMalformed, "corrupt IPC stream: %v", err)
	}
	return out, nil
}

// valueErr is a record error at path (a column name, or "" for the value).
func valueErr(path string, kind error, format string, args ...any) error {
	return &decode.ValueError{Path: path, Err: fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))}
}

// checkSchema: same fields, names and types (arrow.TypeEqual, nested names
// and nullability included); top-level nullability and metadata are not
// compared.
func (p *Plan) checkSchema(s *arrow.Schema) error {
	want := p.schema.Fields()
	if s.NumFields() != len(want) {
		return valueErr("", decode.ErrMalformed, "schema differs from the plan's: %d fields, want %d", s.NumFields(), len(want))
	}
	for i, f := range s.Fields() {
		if f.Name != want[i].Name || !arrow.TypeEqual(f.Type, want[i].Type) {
			return valueErr("", decode.ErrMalformed, "schema differs from the plan's: field %d is %s: %s, want %s: %s", i, f.Name, f.Type, want[i].Name, want[i].Type)
		}
	}
	return nil
}

// checkBatch validates every column fully (offsets, lengths, dictionary
// indices) before any value is read, and the plan's non-nullable columns.
func (p *Plan) checkBatch(rec arrow.RecordBatch) error {
	for i, c := range rec.Columns() {
		// arrow-go's reader gives null arrays no buffers and its validator
		// wants one: a null column has nothing to check but its length.
		name := p.schema.Field(i).Name
		if c.DataType().ID() == arrow.NULL {
			if c.Len() != int(rec.NumRows()) {
				return valueErr(name, decode.ErrMalformed, "column has %d rows, the batch %d", c.Len(), rec.NumRows())
			}
			continue
		}
		if err := array.ValidateFull(c); err != nil {
			return valueErr(name, decode.ErrMalformed, "corrupt column: %v", err)
		}
		if c.Len() != int(rec.NumRows()) {
			return valueErr(name, decode.ErrMalformed, "column has %d rows, the batch %d", c.Len(), rec.NumRows())
		}
		if !p.schema.Field(i).Nullable && c.NullN() > 0 {
			return valueErr(name, decode.ErrNull, "%d nulls", c.NullN())
		}
	}
	return nil
}
