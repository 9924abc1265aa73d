package json

import (
	"encoding/base64"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
)

// dec decodes one JSON value into one builder entry. value is called with
// s.pos at the value's first byte c (whitespace skipped; c is 0 at the end
// of input). It appends exactly one entry, also when it returns an error.
type dec interface {
	value(s *scanner, c byte) error
	null()
}

// base holds what every decoder needs for errors and nulls.
type base struct {
	path   string
	nullOK bool
	chk    *checks
}

func (d *base) wrongKind(s *scanner, want string, c byte) error {
	return s.fail(decode.ErrType, d.path, "want %s, got %s", want, kindName(c))
}

func (d *base) badNull(s *scanner) error {
	return s.fail(decode.ErrNull, d.path, "got null")
}

// notInt is the error for a number an integer column cannot take: a
// fraction (decode.ErrType) or an integer outside [lo, hi] (decode.ErrRange).
func (d *base) notInt(s *scanner, text []byte, lo, hi any) error {
	if !integral(text) {
		return s.fail(decode.ErrType, d.path, "%s is not an integer", text)
	}
	return s.fail(decode.ErrRange, d.path, "%s is outside [%v, %v]", text, lo, hi)
}

// notDecimal is the error for a number a decimal column cannot take exactly:
// more fractional digits than its scale (decode.ErrType, like a fraction in
// an integer column) or more digits than its precision (decode.ErrRange).
func (d *base) notDecimal(s *scanner, text []byte, prec, scale int32) error {
	if fractionDigits(text) > int(scale) {
		return s.fail(decode.ErrType, d.path, "%s has more than %d fractional digits for decimal(%d, %d)", text, scale, prec, scale)
	}
	return s.fail(decode.ErrRange, d.path, "%s has more than %d digits for decimal(%d, %d)", text, prec, prec, scale)
}

// onNull handles a JSON null: it appends null and says whether the value was
// null, with an error when null is not accepted.
func (d *base) onNull(s *scanner, c byte, appendNull func()) (bool, error) {
	if c != 'n' || !s.isNull() {
		return false, nil
	}
	appendNull()
	if !d.nullOK {
		return true, d.badNull(s)
	}
	return true, nil
}

type boolDec struct {
	base
	b *array.BooleanBuilder
}

func (d *boolDec) null() { d.b.AppendNull() }

func (d *boolDec) value(s *scanner, c byte) error {
	switch c {
	case 't':
		if err := s.literal("true", d.path); err != nil {
			d.b.AppendNull()
			return err
		}
		d.b.Append(true)
		return nil
	case 'f':
		if err := s.literal("false", d.path); err != nil {
			d.b.AppendNull()
			return err
		}
		d.b.Append(false)
		return nil
	}
	if null, err := d.onNull(s, c, d.b.AppendNull); null {
		return err
	}
	d.b.AppendNull()
	return d.wrongKind(s, "boolean", c)
}

// numText reads a number for a numeric decoder, or handles null and kind
// errors. ok is false when the caller should return err (an entry has been
// appended already).
func (d *base) numText(s *scanner, c byte, appendNull func()) (text []byte, integer, ok bool, err error) {
	if c == '-' || (c >= '0' && c <= '9') {
		text, integer, err = s.number(d.path)
		if err != nil {
			appendNull()
			return nil, false, false, err
		}
		return text, integer, true, nil
	}
	if null, err := d.onNull(s, c, appendNull); null {
		return nil, false, false, err
	}
	appendNull()
	return nil, false, false, d.wrongKind(s, "number", c)
}

type intBuilder[T int8 | int16 | int32 | int64] interface {
	Append(T)
	AppendNull()
}

type intDec[T int8 | int16 | int32 | int64, B intBuilder[T]] struct {
	base
	b      B
	lo, hi int64
}

func (d *intDec[T, B]) null() { d.b.AppendNull() }

func (d *intDec[T, B]) value(s *scanner, c byte) error {
	text, integer, ok, err := d.numText(s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	v, ok := parseInt(text, integer, d.lo, d.hi)
	if !ok {
		d.b.AppendNull()
		return d.notInt(s, text, d.lo, d.hi)
	}
	if d.chk != nil {
		if err := d.chk.number(s, d.path, text, float64(v)); err != nil {
			d.b.AppendNull()
			return err
		}
	}
	d.b.Append(T(v))
	return nil
}

type uintBuilder[T uint8 | uint16 | uint32 | uint64] interface {
	Append(T)
	AppendNull()
}

type uintDec[T uint8 | uint16 | uint32 | uint64, B uintBuilder[T]] struct {
	base
	b  B
	hi uint64
}

func (d *uintDec[T, B]) null() { d.b.AppendNull() }

func (d *uintDec[T, B]) value(s *scanner, c byte) error {
	text, integer, ok, err := d.numText(s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	v, ok := parseUint(text, integer, d.hi)
	if !ok {
		d.b.AppendNull()
		return d.notInt(s, text, 0, d.hi)
	}
	if d.chk != nil {
		if err := d.chk.number(s, d.path, text, float64(v)); err != nil {
			d.b.AppendNull()
			return err
		}
	}
	d.b.Append(T(v))
	return nil
}

type floatBuilder[T float32 | float64] interface {
	Append(T)
	AppendNull()
}

type floatDec[T float32 | float64, B floatBuilder[T]] struct {
	base
	b    B
	bits int
}

func (d *floatDec[T, B]) null() { d.b.AppendNull() }

func (d *floatDec[T, B]) value(s *scanner, c byte) error {
	text, _, ok, err := d.numText(s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	f, ok := parseFloat(text, d.bits)
	if !ok {
		d.b.AppendNull()
		return s.fail(decode.ErrRange, d.path, "%s is out of range for float%d", text, d.bits)
	}
	if d.chk != nil {
		if err := d.chk.number(s, d.path, text, f); err != nil {
			d.b.AppendNull()
			return err
		}
	}
	d.b.Append(T(f))
	return nil
}

// strText reads a string for a string-based decoder, or handles null and
// kind errors like numText.
func (d *base) strText(s *scanner, c byte, appendNull func()) ([]byte, bool, error) {
	if c == '"' {
		v, err := s.str(d.path, &s.scratch)
		if err != nil {
			appendNull()
			return nil, false, err
		}
		return v, true, nil
	}
	if null, err := d.onNull(s, c, appendNull); null {
		return nil, false, err
	}
	appendNull()
	return nil, false, d.wrongKind(s, "string", c)
}

// stringDec writes utf8 and large utf8 columns (through their embedded
// BinaryBuilder, bytes straight in).
type stringDec struct {
	base
	b *array.BinaryBuilder
}

func (d *stringDec) null() { d.b.AppendNull() }

func (d *stringDec) value(s *scanner, c byte) error {
	v, ok, err := d.strText(s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	if d.chk != nil {
		if err := d.chk.str(s, d.path, v); err != nil {
			d.b.AppendNull()
			return err
		}
	}
	d.b.Append(v)
	return nil
}

// rawDec writes any JSON value's text into a utf8 column.
type rawDec struct {
	base
	b *array.BinaryBuilder
}

func (d *rawDec) null() { d.b.AppendNull() }

func (d *rawDec) value(s *scanner, c byte) error {
	if null, err := d.onNull(s, c, d.b.AppendNull); null {
		return err
	}
	start := s.pos
	if err := s.skip(d.path); err != nil {
		d.b.AppendNull()
		return err
	}
	d.b.Append(s.buf[start:s.pos])
	return nil
}

// binaryDec decodes standard base64 (with padding) into binary columns.
type binaryDec struct {
	base
	b   *array.BinaryBuilder
	buf []byte
}

func (d *binaryDec) null() { d.b.AppendNull() }

func (d *binaryDec) value(s *scanner, c byte) error {
	v, ok, err := d.strText(s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	out, err := decodeBase64(d.buf[:0], v)
	d.buf = out[:0]
	if err != nil {
		d.b.AppendNull()
		return s.fail(decode.ErrType, d.path, "bad base64: %v", err)
	}
	d.b.Append(out)
	return nil
}

func decodeBase64(dst, src []byte) ([]byte, error) {
	n := base64.StdEncoding.DecodedLen(len(src))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	m, err := base64.StdEncoding.Decode(dst, src)
	return dst[:m], err
}

type fixedBinaryDec struct {
	base
	b     *array.FixedSizeBinaryBuilder
	width int
	buf   []byte
}

func (d *fixedBinaryDec) null() { d.b.AppendNull() }

func (d *fixedBinaryDec) value(s *scanner, c byte) error {
	v, ok, err := d.strText(s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	out, err := decodeBase64(d.buf[:0], v)
	d.buf = out[:0]
	if err != nil || len(out) != d.width {
		d.b.AppendNull()
		if err == nil {
			return s.fail(decode.ErrType, d.path, "%d bytes for a %d-byte field", len(out), d.width)
		}
		return s.fail(decode.ErrType, d.path, "bad base64: %v", err)
	}
	d.b.Append(out)
	return nil
}

// dictDec writes strings into a dictionary-encoded utf8 column.
type dictDec struct {
	base
	b *array.BinaryDictionaryBuilder
}

func (d *dictDec) null() { d.b.AppendNull() }

func (d *dictDec) value(s *scanner, c byte) error {
	v, ok, err := d.strText(s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	if d.chk != nil {
		if err := d.chk.str(s, d.path, v); err != nil {
			d.b.AppendNull()
			return err
		}
	}
	if err := d.b.Append(v); err != nil {
		d.b.AppendNull()
		return s.fail(decode.ErrRange, d.path, "dictionary: %v", err)
	}
	return nil
}

// tickDec writes timestamps, dates, times and durations: from an integer
// (ticks of the column's unit, or days for date32) or, except for durations,
// from an RFC 3339 string.
type tickDec struct {
	base
	kind  arrow.Type
	unit  arrow.TimeUnit
	lo    int64
	hi    int64
	apply func(int64)
	nullF func()
}

func (d *tickDec) null() { d.nullF() }

func (d *tickDec) value(s *scanner, c byte) error {
	if c == '"' && d.kind != arrow.DURATION {
		v, err := s.str(d.path, &s.scratch)
		if err != nil {
			d.nullF()
			return err
		}
		t, parsed, ok := d.fromString(v)
		if !parsed {
			d.nullF()
			return s.fail(decode.ErrType, d.path, "%q is not a valid %s", v, d.kind)
		}
		if !ok || t < d.lo || t > d.hi {
			d.nullF()
			return s.fail(decode.ErrRange, d.path, "%q is out of range for %s", v, d.kind)
		}
		d.apply(t)
		return nil
	}
	text, integer, ok, err := d.numText(s, c, d.nullF)
	if !ok {
		return err
	}
	v, ok := parseInt(text, integer, d.lo, d.hi)
	if !ok {
		d.nullF()
		return d.notInt(s, text, d.lo, d.hi)
	}
	d.apply(v)
	return nil
}

// fromString parses v: parsed says whether v is a valid text of the kind,
// ok whether its value fits the unit.
func (d *tickDec) fromString(v []byte) (t int64, parsed, ok bool) {
	switch d.kind {
	case arrow.TIMESTAMP:
		sec, ns, ok := parseRFC3339(v)
		if !ok {
			return 0, false, false
		}
		t, ok = toUnit(sec, ns, d.unit)
		return t, true, ok
	case arrow.DATE32:
		days, ok := parseDate(v)
		return days, ok && len(v) == 10, true
	case arrow.DATE64:
		days, ok := parseDate(v)
		return days * 86400000, ok && len(v) == 10, true
	case arrow.TIME32, arrow.TIME64:
		ns, n, ok := parseClock(v)
		if zulu := n == len(v)-1 && (v[n] == 'Z' || v[n] == 'z'); !ok || (n != len(v) && !zulu) {
			return 0, false, false
		}
		t, ok = toUnit(0, ns, d.unit)
		return t, true, ok
	}
	return 0, false, false
}

type decimal128Dec struct {
	base
	b           *array.Decimal128Builder
	prec, scale int32
}

func (d *decimal128Dec) null() { d.b.AppendNull() }

func (d *decimal128Dec) value(s *scanner, c byte) error {
	text, ok, err := decimalInput(&d.base, s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	n, ok := parseDecimal128(text, d.prec, d.scale)
	if !ok {
		d.b.AppendNull()
		return d.notDecimal(s, text, d.prec, d.scale)
	}
	d.b.Append(n)
	return nil
}

type decimal256Dec struct {
	base
	b           *array.Decimal256Builder
	prec, scale int32
}

func (d *decimal256Dec) null() { d.b.AppendNull() }

func (d *decimal256Dec) value(s *scanner, c byte) error {
	text, ok, err := decimalInput(&d.base, s, c, d.b.AppendNull)
	if !ok {
		return err
	}
	n, ok := parseDecimal256(text, d.prec, d.scale)
	if !ok {
		d.b.AppendNull()
		return d.notDecimal(s, text, d.prec, d.scale)
	}
	d.b.Append(n)
	return nil
}

// decimalInput reads a decimal given as a JSON number or as a string holding
// one (the usual way to carry decimals past float64 readers).
func decimalInput(d *base, s *scanner, c byte, appendNull func()) ([]byte, bool, error) {
	if c == '"' {
		v, err := s.str(d.path, &s.scratch)
		if err != nil {
			appendNull()
			return nil, false, err
		}
		if _, ok := validNumber(v); !ok {
			appendNull()
			return nil, false, s.fail(decode.ErrType, d.path, "%q is not a decimal number", v)
		}
		return v, true, nil
	}
	text, _, ok, err := d.numText(s, c, appendNull)
	return text, ok, err
}

// Range limits of the integer columns.
var (
	int8Range  = [2]int64{math.MinInt8, math.MaxInt8}
	int16Range = [2]int64{math.MinInt16, math.MaxInt16}
	int32Range = [2]int64{math.MinInt32, math.MaxInt32}
	int64Range = [2]int64{math.MinInt64, math.MaxInt64}
)
