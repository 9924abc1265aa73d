package avro

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"

	"github.com/sabot-kafka/sabot/decode"
)

// A decoder reads one value of its writer type and appends exactly one entry
// to its builder, error or not: on error the entry is a null (or a partial
// list or struct whose own children are aligned).
type decoder interface {
	decode(r *reader) error
	// null appends one null entry.
	null()
}

// nullDec appends a null for every value: a writer null, or a null branch.
type nullDec struct{ b array.Builder }

func (d nullDec) decode(*reader) error { d.b.AppendNull(); return nil }
func (d nullDec) null()                { d.b.AppendNull() }

// errDec fails every value: a writer union branch the reader has no match for,
// or an enum symbol it does not know.
type errDec struct {
	fill decoder
	err  error
}

func (d errDec) decode(*reader) error { d.fill.null(); return d.err }
func (d errDec) null()                { d.fill.null() }

type boolDec struct{ b *array.BooleanBuilder }

func (d boolDec) decode(r *reader) error {
	v := r.boolean()
	if r.err != nil {
		d.b.AppendNull()
		return r.err
	}
	if d.b.Len() < d.b.Cap() {
		d.b.UnsafeAppend(v)
	} else {
		d.b.Append(v)
	}
	return nil
}
func (d boolDec) null() { d.b.AppendNull() }

// intDec reads an Avro int into an int32 column (the common case, kept
// monomorphic for speed).
type intDec struct{ b *array.Int32Builder }

func (d intDec) decode(r *reader) error {
	v := r.int()
	if r.err != nil {
		d.b.AppendNull()
		return r.err
	}
	if d.b.Len() < d.b.Cap() { // the fast path: room reserved before the batch
		d.b.UnsafeAppend(v)
	} else {
		d.b.Append(v)
	}
	return nil
}
func (d intDec) null() { d.b.AppendNull() }

// longDec reads an Avro long (or an int promoted) into an int64 column.
type longDec struct{ b *array.Int64Builder }

func (d longDec) decode(r *reader) error {
	v := r.long()
	if r.err != nil {
		d.b.AppendNull()
		return r.err
	}
	if d.b.Len() < d.b.Cap() { // the fast path: room reserved before the batch
		d.b.UnsafeAppend(v)
	} else {
		d.b.Append(v)
	}
	return nil
}
func (d longDec) null() { d.b.AppendNull() }

type doubleDec struct{ b *array.Float64Builder }

func (d doubleDec) decode(r *reader) error {
	v := r.double()
	if r.err != nil {
		d.b.AppendNull()
		return r.err
	}
	if d.b.Len() < d.b.Cap() { // the fast path: room reserved before the batch
		d.b.UnsafeAppend(v)
	} else {
		d.b.Append(v)
	}
	return nil
}
func (d doubleDec) null() { d.b.AppendNull() }

// numBuilder is what the generic numeric decoders need from a builder.
type numBuilder[T any] interface {
	Len() int
	Cap() int
	Append(T)
	UnsafeAppend(T)
	AppendNull()
}

// put appends v, skipping the capacity check when the batch's room was
// reserved.
func put[T any, B numBuilder[T]](b B, v T) {
	if b.Len() < b.Cap() {
		b.UnsafeAppend(v)
	} else {
		b.Append(v)
	}
}

type number interface {
	~int32 | ~int64 | ~float32 | ~float64
}

// varintDec reads an int or long into any numeric column: the logical types
// (date, time, timestamp) and the promotions to float and double. narrow
// marks 32-bit columns, whose values must fit.
type varintDec[T number, B numBuilder[T]] struct {
	b      B
	narrow bool
}

func (d varintDec[T, B]) decode(r *reader) error {
	v := r.long()
	err := r.err
	if err == nil && d.narrow && (v < math.MinInt32 || v > math.MaxInt32) {
		err = fmt.Errorf("%w: int %d out of 32-bit range", decode.ErrMalformed, v)
	}
	if err != nil {
		d.b.AppendNull()
		return err
	}
	put(d.b, T(v))
	return nil
}
func (d varintDec[T, B]) null() { d.b.AppendNull() }

// floatDec reads an Avro float into a float32 or (promoted) float64 column.
type floatDec[T ~float32 | ~float64, B numBuilder[T]] struct{ b B }

func (d floatDec[T, B]) decode(r *reader) error {
	v := r.float()
	if r.err != nil {
		d.b.AppendNull()
		return r.err
	}
	put(d.b, T(v))
	return nil
}
func (d floatDec[T, B]) null() { d.b.AppendNull() }

// stringDec reads string or bytes into a utf8 column, checking UTF-8 unless
// the options trust it.
type stringDec struct {
	b     *array.BinaryBuilder // the StringBuilder's
	check bool
}

func (d *stringDec) decode(r *reader) error {
	// r.bytes's one-byte-length path, inlined by hand: strings are most
	// of a typical record.
	var v []byte
	if p := r.pos; uint(p) < uint(len(r.buf)) && r.buf[p]&0x81 == 0 &&
		p+1+int(r.buf[p]>>1) <= len(r.buf) && int(r.buf[p]>>1) <= r.maxBytes {
		end := p + 1 + int(r.buf[p]>>1)
		v, r.pos = r.buf[p+1:end:end], end
	} else {
		v = r.bytesSlow()
	}
	err := r.err
	if err == nil && d.check && !validUTF8(v) {
		err = errUTF8
	}
	if err != nil {
		d.b.AppendNull()
		return err
	}
	appendBinary(d.b, v)
	return nil
}
func (d *stringDec) null() { d.b.AppendNull() }

// appendBinary appends v, skipping the capacity checks when the builder has
// room (reserved before the batch).
func appendBinary(b *array.BinaryBuilder, v []byte) {
	if b.Len() < b.Cap() && b.DataLen()+len(v) <= b.DataCap() {
		b.UnsafeAppend(v)
	} else {
		b.Append(v)
	}
}

type bytesDec struct {
	b *array.BinaryBuilder
}

func (d *bytesDec) decode(r *reader) error {
	v := r.bytes()
	if r.err != nil {
		d.b.AppendNull()
		return r.err
	}
	appendBinary(d.b, v)
	return nil
}
func (d *bytesDec) null() { d.b.AppendNull() }

type fixedDec struct {
	b    *array.FixedSizeBinaryBuilder
	size int64
}

func (d fixedDec) decode(r *reader) error {
	v := r.fixed(d.size)
	if r.err != nil {
		d.b.AppendNull()
		return r.err
	}
	d.b.Append(v)
	return nil
}
func (d fixedDec) null() { d.b.AppendNull() }

// durationDec reads fixed(12) durations (three little-endian unsigned 32-bit
// counts: months, days, milliseconds) into month-day-nano intervals.
type durationDec struct {
	b *array.MonthDayNanoIntervalBuilder
}

func (d durationDec) decode(r *reader) error {
	v := r.fixed(12)
	if r.err != nil {
		d.b.AppendNull()
		return r.err
	}
	months, days := binary.LittleEndian.Uint32(v), binary.LittleEndian.Uint32(v[4:])
	if months > math.MaxInt32 || days > math.MaxInt32 {
		d.b.AppendNull()
		return fmt.Errorf("%w: duration of %d months, %d days does not fit an Arrow interval", decode.ErrRange, months, days)
	}
	d.b.Append(arrow.MonthDayNanoInterval{
		Months:      int32(months), // #nosec G115 -- checked above
		Days:        int32(days),   // #nosec G115 -- checked above
		Nanoseconds: int64(binary.LittleEndian.Uint32(v[8:])) * 1e6,
	})
	return nil
}
func (d durationDec) null() { d.b.AppendNull() }

// decimalDec reads a decimal from bytes (size 0) or fixed(size): a big-endian
// two's-complement unscaled integer.
type decimal128Dec struct {
	b         *array.Decimal128Builder
	size      int64
	precision int32
}

// readDecimal reads the bytes of a bytes (size 0) or fixed decimal.
func readDecimal(r *reader, size int64) ([]byte, error) {
	var v []byte
	if size > 0 {
		v = r.fixed(size)
	} else {
		v = r.bytes()
	}
	return v, r.err
}

func (d decimal128Dec) decode(r *reader) error {
	v, err := readDecimal(r, d.size)
	var n decimal128.Num
	if err == nil {
		var w [2]uint64
		if err = bigEndianWords(v, w[:]); err == nil {
			n = decimal128.New(int64(w[0]), w[1]) // #nosec G115 -- two's complement high word
			if !n.FitsInPrecision(d.precision) {
				err = fmt.Errorf("%w: decimal %s has more than %d digits", decode.ErrRange, n.BigInt(), d.precision)
			}
		}
	}
	if err != nil {
		d.b.AppendNull()
		return err
	}
	d.b.Append(n)
	return nil
}
func (d decimal128Dec) null() { d.b.AppendNull() }

type decimal256Dec struct {
	b         *array.Decimal256Builder
	size      int64
	precision int32
}

func (d decimal256Dec) decode(r *reader) error {
	v, err := readDecimal(r, d.size)
	var n decimal256.Num
	if err == nil {
		var w [4]uint64
		if err = bigEndianWords(v, w[:]); err == nil {
			n = decimal256.New(w[0], w[1], w[2], w[3])
			if !n.FitsInPrecision(d.precision) {
				err = fmt.Errorf("%w: decimal %s has more than %d digits", decode.ErrRange, n.BigInt(), d.precision)
			}
		}
	}
	if err != nil {
		d.b.AppendNull()
		return err
	}
	d.b.Append(n)
	return nil
}
func (d decimal256Dec) null() { d.b.AppendNull() }

// bigEndianWords sign-extends the big-endian two's-complement integer v into
// words, most significant word first. Leading bytes beyond the words' width
// must be sign extension.
func bigEndianWords(v []byte, words []uint64) error {
	width := 8 * len(words)
	var fill byte
	if len(v) > 0 && v[0]&0x80 != 0 {
		fill = 0xff
	}
	if len(v) > width {
		extra := v[:len(v)-width]
		for _, b := range extra {
			if b != fill {
				return fmt.Errorf("%w: %d-byte decimal overflows %d bits", decode.ErrRange, len(v), 8*width)
			}
		}
		v = v[len(v)-width:]
		if (v[0]&0x80 != 0) != (fill == 0xff) {
			return fmt.Errorf("%w: %d-byte decimal overflows %d bits", decode.ErrRange, len(v)+len(extra), 8*width)
		}
	}
	var buf [32]byte
	b := buf[:width]
	pad := width - len(v)
	for i := 0; i < pad; i++ {
		b[i] = fill
	}
	copy(b[pad:], v)
	for i := range words {
		words[i] = binary.BigEndian.Uint64(b[8*i:])
	}
	return nil
}

// enumDictDec reads an enum index into a dictionary column whose dictionary
// holds the reader's symbols in order (inserted at bind), so the reader's
// symbol index is the dictionary index: no hashing per value. mapping takes a
// writer index to a reader index, -1 for a symbol the reader lacks.
type enumDictDec struct {
	b       *array.BinaryDictionaryBuilder
	mapping []int32
	symbols []string // reader symbols
	names   []string // writer symbols, for errors
}

func (d *enumDictDec) decode(r *reader) error {
	i, err := readEnum(r, d.mapping, d.names)
	if err != nil {
		d.b.AppendNull()
		return err
	}
	if d.b.DictionarySize() == 0 { // the builder was reset (ResetFull): restore the symbols
		if err := insertSymbols(d.b, d.symbols); err != nil {
			d.b.AppendNull()
			return err
		}
	}
	idx := [1]int{int(i)}
	d.b.AppendIndices(idx[:], nil)
	return nil
}
func (d *enumDictDec) null() { d.b.AppendNull() }

type enumStringDec struct {
	b       *array.BinaryBuilder
	mapping []int32
	symbols [][]byte
	names   []string
}

func (d *enumStringDec) decode(r *reader) error {
	i, err := readEnum(r, d.mapping, d.names)
	if err != nil {
		d.b.AppendNull()
		return err
	}
	appendBinary(d.b, d.symbols[i])
	return nil
}
func (d *enumStringDec) null() { d.b.AppendNull() }

func readEnum(r *reader, mapping []int32, names []string) (int32, error) {
	i := r.long()
	if r.err != nil {
		return 0, r.err
	}
	if i < 0 || i >= int64(len(mapping)) {
		return 0, fmt.Errorf("%w: enum index %d outside 0..%d", decode.ErrMalformed, i, len(mapping)-1)
	}
	if m := mapping[i]; m >= 0 {
		return m, nil
	}
	return 0, fmt.Errorf("%w: enum symbol %q is not in the reader schema, which has no default (%w)", decode.ErrType, names[i], ErrIncompatible)
}
