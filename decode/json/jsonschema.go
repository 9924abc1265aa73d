package json

import (
	stdjson "encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
)

// BaseURL is where a schema document without its own $id lives, so relative
// $refs resolve against it: a reference named "address.json" in a registered
// schema's references is loaded as BaseURL + "address.json" (the convention
// Confluent's serializers use).
const BaseURL = "mem://input/"

// Document is a compiled JSON Schema document: the validator and the Arrow
// layout derived from it.
type Document struct {
	root  *jsonschema.Schema
	docs  map[string]*document // by document URL
	title string
	exact bool
}

// document is one loaded schema document: its parsed form for raw keywords
// and the key order of each of its objects (Go maps forget it).
type document struct {
	doc   any
	order map[string][]string // JSON pointer → keys in document order
}

// CompileJSONSchema compiles text (and the documents its $refs name, by
// reference name) with the validator of github.com/santhosh-tekuri/jsonschema,
// which follows the document's $schema (drafts 4, 6, 7, 2019-09 and 2020-12;
// 2020-12 when absent), and derives the Arrow layout. Constructs with no
// Arrow mapping fail here, naming their path.
func CompileJSONSchema(text string, deps []registry.Dependency) (*Document, error) {
	j := &Document{docs: map[string]*document{}}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	rootDoc, err := j.add(c, BaseURL, text)
	if err != nil {
		return nil, fmt.Errorf("json: schema: %w", err)
	}
	// Relative references resolve against the root's $id when it has one.
	bases := []string{BaseURL}
	if m, ok := rootDoc.(map[string]any); ok {
		if id, ok := m["$id"].(string); ok && id != "" {
			bases = append(bases, id)
		}
	}
	for _, d := range deps {
		for _, b := range bases {
			u, err := resolveURL(b, d.Name)
			if err != nil {
				return nil, fmt.Errorf("json: schema reference %q: %w", d.Name, err)
			}
			if _, ok := j.docs[u]; ok {
				continue
			}
			if _, err := j.add(c, u, d.Schema.Text); err != nil {
				return nil, fmt.Errorf("json: schema reference %q: %w", d.Name, err)
			}
		}
	}
	root, err := c.Compile(BaseURL)
	if err != nil {
		return nil, fmt.Errorf("json: compiling JSON Schema: %w", err)
	}
	j.root = root
	j.title = root.Title
	if _, _, _, err := j.derive(false); err != nil {
		return nil, err
	}
	_, _, exact, err := j.derive(true)
	if err != nil {
		return nil, err
	}
	j.exact = exact
	return j, nil
}

// noLoader refuses URLs that were not registered: a schema never makes the
// decoder fetch anything.
type noLoader struct{}

func (noLoader) Load(u string) (any, error) {
	return nil, fmt.Errorf("json: schema %q is not among the schema's references", u)
}

func resolveURL(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	u := b.ResolveReference(r)
	u.Fragment = ""
	return u.String(), nil
}

func (j *Document) add(c *jsonschema.Compiler, u, text string) (any, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	order := map[string][]string{}
	dec := stdjson.NewDecoder(strings.NewReader(text))
	if err := recordOrder(dec, "", order); err != nil {
		return nil, err
	}
	if err := c.AddResource(u, doc); err != nil {
		return nil, err
	}
	j.docs[u] = &document{doc: doc, order: order}
	return doc, nil
}

// recordOrder walks one value from dec, recording each object's key order by
// its JSON pointer.
func recordOrder(dec *stdjson.Decoder, ptr string, order map[string][]string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case stdjson.Delim('{'):
		var keys []string
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			keys = append(keys, k)
			if err := recordOrder(dec, ptr+"/"+escapeToken(k), order); err != nil {
				return err
			}
		}
		order[ptr] = keys
		_, err = dec.Token()
		return err
	case stdjson.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := recordOrder(dec, fmt.Sprintf("%s/%d", ptr, i), order); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

func escapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

// Title is the root schema's title ("" when it has none).
func (j *Document) Title() string { return j.title }

// Validator is the compiled schema for full validation.
func (j *Document) Validator() *jsonschema.Schema { return j.root }

// Exact reports whether every assertion of the schema is compiled into the
// validating plan (Plan with validate true), so values need no other
// validation. It is false when the schema uses keywords the plan does not
// check (allOf, anyOf, oneOf, not, if, const, multipleOf, patternProperties,
// uniqueItems, asserted formats, ...); callers then validate with Validator.
func (j *Document) Exact() bool { return j.exact }

// Schema is the derived Arrow schema (the layout of Plan's batches).
func (j *Document) Schema() *arrow.Schema {
	kids, _, _, _ := j.derive(false)
	fields := make([]arrow.Field, len(kids))
	for i, k := range kids {
		fields[i] = k.field()
	}
	return arrow.NewSchema(fields, nil)
}

// Plan returns the decode plan for values of this schema. With validate, the
// plan also enforces the assertions Exact covers (types, required, enum of
// strings, minimum/maximum, minLength/maxLength, pattern, minItems/maxItems,
// additionalProperties false) and JSON null only where the schema allows it.
func (j *Document) Plan(l decode.Limits, validate bool) (decode.Plan, error) {
	kids, top, _, err := j.derive(validate)
	if err != nil {
		return nil, err
	}
	return newPlan(kids, top, l)
}

func (n *node) field() arrow.Field {
	if n.raw {
		f := RawField(n.name)
		f.Nullable = n.nullable
		return f
	}
	return arrow.Field{Name: n.name, Type: n.typ, Nullable: n.nullable}
}

// derive builds the top-level nodes and reports whether, with validate, every
// assertion is compiled into them.
func (j *Document) derive(validate bool) ([]*node, *objChecks, bool, error) {
	d := deriver{j: j, validate: validate, exact: true, active: map[*jsonschema.Schema]bool{}}
	sch := d.deref(j.root)
	if kinds, _ := d.kinds(sch); kinds&^kindNull != kindObject || len(sch.Properties) == 0 {
		return nil, nil, false, fmt.Errorf("json: the top-level schema must describe an object with properties: %w", decode.ErrUnsupported)
	}
	n, err := d.node(j.root, "", "", 0)
	if err != nil {
		return nil, nil, false, err
	}
	if _, ok := n.typ.(*arrow.StructType); !ok {
		return nil, nil, false, fmt.Errorf("json: the top-level schema must describe an object with properties: %w", decode.ErrUnsupported)
	}
	if d.validate && n.admitsNull {
		d.inexact() // a top-level null is valid but has no row
	}
	return n.kids, n.obj, d.exact, nil
}

// setNullable fixes a node's nullability once its parent knows whether it
// may be absent: the column is nullable when the value may be absent or
// null; a validating plan accepts JSON null only where the schema does.
func (d *deriver) setNullable(k *node, nullable bool) {
	k.nullable = nullable
	k.nullOK = nullable
	if d.validate {
		k.nullOK = k.admitsNull
	}
}

// Kinds of JSON values a schema admits, as a bit set.
const (
	kindNull = 1 << iota
	kindBool
	kindInteger
	kindNumber
	kindString
	kindArray
	kindObject
	kindAny = kindNull | kindBool | kindInteger | kindNumber | kindString | kindArray | kindObject
)

type deriver struct {
	j        *Document
	validate bool
	exact    bool
	active   map[*jsonschema.Schema]bool // schemas on the current path, for recursion
}

// raw returns the schema's object in its document, for keywords the compiled
// form drops (format when not asserted, contentEncoding, key order).
func (d *deriver) raw(sch *jsonschema.Schema) (map[string]any, *document, string) {
	u, frag, _ := strings.Cut(sch.Location, "#")
	doc := d.j.docs[u]
	if doc == nil {
		return nil, nil, ""
	}
	ptr, err := url.PathUnescape(frag)
	if err != nil {
		return nil, nil, ""
	}
	v := doc.doc
	if ptr != "" {
		for _, tok := range strings.Split(ptr[1:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			switch x := v.(type) {
			case map[string]any:
				v = x[tok]
			case []any:
				i := 0
				if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(x) {
					return nil, nil, ""
				}
				v = x[i]
			default:
				return nil, nil, ""
			}
		}
	}
	m, _ := v.(map[string]any)
	return m, doc, ptr
}

// deref follows a schema that is only a $ref.
func (d *deriver) deref(sch *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; i < 64 && sch.Ref != nil && onlyRef(sch); i++ {
		sch = sch.Ref
	}
	return sch
}

// onlyRef reports whether $ref is the schema's only assertion.
func onlyRef(s *jsonschema.Schema) bool {
	c := *s
	c.Ref = nil
	return !hasAssertions(&c)
}

func hasAssertions(s *jsonschema.Schema) bool {
	return s.Bool != nil || s.Ref != nil || s.RecursiveRef != nil || s.DynamicRef != nil || s.Types != nil ||
		s.Enum != nil || s.Const != nil || s.Not != nil || s.AllOf != nil || s.AnyOf != nil || s.OneOf != nil ||
		s.If != nil || s.Format != nil || s.MaxProperties != nil || s.MinProperties != nil || s.Required != nil ||
		s.PropertyNames != nil || s.Properties != nil || s.PatternProperties != nil || s.AdditionalProperties != nil ||
		s.Dependencies != nil || s.DependentRequired != nil || s.DependentSchemas != nil || s.UnevaluatedProperties != nil ||
		s.MinItems != nil || s.MaxItems != nil || s.UniqueItems || s.Contains != nil || s.Items != nil ||
		s.AdditionalItems != nil || s.PrefixItems != nil || s.Items2020 != nil || s.UnevaluatedItems != nil ||
		s.MinLength != nil || s.MaxLength != nil || s.Pattern != nil || s.ContentEncoding != nil ||
		s.ContentMediaType != nil || s.ContentSchema != nil || s.Maximum != nil || s.Minimum != nil ||
		s.ExclusiveMaximum != nil || s.ExclusiveMinimum != nil || s.MultipleOf != nil || len(s.Extensions) > 0
}

// kinds returns the JSON kinds sch admits (from type, or from the keywords
// it uses when type is absent) and whether type was given.
func (d *deriver) kinds(sch *jsonschema.Schema) (int, bool) {
	if sch.Bool != nil {
		if *sch.Bool {
			return kindAny, false
		}
		return 0, false
	}
	if sch.Types != nil {
		k := 0
		for _, t := range sch.Types.ToStrings() {
			switch t {
			case "null":
				k |= kindNull
			case "boolean":
				k |= kindBool
			case "integer":
				k |= kindInteger
			case "number":
				k |= kindNumber | kindInteger
			case "string":
				k |= kindString
			case "array":
				k |= kindArray
			case "object":
				k |= kindObject
			}
		}
		return k, true
	}
	if sch.Enum != nil {
		k := 0
		for _, v := range sch.Enum.Values {
			k |= kindOf(v)
		}
		return k, false
	}
	switch {
	case sch.Properties != nil || sch.AdditionalProperties != nil || sch.PatternProperties != nil || sch.Required != nil:
		return kindObject, false
	case sch.Items != nil || sch.Items2020 != nil || sch.PrefixItems != nil:
		return kindArray, false
	}
	return kindAny, false
}

func kindOf(v any) int {
	switch v := v.(type) {
	case nil:
		return kindNull
	case bool:
		return kindBool
	case string:
		return kindString
	case []any:
		return kindArray
	case map[string]any:
		return kindObject
	case stdjson.Number:
		if _, err := v.Int64(); err == nil {
			return kindInteger
		}
		return kindNumber
	}
	return kindNumber
}

// properties returns the property names of sch in document order.
func (d *deriver) properties(sch *jsonschema.Schema) []string {
	if len(sch.Properties) == 0 {
		return nil
	}
	_, doc, ptr := d.raw(sch)
	var names []string
	if doc != nil {
		for _, k := range doc.order[ptr+"/properties"] {
			if _, ok := sch.Properties[k]; ok {
				names = append(names, k)
			}
		}
	}
	if len(names) != len(sch.Properties) {
		names = names[:0]
		for k := range sch.Properties {
			names = append(names, k)
		}
		sortStrings(names)
	}
	return names
}

// inexact records that a keyword is left to the full validator.
func (d *deriver) inexact() { d.exact = false }

// node derives the node for schema sch at path.
func (d *deriver) node(sch *jsonschema.Schema, name, path string, depth int) (*node, error) {
	if depth > decode.DefaultLimits.MaxDepth {
		return nil, fmt.Errorf("json: schema at %q nests deeper than %d: %w", path, decode.DefaultLimits.MaxDepth, decode.ErrUnsupported)
	}
	sch = d.deref(sch)
	if d.active[sch] {
		return nil, fmt.Errorf("json: schema at %q refers to itself (%s); recursive types have no Arrow layout: %w", path, sch.Location, decode.ErrUnsupported)
	}
	d.active[sch] = true
	defer delete(d.active, sch)
	if sch.Ref != nil || sch.RecursiveRef != nil || sch.DynamicRef != nil {
		// $ref next to other keywords (2019-09 and later): the layout comes
		// from the target, the siblings are validated by the full validator.
		d.inexact()
		if sch.Ref != nil && sch.Types == nil && sch.Properties == nil && sch.Items == nil && sch.Items2020 == nil {
			return d.node(sch.Ref, name, path, depth)
		}
	}
	n := &node{name: name, path: path}
	kinds, typed := d.kinds(sch)
	if !typed && kinds != kindAny {
		// The layout follows keywords that only apply to some kinds; a
		// value of another kind is valid but has no column.
		d.inexact()
	}
	n.admitsNull = kinds&kindNull != 0
	if sch.Bool != nil && !*sch.Bool {
		d.inexact()
	}
	for _, sub := range [][]*jsonschema.Schema{sch.AllOf, sch.AnyOf, sch.OneOf} {
		if len(sub) > 0 {
			return d.combined(n, sch, depth)
		}
	}
	if sch.Not != nil || sch.If != nil || sch.Const != nil || sch.MultipleOf != nil || len(sch.Extensions) > 0 || sch.Format != nil ||
		sch.ContentEncoding != nil || sch.ContentMediaType != nil || sch.ContentSchema != nil {
		d.inexact()
	}
	if sch.Enum != nil && sch.Enum.Values != nil && kinds&^kindNull != kindString {
		d.inexact()
	}
	switch kinds &^ kindNull {
	case kindBool:
		n.typ = arrow.FixedWidthTypes.Boolean
	case kindInteger:
		n.typ = arrow.PrimitiveTypes.Int64
		d.numChecks(n, sch)
	case kindInteger | kindNumber:
		n.typ = arrow.PrimitiveTypes.Float64
		d.numChecks(n, sch)
	case kindString:
		d.stringNode(n, sch)
	case kindArray:
		if err := d.arrayNode(n, sch, depth); err != nil {
			return nil, err
		}
	case kindObject:
		if err := d.objectNode(n, sch, depth); err != nil {
			return nil, err
		}
	default:
		// Several kinds, or any: the value's JSON text.
		n.typ, n.raw = arrow.BinaryTypes.String, true
		if hasKindAssertions(sch) {
			d.inexact()
		}
	}
	d.setNullable(n, n.admitsNull)
	return n, nil
}

// hasKindAssertions reports keywords that constrain some kind of value.
func hasKindAssertions(s *jsonschema.Schema) bool {
	return s.Enum != nil || s.MaxProperties != nil || s.MinProperties != nil || s.Required != nil ||
		s.PropertyNames != nil || s.Properties != nil || s.PatternProperties != nil || s.AdditionalProperties != nil ||
		s.Dependencies != nil || s.DependentRequired != nil || s.DependentSchemas != nil || s.UnevaluatedProperties != nil ||
		s.MinItems != nil || s.MaxItems != nil || s.UniqueItems || s.Contains != nil || s.Items != nil ||
		s.AdditionalItems != nil || s.PrefixItems != nil || s.Items2020 != nil || s.UnevaluatedItems != nil ||
		s.MinLength != nil || s.MaxLength != nil || s.Pattern != nil || s.Maximum != nil || s.Minimum != nil ||
		s.ExclusiveMaximum != nil || s.ExclusiveMinimum != nil || (s.Bool != nil && !*s.Bool)
}

func (d *deriver) numChecks(n *node, sch *jsonschema.Schema) {
	if !d.validate || (sch.Minimum == nil && sch.Maximum == nil && sch.ExclusiveMinimum == nil && sch.ExclusiveMaximum == nil) {
		return
	}
	n.chk = &checks{min: newBound(sch.Minimum), max: newBound(sch.Maximum),
		xmin: newBound(sch.ExclusiveMinimum), xmax: newBound(sch.ExclusiveMaximum), maxLen: -1}
}

// stringNode picks the column for a string: format date-time → timestamp[us,
// UTC], date → date32, time → time64[us], contentEncoding base64 or format
// byte → binary, anything else (uuid, email, enum, ...) → utf8.
func (d *deriver) stringNode(n *node, sch *jsonschema.Schema) {
	raw, _, _ := d.raw(sch)
	format, _ := raw["format"].(string)
	enc, _ := raw["contentEncoding"].(string)
	hasStrChecks := sch.MinLength != nil || sch.MaxLength != nil || sch.Pattern != nil || sch.Enum != nil
	switch {
	case format == "date-time":
		n.typ = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case format == "date":
		n.typ = arrow.FixedWidthTypes.Date32
	case format == "time":
		n.typ = arrow.FixedWidthTypes.Time64us
	case enc == "base64" || format == "byte":
		n.typ = arrow.BinaryTypes.Binary
	default:
		n.typ = arrow.BinaryTypes.String
		if d.validate && hasStrChecks {
			n.chk = d.strChecks(sch)
		}
		return
	}
	if hasStrChecks {
		d.inexact()
	}
}

func (d *deriver) strChecks(sch *jsonschema.Schema) *checks {
	c := &checks{maxLen: -1}
	if sch.MinLength != nil {
		c.minLen = *sch.MinLength
	}
	if sch.MaxLength != nil {
		c.maxLen = *sch.MaxLength
	}
	if sch.Pattern != nil {
		re, err := regexp.Compile(sch.Pattern.String())
		if err != nil {
			d.inexact()
		} else {
			c.pattern = re
		}
	}
	if sch.Enum != nil {
		c.enum = map[string]struct{}{}
		for _, v := range sch.Enum.Values {
			if s, ok := v.(string); ok {
				c.enum[s] = struct{}{}
			}
		}
	}
	return c
}

func (d *deriver) arrayNode(n *node, sch *jsonschema.Schema, depth int) error {
	var items *jsonschema.Schema
	switch it := sch.Items.(type) {
	case *jsonschema.Schema:
		items = it
	case []*jsonschema.Schema:
		d.inexact() // tuple validation
	}
	if sch.Items2020 != nil && sch.PrefixItems == nil {
		items = sch.Items2020
	}
	if sch.PrefixItems != nil || sch.AdditionalItems != nil || sch.Contains != nil || sch.UniqueItems || sch.UnevaluatedItems != nil {
		d.inexact()
	}
	var elem *node
	if items == nil || sch.PrefixItems != nil {
		elem = &node{typ: arrow.BinaryTypes.String, raw: true, admitsNull: true}
		d.setNullable(elem, true)
	} else {
		var err error
		if elem, err = d.node(items, "item", n.path+"[]", depth+1); err != nil {
			return err
		}
	}
	elem.name, elem.path = "item", n.path+"[]"
	n.typ = arrow.ListOfField(elem.field())
	n.kids = []*node{elem}
	if d.validate && (sch.MinItems != nil || sch.MaxItems != nil) {
		n.arr = &arrChecks{maxItems: -1}
		if sch.MinItems != nil {
			n.arr.minItems = *sch.MinItems
		}
		if sch.MaxItems != nil {
			n.arr.maxItems = *sch.MaxItems
		}
	}
	return nil
}

// objectNode maps an object with properties to a struct (unknown keys are
// skipped, or rejected under additionalProperties false), and one without
// properties to map<utf8, T> with T from additionalProperties (or the single
// patternProperties schema; raw JSON when neither constrains the values).
func (d *deriver) objectNode(n *node, sch *jsonschema.Schema, depth int) error {
	if sch.PropertyNames != nil || sch.MinProperties != nil || sch.MaxProperties != nil || sch.Dependencies != nil ||
		sch.DependentRequired != nil || sch.DependentSchemas != nil || sch.UnevaluatedProperties != nil {
		d.inexact()
	}
	names := d.properties(sch)
	if len(names) == 0 {
		return d.mapNode(n, sch, depth)
	}
	if sch.PatternProperties != nil {
		d.inexact()
	}
	closed := false
	switch ap := sch.AdditionalProperties.(type) {
	case bool:
		closed = !ap
	case *jsonschema.Schema:
		d.inexact()
	}
	required := map[string]bool{}
	for _, r := range sch.Required {
		required[r] = true
		if _, ok := sch.Properties[r]; !ok {
			d.inexact() // a required key with no column
		}
	}
	fields := make([]arrow.Field, len(names))
	n.kids = make([]*node, len(names))
	for i, name := range names {
		k, err := d.node(sch.Properties[name], name, joinPath(n.path, name), depth+1)
		if err != nil {
			return err
		}
		// Absent is null unless required; a required key whose schema
		// rejects null is a non-nullable column.
		d.setNullable(k, !required[name] || k.admitsNull)
		k.name = name
		n.kids[i] = k
		fields[i] = k.field()
	}
	n.typ = arrow.StructOf(fields...)
	n.keys = newKeyTable(names)
	if d.validate && (closed || len(sch.Required) > 0) {
		n.obj = &objChecks{closed: closed}
		for i, name := range names {
			if required[name] {
				n.obj.required = append(n.obj.required, i)
			}
		}
	}
	return nil
}

func (d *deriver) mapNode(n *node, sch *jsonschema.Schema, depth int) error {
	var vs *jsonschema.Schema
	switch ap := sch.AdditionalProperties.(type) {
	case *jsonschema.Schema:
		vs = ap
	case bool:
		if !ap {
			if sch.PatternProperties == nil {
				// No key is allowed: an empty struct.
				n.typ = arrow.StructOf()
				if d.validate {
					n.obj = &objChecks{closed: true}
				}
				return nil
			}
		}
	}
	if sch.PatternProperties != nil {
		d.inexact() // key patterns are checked by the full validator
		if vs == nil && len(sch.PatternProperties) == 1 {
			for _, v := range sch.PatternProperties {
				vs = v
			}
		} else {
			vs = nil
		}
	}
	var item *node
	if vs == nil {
		item = &node{typ: arrow.BinaryTypes.String, raw: true, admitsNull: true}
	} else {
		var err error
		if item, err = d.node(vs, "value", n.path+"{}", depth+1); err != nil {
			return err
		}
	}
	item.name, item.path = "value", n.path+"{}"
	d.setNullable(item, true) // Arrow map items are nullable
	n.typ = arrow.MapOfWithMetadata(arrow.BinaryTypes.String, arrow.Metadata{}, item.typ, item.field().Metadata)
	n.kids = []*node{item}
	return nil
}

func sortStrings(s []string) { slices.Sort(s) }
