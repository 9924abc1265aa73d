package json

import (
	"bytes"
	"math"
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// bytesView returns b as a string without copying, for strconv calls that do
// not keep their argument.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) //nolint:gosec // G103: read-only view for strconv; never retained
}

// decimalText splits a JSON number (already grammar-checked) into its sign,
// significant digits (no leading zeros, possibly empty for zero) and the
// power of ten they are scaled by: value = ±digits × 10^exp.
func decimalText(b []byte) (neg bool, digits digitSeq, exp int, ok bool) {
	i := 0
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	intPart := b[start:i]
	var frac []byte
	if i < len(b) && b[i] == '.' {
		i++
		fs := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		frac = b[fs:i]
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		e := 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if e > 1<<20 {
				return false, digitSeq{}, 0, false
			}
			e = e*10 + int(b[i]-'0')
		}
		if eneg {
			e = -e
		}
		exp = e
	}
	exp -= len(frac)
	return neg, joinDigits(intPart, frac), exp, true
}

// digitSeq is the digits of an integer part followed by those of a fraction,
// viewed in place (no copy).
type digitSeq struct{ a, b []byte }

func (d digitSeq) len() int { return len(d.a) + len(d.b) }

func (d digitSeq) at(i int) byte {
	if i < len(d.a) {
		return d.a[i]
	}
	return d.b[i-len(d.a)]
}

// slice keeps digits [i, j).
func (d digitSeq) slice(i, j int) digitSeq {
	la := len(d.a)
	switch {
	case j <= la:
		return digitSeq{a: d.a[i:j]}
	case i >= la:
		return digitSeq{a: d.b[i-la : j-la]}
	}
	return digitSeq{a: d.a[i:], b: d.b[:j-la]}
}

// joinDigits returns the digits of intPart followed by frac with leading zeros
// dropped.
func joinDigits(intPart, frac []byte) digitSeq {
	d := digitSeq{a: intPart, b: frac}
	i := 0
	for i < d.len() && d.at(i) == '0' {
		i++
	}
	return d.slice(i, d.len())
}

// parseInt returns the value of a JSON number that must be an integer in
// [min, max]. Fractions and exponents are accepted when the value is
// integral (1.0, 1e3), as JSON Schema's "integer" does.
func parseInt(b []byte, integer bool, lo, hi int64) (int64, bool) {
	if integer && len(b) <= 18 {
		neg := b[0] == '-'
		i := 0
		if neg {
			i = 1
		}
		var v int64
		for ; i < len(b); i++ {
			v = v*10 + int64(b[i]-'0')
		}
		if neg {
			v = -v
		}
		return v, v >= lo && v <= hi
	}
	neg, digits, exp, ok := decimalText(b)
	if !ok {
		return 0, false
	}
	digits, exp = trimZeros(digits, exp)
	if exp < 0 {
		return 0, false
	}
	u, ok := digitsUint(digits)
	if !ok {
		return 0, false
	}
	for ; exp > 0 && u != 0; exp-- {
		if u > math.MaxUint64/10 {
			return 0, false
		}
		u *= 10
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		v := -int64(u) //nolint:gosec // G115: u <= 2^63 checked; -2^63 wraps to itself
		return v, v >= lo && v <= hi
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	v := int64(u)
	return v, v >= lo && v <= hi
}

// parseUint is parseInt for unsigned columns.
func parseUint(b []byte, integer bool, hi uint64) (uint64, bool) {
	if integer && len(b) <= 19 && b[0] != '-' {
		var v uint64
		for _, c := range b {
			v = v*10 + uint64(c-'0')
		}
		return v, v <= hi
	}
	neg, digits, exp, ok := decimalText(b)
	if !ok {
		return 0, false
	}
	digits, exp = trimZeros(digits, exp)
	if digits.len() == 0 {
		return 0, true // -0, 0.0
	}
	if neg || exp < 0 {
		return 0, false
	}
	u, ok := digitsUint(digits)
	if !ok {
		return 0, false
	}
	for ; exp > 0; exp-- {
		if u > math.MaxUint64/10 {
			return 0, false
		}
		u *= 10
	}
	return u, u <= hi
}

// digitsUint is the value of digits, if it fits a uint64.
func digitsUint(digits digitSeq) (uint64, bool) {
	var u uint64
	for i := 0; i < digits.len(); i++ {
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(digits.at(i)-'0')
	}
	return u, true
}

// trimZeros moves trailing zero digits into the exponent.
func trimZeros(digits digitSeq, exp int) (digitSeq, int) {
	n := digits.len()
	for n > 0 && digits.at(n-1) == '0' {
		n--
		exp++
	}
	return digits.slice(0, n), exp
}

// parseFloat parses a JSON number exactly as strconv does (correctly
// rounded). Values beyond float64's range are an error, not ±Inf.
func parseFloat(b []byte, bits int) (float64, bool) {
	f, err := strconv.ParseFloat(bytesView(b), bits)
	if err != nil {
		return 0, false
	}
	return f, true
}

// scaledDigits returns the digits of ±digits×10^exp rescaled to scale,
// failing when that would drop non-zero digits or exceed prec digits.
func scaledDigits(b []byte, prec, scale int32) (neg bool, digits digitSeq, zeros int, ok bool) {
	neg, digits, exp, ok := decimalText(b)
	if !ok {
		return false, digitSeq{}, 0, false
	}
	digits, exp = trimZeros(digits, exp)
	if digits.len() == 0 {
		return neg, digits, 0, true
	}
	shift := exp + int(scale) // digits × 10^shift is the unscaled value
	if shift < 0 || digits.len()+shift > int(prec) {
		// More fractional digits than the scale keeps, or too many digits.
		return false, digitSeq{}, 0, false
	}
	return neg, digits, shift, true
}

// parseDecimal128 parses a decimal number (from a JSON number or string) into
// an unscaled value with the given precision and scale, exactly.
func parseDecimal128(b []byte, prec, scale int32) (decimal128.Num, bool) {
	neg, digits, zeros, ok := scaledDigits(b, prec, scale)
	if !ok {
		return decimal128.Num{}, false
	}
	var n decimal128.Num
	ten := decimal128.FromU64(10)
	// Up to 18 digits at a time in a uint64, then one multiply-add.
	for digits.len() > 0 {
		k := min(digits.len(), 18)
		chunk, _ := digitsUint(digits.slice(0, k))
		n = n.Mul(decimal128.GetScaleMultiplier(k)).Add(decimal128.FromU64(chunk))
		digits = digits.slice(k, digits.len())
	}
	for ; zeros > 0; zeros-- {
		n = n.Mul(ten)
	}
	if neg {
		n = n.Negate()
	}
	return n, true
}

// parseDecimal256 is parseDecimal128 for 256-bit decimals.
func parseDecimal256(b []byte, prec, scale int32) (decimal256.Num, bool) {
	neg, digits, zeros, ok := scaledDigits(b, prec, scale)
	if !ok {
		return decimal256.Num{}, false
	}
	var n decimal256.Num
	ten := decimal256.FromU64(10)
	for i := 0; i < digits.len(); i++ {
		n = n.Mul(ten).Add(decimal256.FromU64(uint64(digits.at(i) - '0')))
	}
	for ; zeros > 0; zeros-- {
		n = n.Mul(ten)
	}
	if neg {
		n = n.Negate()
	}
	return n, true
}

// validNumber reports whether b (a JSON string's content) is a JSON number,
// for decimals given as strings.
func validNumber(b []byte) (integer, ok bool) {
	s := scanner{buf: b}
	s.lim.MaxBytes = len(b) + 1
	_, integer, err := s.number("")
	return integer, err == nil && s.pos == len(b)
}

// integral reports whether the JSON number b (grammar-checked) has an
// integral value (1, -3, 1.0, 1e3), for error messages.
func integral(b []byte) bool {
	_, digits, exp, ok := decimalText(b)
	if !ok { // an exponent past 2^20: integral when it is positive
		return !bytes.Contains(b, []byte("e-")) && !bytes.Contains(b, []byte("E-"))
	}
	digits, exp = trimZeros(digits, exp)
	return digits.len() == 0 || exp >= 0
}

// fractionDigits is how many significant digits the JSON number b has after
// the decimal point, for error messages.
func fractionDigits(b []byte) int {
	_, digits, exp, ok := decimalText(b)
	if !ok {
		if integral(b) {
			return 0
		}
		return math.MaxInt32
	}
	digits, exp = trimZeros(digits, exp)
	if digits.len() == 0 || exp >= 0 {
		return 0
	}
	return -exp
}
