package avro

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	twmb "github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/encode"
)

// DeriveSchema returns the Avro schema the encoder writes for Arrow schema s
// when no writer schema is given: a record named name in namespace ns with
// one field per column. See the package documentation for the type mapping.
func DeriveSchema(s *arrow.Schema, name, ns string) (string, error) {
	scope := name
	if ns != "" {
		scope = ns + "." + name
	}
	root := twmb.SchemaNode{Type: "record", Name: name, Namespace: ns}
	for _, f := range s.Fields() {
		sf, err := deriveField(f, scope, f.Name)
		if err != nil {
			return "", err
		}
		root.Fields = append(root.Fields, sf)
	}
	// Validate with the parser, but write the JSON ourselves: the
	// parser's String sorts keys, and people read registered schemas.
	if _, err := root.Schema(); err != nil {
		return "", fmt.Errorf("avro: derived schema: %w: %w", err, encode.ErrUnsupported)
	}
	return string(appendJSON(nil, &root)), nil
}

// appendJSON writes a derived schema node with its keys in the usual order.
func appendJSON(dst []byte, n *twmb.SchemaNode) []byte {
	if n.Type != "record" && n.Type != "fixed" && n.Type != "array" && n.Type != "map" && n.Type != "union" && n.LogicalType == "" {
		return strconv.AppendQuote(dst, n.Type)
	}
	if n.Type == "union" {
		dst = append(dst, '[')
		for i := range n.Branches {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, &n.Branches[i])
		}
		return append(dst, ']')
	}
	dst = append(dst, `{"type":`...)
	dst = strconv.AppendQuote(dst, n.Type)
	if n.Name != "" {
		dst = strconv.AppendQuote(append(dst, `,"name":`...), n.Name)
	}
	if n.Namespace != "" {
		dst = strconv.AppendQuote(append(dst, `,"namespace":`...), n.Namespace)
	}
	switch n.Type {
	case "record":
		dst = append(dst, `,"fields":[`...)
		for i := range n.Fields {
			f := &n.Fields[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendQuote(append(dst, `{"name":`...), f.Name)
			dst = appendJSON(append(dst, `,"type":`...), &f.Type)
			if f.HasDefault {
				dst = append(dst, `,"default":null`...)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	case "fixed":
		dst = strconv.AppendInt(append(dst, `,"size":`...), int64(n.Size), 10)
	case "array":
		dst = appendJSON(append(dst, `,"items":`...), n.Items)
	case "map":
		dst = appendJSON(append(dst, `,"values":`...), n.Values)
	}
	if n.LogicalType != "" {
		dst = strconv.AppendQuote(append(dst, `,"logicalType":`...), n.LogicalType)
		if n.LogicalType == "decimal" {
			dst = strconv.AppendInt(append(dst, `,"precision":`...), int64(n.Precision), 10)
			dst = strconv.AppendInt(append(dst, `,"scale":`...), int64(n.Scale), 10)
		}
	}
	return append(dst, '}')
}

func deriveField(f arrow.Field, scope, path string) (twmb.SchemaField, error) {
	if !validName(f.Name) {
		return twmb.SchemaField{}, fmt.Errorf("avro: field %s: %q is not a valid Avro name: %w", path, f.Name, encode.ErrUnsupported)
	}
	t, err := deriveType(f.Type, f.Nullable, scope, f.Name, path)
	if err != nil {
		return twmb.SchemaField{}, err
	}
	sf := twmb.SchemaField{Name: f.Name, Type: t}
	if f.Nullable {
		sf.HasDefault = true // null, the first branch
	}
	return sf, nil
}

// validName reports whether s is an Avro name: [A-Za-z_][A-Za-z0-9_]*.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func prim(t string) twmb.SchemaNode { return twmb.SchemaNode{Type: t} }

func logical(t, l string) twmb.SchemaNode { return twmb.SchemaNode{Type: t, LogicalType: l} }

// deriveType maps Arrow type t to an Avro type. Named types (records, fixed)
// take name in namespace scope; nested ones extend the scope, so names are
// unique along the field path.
func deriveType(t arrow.DataType, nullable bool, scope, name, path string) (twmb.SchemaNode, error) {
	n, err := deriveValue(t, scope, name, path)
	if err != nil || !nullable || t.ID() == arrow.NULL {
		return n, err
	}
	return twmb.SchemaNode{Type: "union", Branches: []twmb.SchemaNode{prim("null"), n}}, nil
}

func deriveValue(t arrow.DataType, scope, name, path string) (twmb.SchemaNode, error) {
	switch tt := t.(type) {
	case *arrow.NullType:
		return prim("null"), nil
	case *arrow.BooleanType:
		return prim("boolean"), nil
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Uint8Type, *arrow.Uint16Type:
		return prim("int"), nil
	case *arrow.Int64Type, *arrow.Uint32Type, *arrow.Uint64Type, *arrow.DurationType:
		return prim("long"), nil
	case *arrow.Float32Type:
		return prim("float"), nil
	case *arrow.Float64Type:
		return prim("double"), nil
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return prim("string"), nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType:
		return prim("bytes"), nil
	case *arrow.FixedSizeBinaryType:
		return twmb.SchemaNode{Type: "fixed", Name: name, Namespace: scope, Size: tt.ByteWidth}, nil
	case *arrow.Decimal128Type:
		return twmb.SchemaNode{Type: "bytes", LogicalType: "decimal", Precision: int(tt.Precision), Scale: int(tt.Scale)}, nil
	case *arrow.Decimal256Type:
		return twmb.SchemaNode{Type: "bytes", LogicalType: "decimal", Precision: int(tt.Precision), Scale: int(tt.Scale)}, nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return logical("int", "date"), nil
	case *arrow.Time32Type:
		return logical("int", "time-millis"), nil
	case *arrow.Time64Type:
		return logical("long", "time-micros"), nil
	case *arrow.TimestampType:
		unit := map[arrow.TimeUnit]string{arrow.Second: "millis", arrow.Millisecond: "millis",
			arrow.Microsecond: "micros", arrow.Nanosecond: "nanos"}[tt.Unit]
		if tt.TimeZone == "" {
			return logical("long", "local-timestamp-"+unit), nil
		}
		return logical("long", "timestamp-"+unit), nil
	case *arrow.MonthDayNanoIntervalType:
		return twmb.SchemaNode{Type: "fixed", Name: name, Namespace: scope, Size: 12, LogicalType: "duration"}, nil
	case *arrow.DictionaryType:
		if isStringDict(t) {
			return prim("string"), nil
		}
	case *arrow.ListType:
		return deriveItems(tt.ElemField(), scope, name, path)
	case *arrow.LargeListType:
		return deriveItems(tt.ElemField(), scope, name, path)
	case *arrow.FixedSizeListType:
		return deriveItems(tt.ElemField(), scope, name, path)
	case *arrow.MapType:
		if k := tt.KeyType().ID(); k != arrow.STRING && k != arrow.LARGE_STRING {
			return twmb.SchemaNode{}, fmt.Errorf("avro: field %s: map keys are %s, Avro map keys are strings: %w",
				path, tt.KeyType(), encode.ErrUnsupported)
		}
		v, err := deriveType(tt.ItemType(), tt.ItemField().Nullable, scope, name+"_value", path+"{}")
		if err != nil {
			return twmb.SchemaNode{}, err
		}
		return twmb.SchemaNode{Type: "map", Values: &v}, nil
	case *arrow.StructType:
		rec := twmb.SchemaNode{Type: "record", Name: name, Namespace: scope}
		for _, f := range tt.Fields() {
			sf, err := deriveField(f, scope+"."+name, path+"."+f.Name)
			if err != nil {
				return twmb.SchemaNode{}, err
			}
			rec.Fields = append(rec.Fields, sf)
		}
		return rec, nil
	}
	return twmb.SchemaNode{}, fmt.Errorf("avro: field %s: Arrow %s has no Avro mapping: %w", path, t, encode.ErrUnsupported)
}

func deriveItems(elem arrow.Field, scope, name, path string) (twmb.SchemaNode, error) {
	items, err := deriveType(elem.Type, elem.Nullable, scope, name+"_item", path+"[]")
	if err != nil {
		return twmb.SchemaNode{}, err
	}
	return twmb.SchemaNode{Type: "array", Items: &items}, nil
}
