package json

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
)

// Hand-written RFC 3339 parsing: time.Parse is correct but several times
// slower, and timestamps are common enough in Kafka JSON to matter.

func digits2(b []byte, i int) (int, bool) {
	if i+2 > len(b) {
		return 0, false
	}
	c0, c1 := b[i]-'0', b[i+1]-'0'
	if c0 > 9 || c1 > 9 {
		return 0, false
	}
	return int(c0)*10 + int(c1), true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// parseDate reads YYYY-MM-DD at the start of b and returns days since
// 1970-01-01.
func parseDate(b []byte) (int64, bool) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	hi, ok1 := digits2(b, 0)
	lo, ok2 := digits2(b, 2)
	m, ok3 := digits2(b, 5)
	d, ok4 := digits2(b, 8)
	if !ok1 || !ok2 || !ok3 || !ok4 || m < 1 || m > 12 || d < 1 {
		return 0, false
	}
	y := hi*100 + lo
	md := monthDays[m]
	if m == 2 && isLeap(y) {
		md = 29
	}
	if d > md {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

// daysFromCivil is the proleptic Gregorian day number relative to 1970-01-01.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

// parseClock reads HH:MM:SS[.fraction] at the start of b and returns the
// nanoseconds of the day and the bytes read.
func parseClock(b []byte) (int64, int, bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, 0, false
	}
	h, ok1 := digits2(b, 0)
	mi, ok2 := digits2(b, 3)
	s, ok3 := digits2(b, 6)
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || s > 59 {
		return 0, 0, false
	}
	ns := (int64(h)*3600 + int64(mi)*60 + int64(s)) * 1e9
	i := 8
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		scale := int64(1e8)
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			// Digits past nanoseconds are truncated.
			ns += int64(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return 0, 0, false
		}
	}
	return ns, i, true
}

// parseRFC3339 reads an RFC 3339 date-time and returns nanoseconds since the
// epoch split into seconds and the nanosecond remainder. The separator may be
// 'T', 't' or ' '; a missing offset means UTC.
func parseRFC3339(b []byte) (sec int64, nsec int64, ok bool) {
	days, ok := parseDate(b)
	if !ok || len(b) < 11 || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') {
		return 0, 0, false
	}
	ns, n, ok := parseClock(b[11:])
	if !ok {
		return 0, 0, false
	}
	rest := b[11+n:]
	var off int64
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits2(rest, 1)
		om, ok2 := digits2(rest, 4)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, 0, false
		}
		off = int64(oh)*3600 + int64(om)*60
		if rest[0] == '-' {
			off = -off
		}
	default:
		return 0, 0, false
	}
	return days*86400 + ns/1e9 - off, ns % 1e9, true
}

// unitsPerSecond is the number of ticks of u in one second.
func unitsPerSecond(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Second:
		return 1
	case arrow.Millisecond:
		return 1e3
	case arrow.Microsecond:
		return 1e6
	}
	return 1e9
}

// toUnit converts seconds and nanoseconds to ticks of u, truncating finer
// digits, with an overflow check.
func toUnit(sec, nsec int64, u arrow.TimeUnit) (int64, bool) {
	per := unitsPerSecond(u)
	if sec > math.MaxInt64/per-1 || sec < math.MinInt64/per+1 {
		return 0, false
	}
	return sec*per + nsec/(1e9/per), true
}
