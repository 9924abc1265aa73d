package memregistry

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"

	"github.com/sabot-kafka/sabot/registry"
)

// Schemas by id and GUID, compatibility, config and mode.

func (r *Registry) schemaLocked(idText string) (*stored, *apiError) {
	id, err := strconv.Atoi(idText)
	if err != nil || id <= 0 || id > len(r.schemas) {
		return nil, errorf(registry.CodeSchemaNotFound, "Schema %s not found", idText)
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
	writeJSON(w, bodyOf(st))
}

func (r *Registry) schemaTextByID(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, err := r.schemaLocked(req.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	_, _ = io.WriteString(w, st.schema.Text)
}

// holdersLocked lists the (subject, version) pairs holding st.
func (r *Registry) holdersLocked(st *stored, deleted bool) []registry.SubjectVersion {
	out := []registry.SubjectVersion{}
	for name, s := range r.subjects {
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
	for _, h := range r.holdersLocked(st, flag(req, "deleted")) {
		if len(out) == 0 || out[len(out)-1] != h.Subject {
			out = append(out, h.Subject)
		}
	}
	writeJSON(w, out)
}

func (r *Registry) versionsByID(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, err := r.schemaLocked(req.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, r.holdersLocked(st, flag(req, "deleted")))
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
	writeJSON(w, bodyOf(st))
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
// against the versions the subject's level names.
func (r *Registry) compatibility(w http.ResponseWriter, req *http.Request) {
	s, aerr := readSchema(w, req)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	name, ver := req.PathValue("subject"), req.PathValue("version")
	r.mu.RLock()
	defer r.mu.RUnlock()
	sub, aerr := r.subjectLocked(name, false)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	st, aerr := r.prepareLocked(s)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	level := r.levelLocked(sub)
	against := sub.liveVersions()
	if ver != "" {
		_, v, aerr := r.versionLocked(name, ver, false)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		against = []*version{v}
	}
	res := r.checkLocked(st, against, level)
	out := map[string]any{"is_compatible": res.Compatible}
	if flag(req, "verbose") {
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
	if s == nil || s.level == nil {
		writeError(w, errorf(registry.CodeSubjectConfigNotFound, "Subject '%s' does not have subject-level compatibility configured", name))
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
	if s == nil || s.mode == nil {
		writeError(w, errorf(registry.CodeSubjectModeNotFound, "Subject '%s' does not have subject-level mode configured", name))
		return
	}
	old := *s.mode
	s.mode = nil
	writeJSON(w, map[string]any{"mode": old})
}
