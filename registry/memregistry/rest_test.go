package memregistry_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/registry/memregistry"
)

// The REST surface against Confluent's registry, one table per endpoint:
// each row is a request and the HTTP status and error_code Confluent's
// registry answers it with (code 0: success; want, when set, is a string
// the body must contain). Where Confluent's API reference and its server
// differ, the rows follow the server (noted in the row's comment).

type call struct {
	method, path, body string
	status, code       int
	want               string
}

const (
	avroV1 = `{"schema":"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"}]}"}`
	avroV2 = `{"schema":"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"},{\"name\":\"b\",\"type\":\"long\",\"default\":0}]}"}`
	avroNo = `{"schema":"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"},{\"name\":\"c\",\"type\":\"long\"}]}"}`
	strS   = `{"schema":"\"string\""}`
	badS   = `{"schema":"{\"type\":\"record\"}"}`
)

// run sends setup (each must succeed) and then the rows to one registry.
func run(t *testing.T, setup []string, calls []call) {
	t.Helper()
	r := memregistry.New()
	for _, s := range setup {
		method, rest, _ := strings.Cut(s, " ")
		path, reqBody, _ := strings.Cut(rest, " ")
		if status, out := raw(r, method, path, reqBody); status != 200 {
			t.Fatalf("setup %s: %d %s", s, status, out)
		}
	}
	for _, c := range calls {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		got := rec.Body.String()
		code := 0
		if rec.Code != 200 {
			_, out := do(t, r, c.method, c.path, c.body)
			if f, ok := out["error_code"].(float64); ok {
				code = int(f)
			}
		}
		if rec.Code != c.status || code != c.code || !strings.Contains(got, c.want) {
			t.Errorf("%s %s: %d %s, want %d/%d %q", c.method, c.path, rec.Code, strings.TrimSpace(got), c.status, c.code, c.want)
		}
	}
}

func TestRESTRoot(t *testing.T) {
	run(t, nil, []call{
		{"GET", "/", "", 200, 0, "{}"},
		{"GET", "/nope", "", 404, 404, "HTTP 404 Not Found"},
		{"PATCH", "/subjects", "", 405, 405, ""},
		{"GET", "/schemas/types", "", 200, 0, `"PROTOBUF"`},
		{"GET", "/contexts", "", 200, 0, `["."]`},
	})
}

func TestRESTRegister(t *testing.T) {
	run(t, []string{"PUT /mode/ro {\"mode\":\"READONLY\"}"}, []call{
		{"POST", "/subjects/s/versions", avroV1, 200, 0, `{"id":1}`},
		{"POST", "/subjects/s/versions", avroV1, 200, 0, `{"id":1}`},
		{"POST", "/subjects/t/versions", avroV1, 200, 0, `{"id":1}`}, // same schema, same id
		{"POST", "/subjects/s/versions", avroV2, 200, 0, `{"id":2}`},
		{"POST", "/subjects/s/versions", avroNo, 409, 40901, "incompatible"},
		{"POST", "/subjects/s/versions", `{"schema":`, 400, 400, ""},
		{"POST", "/subjects/s/versions", `{}`, 422, 42201, ""},
		{"POST", "/subjects/s/versions", `{"schema":"\"string\"","schemaType":"XML"}`, 422, 42201, ""},
		{"POST", "/subjects/u/versions", badS, 422, 42201, ""},
		{"POST", "/subjects/u/versions", `{"schemaType":"PROTOBUF","schema":"message {"}`, 422, 42201, ""},
		{"POST", "/subjects/u/versions", `{"schema":"\"string\"","references":[{"name":"x","subject":"none","version":1}]}`, 422, 42201, ""},
		{"POST", "/subjects/ro/versions", strS, 422, 42205, "read-only"},
	})
}

func TestRESTLookup(t *testing.T) {
	run(t, []string{"POST /subjects/s/versions " + avroV1, "POST /subjects/d/versions " + strS, "DELETE /subjects/d/versions/1"}, []call{
		{"POST", "/subjects/s", avroV1, 200, 0, `"version":1`},
		{"POST", "/subjects/s", avroV2, 404, 40403, ""},
		{"POST", "/subjects/none", avroV1, 404, 40401, ""},
		{"POST", "/subjects/none", badS, 422, 42201, ""}, // the schema is checked first
		{"POST", "/subjects/d", strS, 404, 40401, ""},
		{"POST", "/subjects/d?deleted=true", strS, 200, 0, `"version":1`},
	})
}

func TestRESTGetVersion(t *testing.T) {
	run(t, []string{"POST /subjects/s/versions " + avroV1, "POST /subjects/s/versions " + avroV2, "DELETE /subjects/s/versions/2"}, []call{
		{"GET", "/subjects/s/versions/1", "", 200, 0, `"version":1`},
		{"GET", "/subjects/s/versions/latest", "", 200, 0, `"version":1`},
		{"GET", "/subjects/s/versions/LATEST", "", 200, 0, `"version":1`},
		{"GET", "/subjects/s/versions/-1", "", 200, 0, `"version":1`},
		{"GET", "/subjects/s/versions/latest?deleted=true", "", 200, 0, `"version":2`},
		{"GET", "/subjects/s/versions/2", "", 404, 40402, ""},
		{"GET", "/subjects/s/versions/2?deleted=true", "", 200, 0, `"version":2`},
		{"GET", "/subjects/s/versions/3", "", 404, 40402, ""},
		{"GET", "/subjects/s/versions/0", "", 422, 42202, ""},
		{"GET", "/subjects/s/versions/-2", "", 422, 42202, ""},
		{"GET", "/subjects/s/versions/2147483648", "", 422, 42202, ""},
		{"GET", "/subjects/s/versions/abc", "", 422, 42202, ""},
		{"GET", "/subjects/none/versions/abc", "", 422, 42202, ""}, // the version is checked first
		{"GET", "/subjects/none/versions/1", "", 404, 40401, ""},
		{"GET", "/subjects/s/versions/1/schema", "", 200, 0, `"name":"R"`},
		{"GET", "/subjects/none/versions/1/schema", "", 404, 40401, ""},
		{"GET", "/subjects/s/versions/x/schema", "", 422, 42202, ""},
		{"GET", "/subjects/s/versions/1/referencedby", "", 200, 0, "[]"},
		{"GET", "/subjects/none/versions/1/referencedby", "", 404, 40401, ""},
	})
}

func TestRESTListVersionsAndSubjects(t *testing.T) {
	setup := []string{"POST /subjects/a/versions " + avroV1, "POST /subjects/a/versions " + avroV2, "DELETE /subjects/a/versions/1",
		"POST /subjects/b/versions " + strS, "DELETE /subjects/b", "POST /subjects/c/versions " + strS}
	run(t, setup, []call{
		{"GET", "/subjects/a/versions", "", 200, 0, "[2]"},
		{"GET", "/subjects/a/versions?deleted=true", "", 200, 0, "[1,2]"},
		{"GET", "/subjects/a/versions?deletedOnly=true", "", 200, 0, "[1]"},
		{"GET", "/subjects/a/versions?deleted=true&offset=1", "", 200, 0, "[2]"},
		{"GET", "/subjects/a/versions?deleted=true&limit=1", "", 200, 0, "[1]"},
		{"GET", "/subjects/b/versions", "", 404, 40401, ""},
		{"GET", "/subjects/b/versions?deleted=true", "", 200, 0, "[1]"},
		{"GET", "/subjects/none/versions", "", 404, 40401, ""},
		{"GET", "/subjects", "", 200, 0, `["a","c"]`},
		{"GET", "/subjects?deleted=true", "", 200, 0, `["a","b","c"]`},
		{"GET", "/subjects?deletedOnly=true", "", 200, 0, `["a","b"]`},
		{"GET", "/subjects?subjectPrefix=c", "", 200, 0, `["c"]`},
		{"GET", "/subjects?offset=1&limit=1&deleted=true", "", 200, 0, `["b"]`},
		{"GET", "/subjects?offset=9", "", 200, 0, `[]`},
	})
}

func TestRESTSchemasByID(t *testing.T) {
	run(t, []string{"POST /subjects/s/versions " + strS, "POST /subjects/t/versions " + strS, "DELETE /subjects/t/versions/1"}, []call{
		{"GET", "/schemas/ids/1", "", 200, 0, `"schema":"\"string\""`},
		{"GET", "/schemas/ids/1/schema", "", 200, 0, `"string"`},
		{"GET", "/schemas/ids/2", "", 404, 40403, "Schema 2 not found"},
		{"GET", "/schemas/ids/0", "", 404, 40403, ""},
		{"GET", "/schemas/ids/-1", "", 404, 40403, ""},
		{"GET", "/schemas/ids/abc", "", 404, 404, "HTTP 404 Not Found"}, // not an int: no route
		{"GET", "/schemas/ids/99999999999", "", 404, 404, ""},
		{"GET", "/schemas/ids/abc/schema", "", 404, 404, ""},
		{"GET", "/schemas/ids/abc/subjects", "", 404, 404, ""},
		{"GET", "/schemas/ids/2/schema", "", 404, 40403, ""},
		{"GET", "/schemas/ids/1/subjects", "", 200, 0, `["s"]`},
		{"GET", "/schemas/ids/1/subjects?deleted=true", "", 200, 0, `["s","t"]`},
		{"GET", "/schemas/ids/1/subjects?deleted=true&subject=t", "", 200, 0, `["t"]`},
		{"GET", "/schemas/ids/1/subjects?deleted=true&offset=1", "", 200, 0, `["t"]`},
		{"GET", "/schemas/ids/2/subjects", "", 404, 40403, ""},
		{"GET", "/schemas/ids/1/versions", "", 200, 0, `[{"subject":"s","version":1}]`},
		{"GET", "/schemas/ids/1/versions?deleted=true&limit=1", "", 200, 0, `[{"subject":"s","version":1}]`},
		{"GET", "/schemas/ids/2/versions", "", 404, 40403, ""},
		{"GET", "/schemas/guids/nope", "", 404, 40403, ""},
	})
}

func TestRESTListSchemas(t *testing.T) {
	setup := []string{"POST /subjects/a/versions " + avroV1, "POST /subjects/a/versions " + avroV2, "POST /subjects/b/versions " + strS,
		"DELETE /subjects/b/versions/1", "POST /subjects/c/versions " + strS}
	run(t, setup, []call{
		{"GET", "/schemas", "", 200, 0, `"subject":"a","version":1,"id":1`},
		{"GET", "/schemas?latestOnly=true", "", 200, 0, `[{"subject":"a","version":2,"id":2`},
		{"GET", "/schemas?subjectPrefix=c", "", 200, 0, `[{"subject":"c","version":1,"id":3`},
		{"GET", "/schemas?subjectPrefix=b", "", 200, 0, `[]`},
		{"GET", "/schemas?subjectPrefix=b&deleted=true", "", 200, 0, `[{"subject":"b","version":1,"id":3`},
		{"GET", "/schemas?offset=1&limit=1", "", 200, 0, `[{"subject":"a","version":2,"id":2`},
		{"GET", "/schemas?offset=3", "", 200, 0, `[]`},
	})
}

func TestRESTDeletes(t *testing.T) {
	ref := `{"schema":"{\"type\":\"record\",\"name\":\"U\",\"fields\":[{\"name\":\"r\",\"type\":\"R\"}]}","references":[{"name":"R","subject":"base","version":1}]}`
	setup := []string{"POST /subjects/s/versions " + avroV1, "POST /subjects/s/versions " + avroV2,
		"POST /subjects/base/versions " + avroV1, "POST /subjects/user/versions " + ref,
		"POST /subjects/ro/versions " + strS, "PUT /mode/ro {\"mode\":\"READONLY\"}"}
	run(t, setup, []call{
		{"DELETE", "/subjects/s/versions/abc", "", 422, 42202, ""},
		{"DELETE", "/subjects/none/versions/1", "", 404, 40401, ""},
		{"DELETE", "/subjects/s/versions/3", "", 404, 40402, ""},
		{"DELETE", "/subjects/s/versions/1?permanent=true", "", 404, 40407, ""},
		{"DELETE", "/subjects/s/versions/1", "", 200, 0, "1"},
		{"DELETE", "/subjects/s/versions/1", "", 404, 40406, ""},
		{"DELETE", "/subjects/s/versions/1?permanent=true", "", 200, 0, "1"},
		{"DELETE", "/subjects/s/versions/1?permanent=true", "", 404, 40402, ""},
		{"DELETE", "/subjects/base/versions/1", "", 422, 42206, ""},
		{"DELETE", "/subjects/base", "", 422, 42206, ""},
		{"DELETE", "/subjects/ro/versions/1", "", 422, 42205, ""},
		{"DELETE", "/subjects/ro", "", 422, 42205, ""},
		{"DELETE", "/subjects/s?permanent=true", "", 404, 40405, ""},
		{"DELETE", "/subjects/s", "", 200, 0, "[2]"},
		{"DELETE", "/subjects/s", "", 404, 40404, ""},
		{"DELETE", "/subjects/s?permanent=true", "", 200, 0, "[2]"},
		{"DELETE", "/subjects/s", "", 404, 40401, ""},
		{"DELETE", "/subjects/none", "", 404, 40401, ""},
	})
}

// TestRESTFreshIDs: an id whose last version is permanently deleted is
// gone (40403) and never handed out again; a soft delete keeps it.
func TestRESTFreshIDs(t *testing.T) {
	run(t, []string{"POST /subjects/s/versions " + strS, "POST /subjects/t/versions " + strS, "DELETE /subjects/s", "DELETE /subjects/s?permanent=true"}, []call{
		{"GET", "/schemas/ids/1", "", 200, 0, ""}, // t still holds it
		{"POST", "/subjects/s/versions", strS, 200, 0, `{"id":1}`},
		{"DELETE", "/subjects/s", "", 200, 0, "[1]"},
		{"DELETE", "/subjects/s?permanent=true", "", 200, 0, "[1]"},
		{"DELETE", "/subjects/t/versions/1", "", 200, 0, "1"},
		{"GET", "/schemas/ids/1", "", 200, 0, ""}, // soft-deleted: still readable
		{"DELETE", "/subjects/t/versions/1?permanent=true", "", 200, 0, "1"},
		{"GET", "/schemas/ids/1", "", 404, 40403, ""},
		{"POST", "/subjects/s/versions", strS, 200, 0, `{"id":2}`},
		{"GET", "/schemas/ids/2", "", 200, 0, ""},
		{"GET", "/schemas/ids/1", "", 404, 40403, ""},
	})
}

func TestRESTCompatibility(t *testing.T) {
	run(t, []string{"POST /subjects/s/versions " + avroV1}, []call{
		{"POST", "/compatibility/subjects/s/versions/latest", avroV2, 200, 0, `{"is_compatible":true}`},
		{"POST", "/compatibility/subjects/s/versions/1", avroNo, 200, 0, `{"is_compatible":false}`},
		{"POST", "/compatibility/subjects/s/versions/1?verbose=true", avroNo, 200, 0, `"messages":["`},
		{"POST", "/compatibility/subjects/s/versions", avroV2, 200, 0, `{"is_compatible":true}`},
		{"POST", "/compatibility/subjects/s/versions/2", avroV2, 404, 40402, ""},
		{"POST", "/compatibility/subjects/s/versions/abc", avroV2, 422, 42202, ""},
		{"POST", "/compatibility/subjects/s/versions/latest", badS, 422, 42201, ""},
		{"POST", "/compatibility/subjects/s/versions/latest?verbose=true", badS, 200, 0, `"is_compatible":false,"messages":["Invalid schema`},
		// The API reference lists 40401, but the server finds nothing to be
		// incompatible with in a subject that does not exist.
		{"POST", "/compatibility/subjects/none/versions/latest", avroV1, 200, 0, `{"is_compatible":true}`},
		{"POST", "/compatibility/subjects/none/versions", avroV1, 200, 0, `{"is_compatible":true}`},
		{"POST", "/compatibility/subjects/none/versions/1", avroV1, 404, 40402, ""},
	})
}

func TestRESTConfigAndMode(t *testing.T) {
	run(t, []string{"POST /subjects/s/versions " + strS}, []call{
		{"GET", "/config", "", 200, 0, `{"compatibilityLevel":"BACKWARD"}`},
		{"GET", "/config/s", "", 404, 40408, ""},
		{"GET", "/config/s?defaultToGlobal=true", "", 200, 0, `"BACKWARD"`},
		{"DELETE", "/config/s", "", 404, 40401, ""}, // not 40408
		{"PUT", "/config/s", `{"compatibility":"SOMETIMES"}`, 422, 42203, ""},
		{"PUT", "/config/s", `{"compatibility":"FULL"}`, 200, 0, `{"compatibility":"FULL"}`},
		{"GET", "/config/s", "", 200, 0, `"FULL"`},
		{"DELETE", "/config/s", "", 200, 0, `"FULL"`},
		{"PUT", "/config", `{"compatibility":"NONE"}`, 200, 0, `"NONE"`},
		{"DELETE", "/config", "", 200, 0, `"NONE"`},
		{"GET", "/config", "", 200, 0, `"BACKWARD"`},
		{"GET", "/mode", "", 200, 0, `{"mode":"READWRITE"}`},
		{"GET", "/mode/s", "", 404, 40409, ""},
		{"GET", "/mode/s?defaultToGlobal=true", "", 200, 0, `"READWRITE"`},
		{"DELETE", "/mode/s", "", 404, 40401, ""}, // not 40409
		{"PUT", "/mode", `{"mode":"WRITEONLY"}`, 422, 42204, ""},
		{"PUT", "/mode", `{"mode":"IMPORT"}`, 422, 42205, ""},
		{"PUT", "/mode/s", `{"mode":"READONLY"}`, 200, 0, `"READONLY"`},
		{"DELETE", "/mode/s", "", 200, 0, `"READONLY"`},
	})
}
