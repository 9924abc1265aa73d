package compat

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sabot-kafka/sabot/registry"
)

// JSON Schema is parsed (meta-schema validation, $ref resolution across
// references) by santhosh-tekuri/jsonschema, then mapped onto the model the
// Confluent registry reasons about: one node per schema, whose kind is decided
// by the keywords present as the everit library decides it. A schema with
// "type" is of that type (several types: an anyOf of one schema per type);
// the keywords of other types name further types it constrains (all of them
// do when there is no "type"); "enum", "const", "not", if/then/else and each
// of allOf/anyOf/oneOf add a schema of their own; when a schema yields more
// than one, it is their allOf.

type jsonKind uint8

const (
	jsonEmpty jsonKind = iota // {} and true
	jsonFalse
	jsonString
	jsonNumber
	jsonBoolean
	jsonNull
	jsonObject
	jsonArray
	jsonEnum
	jsonConst
	jsonCombined
	jsonNot
	jsonConditional
)

var jsonKindNames = [...]string{"empty", "false", "string", "number", "boolean", "null", "object", "array", "enum", "const", "combined", "not", "conditional"}

func (k jsonKind) String() string { return jsonKindNames[k] }

type jsonNode struct {
	kind                   jsonKind
	id, title, description string
	def                    *string // canonical JSON of "default"

	// string
	minLength, maxLength *int
	pattern              *string
	// number
	integer                            bool
	maximum, minimum, exclMax, exclMin *big.Rat
	multipleOf                         *big.Rat
	// object
	properties    map[string]*jsonNode
	required      map[string]bool
	patternProps  []jsonPatternProp
	addlAllowed   bool
	addlSchema    *jsonNode
	propDeps      map[string][]string
	schemaDeps    map[string]*jsonNode
	minProperties *int
	maxProperties *int
	// array
	items           *jsonNode   // every item
	tuple           []*jsonNode // positional items
	addlItemsOK     bool
	addlItemsSchema *jsonNode
	minItems        *int
	maxItems        *int
	uniqueItems     bool
	// enum, const: canonical JSON of each value
	values []string
	// combined: "allOf", "anyOf" or "oneOf"
	criterion string
	subs      []*jsonNode
	// not
	not *jsonNode
}

type jsonPatternProp struct {
	re   jsonschema.Regexp
	node *jsonNode
}

// defaultJSONBase is where the schema under check lives, so relative $refs
// and reference names resolve against it.
const defaultJSONBase = "mem://sabot.registry/schemas/"

// lenientRegexp keeps patterns Go's regexp cannot compile (lookarounds and
// other ECMA 262 features valid in the registry's Java engine): the checker
// compares pattern text and only uses matching to place property names.
type lenientRegexp struct {
	src string
	re  *regexp.Regexp
}

func (r lenientRegexp) String() string { return r.src }

func (r lenientRegexp) MatchString(s string) bool { return r.re != nil && r.re.MatchString(s) }

func compileLenient(s string) (jsonschema.Regexp, error) {
	re, _ := regexp.Compile(s)
	return lenientRegexp{src: s, re: re}, nil
}

// memLoader serves only the resources added to the compiler: the checker
// never reads files or the network.
type memLoader struct{}

func (memLoader) Load(u string) (any, error) {
	return nil, fmt.Errorf("%s is neither the schema nor one of its references", u)
}

func parseJSONSchema(text string, deps []registry.Dependency) (*jsonNode, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.UseLoader(memLoader{})
	c.UseRegexpEngine(compileLenient)
	mainURL := defaultJSONBase + "schema.json"
	if err := c.AddResource(mainURL, doc); err != nil {
		return nil, err
	}
	bases := []*url.URL{mustURL(defaultJSONBase)}
	if id := docID(doc); id != "" {
		if u, err := url.Parse(id); err == nil && u.IsAbs() {
			bases = append(bases, u)
		}
	}
	docs := map[string]any{mainURL: doc}
	for _, d := range deps {
		if d.Schema.Type.Normalized() != registry.TypeJSON {
			return nil, fmt.Errorf("reference %q is %s, not JSON", d.Name, d.Schema.Type.Normalized())
		}
		ddoc, err := jsonschema.UnmarshalJSON(strings.NewReader(d.Schema.Text))
		if err != nil {
			return nil, fmt.Errorf("reference %q: not JSON: %w", d.Name, err)
		}
		for _, u := range referenceURLs(d.Name, ddoc, bases) {
			if _, ok := docs[u]; ok {
				continue
			}
			docs[u] = ddoc
			if err := c.AddResource(u, ddoc); err != nil {
				return nil, fmt.Errorf("reference %q: %w", d.Name, err)
			}
		}
	}
	sch, err := c.Compile(mainURL)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), mainURL, "schema"))
	}
	b := &jsonBuilder{memo: make(map[*jsonschema.Schema]*jsonNode), resolving: make(map[*jsonschema.Schema]bool), docs: docs}
	return b.node(sch), nil
}

// referenceURLs are the absolute URLs a reference may be known by: its name
// (absolute, or relative to the schema's base or $id) and its own $id.
func referenceURLs(name string, doc any, bases []*url.URL) []string {
	var out []string
	if u, err := url.Parse(name); err == nil {
		if u.IsAbs() {
			out = append(out, stripFragment(u))
		} else {
			for _, b := range bases {
				out = append(out, stripFragment(b.ResolveReference(u)))
			}
		}
	}
	if id := docID(doc); id != "" {
		if u, err := url.Parse(id); err == nil && u.IsAbs() {
			out = append(out, stripFragment(u))
		}
	}
	return out
}

func stripFragment(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

func docID(doc any) string {
	obj, ok := doc.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range []string{"$id", "id"} {
		if s, ok := obj[k].(string); ok {
			return s
		}
	}
	return ""
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err) // constant input
	}
	return u
}

type jsonBuilder struct {
	memo      map[*jsonschema.Schema]*jsonNode
	resolving map[*jsonschema.Schema]bool
	docs      map[string]any // the documents added to the compiler, by URL
}

func (b *jsonBuilder) node(s *jsonschema.Schema) *jsonNode {
	if s == nil {
		return nil
	}
	if n, ok := b.memo[s]; ok {
		return n
	}
	if s.Bool != nil {
		n := &jsonNode{kind: jsonEmpty}
		if !*s.Bool {
			n.kind = jsonFalse
		}
		b.memo[s] = n
		return n
	}
	// Before draft 2019-09 a $ref replaces its siblings; the diff works on
	// the schema it refers to.
	if s.Ref != nil && (s.DraftVersion < 2019 || !hasAssertions(s)) {
		if b.resolving[s] {
			return &jsonNode{kind: jsonEmpty} // "$ref": "#" loops
		}
		b.resolving[s] = true
		n := b.node(s.Ref)
		delete(b.resolving, s)
		b.memo[s] = n
		return n
	}
	n := &jsonNode{}
	b.memo[s] = n // before recursing: schemas may refer to themselves
	var parts []*jsonNode
	if s.Ref != nil {
		parts = append(parts, b.node(s.Ref))
	}
	if s.Enum != nil {
		parts = append(parts, &jsonNode{kind: jsonEnum, values: canonicalValues(s.Enum.Values)})
	}
	for _, c := range []struct {
		name string
		subs []*jsonschema.Schema
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		if len(c.subs) > 0 {
			cn := &jsonNode{kind: jsonCombined, criterion: c.name}
			for _, sub := range c.subs {
				cn.subs = append(cn.subs, b.node(sub))
			}
			parts = append(parts, cn)
		}
	}
	if s.Not != nil {
		parts = append(parts, &jsonNode{kind: jsonNot, not: b.node(s.Not)})
	}
	if s.Const != nil {
		parts = append(parts, &jsonNode{kind: jsonConst, values: canonicalValues([]any{*s.Const})})
	}
	var types []string
	if s.Types != nil {
		types = s.Types.ToStrings()
		if len(types) == 1 {
			parts = append(parts, b.typed(s, types[0]))
		} else {
			cn := &jsonNode{kind: jsonCombined, criterion: "anyOf"}
			for _, t := range types {
				cn.subs = append(cn.subs, b.typed(s, t))
			}
			parts = append(parts, cn)
		}
	}
	parts = append(parts, b.sniffed(s, types)...)
	switch len(parts) {
	case 0:
		n.kind = jsonEmpty
	case 1:
		if parts[0] == b.memo[s.Ref] && s.Ref != nil {
			// Only the $ref: a combined wrapper keeps the target shared.
			n.kind, n.criterion, n.subs = jsonCombined, "allOf", parts
		} else {
			*n = *parts[0]
		}
	default:
		n.kind, n.criterion, n.subs = jsonCombined, "allOf", parts
	}
	n.id, n.title, n.description = s.ID, s.Title, s.Description
	if s.Default != nil {
		d := canonicalJSON(*s.Default)
		n.def = &d
	}
	return n
}

// sniffed builds the schemas that keywords beside "type" add, as everit's
// loader does after the type has taken its own keywords: each type's keywords
// not claimed by a listed type constrain values of that type only (an
// integer schema with minLength adds a string schema), and if/then/else add a
// conditional whatever the type (from draft 7, where they exist).
func (b *jsonBuilder) sniffed(s *jsonschema.Schema, types []string) []*jsonNode {
	claimed := func(group string) bool {
		for _, t := range types {
			if t == group || (group == "number" && t == "integer") {
				return true
			}
		}
		return false
	}
	var parts []*jsonNode
	if !claimed("array") && (s.Items != nil || s.AdditionalItems != nil || s.PrefixItems != nil || s.Items2020 != nil ||
		s.MinItems != nil || s.MaxItems != nil || s.UniqueItems || s.Contains != nil) {
		parts = append(parts, b.typed(s, "array"))
	}
	if !claimed("object") && (s.Properties != nil || s.Required != nil || s.MinProperties != nil || s.MaxProperties != nil ||
		s.Dependencies != nil || s.DependentRequired != nil || s.DependentSchemas != nil ||
		s.PatternProperties != nil || s.AdditionalProperties != nil || s.PropertyNames != nil) {
		parts = append(parts, b.typed(s, "object"))
	}
	if !claimed("number") && (s.Minimum != nil || s.Maximum != nil || s.ExclusiveMinimum != nil || s.ExclusiveMaximum != nil || s.MultipleOf != nil) {
		parts = append(parts, b.typed(s, "number"))
	}
	if !claimed("string") && (s.MinLength != nil || s.MaxLength != nil || s.Pattern != nil || s.Format != nil) {
		parts = append(parts, b.typed(s, "string"))
	}
	if b.conditional(s) {
		// Confluent's diff compares two conditionals by their annotations
		// only (which sit on the enclosing schema), so if/then/else are not
		// built: adding or removing the conditional is what counts.
		parts = append(parts, &jsonNode{kind: jsonConditional})
	}
	return parts
}

// conditional reports whether a schema has if, then or else. The compiler
// drops then and else when there is no if, which everit keeps as a
// conditional, so the keywords are looked up in the source document.
func (b *jsonBuilder) conditional(s *jsonschema.Schema) bool {
	if s.DraftVersion < 7 {
		return false
	}
	if s.If != nil {
		return true
	}
	obj := b.source(s)
	_, then := obj["then"]
	_, els := obj["else"]
	return then || els
}

// source is the JSON object a compiled schema was compiled from, when it is
// in one of the documents added to the compiler (nil otherwise).
func (b *jsonBuilder) source(s *jsonschema.Schema) map[string]any {
	doc, frag, _ := strings.Cut(s.Location, "#")
	v, ok := b.docs[doc]
	if !ok {
		return nil
	}
	if frag == "" {
		m, _ := v.(map[string]any)
		return m
	}
	for _, tok := range strings.Split(frag, "/")[1:] {
		tok, err := url.PathUnescape(tok)
		if err != nil {
			return nil
		}
		tok = pointerToken.Replace(tok)
		switch c := v.(type) {
		case map[string]any:
			v = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	m, _ := v.(map[string]any)
	return m
}

// pointerToken undoes a JSON pointer token's escapes (RFC 6901).
var pointerToken = strings.NewReplacer("~1", "/", "~0", "~")

// hasAssertions reports whether a schema has keywords besides $ref that
// constrain values (2019-09 and later evaluate them beside the reference).
func hasAssertions(s *jsonschema.Schema) bool {
	return s.Types != nil || s.Enum != nil || s.Const != nil || s.Not != nil ||
		len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0 || s.If != nil || s.Properties != nil || s.Items != nil ||
		s.Items2020 != nil || s.PrefixItems != nil || s.Minimum != nil || s.Maximum != nil ||
		s.MinLength != nil || s.MaxLength != nil || s.Pattern != nil || s.Required != nil
}

// typed builds the schema of one JSON type from the keywords that apply to it.
func (b *jsonBuilder) typed(s *jsonschema.Schema, typ string) *jsonNode {
	switch typ {
	case "string":
		n := &jsonNode{kind: jsonString, minLength: s.MinLength, maxLength: s.MaxLength}
		if s.Pattern != nil {
			p := s.Pattern.String()
			n.pattern = &p
		}
		return n
	case "number", "integer":
		return &jsonNode{kind: jsonNumber, integer: typ == "integer", maximum: s.Maximum, minimum: s.Minimum,
			exclMax: s.ExclusiveMaximum, exclMin: s.ExclusiveMinimum, multipleOf: s.MultipleOf}
	case "boolean":
		return &jsonNode{kind: jsonBoolean}
	case "null":
		return &jsonNode{kind: jsonNull}
	case "object":
		return b.object(s)
	case "array":
		return b.array(s)
	}
	return &jsonNode{kind: jsonEmpty}
}

func (b *jsonBuilder) object(s *jsonschema.Schema) *jsonNode {
	n := &jsonNode{kind: jsonObject, required: make(map[string]bool), addlAllowed: true,
		minProperties: s.MinProperties, maxProperties: s.MaxProperties}
	n.properties = make(map[string]*jsonNode, len(s.Properties))
	for k, p := range s.Properties {
		n.properties[k] = b.node(p)
	}
	for _, r := range s.Required {
		n.required[r] = true
	}
	for _, re := range sortedRegexps(s.PatternProperties) {
		n.patternProps = append(n.patternProps, jsonPatternProp{re: re, node: b.node(s.PatternProperties[re])})
	}
	switch a := s.AdditionalProperties.(type) {
	case bool:
		n.addlAllowed = a
	case *jsonschema.Schema:
		n.addlSchema = b.node(a)
	}
	n.propDeps = make(map[string][]string)
	n.schemaDeps = make(map[string]*jsonNode)
	for k, d := range s.Dependencies {
		switch d := d.(type) {
		case []string:
			n.propDeps[k] = d
		case *jsonschema.Schema:
			n.schemaDeps[k] = b.node(d)
		}
	}
	for k, d := range s.DependentRequired {
		n.propDeps[k] = d
	}
	for k, d := range s.DependentSchemas {
		n.schemaDeps[k] = b.node(d)
	}
	return n
}

func (b *jsonBuilder) array(s *jsonschema.Schema) *jsonNode {
	n := &jsonNode{kind: jsonArray, addlItemsOK: true, minItems: s.MinItems, maxItems: s.MaxItems, uniqueItems: s.UniqueItems}
	switch it := s.Items.(type) {
	case *jsonschema.Schema:
		n.items = b.node(it)
	case []*jsonschema.Schema:
		for _, t := range it {
			n.tuple = append(n.tuple, b.node(t))
		}
	}
	for _, t := range s.PrefixItems {
		n.tuple = append(n.tuple, b.node(t))
	}
	if s.Items2020 != nil {
		if len(s.PrefixItems) > 0 {
			n.addlItemsSchema = b.node(s.Items2020)
		} else {
			n.items = b.node(s.Items2020)
		}
	}
	switch a := s.AdditionalItems.(type) {
	case bool:
		n.addlItemsOK = a
	case *jsonschema.Schema:
		n.addlItemsSchema = b.node(a)
	}
	if n.addlItemsSchema != nil && n.addlItemsSchema.kind == jsonFalse {
		n.addlItemsOK, n.addlItemsSchema = false, nil
	}
	return n
}

func sortedRegexps(m map[jsonschema.Regexp]*jsonschema.Schema) []jsonschema.Regexp {
	out := make([]jsonschema.Regexp, 0, len(m))
	for re := range m {
		out = append(out, re)
	}
	slices.SortFunc(out, func(a, b jsonschema.Regexp) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func canonicalValues(vs []any) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, canonicalJSON(v))
	}
	return out
}

// canonicalJSON renders a decoded JSON value with sorted object keys (what
// encoding/json does for maps) so equal values compare equal.
func canonicalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
