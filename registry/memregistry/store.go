package memregistry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/compat"
	"github.com/sabot-kafka/sabot/registry/protoschema"
)

// Registry is an in-memory Confluent-compatible schema registry. Serve it
// with net/http (it is an http.Handler); it is safe for concurrent use.
type Registry struct {
	mux *http.ServeMux

	mu         sync.RWMutex
	global     registry.CompatibilityLevel
	globalMode registry.Mode
	defLevel   registry.CompatibilityLevel
	schemas    []*stored // schemas[id-1]
	byKey      map[string]*stored
	byGUID     map[string]*stored
	subjects   map[string]*subject
}

// stored is one distinct schema: an id shared by every subject that
// registers the same schema.
type stored struct {
	id     int
	guid   string
	schema registry.Schema
	deps   []registry.Dependency
	parsed *compat.Schema
}

type subject struct {
	versions    []*version // ascending
	nextVersion int
	level       *registry.CompatibilityLevel
	mode        *registry.Mode
}

type version struct {
	num     int
	s       *stored
	deleted bool
}

// Option configures a Registry.
type Option func(*Registry)

// DefaultCompatibility sets the global compatibility level a new registry
// starts with (default BACKWARD, as Confluent's registry).
func DefaultCompatibility(l registry.CompatibilityLevel) Option {
	return func(r *Registry) { r.defLevel = l }
}

// New returns an empty registry.
func New(opts ...Option) *Registry {
	r := &Registry{
		globalMode: registry.ModeReadWrite,
		defLevel:   registry.CompatBackward,
		byKey:      make(map[string]*stored),
		byGUID:     make(map[string]*stored),
		subjects:   make(map[string]*subject),
	}
	for _, o := range opts {
		o(r)
	}
	r.global = r.defLevel
	r.routes()
	return r
}

// apiError is an error the API reports with a registry error code.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string { return e.msg }

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

// live reports whether a subject has a version that is not soft-deleted.
func (s *subject) live() bool {
	return slices.ContainsFunc(s.versions, func(v *version) bool { return !v.deleted })
}

func (s *subject) liveVersions() []*version {
	var out []*version
	for _, v := range s.versions {
		if !v.deleted {
			out = append(out, v)
		}
	}
	return out
}

// subjectLocked finds a subject; soft-deleted ones only when deleted is set.
func (r *Registry) subjectLocked(name string, deleted bool) (*subject, *apiError) {
	s := r.subjects[name]
	if s == nil || len(s.versions) == 0 || (!deleted && !s.live()) {
		return nil, errorf(registry.CodeSubjectNotFound, "Subject '%s' not found.", name)
	}
	return s, nil
}

// latest is the version number parseVersion gives "latest" (and "-1").
const latest = -1

// parseVersion reads a version path segment as Confluent's registry does:
// "latest" in any case, or a number in [1, 2^31-1] (-1 also means latest).
func parseVersion(ver string) (int, *apiError) {
	t := strings.TrimSpace(ver)
	if strings.EqualFold(t, "latest") {
		return latest, nil
	}
	n, err := strconv.ParseInt(t, 10, 32)
	if err != nil || (n <= 0 && n != latest) {
		return 0, errorf(registry.CodeInvalidVersion, "The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", ver)
	}
	return int(n), nil
}

// versionLocked resolves a version path segment of a subject. The version
// is checked first (42202), then the subject (40401), then the version
// (40402), in Confluent's order.
func (r *Registry) versionLocked(name, ver string, deleted bool) (*subject, *version, *apiError) {
	n, aerr := parseVersion(ver)
	if aerr != nil {
		return nil, nil, aerr
	}
	s, aerr := r.subjectLocked(name, deleted)
	if aerr != nil {
		return nil, nil, aerr
	}
	if v := s.find(n, deleted); v != nil {
		return s, v, nil
	}
	return nil, nil, errorf(registry.CodeVersionNotFound, "Version %d not found.", n)
}

// find returns version n (latest: the newest), soft-deleted ones only when
// deleted is set.
func (s *subject) find(n int, deleted bool) *version {
	for i := len(s.versions) - 1; i >= 0; i-- {
		v := s.versions[i]
		if (deleted || !v.deleted) && (n == latest || v.num == n) {
			return v
		}
	}
	return nil
}

func (r *Registry) levelLocked(s *subject) registry.CompatibilityLevel {
	if s != nil && s.level != nil {
		return *s.level
	}
	return r.global
}

func (r *Registry) modeLocked(s *subject) registry.Mode {
	if s != nil && s.mode != nil {
		return *s.mode
	}
	return r.globalMode
}

// canonicalText is the form schemas are compared in: JSON without
// insignificant whitespace for Avro and JSON Schema, trimmed text for
// Protobuf.
func canonicalText(s registry.Schema) string {
	if s.Type.Normalized() == registry.TypeProtobuf {
		return strings.TrimSpace(s.Text)
	}
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(s.Text)) != nil {
		return s.Text
	}
	return buf.String()
}

func schemaKey(s registry.Schema) string {
	var b strings.Builder
	b.WriteString(string(s.Type.Normalized()))
	b.WriteByte(0)
	b.WriteString(canonicalText(s))
	for _, ref := range s.References {
		fmt.Fprintf(&b, "\x00%s\x00%s\x00%d", ref.Name, ref.Subject, ref.Version)
	}
	return b.String()
}

// guidFor derives a stable UUID-shaped id from the schema's key.
func guidFor(key string) string {
	sum := sha256.Sum256([]byte(key))
	g := sum[:16]
	g[6] = g[6]&0x0f | 0x80 // version 8: custom
	g[8] = g[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(g)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// resolveLocked fetches what refs reach, dependencies first, each once.
func (r *Registry) resolveLocked(refs []registry.Reference) ([]registry.Dependency, *apiError) {
	var out []registry.Dependency
	seen := map[string]bool{}
	var visit func(ref registry.Reference, depth int) *apiError
	visit = func(ref registry.Reference, depth int) *apiError {
		if depth > 64 {
			return errorf(registry.CodeInvalidSchema, "Invalid schema: references nest deeper than 64")
		}
		n := ref.Version
		if n <= 0 {
			n = latest
		}
		var v *version
		if s, _ := r.subjectLocked(ref.Subject, false); s != nil {
			v = s.find(n, false)
		}
		if v == nil {
			return errorf(registry.CodeInvalidSchema, "Invalid schema: reference %q to subject %q version %d not found", ref.Name, ref.Subject, ref.Version)
		}
		key := ref.Name + "\x00" + strconv.Itoa(v.s.id)
		if seen[key] {
			return nil
		}
		seen[key] = true
		for _, child := range v.s.schema.References {
			if err := visit(child, depth+1); err != nil {
				return err
			}
		}
		out = append(out, registry.Dependency{Name: ref.Name, Schema: v.s.schema})
		return nil
	}
	for _, ref := range refs {
		if err := visit(ref, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prepareLocked validates a schema from a request and returns the stored
// form (the existing one when the registry already holds it).
func (r *Registry) prepareLocked(s registry.Schema) (*stored, *apiError) {
	typ, err := registry.ParseSchemaType(string(s.Type))
	if err != nil {
		return nil, errorf(registry.CodeInvalidSchema, "Invalid schema: unknown schema type %q", s.Type)
	}
	s.Type = typ
	if s.References == nil {
		s.References = []registry.Reference{}
	}
	if typ == registry.TypeProtobuf && protoschema.IsSerialized(s.Text) {
		// Stored as .proto text, as Confluent's registry does: one text per
		// schema whichever form it came in, and the form compat reads.
		deps, aerr := r.resolveLocked(s.References)
		if aerr != nil {
			return nil, aerr
		}
		text, err := protoText(s.Text, deps)
		if err != nil {
			return nil, errorf(registry.CodeInvalidSchema, "Invalid schema: %v", err)
		}
		s.Text = text
	}
	key := schemaKey(s)
	if st := r.byKey[key]; st != nil {
		return st, nil
	}
	deps, aerr := r.resolveLocked(s.References)
	if aerr != nil {
		return nil, aerr
	}
	parsed, err := compat.Parse(registry.ResolvedSchema{Schema: s, Deps: deps})
	if err != nil {
		return nil, errorf(registry.CodeInvalidSchema, "Invalid schema: %v", err)
	}
	return &stored{guid: guidFor(key), schema: s, deps: deps, parsed: parsed}, nil
}

// forgetLocked drops st when no version of any subject holds it any more
// (its last one was permanently deleted): its id then answers 40403 and the
// same schema registered again gets a fresh id, as Confluent's registry
// never hands an id out twice.
func (r *Registry) forgetLocked(st *stored) {
	for _, s := range r.subjects {
		for _, v := range s.versions {
			if v.s == st {
				return
			}
		}
	}
	delete(r.byKey, schemaKey(st.schema))
	delete(r.byGUID, st.guid)
	r.schemas[st.id-1] = nil
}

// storeLocked gives a prepared schema its id (once).
func (r *Registry) storeLocked(st *stored) {
	if st.id != 0 {
		return
	}
	st.id = len(r.schemas) + 1
	r.schemas = append(r.schemas, st)
	r.byKey[schemaKey(st.schema)] = st
	r.byGUID[st.guid] = st
}

// register adds s to a subject (or finds it there) and returns its id.
func (r *Registry) register(name string, s registry.Schema) (int, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sub := r.subjects[name]
	if m := r.modeLocked(sub); m == registry.ModeReadOnly || m == registry.ModeReadOnlyOverride {
		return 0, errorf(registry.CodeOperationNotPermitted, "Subject %s is in read-only mode", name)
	}
	st, aerr := r.prepareLocked(s)
	if aerr != nil {
		return 0, aerr
	}
	if sub != nil {
		for _, v := range sub.liveVersions() {
			if v.s == st {
				return st.id, nil
			}
		}
		if res := r.checkLocked(st, sub.liveVersions(), r.levelLocked(sub)); !res.Compatible {
			return 0, errorf(registry.CodeIncompatible, "Schema being registered is incompatible with an earlier schema for subject \"%s\", details: %s", name, strings.Join(res.Messages, "; "))
		}
	}
	if sub == nil {
		sub = &subject{nextVersion: 1}
		r.subjects[name] = sub
	}
	r.storeLocked(st)
	sub.versions = append(sub.versions, &version{num: sub.nextVersion, s: st})
	sub.nextVersion++
	return st.id, nil
}

// checkLocked applies level to st against versions (oldest first).
func (r *Registry) checkLocked(st *stored, versions []*version, level registry.CompatibilityLevel) compat.Result {
	existing := make([]*compat.Schema, 0, len(versions))
	for _, v := range versions {
		existing = append(existing, v.s.parsed)
	}
	res, err := compat.CheckParsed(st.parsed, existing, level)
	if err != nil {
		return compat.Result{Messages: []string{err.Error()}}
	}
	return res
}

// referencedLocked lists the ids of schemas referencing subject version
// num: held by live versions, or by soft-deleted ones too when deleted is
// set. Versions of the subject skip are left out (a subject's versions may
// reference each other).
func (r *Registry) referencedLocked(name string, num int, deleted bool, skip string) []int {
	var ids []int
	for sname, s := range r.subjects {
		if sname == skip && skip != "" {
			continue
		}
		for _, v := range s.versions {
			if v.deleted && !deleted {
				continue
			}
			for _, ref := range v.s.schema.References {
				if ref.Subject == name && (ref.Version == num || ref.Version <= 0) && !slices.Contains(ids, v.s.id) {
					ids = append(ids, v.s.id)
				}
			}
		}
	}
	slices.Sort(ids)
	return ids
}
