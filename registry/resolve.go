package registry

import (
	"context"
	"fmt"
	"strings"
)

// Bounds on reference graphs: deeper or larger graphs are refused rather than
// followed, whatever the registry says.
const (
	maxReferenceDepth = 64
	maxDependencies   = 1024
)

// refWalk walks a reference graph depth first, collecting each dependency
// once, after the dependencies it has itself.
type refWalk struct {
	c      *Client
	seen   map[depKey]bool
	onPath map[SubjectVersion]bool
	path   []string
	out    []Dependency
}

type depKey struct {
	name    string
	subject string
	version int
}

// resolveReferences fetches every schema refs reach, transitively, ordered so
// that a dependency comes before the schemas that use it.
func (c *Client) resolveReferences(ctx context.Context, refs []Reference) ([]Dependency, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	w := &refWalk{c: c, seen: make(map[depKey]bool), onPath: make(map[SubjectVersion]bool)}
	for _, r := range refs {
		if err := w.visit(ctx, r); err != nil {
			return nil, err
		}
	}
	return w.out, nil
}

func (w *refWalk) visit(ctx context.Context, r Reference) error {
	if len(w.path) >= maxReferenceDepth {
		return fmt.Errorf("registry: references nest deeper than %d: %s", maxReferenceDepth, strings.Join(w.path, " -> "))
	}
	if r.Subject == "" {
		return fmt.Errorf("registry: reference %q names no subject", r.Name)
	}
	ss, err := w.c.referencedVersion(ctx, r.Subject, r.Version)
	if err != nil {
		return err
	}
	sv := SubjectVersion{Subject: ss.Subject, Version: ss.Version}
	key := depKey{name: r.Name, subject: sv.Subject, version: sv.Version}
	if w.seen[key] {
		return nil
	}
	label := fmt.Sprintf("%s@%d", sv.Subject, sv.Version)
	if w.onPath[sv] {
		return fmt.Errorf("%w: %s -> %s", ErrReferenceCycle, strings.Join(w.path, " -> "), label)
	}
	w.onPath[sv] = true
	w.path = append(w.path, label)
	for _, child := range ss.References {
		if err := w.visit(ctx, child); err != nil {
			return err
		}
	}
	w.path = w.path[:len(w.path)-1]
	delete(w.onPath, sv)
	w.seen[key] = true
	if len(w.out) >= maxDependencies {
		return fmt.Errorf("registry: more than %d schemas reachable through references", maxDependencies)
	}
	w.out = append(w.out, Dependency{Name: r.Name, Schema: ss.Schema})
	return nil
}

// referencedVersion fetches a version a reference names, soft-deleted ones
// included (a registered schema keeps working when a dependency is
// soft-deleted). Numbered versions are immutable and cached; a version of 0 or
// below means the latest.
func (c *Client) referencedVersion(ctx context.Context, subject string, version int) (SubjectSchema, error) {
	if version <= 0 {
		return c.LatestVersion(ctx, subject)
	}
	return c.SchemaVersion(ctx, subject, version, true)
}
