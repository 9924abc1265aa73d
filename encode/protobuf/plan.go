package protobuf

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	pbdecode "github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/encode"
)

// op says how a number is written.
type op uint8

const (
	opVarint op = iota
	opZigzag32
	opZigzag64
	opFixed32
	opFixed64
)

type mode uint8

const (
	modeValue mode = iota // one value per row (scalar, string, message, well-known)
	modeList
	modeMap
)

// msgPlan is the compiled form of one message over a set of columns.
type msgPlan struct {
	name   protoreflect.FullName
	fields []fieldPlan // by field number
	// oneofs lists, per oneof with two or more columns, the indexes into
	// fields of its members: at most one may be non-null per row.
	oneofs [][]int
	// always: write every non-null value, zero or not (map entries).
	always bool
}

type fieldPlan struct {
	col      int // column index among the message's columns
	path     string
	itemPath string // names a list element in errors: path and "[]"; else path
	num      protowire.Number
	tag      []byte // the field's tag for one (unpacked) value
	mode     mode
	value    valuePlan
	presence bool // write non-null values even when zero
	required bool
	packed   bool
}

// valuePlan says how one value (a list element for lists) is written.
type valuePlan struct {
	kind     protoreflect.Kind
	typ      arrow.DataType
	op       op
	group    bool
	wkt      string // full name of a well-known type written from one value
	child    *msgPlan
	enum     *enumPlan
	wrapped  *valuePlan // a wrapper's value
	wrapTag  []byte
	perSec   int64 // Timestamp/Duration: units per second
	nsPerU   int64 // Timestamp/Duration: nanoseconds per unit
	groupEnd []byte
}

type enumPlan struct {
	name   protoreflect.FullName
	byName map[string]int32
}

func (e *enumPlan) number(name string) (int32, bool) {
	if n, ok := e.byName[name]; ok {
		return n, true
	}
	n, err := strconv.ParseInt(name, 10, 32) // unknown numbers decode as their decimal text
	return int32(n), err == nil
}

// Plan writes rows of batches of one Arrow schema as one message type.
type Plan struct {
	root *msgPlan
	cols int
}

var _ encode.Plan = (*Plan)(nil)

// NewPlan compiles the plan writing rows of s as md. Columns match fields by
// name; each column's type must be the one the decoder gives that field
// (decode/protobuf's mapping), with these also accepted: any enum
// representation (dictionary, utf8 names, int32 numbers), Timestamp and
// Duration of any unit, large utf8 and large binary.
func NewPlan(s *arrow.Schema, md protoreflect.MessageDescriptor, opts Options) (*Plan, error) {
	root, err := compileMessage(md, s.Fields(), "", &opts)
	if err != nil {
		return nil, err
	}
	return &Plan{root: root, cols: s.NumFields()}, nil
}

func compileMessage(md protoreflect.MessageDescriptor, cols []arrow.Field, path string, opts *Options) (*msgPlan, error) {
	m := &msgPlan{name: md.FullName()}
	oneofCols := map[protoreflect.FullName][]protoreflect.FieldNumber{}
	for ci, col := range cols {
		fpath := col.Name
		if path != "" {
			fpath = path + "." + col.Name
		}
		fd := md.Fields().ByName(protoreflect.Name(col.Name))
		if md.IsMapEntry() && fd != nil {
			if fd.Number() == 1 {
				fpath = path // a key error is the map's own
			} else {
				fpath = path + "{}" // map values
			}
		}
		if fd == nil {
			if od := md.Oneofs().ByName(protoreflect.Name(col.Name)); od != nil && !od.IsSynthetic() {
				continue // a decoded oneof case column: the members say it all
			}
			if opts.IgnoreExtraColumns {
				continue
			}
			return nil, fmt.Errorf("protobuf: column %s: message %s has no such field: %w", fpath, md.FullName(), encode.ErrUnsupported)
		}
		f, err := compileField(fd, col.Type, fpath, opts)
		if err != nil {
			return nil, err
		}
		f.col = ci
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			oneofCols[od.FullName()] = append(oneofCols[od.FullName()], fd.Number())
		}
		m.fields = append(m.fields, f)
	}
	slices.SortFunc(m.fields, func(a, b fieldPlan) int { return int(a.num) - int(b.num) })
	for _, nums := range oneofCols {
		if len(nums) < 2 {
			continue
		}
		var ix []int
		for i, f := range m.fields {
			if slices.Contains(nums, f.num) {
				ix = append(ix, i)
			}
		}
		m.oneofs = append(m.oneofs, ix)
	}
	fds := md.Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		if fd.Cardinality() != protoreflect.Required {
			continue
		}
		if !slices.ContainsFunc(m.fields, func(f fieldPlan) bool { return f.num == fd.Number() }) {
			return nil, fmt.Errorf("protobuf: message %s: required field %s has no column: %w", md.FullName(), fd.Name(), encode.ErrUnsupported)
		}
	}
	return m, nil
}

func compileField(fd protoreflect.FieldDescriptor, t arrow.DataType, path string, opts *Options) (fieldPlan, error) {
	f := fieldPlan{
		path:     path,
		itemPath: path,
		num:      fd.Number(),
		presence: fd.HasPresence(),
		required: fd.Cardinality() == protoreflect.Required,
	}
	switch {
	case fd.IsMap():
		mt, ok := t.(*arrow.MapType)
		if !ok {
			return f, mismatch(path, t, "a map")
		}
		entry, err := compileMessage(fd.Message(), []arrow.Field{mt.KeyField(), mt.ItemField()}, path, opts)
		if err != nil {
			return f, err
		}
		entry.always = true
		f.mode = modeMap
		f.value = valuePlan{child: entry}
		f.tag = protowire.AppendTag(nil, fd.Number(), protowire.BytesType)
		return f, nil
	case fd.IsList():
		lt, ok := t.(*arrow.ListType)
		if !ok {
			return f, mismatch(path, t, "a list")
		}
		f.mode = modeList
		f.packed = fd.IsPacked()
		f.itemPath = path + "[]" // elements, and the fields of message elements
		t = lt.Elem()
	}
	v, err := compileValue(fd, t, f.itemPath, opts)
	if err != nil {
		return f, err
	}
	f.value = v
	f.tag = protowire.AppendTag(nil, fd.Number(), wireType(&v))
	return f, nil
}

func wireType(v *valuePlan) protowire.Type {
	switch {
	case v.group:
		return protowire.StartGroupType
	case v.child != nil, v.wkt != "", v.kind == protoreflect.StringKind, v.kind == protoreflect.BytesKind:
		return protowire.BytesType
	case v.op == opFixed32:
		return protowire.Fixed32Type
	case v.op == opFixed64:
		return protowire.Fixed64Type
	}
	return protowire.VarintType
}

func mismatch(path string, got arrow.DataType, want string) error {
	return fmt.Errorf("protobuf: column %s is %s, the field wants %s: %w", path, got, want, encode.ErrUnsupported)
}

// compileValue checks the Arrow type of one value of fd and says how to
// write it.
func compileValue(fd protoreflect.FieldDescriptor, t arrow.DataType, path string, opts *Options) (valuePlan, error) {
	v := valuePlan{kind: fd.Kind(), typ: t}
	want := func(ids ...arrow.Type) error {
		if slices.Contains(ids, t.ID()) {
			return nil
		}
		return mismatch(path, t, fmt.Sprintf("%v (for %s)", ids[0], fd.Kind()))
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return v, want(arrow.BOOL)
	case protoreflect.Int32Kind:
		return v, want(arrow.INT32)
	case protoreflect.Sint32Kind:
		v.op = opZigzag32
		return v, want(arrow.INT32)
	case protoreflect.Sfixed32Kind:
		v.op = opFixed32
		return v, want(arrow.INT32)
	case protoreflect.Uint32Kind:
		return v, want(arrow.UINT32)
	case protoreflect.Fixed32Kind:
		v.op = opFixed32
		return v, want(arrow.UINT32)
	case protoreflect.Int64Kind:
		return v, want(arrow.INT64)
	case protoreflect.Sint64Kind:
		v.op = opZigzag64
		return v, want(arrow.INT64)
	case protoreflect.Sfixed64Kind:
		v.op = opFixed64
		return v, want(arrow.INT64)
	case protoreflect.Uint64Kind:
		return v, want(arrow.UINT64)
	case protoreflect.Fixed64Kind:
		v.op = opFixed64
		return v, want(arrow.UINT64)
	case protoreflect.FloatKind:
		v.op = opFixed32
		return v, want(arrow.FLOAT32)
	case protoreflect.DoubleKind:
		v.op = opFixed64
		return v, want(arrow.FLOAT64)
	case protoreflect.StringKind:
		return v, want(arrow.STRING, arrow.LARGE_STRING)
	case protoreflect.BytesKind:
		return v, want(arrow.BINARY, arrow.LARGE_BINARY)
	case protoreflect.EnumKind:
		return v, compileEnum(&v, fd.Enum(), t, path)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return compileMessageValue(v, fd, t, path, opts)
	}
	return v, fmt.Errorf("protobuf: field %s: kind %v: %w", path, fd.Kind(), encode.ErrUnsupported)
}

func compileEnum(v *valuePlan, ed protoreflect.EnumDescriptor, t arrow.DataType, path string) error {
	e := &enumPlan{name: ed.FullName(), byName: map[string]int32{}}
	vals := ed.Values()
	for i := 0; i < vals.Len(); i++ {
		e.byName[string(vals.Get(i).Name())] = int32(vals.Get(i).Number())
	}
	v.enum = e
	switch tt := t.(type) {
	case *arrow.DictionaryType:
		if tt.ValueType.ID() == arrow.STRING || tt.ValueType.ID() == arrow.LARGE_STRING {
			return nil
		}
	case *arrow.StringType, *arrow.LargeStringType, *arrow.Int32Type:
		return nil
	}
	return mismatch(path, t, "a dictionary of utf8, utf8 or int32 (for enum "+string(ed.FullName())+")")
}

func compileMessageValue(v valuePlan, fd protoreflect.FieldDescriptor, t arrow.DataType, path string, opts *Options) (valuePlan, error) {
	md := fd.Message()
	name := md.FullName()
	if fd.Kind() == protoreflect.MessageKind && pbdecode.WellKnownType(md) {
		v.wkt = string(name)
		switch name {
		case "google.protobuf.Timestamp", "google.protobuf.Duration":
			var unit arrow.TimeUnit
			switch tt := t.(type) {
			case *arrow.TimestampType:
				if name != "google.protobuf.Timestamp" {
					return v, mismatch(path, t, "a duration")
				}
				unit = tt.Unit
			case *arrow.DurationType:
				if name != "google.protobuf.Duration" {
					return v, mismatch(path, t, "a timestamp")
				}
				unit = tt.Unit
			default:
				return v, mismatch(path, t, "a timestamp or duration")
			}
			v.perSec = int64(1e9 / unit.Multiplier())
			v.nsPerU = int64(unit.Multiplier())
			return v, nil
		}
		inner, err := compileValue(md.Fields().ByNumber(1), t, path, opts)
		if err != nil {
			return v, err
		}
		v.wrapped = &inner
		v.wrapTag = protowire.AppendTag(nil, 1, wireType(&inner))
		return v, nil
	}
	st, ok := t.(*arrow.StructType)
	if !ok {
		return v, mismatch(path, t, "a struct (for message "+string(name)+")")
	}
	child, err := compileMessage(md, st.Fields(), path, opts)
	if err != nil {
		return v, err
	}
	v.child = child
	if fd.Kind() == protoreflect.GroupKind {
		v.group = true
		v.groupEnd = protowire.AppendTag(nil, fd.Number(), protowire.EndGroupType)
	}
	return v, nil
}
