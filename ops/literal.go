package ops

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Literals are converted once, at bind time, to the physical Go value the
// kernels compare or compute with (int32 for Int32 and Date32, int64 for
// Timestamp, string for String and Binary, ...). Conversions are exact: a
// literal that would change value is an error, except a float literal against
// an integer column, which widens the column to float64 instead.

// errWiden says the literal fits the column only if the column is widened
// (an int column against 1.5, or an int8 column against 1000).
var errWiden = errors.New("literal needs a wider type")

// litKind classifies a Go number.
type litKind uint8

const (
	kindOther litKind = iota
	kindSigned
	kindUnsigned
	kindFloat
)

// unpackScalar turns the common arrow scalars into Go values so they convert
// like any other literal. Invalid scalars are nil (NULL).
func unpackScalar(v any) any {
	s, ok := v.(scalar.Scalar)
	if !ok {
		return v
	}
	if !s.IsValid() {
		return nil
	}
	switch s := s.(type) {
	case *scalar.Boolean:
		return s.Value
	case *scalar.Int8:
		return s.Value
	case *scalar.Int16:
		return s.Value
	case *scalar.Int32:
		return s.Value
	case *scalar.Int64:
		return s.Value
	case *scalar.Uint8:
		return s.Value
	case *scalar.Uint16:
		return s.Value
	case *scalar.Uint32:
		return s.Value
	case *scalar.Uint64:
		return s.Value
	case *scalar.Float32:
		return s.Value
	case *scalar.Float64:
		return s.Value
	case *scalar.String:
		return string(s.Data())
	case *scalar.LargeString:
		return string(s.Data())
	case *scalar.Binary:
		return append([]byte(nil), s.Data()...)
	case *scalar.LargeBinary:
		return append([]byte(nil), s.Data()...)
	case *scalar.Timestamp:
		return s.Value.ToTime(s.Type.(*arrow.TimestampType).Unit)
	case *scalar.Date32:
		return s.Value.ToTime()
	case *scalar.Date64:
		return s.Value.ToTime()
	case *scalar.Duration:
		return time.Duration(int64(s.Value) * int64(s.Type.(*arrow.DurationType).Unit.Multiplier()))
	}
	return v
}

func numberOf(v any) (i int64, u uint64, f float64, k litKind) {
	switch v := v.(type) {
	case int:
		return int64(v), 0, 0, kindSigned
	case int8:
		return int64(v), 0, 0, kindSigned
	case int16:
		return int64(v), 0, 0, kindSigned
	case int32:
		return int64(v), 0, 0, kindSigned
	case int64:
		return v, 0, 0, kindSigned
	case uint:
		return 0, uint64(v), 0, kindUnsigned
	case uint8:
		return 0, uint64(v), 0, kindUnsigned
	case uint16:
		return 0, uint64(v), 0, kindUnsigned
	case uint32:
		return 0, uint64(v), 0, kindUnsigned
	case uint64:
		return 0, v, 0, kindUnsigned
	case float32:
		return 0, 0, float64(v), kindFloat
	case float64:
		return 0, 0, v, kindFloat
	}
	return 0, 0, 0, kindOther
}

// literalType is the Arrow type of a literal standing alone.
func literalType(v any) (arrow.DataType, error) {
	if s, ok := v.(scalar.Scalar); ok {
		return s.DataType(), nil
	}
	switch v.(type) {
	case nil:
		return arrow.Null, nil
	case bool:
		return arrow.FixedWidthTypes.Boolean, nil
	case int, int64:
		return arrow.PrimitiveTypes.Int64, nil
	case int8:
		return arrow.PrimitiveTypes.Int8, nil
	case int16:
		return arrow.PrimitiveTypes.Int16, nil
	case int32:
		return arrow.PrimitiveTypes.Int32, nil
	case uint, uint64:
		return arrow.PrimitiveTypes.Uint64, nil
	case uint8:
		return arrow.PrimitiveTypes.Uint8, nil
	case uint16:
		return arrow.PrimitiveTypes.Uint16, nil
	case uint32:
		return arrow.PrimitiveTypes.Uint32, nil
	case float32:
		return arrow.PrimitiveTypes.Float32, nil
	case float64:
		return arrow.PrimitiveTypes.Float64, nil
	case string:
		return arrow.BinaryTypes.String, nil
	case []byte:
		return arrow.BinaryTypes.Binary, nil
	case time.Time:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	case time.Duration:
		return arrow.FixedWidthTypes.Duration_ns, nil
	}
	return nil, fmt.Errorf("unsupported literal of Go type %T", v)
}

// literalScalar is the arrow scalar of a literal of type dt.
func literalScalar(v any, dt arrow.DataType) (scalar.Scalar, error) {
	if s, ok := v.(scalar.Scalar); ok && arrow.TypeEqual(s.DataType(), dt) {
		return s, nil
	}
	v = unpackScalar(v)
	if v == nil {
		return scalar.MakeNullScalar(dt), nil
	}
	p, err := coerce(v, dt)
	if err != nil {
		return nil, err
	}
	switch dt.ID() {
	case arrow.TIMESTAMP:
		return scalar.NewTimestampScalar(arrow.Timestamp(p.(int64)), dt), nil
	case arrow.DURATION:
		return scalar.NewDurationScalar(arrow.Duration(p.(int64)), dt), nil
	case arrow.DATE32:
		return scalar.NewDate32Scalar(arrow.Date32(p.(int32))), nil
	case arrow.BINARY:
		return scalar.MakeScalarParam([]byte(p.(string)), dt)
	}
	return scalar.MakeScalarParam(p, dt)
}

// coerce converts a Go literal (not nil) to the physical value of type dt.
func coerce(v any, dt arrow.DataType) (any, error) {
	v = unpackScalar(v)
	i, u, f, k := numberOf(v)
	if k == kindOther && arrow.IsInteger(dt.ID()) {
		return nil, fmt.Errorf("cannot use %T literal %s as %s", v, litText(v), dt)
	}
	switch dt.ID() {
	case arrow.INT8:
		return toSigned[int8](i, u, f, k, math.MinInt8, math.MaxInt8)
	case arrow.INT16:
		return toSigned[int16](i, u, f, k, math.MinInt16, math.MaxInt16)
	case arrow.INT32:
		return toSigned[int32](i, u, f, k, math.MinInt32, math.MaxInt32)
	case arrow.INT64:
		return toSigned[int64](i, u, f, k, math.MinInt64, math.MaxInt64)
	case arrow.UINT8:
		return toUnsigned[uint8](i, u, f, k, math.MaxUint8)
	case arrow.UINT16:
		return toUnsigned[uint16](i, u, f, k, math.MaxUint16)
	case arrow.UINT32:
		return toUnsigned[uint32](i, u, f, k, math.MaxUint32)
	case arrow.UINT64:
		return toUnsigned[uint64](i, u, f, k, math.MaxUint64)
	case arrow.FLOAT32:
		if k == kindOther {
			return nil, errNotNumber(v)
		}
		return float32(asFloat(i, u, f, k)), nil
	case arrow.FLOAT64:
		if k == kindOther {
			return nil, errNotNumber(v)
		}
		return asFloat(i, u, f, k), nil
	case arrow.BOOL:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		switch s := v.(type) {
		case string:
			return s, nil
		case []byte:
			return string(s), nil
		}
	case arrow.TIMESTAMP:
		return coerceTimestamp(v, k, i, dt.(*arrow.TimestampType).Unit)
	case arrow.DATE32:
		return coerceDate(v, k, i, false)
	case arrow.DATE64:
		return coerceDate(v, k, i, true)
	case arrow.DURATION:
		return coerceDuration(v, k, i, dt.(*arrow.DurationType).Unit)
	case arrow.TIME32:
		if k == kindSigned && i >= math.MinInt32 && i <= math.MaxInt32 {
			return int32(i), nil
		}
		if d, ok := v.(time.Duration); ok {
			x, err := durationIn(d, dt.(*arrow.Time32Type).Unit)
			if err != nil || x < math.MinInt32 || x > math.MaxInt32 {
				return nil, fmt.Errorf("duration %s does not fit %s", d, dt)
			}
			return int32(x), nil
		}
	case arrow.TIME64:
		if k == kindSigned {
			return i, nil
		}
		if d, ok := v.(time.Duration); ok {
			return durationIn(d, dt.(*arrow.Time64Type).Unit)
		}
	case arrow.DECIMAL32:
		t := dt.(*arrow.Decimal32Type)
		n, err := coerceDecimal(v, k, i, u, f, t.Precision, t.Scale,
			decimal.Decimal32FromString, decimal.Decimal32FromFloat[float64],
			func(x int64) decimal.Decimal32 { return decimal.Decimal32(x) }) //nolint:gosec // G115: digits checked against precision first
		if err != nil {
			return nil, err
		}
		return int32(n.(decimal.Decimal32)), nil
	case arrow.DECIMAL64:
		t := dt.(*arrow.Decimal64Type)
		n, err := coerceDecimal(v, k, i, u, f, t.Precision, t.Scale,
			decimal.Decimal64FromString, decimal.Decimal64FromFloat[float64],
			func(x int64) decimal.Decimal64 { return decimal.Decimal64(x) })
		if err != nil {
			return nil, err
		}
		return int64(n.(decimal.Decimal64)), nil
	case arrow.DECIMAL128:
		t := dt.(*arrow.Decimal128Type)
		if n, ok := v.(decimal128.Num); ok {
			// an unscaled value, read in the column's scale
			if !n.FitsInPrecision(t.Precision) {
				return nil, fmt.Errorf("%s does not fit precision %d", litText(v), t.Precision)
			}
			return n, nil
		}
		return coerceDecimal(v, k, i, u, f, t.Precision, t.Scale,
			decimal128.FromString, decimal128.FromFloat64, decimal128.FromI64)
	case arrow.DECIMAL256:
		t := dt.(*arrow.Decimal256Type)
		if n, ok := v.(decimal256.Num); ok {
			if !n.FitsInPrecision(t.Precision) {
				return nil, fmt.Errorf("%s does not fit precision %d", litText(v), t.Precision)
			}
			return n, nil
		}
		return coerceDecimal(v, k, i, u, f, t.Precision, t.Scale,
			decimal256.FromString, decimal256.FromFloat64, decimal256.FromI64)
	}
	return nil, fmt.Errorf("cannot use %T literal %s as %s", v, litText(v), dt)
}

func errNotNumber(v any) error {
	return fmt.Errorf("cannot use %T literal %s as a number", v, litText(v))
}

func asFloat(i int64, u uint64, f float64, k litKind) float64 {
	switch k {
	case kindSigned:
		return float64(i)
	case kindUnsigned:
		return float64(u)
	}
	return f
}

func toSigned[T int8 | int16 | int32 | int64](i int64, u uint64, f float64, k litKind, lo, hi int64) (any, error) {
	switch k {
	case kindSigned:
		if i >= lo && i <= hi {
			return T(i), nil
		}
		return nil, errWiden
	case kindUnsigned:
		if u <= uint64(hi) { //nolint:gosec // G115: hi is a positive maximum
			return T(u), nil
		}
		return nil, errWiden
	case kindFloat:
		// -lo is 2^(bits-1), exact in float64
		if f == math.Trunc(f) && f >= float64(lo) && f < -float64(lo) {
			return T(f), nil
		}
		return nil, errWiden
	}
	return nil, errWiden
}

func toUnsigned[T uint8 | uint16 | uint32 | uint64](i int64, u uint64, f float64, k litKind, hi uint64) (any, error) {
	switch k {
	case kindSigned:
		if i >= 0 && uint64(i) <= hi {
			return T(i), nil
		}
		return nil, errWiden
	case kindUnsigned:
		if u <= hi {
			return T(u), nil
		}
		return nil, errWiden
	case kindFloat:
		// 2*(hi/2+1) is 2^bits, exact in float64
		if f == math.Trunc(f) && f >= 0 && f < 2*float64(hi/2+1) {
			return T(f), nil
		}
		return nil, errWiden
	}
	return nil, errWiden
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a 2006-01-02 date", s)
}

func coerceTimestamp(v any, k litKind, i int64, unit arrow.TimeUnit) (any, error) {
	if k == kindSigned {
		return i, nil
	}
	var t time.Time
	switch v := v.(type) {
	case time.Time:
		t = v
	case string:
		var err error
		if t, err = parseTime(v); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("cannot use %T literal %s as a timestamp", v, litText(v))
	}
	ts, err := arrow.TimestampFromTime(t, unit)
	if err != nil {
		return nil, err
	}
	if !ts.ToTime(unit).Equal(t) {
		return nil, fmt.Errorf("time %s is not a whole number of %s", t.Format(time.RFC3339Nano), unit)
	}
	return int64(ts), nil
}

// coerceDate converts to a date: days since the epoch for Date32, the
// milliseconds of that midnight for Date64. Times must be midnight UTC;
// integers are taken as the raw stored value.
func coerceDate(v any, k litKind, i int64, date64 bool) (any, error) {
	if k == kindSigned {
		if date64 {
			return i, nil
		}
		if i < math.MinInt32 || i > math.MaxInt32 {
			return nil, fmt.Errorf("%d does not fit date32", i)
		}
		return int32(i), nil
	}
	var t time.Time
	switch v := v.(type) {
	case time.Time:
		t = v
	case string:
		var err error
		if t, err = parseTime(v); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("cannot use %T literal %s as a date", v, litText(v))
	}
	const secsPerDay = 86400
	sec := t.Unix()
	if sec%secsPerDay != 0 || t.Nanosecond() != 0 {
		return nil, fmt.Errorf("time %s is not a midnight UTC", t.Format(time.RFC3339Nano))
	}
	days := sec / secsPerDay
	if date64 {
		return days * secsPerDay * 1000, nil
	}
	if days < math.MinInt32 || days > math.MaxInt32 {
		return nil, fmt.Errorf("time %s does not fit date32", t.Format(time.RFC3339Nano))
	}
	return int32(days), nil
}

func coerceDuration(v any, k litKind, i int64, unit arrow.TimeUnit) (any, error) {
	if k == kindSigned {
		return i, nil
	}
	if d, ok := v.(time.Duration); ok {
		return durationIn(d, unit)
	}
	return nil, fmt.Errorf("cannot use %T literal %s as a duration", v, litText(v))
}

func durationIn(d time.Duration, unit arrow.TimeUnit) (int64, error) {
	m := int64(unit.Multiplier())
	if int64(d)%m != 0 {
		return 0, fmt.Errorf("duration %s is not a whole number of %s", d, unit)
	}
	return int64(d) / m, nil
}

type decimalNum[T any] interface {
	IncreaseScaleBy(int32) T
	FitsInPrecision(int32) bool
	ToString(int32) string
}

// coerceDecimal converts to a decimal of the column's precision and scale.
// Strings and integers must be exact; floats are rounded to the scale (a
// binary float rarely has an exact decimal form).
func coerceDecimal[T decimalNum[T]](v any, k litKind, i int64, u uint64, f float64, prec, scale int32,
	fromString func(string, int32, int32) (T, error),
	fromFloat func(float64, int32, int32) (T, error),
	fromInt func(int64) T,
) (any, error) {
	var n T
	var err error
	switch {
	case k == kindSigned || k == kindUnsigned && u <= math.MaxInt64:
		if k == kindUnsigned {
			i = int64(u) //nolint:gosec // G115: u <= MaxInt64 checked in the case
		}
		if scale < 0 {
			return nil, errors.New("integer literal against a negative-scale decimal")
		}
		// at most prec-scale integer digits, checked before scaling so the
		// scaling cannot overflow the decimal's width
		if digits(i) > int(prec-scale) {
			return nil, fmt.Errorf("%s does not fit precision %d scale %d", litText(v), prec, scale)
		}
		n = fromInt(i).IncreaseScaleBy(scale)
	case k == kindFloat:
		if n, err = fromFloat(f, prec, scale); err != nil {
			return nil, err
		}
	default:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("cannot use %T literal %s as a decimal", v, litText(v))
		}
		if n, err = fromString(s, prec, scale); err != nil {
			return nil, fmt.Errorf("%q is not a decimal that fits precision %d: %w", s, prec, err)
		}
		want, ok1 := new(big.Rat).SetString(s)
		got, ok2 := new(big.Rat).SetString(n.ToString(scale))
		if !ok1 || !ok2 || want.Cmp(got) != 0 {
			return nil, fmt.Errorf("%s has more digits than scale %d", s, scale)
		}
	}
	if !n.FitsInPrecision(prec) {
		return nil, fmt.Errorf("%s does not fit precision %d", litText(v), prec)
	}
	return n, nil
}

// digits counts the decimal digits of |i| (0 has one).
func digits(i int64) int {
	u := uint64(i) //nolint:gosec // G115: replaced below when negative
	if i < 0 {
		u = uint64(-(i + 1)) + 1 //nolint:gosec // G115: -(i+1) >= 0
	}
	d := 1
	for u >= 10 {
		u /= 10
		d++
	}
	return d
}
