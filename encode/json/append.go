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

// AppendFloat appends f in the shortest form that reads back to the same
// float (as encoding/json writes it). NaN and infinities have no JSON form;
// ok is false for them.
func AppendFloat(dst []byte, f float64, bits int) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, false
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
	if format == 'e' {
		// 1e-07 → 1e-7, as JavaScript and encoding/json write it.
		if m := len(dst) - n; m >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
			dst[len(dst)-2] = dst[len(dst)-1]
			dst = dst[:len(dst)-1]
		}
	}
	return dst, true
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
