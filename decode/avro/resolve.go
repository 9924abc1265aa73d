package avro

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
)

// ErrIncompatible is wrapped by errors for a writer schema that cannot be read
// with the reader schema (Avro schema resolution fails): at compile time for
// the schemas as a whole; at decode time, for a union branch or enum symbol
// the reader has no match for, it is wrapped along with decode.ErrType (or
// decode.ErrNull for a null branch) in the record's *decode.ValueError.
var ErrIncompatible = errors.New("avro: writer and reader schemas are incompatible")

// resolver compiles (writer, reader) type pairs into specs following the
// Avro specification's schema resolution rules.
type resolver struct {
	check bool // check UTF-8 of strings read from the wire
}

func incompatible(path string, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = "field " + path + ": " + msg
	}
	return fmt.Errorf("avro: %s: %w", msg, ErrIncompatible)
}

func (c *resolver) resolve(w, r *avroschema.Node, path string) (spec, error) {
	if w.Kind == avroschema.Union {
		return c.writerUnion(w, r, path)
	}
	if r.Kind == avroschema.Union {
		return c.readerUnion(w, r, path)
	}
	if !promotable(w, r) {
		return nil, incompatible(path, "writer %s cannot be read as %s", w.TypeName(), r.TypeName())
	}
	switch r.Kind {
	case avroschema.Null:
		return nullSpec{}, nil
	case avroschema.Boolean:
		return boolSpec{}, nil
	case avroschema.Int, avroschema.Long:
		return varintSpec{}, nil
	case avroschema.Float, avroschema.Double:
		switch w.Kind {
		case avroschema.Int, avroschema.Long:
			return varintSpec{}, nil
		case avroschema.Float:
			return floatSpec{}, nil
		}
		return doubleSpec{}, nil
	case avroschema.Bytes, avroschema.String:
		if r.Logical == avroschema.Decimal && w.Logical == avroschema.Decimal && w.Scale != r.Scale {
			return nil, incompatible(path, "writer decimal scale %d differs from reader scale %d", w.Scale, r.Scale)
		}
		// Bytes read as a string are checked whatever the options say:
		// nothing promised they are UTF-8.
		return bytesSpec{check: c.check || (w.Kind == avroschema.Bytes && r.Kind == avroschema.String)}, nil
	case avroschema.Fixed:
		if w.Size != r.Size {
			return nil, incompatible(path, "writer fixed(%d) cannot be read as fixed(%d)", w.Size, r.Size)
		}
		if r.Logical == avroschema.Decimal && w.Logical == avroschema.Decimal && w.Scale != r.Scale {
			return nil, incompatible(path, "writer decimal scale %d differs from reader scale %d", w.Scale, r.Scale)
		}
		return fixedSpec{size: int64(r.Size)}, nil
	case avroschema.Enum:
		return enumResolve(w, r, path)
	case avroschema.Array:
		item, err := c.resolve(w.Items, r.Items, path+"[]")
		if err != nil {
			return nil, err
		}
		return listSpec{item: item, path: path + "[]"}, nil
	case avroschema.Map:
		v, err := c.resolve(w.Values, r.Values, path+"{}")
		if err != nil {
			return nil, err
		}
		return mapSpec{value: v, check: c.check, path: path + "{}"}, nil
	case avroschema.Record:
		return c.record(w, r, path)
	}
	return nil, incompatible(path, "no resolution for %s", r.TypeName())
}

// promotable reports whether a writer value of w's kind can be read as r's
// kind: the same kind, or one of the specification's promotions.
func promotable(w, r *avroschema.Node) bool {
	if w.Kind == r.Kind {
		return true
	}
	switch w.Kind {
	case avroschema.Int:
		return r.Kind == avroschema.Long || r.Kind == avroschema.Float || r.Kind == avroschema.Double
	case avroschema.Long:
		return r.Kind == avroschema.Float || r.Kind == avroschema.Double
	case avroschema.Float:
		return r.Kind == avroschema.Double
	case avroschema.String:
		return r.Kind == avroschema.Bytes
	case avroschema.Bytes:
		return r.Kind == avroschema.String
	}
	return false
}

// namesMatch reports whether named types w and r are the same type: equal
// full or short names, or r lists w's name among its aliases.
func namesMatch(w, r *avroschema.Node) bool {
	if w.Name == r.Name || w.ShortName() == r.ShortName() {
		return true
	}
	for _, a := range r.Aliases {
		if a == w.Name || shortOf(a) == w.ShortName() {
			return true
		}
	}
	return false
}

func shortOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// branchFor picks the reader union branch a writer value of type w resolves
// to: the first branch of the same type (by name for named types), else the
// first it can be promoted to. It returns -1 when none fits.
func branchFor(w, r *avroschema.Node) int {
	for i, b := range r.Branches {
		if b.Kind == w.Kind && (!b.Named() || namesMatch(w, b)) {
			return i
		}
	}
	for i, b := range r.Branches {
		if b.Kind != w.Kind && promotable(w, b) {
			return i
		}
	}
	return -1
}

func (c *resolver) writerUnion(w, r *avroschema.Node, path string) (spec, error) {
	branches := make([]spec, len(w.Branches))
	matched := false
	for i, wb := range w.Branches {
		if !fits(wb, r) {
			// Met per value: a null the reader cannot hold, or a type.
			kind := decode.ErrType
			if wb.Kind == avroschema.Null {
				kind = decode.ErrNull
			}
			branches[i] = errSpec{err: fmt.Errorf("%w: writer union branch %d (%s) has no match in reader %s (%w)",
				kind, i, wb.TypeName(), r.TypeName(), ErrIncompatible)}
			continue
		}
		s, err := c.resolve(wb, r, path)
		if err != nil {
			return nil, err
		}
		branches[i] = s
		matched = true
	}
	if !matched {
		return nil, incompatible(path, "no branch of the writer union can be read as %s", r.TypeName())
	}
	return unionSpec{branches: branches}, nil
}

// fits reports whether a (non-union) writer type can be read as r at all.
func fits(w, r *avroschema.Node) bool {
	if r.Kind == avroschema.Union {
		if w.Kind == avroschema.Null {
			return r.NullIndex() >= 0 || len(avroschema.Layout(r).Members) == 0
		}
		return branchFor(w, r) >= 0
	}
	if w.Kind == avroschema.Null {
		return r.Kind == avroschema.Null
	}
	if r.Named() && w.Kind == r.Kind && !namesMatch(w, r) {
		return false
	}
	return promotable(w, r)
}

func (c *resolver) readerUnion(w, r *avroschema.Node, path string) (spec, error) {
	l := avroschema.Layout(r)
	if w.Kind == avroschema.Null {
		if l.Null < 0 && len(l.Members) > 0 {
			return nil, incompatible(path, "writer null cannot be read as %s without a null branch", r.TypeName())
		}
		return nullSpec{}, nil
	}
	bi := branchFor(w, r)
	if bi < 0 || r.Branches[bi].Kind == avroschema.Null {
		return nil, incompatible(path, "writer %s matches no branch of the reader union", w.TypeName())
	}
	j := slices.Index(l.Members, bi)
	if !l.Struct() {
		// A union of null and one type maps to that type's column.
		return c.resolve(w, r.Branches[bi], path)
	}
	inner, err := c.resolve(w, r.Branches[bi], avroschema.Join(path, l.Names[j]))
	if err != nil {
		return nil, err
	}
	return memberSpec{j: j, inner: inner}, nil
}

func enumResolve(w, r *avroschema.Node, path string) (spec, error) {
	s := enumSpec{mapping: make([]int32, len(w.Symbols)), reader: r.Symbols, writer: w.Symbols}
	for i, sym := range w.Symbols {
		j := slices.Index(r.Symbols, sym)
		if j < 0 {
			j = r.EnumDefault // -1 without a default: an error when met
		}
		s.mapping[i] = int32(j) // #nosec G115 -- symbol counts are small
	}
	if len(w.Symbols) == 0 {
		return nil, incompatible(path, "writer enum %s has no symbols", w.Name)
	}
	return s, nil
}

// readerField finds the reader field a writer field fills: same name, or the
// writer's name among the reader field's aliases.
func readerField(r *avroschema.Node, wf *avroschema.Field) int {
	for i := range r.Fields {
		if r.Fields[i].Name == wf.Name {
			return i
		}
	}
	for i := range r.Fields {
		if slices.Contains(r.Fields[i].Aliases, wf.Name) {
			return i
		}
	}
	return -1
}

func (c *resolver) record(w, r *avroschema.Node, path string) (*recordSpec, error) {
	s := &recordSpec{}
	filled := make([]bool, len(r.Fields))
	for i := range w.Fields {
		wf := &w.Fields[i]
		ri := readerField(r, wf)
		if ri < 0 || filled[ri] {
			s.steps = append(s.steps, stepSpec{field: -1, skip: wf.Type, path: avroschema.Join(path, wf.Name)})
			continue
		}
		fp := avroschema.Join(path, r.Fields[ri].Name)
		fs, err := c.resolve(wf.Type, r.Fields[ri].Type, fp)
		if err != nil {
			return nil, err
		}
		filled[ri] = true
		s.steps = append(s.steps, stepSpec{field: ri, spec: fs, path: fp})
	}
	for ri := range r.Fields {
		if filled[ri] {
			continue
		}
		rf := &r.Fields[ri]
		fp := avroschema.Join(path, rf.Name)
		if !rf.HasDefault {
			return nil, incompatible(fp, "the writer schema lacks the field and the reader gives no default")
		}
		data, err := avroschema.AppendDefault(nil, rf.Type, rf.Default)
		if err != nil {
			return nil, fmt.Errorf("avro: field %s: %w: %w", fp, avroschema.ErrSchema, err)
		}
		ident, err := c.resolve(rf.Type, rf.Type, fp)
		if err != nil {
			return nil, err
		}
		s.steps = append(s.steps, stepSpec{field: ri, spec: constSpec{data: data, inner: ident}, path: fp})
	}
	return s, nil
}
