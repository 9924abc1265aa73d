package avro

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
	"github.com/sabot-kafka/sabot/encode"
)

// A spec is the compiled encoding of one (Arrow type, Avro type) pair; bind
// makes the encoder for one array of a batch.
type spec func(arr arrow.Array) (encoder, error)

func unsupported(path string, t arrow.DataType, n *avroschema.Node, why string) error {
	msg := fmt.Sprintf("Arrow %s cannot be written as Avro %s", t, n.TypeName())
	if why != "" {
		msg += ": " + why
	}
	if path != "" {
		msg = "field " + path + ": " + msg
	}
	return fmt.Errorf("avro: %s: %w", msg, encode.ErrUnsupported)
}

func wrongArray(path string, arr arrow.Array) error {
	return fmt.Errorf("avro: field %s: bind: unexpected %T", path, arr)
}

// pair compiles the encoding of Arrow values of type t as Avro type n.
func pair(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	if n.Kind == avroschema.Union {
		return pairUnion(t, n, path)
	}
	inner, err := pairValue(t, n, path)
	if err != nil || n.Kind == avroschema.Null {
		return inner, err
	}
	return func(arr arrow.Array) (encoder, error) {
		e, err := inner(arr)
		if err != nil || arr.NullN() == 0 {
			return e, err
		}
		return &nullCheck{arr: arr, inner: e, path: path}, nil
	}, nil
}

func encIndex(i int) []byte {
	if i < 0 {
		return nil
	}
	return avroschema.AppendLong(nil, int64(i))
}

func pairUnion(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	l := avroschema.Layout(n)
	nullIdx := encIndex(l.Null)
	if t.ID() == arrow.NULL {
		if nullIdx == nil {
			return nil, unsupported(path, t, n, "the union has no null branch")
		}
		return func(arrow.Array) (encoder, error) { return constEnc(nullIdx), nil }, nil
	}
	if st, ok := t.(*arrow.StructType); ok && l.Struct() && isUnionStruct(st, l) {
		return pairUnionStruct(st, n, l, path)
	}
	bi := -1
	// A branch whose Arrow mapping is t itself wins; then the first branch
	// t can be written as.
	for _, m := range l.Members {
		if at, _, err := avroschema.ArrowType(n.Branches[m], path, avroschema.MapOptions{}); err == nil && arrow.TypeEqual(at, t) {
			bi = m
			break
		}
	}
	if bi < 0 {
		for _, m := range l.Members {
			if _, err := pairValue(t, n.Branches[m], path); err == nil {
				bi = m
				break
			}
		}
	}
	if bi < 0 {
		return nil, unsupported(path, t, n, "no branch fits")
	}
	inner, err := pairValue(t, n.Branches[bi], path)
	if err != nil {
		return nil, err
	}
	valIdx := encIndex(bi)
	return func(arr arrow.Array) (encoder, error) {
		e, err := inner(arr)
		if err != nil {
			return nil, err
		}
		return &nullableEnc{arr: arr, nullIdx: nullIdx, valIdx: valIdx, inner: e, path: path}, nil
	}, nil
}

// isUnionStruct reports whether every field of st names a member of union
// layout l: the struct is the decoder's representation of the union.
func isUnionStruct(st *arrow.StructType, l avroschema.UnionLayout) bool {
	for _, f := range st.Fields() {
		found := false
		for _, name := range l.Names {
			found = found || name == f.Name
		}
		if !found {
			return false
		}
	}
	return st.NumFields() > 0
}

func pairUnionStruct(st *arrow.StructType, n *avroschema.Node, l avroschema.UnionLayout, path string) (spec, error) {
	nullIdx := encIndex(l.Null)
	type member struct {
		field int
		idx   []byte
		spec  spec
	}
	var members []member
	for k, name := range l.Names {
		fi, ok := st.FieldIdx(name)
		if !ok {
			continue // a branch the Arrow side never holds
		}
		s, err := pairValue(st.Field(fi).Type, n.Branches[l.Members[k]], avroschema.Join(path, name))
		if err != nil {
			return nil, err
		}
		members = append(members, member{field: fi, idx: encIndex(l.Members[k]), spec: s})
	}
	return func(arr arrow.Array) (encoder, error) {
		sa, ok := arr.(*array.Struct)
		if !ok {
			return nil, wrongArray(path, arr)
		}
		e := &unionStructEnc{arr: sa, nullIdx: nullIdx, path: path}
		for _, m := range members {
			child := sa.Field(m.field)
			enc, err := m.spec(child)
			if err != nil {
				return nil, err
			}
			e.members = append(e.members, child)
			e.idx = append(e.idx, m.idx)
			e.encs = append(e.encs, enc)
		}
		return e, nil
	}, nil
}

// pairValue compiles a non-union Avro type. Null checks are the caller's.
func pairValue(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	switch n.Kind {
	case avroschema.Null:
		if t.ID() != arrow.NULL {
			return nil, unsupported(path, t, n, "")
		}
		return func(arrow.Array) (encoder, error) { return nothing{}, nil }, nil
	case avroschema.Boolean:
		if t.ID() != arrow.BOOL {
			return nil, unsupported(path, t, n, "")
		}
		return func(arr arrow.Array) (encoder, error) {
			a, ok := arr.(*array.Boolean)
			if !ok {
				return nil, wrongArray(path, arr)
			}
			return &boolEnc{a}, nil
		}, nil
	case avroschema.Int, avroschema.Long:
		return pairInteger(t, n, path)
	case avroschema.Float, avroschema.Double:
		return pairFloat(t, n, path)
	case avroschema.Bytes, avroschema.String:
		if n.Logical == avroschema.Decimal {
			return pairDecimal(t, n, 0, path)
		}
		return pairBytes(t, n, path)
	case avroschema.Fixed:
		return pairFixed(t, n, path)
	case avroschema.Enum:
		return pairEnum(t, n, path)
	case avroschema.Array:
		return pairList(t, n, path)
	case avroschema.Map:
		return pairMap(t, n, path)
	case avroschema.Record:
		st, ok := t.(*arrow.StructType)
		if !ok {
			return nil, unsupported(path, t, n, "")
		}
		fields, err := pairRecord(st.Fields(), n, path)
		if err != nil {
			return nil, err
		}
		return func(arr arrow.Array) (encoder, error) {
			sa, ok := arr.(*array.Struct)
			if !ok {
				return nil, wrongArray(path, arr)
			}
			return bindRecord(fields, sa.Field)
		}, nil
	}
	return nil, unsupported(path, t, n, "")
}

// fieldSpec writes one Avro record field: from Arrow field col, or (col -1)
// the field's default.
type fieldSpec struct {
	col  int
	spec spec
	def  []byte
}

// pairRecord pairs the fields of Avro record n with Arrow fields by name.
// Arrow fields the record does not have are not written. An Avro field
// without an Arrow field is written as its default, or as null when its type
// allows null; otherwise it is an error.
func pairRecord(fields []arrow.Field, n *avroschema.Node, path string) ([]fieldSpec, error) {
	out := make([]fieldSpec, len(n.Fields))
	for i, f := range n.Fields {
		fp := avroschema.Join(path, f.Name)
		col := -1
		for j := range fields {
			if fields[j].Name == f.Name {
				col = j
				break
			}
		}
		if col >= 0 {
			s, err := pair(fields[col].Type, f.Type, fp)
			if err != nil {
				return nil, err
			}
			out[i] = fieldSpec{col: col, spec: s}
			continue
		}
		switch {
		case f.HasDefault:
			def, err := avroschema.AppendDefault(nil, f.Type, f.Default)
			if err != nil {
				return nil, fmt.Errorf("avro: field %s: default: %w", fp, err)
			}
			out[i] = fieldSpec{col: -1, def: def}
		case f.Type.Kind == avroschema.Null:
			out[i] = fieldSpec{col: -1, def: []byte{}}
		case f.Type.Kind == avroschema.Union && f.Type.NullIndex() >= 0:
			out[i] = fieldSpec{col: -1, def: encIndex(f.Type.NullIndex())}
		default:
			return nil, fmt.Errorf("avro: field %s: no Arrow column and no default: %w", fp, encode.ErrUnsupported)
		}
	}
	return out, nil
}

func bindRecord(fields []fieldSpec, column func(int) arrow.Array) (encoder, error) {
	e := &recordEnc{fields: make([]encoder, len(fields))}
	for i, f := range fields {
		if f.col < 0 {
			e.fields[i] = constEnc(f.def)
			continue
		}
		var err error
		if e.fields[i], err = f.spec(column(f.col)); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func pairList(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	var elem arrow.DataType
	switch lt := t.(type) {
	case *arrow.ListType:
		elem = lt.Elem()
	case *arrow.LargeListType:
		elem = lt.Elem()
	case *arrow.FixedSizeListType:
		elem = lt.Elem()
	default:
		return nil, unsupported(path, t, n, "")
	}
	item, err := pair(elem, n.Items, path+"[]")
	if err != nil {
		return nil, err
	}
	return func(arr arrow.Array) (encoder, error) {
		la, ok := arr.(array.ListLike)
		if !ok {
			return nil, wrongArray(path, arr)
		}
		ie, err := item(la.ListValues())
		if err != nil {
			return nil, err
		}
		return &listEnc{arr: la, item: ie}, nil
	}, nil
}

func pairMap(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	mt, ok := t.(*arrow.MapType)
	if !ok {
		return nil, unsupported(path, t, n, "")
	}
	keys, err := pairBytes(mt.KeyType(), &avroschema.Node{Kind: avroschema.String}, path) // a key error is the map's own
	if err != nil {
		return nil, unsupported(path, t, n, "map keys must be strings")
	}
	values, err := pair(mt.ItemType(), n.Values, path+"{}")
	if err != nil {
		return nil, err
	}
	return func(arr arrow.Array) (encoder, error) {
		ma, ok := arr.(*array.Map)
		if !ok {
			return nil, wrongArray(path, arr)
		}
		ke, err := keys(ma.Keys())
		if err != nil {
			return nil, err
		}
		ve, err := values(ma.Items())
		if err != nil {
			return nil, err
		}
		return &mapEnc{arr: ma, keys: ke, values: ve}, nil
	}, nil
}

func pairFloat(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	single := n.Kind == avroschema.Float
	switch t.ID() {
	case arrow.FLOAT32, arrow.FLOAT64, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
	default:
		return nil, unsupported(path, t, n, "")
	}
	return func(arr arrow.Array) (encoder, error) {
		switch a := arr.(type) {
		case *array.Float64:
			if !single {
				return &doubleEnc{a.Float64Values()}, nil
			}
			return &floatEnc[float64]{vals: a.Float64Values(), single: single}, nil
		case *array.Float32:
			return &floatEnc[float32]{vals: a.Float32Values(), single: single}, nil
		case *array.Int8:
			return &floatEnc[int8]{vals: a.Int8Values(), single: single}, nil
		case *array.Int16:
			return &floatEnc[int16]{vals: a.Int16Values(), single: single}, nil
		case *array.Int32:
			return &floatEnc[int32]{vals: a.Int32Values(), single: single}, nil
		case *array.Int64:
			return &floatEnc[int64]{vals: a.Int64Values(), single: single}, nil
		case *array.Uint8:
			return &floatEnc[uint8]{vals: a.Uint8Values(), single: single}, nil
		case *array.Uint16:
			return &floatEnc[uint16]{vals: a.Uint16Values(), single: single}, nil
		case *array.Uint32:
			return &floatEnc[uint32]{vals: a.Uint32Values(), single: single}, nil
		case *array.Uint64:
			return &floatEnc[uint64]{vals: a.Uint64Values(), single: single}, nil
		}
		return nil, wrongArray(path, arr)
	}, nil
}

// nanos per unit of the Avro temporal logical types and Arrow temporal
// types; 0 for types that are not temporal.
const nsPerDay = 86400 * 1e9

func avroUnit(l avroschema.Logical) (ns int64, class byte) {
	switch l {
	case avroschema.Date:
		return nsPerDay, 'd'
	case avroschema.TimeMillis:
		return 1e6, 't'
	case avroschema.TimeMicros:
		return 1e3, 't'
	case avroschema.TimestampMillis, avroschema.LocalTimestampMillis:
		return 1e6, 's'
	case avroschema.TimestampMicros, avroschema.LocalTimestampMicros:
		return 1e3, 's'
	case avroschema.TimestampNanos, avroschema.LocalTimestampNanos:
		return 1, 's'
	}
	return 0, 0
}

func arrowUnit(t arrow.DataType) (ns int64, class byte) {
	switch tt := t.(type) {
	case *arrow.Date32Type:
		return nsPerDay, 'd'
	case *arrow.Date64Type:
		return 1e6, 'd'
	case *arrow.Time32Type:
		return int64(tt.Unit.Multiplier()), 't'
	case *arrow.Time64Type:
		return int64(tt.Unit.Multiplier()), 't'
	case *arrow.TimestampType:
		return int64(tt.Unit.Multiplier()), 's'
	case *arrow.DurationType:
		return int64(tt.Unit.Multiplier()), 'u'
	}
	return 0, 0
}

func pairInteger(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if n.Kind == avroschema.Int {
		lo, hi = math.MinInt32, math.MaxInt32
	}
	mul, div := int64(1), int64(1)
	dstNS, dstClass := avroUnit(n.Logical)
	srcNS, srcClass := arrowUnit(t)
	switch {
	case srcClass == 0:
		if !arrow.IsInteger(t.ID()) {
			return nil, unsupported(path, t, n, "")
		}
	case dstClass == 0:
		// A temporal column into a plain int or long: its stored value.
	case srcClass == dstClass:
		if srcNS > dstNS {
			mul = srcNS / dstNS
		} else {
			div = dstNS / srcNS
		}
	default:
		return nil, unsupported(path, t, n, "")
	}
	fast := mul == 1 && div == 1 && n.Kind == avroschema.Long
	return func(arr arrow.Array) (encoder, error) {
		switch a := arr.(type) {
		case *array.Int64:
			if fast {
				return &longEnc{a.Int64Values()}, nil
			}
			return &intEnc[int64]{vals: a.Int64Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Int32:
			return &intEnc[int32]{vals: a.Int32Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Int16:
			return &intEnc[int16]{vals: a.Int16Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Int8:
			return &intEnc[int8]{vals: a.Int8Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Uint64:
			return &intEnc[uint64]{vals: a.Uint64Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Uint32:
			return &intEnc[uint32]{vals: a.Uint32Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Uint16:
			return &intEnc[uint16]{vals: a.Uint16Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Uint8:
			return &intEnc[uint8]{vals: a.Uint8Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Date32:
			return &intEnc[arrow.Date32]{vals: a.Date32Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Date64:
			return &intEnc[arrow.Date64]{vals: a.Date64Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Time32:
			return &intEnc[arrow.Time32]{vals: a.Time32Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Time64:
			return &intEnc[arrow.Time64]{vals: a.Time64Values(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Timestamp:
			return &intEnc[arrow.Timestamp]{vals: a.TimestampValues(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		case *array.Duration:
			return &intEnc[arrow.Duration]{vals: a.DurationValues(), mul: mul, div: div, min: lo, max: hi, path: path}, nil
		}
		return nil, wrongArray(path, arr)
	}, nil
}

func pairBytes(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW, arrow.BINARY, arrow.LARGE_BINARY,
		arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
	case arrow.DICTIONARY:
		if !isStringDict(t) || n.Kind != avroschema.String {
			return nil, unsupported(path, t, n, "")
		}
	default:
		return nil, unsupported(path, t, n, "")
	}
	return func(arr arrow.Array) (encoder, error) {
		switch a := arr.(type) {
		case *array.String:
			return newStringEnc(a), nil
		case *array.LargeString:
			return &stringsEnc[*array.LargeString]{a}, nil
		case *array.StringView:
			return &stringsEnc[*array.StringView]{a}, nil
		case *array.Binary:
			return &bytesEnc[*array.Binary]{a}, nil
		case *array.LargeBinary:
			return &bytesEnc[*array.LargeBinary]{a}, nil
		case *array.BinaryView:
			return &bytesEnc[*array.BinaryView]{a}, nil
		case *array.FixedSizeBinary:
			return &bytesEnc[*array.FixedSizeBinary]{a}, nil
		case *array.Dictionary:
			dict, ok := a.Dictionary().(stringValuer)
			if !ok {
				return nil, wrongArray(path, a.Dictionary())
			}
			return &dictStringEnc{arr: a, dict: dict}, nil
		}
		return nil, wrongArray(path, arr)
	}, nil
}

func isStringDict(t arrow.DataType) bool {
	dt, ok := t.(*arrow.DictionaryType)
	if !ok {
		return false
	}
	v := dt.ValueType.ID()
	return v == arrow.STRING || v == arrow.LARGE_STRING
}

func pairFixed(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	switch {
	case n.Logical == avroschema.Decimal && (t.ID() == arrow.DECIMAL128 || t.ID() == arrow.DECIMAL256):
		return pairDecimal(t, n, n.Size, path)
	case n.Logical == avroschema.Duration && t.ID() == arrow.INTERVAL_MONTH_DAY_NANO:
		return func(arr arrow.Array) (encoder, error) {
			a, ok := arr.(*array.MonthDayNanoInterval)
			if !ok {
				return nil, wrongArray(path, arr)
			}
			return &durationEnc{vals: a.MonthDayNanoIntervalValues(), path: path}, nil
		}, nil
	}
	switch t.ID() {
	case arrow.FIXED_SIZE_BINARY, arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW:
	default:
		return nil, unsupported(path, t, n, "")
	}
	if ft, ok := t.(*arrow.FixedSizeBinaryType); ok && ft.ByteWidth != n.Size {
		return nil, unsupported(path, t, n, "sizes differ")
	}
	size := n.Size
	return func(arr arrow.Array) (encoder, error) {
		switch a := arr.(type) {
		case *array.FixedSizeBinary:
			return &fixedEnc[*array.FixedSizeBinary]{arr: a, size: size, path: path}, nil
		case *array.Binary:
			return &fixedEnc[*array.Binary]{arr: a, size: size, path: path}, nil
		case *array.LargeBinary:
			return &fixedEnc[*array.LargeBinary]{arr: a, size: size, path: path}, nil
		case *array.BinaryView:
			return &fixedEnc[*array.BinaryView]{arr: a, size: size, path: path}, nil
		}
		return nil, wrongArray(path, arr)
	}, nil
}

func pairDecimal(t arrow.DataType, n *avroschema.Node, size int, path string) (spec, error) {
	dt, ok := t.(arrow.DecimalType)
	if !ok || (t.ID() != arrow.DECIMAL128 && t.ID() != arrow.DECIMAL256) {
		return nil, unsupported(path, t, n, "")
	}
	if int(dt.GetScale()) != n.Scale {
		return nil, unsupported(path, t, n, fmt.Sprintf("scale %d differs from %d", dt.GetScale(), n.Scale))
	}
	var check int32
	if int(dt.GetPrecision()) > n.Precision {
		check = int32(n.Precision) // #nosec G115 -- small
	}
	return func(arr arrow.Array) (encoder, error) {
		switch arr.(type) {
		case *array.Decimal128, *array.Decimal256:
			return &decimalEnc{arr: arr, size: size, precision: check, path: path}, nil
		}
		return nil, wrongArray(path, arr)
	}, nil
}

func pairEnum(t arrow.DataType, n *avroschema.Node, path string) (spec, error) {
	syms := make(map[string]int64, len(n.Symbols))
	for i, s := range n.Symbols {
		syms[s] = int64(i)
	}
	def := int64(n.EnumDefault)
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return func(arr arrow.Array) (encoder, error) {
			switch a := arr.(type) {
			case *array.String:
				return &enumStringEnc[*array.String]{arr: a, syms: syms, def: def, path: path}, nil
			case *array.LargeString:
				return &enumStringEnc[*array.LargeString]{arr: a, syms: syms, def: def, path: path}, nil
			case *array.StringView:
				return &enumStringEnc[*array.StringView]{arr: a, syms: syms, def: def, path: path}, nil
			}
			return nil, wrongArray(path, arr)
		}, nil
	case arrow.DICTIONARY:
		if !isStringDict(t) {
			return nil, unsupported(path, t, n, "")
		}
		return func(arr arrow.Array) (encoder, error) {
			a, ok := arr.(*array.Dictionary)
			if !ok {
				return nil, wrongArray(path, arr)
			}
			dict, ok := a.Dictionary().(stringValuer)
			if !ok {
				return nil, wrongArray(path, a.Dictionary())
			}
			// Map each dictionary entry to its symbol once per batch.
			table := make([][]byte, a.Dictionary().Len())
			for k := range table {
				if a.Dictionary().IsNull(k) {
					continue
				}
				idx, ok := syms[dict.Value(k)]
				if !ok {
					idx = def
				}
				if idx >= 0 {
					table[k] = avroschema.AppendLong(nil, idx)
				}
			}
			return &enumDictEnc{arr: a, table: table, names: dict, path: path}, nil
		}, nil
	}
	return nil, unsupported(path, t, n, "")
}
