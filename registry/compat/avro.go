package compat

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/sabot-kafka/sabot/registry"
)

// The Avro model the checker needs: kinds, names and aliases, fields with
// whether they have a default, enum symbols and default, fixed sizes. It is
// parsed here rather than with an Avro library because the check must follow
// the rules Java's SchemaCompatibility applies (every reader union branch is
// tried, all incompatibilities are reported) and must see named types defined
// by referenced schemas; a decoding library resolves unions its own way and
// stops at the first problem.

type avroKind uint8

const (
	avroNull avroKind = iota
	avroBoolean
	avroInt
	avroLong
	avroFloat
	avroDouble
	avroBytes
	avroString
	avroRecord
	avroEnum
	avroArray
	avroMap
	avroUnion
	avroFixed
)

var avroKindNames = [...]string{"null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "enum", "array", "map", "union", "fixed"}

func (k avroKind) String() string { return avroKindNames[k] }

var avroPrimitives = map[string]avroKind{
	"null": avroNull, "boolean": avroBoolean, "int": avroInt, "long": avroLong,
	"float": avroFloat, "double": avroDouble, "bytes": avroBytes, "string": avroString,
}

type avroSchema struct {
	kind avroKind
	// named types
	fullName string
	name     string // unqualified
	aliases  []string
	// record
	fields []avroField
	// enum
	symbols     []string
	enumDefault string
	// fixed
	size int64
	// array, map
	items *avroSchema
	// union
	branches []*avroSchema
}

type avroField struct {
	name       string
	aliases    []string
	schema     *avroSchema
	hasDefault bool
	defaultVal any
}

// maxAvroDepth bounds nesting of schema JSON (and of default values) so
// hostile input cannot exhaust the stack.
const maxAvroDepth = 256

type avroParser struct {
	names map[string]*avroSchema
	depth int
}

// parseAvro parses text after the named types of deps (dependencies first),
// so references to types defined in other subjects resolve.
func parseAvro(text string, deps []registry.Dependency) (*avroSchema, error) {
	p := &avroParser{names: make(map[string]*avroSchema)}
	for _, d := range deps {
		if d.Schema.Type.Normalized() != registry.TypeAvro {
			return nil, fmt.Errorf("reference %q is %s, not AVRO", d.Name, d.Schema.Type.Normalized())
		}
		if _, err := p.parseText(d.Schema.Text); err != nil {
			return nil, fmt.Errorf("reference %q: %w", d.Name, err)
		}
	}
	return p.parseText(text)
}

func (p *avroParser) parseText(text string) (*avroSchema, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not JSON: data after the schema")
	}
	p.depth = 0
	return p.parse(v, "")
}

func (p *avroParser) parse(v any, ns string) (*avroSchema, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxAvroDepth {
		return nil, fmt.Errorf("schema nests deeper than %d", maxAvroDepth)
	}
	switch t := v.(type) {
	case string:
		return p.lookup(t, ns)
	case []any:
		return p.parseUnion(t, ns)
	case map[string]any:
		typ, ok := t["type"].(string)
		if !ok {
			return nil, errors.New(`schema object has no "type" string`)
		}
		switch typ {
		case "record", "error":
			return p.parseRecord(t, ns)
		case "enum":
			return p.parseEnum(t, ns)
		case "fixed":
			return p.parseFixed(t, ns)
		case "array":
			items, ok := t["items"]
			if !ok {
				return nil, errors.New(`array has no "items"`)
			}
			it, err := p.parse(items, ns)
			if err != nil {
				return nil, fmt.Errorf("array items: %w", err)
			}
			return &avroSchema{kind: avroArray, items: it}, nil
		case "map":
			values, ok := t["values"]
			if !ok {
				return nil, errors.New(`map has no "values"`)
			}
			vs, err := p.parse(values, ns)
			if err != nil {
				return nil, fmt.Errorf("map values: %w", err)
			}
			return &avroSchema{kind: avroMap, items: vs}, nil
		}
		// {"type": "int", "logicalType": ...} or {"type": "com.x.Named"}.
		return p.lookup(typ, ns)
	}
	return nil, fmt.Errorf("schema must be a JSON string, array or object, got %s", jsonTypeName(v))
}

func (p *avroParser) lookup(name, ns string) (*avroSchema, error) {
	if k, ok := avroPrimitives[name]; ok {
		return &avroSchema{kind: k}, nil
	}
	if !strings.Contains(name, ".") && ns != "" {
		if s, ok := p.names[ns+"."+name]; ok {
			return s, nil
		}
	}
	if s, ok := p.names[name]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("unknown type %q", name)
}

func (p *avroParser) parseUnion(branches []any, ns string) (*avroSchema, error) {
	u := &avroSchema{kind: avroUnion}
	seen := make(map[string]bool)
	for i, b := range branches {
		s, err := p.parse(b, ns)
		if err != nil {
			return nil, fmt.Errorf("union branch %d: %w", i, err)
		}
		if s.kind == avroUnion {
			return nil, fmt.Errorf("union branch %d is a union", i)
		}
		key := s.kind.String()
		if s.fullName != "" {
			key = s.fullName
		}
		if seen[key] {
			return nil, fmt.Errorf("union holds %s twice", key)
		}
		seen[key] = true
		u.branches = append(u.branches, s)
	}
	return u, nil
}

// define names a record, enum or fixed, and registers it before its body is
// parsed so recursive records resolve.
func (p *avroParser) define(t map[string]any, kind avroKind, enclosing string) (*avroSchema, string, error) {
	name, ok := t["name"].(string)
	if !ok || name == "" {
		return nil, "", fmt.Errorf("%s has no name", kind)
	}
	ns := enclosing
	if v, ok := t["namespace"]; ok {
		s, isStr := v.(string)
		if !isStr && v != nil {
			return nil, "", fmt.Errorf("%s %q: namespace is not a string", kind, name)
		}
		ns = s
	}
	full := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ns = name[:i]
		name = name[i+1:]
	} else if ns != "" {
		full = ns + "." + name
	}
	if err := validFullName(full); err != nil {
		return nil, "", fmt.Errorf("%s name: %w", kind, err)
	}
	if _, ok := avroPrimitives[full]; ok {
		return nil, "", fmt.Errorf("%s may not be named %q", kind, full)
	}
	if _, dup := p.names[full]; dup {
		return nil, "", fmt.Errorf("type %q is defined twice", full)
	}
	s := &avroSchema{kind: kind, fullName: full, name: name}
	aliases, err := stringList(t, "aliases")
	if err != nil {
		return nil, "", fmt.Errorf("%s %q: %w", kind, full, err)
	}
	for _, a := range aliases {
		if !strings.Contains(a, ".") && ns != "" {
			a = ns + "." + a
		}
		s.aliases = append(s.aliases, a)
	}
	p.names[full] = s
	return s, ns, nil
}

func (p *avroParser) parseRecord(t map[string]any, enclosing string) (*avroSchema, error) {
	s, ns, err := p.define(t, avroRecord, enclosing)
	if err != nil {
		return nil, err
	}
	fields, ok := t["fields"].([]any)
	if !ok {
		return nil, fmt.Errorf("record %q has no fields array", s.fullName)
	}
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		fo, ok := f.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("record %q field %d is not an object", s.fullName, i)
		}
		name, _ := fo["name"].(string)
		if err := validName(name); err != nil {
			return nil, fmt.Errorf("record %q field %d: %w", s.fullName, i, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("record %q has two fields named %q", s.fullName, name)
		}
		seen[name] = true
		ft, ok := fo["type"]
		if !ok {
			return nil, fmt.Errorf("record %q field %q has no type", s.fullName, name)
		}
		fs, err := p.parse(ft, ns)
		if err != nil {
			return nil, fmt.Errorf("record %q field %q: %w", s.fullName, name, err)
		}
		aliases, err := stringList(fo, "aliases")
		if err != nil {
			return nil, fmt.Errorf("record %q field %q: %w", s.fullName, name, err)
		}
		def, hasDefault := fo["default"]
		s.fields = append(s.fields, avroField{name: name, aliases: aliases, schema: fs, hasDefault: hasDefault, defaultVal: def})
	}
	// Defaults are checked once the record is complete: a field's default may
	// be a value of this very record.
	for _, f := range s.fields {
		if f.hasDefault && !validDefault(f.schema, f.defaultVal, 0) {
			return nil, fmt.Errorf("record %q field %q: invalid default for type %s", s.fullName, f.name, f.schema.kind)
		}
	}
	return s, nil
}

func (p *avroParser) parseEnum(t map[string]any, enclosing string) (*avroSchema, error) {
	s, _, err := p.define(t, avroEnum, enclosing)
	if err != nil {
		return nil, err
	}
	syms, ok := t["symbols"].([]any)
	if !ok {
		return nil, fmt.Errorf("enum %q has no symbols array", s.fullName)
	}
	seen := make(map[string]bool, len(syms))
	for i, v := range syms {
		sym, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("enum %q symbol %d is not a string", s.fullName, i)
		}
		if err := validName(sym); err != nil {
			return nil, fmt.Errorf("enum %q symbol %d: %w", s.fullName, i, err)
		}
		if seen[sym] {
			return nil, fmt.Errorf("enum %q has symbol %q twice", s.fullName, sym)
		}
		seen[sym] = true
		s.symbols = append(s.symbols, sym)
	}
	if d, ok := t["default"]; ok {
		ds, isStr := d.(string)
		if !isStr || !seen[ds] {
			return nil, fmt.Errorf("enum %q default is not one of its symbols", s.fullName)
		}
		s.enumDefault = ds
	}
	return s, nil
}

func (p *avroParser) parseFixed(t map[string]any, enclosing string) (*avroSchema, error) {
	s, _, err := p.define(t, avroFixed, enclosing)
	if err != nil {
		return nil, err
	}
	n, ok := t["size"].(json.Number)
	if !ok {
		return nil, fmt.Errorf("fixed %q has no size", s.fullName)
	}
	size, err := n.Int64()
	if err != nil || size < 0 || size > 1<<31-1 {
		return nil, fmt.Errorf("fixed %q: size %s is not a non-negative 32-bit integer", s.fullName, n)
	}
	s.size = size
	return s, nil
}

// validDefault follows Avro's default validation: a union's default may match
// any branch, a record's default must give every field without its own
// default.
func validDefault(s *avroSchema, v any, depth int) bool {
	if depth > maxAvroDepth {
		return false
	}
	switch s.kind {
	case avroNull:
		return v == nil
	case avroBoolean:
		_, ok := v.(bool)
		return ok
	case avroInt, avroLong:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		i, err := n.Int64()
		if err != nil {
			return false
		}
		return s.kind == avroLong || (i >= -1<<31 && i <= 1<<31-1)
	case avroFloat, avroDouble:
		_, ok := v.(json.Number)
		return ok
	case avroBytes, avroString, avroEnum, avroFixed:
		_, ok := v.(string)
		return ok
	case avroArray:
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range arr {
			if !validDefault(s.items, e, depth+1) {
				return false
			}
		}
		return true
	case avroMap:
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for _, e := range obj {
			if !validDefault(s.items, e, depth+1) {
				return false
			}
		}
		return true
	case avroRecord:
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for _, f := range s.fields {
			fv, ok := obj[f.name]
			if !ok {
				if !f.hasDefault {
					return false
				}
				fv = f.defaultVal
			}
			if !validDefault(f.schema, fv, depth+1) {
				return false
			}
		}
		return true
	case avroUnion:
		for _, b := range s.branches {
			if validDefault(b, v, depth+1) {
				return true
			}
		}
	}
	return false
}

func validFullName(full string) error {
	for _, part := range strings.Split(full, ".") {
		if err := validName(part); err != nil {
			return fmt.Errorf("%q: %w", full, err)
		}
	}
	return nil
}

// validName: a letter or underscore, then letters, digits or underscores.
func validName(n string) error {
	if n == "" {
		return errors.New("empty name")
	}
	for i, r := range n {
		if r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r)) {
			continue
		}
		return fmt.Errorf("invalid name %q", n)
	}
	return nil
}

func stringList(obj map[string]any, key string) ([]string, error) {
	v, ok := obj[key]
	if !ok || v == nil {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s is not an array", key)
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%s holds a non-string", key)
		}
		out = append(out, s)
	}
	return out, nil
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
