package compat

import (
	"slices"
	"strconv"
)

// Objects and arrays: the content-model rules.

func (d *jsonDiff) compareObject(o, u *jsonNode) {
	d.compareRequired(o, u)
	d.compareProperties(o, u)
	d.compareDependencies(o, u)
	d.push("additionalProperties")
	switch {
	case o.addlAllowed != u.addlAllowed:
		if u.addlAllowed {
			d.add("ADDITIONAL_PROPERTIES_ADDED")
		} else {
			d.add("ADDITIONAL_PROPERTIES_REMOVED")
		}
	case o.addlSchema == nil && u.addlSchema != nil:
		d.add("ADDITIONAL_PROPERTIES_NARROWED")
	case o.addlSchema != nil && u.addlSchema == nil:
		d.add("ADDITIONAL_PROPERTIES_EXTENDED")
	default:
		d.compare(o.addlSchema, u.addlSchema)
	}
	d.pop()
	d.limit("maxProperties", "MAX_PROPERTIES", bound(o.maxProperties, u.maxProperties))
	d.limit("minProperties", "MIN_PROPERTIES", bound(o.minProperties, u.minProperties))
}

// openContent: any extra property of any type is allowed.
func (n *jsonNode) openContent() bool {
	return len(n.patternProps) == 0 && n.addlSchema == nil && n.addlAllowed
}

// partialSchema is the schema a partially open object applies to an
// undeclared property: the first matching patternProperties entry, else
// additionalProperties' schema (nil: closed to it).
func (n *jsonNode) partialSchema(prop string) *jsonNode {
	for _, pp := range n.patternProps {
		if pp.re.MatchString(prop) {
			return pp.node
		}
	}
	return n.addlSchema
}

func (d *jsonDiff) compareRequired(o, u *jsonNode) {
	d.push("required")
	for _, k := range sortedKeys(o.properties) {
		up, ok := u.properties[k]
		if !ok {
			continue
		}
		d.push(k)
		switch {
		case o.required[k] && !u.required[k]:
			d.add("REQUIRED_ATTRIBUTE_REMOVED")
		case !o.required[k] && u.required[k]:
			if up.def != nil {
				d.add("REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED")
			} else {
				d.add("REQUIRED_ATTRIBUTE_ADDED")
			}
		}
		d.pop()
	}
	d.pop()
}

func (d *jsonDiff) compareProperties(o, u *jsonNode) {
	d.push("properties")
	defer d.pop()
	for _, k := range unionKeys(o.properties, u.properties) {
		op, inO := o.properties[k]
		up, inU := u.properties[k]
		d.push(k)
		switch {
		case !inU:
			d.propertyRemoved(op, u, k)
		case !inO:
			d.propertyAdded(o, u, up, k)
		default:
			d.compare(op, up)
		}
		d.pop()
	}
}

// propertyRemoved: only the update's content model matters, since data
// written with the original may carry the property.
func (d *jsonDiff) propertyRemoved(op, u *jsonNode, k string) {
	if u.openContent() {
		d.add("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL")
		return
	}
	if ps := u.partialSchema(k); ps != nil {
		s := d.sub()
		s.compare(op, ps)
		d.diffs = append(d.diffs, s.diffs...)
		if s.compatible() {
			d.add("PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
		} else {
			d.add("PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
		}
		return
	}
	if op.kind == jsonFalse {
		d.add("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL")
	} else {
		d.add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL")
	}
}

// propertyAdded: only the original's content model matters, since an open
// original may already have let the property through with any value.
func (d *jsonDiff) propertyAdded(o, u, up *jsonNode, k string) {
	if o.openContent() {
		if up.kind == jsonEmpty {
			d.add("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL")
		} else {
			d.add("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
		}
		return
	}
	if ps := o.partialSchema(k); ps != nil {
		s := d.sub()
		s.compare(ps, up)
		d.diffs = append(d.diffs, s.diffs...)
		if s.compatible() {
			d.add("PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
		} else {
			d.add("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
		}
	}
	switch {
	case !u.required[k]:
		d.add("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL")
	case up.def != nil:
		d.add("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL")
	default:
		d.add("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL")
	}
}

func (d *jsonDiff) compareDependencies(o, u *jsonNode) {
	d.push("dependencies")
	defer d.pop()
	for _, k := range unionKeys(o.propDeps, u.propDeps) {
		od, inO := o.propDeps[k]
		ud, inU := u.propDeps[k]
		d.push(k)
		switch {
		case !inU:
			d.add("DEPENDENCY_ARRAY_REMOVED")
		case !inO:
			d.add("DEPENDENCY_ARRAY_ADDED")
		case slices.Equal(sortedCopy(od), sortedCopy(ud)):
		case containsAll(ud, od):
			d.add("DEPENDENCY_ARRAY_EXTENDED")
		case containsAll(od, ud):
			d.add("DEPENDENCY_ARRAY_NARROWED")
		default:
			d.add("DEPENDENCY_ARRAY_CHANGED")
		}
		d.pop()
	}
	for _, k := range unionKeys(o.schemaDeps, u.schemaDeps) {
		os, inO := o.schemaDeps[k]
		us, inU := u.schemaDeps[k]
		d.push(k)
		switch {
		case !inU:
			d.add("DEPENDENCY_SCHEMA_REMOVED")
		case !inO:
			d.add("DEPENDENCY_SCHEMA_ADDED")
		default:
			d.compare(os, us)
		}
		d.pop()
	}
}

func (d *jsonDiff) compareArray(o, u *jsonNode) {
	d.push("items")
	d.compare(o.items, u.items)
	d.pop()
	d.compareTuples(o, u)
	d.push("additionalItems")
	switch {
	case o.addlItemsOK != u.addlItemsOK:
		if o.addlItemsOK {
			d.add("ADDITIONAL_ITEMS_REMOVED")
		} else {
			d.add("ADDITIONAL_ITEMS_ADDED")
		}
	case o.addlItemsSchema == nil && u.addlItemsSchema != nil:
		d.add("ADDITIONAL_ITEMS_NARROWED")
	case o.addlItemsSchema != nil && u.addlItemsSchema == nil:
		d.add("ADDITIONAL_ITEMS_EXTENDED")
	default:
		d.compare(o.addlItemsSchema, u.addlItemsSchema)
	}
	d.pop()
	d.limit("maxItems", "MAX_ITEMS", bound(o.maxItems, u.maxItems))
	d.limit("minItems", "MIN_ITEMS", bound(o.minItems, u.minItems))
	if o.uniqueItems != u.uniqueItems {
		if o.uniqueItems {
			d.addAt("uniqueItems", "UNIQUE_ITEMS_REMOVED")
		} else {
			d.addAt("uniqueItems", "UNIQUE_ITEMS_ADDED")
		}
	}
}

func (n *jsonNode) openItems() bool { return n.addlItemsOK && n.addlItemsSchema == nil }

// compareTuples applies the content-model rules to positional items.
func (d *jsonDiff) compareTuples(o, u *jsonNode) {
	common := min(len(o.tuple), len(u.tuple))
	for i := 0; i < common; i++ {
		d.push("items/" + strconv.Itoa(i))
		d.compare(o.tuple[i], u.tuple[i])
		d.pop()
	}
	for i := common; i < len(o.tuple); i++ {
		d.push("items/" + strconv.Itoa(i))
		switch {
		case u.openItems():
			d.add("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL")
		case u.addlItemsSchema != nil:
			s := d.sub()
			s.compare(o.tuple[i], u.addlItemsSchema)
			d.diffs = append(d.diffs, s.diffs...)
			if s.compatible() {
				d.add("ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
			} else {
				d.add("ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
			}
		case o.tuple[i].kind == jsonFalse:
			d.add("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL")
		default:
			d.add("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL")
		}
		d.pop()
	}
	for i := common; i < len(u.tuple); i++ {
		d.push("items/" + strconv.Itoa(i))
		switch {
		case o.openItems():
			if u.tuple[i].kind == jsonEmpty {
				d.add("ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL")
			} else {
				d.add("ITEM_ADDED_TO_OPEN_CONTENT_MODEL")
			}
		case o.addlItemsSchema != nil:
			s := d.sub()
			s.compare(o.addlItemsSchema, u.tuple[i])
			d.diffs = append(d.diffs, s.diffs...)
			if s.compatible() {
				d.add("ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
			} else {
				d.add("ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")
			}
		default:
			d.add("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL")
		}
		d.pop()
	}
}
