package avroschema

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// MapOptions choose between the Arrow representations the mapping offers.
type MapOptions struct {
	// EnumsAsStrings maps enums to utf8 instead of Dictionary<int32, utf8>.
	EnumsAsStrings bool
	// MaxDepth caps the nesting of records, arrays, maps and unions (0: no cap).
	MaxDepth int
}

// MappingError reports a schema construct with no Arrow mapping, naming the
// field path where it sits.
type MappingError struct {
	Path   string
	Reason string
	// Limit is set when the construct is only too deep for MaxDepth.
	Limit bool
}

func (e *MappingError) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return "field " + e.Path + ": " + e.Reason
}

// UTC is the time zone of the timestamp types that denote instants.
const UTC = "UTC"

// DictionaryType is the Arrow type of enums in dictionary mode.
var DictionaryType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// ArrowType returns the Arrow type that values of n decode into and whether
// they may be null (n is a union with a null branch). path names n in errors.
func ArrowType(n *Node, path string, o MapOptions) (arrow.DataType, bool, error) {
	m := mapper{o: o, open: map[*Node]bool{}}
	return m.typ(n, path, 0)
}

// ArrowFields returns the Arrow fields of record n's fields: the columns
// when n is the top-level record.
func ArrowFields(n *Node, path string, o MapOptions) ([]arrow.Field, error) {
	m := mapper{o: o, open: map[*Node]bool{n: true}}
	return m.fields(n, path, 0)
}

type mapper struct {
	o    MapOptions
	open map[*Node]bool // records being mapped: meeting one again is recursion
}

// Join appends a field name to a path.
func Join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (m *mapper) fields(n *Node, path string, depth int) ([]arrow.Field, error) {
	fs := make([]arrow.Field, len(n.Fields))
	for i, f := range n.Fields {
		t, null, err := m.typ(f.Type, Join(path, f.Name), depth)
		if err != nil {
			return nil, err
		}
		fs[i] = arrow.Field{Name: f.Name, Type: t, Nullable: null}
	}
	return fs, nil
}

func (m *mapper) typ(n *Node, path string, depth int) (arrow.DataType, bool, error) {
	if m.o.MaxDepth > 0 && depth > m.o.MaxDepth {
		return nil, false, &MappingError{Path: path, Reason: fmt.Sprintf("nesting deeper than %d", m.o.MaxDepth), Limit: true}
	}
	switch n.Kind {
	case Null:
		return arrow.Null, true, nil
	case Boolean:
		return arrow.FixedWidthTypes.Boolean, false, nil
	case Int:
		switch n.Logical {
		case Date:
			return arrow.FixedWidthTypes.Date32, false, nil
		case TimeMillis:
			return arrow.FixedWidthTypes.Time32ms, false, nil
		}
		return arrow.PrimitiveTypes.Int32, false, nil
	case Long:
		return longType(n.Logical), false, nil
	case Float:
		return arrow.PrimitiveTypes.Float32, false, nil
	case Double:
		return arrow.PrimitiveTypes.Float64, false, nil
	case Bytes:
		if n.Logical == Decimal {
			t, err := decimalType(n, path)
			return t, false, err
		}
		return arrow.BinaryTypes.Binary, false, nil
	case String:
		return arrow.BinaryTypes.String, false, nil
	case Fixed:
		switch n.Logical {
		case Decimal:
			t, err := decimalType(n, path)
			return t, false, err
		case Duration:
			return arrow.FixedWidthTypes.MonthDayNanoInterval, false, nil
		}
		return &arrow.FixedSizeBinaryType{ByteWidth: n.Size}, false, nil
	case Enum:
		if m.o.EnumsAsStrings {
			return arrow.BinaryTypes.String, false, nil
		}
		return DictionaryType, false, nil
	case Array:
		t, null, err := m.typ(n.Items, path+"[]", depth+1)
		if err != nil {
			return nil, false, err
		}
		return arrow.ListOfField(arrow.Field{Name: "item", Type: t, Nullable: null}), false, nil
	case Map:
		t, _, err := m.typ(n.Values, path+"{}", depth+1)
		if err != nil {
			return nil, false, err
		}
		// Map values are always nullable: arrow-go refuses to build a map
		// whose non-nullable items hold a null, and a record that fails
		// halfway through a value leaves one there.
		return arrow.MapOfFields(arrow.Field{Name: "key", Type: arrow.BinaryTypes.String},
			arrow.Field{Name: "value", Type: t, Nullable: true}), false, nil
	case Record:
		if m.open[n] {
			return nil, false, &MappingError{Path: path, Reason: fmt.Sprintf("recursive record %s has no Arrow mapping", n.Name)}
		}
		m.open[n] = true
		defer delete(m.open, n)
		fs, err := m.fields(n, path, depth+1)
		if err != nil {
			return nil, false, err
		}
		return arrow.StructOf(fs...), false, nil
	case Union:
		return m.union(n, path, depth)
	}
	return nil, false, &MappingError{Path: path, Reason: "unknown type " + n.Kind.String()}
}

func longType(l Logical) arrow.DataType {
	switch l {
	case TimeMicros:
		return arrow.FixedWidthTypes.Time64us
	case TimestampMillis:
		return &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: UTC}
	case TimestampMicros:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: UTC}
	case TimestampNanos:
		return &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: UTC}
	case LocalTimestampMillis:
		return &arrow.TimestampType{Unit: arrow.Millisecond}
	case LocalTimestampMicros:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case LocalTimestampNanos:
		return &arrow.TimestampType{Unit: arrow.Nanosecond}
	}
	return arrow.PrimitiveTypes.Int64
}

func decimalType(n *Node, path string) (arrow.DataType, error) {
	p, s := int32(n.Precision), int32(n.Scale) // #nosec G115 -- validated small by the parser
	switch {
	case p >= 1 && p <= 38:
		return &arrow.Decimal128Type{Precision: p, Scale: s}, nil
	case p <= 76:
		return &arrow.Decimal256Type{Precision: p, Scale: s}, nil
	}
	return nil, &MappingError{Path: path, Reason: fmt.Sprintf("decimal precision %d is over Arrow's 76", p)}
}

// UnionLayout describes how a union maps to Arrow.
type UnionLayout struct {
	// Null is the index of the null branch, or -1.
	Null int
	// Members are the indexes of the other branches, in order.
	Members []int
	// Names are the Arrow field names of Members in the struct layout.
	Names []string
}

// Struct reports whether the union maps to a struct with one nullable field
// per member (two or more non-null branches); otherwise it maps to its one
// member's type (or to null when it has none).
func (l UnionLayout) Struct() bool { return len(l.Members) > 1 }

// Layout returns the Arrow layout of union n. Member fields are named after
// the branch type: the kind for unnamed types ("string", "array", ...), the
// short name for named types, or the full name when two named branches share
// a short name.
func Layout(n *Node) UnionLayout {
	l := UnionLayout{Null: -1}
	short := map[string]int{}
	for i, b := range n.Branches {
		if b.Kind == Null {
			if l.Null < 0 {
				l.Null = i
			}
			continue
		}
		l.Members = append(l.Members, i)
		if b.Named() {
			short[b.ShortName()]++
		}
	}
	for _, i := range l.Members {
		b := n.Branches[i]
		name := b.Kind.String()
		if b.Named() {
			name = b.ShortName()
			if short[name] > 1 {
				name = b.Name
			}
		}
		l.Names = append(l.Names, name)
	}
	return l
}

func (m *mapper) union(n *Node, path string, depth int) (arrow.DataType, bool, error) {
	l := Layout(n)
	null := l.Null >= 0
	switch len(l.Members) {
	case 0:
		return arrow.Null, true, nil
	case 1:
		t, innerNull, err := m.typ(n.Branches[l.Members[0]], path, depth)
		return t, null || innerNull, err
	}
	fs := make([]arrow.Field, len(l.Members))
	for i, bi := range l.Members {
		t, _, err := m.typ(n.Branches[bi], Join(path, l.Names[i]), depth+1)
		if err != nil {
			return nil, false, err
		}
		fs[i] = arrow.Field{Name: l.Names[i], Type: t, Nullable: true}
	}
	return arrow.StructOf(fs...), null, nil
}
