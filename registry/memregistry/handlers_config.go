package memregistry

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/compat"
)

// Schemas by id and GUID, compatibility, config and mode.

// errNoRoute is the answer to a path no endpoint matches, as Confluent's
// registry gives it: an id segment that is not a 32-bit integer makes
// /schemas/ids/{id} such a path.
var errNoRoute = &apiError{code: http.StatusNotFound, msg: "HTTP 404 Not Found"}

func (r *Registry) schemaLocked(idText string) (*stored, *apiError) {
	id, err := strconv.ParseInt(idText, 10, 32)
	if err != nil {
		return nil, errNoRoute
	}
	if id <= 0 || int(id) > len(r.schemas) || r.schemas[id-1] == nil {
		return nil, errorf(registry.CodeSchemaNotFound, "Schema %d not found", id)
	}
	return r.schemas[id-1], nil
}

func (r *Registry) schemaByID(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, err := r.schemaLocked(req.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := bodyOf(st, req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, b)
}

func (r *Registry) schemaTextByID(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, err := r.schemaLocked(req.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeText(w, st, req)
}

// listSchemas serves GET /schemas: every (subject, version), by subject and
// version, filtered by subjectPrefix, deleted and latestOnly (the newest
// listed version of each subject), paged by offset and limit.
func (r *Registry) listSchemas(w http.ResponseWriter, req *http.Request) {
	prefix, deleted, latestOnly := req.URL.Query().Get("subjectPrefix"), flag(req, "deleted"), flag(req, "latestOnly")
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.subjects))
	for name := range r.subjects {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := []schemaBody{}
	for _, name := range names {
		var vs []*version
		for _, v := range r.subjects[name].versions {
			if deleted || !v.deleted {
				vs = append(vs, v)
			}
		}
		if latestOnly && len(vs) > 1 {
			vs = vs[len(vs)-1:]
		}
		for _, v := range vs {
			b, _ := bodyOf(v.s, nil) // the stored text: no format
			b.Subject, b.Version, b.ID = name, v.num, v.s.id
			out = append(out, b)
		}
	}
	writeJSON(w, page(req, out))
}

// holdersLocked lists the (subject, version) pairs holding st, filtered by
// req's subject and deleted parameters.
func (r *Registry) holdersLocked(st *stored, req *http.Request) []registry.SubjectVersion {
	only, deleted := req.URL.Query().Get("subject"), flag(req, "deleted")
	out := []registry.SubjectVersion{}
	for name, s := range r.subjects {
		if only != "" && name != only {
			continue
		}
		for _, v := range s.versions {
			if v.s == st && (deleted || !v.deleted) {
				out = append(out, registry.SubjectVersion{Subject: name, Version: v.num})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Subject != out[j].Subject {
			return out[i].Subject < out[j].Subject
		}
		return out[i].Version < out[j].Version
	})
	return out
}

func (r *Registry) subjectsByID(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, err := r.schemaLocked(req.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	out := []string{}
	for _, h := range r.holdersLocked(st, req) {
		if len(out) == 0 || out[len(out)-1] != h.Subject {
			out = append(out, h.Subject)
		}
	}
	writeJSON(w, page(req, out))
}

func (r *Registry) versionsByID(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, err := r.schemaLocked(req.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, page(req, r.holdersLocked(st, req)))
}

func (r *Registry) guidLocked(guid string) (*stored, *apiError) {
	st := r.byGUID[guid]
	if st == nil {
		return nil, errorf(registry.CodeSchemaNotFound, "Schema %s not found", guid)
	}
	return st, nil
}

func (r *Registry) schemaByGUID(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, err := r.guidLocked(req.PathValue("guid"))
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := bodyOf(st, req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, b)
}

func (r *Registry) idsByGUID(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, err := r.guidLocked(req.PathValue("guid"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, []map[string]any{{"context": ".", "id": st.id}})
}

// compatibility checks a schema against one version (the path names it) or
// against the versions the subject's level names, with Confluent's answers
// for what is missing: an invalid version is 42202 and a numbered version
// that does not exist 40402, but a subject without versions (or "latest" of
// one) has nothing to break, so the schema is compatible. An invalid schema
// is 42201, or with verbose an incompatible answer saying why.
func (r *Registry) compatibility(w http.ResponseWriter, req *http.Request) {
	name, ver, verbose := req.PathValue("subject"), req.PathValue("version"), flag(req, "verbose")
	n := latest
	if ver != "" {
		var aerr *apiError
		if n, aerr = parseVersion(ver); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	s, aerr := readSchema(w, req)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var against []*version
	if sub, _ := r.subjectLocked(name, false); sub != nil {
		against = sub.liveVersions()
		if ver != "" {
			against = nil
			if v := sub.find(n, false); v != nil {
				against = []*version{v}
			}
		}
	}
	if ver != "" && n != latest && len(against) == 0 {
		writeError(w, errorf(registry.CodeVersionNotFound, "Version %d not found.", n))
		return
	}
	var res compat.Result
	st, aerr := r.prepareLocked(s)
	switch {
	case aerr != nil && !verbose:
		writeError(w, aerr)
		return
	case aerr != nil:
		res.Messages = []string{aerr.msg}
	default:
		res = r.checkLocked(st, against, r.levelLocked(r.subjects[name]))
	}
	out := map[string]any{"is_compatible": aerr == nil && res.Compatible}
	if verbose {
		msgs := res.Messages
		if msgs == nil {
			msgs = []string{}
		}
		out["messages"] = msgs
	}
	writeJSON(w, out)
}

func (r *Registry) getConfig(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("subject")
	r.mu.RLock()
	defer r.mu.RUnlock()
	if name == "" {
		writeJSON(w, map[string]any{"compatibilityLevel": r.global})
		return
	}
	if s := r.subjects[name]; s != nil && s.level != nil {
		writeJSON(w, map[string]any{"compatibilityLevel": *s.level})
		return
	}
	if flag(req, "defaultToGlobal") {
		writeJSON(w, map[string]any{"compatibilityLevel": r.global})
		return
	}
	writeError(w, errorf(registry.CodeSubjectConfigNotFound, "Subject '%s' does not have subject-level compatibility configured", name))
}

func (r *Registry) putConfig(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Compatibility string `json:"compatibility"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<16)).Decode(&body); err != nil {
		writeError(w, errorf(registry.CodeInvalidCompatibility, "Invalid compatibility level: %v", err))
		return
	}
	level, err := registry.ParseCompatibilityLevel(body.Compatibility)
	if err != nil {
		writeError(w, errorf(registry.CodeInvalidCompatibility, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"))
		return
	}
	name := req.PathValue("subject")
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		r.global = level
	} else {
		r.subjectForConfigLocked(name).level = &level
	}
	writeJSON(w, map[string]any{"compatibility": level})
}

// subjectForConfigLocked returns a subject's record, creating an empty one:
// config and mode may be set before the first version.
func (r *Registry) subjectForConfigLocked(name string) *subject {
	s := r.subjects[name]
	if s == nil {
		s = &subject{nextVersion: 1}
		r.subjects[name] = s
	}
	return s
}

func (r *Registry) deleteConfig(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("subject")
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		old := r.global
		r.global = r.defLevel
		writeJSON(w, map[string]any{"compatibilityLevel": old})
		return
	}
	s := r.subjects[name]
	if s == nil || s.level == nil { // Confluent answers 40401 here, not 40408
		writeError(w, errorf(registry.CodeSubjectNotFound, "Subject '%s' not found.", name))
		return
	}
	old := *s.level
	s.level = nil
	writeJSON(w, map[string]any{"compatibilityLevel": old})
}

func (r *Registry) getMode(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("subject")
	r.mu.RLock()
	defer r.mu.RUnlock()
	if name == "" {
		writeJSON(w, map[string]any{"mode": r.globalMode})
		return
	}
	if s := r.subjects[name]; s != nil && s.mode != nil {
		writeJSON(w, map[string]any{"mode": *s.mode})
		return
	}
	if flag(req, "defaultToGlobal") {
		writeJSON(w, map[string]any{"mode": r.globalMode})
		return
	}
	writeError(w, errorf(registry.CodeSubjectModeNotFound, "Subject '%s' does not have subject-level mode configured", name))
}

func (r *Registry) putMode(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Mode string `json:"mode"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<16)).Decode(&body); err != nil {
		writeError(w, errorf(registry.CodeInvalidMode, "Invalid mode: %v", err))
		return
	}
	mode, err := registry.ParseMode(body.Mode)
	if err != nil {
		writeError(w, errorf(registry.CodeInvalidMode, "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT"))
		return
	}
	name := req.PathValue("subject")
	r.mu.Lock()
	defer r.mu.Unlock()
	if mode == registry.ModeImport && !flag(req, "force") && r.holdsSchemasLocked(name) {
		writeError(w, errorf(registry.CodeOperationNotPermitted, "Cannot import since found existing subjects"))
		return
	}
	if name == "" {
		r.globalMode = mode
	} else {
		r.subjectForConfigLocked(name).mode = &mode
	}
	writeJSON(w, map[string]any{"mode": mode})
}

func (r *Registry) holdsSchemasLocked(name string) bool {
	if name != "" {
		s := r.subjects[name]
		return s != nil && len(s.versions) > 0
	}
	for _, s := range r.subjects {
		if len(s.versions) > 0 {
			return true
		}
	}
	return false
}

func (r *Registry) deleteMode(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("subject")
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		old := r.globalMode
		r.globalMode = registry.ModeReadWrite
		writeJSON(w, map[string]any{"mode": old})
		return
	}
	s := r.subjects[name]
	if s == nil || s.mode == nil { // Confluent answers 40401 here, not 40409
		writeError(w, errorf(registry.CodeSubjectNotFound, "Subject '%s' not found.", name))
		return
	}
	old := *s.mode
	s.mode = nil
	writeJSON(w, map[string]any{"mode": old})
}
