package registry_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/registry"
)

// stubServer answers every request with handler and counts requests.
func stubServer(t *testing.T, handler func(n int64, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(n.Add(1), w, r)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

// registryStub is stubServer in front of a live registry: GET /schemas/types
// (what Client asks to tell a wrong base URL from an unknown id) answers, and
// is not counted.
func registryStub(t *testing.T, handler func(n int64, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/schemas/types" {
			fmt.Fprint(w, `["AVRO","JSON","PROTOBUF"]`)
			return
		}
		handler(n.Add(1), w, r)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func schemaBody(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	fmt.Fprint(w, `{"schema":"\"string\""}`)
}

// TestFiveHundredStorm: a registry answering 500 to everything gets the
// configured number of retries, then a clear error; nothing panics, and the
// error is neither "not found" nor missing its code.
func TestFiveHundredStorm(t *testing.T) {
	s, n := stubServer(t, func(_ int64, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error_code":50001,"message":"Error in the backend data store"}`)
	})
	c := newClient(t, s.URL, registry.Retries(4))
	_, err := c.Resolve(ctxT(t), 1)
	if err == nil {
		t.Fatal("no error from a 500 storm")
	}
	if got := n.Load(); got != 5 {
		t.Fatalf("%d requests, want 5 (1 + 4 retries)", got)
	}
	var re *registry.Error
	if !errors.As(err, &re) || re.Status != 500 || re.Code != registry.CodeStoreError {
		t.Fatalf("error %v: want *registry.Error 500/50001", err)
	}
	if errors.Is(err, registry.ErrNotFound) {
		t.Fatal("500 storm reported as not found")
	}
	for _, want := range []string{"giving up after 5 attempts", "GET /schemas/ids/1", "50001", "backend data store"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRetryRecovers(t *testing.T) {
	s, n := stubServer(t, func(n int64, w http.ResponseWriter, _ *http.Request) {
		if n <= 2 {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>bad gateway</html>")
			return
		}
		schemaBody(w)
	})
	c := newClient(t, s.URL)
	rs, err := c.Resolve(ctxT(t), 7)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Text != `"string"` || rs.Type != registry.TypeAvro || n.Load() != 3 {
		t.Fatalf("got %+v after %d requests", rs, n.Load())
	}
}

// TestClientErrorsNotRetried: 4xx answers are final.
func TestClientErrorsNotRetried(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		is     error
		code   int
	}{
		{404, `{"error_code":40403,"message":"Schema 9 not found"}`, registry.ErrNotFound, 40403},
		{404, `{"error_code":40401,"message":"Subject not found"}`, registry.ErrNotFound, 40401},
		{404, `{"error_code":40402,"message":"Version not found"}`, registry.ErrNotFound, 40402},
		{409, `{"error_code":409,"message":"incompatible"}`, registry.ErrIncompatible, 409},
		{409, `{"error_code":40901,"message":"incompatible"}`, registry.ErrIncompatible, 40901},
		{422, `{"error_code":42201,"message":"Invalid schema"}`, registry.ErrInvalidSchema, 42201},
		{422, `{"error_code":"42206","message":"referenced"}`, registry.ErrReferenced, 42206},
		{404, `{"error_code":40404,"message":"soft deleted"}`, registry.ErrSoftDeleted, 40404},
		{409, `{"error_code":40406,"message":"already soft deleted"}`, registry.ErrSoftDeleted, 40406},
		{422, `{"error_code":42205,"message":"read-only"}`, registry.ErrNotPermitted, 42205},
		{404, `{"error_code":0,"message":"RESTEASY003210: Could not find resource"}`, registry.ErrUnsupported, 0},
		{404, `{"error_code":404,"message":"HTTP 404 Not Found"}`, registry.ErrUnsupported, 404},
		{405, `Method Not Allowed`, registry.ErrUnsupported, 0},
		{404, `<html><body>nginx</body></html>`, registry.ErrUnsupported, 0},
		{401, `{"error_code":401,"message":"Unauthorized"}`, nil, 401},
		{400, `Not able to deserialize data provided.`, nil, 0},
	} {
		t.Run(fmt.Sprintf("%d-%d", tc.status, tc.code), func(t *testing.T) {
			s, n := registryStub(t, func(_ int64, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			c := newClient(t, s.URL, registry.Retries(5))
			_, err := c.SchemaByID(ctxT(t), 9)
			var re *registry.Error
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a *registry.Error", err)
			}
			if re.Status != tc.status || re.Code != tc.code {
				t.Fatalf("status/code = %d/%d, want %d/%d", re.Status, re.Code, tc.status, tc.code)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("errors.Is(%v, %v) = false", err, tc.is)
			}
			if !errors.Is(tc.is, registry.ErrNotFound) && errors.Is(err, registry.ErrNotFound) {
				t.Fatalf("%v wrongly matches ErrNotFound", err)
			}
			if n.Load() != 1 {
				t.Fatalf("%d requests: 4xx must not be retried", n.Load())
			}
			if !strings.HasPrefix(err.Error(), "registry: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestAttemptTimeoutRetried: an attempt that outlives RequestTimeout is
// retried; the caller's own deadline ends the call without more attempts.
func TestAttemptTimeoutRetried(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s, n := stubServer(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		schemaBody(w)
	})
	c := newClient(t, s.URL, registry.RequestTimeout(50*time.Millisecond))
	if _, err := c.SchemaByID(ctxT(t), 1); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Fatalf("%d requests, want 2 (a timed-out attempt and a retry)", n.Load())
	}

	hang, hn := stubServer(t, func(_ int64, _ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	c = newClient(t, hang.URL, registry.RequestTimeout(0), registry.Retries(10))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.SchemaByID(ctx, 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the caller's deadline", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the caller's deadline did not stop the call")
	}
	if hn.Load() != 1 {
		t.Fatalf("%d requests after the caller's deadline, want 1", hn.Load())
	}
}

// TestUnreachableRegistry: connection errors are retried, then reported
// clearly; not as "not found".
func TestUnreachableRegistry(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newClient(t, "http://"+addr, registry.Retries(2))
	_, err = c.Resolve(ctxT(t), 1)
	if err == nil {
		t.Fatal("resolved against a closed port")
	}
	if errors.Is(err, registry.ErrNotFound) {
		t.Fatal("unreachable registry reported as not found")
	}
	for _, want := range []string{"giving up after 3 attempts", "connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestMalformedResponses: 2xx bodies that are not what the endpoint returns
// give clear errors.
func TestMalformedResponses(t *testing.T) {
	for _, body := range []string{`not json`, `{"schema": 12}`, `[1,2]`} {
		s, _ := stubServer(t, func(_ int64, w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, body) })
		_, err := newClient(t, s.URL).SchemaByID(ctxT(t), 1)
		if err == nil || !strings.Contains(err.Error(), "decoding response") {
			t.Errorf("body %q: error %v, want a decoding error", body, err)
		}
	}
	s, _ := stubServer(t, func(_ int64, w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"schema":"`+strings.Repeat("x", 4096)+`"}`)
	})
	_, err := newClient(t, s.URL, registry.MaxResponseSize(1024)).SchemaByID(ctxT(t), 1)
	if err == nil || !strings.Contains(err.Error(), "larger than 1024 bytes") {
		t.Errorf("oversized response: %v", err)
	}
	s, _ = stubServer(t, func(_ int64, w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"id":0}`) })
	if _, err := newClient(t, s.URL).Register(ctxT(t), "s", avroRecord("R")); err == nil {
		t.Error("register accepted a response without an id")
	}
}

func TestNewClientRejectsBadOptions(t *testing.T) {
	for name, tc := range map[string]struct {
		url  string
		opts []registry.Option
	}{
		"scheme":          {url: "ftp://host"},
		"no host":         {url: "http://"},
		"negative":        {url: "http://h", opts: []registry.Option{registry.Retries(-1)}},
		"backoff":         {url: "http://h", opts: []registry.Option{registry.Backoff(time.Second, time.Millisecond)}},
		"cache":           {url: "http://h", opts: []registry.Option{registry.IDCacheSize(0)}},
		"two auths":       {url: "http://h", opts: []registry.Option{registry.BasicAuth("u", "p"), registry.BearerToken("t")}},
		"client plus TLS": {url: "http://h", opts: []registry.Option{registry.HTTPClient(http.DefaultClient), registry.CACertPEM([]byte("x"))}},
		"bad CA":          {url: "https://h", opts: []registry.Option{registry.CACertPEM([]byte("not a pem"))}},
		"missing files":   {url: "https://h", opts: []registry.Option{registry.TLSFiles("/nonexistent/ca.pem", "", "")}},
	} {
		if _, err := registry.NewClient(tc.url, tc.opts...); err == nil {
			t.Errorf("%s: NewClient accepted it", name)
		} else if !strings.HasPrefix(err.Error(), "registry: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
}

// TestIsNotFoundAnd429: every 404 answer to a lookup by id is "not found",
// whatever its body; 429 is retried like a 5xx, and neither they nor an
// unreachable registry are "not found".
func TestIsNotFoundAnd429(t *testing.T) {
	for _, tc := range []struct {
		status   int
		body     string
		notFound bool
		attempts int64
	}{
		{404, ``, true, 1},
		{404, `<html><body>nginx</body></html>`, true, 1},
		{404, `{"error_code":40403,"message":"Schema 9 not found"}`, true, 1},
		{404, `{"error_code":404,"message":"HTTP 404 Not Found"}`, true, 1},
		{404, `{"error_code":40499,"message":"a code nobody knows"}`, true, 1},
		{500, `{"error_code":50001,"message":"store"}`, false, 3},
		{503, ``, false, 3},
		{429, `{"error_code":429,"message":"Too Many Requests"}`, false, 3},
		{400, `{"error_code":400,"message":"bad"}`, false, 1},
	} {
		t.Run(fmt.Sprintf("%d-%q", tc.status, tc.body), func(t *testing.T) {
			s, lookups := registryStub(t, func(_ int64, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			c := newClient(t, s.URL, registry.Retries(2))
			_, err := c.Resolve(ctxT(t), 9)
			if err == nil {
				t.Fatal("no error")
			}
			if got := registry.IsNotFound(err); got != tc.notFound {
				t.Fatalf("IsNotFound(%v) = %v, want %v", err, got, tc.notFound)
			}
			if lookups.Load() != tc.attempts {
				t.Fatalf("%d requests, want %d", lookups.Load(), tc.attempts)
			}
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	_, err = newClient(t, "http://"+addr, registry.Retries(0)).Resolve(ctxT(t), 9)
	if err == nil || registry.IsNotFound(err) {
		t.Fatalf("connection refused: IsNotFound(%v) is true", err)
	}
	if registry.IsNotFound(nil) || registry.IsNotFound(errors.New("404")) {
		t.Fatal("IsNotFound matches errors that are not registry answers")
	}
}

// TestWrongBaseURLIsNotNotFound: a base URL that answers 404 to everything
// (the path lacks /apis/ccompat/v7, say) is not a registry saying every id is
// unknown: lookups fail with ErrNoAPI, which IsNotFound rejects, so records
// wait instead of being dead-lettered. Once the URL has answered like a
// registry, a bare 404 is the id's, without probing again.
func TestWrongBaseURLIsNotNotFound(t *testing.T) {
	var registryUp atomic.Bool
	var probes atomic.Int64
	s, _ := stubServer(t, func(_ int64, w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/schemas/types" || r.URL.Path == "/subjects":
			probes.Add(1)
			if registryUp.Load() {
				fmt.Fprint(w, `[]`)
				return
			}
		case r.URL.Path == "/schemas/ids/1" && registryUp.Load():
			schemaBody(w)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<html>Not Found</html>`)
	})
	c := newClient(t, s.URL, registry.Retries(0))
	_, err := c.SchemaByID(ctxT(t), 7)
	if !errors.Is(err, registry.ErrNoAPI) || registry.IsNotFound(err) {
		t.Fatalf("wrong path: got %v (IsNotFound %v), want ErrNoAPI", err, registry.IsNotFound(err))
	}
	if !strings.Contains(err.Error(), "/schemas/ids/7") || probes.Load() != 2 {
		t.Fatalf("error %q after %d probes", err, probes.Load())
	}

	registryUp.Store(true) // the route is back
	if _, err := c.SchemaByID(ctxT(t), 1); err != nil {
		t.Fatal(err)
	}
	before := probes.Load()
	_, err = c.SchemaByID(ctxT(t), 8)
	if !registry.IsNotFound(err) || errors.Is(err, registry.ErrNoAPI) || probes.Load() != before {
		t.Fatalf("id 8 on a live registry: %v after %d more probes, want not found and no probe", err, probes.Load()-before)
	}
}
