package compat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Avro compatibility: can a reader with one schema decode data written with
// another? These are the rules of Avro's SchemaCompatibility, which the
// Confluent registry applies: BACKWARD reads old data with the new schema,
// FORWARD reads new data with the old one.

type avroPair struct{ reader, writer *avroSchema }

type avroMemo struct {
	done   bool
	issues []Issue
}

type avroChecker struct {
	memo map[avroPair]*avroMemo
}

// checkAvro returns the reasons data written with writer cannot be read with
// reader (none: compatible).
func checkAvro(reader, writer *avroSchema) []Issue {
	c := &avroChecker{memo: make(map[avroPair]*avroMemo)}
	return dedupe(c.compat(reader, writer, ""))
}

func (c *avroChecker) compat(r, w *avroSchema, loc string) []Issue {
	key := avroPair{r, w}
	if m, ok := c.memo[key]; ok {
		if !m.done {
			// A recursive type met again: compatible unless proven otherwise
			// where the recursion started.
			return nil
		}
		return m.issues
	}
	m := &avroMemo{}
	c.memo[key] = m
	m.issues = c.calc(r, w, loc)
	m.done = true
	return m.issues
}

func (c *avroChecker) calc(r, w *avroSchema, loc string) []Issue {
	if r.kind == w.kind {
		switch r.kind {
		case avroArray:
			return c.compat(r.items, w.items, loc+"/items")
		case avroMap:
			return c.compat(r.items, w.items, loc+"/values")
		case avroFixed:
			issues := checkNames(r, w, loc)
			if r.size != w.size {
				issues = append(issues, Issue{Kind: "FIXED_SIZE_MISMATCH", Path: loc + "/size",
					Message: fmt.Sprintf("expected: %d, found: %d", w.size, r.size)})
			}
			return issues
		case avroEnum:
			issues := checkNames(r, w, loc)
			var missing []string
			for _, s := range w.symbols {
				if !slices.Contains(r.symbols, s) {
					missing = append(missing, s)
				}
			}
			if len(missing) > 0 && r.enumDefault == "" {
				slices.Sort(missing)
				issues = append(issues, Issue{Kind: "MISSING_ENUM_SYMBOLS", Path: loc + "/symbols",
					Message: "reader enum lacks writer symbols [" + strings.Join(missing, ", ") + "]"})
			}
			return issues
		case avroRecord:
			return append(checkNames(r, w, loc), c.fields(r, w, loc)...)
		case avroUnion:
			var issues []Issue
			for i, wb := range w.branches {
				if len(c.compat(r, wb, loc+"/"+strconv.Itoa(i))) > 0 {
					issues = append(issues, Issue{Kind: "MISSING_UNION_BRANCH", Path: loc + "/" + strconv.Itoa(i),
						Message: "reader union lacking writer type: " + describe(wb)})
				}
			}
			return issues
		}
		return nil // primitives of the same kind
	}
	// A reader takes a writer union if it takes every branch.
	if w.kind == avroUnion {
		var issues []Issue
		for i, wb := range w.branches {
			issues = append(issues, c.compat(r, wb, loc+"/"+strconv.Itoa(i))...)
		}
		return issues
	}
	switch r.kind {
	case avroLong:
		if w.kind == avroInt {
			return nil
		}
	case avroFloat:
		if w.kind == avroInt || w.kind == avroLong {
			return nil
		}
	case avroDouble:
		if w.kind == avroInt || w.kind == avroLong || w.kind == avroFloat {
			return nil
		}
	case avroBytes:
		if w.kind == avroString {
			return nil
		}
	case avroString:
		if w.kind == avroBytes {
			return nil
		}
	case avroUnion:
		for _, rb := range r.branches {
			if len(c.compat(rb, w, loc)) == 0 {
				return nil
			}
		}
		return []Issue{{Kind: "MISSING_UNION_BRANCH", Path: pathOrRoot(loc),
			Message: "reader union lacking writer type: " + describe(w)}}
	}
	return []Issue{{Kind: "TYPE_MISMATCH", Path: pathOrRoot(loc),
		Message: fmt.Sprintf("reader type: %s not compatible with writer type: %s", describe(r), describe(w))}}
}

// fields checks that every reader field can be filled from the writer record
// or from its default.
func (c *avroChecker) fields(r, w *avroSchema, loc string) []Issue {
	var issues []Issue
	for i, rf := range r.fields {
		floc := loc + "/fields/" + strconv.Itoa(i)
		wf, err := writerField(w, rf)
		switch {
		case err != nil:
			issues = append(issues, Issue{Kind: "TYPE_MISMATCH", Path: floc, Message: err.Error()})
		case wf == nil:
			if !rf.hasDefault {
				issues = append(issues, Issue{Kind: "READER_FIELD_MISSING_DEFAULT_VALUE", Path: floc,
					Message: fmt.Sprintf("field %q is missing from the writer and has no default", rf.name)})
			}
		default:
			issues = append(issues, c.compat(rf.schema, wf.schema, floc+"/type")...)
		}
	}
	return issues
}

// writerField finds the writer field a reader field reads: same name, or a
// reader alias. More than one match is an error, as in Avro.
func writerField(w *avroSchema, rf avroField) (*avroField, error) {
	var found *avroField
	for i := range w.fields {
		wf := &w.fields[i]
		if wf.name == rf.name || slices.Contains(rf.aliases, wf.name) {
			if found != nil {
				return nil, fmt.Errorf("reader field %q matches writer fields %q and %q", rf.name, found.name, wf.name)
			}
			found = wf
		}
	}
	return found, nil
}

// checkNames: unqualified names equal, or the writer's full name among the
// reader's aliases.
func checkNames(r, w *avroSchema, loc string) []Issue {
	if r.name == w.name || slices.Contains(r.aliases, w.fullName) {
		return nil
	}
	return []Issue{{Kind: "NAME_MISMATCH", Path: loc + "/name", Message: "expected: " + w.fullName}}
}

func describe(s *avroSchema) string {
	if s.fullName != "" {
		return s.kind.String() + " " + s.fullName
	}
	return s.kind.String()
}

func pathOrRoot(loc string) string {
	if loc == "" {
		return "/"
	}
	return loc
}
