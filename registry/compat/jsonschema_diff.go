package compat

import (
	"math/big"
	"slices"
	"sort"
	"strconv"
)

// JSON Schema rules, as the Confluent registry applies them: the diff from
// the original schema to the update lists differences, and the update is
// compatible when every difference widens what it accepts. Content models
// matter: an object without additionalProperties is open (any extra property
// of any type may already be in old data), so adding a typed property to it
// is incompatible, and removing one is fine; a closed object
// (additionalProperties: false) is the reverse.

var jsonCompatible = map[string]bool{
	"ID_CHANGED": true, "DESCRIPTION_CHANGED": true, "TITLE_CHANGED": true, "DEFAULT_CHANGED": true,
	"SCHEMA_REMOVED": true, "TYPE_EXTENDED": true,
	"MAX_LENGTH_INCREASED": true, "MAX_LENGTH_REMOVED": true, "MIN_LENGTH_DECREASED": true,
	"MIN_LENGTH_REMOVED": true, "PATTERN_REMOVED": true,
	"MAXIMUM_INCREASED": true, "MAXIMUM_REMOVED": true, "MINIMUM_DECREASED": true, "MINIMUM_REMOVED": true,
	"EXCLUSIVE_MAXIMUM_INCREASED": true, "EXCLUSIVE_MAXIMUM_REMOVED": true,
	"EXCLUSIVE_MINIMUM_DECREASED": true, "EXCLUSIVE_MINIMUM_REMOVED": true,
	"MULTIPLE_OF_REDUCED": true, "MULTIPLE_OF_REMOVED": true,
	"REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED": true, "REQUIRED_ATTRIBUTE_REMOVED": true,
	"DEPENDENCY_ARRAY_NARROWED": true, "DEPENDENCY_ARRAY_REMOVED": true, "DEPENDENCY_SCHEMA_REMOVED": true,
	"MAX_PROPERTIES_INCREASED": true, "MAX_PROPERTIES_REMOVED": true,
	"MIN_PROPERTIES_DECREASED": true, "MIN_PROPERTIES_REMOVED": true,
	"ADDITIONAL_PROPERTIES_ADDED": true, "ADDITIONAL_PROPERTIES_EXTENDED": true,
	"PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL":       true,
	"REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL": true,
	"OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL":              true,
	"PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL":        true,
	"PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL":                     true,
	"PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL":    true,
	"PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL":  true,
	"MAX_ITEMS_INCREASED": true, "MAX_ITEMS_REMOVED": true, "MIN_ITEMS_DECREASED": true,
	"MIN_ITEMS_REMOVED": true, "UNIQUE_ITEMS_REMOVED": true,
	"ADDITIONAL_ITEMS_ADDED": true, "ADDITIONAL_ITEMS_EXTENDED": true,
	"ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL":      true,
	"ITEM_ADDED_TO_CLOSED_CONTENT_MODEL":                      true,
	"ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL":       true,
	"ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL":                    true,
	"ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL":   true,
	"ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": true,
	"ENUM_ARRAY_EXTENDED":                                     true,
	"COMBINED_TYPE_EXTENDED":                                  true, "PRODUCT_TYPE_NARROWED": true, "SUM_TYPE_EXTENDED": true,
	"NOT_TYPE_NARROWED": true,
}

type jsonDiff struct {
	path    []string
	inScope map[*jsonNode]bool
	diffs   []Issue
	// budget bounds the comparisons of one check: nested allOf/anyOf pair
	// every subschema with every other, which hostile input can multiply.
	budget *int
}

// maxJSONComparisons is the budget of one check.
const maxJSONComparisons = 200_000

func checkJSONSchema(original, update *jsonNode) []Issue {
	budget := maxJSONComparisons
	d := &jsonDiff{inScope: make(map[*jsonNode]bool), budget: &budget}
	d.compare(original, update)
	var out []Issue
	for _, is := range d.diffs {
		if !jsonCompatible[is.Kind] {
			out = append(out, is)
		}
	}
	return dedupe(out)
}

func (d *jsonDiff) add(kind string) {
	d.diffs = append(d.diffs, Issue{Kind: kind, Path: "#" + joinPath(d.path)})
}

func (d *jsonDiff) addAt(attr, kind string) {
	d.push(attr)
	d.add(kind)
	d.pop()
}

func (d *jsonDiff) push(s string) { d.path = append(d.path, s) }
func (d *jsonDiff) pop()          { d.path = d.path[:len(d.path)-1] }

func (d *jsonDiff) sub() *jsonDiff {
	return &jsonDiff{path: append([]string(nil), d.path...), inScope: d.inScope, budget: d.budget}
}

func (d *jsonDiff) compatible() bool {
	for _, is := range d.diffs {
		if !jsonCompatible[is.Kind] {
			return false
		}
	}
	return true
}

// tryCompare compares in a sub-diff and keeps its differences when they are
// compatible.
func (d *jsonDiff) tryCompare(o, u *jsonNode) bool {
	s := d.sub()
	s.compare(o, u)
	if s.compatible() {
		d.diffs = append(d.diffs, s.diffs...)
		return true
	}
	return false
}

func (d *jsonDiff) compare(o, u *jsonNode) {
	if *d.budget <= 0 {
		d.add("SCHEMA_TOO_COMPLEX")
		return
	}
	*d.budget--
	switch {
	case o == nil && u == nil:
		return
	case o == nil:
		d.add("SCHEMA_ADDED")
		return
	case u == nil:
		d.add("SCHEMA_REMOVED")
		return
	}
	if o.kind != jsonCombined && u.kind == jsonCombined {
		if len(u.subs) == 1 {
			if d.tryCompare(o, u.subs[0]) {
				return
			}
		} else if u.criterion == "anyOf" || u.criterion == "oneOf" {
			for _, s := range u.subs {
				if d.tryCompare(o, s) {
					d.add("SUM_TYPE_EXTENDED")
					return
				}
			}
		}
	} else if o.kind == jsonCombined && u.kind != jsonCombined {
		if len(o.subs) == 1 {
			if d.tryCompare(o.subs[0], u) {
				return
			}
		} else if o.criterion == "allOf" {
			// Dropping all but one part of an allOf (an enum, a
			// conditional beside "type") only widens.
			for _, s := range o.subs {
				if d.tryCompare(s, u) {
					d.add("PRODUCT_TYPE_NARROWED")
					return
				}
			}
		}
	}
	if o.kind != u.kind {
		// Anything reads what a false schema accepts (nothing); an empty
		// schema accepts everything.
		if o.kind != jsonFalse && u.kind != jsonEmpty {
			d.add("TYPE_CHANGED")
		}
		return
	}
	if d.inScope[o] {
		return
	}
	d.inScope[o] = true
	defer delete(d.inScope, o)
	if o.id != u.id {
		d.add("ID_CHANGED")
	}
	if o.title != u.title {
		d.add("TITLE_CHANGED")
	}
	if o.description != u.description {
		d.add("DESCRIPTION_CHANGED")
	}
	if !equalPtr(o.def, u.def) {
		d.add("DEFAULT_CHANGED")
	}
	switch o.kind {
	case jsonString:
		d.compareString(o, u)
	case jsonNumber:
		d.compareNumber(o, u)
	case jsonEnum:
		d.compareEnum(o, u)
	case jsonConst:
		if !slices.Equal(o.values, u.values) {
			d.addAt("const", "ENUM_ARRAY_CHANGED")
		}
	case jsonCombined:
		d.compareCombined(o, u)
	case jsonConditional:
		// Confluent compares nothing inside if/then/else: a change there
		// passes at every level, even one that rejects old data.
	case jsonNot:
		d.push("not")
		s := d.sub()
		s.compare(u.not, o.not) // reversed: not-A accepts more when A accepts less
		if s.compatible() {
			d.add("NOT_TYPE_NARROWED")
		} else {
			d.add("NOT_TYPE_EXTENDED")
		}
		d.pop()
	case jsonObject:
		d.compareObject(o, u)
	case jsonArray:
		d.compareArray(o, u)
	}
}

// bound classifies the change of an optional limit: added, removed, or
// moved up or down.
func bound(o, u *int) string {
	switch {
	case o == nil && u == nil, o != nil && u != nil && *o == *u:
		return ""
	case o == nil:
		return "ADDED"
	case u == nil:
		return "REMOVED"
	case *o < *u:
		return "INCREASED"
	}
	return "DECREASED"
}

func ratBound(o, u *big.Rat) string {
	switch {
	case o == nil && u == nil, o != nil && u != nil && o.Cmp(u) == 0:
		return ""
	case o == nil:
		return "ADDED"
	case u == nil:
		return "REMOVED"
	case o.Cmp(u) < 0:
		return "INCREASED"
	}
	return "DECREASED"
}

func (d *jsonDiff) limit(attr, prefix, change string) {
	if change != "" {
		d.addAt(attr, prefix+"_"+change)
	}
}

func (d *jsonDiff) compareString(o, u *jsonNode) {
	d.limit("maxLength", "MAX_LENGTH", bound(o.maxLength, u.maxLength))
	d.limit("minLength", "MIN_LENGTH", bound(o.minLength, u.minLength))
	switch {
	case o.pattern == nil && u.pattern != nil:
		d.addAt("pattern", "PATTERN_ADDED")
	case o.pattern != nil && u.pattern == nil:
		d.addAt("pattern", "PATTERN_REMOVED")
	case o.pattern != nil && *o.pattern != *u.pattern:
		d.addAt("pattern", "PATTERN_CHANGED")
	}
}

func (d *jsonDiff) compareNumber(o, u *jsonNode) {
	d.limit("maximum", "MAXIMUM", ratBound(o.maximum, u.maximum))
	d.limit("minimum", "MINIMUM", ratBound(o.minimum, u.minimum))
	d.limit("exclusiveMaximum", "EXCLUSIVE_MAXIMUM", ratBound(o.exclMax, u.exclMax))
	d.limit("exclusiveMinimum", "EXCLUSIVE_MINIMUM", ratBound(o.exclMin, u.exclMin))
	switch {
	case o.multipleOf == nil && u.multipleOf == nil:
	case o.multipleOf == nil:
		d.addAt("multipleOf", "MULTIPLE_OF_ADDED")
	case u.multipleOf == nil:
		d.addAt("multipleOf", "MULTIPLE_OF_REMOVED")
	case o.multipleOf.Cmp(u.multipleOf) == 0:
	case isMultiple(u.multipleOf, o.multipleOf):
		d.addAt("multipleOf", "MULTIPLE_OF_EXPANDED")
	case isMultiple(o.multipleOf, u.multipleOf):
		d.addAt("multipleOf", "MULTIPLE_OF_REDUCED")
	default:
		d.addAt("multipleOf", "MULTIPLE_OF_CHANGED")
	}
	if o.integer != u.integer {
		if o.integer {
			d.add("TYPE_EXTENDED")
		} else {
			d.add("TYPE_NARROWED")
		}
	}
}

// isMultiple reports whether a is an integer multiple of b.
func isMultiple(a, b *big.Rat) bool {
	if b.Sign() == 0 {
		return false
	}
	q := new(big.Rat).Quo(a, b)
	return q.IsInt()
}

func (d *jsonDiff) compareEnum(o, u *jsonNode) {
	if slices.Equal(sortedCopy(o.values), sortedCopy(u.values)) {
		return
	}
	switch {
	case containsAll(u.values, o.values):
		d.addAt("enum", "ENUM_ARRAY_EXTENDED")
	case containsAll(o.values, u.values):
		d.addAt("enum", "ENUM_ARRAY_NARROWED")
	default:
		d.addAt("enum", "ENUM_ARRAY_CHANGED")
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return slices.Compact(c)
}

func containsAll(set, sub []string) bool {
	for _, v := range sub {
		if !slices.Contains(set, v) {
			return false
		}
	}
	return true
}

func (d *jsonDiff) compareCombined(o, u *jsonNode) {
	changed := d.compareCriteria(o, u)
	if changed {
		return
	}
	os, us := o.subs, u.subs
	switch {
	case len(os) < len(us) && u.criterion == "allOf":
		d.add("PRODUCT_TYPE_EXTENDED")
	case len(os) < len(us):
		d.add("SUM_TYPE_EXTENDED")
	case len(os) > len(us) && o.criterion == "allOf":
		d.add("PRODUCT_TYPE_NARROWED")
	case len(os) > len(us):
		d.add("SUM_TYPE_NARROWED")
	}
	// Pair each original subschema with a compatible update subschema; a
	// maximum matching must cover the smaller side.
	edges := make([][]int, len(os))
	edgeDiffs := make(map[[2]int][]Issue)
	for i, a := range os {
		d.push(o.criterion + "/" + strconv.Itoa(i))
		for j, b := range us {
			s := d.sub()
			s.compare(a, b)
			if s.compatible() {
				edges[i] = append(edges[i], j)
				edgeDiffs[[2]int{i, j}] = s.diffs
			}
		}
		d.pop()
	}
	match := maxMatching(edges, len(us))
	matched := 0
	for j, i := range match {
		if i >= 0 {
			matched++
			d.diffs = append(d.diffs, edgeDiffs[[2]int{i, j}]...)
		}
	}
	if matched < min(len(os), len(us)) {
		d.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED")
	}
}

// compareCriteria records a change of allOf/anyOf/oneOf and reports whether
// it makes the subschemas incomparable.
func (d *jsonDiff) compareCriteria(o, u *jsonNode) bool {
	oc, uc := o.criterion, u.criterion
	switch {
	case oc == uc:
		return false
	case uc == "anyOf":
		d.add("COMBINED_TYPE_EXTENDED")
		return false
	case uc == "oneOf" && len(o.subs) == 1:
		d.add("COMBINED_TYPE_EXTENDED")
		return false
	case uc == "allOf" && len(o.subs) == 1 && len(u.subs) == 1:
		d.add("COMBINED_TYPE_EXTENDED")
		return false
	case oc == "allOf" && len(u.subs) == 1:
		// Every value an allOf accepts passes each of its parts.
		d.add("COMBINED_TYPE_EXTENDED")
		return false
	}
	d.add("COMBINED_TYPE_CHANGED")
	return true
}

// maxMatching is Kuhn's augmenting-path bipartite matching: edges[i] lists
// the right vertices left vertex i may pair with. It returns, per right
// vertex, its left partner or -1.
func maxMatching(edges [][]int, nRight int) []int {
	match := make([]int, nRight)
	for j := range match {
		match[j] = -1
	}
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for _, j := range edges[i] {
			if seen[j] {
				continue
			}
			seen[j] = true
			if match[j] < 0 || try(match[j], seen) {
				match[j] = i
				return true
			}
		}
		return false
	}
	for i := range edges {
		try(i, make([]bool, nRight))
	}
	return match
}

func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
