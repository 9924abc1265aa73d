package avroschema

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// AppendLong appends v as an Avro long (zigzag varint). Avro ints, enum
// indexes, union indexes, block counts and lengths use the same encoding.
func AppendLong(dst []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63) // #nosec G115 -- zigzag
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	return append(dst, byte(u))
}

// AppendFloat appends an Avro float: 4 bytes, little-endian IEEE 754.
func AppendFloat(dst []byte, v float32) []byte {
	return binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
}

// AppendDouble appends an Avro double: 8 bytes, little-endian IEEE 754.
func AppendDouble(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// AppendBytes appends Avro bytes: the length as a long, then the bytes.
func AppendBytes(dst, v []byte) []byte {
	return append(AppendLong(dst, int64(len(v))), v...)
}

// AppendString appends an Avro string.
func AppendString(dst []byte, v string) []byte {
	return append(AppendLong(dst, int64(len(v))), v...)
}

// AppendDefault appends the Avro binary encoding of a field default v (as
// Field.Default holds it) of type n. Plans encode each default once and
// replay the bytes for every record that lacks the field.
func AppendDefault(dst []byte, n *Node, v any) ([]byte, error) {
	switch n.Kind {
	case Null:
		if v != nil {
			return nil, fmt.Errorf("default %v for null", v)
		}
		return dst, nil
	case Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, badDefault(n, v)
		}
		if b {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case Int, Long:
		i, ok := defaultInt(v)
		if !ok || (n.Kind == Int && (i < math.MinInt32 || i > math.MaxInt32)) {
			return nil, badDefault(n, v)
		}
		return AppendLong(dst, i), nil
	case Float, Double:
		f, ok := defaultFloat(v)
		if !ok {
			return nil, badDefault(n, v)
		}
		if n.Kind == Float {
			return AppendFloat(dst, float32(f)), nil
		}
		return AppendDouble(dst, f), nil
	case Bytes, String:
		switch s := v.(type) {
		case string:
			return AppendString(dst, s), nil
		case []byte:
			return AppendBytes(dst, s), nil
		}
		return nil, badDefault(n, v)
	case Fixed:
		b, ok := v.([]byte)
		if !ok {
			if s, isStr := v.(string); isStr {
				b, ok = []byte(s), true
			}
		}
		if !ok || len(b) != n.Size {
			return nil, badDefault(n, v)
		}
		return append(dst, b...), nil
	case Enum:
		s, ok := v.(string)
		if !ok {
			return nil, badDefault(n, v)
		}
		i := slices.Index(n.Symbols, s)
		if i < 0 {
			return nil, fmt.Errorf("default %q is not a symbol of %s", s, n.Name)
		}
		return AppendLong(dst, int64(i)), nil
	case Array:
		items, ok := v.([]any)
		if !ok {
			return nil, badDefault(n, v)
		}
		if len(items) > 0 {
			dst = AppendLong(dst, int64(len(items)))
			for _, it := range items {
				var err error
				if dst, err = AppendDefault(dst, n.Items, it); err != nil {
					return nil, err
				}
			}
		}
		return append(dst, 0), nil
	case Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, badDefault(n, v)
		}
		if len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys) // stable bytes for the same default
			dst = AppendLong(dst, int64(len(keys)))
			for _, k := range keys {
				var err error
				dst = AppendString(dst, k)
				if dst, err = AppendDefault(dst, n.Values, m[k]); err != nil {
					return nil, err
				}
			}
		}
		return append(dst, 0), nil
	case Record:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, badDefault(n, v)
		}
		for _, f := range n.Fields {
			fv, ok := m[f.Name]
			if !ok {
				if !f.HasDefault {
					return nil, fmt.Errorf("default for %s lacks field %q", n.Name, f.Name)
				}
				fv = f.Default
			}
			var err error
			if dst, err = AppendDefault(dst, f.Type, fv); err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		return dst, nil
	case Union:
		// The parser has already picked the branch: the Go type of v tells
		// which one. Try an exact match of kinds first, then any branch.
		for _, exact := range []bool{true, false} {
			for i, b := range n.Branches {
				if exact && !goTypeMatches(b, v) {
					continue
				}
				out, err := AppendDefault(AppendLong(dst, int64(i)), b, v)
				if err == nil {
					return out, nil
				}
			}
		}
		return nil, badDefault(n, v)
	}
	return nil, badDefault(n, v)
}

func badDefault(n *Node, v any) error {
	return fmt.Errorf("default %v (%T) does not fit %s", v, v, n.TypeName())
}

// goTypeMatches reports whether v has the Go type the parser gives defaults
// of n's kind.
func goTypeMatches(n *Node, v any) bool {
	switch v.(type) {
	case nil:
		return n.Kind == Null
	case bool:
		return n.Kind == Boolean
	case int32:
		return n.Kind == Int
	case int64:
		return n.Kind == Long
	case float32:
		return n.Kind == Float
	case float64:
		return n.Kind == Double
	case string:
		return n.Kind == String || n.Kind == Enum
	case []byte:
		return n.Kind == Bytes || n.Kind == Fixed
	case []any:
		return n.Kind == Array
	case map[string]any:
		return n.Kind == Record || n.Kind == Map
	}
	return false
}

func defaultInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
	}
	return 0, false
}

func defaultFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}
