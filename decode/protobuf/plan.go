package protobuf

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sabot-kafka/sabot/decode"
)

// Plan decodes protobuf payloads of one message type into its columns: one
// column per field of the message (declaration order), plus a case column per
// oneof under OneofCase. It is immutable and safe for concurrent use.
type Plan struct {
	root   *msgSpec
	limits decode.Limits
}

var _ decode.Plan = (*Plan)(nil)

// NewPlan compiles the plan for md. Fields with no Arrow mapping (recursive
// messages, google.protobuf.Struct/Value/ListValue) fail here, naming the
// field.
func NewPlan(md protoreflect.MessageDescriptor, opts Options) (*Plan, error) {
	root, err := compileMessage(md, &opts, "", nil, 0)
	if err != nil {
		return nil, err
	}
	return &Plan{root: root, limits: opts.Limits.WithDefaults()}, nil
}

// Schema returns the Arrow schema md decodes to under opts: the columns of
// NewPlan(md, opts).
func Schema(md protoreflect.MessageDescriptor, opts Options) (*arrow.Schema, error) {
	p, err := NewPlan(md, opts)
	if err != nil {
		return nil, err
	}
	return arrow.NewSchema(p.Fields(), nil), nil
}

// Message is the full name of the message the plan decodes.
func (p *Plan) Message() protoreflect.FullName { return p.root.name }

// Fields are the Arrow fields of the columns.
func (p *Plan) Fields() []arrow.Field {
	return append([]arrow.Field(nil), p.root.arrow...)
}

// Bind returns an Appender writing into bs, built from Fields().
func (p *Plan) Bind(bs []array.Builder) (decode.Appender, error) {
	if len(bs) != len(p.root.cols) {
		return nil, fmt.Errorf("protobuf: bind wants %d builders, got %d", len(p.root.cols), len(bs))
	}
	m, err := bindMessage(p.root, nil, bs, p.limits)
	if err != nil {
		return nil, err
	}
	return appender{m}, nil
}

type appender struct{ m *msgDec }

// Append decodes one payload into one row.
func (a appender) Append(payload []byte) error {
	a.m.base = 0
	return a.m.decode(payload)
}

// msgDec decodes one message at one place in the column tree into its
// builders. It holds the scratch row for the message being decoded: scalar
// fields land in the scratch and are appended once at the end of the message,
// which gives last-one-wins for repeated occurrences, zero values or nulls for
// absent fields, and exactly one entry per builder on error.
type msgDec struct {
	spec   *msgSpec
	sb     *array.StructBuilder // nil at the top level and for map entries
	fields []fieldDec
	cases  []caseDec
	byNum  []int32                    // field number → index+1 into fields; 0 for unknown
	sparse map[protowire.Number]int32 // instead of byNum for sparse numbers
	lists  []int                      // fields in modeList or modeMap
	lim    decode.Limits

	// base and end are the offsets in the payload of the body being
	// decoded and of its end, for errors.
	base, end int

	// Scratch row: seen[i] == gen when field i was set in this message.
	gen    uint32
	seen   []uint32
	nums   []uint64
	spans  [][]byte
	offs   []int    // offset of spans[i] in the payload
	merged []uint32 // gen when spans[i] points into merge[i]
	merge  [][]byte
	count  []int // items of list/map fields so far
}

type fieldDec struct {
	*fieldSpec
	sink  sink
	list  *array.ListBuilder
	mapb  *array.MapBuilder
	child *msgDec
	// siblings are the other members of this field's oneof.
	siblings []int
}

type caseDec struct {
	b       *array.StringBuilder
	members []int
	names   [][]byte
}

func bindMessage(spec *msgSpec, sb *array.StructBuilder, bs []array.Builder, lim decode.Limits) (*msgDec, error) {
	n := len(spec.fields)
	m := &msgDec{
		spec:   spec,
		sb:     sb,
		fields: make([]fieldDec, n),
		lim:    lim,
		gen:    1,
		seen:   make([]uint32, n),
		nums:   make([]uint64, n),
		spans:  make([][]byte, n),
		offs:   make([]int, n),
		merged: make([]uint32, n),
		merge:  make([][]byte, n),
		count:  make([]int, n),
	}
	if spec.maxNum <= 1024 || int(spec.maxNum) <= 16*n {
		m.byNum = make([]int32, spec.maxNum+1)
	} else {
		m.sparse = make(map[protowire.Number]int32, n)
	}
	for col, ix := range spec.cols {
		b := bs[col]
		if ix < 0 {
			o := spec.oneofs[-ix-1]
			sbld, ok := b.(*array.StringBuilder)
			if !ok {
				return nil, fmt.Errorf("protobuf: bind: oneof %s wants a string builder, got %T", o.name, b)
			}
			cd := caseDec{b: sbld, members: o.members}
			for _, mi := range o.members {
				cd.names = append(cd.names, []byte(spec.fields[mi].name))
			}
			m.cases = append(m.cases, cd)
			continue
		}
		fs := &spec.fields[ix]
		f := &m.fields[ix]
		f.fieldSpec = fs
		if m.sparse != nil {
			m.sparse[fs.num] = int32(ix + 1) // #nosec G115 -- field count fits
		} else {
			m.byNum[fs.num] = int32(ix + 1) // #nosec G115 -- field count fits
		}
		if fs.oneof >= 0 {
			for _, mi := range spec.oneofs[fs.oneof].members {
				if mi != ix {
					f.siblings = append(f.siblings, mi)
				}
			}
		}
		if err := bindField(f, b, lim); err != nil {
			return nil, err
		}
		if fs.mode == modeList || fs.mode == modeMap {
			m.lists = append(m.lists, ix)
		}
	}
	return m, nil
}

func bindField(f *fieldDec, b array.Builder, lim decode.Limits) error {
	var err error
	switch f.mode {
	case modeMap:
		mb, ok := b.(*array.MapBuilder)
		if !ok {
			return fmt.Errorf("protobuf: bind: field %s wants a map builder, got %T", f.path, b)
		}
		f.mapb = mb
		f.child, err = bindMessage(f.fieldSpec.child, nil, []array.Builder{mb.KeyBuilder(), mb.ItemBuilder()}, lim)
		return err
	case modeList:
		lb, ok := b.(*array.ListBuilder)
		if !ok {
			return fmt.Errorf("protobuf: bind: field %s wants a list builder, got %T", f.path, b)
		}
		f.list = lb
		return bindValue(f, lb.ValueBuilder(), lim)
	}
	return bindValue(f, b, lim)
}

// bindValue binds the builder of one value of f (the list's value builder for
// lists).
func bindValue(f *fieldDec, b array.Builder, lim decode.Limits) error {
	if f.fieldSpec.child == nil {
		s, err := newSink(f.kind, f.enum, b)
		if err != nil {
			return fmt.Errorf("protobuf: field %s: %w", f.path, err)
		}
		f.sink = s
		return nil
	}
	sb, ok := b.(*array.StructBuilder)
	if !ok || sb.NumField() != len(f.fieldSpec.child.cols) {
		return fmt.Errorf("protobuf: bind: field %s wants a struct builder of %d fields, got %T", f.path, len(f.fieldSpec.child.cols), b)
	}
	kids := make([]array.Builder, sb.NumField())
	for i := range kids {
		kids[i] = sb.FieldBuilder(i)
	}
	var err error
	f.child, err = bindMessage(f.fieldSpec.child, sb, kids, lim)
	return err
}

func (m *msgDec) lookup(num protowire.Number) int {
	if uint64(num) < uint64(len(m.byNum)) { // #nosec G115 -- field numbers are positive
		return int(m.byNum[num]) - 1
	}
	return int(m.sparse[num]) - 1
}
