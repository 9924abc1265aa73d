package compat

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// realOneof is the oneof a field belongs to in the .proto text; proto3
// optional fields sit in synthetic oneofs that the text does not show.
func realOneof(f protoreflect.FieldDescriptor) protoreflect.OneofDescriptor {
	if o := f.ContainingOneof(); o != nil && !o.IsSynthetic() {
		return o
	}
	return nil
}

func (d *protoDiff) compareMessage(o, u protoreflect.MessageDescriptor) {
	if !d.inScope[o.FullName()] {
		d.inScope[o.FullName()] = true
		d.compareFields(o, u)
		delete(d.inScope, o.FullName())
	}
	d.compareTypes(o.Messages(), o.Enums(), u.Messages(), u.Enums())
}

func (d *protoDiff) compareFields(o, u protoreflect.MessageDescriptor) {
	origTop, updTop := map[protoreflect.FieldNumber]protoreflect.FieldDescriptor{}, map[protoreflect.FieldNumber]protoreflect.FieldDescriptor{}
	origAll, updAll := map[protoreflect.FieldNumber]protoreflect.FieldDescriptor{}, map[protoreflect.FieldNumber]protoreflect.FieldDescriptor{}
	origOneofOf, updOneofOf := map[protoreflect.FieldNumber]protoreflect.Name{}, map[protoreflect.FieldNumber]protoreflect.Name{}
	index := func(m protoreflect.MessageDescriptor, top, all map[protoreflect.FieldNumber]protoreflect.FieldDescriptor, oneofOf map[protoreflect.FieldNumber]protoreflect.Name) {
		fs := m.Fields()
		for i := 0; i < fs.Len(); i++ {
			f := fs.Get(i)
			all[f.Number()] = f
			if oo := realOneof(f); oo != nil {
				oneofOf[f.Number()] = oo.Name()
			} else {
				top[f.Number()] = f
			}
		}
	}
	index(o, origTop, origAll, origOneofOf)
	index(u, updTop, updAll, updOneofOf)

	// A oneof in the update may take in at most one field that was outside
	// any oneof, and only if none of its fields was in a oneof before.
	uo := u.Oneofs()
	for i := 0; i < uo.Len(); i++ {
		oneof := uo.Get(i)
		if oneof.IsSynthetic() {
			continue
		}
		d.push(string(oneof.Name()))
		moved, existing := 0, 0
		fs := oneof.Fields()
		for j := 0; j < fs.Len(); j++ {
			n := fs.Get(j).Number()
			if _, ok := origTop[n]; ok {
				delete(origTop, n) // moved, not removed
				moved++
			} else if _, ok := origOneofOf[n]; ok {
				existing++
			}
		}
		if moved > 1 {
			d.add("MULTIPLE_FIELDS_MOVED_TO_ONEOF")
		} else if moved == 1 && existing > 0 {
			d.add("FIELD_MOVED_TO_EXISTING_ONEOF")
		}
		d.pop()
	}

	origOneofs, updOneofs := oneofsByName(o), oneofsByName(u)
	for _, name := range unionKeys(origOneofs, updOneofs) {
		a, inO := origOneofs[name]
		b, inU := updOneofs[name]
		d.push(string(name))
		switch {
		case !inU:
			d.add("ONEOF_REMOVED")
		case !inO:
			d.add("ONEOF_ADDED")
		default:
			d.compareOneof(a, b, updAll)
		}
		d.pop()
	}

	for _, n := range unionKeys(origTop, updTop) {
		a, inO := origTop[n]
		b, inU := updTop[n]
		d.push(strconv.Itoa(int(n)))
		switch {
		case !inU:
			if a.Cardinality() == protoreflect.Required {
				d.add("REQUIRED_FIELD_REMOVED")
			} else {
				d.add("FIELD_REMOVED")
			}
		case !inO:
			if b.Cardinality() == protoreflect.Required {
				d.add("REQUIRED_FIELD_ADDED")
			} else {
				d.add("FIELD_ADDED")
			}
		default:
			d.compareField(a, b)
		}
		d.pop()
	}

	// Fields whose oneof membership changed were not compared above.
	for _, n := range sortedKeys(origAll) {
		b, ok := updAll[n]
		if !ok {
			continue
		}
		on, inOrigOneof := origOneofOf[n]
		un, inUpdOneof := updOneofOf[n]
		if (!inOrigOneof && !inUpdOneof) || (inOrigOneof && inUpdOneof && on == un) {
			continue
		}
		d.push(strconv.Itoa(int(n)))
		d.compareField(origAll[n], b)
		d.pop()
	}
}

func oneofsByName(m protoreflect.MessageDescriptor) map[protoreflect.Name]protoreflect.OneofDescriptor {
	out := map[protoreflect.Name]protoreflect.OneofDescriptor{}
	os := m.Oneofs()
	for i := 0; i < os.Len(); i++ {
		if !os.Get(i).IsSynthetic() {
			out[os.Get(i).Name()] = os.Get(i)
		}
	}
	return out
}

func (d *protoDiff) compareOneof(o, u protoreflect.OneofDescriptor, updAll map[protoreflect.FieldNumber]protoreflect.FieldDescriptor) {
	byNumber := func(oo protoreflect.OneofDescriptor) map[protoreflect.FieldNumber]protoreflect.FieldDescriptor {
		out := map[protoreflect.FieldNumber]protoreflect.FieldDescriptor{}
		fs := oo.Fields()
		for i := 0; i < fs.Len(); i++ {
			out[fs.Get(i).Number()] = fs.Get(i)
		}
		return out
	}
	of, uf := byNumber(o), byNumber(u)
	for _, n := range unionKeys(of, uf) {
		a, inO := of[n]
		b, inU := uf[n]
		d.push(strconv.Itoa(int(n)))
		switch {
		case !inU:
			// A field that left the oneof but lives on elsewhere moved; only
			// a field gone from the whole message is removed.
			if _, elsewhere := updAll[n]; !elsewhere {
				d.add("ONEOF_FIELD_REMOVED")
			}
		case !inO:
			d.add("ONEOF_FIELD_ADDED")
		default:
			d.compareField(a, b)
		}
		d.pop()
	}
}

func (d *protoDiff) compareField(o, u protoreflect.FieldDescriptor) {
	if o.Name() != u.Name() {
		d.add("FIELD_NAME_CHANGED")
	}
	d.compareFieldTypes(o, u, true)
}

type protoFieldKind uint8

const (
	fieldScalar protoFieldKind = iota
	fieldMessage
	fieldMap
)

func fieldKind(f protoreflect.FieldDescriptor) protoFieldKind {
	switch {
	case f.IsMap():
		return fieldMap
	case f.Kind() == protoreflect.MessageKind || f.Kind() == protoreflect.GroupKind:
		return fieldMessage
	}
	return fieldScalar // enums included
}

// scalarGroup groups the scalar types whose encodings read each other, as
// the Protobuf guide on updating messages describes.
func scalarGroup(k protoreflect.Kind) string {
	switch k {
	case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Uint32Kind, protoreflect.Uint64Kind,
		protoreflect.BoolKind, protoreflect.EnumKind:
		return "varint"
	case protoreflect.Sint32Kind, protoreflect.Sint64Kind:
		return "zigzag"
	case protoreflect.StringKind, protoreflect.BytesKind:
		return "length-delimited"
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind:
		return "fixed32"
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind:
		return "fixed64"
	case protoreflect.FloatKind:
		return "float"
	case protoreflect.DoubleKind:
		return "double"
	}
	return k.String()
}

// label is the label the .proto text spells: "" for a proto3 singular field
// without one (and for map fields).
func label(f protoreflect.FieldDescriptor) string {
	switch {
	case realOneof(f) != nil:
		return "oneof"
	case f.IsMap():
		return ""
	case f.Cardinality() == protoreflect.Repeated:
		return "repeated"
	case f.Cardinality() == protoreflect.Required:
		return "required"
	case f.HasOptionalKeyword():
		return "optional"
	}
	return ""
}

func (d *protoDiff) compareFieldTypes(o, u protoreflect.FieldDescriptor, withLabels bool) {
	ok, uk := fieldKind(o), fieldKind(u)
	if ok != uk {
		d.add("FIELD_KIND_CHANGED")
		return
	}
	switch ok {
	case fieldScalar:
		og, ug := scalarGroup(o.Kind()), scalarGroup(u.Kind())
		if og != ug {
			d.add("FIELD_SCALAR_KIND_CHANGED")
			return
		}
		if !withLabels {
			return
		}
		ol, ul := label(o), label(u)
		if ol != "" && ul != "" && ol != ul {
			if og == "length-delimited" {
				d.add("FIELD_STRING_OR_BYTES_LABEL_CHANGED")
			} else {
				d.add("FIELD_NUMERIC_LABEL_CHANGED")
			}
		}
	case fieldMessage:
		d.compareMessageTypes(o.Message(), u.Message())
	case fieldMap:
		d.compareFieldTypes(o.MapKey(), u.MapKey(), false)
		d.compareFieldTypes(o.MapValue(), u.MapValue(), false)
	}
}

// compareMessageTypes: a field keeps its message type when the name below the
// package is the same and the message itself changed compatibly. Types from
// the same referenced schema on both sides are the same type.
func (d *protoDiff) compareMessageTypes(o, u protoreflect.MessageDescriptor) {
	if localName(o) != localName(u) {
		d.add("FIELD_NAMED_TYPE_CHANGED")
		return
	}
	of, uf := o.ParentFile().Path(), u.ParentFile().Path()
	if of != mainProtoPath && of == uf && d.orig.deps[of] == d.upd.deps[uf] {
		return
	}
	sub := d.sub()
	sub.compareMessage(o, u)
	d.diffs = append(d.diffs, sub.diffs...)
	if !sub.compatible() {
		d.add("FIELD_NAMED_TYPE_CHANGED")
	}
}

func localName(m protoreflect.MessageDescriptor) string {
	full := string(m.FullName())
	if pkg := string(m.ParentFile().Package()); pkg != "" {
		return strings.TrimPrefix(full, pkg+".")
	}
	return full
}

// unionKeys returns the keys of both maps, sorted, each once.
func unionKeys[K cmp.Ordered, A, B any](a map[K]A, b map[K]B) []K {
	keys := make([]K, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
