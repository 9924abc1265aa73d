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

// versionLocked resolves "latest", "-1" or a number to a version.
func (r *Registry) versionLocked(name, ver string, deleted bool) (*subject, *version, *apiError) {
	s, err := r.subjectLocked(name, deleted)
	if err != nil {
		return nil, nil, err
	}
	if ver == "latest" || ver == "-1" {
		vs := s.versions
		if !deleted {
			vs = s.liveVersions()
		}
		if len(vs) == 0 {
			return nil, nil, errorf(registry.CodeVersionNotFound, "Version latest not found.")
		}
		return s, vs[len(vs)-1], nil
	}
	n, perr := strconv.Atoi(ver)
	if perr != nil || n <= 0 {
		return nil, nil, errorf(registry.CodeInvalidVersion, "The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", ver)
	}
	for _, v := range s.versions {
		if v.num == n && (deleted || !v.deleted) {
			return s, v, nil
		}
	}
	return nil, nil, errorf(registry.CodeVersionNotFound, "Version %d not found.", n)
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
		ver := strconv.Itoa(ref.Version)
		if ref.Version <= 0 {
			ver = "latest"
		}
		_, v, err := r.versionLocked(ref.Subject, ver, false)
		if err != nil {
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
			return 0, errorf(registry.CodeIncompatibleLegacy, "Schema being registered is incompatible with an earlier schema for subject \"%s\", details: %s", name, strings.Join(res.Messages, "; "))
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

// referencedLocked lists the ids of live schemas referencing subject
// version num.
func (r *Registry) referencedLocked(name string, num int) []int {
	var ids []int
	for _, s := range r.subjects {
		for _, v := range s.liveVersions() {
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
