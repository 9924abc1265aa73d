package avro

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
)

// A spec is the compiled, immutable decoding of one (writer type, reader
// type) pair. Plans share specs across goroutines; bind makes the decoder
// that appends into one builder.
type spec interface {
	bind(b array.Builder) (decoder, error)
}

// rowSpec is a spec that can also decode the top-level record into the
// column builders.
type rowSpec interface {
	bindRow(bs []array.Builder) (decoder, error)
}

func wrongBuilder(want string, b array.Builder) error {
	return fmt.Errorf("avro: bind: want a %s builder, got %T", want, b)
}

type nullSpec struct{}

func (nullSpec) bind(b array.Builder) (decoder, error) { return nullDec{b}, nil }

type errSpec struct{ err error }

func (s errSpec) bind(b array.Builder) (decoder, error) {
	return errDec{fill: nullDec{b}, err: s.err}, nil
}

func (s errSpec) bindRow(bs []array.Builder) (decoder, error) {
	return errDec{fill: &rowDec{bs: bs}, err: s.err}, nil
}

type boolSpec struct{}

func (boolSpec) bind(b array.Builder) (decoder, error) {
	bb, ok := b.(*array.BooleanBuilder)
	if !ok {
		return nil, wrongBuilder("boolean", b)
	}
	return boolDec{bb}, nil
}

// varintSpec reads an int or long into whatever numeric column the reader
// type maps to.
type varintSpec struct{}

func (varintSpec) bind(b array.Builder) (decoder, error) {
	switch bb := b.(type) {
	case *array.Int32Builder:
		return intDec{bb}, nil
	case *array.Int64Builder:
		return longDec{bb}, nil
	case *array.Date32Builder:
		return varintDec[arrow.Date32, *array.Date32Builder]{b: bb, narrow: true}, nil
	case *array.Time32Builder:
		return varintDec[arrow.Time32, *array.Time32Builder]{b: bb, narrow: true}, nil
	case *array.Time64Builder:
		return varintDec[arrow.Time64, *array.Time64Builder]{b: bb}, nil
	case *array.TimestampBuilder:
		return varintDec[arrow.Timestamp, *array.TimestampBuilder]{b: bb}, nil
	case *array.Float32Builder:
		return varintDec[float32, *array.Float32Builder]{b: bb}, nil
	case *array.Float64Builder:
		return varintDec[float64, *array.Float64Builder]{b: bb}, nil
	}
	return nil, wrongBuilder("numeric", b)
}

type floatSpec struct{}

func (floatSpec) bind(b array.Builder) (decoder, error) {
	switch bb := b.(type) {
	case *array.Float32Builder:
		return floatDec[float32, *array.Float32Builder]{bb}, nil
	case *array.Float64Builder:
		return floatDec[float64, *array.Float64Builder]{bb}, nil
	}
	return nil, wrongBuilder("float", b)
}

type doubleSpec struct{}

func (doubleSpec) bind(b array.Builder) (decoder, error) {
	bb, ok := b.(*array.Float64Builder)
	if !ok {
		return nil, wrongBuilder("float64", b)
	}
	return doubleDec{bb}, nil
}

// bytesSpec reads string or bytes into utf8, binary or a bytes decimal.
type bytesSpec struct{ check bool }

func (s bytesSpec) bind(b array.Builder) (decoder, error) {
	switch bb := b.(type) {
	case *array.StringBuilder:
		return &stringDec{b: bb.BinaryBuilder, check: s.check}, nil
	case *array.BinaryBuilder:
		return &bytesDec{b: bb}, nil
	case *array.Decimal128Builder:
		return decimal128Dec{b: bb, precision: bb.Type().(*arrow.Decimal128Type).Precision}, nil
	case *array.Decimal256Builder:
		return decimal256Dec{b: bb, precision: bb.Type().(*arrow.Decimal256Type).Precision}, nil
	}
	return nil, wrongBuilder("string or binary", b)
}

// fixedSpec reads fixed(size) into fixed-size binary, a duration interval or a
// fixed decimal.
type fixedSpec struct{ size int64 }

func (s fixedSpec) bind(b array.Builder) (decoder, error) {
	switch bb := b.(type) {
	case *array.FixedSizeBinaryBuilder:
		return fixedDec{b: bb, size: s.size}, nil
	case *array.MonthDayNanoIntervalBuilder:
		return durationDec{bb}, nil
	case *array.Decimal128Builder:
		return decimal128Dec{b: bb, size: s.size, precision: bb.Type().(*arrow.Decimal128Type).Precision}, nil
	case *array.Decimal256Builder:
		return decimal256Dec{b: bb, size: s.size, precision: bb.Type().(*arrow.Decimal256Type).Precision}, nil
	}
	return nil, wrongBuilder("fixed-size binary", b)
}

type enumSpec struct {
	mapping []int32  // writer index → reader index, -1 unknown
	reader  []string // reader symbols
	writer  []string // writer symbols
}

func (s enumSpec) bind(b array.Builder) (decoder, error) {
	syms := make([][]byte, len(s.reader))
	for i, sym := range s.reader {
		syms[i] = []byte(sym)
	}
	switch bb := b.(type) {
	case *array.BinaryDictionaryBuilder:
		// The dictionary holds the symbols in schema order, so indexes
		// match the Avro ones; the memo table outlives NewArray, so this
		// happens once per builder.
		if size := bb.DictionarySize(); size == 0 {
			if err := insertSymbols(bb, s.reader); err != nil {
				return nil, err
			}
		} else if size != len(s.reader) {
			return nil, fmt.Errorf("avro: bind: enum dictionary builder holds %d values, want the %d symbols", size, len(s.reader))
		}
		return &enumDictDec{b: bb, mapping: s.mapping, symbols: s.reader, names: s.writer}, nil
	case *array.StringBuilder:
		return &enumStringDec{b: bb.BinaryBuilder, mapping: s.mapping, symbols: syms, names: s.writer}, nil
	}
	return nil, wrongBuilder("dictionary or string", b)
}

func insertSymbols(b *array.BinaryDictionaryBuilder, symbols []string) error {
	sb := array.NewStringBuilder(memory.NewGoAllocator())
	defer sb.Release()
	sb.AppendValues(symbols, nil)
	arr := sb.NewStringArray()
	defer arr.Release()
	if err := b.InsertStringDictValues(arr); err != nil {
		return fmt.Errorf("avro: bind: enum dictionary: %w", err)
	}
	return nil
}

// stepSpec is one step of a record: decode a writer field into reader field
// field, skip a writer field (field -1), or append a reader default.
type stepSpec struct {
	field int
	spec  spec
	skip  *avroschema.Node
	path  string
}

type recordSpec struct {
	steps []stepSpec
}

func (s *recordSpec) bindSteps(fields []array.Builder) (steps, error) {
	out := steps{decs: make([]decoder, len(s.steps)), paths: make([]string, len(s.steps))}
	for i, st := range s.steps {
		out.paths[i] = st.path
		if st.field < 0 {
			out.decs[i] = skipDec{st.skip}
			continue
		}
		if st.field >= len(fields) {
			return steps{}, fmt.Errorf("avro: bind: record has %d fields, want %d", len(fields), st.field+1)
		}
		d, err := st.spec.bind(fields[st.field])
		if err != nil {
			return steps{}, err
		}
		out.decs[i] = d
	}
	return out, nil
}

func (s *recordSpec) bind(b array.Builder) (decoder, error) {
	sb, ok := b.(*array.StructBuilder)
	if !ok {
		return nil, wrongBuilder("struct", b)
	}
	fields := make([]array.Builder, sb.NumField())
	for i := range fields {
		fields[i] = sb.FieldBuilder(i)
	}
	steps, err := s.bindSteps(fields)
	if err != nil {
		return nil, err
	}
	return &structDec{b: sb, steps: steps}, nil
}

func (s *recordSpec) bindRow(bs []array.Builder) (decoder, error) {
	steps, err := s.bindSteps(bs)
	if err != nil {
		return nil, err
	}
	return &rowDec{steps: steps, bs: bs}, nil
}

type listSpec struct {
	item spec
	path string // of the items
}

func (s listSpec) bind(b array.Builder) (decoder, error) {
	lb, ok := b.(*array.ListBuilder)
	if !ok {
		return nil, wrongBuilder("list", b)
	}
	item, err := s.item.bind(lb.ValueBuilder())
	if err != nil {
		return nil, err
	}
	return &listDec{b: lb, item: item, path: s.path}, nil
}

type mapSpec struct {
	value spec
	check bool
	path  string // of the values
}

func (s mapSpec) bind(b array.Builder) (decoder, error) {
	mb, ok := b.(*array.MapBuilder)
	if !ok {
		return nil, wrongBuilder("map", b)
	}
	kb, ok := mb.KeyBuilder().(*array.StringBuilder)
	if !ok {
		return nil, wrongBuilder("string map key", mb.KeyBuilder())
	}
	v, err := s.value.bind(mb.ItemBuilder())
	if err != nil {
		return nil, err
	}
	return &mapDec{b: mb, keys: kb.BinaryBuilder, value: v, check: s.check, path: s.path}, nil
}

// unionSpec dispatches on the writer union's branch index.
type unionSpec struct{ branches []spec }

func (s unionSpec) bind(b array.Builder) (decoder, error) {
	d := &unionDec{branches: make([]decoder, len(s.branches))}
	for i, br := range s.branches {
		var err error
		if d.branches[i], err = br.bind(b); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s unionSpec) bindRow(bs []array.Builder) (decoder, error) {
	d := &unionDec{branches: make([]decoder, len(s.branches))}
	for i, br := range s.branches {
		rs, ok := br.(rowSpec)
		if !ok {
			return nil, fmt.Errorf("avro: bind: union branch %d cannot fill the columns", i)
		}
		var err error
		if d.branches[i], err = rs.bindRow(bs); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// memberSpec appends into member j of a reader union's struct layout.
type memberSpec struct {
	j     int
	inner spec
}

func (s memberSpec) bind(b array.Builder) (decoder, error) {
	sb, ok := b.(*array.StructBuilder)
	if !ok {
		return nil, wrongBuilder("union struct", b)
	}
	members := make([]array.Builder, sb.NumField())
	for i := range members {
		members[i] = sb.FieldBuilder(i)
	}
	if s.j >= len(members) {
		return nil, fmt.Errorf("avro: bind: union struct has %d members, want %d", len(members), s.j+1)
	}
	inner, err := s.inner.bind(members[s.j])
	if err != nil {
		return nil, err
	}
	return &memberDec{b: sb, members: members, j: s.j, inner: inner}, nil
}

// constSpec appends a reader field's default: data is the default in Avro
// binary, read by inner (the reader type against itself).
type constSpec struct {
	data  []byte
	inner spec
}

func (s constSpec) bind(b array.Builder) (decoder, error) {
	inner, err := s.inner.bind(b)
	if err != nil {
		return nil, err
	}
	return &constDec{
		rd:    reader{buf: s.data, maxBytes: len(s.data), maxItems: math.MaxInt32, maxDepth: math.MaxInt32},
		inner: inner,
	}, nil
}
