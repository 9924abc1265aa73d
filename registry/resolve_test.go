package registry_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/registry"
)

// graphServer serves schema 1 and subject versions from a fixed reference
// graph: subject → the references its version 1 holds.
func graphServer(t *testing.T, graph map[string][]string, root []string) string {
	refs := func(names []string) []registry.Reference {
		out := []registry.Reference{}
		for _, n := range names {
			out = append(out, registry.Reference{Name: n + ".avsc", Subject: n, Version: 1})
		}
		return out
	}
	s, _ := stubServer(t, func(_ int64, w http.ResponseWriter, r *http.Request) {
		var body any
		switch {
		case r.URL.Path == "/schemas/ids/1":
			body = registry.Schema{Text: `"root"`, References: refs(root)}
		case strings.HasPrefix(r.URL.Path, "/subjects/"):
			sub := strings.Split(strings.TrimPrefix(r.URL.Path, "/subjects/"), "/")[0]
			body = registry.SubjectSchema{Subject: sub, Version: 1, ID: 100 + len(sub),
				Schema: registry.Schema{Text: `"` + sub + `"`, References: refs(graph[sub])}}
		default:
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(body)
	})
	return s.URL
}

func TestResolveDiamondDependenciesFirst(t *testing.T) {
	// root → b, c; b → d; c → d, e; d → e.
	url := graphServer(t, map[string][]string{"b": {"d"}, "c": {"d", "e"}, "d": {"e"}}, []string{"b", "c"})
	rs, err := newClient(t, url).Resolve(ctxT(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, d := range rs.Deps {
		order = append(order, d.Schema.Text)
	}
	if want := []string{`"e"`, `"d"`, `"b"`, `"c"`}; !slices.Equal(order, want) {
		t.Fatalf("deps %v, want %v (each once, dependencies first)", order, want)
	}
}

func TestResolveDetectsCycles(t *testing.T) {
	url := graphServer(t, map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}, []string{"a"})
	_, err := newClient(t, url).Resolve(ctxT(t), 1)
	if !errors.Is(err, registry.ErrReferenceCycle) {
		t.Fatalf("error %v, want ErrReferenceCycle", err)
	}
	if !strings.Contains(err.Error(), "a@1 -> b@1 -> c@1 -> a@1") {
		t.Fatalf("error %q does not show the cycle", err)
	}
	if errors.Is(err, registry.ErrNotFound) {
		t.Fatal("a cycle is not a missing schema")
	}
	self := graphServer(t, map[string][]string{"a": {"a"}}, []string{"a"})
	if _, err := newClient(t, self).Resolve(ctxT(t), 1); !errors.Is(err, registry.ErrReferenceCycle) {
		t.Fatalf("self reference: %v", err)
	}
}

func TestResolveMissingReferenceIsNotFound(t *testing.T) {
	s, _ := stubServer(t, func(_ int64, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/schemas/ids/1" {
			_, _ = w.Write([]byte(`{"schema":"\"x\"","references":[{"name":"gone","subject":"gone","version":3}]}`))
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":40402,"message":"Version 3 not found."}`))
	})
	_, err := newClient(t, s.URL).Resolve(ctxT(t), 1)
	if !errors.Is(err, registry.ErrNotFound) || !strings.Contains(err.Error(), "resolving references of schema 1") {
		t.Fatalf("error %v, want ErrNotFound naming the schema", err)
	}
}
