package avro

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
	"github.com/sabot-kafka/sabot/registry"
)

// EnumMode chooses the Arrow type enums decode into.
type EnumMode uint8

const (
	// EnumDictionary decodes enums into Dictionary<int32, utf8> whose
	// dictionary is the reader's symbols in schema order (the default).
	EnumDictionary EnumMode = iota
	// EnumString decodes enums into plain utf8 symbols.
	EnumString
)

// Options configure a Compiler.
type Options struct {
	// Schema is the writer schema of values that carry no wire-format
	// header (the Decoder's WireNone, where Compile gets a nil schema).
	// When empty, ReaderSchema is taken as the writer schema.
	Schema string
	// ReaderSchema, when set, is the schema every value is read as: values
	// written with any compatible writer schema decode into its Arrow layout
	// (Avro schema resolution), so every batch has the same columns.
	ReaderSchema string
	// Deps define named types that Schema and ReaderSchema refer to, as a
	// registry's references do; dependencies first.
	Deps []registry.Dependency
	// Enums chooses the Arrow type of enums (default EnumDictionary).
	Enums EnumMode
	// Limits cap lengths, item counts and nesting read from the wire.
	Limits decode.Limits
	// TrustUTF8 skips the UTF-8 check of strings (and map keys). By default
	// a string that is not UTF-8 fails its record.
	TrustUTF8 bool
}

// ColumnName names the single column of values whose top-level schema is not
// a record.
const ColumnName = "value"

// NewCompiler returns a decode.Compiler for Avro values. With a registry
// schema it compiles that writer schema (and its references); with a nil one
// it uses Options.Schema. Errors in the inline schemas surface from Compile.
func NewCompiler(o Options) decode.Compiler {
	c := &compiler{o: o, lim: o.Limits.WithDefaults(), res: resolver{check: !o.TrustUTF8}}
	if o.ReaderSchema != "" {
		c.reader, c.readerErr = avroschema.Parse(o.ReaderSchema, o.Deps)
		if c.readerErr != nil {
			c.readerErr = fmt.Errorf("avro: reader schema: %w", c.readerErr)
		}
	}
	inline := o.Schema
	if inline == "" {
		inline = o.ReaderSchema
	}
	if inline != "" {
		c.inline, c.inlineErr = avroschema.Parse(inline, o.Deps)
		if c.inlineErr != nil {
			c.inlineErr = fmt.Errorf("avro: schema: %w", c.inlineErr)
		}
	} else {
		c.inlineErr = errors.New("avro: values carry no schema id and Options.Schema is empty")
	}
	return c
}

type compiler struct {
	o   Options
	lim decode.Limits
	res resolver

	reader    *avroschema.Node
	readerErr error
	inline    *avroschema.Node
	inlineErr error
}

// Compile returns the plan for values written with s (nil: Options.Schema).
// path is ignored (Protobuf only).
func (c *compiler) Compile(s *registry.ResolvedSchema, _ []int) (decode.Plan, error) {
	if c.readerErr != nil {
		return nil, c.readerErr
	}
	var w *avroschema.Node
	if s == nil {
		if c.inlineErr != nil {
			return nil, c.inlineErr
		}
		w = c.inline
	} else {
		if s.Type != "" && s.Type != registry.TypeAvro {
			return nil, fmt.Errorf("avro: schema %d is %s, not Avro", s.ID, s.Type)
		}
		var err error
		if w, err = avroschema.Parse(s.Text, s.Deps); err != nil {
			return nil, fmt.Errorf("avro: writer schema %d: %w", s.ID, err)
		}
	}
	r := c.reader
	if r == nil {
		r = w
	}
	return c.compile(w, r)
}

func (c *compiler) compile(w, r *avroschema.Node) (*plan, error) {
	mo := avroschema.MapOptions{EnumsAsStrings: c.o.Enums == EnumString, MaxDepth: c.lim.MaxDepth}
	p := &plan{lim: c.lim}
	var err error
	if r.Kind == avroschema.Record {
		p.row = true
		p.fields, err = avroschema.ArrowFields(r, "", mo)
	} else {
		var t arrow.DataType
		var null bool
		t, null, err = avroschema.ArrowType(r, "", mo)
		p.fields = []arrow.Field{{Name: ColumnName, Type: t, Nullable: null}}
	}
	if err != nil {
		return nil, mappingErr(err)
	}
	if p.top, err = c.res.resolve(w, r, ""); err != nil {
		return nil, err
	}
	if _, ok := p.top.(rowSpec); p.row && !ok {
		return nil, fmt.Errorf("avro: writer %s cannot fill the reader record's columns: %w", w.TypeName(), ErrIncompatible)
	}
	return p, nil
}

func mappingErr(err error) error {
	var me *avroschema.MappingError
	if errors.As(err, &me) {
		if me.Limit {
			return fmt.Errorf("avro: %w: %w", me, decode.ErrTooLarge)
		}
		return fmt.Errorf("avro: %w: %w", me, decode.ErrUnsupported)
	}
	return fmt.Errorf("avro: %w", err)
}

// plan is a compiled (writer, reader) pair. It is immutable and shared.
type plan struct {
	fields []arrow.Field
	top    spec
	row    bool // top is the reader record: its fields are the columns
	lim    decode.Limits
}

func (p *plan) Fields() []arrow.Field { return p.fields }

func (p *plan) Bind(bs []array.Builder) (decode.Appender, error) {
	if len(bs) != len(p.fields) {
		return nil, fmt.Errorf("avro: bind: %d builders for %d fields", len(bs), len(p.fields))
	}
	var d decoder
	var err error
	if p.row {
		d, err = p.top.(rowSpec).bindRow(bs)
	} else {
		d, err = p.top.bind(bs[0])
	}
	if err != nil {
		return nil, err
	}
	return &appender{
		rd:  reader{maxBytes: p.lim.MaxBytes, maxItems: p.lim.MaxItems, maxDepth: p.lim.MaxDepth},
		top: d,
	}, nil
}

type appender struct {
	rd  reader
	top decoder
}

func (a *appender) Append(payload []byte) error {
	a.rd.buf, a.rd.pos, a.rd.err = payload, 0, nil
	err := a.top.decode(&a.rd)
	if err == nil && a.rd.pos != len(payload) {
		err = fmt.Errorf("%w: %d bytes after the value", decode.ErrMalformed, len(payload)-a.rd.pos)
	}
	if err != nil {
		err = at(&a.rd, "", err)
	}
	a.rd.buf = nil
	return err
}
