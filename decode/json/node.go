package json

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/decode"
)

// Field metadata that changes how a utf8 column is read and written.
const (
	// MetaKey is the Arrow field metadata key Sabot's JSON codecs read.
	MetaKey = "sabot.json"
	// MetaRaw as the value of MetaKey marks a utf8 column that holds each
	// value's JSON text verbatim (any JSON kind), as inference produces for
	// fields whose kind varies. Encoders write the text back unquoted.
	MetaRaw = "raw"
)

// IsRaw reports whether f is a raw-JSON column.
func IsRaw(f arrow.Field) bool {
	if !f.HasMetadata() {
		return false
	}
	v, ok := f.Metadata.GetValue(MetaKey)
	return ok && v == MetaRaw
}

// RawField returns a nullable raw-JSON utf8 field named name.
func RawField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true,
		Metadata: arrow.NewMetadata([]string{MetaKey}, []string{MetaRaw})}
}

// node is the compiled, immutable description of one column or nested value.
// Plans share nodes across Bind calls; decoders hold the per-builder state.
type node struct {
	name     string
	path     string
	typ      arrow.DataType
	nullable bool // Arrow-nullable: a missing key becomes null
	nullOK   bool // a JSON null is accepted (becomes null)
	raw      bool
	kids     []*node // struct fields; list element or map value at [0]
	keys     keyTable
	chk      *checks // validation compiled from a JSON Schema, or nil
	obj      *objChecks
	arr      *arrChecks

	admitsNull bool // the JSON Schema allows null here
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// compileField checks that f's type has a JSON mapping and builds its node.
func compileField(f arrow.Field, parent string, depth int) (*node, error) {
	n := &node{name: f.Name, path: joinPath(parent, f.Name), typ: f.Type, nullable: f.Nullable, nullOK: f.Nullable, raw: IsRaw(f)}
	if err := n.compileType(depth); err != nil {
		return nil, err
	}
	return n, nil
}

func unsupported(path string, t arrow.DataType) error {
	return fmt.Errorf("json: field %q: Arrow type %s has no JSON mapping: %w", path, t, decode.ErrUnsupported)
}

func (n *node) compileType(depth int) error {
	if depth > decode.DefaultLimits.MaxDepth {
		return fmt.Errorf("json: field %q: schema nested deeper than %d: %w", n.path, decode.DefaultLimits.MaxDepth, decode.ErrUnsupported)
	}
	if n.raw && n.typ.ID() != arrow.STRING && n.typ.ID() != arrow.LARGE_STRING {
		return fmt.Errorf("json: field %q: raw JSON metadata on a %s column (want utf8): %w", n.path, n.typ, decode.ErrUnsupported)
	}
	switch t := n.typ.(type) {
	case *arrow.BooleanType, *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float32Type, *arrow.Float64Type, *arrow.StringType, *arrow.LargeStringType,
		*arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType,
		*arrow.TimestampType, *arrow.Date32Type, *arrow.Date64Type, *arrow.Time32Type, *arrow.Time64Type,
		*arrow.DurationType, *arrow.Decimal128Type, *arrow.Decimal256Type:
		return nil
	case *arrow.DictionaryType:
		if t.ValueType.ID() != arrow.STRING && t.ValueType.ID() != arrow.LARGE_STRING {
			return fmt.Errorf("json: field %q: dictionary of %s (want utf8 values): %w", n.path, t.ValueType, decode.ErrUnsupported)
		}
		return nil
	case *arrow.StructType:
		names := make([]string, t.NumFields())
		n.kids = make([]*node, t.NumFields())
		for i, f := range t.Fields() {
			k, err := compileField(f, n.path, depth+1)
			if err != nil {
				return err
			}
			n.kids[i], names[i] = k, f.Name
		}
		if dup := firstDuplicate(names); dup != "" {
			return fmt.Errorf("json: field %q: two fields named %q: %w", n.path, dup, decode.ErrUnsupported)
		}
		n.keys = newKeyTable(names)
		return nil
	case *arrow.ListType:
		return n.compileElem(t.ElemField(), depth)
	case *arrow.LargeListType:
		return n.compileElem(t.ElemField(), depth)
	case *arrow.MapType:
		if t.KeyType().ID() != arrow.STRING {
			return fmt.Errorf("json: field %q: map keys are %s (JSON object keys are utf8): %w", n.path, t.KeyType(), decode.ErrUnsupported)
		}
		return n.compileElem(t.ItemField(), depth)
	}
	return unsupported(n.path, n.typ)
}

func (n *node) compileElem(f arrow.Field, depth int) error {
	k, err := compileField(f, "", depth+1)
	if err != nil {
		return err
	}
	k.path = n.path + itemMark(n.typ)
	fixPaths(k)
	n.kids = []*node{k}
	return nil
}

// itemMark is the path segment of the items of a list ("[]") or the values
// of a map ("{}") of type t.
func itemMark(t arrow.DataType) string {
	if t.ID() == arrow.MAP {
		return "{}"
	}
	return "[]"
}

// fixPaths recomputes the paths below n after its own path changed.
func fixPaths(n *node) {
	_, isStruct := n.typ.(*arrow.StructType)
	for _, k := range n.kids {
		if isStruct {
			k.path = joinPath(n.path, k.name)
		} else {
			k.path = n.path + itemMark(n.typ)
		}
		fixPaths(k)
	}
}

func firstDuplicate(names []string) string {
	seen := make(map[string]struct{}, len(names))
	for _, n := range names {
		if _, ok := seen[n]; ok {
			return n
		}
		seen[n] = struct{}{}
	}
	return ""
}
