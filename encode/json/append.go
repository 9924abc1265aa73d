package json

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string: quotes, the two-character escapes
// for '"', '\\' and the common control characters, \u00XX for the others,
// and U+FFFD for bytes that are not UTF-8 (as encoding/json does), so the
// output is always valid JSON.
func AppendString[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendFloat appends f as a JSON number that reads back as the same float
// of the given width (16, 32 or 64 bits; f must be exact at that width) and
// as a float, not an integer: the shortest such digits, in exponent form
// below 1e-6 and from 1e21 on (1e-7, 1e+21, as encoding/json and JavaScript
// write them), otherwise with a fraction, ".0" for whole numbers (3.0, -0.0,
// as Jackson and Python's json write them). NaN and infinities have no JSON
// form; ok is false for them.
func AppendFloat(dst []byte, f float64, bits int) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, false
	}
	if bits == 16 {
		f, bits = shortestHalf(f), 64
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	switch {
	case format == 'e':
		// 1e-07 → 1e-7, as JavaScript and encoding/json write it.
		if m := len(dst) - n; m >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
			dst[len(dst)-2] = dst[len(dst)-1]
			dst = dst[:len(dst)-1]
		}
	case f == math.Trunc(f):
		// Below 1e21 a whole number has no fraction digits: 3 and -0
		// would read back as integers.
		dst = append(dst, '.', '0')
	}
	return dst, true
}

// halfValue is the value of the IEEE 754 half-precision number with bits h.
func halfValue(h uint16) float64 {
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	var v float64
	switch exp {
	case 0x1f:
		v = math.Inf(1)
		if frac != 0 {
			v = math.NaN()
		}
	case 0:
		v = math.Ldexp(frac, -24)
	default:
		v = math.Ldexp(1024+frac, exp-25)
	}
	if h&0x8000 != 0 {
		v = -v
	}
	return v
}

// shortestHalf returns the float64 nearest to the shortest decimal that reads
// back as the half-precision value f (round to nearest, ties to even), so
// that writing it at 64 bits gives those digits. strconv has no 16-bit
// shortest form; a half needs at most five digits.
func shortestHalf(f float64) float64 {
	v := math.Abs(f)
	if v == 0 {
		return f
	}
	frac, exp := math.Frexp(v)             // v = frac × 2^exp, ½ ≤ frac < 1
	gap := math.Ldexp(1, max(exp-11, -24)) // spacing of halves above v
	below := gap
	if frac == 0.5 && exp > -13 {
		below = gap / 2 // a normal power of two: the spacing halves below it
	}
	lo, hi := v-below/2, v+gap/2
	even := math.Mod(v/gap, 2) == 0
	var buf [24]byte
	for prec := range 5 {
		d, k := decimal(strconv.AppendFloat(buf[:0], v, 'e', prec, 64))
		// The interval may miss v's nearest prec-digit decimal yet hold the
		// next one up (it reaches further above a power of two).
		for _, m := range [2]float64{d, d + 1} {
			x := m * math.Pow10(k)
			if k < 0 {
				x = m / math.Pow10(-k) // one rounding: 10^-k is exact
			}
			if lo < x && x < hi || even && (x == lo || x == hi) {
				return math.Copysign(x, f)
			}
		}
	}
	return f
}

// decimal reads strconv's exponent form d.ddde±XX as the integer ddd and the
// power of ten that scales it.
func decimal(b []byte) (digits float64, exp10 int) {
	i := 0
	for ; i < len(b) && b[i] != 'e'; i++ {
		if c := b[i]; c >= '0' && c <= '9' {
			digits = digits*10 + float64(c-'0')
			exp10--
		}
	}
	exp10++ // the first digit is units
	neg := i+1 < len(b) && b[i+1] == '-'
	e := 0
	for i += 2; i < len(b); i++ {
		e = e*10 + int(b[i]-'0')
	}
	if neg {
		e = -e
	}
	return digits, exp10 + e
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date.
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// append2 writes v (0–99) as two digits.
func append2(dst []byte, v int64) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10)) //nolint:gosec // G115: v is 0–99
}

// AppendDate appends days since the epoch as YYYY-MM-DD (unquoted). Years
// outside 0000–9999 have no RFC 3339 form; ok is false for them.
func AppendDate(dst []byte, days int64) ([]byte, bool) {
	y, m, d := civil(days)
	if y < 0 || y > 9999 {
		return dst, false
	}
	dst = append2(dst, y/100)
	dst = append2(dst, y%100)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d), true
}

// AppendClock appends a time of day given in ticks of u as HH:MM:SS with as
// many fraction digits as the unit has (unquoted).
func AppendClock(dst []byte, ticks int64, u arrow.TimeUnit) []byte {
	per := int64(1)
	digits := 0
	switch u {
	case arrow.Millisecond:
		per, digits = 1e3, 3
	case arrow.Microsecond:
		per, digits = 1e6, 6
	case arrow.Nanosecond:
		per, digits = 1e9, 9
	}
	sec, frac := ticks/per, ticks%per
	dst = append2(dst, sec/3600)
	dst = append(dst, ':')
	dst = append2(dst, sec/60%60)
	dst = append(dst, ':')
	dst = append2(dst, sec%60)
	if digits > 0 {
		dst = append(dst, '.')
		for p := per / 10; p > 0; p /= 10 {
			dst = append(dst, byte('0'+frac/p%10))
		}
	}
	return dst
}

// AppendTimestamp appends an instant given in ticks of u since the epoch as
// an RFC 3339 UTC date-time with the unit's fraction digits (unquoted).
func AppendTimestamp(dst []byte, ticks int64, u arrow.TimeUnit) ([]byte, bool) {
	per := int64(1)
	switch u {
	case arrow.Millisecond:
		per = 1e3
	case arrow.Microsecond:
		per = 1e6
	case arrow.Nanosecond:
		per = 1e9
	}
	days := floorDiv(ticks, per*86400)
	rem := ticks - days*per*86400
	dst, ok := AppendDate(dst, days)
	if !ok {
		return dst, false
	}
	dst = append(dst, 'T')
	dst = AppendClock(dst, rem, u)
	return append(dst, 'Z'), true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
