package protobuf

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/sabot-kafka/sabot/decode"
)

// op says how one value of a field is read from the wire.
type op uint8

const (
	opVarint   op = iota // int32, int64, uint32, uint64, bool, enum
	opZigzag32           // sint32
	opZigzag64           // sint64
	opFixed32            // fixed32, sfixed32, float
	opFixed64            // fixed64, sfixed64, double
	opBytes              // string, bytes
	opMessage            // length-delimited message
	opGroup              // group (start/end-group delimited message)
)

// mode says where a field's values go.
type mode uint8

const (
	modeScalar  mode = iota // singular number: scratch slot, appended at message end
	modeBytes               // singular string/bytes: scratch span, appended at message end
	modeMessage             // singular message: span(s), decoded at message end
	modeWKT                 // singular well-known type: span(s), read into one value at message end
	modeList                // repeated: elements appended as they arrive
	modeMap                 // map: entries appended as they arrive
)

// kind is the Arrow column kind of a scalar value.
type kind uint8

const (
	kInt32 kind = iota
	kInt64
	kUint32
	kUint64
	kFloat32
	kFloat64
	kBool
	kString
	kBinary
	kEnumDict
	kEnumString
	kEnumNumber
	kTimestamp
	kDuration
)

// wkt names the well-known types read as one value.
type wkt uint8

const (
	wktNone wkt = iota
	wktTimestamp
	wktDuration
	wktDouble
	wktFloat
	wktInt64
	wktUint64
	wktInt32
	wktUint32
	wktBool
	wktString
	wktBytes
)

var wktByName = map[protoreflect.FullName]wkt{
	"google.protobuf.Timestamp":   wktTimestamp,
	"google.protobuf.Duration":    wktDuration,
	"google.protobuf.DoubleValue": wktDouble,
	"google.protobuf.FloatValue":  wktFloat,
	"google.protobuf.Int64Value":  wktInt64,
	"google.protobuf.UInt64Value": wktUint64,
	"google.protobuf.Int32Value":  wktInt32,
	"google.protobuf.UInt32Value": wktUint32,
	"google.protobuf.BoolValue":   wktBool,
	"google.protobuf.StringValue": wktString,
	"google.protobuf.BytesValue":  wktBytes,
}

// unsupportedWKT are well-known types with no fixed Arrow shape.
var unsupportedWKT = map[protoreflect.FullName]bool{
	"google.protobuf.Struct":    true,
	"google.protobuf.Value":     true,
	"google.protobuf.ListValue": true,
}

// WellKnownType reports whether md is a well-known type that maps to a single
// Arrow value (Timestamp, Duration or a wrapper) rather than a struct.
func WellKnownType(md protoreflect.MessageDescriptor) bool {
	return wktByName[md.FullName()] != wktNone
}

// msgSpec is the compiled form of one message at one place in the column
// tree. It is immutable and shared by every Appender bound from the plan.
type msgSpec struct {
	name protoreflect.FullName
	// path is the message's field path, for errors about the message itself
	// (an unknown field it cannot skip): "" at the top level.
	path   string
	fields []fieldSpec
	oneofs []oneofSpec
	// cols lists the columns in order: i >= 0 is fields[i], i < 0 is the case
	// column of oneofs[-i-1].
	cols     []int
	arrow    []arrow.Field // one per column
	maxNum   protowire.Number
	required []int // indexes of proto2 required fields
}

type oneofSpec struct {
	name    string
	members []int // field indexes
}

// fieldSpec is one field of a msgSpec.
type fieldSpec struct {
	name string // field name: the column or struct member name
	path string // dotted path from the top-level message, for errors
	// itemPath names one element of a repeated field in errors: the path
	// and "[]" ("tags[]"); the path itself for other fields.
	itemPath string
	num      protowire.Number
	wt       protowire.Type // wire type of one (unpacked) value
	op       op
	mode     mode
	kind     kind // scalar, well-known or list-element value kind
	wkt      wkt
	packable bool // repeated scalar number: packed form accepted
	utf8     bool // string: validated as UTF-8
	presence bool // absent reads as null rather than the zero value
	required bool
	// emptyIfAbsent: an absent message reads as an empty one (map values).
	emptyIfAbsent bool
	oneof         int // index into msgSpec.oneofs, or -1
	child         *msgSpec
	enum          *enumSpec
}

// enumSpec maps enum numbers to names and dictionary indexes.
type enumSpec struct {
	name  protoreflect.FullName
	names [][]byte // value names in declaration order (the dictionary)
	lo    int32
	dense []int32         // number-lo → index into names, -1 for none
	byNum map[int32]int32 // when the numbers are too sparse for dense
	nums  []int32         // number of names[i]
	// closedDefault: a missing value reads as the first declared value
	// (closed, proto2-style enums) instead of 0.
	closedDefault bool
}

func (e *enumSpec) index(n int32) int32 {
	if e.byNum != nil {
		if ix, ok := e.byNum[n]; ok {
			return ix
		}
		return -1
	}
	d := int64(n) - int64(e.lo)
	if d < 0 || d >= int64(len(e.dense)) {
		return -1
	}
	return e.dense[d]
}

func newEnumSpec(ed protoreflect.EnumDescriptor) *enumSpec {
	vals := ed.Values()
	e := &enumSpec{name: ed.FullName(), closedDefault: ed.IsClosed()}
	lo, hi := int32(0), int32(0)
	for i := 0; i < vals.Len(); i++ {
		v := vals.Get(i)
		n := int32(v.Number())
		e.names = append(e.names, []byte(v.Name()))
		e.nums = append(e.nums, n)
		if i == 0 || n < lo {
			lo = n
		}
		if i == 0 || n > hi {
			hi = n
		}
	}
	e.lo = lo
	if span := int64(hi) - int64(lo) + 1; span <= int64(4*len(e.names)+64) {
		e.dense = make([]int32, span)
		for i := range e.dense {
			e.dense[i] = -1
		}
		for i := len(e.nums) - 1; i >= 0; i-- { // first name wins for aliases
			e.dense[e.nums[i]-lo] = int32(i) // #nosec G115 -- enum value count fits int32
		}
		return e
	}
	e.byNum = make(map[int32]int32, len(e.nums))
	for i := len(e.nums) - 1; i >= 0; i-- {
		e.byNum[e.nums[i]] = int32(i) // #nosec G115 -- enum value count fits int32
	}
	return e
}

// compileMessage builds the spec of md. stack holds the messages on the path
// from the top level (to reject recursion); path is the dotted field path.
func compileMessage(md protoreflect.MessageDescriptor, opts *Options, path string, stack []protoreflect.FullName, depth int) (*msgSpec, error) {
	lim := opts.Limits.WithDefaults()
	if depth > lim.MaxDepth {
		return nil, fmt.Errorf("protobuf: field %s: nesting deeper than %d: %w", path, lim.MaxDepth, decode.ErrTooLarge)
	}
	for _, s := range stack {
		if s == md.FullName() {
			return nil, fmt.Errorf("protobuf: field %s: message %s contains itself; recursive messages have no fixed Arrow type: %w",
				path, md.FullName(), decode.ErrUnsupported)
		}
	}
	stack = append(stack, md.FullName())
	m := &msgSpec{name: md.FullName(), path: path}
	fds := md.Fields()
	oneofIx := map[protoreflect.FullName]int{}
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		fpath := string(fd.Name())
		switch {
		case md.IsMapEntry() && fd.Number() == 1:
			fpath = path // a key error is the map's own
		case md.IsMapEntry():
			fpath = path + "{}" // map values
		case path != "":
			fpath = path + "." + fpath
		}
		fs, err := compileField(fd, opts, fpath, stack, depth)
		if err != nil {
			return nil, err
		}
		fs.oneof = -1
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			ix, ok := oneofIx[od.FullName()]
			if !ok {
				ix = len(m.oneofs)
				oneofIx[od.FullName()] = ix
				m.oneofs = append(m.oneofs, oneofSpec{name: string(od.Name())})
				if opts.Oneofs == OneofCase {
					m.cols = append(m.cols, -ix-1)
					m.arrow = append(m.arrow, arrow.Field{Name: string(od.Name()), Type: arrow.BinaryTypes.String, Nullable: true})
				}
			}
			fs.oneof = ix
			fs.presence = true
			m.oneofs[ix].members = append(m.oneofs[ix].members, len(m.fields))
		}
		if fs.required {
			m.required = append(m.required, len(m.fields))
		}
		if fs.num > m.maxNum {
			m.maxNum = fs.num
		}
		m.cols = append(m.cols, len(m.fields))
		m.arrow = append(m.arrow, arrow.Field{Name: fs.name, Type: fieldType(&fs), Nullable: fieldNullable(&fs)})
		m.fields = append(m.fields, fs)
	}
	return m, nil
}

func compileField(fd protoreflect.FieldDescriptor, opts *Options, path string, stack []protoreflect.FullName, depth int) (fieldSpec, error) {
	fs := fieldSpec{
		name:     string(fd.Name()),
		path:     path,
		itemPath: path,
		num:      fd.Number(),
		presence: fd.HasPresence(),
		required: fd.Cardinality() == protoreflect.Required,
	}
	if fd.IsMap() {
		fs.mode, fs.op, fs.wt = modeMap, opMessage, protowire.BytesType
		entry, err := compileMessage(fd.Message(), opts, path, stack, depth+1)
		if err != nil {
			return fs, err
		}
		// Map entries: a missing key or value reads as its zero value.
		for i := range entry.fields {
			f := &entry.fields[i]
			f.presence = false
			if f.mode == modeMessage || f.mode == modeWKT {
				f.emptyIfAbsent = true
			}
			entry.arrow[i].Nullable = false
		}
		fs.child = entry
		fs.presence = false
		return fs, nil
	}
	if fd.IsList() {
		fs.itemPath = path + "[]" // elements, and the fields of message elements
	}
	if err := valueSpec(&fs, fd, opts, fs.itemPath, stack, depth); err != nil {
		return fs, err
	}
	if fd.IsList() {
		fs.mode = modeList
		fs.presence = false
		fs.packable = fs.op <= opFixed64
	}
	return fs, nil
}

// valueSpec fills in how one value of fd is read and what it becomes.
func valueSpec(fs *fieldSpec, fd protoreflect.FieldDescriptor, opts *Options, path string, stack []protoreflect.FullName, depth int) error {
	fs.mode = modeScalar
	switch fd.Kind() {
	case protoreflect.BoolKind:
		fs.op, fs.kind = opVarint, kBool
	case protoreflect.EnumKind:
		fs.op = opVarint
		fs.enum = newEnumSpec(fd.Enum())
		switch opts.Enums {
		case EnumString:
			fs.kind = kEnumString
		case EnumNumber:
			fs.kind = kEnumNumber
		default:
			fs.kind = kEnumDict
		}
	case protoreflect.Int32Kind:
		fs.op, fs.kind = opVarint, kInt32
	case protoreflect.Sint32Kind:
		fs.op, fs.kind = opZigzag32, kInt32
	case protoreflect.Uint32Kind:
		fs.op, fs.kind = opVarint, kUint32
	case protoreflect.Int64Kind:
		fs.op, fs.kind = opVarint, kInt64
	case protoreflect.Sint64Kind:
		fs.op, fs.kind = opZigzag64, kInt64
	case protoreflect.Uint64Kind:
		fs.op, fs.kind = opVarint, kUint64
	case protoreflect.Sfixed32Kind:
		fs.op, fs.kind = opFixed32, kInt32
	case protoreflect.Fixed32Kind:
		fs.op, fs.kind = opFixed32, kUint32
	case protoreflect.FloatKind:
		fs.op, fs.kind = opFixed32, kFloat32
	case protoreflect.Sfixed64Kind:
		fs.op, fs.kind = opFixed64, kInt64
	case protoreflect.Fixed64Kind:
		fs.op, fs.kind = opFixed64, kUint64
	case protoreflect.DoubleKind:
		fs.op, fs.kind = opFixed64, kFloat64
	case protoreflect.StringKind:
		fs.op, fs.kind, fs.mode, fs.utf8 = opBytes, kString, modeBytes, true
	case protoreflect.BytesKind:
		fs.op, fs.kind, fs.mode = opBytes, kBinary, modeBytes
	case protoreflect.MessageKind, protoreflect.GroupKind:
		fs.op, fs.mode = opMessage, modeMessage
		if fd.Kind() == protoreflect.GroupKind {
			fs.op = opGroup
		}
		md := fd.Message()
		if unsupportedWKT[md.FullName()] {
			return fmt.Errorf("protobuf: field %s: %s has no fixed Arrow type: %w", path, md.FullName(), decode.ErrUnsupported)
		}
		if w := wktByName[md.FullName()]; w != wktNone && fs.op == opMessage {
			fs.mode, fs.wkt, fs.kind = modeWKT, w, wktKind(w)
			break
		}
		child, err := compileMessage(md, opts, path, stack, depth+1)
		if err != nil {
			return err
		}
		fs.child = child
	default:
		return fmt.Errorf("protobuf: field %s: kind %v: %w", path, fd.Kind(), decode.ErrUnsupported)
	}
	fs.wt = wireType(fs.op)
	return nil
}

func wireType(o op) protowire.Type {
	switch o {
	case opFixed32:
		return protowire.Fixed32Type
	case opFixed64:
		return protowire.Fixed64Type
	case opBytes, opMessage:
		return protowire.BytesType
	case opGroup:
		return protowire.StartGroupType
	}
	return protowire.VarintType
}

func wktKind(w wkt) kind {
	switch w {
	case wktTimestamp:
		return kTimestamp
	case wktDuration:
		return kDuration
	case wktDouble:
		return kFloat64
	case wktFloat:
		return kFloat32
	case wktInt64:
		return kInt64
	case wktUint64:
		return kUint64
	case wktInt32:
		return kInt32
	case wktUint32:
		return kUint32
	case wktBool:
		return kBool
	case wktString:
		return kString
	}
	return kBinary
}

// TimestampType and DurationType are the Arrow types of
// google.protobuf.Timestamp and google.protobuf.Duration columns.
var (
	TimestampType = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
	DurationType  = &arrow.DurationType{Unit: arrow.Nanosecond}
	// EnumType is the Arrow type of enum columns under EnumDictionary.
	EnumType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
)

func kindType(k kind) arrow.DataType {
	switch k {
	case kInt32, kEnumNumber:
		return arrow.PrimitiveTypes.Int32
	case kInt64:
		return arrow.PrimitiveTypes.Int64
	case kUint32:
		return arrow.PrimitiveTypes.Uint32
	case kUint64:
		return arrow.PrimitiveTypes.Uint64
	case kFloat32:
		return arrow.PrimitiveTypes.Float32
	case kFloat64:
		return arrow.PrimitiveTypes.Float64
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kString, kEnumString:
		return arrow.BinaryTypes.String
	case kEnumDict:
		return EnumType
	case kTimestamp:
		return TimestampType
	case kDuration:
		return DurationType
	}
	return arrow.BinaryTypes.Binary
}

// valueType is the Arrow type of one value of fs (a list element for lists).
func valueType(fs *fieldSpec) arrow.DataType {
	if fs.child != nil {
		return arrow.StructOf(fs.child.arrow...)
	}
	return kindType(fs.kind)
}

func fieldType(fs *fieldSpec) arrow.DataType {
	switch fs.mode {
	case modeList:
		return arrow.ListOfNonNullable(valueType(fs))
	case modeMap:
		return arrow.MapOfFields(fs.child.arrow[0], fs.child.arrow[1])
	}
	return valueType(fs)
}

func fieldNullable(fs *fieldSpec) bool {
	switch fs.mode {
	case modeList, modeMap:
		return false
	case modeMessage, modeWKT:
		return !fs.emptyIfAbsent
	}
	return fs.presence
}
