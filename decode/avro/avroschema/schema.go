package avroschema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/registry"
)

// Kind is an Avro type.
type Kind uint8

// The Avro types.
const (
	Null Kind = iota
	Boolean
	Int
	Long
	Float
	Double
	Bytes
	String
	Record
	Enum
	Array
	Map
	Fixed
	Union
)

var kindNames = [...]string{"null", "boolean", "int", "long", "float", "double", "bytes", "string",
	"record", "enum", "array", "map", "fixed", "union"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Logical is a logical type the mapping understands. A logicalType attribute
// that is unknown, or set on a type it does not apply to, is ignored as the
// specification asks: the value is read as its underlying type.
type Logical uint8

// The logical types.
const (
	NoLogical       Logical = iota
	Decimal                 // bytes or fixed
	UUID                    // string or fixed(16)
	Date                    // int
	TimeMillis              // int
	TimeMicros              // long
	TimestampMillis         // long
	TimestampMicros         // long
	TimestampNanos          // long
	LocalTimestampMillis
	LocalTimestampMicros
	LocalTimestampNanos
	Duration // fixed(12)
)

var logicalNames = map[string]Logical{
	"decimal": Decimal, "uuid": UUID, "date": Date,
	"time-millis": TimeMillis, "time-micros": TimeMicros,
	"timestamp-millis": TimestampMillis, "timestamp-micros": TimestampMicros, "timestamp-nanos": TimestampNanos,
	"local-timestamp-millis": LocalTimestampMillis, "local-timestamp-micros": LocalTimestampMicros,
	"local-timestamp-nanos": LocalTimestampNanos, "duration": Duration,
}

// String is the logicalType attribute's spelling.
func (l Logical) String() string {
	for name, v := range logicalNames {
		if v == l {
			return name
		}
	}
	return ""
}

// applies reports whether l is defined on n's underlying type.
func (l Logical) applies(n *Node) bool {
	switch l {
	case Decimal:
		return n.Kind == Bytes || n.Kind == Fixed
	case UUID:
		return n.Kind == String || (n.Kind == Fixed && n.Size == 16)
	case Date, TimeMillis:
		return n.Kind == Int
	case TimeMicros, TimestampMillis, TimestampMicros, TimestampNanos,
		LocalTimestampMillis, LocalTimestampMicros, LocalTimestampNanos:
		return n.Kind == Long
	case Duration:
		return n.Kind == Fixed && n.Size == 12
	}
	return false
}

// Node is one Avro type. Named types (record, enum, fixed) are one Node shared
// by every place that references them, so a recursive record is a cycle.
type Node struct {
	Kind    Kind
	Logical Logical
	// Precision and Scale of a Decimal.
	Precision, Scale int

	// Name is the full name of a record, enum or fixed; Aliases are full
	// names too.
	Name    string
	Aliases []string

	Fields []Field // record

	Symbols     []string // enum
	EnumDefault int      // enum: index of the default symbol, or -1

	Items    *Node   // array
	Values   *Node   // map
	Branches []*Node // union
	Size     int     // fixed
}

// Field is a record field.
type Field struct {
	Name    string
	Aliases []string
	Type    *Node
	// Default is the field's default as github.com/twmb/avro decodes it
	// (int32, int64, float32, float64, string, []byte, map[string]any,
	// []any or nil) when HasDefault.
	Default    any
	HasDefault bool
}

// ShortName is the name without its namespace.
func (n *Node) ShortName() string {
	if i := strings.LastIndexByte(n.Name, '.'); i >= 0 {
		return n.Name[i+1:]
	}
	return n.Name
}

// Named reports whether n is a record, enum or fixed.
func (n *Node) Named() bool { return n.Kind == Record || n.Kind == Enum || n.Kind == Fixed }

// NullIndex is the index of the null branch of a union, or -1.
func (n *Node) NullIndex() int {
	for i, b := range n.Branches {
		if b.Kind == Null {
			return i
		}
	}
	return -1
}

// TypeName names n in messages: its full name, or its kind and logical type.
func (n *Node) TypeName() string {
	if n.Named() {
		return n.Kind.String() + " " + n.Name
	}
	if n.Logical != NoLogical {
		return n.Kind.String() + " (" + n.Logical.String() + ")"
	}
	return n.Kind.String()
}

// ErrSchema is wrapped by errors for schema text that does not parse or does
// not define a valid Avro schema.
var ErrSchema = errors.New("avro: invalid schema")

// Parse parses an Avro schema. deps are the schemas it references through the
// registry (a ResolvedSchema's Deps), dependencies first; their named types
// become available to text.
func Parse(text string, deps []registry.Dependency) (*Node, error) {
	var cache avro.SchemaCache
	for _, d := range deps {
		if d.Schema.Type != "" && d.Schema.Type != registry.TypeAvro {
			return nil, fmt.Errorf("%w: reference %q is a %s schema", ErrSchema, d.Name, d.Schema.Type)
		}
		if _, err := cache.Parse(d.Schema.Text); err != nil {
			return nil, fmt.Errorf("%w: reference %q: %w", ErrSchema, d.Name, err)
		}
	}
	s, err := cache.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSchema, err)
	}
	w := walker{named: map[string]*Node{}}
	return w.node(s.Root(), "")
}

// walker turns a github.com/twmb/avro schema tree into Nodes. The tree defines
// each named type at its first occurrence and refers to it by name after
// that, so one pass in order resolves every reference.
type walker struct {
	named map[string]*Node
}

func fullName(name, ns string) string {
	if strings.Contains(name, ".") || ns == "" {
		return name
	}
	return ns + "." + name
}

func (w *walker) node(sn *avro.SchemaNode, ns string) (*Node, error) {
	var n *Node
	switch sn.Type {
	case "null":
		n = &Node{Kind: Null}
	case "boolean":
		n = &Node{Kind: Boolean}
	case "int":
		n = &Node{Kind: Int}
	case "long":
		n = &Node{Kind: Long}
	case "float":
		n = &Node{Kind: Float}
	case "double":
		n = &Node{Kind: Double}
	case "bytes":
		n = &Node{Kind: Bytes}
	case "string":
		n = &Node{Kind: String}
	case "array":
		items, err := w.node(sn.Items, ns)
		if err != nil {
			return nil, err
		}
		n = &Node{Kind: Array, Items: items}
	case "map":
		values, err := w.node(sn.Values, ns)
		if err != nil {
			return nil, err
		}
		n = &Node{Kind: Map, Values: values}
	case "union":
		n = &Node{Kind: Union, Branches: make([]*Node, len(sn.Branches))}
		for i := range sn.Branches {
			b, err := w.node(&sn.Branches[i], ns)
			if err != nil {
				return nil, err
			}
			n.Branches[i] = b
		}
	case "record", "error", "enum", "fixed":
		return w.define(sn)
	default:
		return w.ref(sn.Type, ns)
	}
	if l, ok := logicalNames[sn.LogicalType]; ok && l.applies(n) {
		n.Logical = l
		n.Precision, n.Scale = sn.Precision, sn.Scale
	}
	return n, nil
}

func (w *walker) ref(name, ns string) (*Node, error) {
	if n, ok := w.named[fullName(name, ns)]; ok {
		return n, nil
	}
	if n, ok := w.named[name]; ok {
		return n, nil
	}
	return nil, fmt.Errorf("%w: unknown type %q", ErrSchema, name)
}

func (w *walker) define(sn *avro.SchemaNode) (*Node, error) {
	full := fullName(sn.Name, sn.Namespace)
	ns := ""
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		ns = full[:i]
	}
	n := &Node{Name: full, EnumDefault: -1}
	for _, a := range sn.Aliases {
		n.Aliases = append(n.Aliases, fullName(a, ns))
	}
	w.named[full] = n // before the fields: a field may refer back to it
	switch sn.Type {
	case "enum":
		n.Kind = Enum
		n.Symbols = sn.Symbols
		if sn.HasEnumDefault {
			for i, s := range sn.Symbols {
				if s == sn.EnumDefault {
					n.EnumDefault = i
				}
			}
		}
	case "fixed":
		n.Kind = Fixed
		n.Size = sn.Size
		if l, ok := logicalNames[sn.LogicalType]; ok && l.applies(n) {
			n.Logical = l
			n.Precision, n.Scale = sn.Precision, sn.Scale
		}
	default:
		n.Kind = Record
		n.Fields = make([]Field, len(sn.Fields))
		for i := range sn.Fields {
			sf := &sn.Fields[i]
			t, err := w.node(&sf.Type, ns)
			if err != nil {
				return nil, err
			}
			n.Fields[i] = Field{Name: sf.Name, Aliases: sf.Aliases, Type: t, Default: sf.Default, HasDefault: sf.HasDefault}
		}
	}
	return n, nil
}
