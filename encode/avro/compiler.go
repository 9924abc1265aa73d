package avro

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/registry"
)

// Options configure a Compiler.
type Options struct {
	// Schema is the Avro writer schema. When empty, the schema is derived
	// from each Arrow schema (see DeriveSchema).
	Schema string
	// References are Schema's references, registered with it; Deps are the
	// referenced schemas (dependencies first), needed to parse Schema.
	References []registry.Reference
	Deps       []registry.Dependency
	// Name and Namespace name the top-level record of a derived schema
	// (default "Record", no namespace).
	Name, Namespace string
}

// DefaultName is the record name of derived schemas when Options.Name is
// empty.
const DefaultName = "Record"

// ColumnName is the column written when the writer schema is not a record
// and the batch has more than one column.
const ColumnName = "value"

// NewCompiler returns an encode.Compiler that writes Avro binary. Its Writer
// is the schema to register (type AVRO) and the top-level record's full name.
func NewCompiler(o Options) encode.Compiler {
	c := &compiler{o: o}
	if o.Name == "" {
		c.o.Name = DefaultName
	}
	if o.Schema != "" {
		c.node, c.err = avroschema.Parse(o.Schema, o.Deps)
		if c.err != nil {
			c.err = fmt.Errorf("avro: writer schema: %w", c.err)
		}
	}
	return c
}

type compiler struct {
	o    Options
	node *avroschema.Node // nil: derive per Arrow schema
	err  error
}

func (c *compiler) Compile(s *arrow.Schema) (encode.Plan, encode.Writer, error) {
	if c.err != nil {
		return nil, encode.Writer{}, c.err
	}
	n, text, refs := c.node, c.o.Schema, c.o.References
	if n == nil {
		var err error
		if text, err = DeriveSchema(s, c.o.Name, c.o.Namespace); err != nil {
			return nil, encode.Writer{}, err
		}
		if n, err = avroschema.Parse(text, nil); err != nil {
			return nil, encode.Writer{}, fmt.Errorf("avro: derived schema: %w", err)
		}
		refs = nil
	}
	p, err := compile(s, n)
	if err != nil {
		return nil, encode.Writer{}, err
	}
	w := encode.Writer{Schema: registry.Schema{Type: registry.TypeAvro, Text: text, References: refs}}
	if n.Named() {
		w.RecordName = n.Name
	}
	return p, w, nil
}

func compile(s *arrow.Schema, n *avroschema.Node) (*plan, error) {
	if n.Kind == avroschema.Record {
		fields, err := pairRecord(s.Fields(), n, "")
		if err != nil {
			return nil, err
		}
		return &plan{fields: fields}, nil
	}
	col := 0
	if s.NumFields() != 1 {
		idx := s.FieldIndices(ColumnName)
		if len(idx) != 1 {
			return nil, fmt.Errorf("avro: the writer schema is a %s, not a record: want one column or one named %q, got %d columns: %w",
				n.TypeName(), ColumnName, s.NumFields(), encode.ErrUnsupported)
		}
		col = idx[0]
	}
	sp, err := pair(s.Field(col).Type, n, "")
	if err != nil {
		return nil, err
	}
	return &plan{fields: []fieldSpec{{col: col, spec: sp}}}, nil
}

type plan struct {
	fields []fieldSpec
}

func (p *plan) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	for _, f := range p.fields {
		if f.col >= int(rec.NumCols()) {
			return nil, errors.New("avro: bind: the batch has fewer columns than the plan's schema")
		}
	}
	e, err := bindRecord(p.fields, rec.Column)
	if err != nil {
		return nil, err
	}
	return appender{e.(*recordEnc)}, nil
}

type appender struct{ rec *recordEnc }

func (a appender) AppendRow(dst []byte, i int) ([]byte, error) {
	start := len(dst)
	out, err := a.rec.append(dst, i)
	if err != nil {
		return dst[:start], err
	}
	return out, nil
}
