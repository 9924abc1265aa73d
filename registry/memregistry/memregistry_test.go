package memregistry_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/memregistry"
)

func do(t testing.TB, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// TestConcurrentRegistration: many clients registering the same and
// different schemas at once get consistent ids (run with -race).
func TestConcurrentRegistration(t *testing.T) {
	srv := httptest.NewServer(memregistry.New(memregistry.DefaultCompatibility(registry.CompatNone)))
	defer srv.Close()
	var wg sync.WaitGroup
	ids := make([][]int, 8)
	for g := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := registry.NewClient(srv.URL)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range 20 {
				s := registry.Schema{Text: fmt.Sprintf(`{"type":"record","name":"R%d","fields":[]}`, i)}
				id, err := c.Register(context.Background(), fmt.Sprintf("subject-%d", i%4), s)
				if err != nil {
					t.Error(err)
					return
				}
				ids[g] = append(ids[g], id)
			}
		}()
	}
	wg.Wait()
	for g := 1; g < len(ids); g++ {
		for i := range ids[g] {
			if ids[g][i] != ids[0][i] {
				t.Fatalf("goroutine %d got id %d for schema %d, goroutine 0 got %d", g, ids[g][i], i, ids[0][i])
			}
		}
	}
}

// FuzzServer sends arbitrary bodies to the endpoints that parse schemas:
// every answer is a success or a JSON error with a code; nothing panics.
func FuzzServer(f *testing.F) {
	f.Add("AVRO", `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`, `[]`)
	f.Add("PROTOBUF", "syntax = \"proto3\";\nmessage M { int32 a = 1; }\n", `[{"name":"x.proto","subject":"s","version":1}]`)
	f.Add("JSON", `{"type":"object","properties":{"a":{"$ref":"#"}}}`, `null`)
	f.Add("", `"string"`, `[{"name":"","subject":"","version":-1}]`)
	f.Add("XML", `<a/>`, `{`)
	f.Fuzz(func(t *testing.T, typ, text, refs string) {
		r := memregistry.New()
		do(t, r, "POST", "/subjects/s/versions", `{"schema":"\"string\""}`)
		body, err := json.Marshal(map[string]any{"schemaType": typ, "schema": text, "references": json.RawMessage(refs)})
		if err != nil {
			body = []byte(`{"schemaType":` + fmt.Sprintf("%q", typ) + `,"schema":` + fmt.Sprintf("%q", text) + `}`)
		}
		for _, path := range []string{"/subjects/s/versions", "/subjects/t/versions", "/subjects/s", "/compatibility/subjects/s/versions/latest?verbose=true"} {
			status, out := do(t, r, "POST", path, string(body))
			if status == 200 {
				continue
			}
			if _, ok := out["error_code"]; !ok {
				t.Fatalf("%s: status %d without a registry error: %v", path, status, out)
			}
		}
	})
}

func Example() {
	srv := httptest.NewServer(memregistry.New())
	defer srv.Close()
	c, err := registry.NewClient(srv.URL)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	v1 := registry.Schema{Text: `{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}`}
	v2 := registry.Schema{Text: `{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}`}
	id, _ := c.Register(ctx, "users-value", v1)
	fmt.Println("v1 id:", id)
	_, err = c.Register(ctx, "users-value", v2) // BACKWARD by default: email needs a default
	fmt.Println("v2 rejected as incompatible:", errors.Is(err, registry.ErrIncompatible))
	// Output:
	// v1 id: 1
	// v2 rejected as incompatible: true
}
