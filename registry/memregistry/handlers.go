package memregistry

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/sabot-kafka/sabot/registry"
)

// maxBody caps request bodies: a schema, its references and JSON framing.
const maxBody = 16 << 20

func (r *Registry) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, map[string]any{}) })
	m.HandleFunc("GET /subjects", r.listSubjects)
	m.HandleFunc("GET /subjects/{subject}/versions", r.listVersions)
	m.HandleFunc("POST /subjects/{subject}/versions", r.postVersion)
	m.HandleFunc("GET /subjects/{subject}/versions/{version}", r.getVersion)
	m.HandleFunc("GET /subjects/{subject}/versions/{version}/schema", r.getVersionText)
	m.HandleFunc("GET /subjects/{subject}/versions/{version}/referencedby", r.referencedBy)
	m.HandleFunc("DELETE /subjects/{subject}/versions/{version}", r.deleteVersion)
	m.HandleFunc("POST /subjects/{subject}", r.lookup)
	m.HandleFunc("DELETE /subjects/{subject}", r.deleteSubject)
	m.HandleFunc("GET /schemas", r.listSchemas)
	m.HandleFunc("GET /schemas/ids/{id}", r.schemaByID)
	m.HandleFunc("GET /schemas/ids/{id}/schema", r.schemaTextByID)
	m.HandleFunc("GET /schemas/ids/{id}/subjects", r.subjectsByID)
	m.HandleFunc("GET /schemas/ids/{id}/versions", r.versionsByID)
	m.HandleFunc("GET /schemas/guids/{guid}", r.schemaByGUID)
	m.HandleFunc("GET /schemas/guids/{guid}/ids", r.idsByGUID)
	m.HandleFunc("GET /schemas/types", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, []string{"JSON", "PROTOBUF", "AVRO"})
	})
	m.HandleFunc("POST /compatibility/subjects/{subject}/versions/{version}", r.compatibility)
	m.HandleFunc("POST /compatibility/subjects/{subject}/versions", r.compatibility)
	for _, p := range []string{"/config", "/config/{subject}"} {
		m.HandleFunc("GET "+p, r.getConfig)
		m.HandleFunc("PUT "+p, r.putConfig)
		m.HandleFunc("DELETE "+p, r.deleteConfig)
	}
	for _, p := range []string{"/mode", "/mode/{subject}"} {
		m.HandleFunc("GET "+p, r.getMode)
		m.HandleFunc("PUT "+p, r.putMode)
		m.HandleFunc("DELETE "+p, r.deleteMode)
	}
	m.HandleFunc("GET /contexts", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, []string{"."}) })
	r.mux = m
}

// ServeHTTP serves the Confluent REST API. Unknown paths get the registry's
// JSON 404 (code 404), as Confluent's registry answers them.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if _, pattern := r.mux.Handler(req); pattern == "" {
		status := http.StatusNotFound
		if methodNotAllowed(r.mux, req) {
			status = http.StatusMethodNotAllowed
		}
		writeError(w, &apiError{code: status, msg: "HTTP " + strconv.Itoa(status) + " " + http.StatusText(status)})
		return
	}
	r.mux.ServeHTTP(w, req)
}

func methodNotAllowed(m *http.ServeMux, req *http.Request) bool {
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		if method == req.Method {
			continue
		}
		probe := req.Clone(req.Context())
		probe.Method = method
		if _, p := m.Handler(probe); p != "" {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	_ = json.NewEncoder(w).Encode(v) // the client has gone if this fails
}

func writeError(w http.ResponseWriter, e *apiError) {
	status := e.code
	if status >= 10000 {
		status /= 100
	}
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error_code": e.code, "message": e.msg})
}

func flag(req *http.Request, name string) bool {
	v, _ := strconv.ParseBool(req.URL.Query().Get(name))
	return v
}

// page applies the offset and limit query parameters Confluent's list
// endpoints take: a negative offset is 0, a limit of 0 or less is no limit.
func page[T any](req *http.Request, items []T) []T {
	q := req.URL.Query()
	if off, _ := strconv.Atoi(q.Get("offset")); off > 0 {
		items = items[min(off, len(items)):]
	}
	if lim, _ := strconv.Atoi(q.Get("limit")); lim > 0 && lim < len(items) {
		items = items[:lim]
	}
	return items
}

// deletedFilter reads the deleted and deletedOnly parameters: whether a
// version in the given state is listed.
func deletedFilter(req *http.Request) func(deleted bool) bool {
	switch {
	case flag(req, "deletedOnly"):
		return func(d bool) bool { return d }
	case flag(req, "deleted"):
		return func(bool) bool { return true }
	}
	return func(d bool) bool { return !d }
}

// readSchema decodes a request body holding a schema (and, in IMPORT mode,
// an id).
func readSchema(w http.ResponseWriter, req *http.Request) (registry.Schema, *apiError) {
	var body struct {
		Type       registry.SchemaType  `json:"schemaType"`
		Text       *string              `json:"schema"`
		References []registry.Reference `json:"references"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxBody))
	if err := dec.Decode(&body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return registry.Schema{}, errorf(registry.CodeInvalidSchema, "Invalid schema: request body larger than %d bytes", maxBody)
		}
		return registry.Schema{}, errorf(http.StatusBadRequest, "Unrecognized request body: %v", err)
	}
	if body.Text == nil {
		return registry.Schema{}, errorf(registry.CodeInvalidSchema, "Invalid schema: empty schema")
	}
	return registry.Schema{Type: body.Type, Text: *body.Text, References: body.References}, nil
}

// schemaBody is a schema as responses carry it: Avro's type omitted.
type schemaBody struct {
	Subject    string               `json:"subject,omitempty"`
	Version    int                  `json:"version,omitempty"`
	ID         int                  `json:"id,omitempty"`
	GUID       string               `json:"guid,omitempty"`
	Type       registry.SchemaType  `json:"schemaType,omitempty"`
	Text       string               `json:"schema"`
	References []registry.Reference `json:"references,omitempty"`
}

// bodyOf is st as responses carry it, its text in the form req's format
// parameter asks (nil req: the stored text).
func bodyOf(st *stored, req *http.Request) (schemaBody, *apiError) {
	text := st.schema.Text
	if req != nil {
		var err *apiError
		if text, err = formatted(st, req.URL.Query().Get("format")); err != nil {
			return schemaBody{}, err
		}
	}
	b := schemaBody{GUID: st.guid, Type: st.schema.Type, Text: text, References: st.schema.References}
	if b.Type == registry.TypeAvro {
		b.Type = ""
	}
	return b, nil
}

func (r *Registry) listSubjects(w http.ResponseWriter, req *http.Request) {
	prefix, keep := req.URL.Query().Get("subjectPrefix"), deletedFilter(req)
	r.mu.RLock()
	out := []string{}
	for name, s := range r.subjects {
		if strings.HasPrefix(name, prefix) && slices.ContainsFunc(s.versions, func(v *version) bool { return keep(v.deleted) }) {
			out = append(out, name)
		}
	}
	r.mu.RUnlock()
	sort.Strings(out)
	writeJSON(w, page(req, out))
}

func (r *Registry) listVersions(w http.ResponseWriter, req *http.Request) {
	keep := deletedFilter(req)
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, err := r.subjectLocked(req.PathValue("subject"), flag(req, "deleted") || flag(req, "deletedOnly"))
	if err != nil {
		writeError(w, err)
		return
	}
	out := []int{}
	for _, v := range s.versions {
		if keep(v.deleted) {
			out = append(out, v.num)
		}
	}
	writeJSON(w, page(req, out))
}

func (r *Registry) postVersion(w http.ResponseWriter, req *http.Request) {
	s, err := readSchema(w, req)
	if err != nil {
		writeError(w, err)
		return
	}
	id, err := r.register(req.PathValue("subject"), s)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, map[string]int{"id": id})
}

func (r *Registry) getVersion(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("subject")
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, v, err := r.versionLocked(name, req.PathValue("version"), flag(req, "deleted"))
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := bodyOf(v.s, req)
	if err != nil {
		writeError(w, err)
		return
	}
	b.Subject, b.Version, b.ID = name, v.num, v.s.id
	writeJSON(w, b)
}

func (r *Registry) getVersionText(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, v, err := r.versionLocked(req.PathValue("subject"), req.PathValue("version"), flag(req, "deleted"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeText(w, v.s, req)
}

// writeText answers with the schema text alone (the .../schema endpoints),
// in the form the format parameter asks.
func writeText(w http.ResponseWriter, st *stored, req *http.Request) {
	text, err := formatted(st, req.URL.Query().Get("format"))
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	_, _ = io.WriteString(w, text) //nolint:gosec // G705: a registered schema, sent with the registry content type as Confluent does
}

func (r *Registry) referencedBy(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("subject")
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, v, err := r.versionLocked(name, req.PathValue("version"), true)
	if err != nil {
		writeError(w, err)
		return
	}
	ids := r.referencedLocked(name, v.num, flag(req, "deleted"), "")
	if ids == nil {
		ids = []int{}
	}
	writeJSON(w, page(req, ids))
}

// lookup finds a schema among a subject's versions. The schema is checked
// first (42201), then the subject (40401), as Confluent's registry does.
func (r *Registry) lookup(w http.ResponseWriter, req *http.Request) {
	s, aerr := readSchema(w, req)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	name, deleted := req.PathValue("subject"), flag(req, "deleted")
	r.mu.RLock()
	defer r.mu.RUnlock()
	st, aerr := r.prepareLocked(s)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	sub, aerr := r.subjectLocked(name, deleted)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	key := schemaKey(st.schema)
	for i := len(sub.versions) - 1; i >= 0; i-- {
		v := sub.versions[i]
		if (deleted || !v.deleted) && schemaKey(v.s.schema) == key {
			b, aerr := bodyOf(v.s, req)
			if aerr != nil {
				writeError(w, aerr)
				return
			}
			b.Subject, b.Version, b.ID = name, v.num, v.s.id
			writeJSON(w, b)
			return
		}
	}
	writeError(w, errorf(registry.CodeSchemaNotFound, "Schema not found"))
}

// readOnlyLocked refuses writes to a subject in a read-only mode (42205).
func (r *Registry) readOnlyLocked(name string) *apiError {
	if m := r.modeLocked(r.subjects[name]); m == registry.ModeReadOnly || m == registry.ModeReadOnlyOverride {
		return errorf(registry.CodeOperationNotPermitted, "Subject %s is in read-only mode", name)
	}
	return nil
}

// deleteSubject soft-deletes a subject's live versions, or permanently
// deletes all of them (with its config and mode) once they are all
// soft-deleted. A version referenced from another subject stops both.
func (r *Registry) deleteSubject(w http.ResponseWriter, req *http.Request) {
	name, permanent := req.PathValue("subject"), flag(req, "permanent")
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.subjectLocked(name, true)
	if err != nil {
		writeError(w, err)
		return
	}
	live := s.live()
	switch {
	case !permanent && !live:
		writeError(w, errorf(registry.CodeSubjectSoftDeleted, "Subject '%s' was soft deleted. Set permanent=true to delete permanently", name))
		return
	case permanent && live:
		writeError(w, errorf(registry.CodeSubjectNotSoftDeleted, "Subject '%s' was not deleted first before being permanently deleted", name))
		return
	}
	if err := r.readOnlyLocked(name); err != nil {
		writeError(w, err)
		return
	}
	nums := []int{}
	for _, v := range s.versions {
		if !permanent && v.deleted {
			continue
		}
		if ids := r.referencedLocked(name, v.num, permanent, name); len(ids) > 0 {
			writeError(w, errorf(registry.CodeReferenceExists, "One or more references exist to the schema {subject=%s,version=%d}", name, v.num))
			return
		}
		nums = append(nums, v.num)
	}
	if permanent {
		delete(r.subjects, name)
		for _, v := range s.versions {
			r.forgetLocked(v.s)
		}
	} else {
		for _, v := range s.versions {
			v.deleted = true
		}
	}
	writeJSON(w, nums)
}

func (r *Registry) deleteVersion(w http.ResponseWriter, req *http.Request) {
	name, permanent := req.PathValue("subject"), flag(req, "permanent")
	r.mu.Lock()
	defer r.mu.Unlock()
	s, v, err := r.versionLocked(name, req.PathValue("version"), true)
	if err != nil {
		writeError(w, err)
		return
	}
	switch {
	case !permanent && v.deleted:
		writeError(w, errorf(registry.CodeVersionSoftDeleted, "Subject '%s' Version %d was soft deleted. Set permanent=true to delete permanently", name, v.num))
		return
	case permanent && !v.deleted:
		writeError(w, errorf(registry.CodeVersionNotSoftDeleted, "Subject '%s' Version %d was not deleted first before being permanently deleted", name, v.num))
		return
	}
	if err := r.readOnlyLocked(name); err != nil {
		writeError(w, err)
		return
	}
	if ids := r.referencedLocked(name, v.num, permanent, ""); len(ids) > 0 {
		writeError(w, errorf(registry.CodeReferenceExists, "One or more references exist to the schema {subject=%s,version=%d}", name, v.num))
		return
	}
	if permanent {
		s.versions = slices.DeleteFunc(s.versions, func(x *version) bool { return x == v })
		if len(s.versions) == 0 {
			delete(r.subjects, name) // its config and mode go too
		}
		r.forgetLocked(v.s)
	} else {
		v.deleted = true
	}
	writeJSON(w, v.num)
}
