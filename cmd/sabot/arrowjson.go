package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// This file reads an Arrow schema written as JSON in the form of Arrow's
// integration-test format (format/Integration.rst in the Arrow repository):
//
//	{"fields": [{"name": "id", "nullable": false, "type": {"name": "int", "bitWidth": 64, "isSigned": true}, "children": []}, ...]}
//
// optionally wrapped as {"schema": {...}}. arrow-go's reader of that format
// is internal to arrow-go, so the schema part is read here. Nested types
// take their element fields from "children"; a dictionary-encoded field
// carries {"dictionary": {"indexType": {...}}} and its value type in "type".

type arrowJSONSchema struct {
	Fields   []arrowJSONField `json:"fields"`
	Metadata []arrowJSONKV    `json:"metadata"`
}

type arrowJSONField struct {
	Name       string           `json:"name"`
	Nullable   *bool            `json:"nullable"`
	Type       json.RawMessage  `json:"type"`
	Children   []arrowJSONField `json:"children"`
	Dictionary *struct {
		IndexType json.RawMessage `json:"indexType"`
		IsOrdered bool            `json:"isOrdered"`
	} `json:"dictionary"`
	Metadata []arrowJSONKV `json:"metadata"`
}

type arrowJSONKV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// arrowJSONType holds every parameter any type takes; each type reads its own.
type arrowJSONType struct {
	Name      string `json:"name"`
	BitWidth  int    `json:"bitWidth"`
	IsSigned  bool   `json:"isSigned"`
	Precision any    `json:"precision"` // "HALF"/"SINGLE"/"DOUBLE" for floats, a number for decimals
	Scale     int32  `json:"scale"`
	ByteWidth int    `json:"byteWidth"`
	Unit      string `json:"unit"`
	Timezone  string `json:"timezone"`
	ListSize  int32  `json:"listSize"`
	Sorted    bool   `json:"keysSorted"`
}

// maxArrowJSONDepth bounds the nesting of a layout file's types.
const maxArrowJSONDepth = 64

// parseArrowJSONSchema reads an Arrow schema in the integration JSON form.
func parseArrowJSONSchema(text []byte) (*arrow.Schema, error) {
	var wrapped struct {
		Schema *arrowJSONSchema `json:"schema"`
	}
	var s arrowJSONSchema
	if err := json.Unmarshal(text, &wrapped); err == nil && wrapped.Schema != nil {
		s = *wrapped.Schema
	} else if err := json.Unmarshal(text, &s); err != nil {
		return nil, fmt.Errorf("as an Arrow schema in JSON: %w", err)
	}
	if len(s.Fields) == 0 {
		return nil, errors.New("as an Arrow schema in JSON: no fields")
	}
	fields := make([]arrow.Field, len(s.Fields))
	for i, f := range s.Fields {
		af, err := f.field(f.Name, 0)
		if err != nil {
			return nil, fmt.Errorf("as an Arrow schema in JSON: %w", err)
		}
		fields[i] = af
	}
	md := metadataOf(s.Metadata)
	return arrow.NewSchema(fields, &md), nil
}

func metadataOf(kvs []arrowJSONKV) arrow.Metadata {
	keys := make([]string, len(kvs))
	vals := make([]string, len(kvs))
	for i, kv := range kvs {
		keys[i], vals[i] = kv.Key, kv.Value
	}
	return arrow.NewMetadata(keys, vals)
}

// field converts f; path names it in errors.
func (f arrowJSONField) field(path string, depth int) (arrow.Field, error) {
	if depth > maxArrowJSONDepth {
		return arrow.Field{}, fmt.Errorf("field %s: nested deeper than %d", path, maxArrowJSONDepth)
	}
	t, err := f.dataType(path, depth)
	if err != nil {
		return arrow.Field{}, err
	}
	if f.Dictionary != nil {
		var it arrowJSONType
		if err := json.Unmarshal(f.Dictionary.IndexType, &it); err != nil {
			return arrow.Field{}, fmt.Errorf("field %s: dictionary indexType: %w", path, err)
		}
		idx, err := intType(it)
		if err != nil || it.Name != "int" {
			return arrow.Field{}, fmt.Errorf("field %s: dictionary indexType must be an int type", path)
		}
		t = &arrow.DictionaryType{IndexType: idx, ValueType: t, Ordered: f.Dictionary.IsOrdered}
	}
	nullable := true
	if f.Nullable != nil {
		nullable = *f.Nullable
	}
	return arrow.Field{Name: f.Name, Type: t, Nullable: nullable, Metadata: metadataOf(f.Metadata)}, nil
}

func (f arrowJSONField) children(path string, depth, want int) ([]arrow.Field, error) {
	if want >= 0 && len(f.Children) != want {
		return nil, fmt.Errorf("field %s: want %d children, found %d", path, want, len(f.Children))
	}
	out := make([]arrow.Field, len(f.Children))
	for i, c := range f.Children {
		cf, err := c.field(path+"."+c.Name, depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = cf
	}
	return out, nil
}

func (f arrowJSONField) dataType(path string, depth int) (arrow.DataType, error) {
	var t arrowJSONType
	if err := json.Unmarshal(f.Type, &t); err != nil || t.Name == "" {
		return nil, fmt.Errorf("field %s: want a type object with a name", path)
	}
	bad := func(what string) error {
		return fmt.Errorf("field %s: type %s: %s", path, t.Name, what)
	}
	switch t.Name {
	case "null":
		return arrow.Null, nil
	case "bool":
		return arrow.FixedWidthTypes.Boolean, nil
	case "int":
		it, err := intType(t)
		if err != nil {
			return nil, bad(err.Error())
		}
		return it, nil
	case "floatingpoint":
		switch t.Precision {
		case "HALF":
			return arrow.FixedWidthTypes.Float16, nil
		case "SINGLE":
			return arrow.PrimitiveTypes.Float32, nil
		case "DOUBLE":
			return arrow.PrimitiveTypes.Float64, nil
		}
		return nil, bad("precision must be HALF, SINGLE or DOUBLE")
	case "utf8":
		return arrow.BinaryTypes.String, nil
	case "largeutf8":
		return arrow.BinaryTypes.LargeString, nil
	case "binary":
		return arrow.BinaryTypes.Binary, nil
	case "largebinary":
		return arrow.BinaryTypes.LargeBinary, nil
	case "fixedsizebinary":
		if t.ByteWidth <= 0 {
			return nil, bad("byteWidth must be positive")
		}
		return &arrow.FixedSizeBinaryType{ByteWidth: t.ByteWidth}, nil
	case "decimal":
		p, ok := t.Precision.(float64)
		if !ok || p < 1 || p > 76 || p != float64(int32(p)) {
			return nil, bad("precision must be a number from 1 to 76")
		}
		dt, err := arrow.NewDecimalType(decimalID(t.BitWidth), int32(p), t.Scale)
		if err != nil {
			return nil, bad(err.Error())
		}
		return dt, nil
	case "date":
		switch t.Unit {
		case "DAY":
			return arrow.FixedWidthTypes.Date32, nil
		case "MILLISECOND":
			return arrow.FixedWidthTypes.Date64, nil
		}
		return nil, bad("unit must be DAY or MILLISECOND")
	case "time":
		u, ok := timeUnit(t.Unit)
		switch {
		case ok && t.BitWidth == 32 && (u == arrow.Second || u == arrow.Millisecond):
			return &arrow.Time32Type{Unit: u}, nil
		case ok && t.BitWidth == 64 && (u == arrow.Microsecond || u == arrow.Nanosecond):
			return &arrow.Time64Type{Unit: u}, nil
		}
		return nil, bad("want bitWidth 32 with SECOND or MILLISECOND, or 64 with MICROSECOND or NANOSECOND")
	case "timestamp":
		u, ok := timeUnit(t.Unit)
		if !ok {
			return nil, bad("unknown unit")
		}
		return &arrow.TimestampType{Unit: u, TimeZone: t.Timezone}, nil
	case "duration":
		u, ok := timeUnit(t.Unit)
		if !ok {
			return nil, bad("unknown unit")
		}
		return &arrow.DurationType{Unit: u}, nil
	case "list", "largelist", "fixedsizelist":
		kids, err := f.children(path, depth, 1)
		if err != nil {
			return nil, err
		}
		switch t.Name {
		case "list":
			return arrow.ListOfField(kids[0]), nil
		case "largelist":
			return arrow.LargeListOfField(kids[0]), nil
		}
		if t.ListSize <= 0 {
			return nil, bad("listSize must be positive")
		}
		return arrow.FixedSizeListOfField(t.ListSize, kids[0]), nil
	case "struct":
		kids, err := f.children(path, depth, -1)
		if err != nil {
			return nil, err
		}
		return arrow.StructOf(kids...), nil
	case "map":
		kids, err := f.children(path, depth, 1)
		if err != nil {
			return nil, err
		}
		entries, ok := kids[0].Type.(*arrow.StructType)
		if !ok || entries.NumFields() != 2 {
			return nil, bad("its one child must be a struct of a key and a value")
		}
		mt := arrow.MapOfWithMetadata(entries.Field(0).Type, entries.Field(0).Metadata, entries.Field(1).Type, entries.Field(1).Metadata)
		mt.KeysSorted = t.Sorted
		if !entries.Field(1).Nullable {
			mt.SetItemNullable(false)
		}
		return mt, nil
	}
	return nil, bad("not supported in a layout (want one of null, bool, int, floatingpoint, utf8, largeutf8, binary, largebinary, fixedsizebinary, decimal, date, time, timestamp, duration, list, largelist, fixedsizelist, struct, map)")
}

func intType(t arrowJSONType) (arrow.DataType, error) {
	switch t.BitWidth {
	case 8:
		if t.IsSigned {
			return arrow.PrimitiveTypes.Int8, nil
		}
		return arrow.PrimitiveTypes.Uint8, nil
	case 16:
		if t.IsSigned {
			return arrow.PrimitiveTypes.Int16, nil
		}
		return arrow.PrimitiveTypes.Uint16, nil
	case 32:
		if t.IsSigned {
			return arrow.PrimitiveTypes.Int32, nil
		}
		return arrow.PrimitiveTypes.Uint32, nil
	case 64:
		if t.IsSigned {
			return arrow.PrimitiveTypes.Int64, nil
		}
		return arrow.PrimitiveTypes.Uint64, nil
	}
	return nil, errors.New("bitWidth must be 8, 16, 32 or 64")
}

func decimalID(bits int) arrow.Type {
	if bits == 256 {
		return arrow.DECIMAL256
	}
	return arrow.DECIMAL128 // the format's default width
}

func timeUnit(s string) (arrow.TimeUnit, bool) {
	switch strings.ToUpper(s) {
	case "SECOND":
		return arrow.Second, true
	case "MILLISECOND":
		return arrow.Millisecond, true
	case "MICROSECOND":
		return arrow.Microsecond, true
	case "NANOSECOND":
		return arrow.Nanosecond, true
	}
	return 0, false
}
