package registry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/memregistry"
)

// countingServer serves an in-process registry and counts requests by
// method and path prefix.
type countingServer struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
	total  atomic.Int64
	// down makes every request fail with 503, as a registry outage.
	down atomic.Bool
}

func newCountingServer(t testing.TB, reg http.Handler) *countingServer {
	t.Helper()
	if reg == nil {
		reg = memregistry.New()
	}
	cs := &countingServer{counts: make(map[string]int)}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.total.Add(1)
		cs.mu.Lock()
		cs.counts[r.Method+" "+r.URL.Path]++
		cs.mu.Unlock()
		if cs.down.Load() {
			http.Error(w, `{"error_code":50001,"message":"store unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(cs.Close)
	return cs
}

// count returns the requests whose "METHOD path" starts with prefix.
func (cs *countingServer) count(prefix string) int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	n := 0
	for k, v := range cs.counts {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

func newClient(t testing.TB, url string, opts ...registry.Option) *registry.Client {
	t.Helper()
	c, err := registry.NewClient(url, append([]registry.Option{registry.Backoff(time.Millisecond, 5*time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func avroRecord(name string, fields ...string) registry.Schema {
	var b strings.Builder
	b.WriteString(`{"type":"record","name":"` + name + `","fields":[`)
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"name":"` + f + `","type":"long"}`)
	}
	b.WriteString("]}")
	return registry.Schema{Type: registry.TypeAvro, Text: b.String()}
}

func mustRegister(t testing.TB, c *registry.Client, subject string, s registry.Schema) int {
	t.Helper()
	id, err := c.Register(ctxT(t), subject, s)
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
	return id
}
