package msgpack

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/decode"
)

// InferOptions configure Infer.
type InferOptions struct {
	// Limits cap what the samples may claim (zero fields take the defaults).
	Limits decode.Limits
	// UnknownExt: with ExtNull, extension values other than timestamps
	// count as nil; with ExtError (the default) they fail inference.
	UnknownExt ExtPolicy
	// MaxStructFields: a map whose string keys number more than this across
	// the samples becomes an Arrow map instead of a struct (default 64).
	MaxStructFields int
}

// Infer derives an Arrow schema from sample values, each a MessagePack map
// with string keys. The policy:
//
//   - top-level keys become fields in order of first appearance; every field,
//     list item and map value is nullable (a key absent from some samples is
//     simply null there);
//   - nil-only → null; bool → bool; integers → int64 (uint64 when a value
//     exceeds int64 and none is negative); any float, or floats mixed with
//     integers → float64; str → utf8; bin, or bin mixed with str → binary;
//     timestamp extension → timestamp[ns, UTC];
//   - arrays → list of the union of their items (list<null> when all empty);
//   - maps with string keys → struct of the union of their keys, unless the
//     keys number more than MaxStructFields, or some map at that place has
//     a non-string key: then map<key, value> of the unions of keys and values;
//   - anything else mixed at one place (str and int, array and map, ...) is an
//     error naming the field: give the schema explicitly for such data.
//
// Later values that do not fit the inferred schema are record errors when
// decoded, never silent coercions.
func Infer(samples [][]byte, o InferOptions) (*arrow.Schema, error) {
	if len(samples) == 0 {
		return nil, errors.New("msgpack: infer: no samples")
	}
	if o.MaxStructFields <= 0 {
		o.MaxStructFields = 64
	}
	lim := o.Limits.WithDefaults()
	root := &node{}
	for i, s := range samples {
		r := &reader{b: s, maxBytes: lim.MaxBytes, maxItems: lim.MaxItems, maxDepth: lim.MaxDepth, extNull: o.UnknownExt == ExtNull}
		c, err := r.peek()
		if err == nil && !isMap(c) {
			err = r.wrongType(c, "map")
		}
		if err == nil {
			err = observe(r, root, 1)
		}
		if err == nil && root.otherKeys != nil {
			err = &decode.ValueError{Err: fmt.Errorf("%w: a top-level key is not a str", decode.ErrType)}
		}
		if err == nil && r.p != len(s) {
			err = r.fail(decode.ErrMalformed, "%d trailing bytes", len(s)-r.p)
		}
		if err != nil {
			return nil, fmt.Errorf("msgpack: infer: sample %d: %w", i, err)
		}
	}
	st, err := root.structType("", o.MaxStructFields)
	if err != nil {
		return nil, fmt.Errorf("msgpack: infer: %w", err)
	}
	return arrow.NewSchema(st.Fields(), nil), nil
}

// Kinds of value seen at one place.
const (
	seenNull = 1 << iota
	seenBool
	seenInt
	seenFloat
	seenStr
	seenBin
	seenTime
	seenArray
	seenMap
)

// node gathers what was seen at one place of the samples.
type node struct {
	kinds    int
	negative bool // an integer below zero
	bigUint  bool // an integer above int64
	elem     *node
	// maps: string keys by first appearance; values under other keys (and
	// the kinds of those keys) when a map had a non-string key.
	names     []string
	fields    map[string]*node
	otherKeys *node
	otherVals *node
}

func (n *node) field(name []byte) *node {
	if f, ok := n.fields[string(name)]; ok {
		return f
	}
	if n.fields == nil {
		n.fields = map[string]*node{}
	}
	f := &node{}
	n.names = append(n.names, string(name))
	n.fields[string(name)] = f
	return f
}

func child(p **node) *node {
	if *p == nil {
		*p = &node{}
	}
	return *p
}

// observe reads one value at r.p into n.
func observe(r *reader, n *node, depth int) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch {
	case c == mNil:
		r.p++
		n.kinds |= seenNull
	case c == mTrue || c == mFalse:
		r.p++
		n.kinds |= seenBool
	case c <= 0x7f || c >= 0xe0 || (c >= mUint8 && c <= mInt64) || c == mFloat32 || c == mFloat64:
		kind, i, _, _, err := r.num()
		if err != nil {
			return err
		}
		switch kind {
		case kindFloat:
			n.kinds |= seenFloat
		case kindUint:
			n.kinds |= seenInt
			n.bigUint = true
		default:
			n.kinds |= seenInt
			n.negative = n.negative || i < 0
		}
	case isExt(c):
		start := r.p
		typ, data, err := r.ext()
		if err != nil {
			return err
		}
		switch {
		case typ == TimestampExt:
			if _, _, ok := timestamp(data); !ok {
				r.p = start
				return r.fail(decode.ErrMalformed, "timestamp extension of %d bytes or nanoseconds over 999999999", len(data))
			}
			n.kinds |= seenTime
		case r.extNull:
			n.kinds |= seenNull
		default:
			r.p = start
			return r.fail(decode.ErrType, "unsupported extension type %d", typ)
		}
	case isArray(c):
		if depth > r.maxDepth {
			return r.depthErr()
		}
		cnt, err := r.arrayLen(c)
		if err != nil {
			return err
		}
		n.kinds |= seenArray
		e := child(&n.elem)
		for range cnt {
			if err := observe(r, e, depth+1); err != nil {
				return err
			}
		}
	case isMap(c):
		if depth > r.maxDepth {
			return r.depthErr()
		}
		cnt, err := r.mapLen(c)
		if err != nil {
			return err
		}
		n.kinds |= seenMap
		for range cnt {
			var v *node
			if kc, err := r.peek(); err == nil && ((kc >= 0xa0 && kc <= 0xbf) || (kc >= mStr8 && kc <= mStr32)) {
				k, _, err := r.strOrBin()
				if err != nil {
					return err
				}
				v = n.field(k)
			} else {
				if err := observe(r, child(&n.otherKeys), depth+1); err != nil {
					return err
				}
				v = child(&n.otherVals)
			}
			if err := observe(r, v, depth+1); err != nil {
				return err
			}
		}
	default:
		v, _, err := r.strOrBin()
		if err != nil {
			return err
		}
		if c >= mBin8 && c <= mBin32 || !utf8.Valid(v) { // str that is not UTF-8 cannot be utf8
			n.kinds |= seenBin
		} else {
			n.kinds |= seenStr
		}
	}
	return nil
}

// merge folds o into n (for the values of a map column).
func (n *node) merge(o *node) {
	if o == nil {
		return
	}
	n.kinds |= o.kinds
	n.negative = n.negative || o.negative
	n.bigUint = n.bigUint || o.bigUint
	if o.elem != nil {
		child(&n.elem).merge(o.elem)
	}
	for _, name := range o.names {
		n.field([]byte(name)).merge(o.fields[name])
	}
	if o.otherKeys != nil {
		child(&n.otherKeys).merge(o.otherKeys)
		child(&n.otherVals).merge(o.otherVals)
	}
}

func kindNames(k int) string {
	var names []string
	for i, s := range []string{"nil", "bool", "int", "float", "str", "bin", "timestamp", "array", "map"} {
		if k&(1<<i) != 0 {
			names = append(names, s)
		}
	}
	return strings.Join(names, " and ")
}

// dataType resolves what was seen at path into an Arrow type.
func (n *node) dataType(path string, maxFields int) (arrow.DataType, error) {
	k := n.kinds &^ seenNull
	conflict := func() error {
		return fmt.Errorf("field %s holds %s: give the schema explicitly: %w", path, kindNames(k), decode.ErrType)
	}
	switch {
	case k == 0:
		return arrow.Null, nil
	case k == seenBool:
		return arrow.FixedWidthTypes.Boolean, nil
	case k&^(seenInt|seenFloat) == 0:
		switch {
		case k&seenFloat != 0:
			return arrow.PrimitiveTypes.Float64, nil
		case n.bigUint && n.negative:
			return nil, fmt.Errorf("field %s holds integers beyond both int64 and uint64: %w", path, decode.ErrRange)
		case n.bigUint:
			return arrow.PrimitiveTypes.Uint64, nil
		}
		return arrow.PrimitiveTypes.Int64, nil
	case k == seenStr:
		return arrow.BinaryTypes.String, nil
	case k&^(seenStr|seenBin) == 0:
		return arrow.BinaryTypes.Binary, nil
	case k == seenTime:
		return &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, nil
	case k == seenArray:
		elem := n.elem
		if elem == nil {
			elem = &node{}
		}
		et, err := elem.dataType(path+"[]", maxFields)
		if err != nil {
			return nil, err
		}
		return arrow.ListOf(et), nil
	case k == seenMap:
		if n.otherKeys == nil && len(n.names) <= maxFields {
			return n.structType(path, maxFields)
		}
		return n.mapType(path, maxFields)
	}
	return nil, conflict()
}

func (n *node) structType(path string, maxFields int) (*arrow.StructType, error) {
	fields := make([]arrow.Field, len(n.names))
	for i, name := range n.names {
		p := name
		if path != "" {
			p = path + "." + name
		}
		t, err := n.fields[name].dataType(p, maxFields)
		if err != nil {
			return nil, err
		}
		fields[i] = arrow.Field{Name: name, Type: t, Nullable: true}
	}
	return arrow.StructOf(fields...), nil
}

func (n *node) mapType(path string, maxFields int) (arrow.DataType, error) {
	keys, vals := &node{}, &node{}
	if len(n.names) > 0 {
		keys.kinds |= seenStr
	}
	keys.merge(n.otherKeys)
	for _, name := range n.names {
		vals.merge(n.fields[name])
	}
	vals.merge(n.otherVals)
	if keys.kinds&seenNull != 0 {
		return nil, fmt.Errorf("field %s has a nil map key: %w", path, decode.ErrType)
	}
	kt, err := keys.dataType(path, maxFields) // a key error is the map's own
	if err != nil {
		return nil, err
	}
	if !keyTypeOK(kt) {
		return nil, fmt.Errorf("field %s has %s map keys; keys must be strings, binary or integers: %w", path, kt, decode.ErrType)
	}
	vt, err := vals.dataType(path+"{}", maxFields)
	if err != nil {
		return nil, err
	}
	return arrow.MapOf(kt, vt), nil
}
