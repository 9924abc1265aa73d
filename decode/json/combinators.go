package json

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// combined handles allOf, anyOf and oneOf. anyOf/oneOf of one schema and
// null is that schema, nullable (the usual encoding of optional fields);
// allOf whose branches all describe objects merges their properties. Any
// other combination becomes a raw JSON column. Either way the combinator
// itself is checked by the full validator.
func (d *deriver) combined(n *node, sch *jsonschema.Schema, depth int) (*node, error) {
	alts := append(append([]*jsonschema.Schema(nil), sch.AnyOf...), sch.OneOf...)
	if len(sch.AllOf) == 0 && sch.Properties == nil && sch.Types == nil && (len(sch.AnyOf) == 0) != (len(sch.OneOf) == 0) {
		var only *jsonschema.Schema
		nulls := 0
		for _, a := range alts {
			a = d.deref(a)
			if k, _ := d.kinds(a); k == kindNull {
				nulls++
				continue
			}
			if only != nil {
				only = nil
				break
			}
			only = a
		}
		if only != nil && nulls+1 == len(alts) {
			// Valid values are null or those of the one schema: exactly what
			// a nullable node of that schema checks, when that schema
			// rejects null itself and nothing else sits next to the
			// combinator.
			rest := *sch
			rest.AnyOf, rest.OneOf = nil, nil
			if k, _ := d.kinds(only); k&kindNull != 0 || hasAssertions(&rest) {
				d.inexact()
			}
			k, err := d.node(only, n.name, n.path, depth+1)
			if err != nil {
				return nil, err
			}
			k.admitsNull = true
			d.setNullable(k, true)
			return k, nil
		}
	}
	d.inexact()
	if len(alts) == 0 {
		merged, ok := d.mergeAllOf(sch)
		if ok {
			return d.node(merged, n.name, n.path, depth+1)
		}
	}
	n.typ, n.raw, n.admitsNull = arrow.BinaryTypes.String, true, true
	d.setNullable(n, true)
	return n, nil
}

// mergeAllOf merges the properties of allOf branches that all describe
// objects into one schema (layout only; assertions go to the full validator).
func (d *deriver) mergeAllOf(sch *jsonschema.Schema) (*jsonschema.Schema, bool) {
	merged := &jsonschema.Schema{Location: sch.Location, Properties: map[string]*jsonschema.Schema{}}
	parts := append([]*jsonschema.Schema{sch}, sch.AllOf...)
	for _, p := range parts {
		p = d.deref(p)
		if p.AnyOf != nil || p.OneOf != nil || (p != sch && p.AllOf != nil) {
			return nil, false
		}
		k, _ := d.kinds(p)
		if p != sch && k&kindObject == 0 {
			return nil, false
		}
		for name, ps := range p.Properties {
			if _, dup := merged.Properties[name]; !dup {
				merged.Properties[name] = ps
			}
		}
		merged.Required = append(merged.Required, p.Required...)
	}
	if len(merged.Properties) == 0 {
		return nil, false
	}
	t := new(jsonschema.Types)
	t.Add("object")
	merged.Types = t
	return merged, true
}
