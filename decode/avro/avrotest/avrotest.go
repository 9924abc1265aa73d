// Package avrotest generates random Arrow batches shaped by an Avro schema, for
// the property tests of the Avro decode and encode plans: every value it makes
// is one the schema can carry (nulls only where a union has a null branch,
// exactly one member set in a union struct, enum symbols from the schema,
// decimals within their precision), so Arrow → encode → decode must give the
// batch back unchanged.
package avrotest

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
)

// Options shape the random data.
type Options struct {
	// EnumsAsStrings matches the decoder's EnumString mode.
	EnumsAsStrings bool
	// NullPercent is the chance of a null where the schema allows one
	// (default 20).
	NullPercent int
	// MaxItems caps generated arrays and maps (default 4).
	MaxItems int
}

// Batch returns rows random rows of top-level record schema (the decoder's
// column layout) and the Arrow schema. The caller releases the batch.
func Batch(mem memory.Allocator, schema string, rows int, seed uint64, o Options) (arrow.RecordBatch, error) {
	n, err := avroschema.Parse(schema, nil)
	if err != nil {
		return nil, err
	}
	if n.Kind != avroschema.Record {
		return nil, fmt.Errorf("avrotest: schema is a %s, want a record", n.Kind)
	}
	fields, err := avroschema.ArrowFields(n, "", avroschema.MapOptions{EnumsAsStrings: o.EnumsAsStrings})
	if err != nil {
		return nil, err
	}
	if o.NullPercent == 0 {
		o.NullPercent = 20
	}
	if o.MaxItems == 0 {
		o.MaxItems = 4
	}
	g := gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), o: o}
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(mem, f.Type)
		defer bs[i].Release()
	}
	for r := 0; r < rows; r++ {
		for i, f := range n.Fields {
			if err := g.value(f.Type, bs[i]); err != nil {
				return nil, fmt.Errorf("avrotest: field %s: %w", f.Name, err)
			}
		}
	}
	cols := make([]arrow.Array, len(bs))
	for i, b := range bs {
		cols[i] = b.NewArray()
		defer cols[i].Release()
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows)), nil
}

type gen struct {
	rng *rand.Rand
	o   Options
}

var words = []string{"", "a", "héllo", "日本語", "emoji 🎉", "line\nbreak", "quote\"", strings.Repeat("x", 40)}

func (g *gen) str() string {
	if g.rng.IntN(3) == 0 {
		return words[g.rng.IntN(len(words))]
	}
	b := make([]byte, g.rng.IntN(24))
	for i := range b {
		b[i] = byte('a' + g.rng.IntN(26)) // #nosec G115 -- a letter
	}
	return string(b)
}

func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.Uint32()) // #nosec G115 -- random bits
	}
	return b
}

// long returns small, large and edge values alike.
func (g *gen) long() int64 {
	switch g.rng.IntN(5) {
	case 0:
		return int64(g.rng.IntN(200)) - 100
	case 1:
		return []int64{0, -1, math.MaxInt64, math.MinInt64, 1 << 40}[g.rng.IntN(5)]
	}
	return int64(g.rng.Uint64()) // #nosec G115 -- random bits
}

func (g *gen) int() int32 {
	if g.rng.IntN(4) == 0 {
		return []int32{0, -1, math.MaxInt32, math.MinInt32}[g.rng.IntN(4)]
	}
	return int32(g.rng.Uint32()) // #nosec G115 -- random bits
}

func (g *gen) null() bool { return g.rng.IntN(100) < g.o.NullPercent }

func (g *gen) value(n *avroschema.Node, b array.Builder) error {
	switch n.Kind {
	case avroschema.Null:
		b.AppendNull()
	case avroschema.Boolean:
		b.(*array.BooleanBuilder).Append(g.rng.IntN(2) == 1)
	case avroschema.Int:
		switch bb := b.(type) {
		case *array.Int32Builder:
			bb.Append(g.int())
		case *array.Date32Builder:
			bb.Append(arrow.Date32(g.int()))
		case *array.Time32Builder:
			bb.Append(arrow.Time32(g.rng.Int32N(86400000)))
		default:
			return fmt.Errorf("int into %T", b)
		}
	case avroschema.Long:
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.Append(g.long())
		case *array.Time64Builder:
			bb.Append(arrow.Time64(g.rng.Int64N(86400e6)))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(g.long()))
		default:
			return fmt.Errorf("long into %T", b)
		}
	case avroschema.Float:
		b.(*array.Float32Builder).Append(float32(g.rng.NormFloat64() * 1e3))
	case avroschema.Double:
		v := g.rng.NormFloat64() * 1e6
		if g.rng.IntN(10) == 0 {
			v = []float64{0, math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64}[g.rng.IntN(5)]
		}
		b.(*array.Float64Builder).Append(v)
	case avroschema.String:
		b.(*array.StringBuilder).Append(g.str())
	case avroschema.Bytes, avroschema.Fixed:
		return g.binary(n, b)
	case avroschema.Enum:
		sym := n.Symbols[g.rng.IntN(len(n.Symbols))]
		switch bb := b.(type) {
		case *array.BinaryDictionaryBuilder:
			if bb.DictionarySize() == 0 {
				// The decoder's dictionary is the symbols in schema order.
				if err := insertSymbols(bb, n.Symbols); err != nil {
					return err
				}
			}
			return bb.AppendString(sym)
		case *array.StringBuilder:
			bb.Append(sym)
		}
	case avroschema.Array:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		for k := g.rng.IntN(g.o.MaxItems + 1); k > 0; k-- {
			if err := g.value(n.Items, lb.ValueBuilder()); err != nil {
				return err
			}
		}
	case avroschema.Map:
		mb := b.(*array.MapBuilder)
		mb.Append(true)
		for k := g.rng.IntN(g.o.MaxItems + 1); k > 0; k-- {
			mb.KeyBuilder().(*array.StringBuilder).Append(fmt.Sprintf("k%d", k))
			if err := g.value(n.Values, mb.ItemBuilder()); err != nil {
				return err
			}
		}
	case avroschema.Record:
		sb := b.(*array.StructBuilder)
		sb.Append(true)
		for i, f := range n.Fields {
			if err := g.value(f.Type, sb.FieldBuilder(i)); err != nil {
				return err
			}
		}
	case avroschema.Union:
		return g.union(n, b)
	default:
		return fmt.Errorf("no generator for %s", n.Kind)
	}
	return nil
}

func (g *gen) union(n *avroschema.Node, b array.Builder) error {
	l := avroschema.Layout(n)
	if len(l.Members) == 0 || (l.Null >= 0 && g.null()) {
		b.AppendNull()
		return nil
	}
	k := g.rng.IntN(len(l.Members))
	if !l.Struct() {
		return g.value(n.Branches[l.Members[0]], b)
	}
	sb := b.(*array.StructBuilder)
	sb.Append(true)
	for j := range l.Members {
		if j != k {
			sb.FieldBuilder(j).AppendNull()
		}
	}
	return g.value(n.Branches[l.Members[k]], sb.FieldBuilder(k))
}

func (g *gen) binary(n *avroschema.Node, b array.Builder) error {
	switch bb := b.(type) {
	case *array.BinaryBuilder:
		bb.Append(g.bytes(g.rng.IntN(20)))
	case *array.FixedSizeBinaryBuilder:
		bb.Append(g.bytes(n.Size))
	case *array.MonthDayNanoIntervalBuilder:
		bb.Append(arrow.MonthDayNanoInterval{
			Months: g.rng.Int32N(1200), Days: g.rng.Int32N(400),
			Nanoseconds: g.rng.Int64N(math.MaxUint32) * 1e6,
		})
	case *array.Decimal128Builder:
		bb.Append(decimal128.FromBigInt(g.decimal(n)))
	case *array.Decimal256Builder:
		bb.Append(decimal256.FromBigInt(g.decimal(n)))
	default:
		return fmt.Errorf("bytes into %T", b)
	}
	return nil
}

// decimal returns an unscaled value with at most the schema's precision (and,
// for fixed, that fits its size).
func (g *gen) decimal(n *avroschema.Node) *big.Int {
	digits := 1 + g.rng.IntN(n.Precision)
	var sb strings.Builder
	if g.rng.IntN(2) == 0 {
		sb.WriteByte('-')
	}
	sb.WriteByte(byte('1' + g.rng.IntN(9))) // #nosec G115 -- a digit
	for i := 1; i < digits; i++ {
		sb.WriteByte(byte('0' + g.rng.IntN(10))) // #nosec G115 -- a digit
	}
	v, _ := new(big.Int).SetString(sb.String(), 10)
	if n.Kind == avroschema.Fixed {
		limit := new(big.Int).Lsh(big.NewInt(1), uint(8*n.Size-1)) // #nosec G115 -- small sizes
		for v.CmpAbs(limit) >= 0 {
			v.Quo(v, big.NewInt(10))
		}
	}
	return v
}

func insertSymbols(b *array.BinaryDictionaryBuilder, symbols []string) error {
	sb := array.NewStringBuilder(memory.NewGoAllocator())
	defer sb.Release()
	sb.AppendValues(symbols, nil)
	arr := sb.NewStringArray()
	defer arr.Release()
	return b.InsertStringDictValues(arr)
}
