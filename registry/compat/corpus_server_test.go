package compat_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/memregistry"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// TestCorpusOnServers registers each case's versions under a fresh subject,
// sets the case's level and registers the new schema: the verdict of the
// in-process registry must be Confluent's rule, and the real registry's
// (Apicurio) must be the corpus' verdict for it.
func TestCorpusOnServers(t *testing.T) {
	mem := httptest.NewServer(memregistry.New())
	t.Cleanup(mem.Close)
	servers := []struct {
		name     string
		url      string
		apicurio bool
	}{{name: "memregistry", url: mem.URL}}
	switch u := os.Getenv(services.EnvRegistry); {
	case u != "":
		servers = append(servers, struct {
			name     string
			url      string
			apicurio bool
		}{"real", u, strings.Contains(u, "/apis/ccompat/")})
	case os.Getenv(services.EnvRequireReal) == "1":
		t.Fatalf("%s=1 but %s is unset", services.EnvRequireReal, services.EnvRegistry)
	}
	for _, srv := range servers {
		c, err := registry.NewClient(srv.url, registry.Backoff(time.Millisecond, 10*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range corpusFiles {
			cp := loadCorpus(t, file)
			for _, tc := range cp.Cases {
				t.Run(srv.name+"/"+string(cp.Format)+"/"+tc.Name, func(t *testing.T) {
					want := tc.Compatible
					if srv.apicurio && tc.Apicurio != nil {
						want = tc.Apicurio.Compatible
					}
					got := serverVerdict(t, c, srv.apicurio, cp.Format, tc)
					if got != want {
						t.Fatalf("registry says compatible=%v, corpus expects %v (Confluent rule: %v)", got, want, tc.Compatible)
					}
				})
			}
		}
	}
}

func serverVerdict(t *testing.T, c *registry.Client, apicurio bool, typ registry.SchemaType, tc corpusCase) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sub := servicestest.UniqueName(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = c.DeleteSubject(ctx, sub, false)
		_, _ = c.DeleteSubject(ctx, sub, true)
	})
	n, existing := tc.schemas(t, typ)
	// Versions go in with no rule, whatever they are to each other.
	if _, err := c.SetConfig(ctx, sub, registry.Config{Compatibility: registry.CompatNone}); err != nil && !apicurio {
		t.Fatal(err)
	}
	for i, e := range existing {
		if _, err := c.Register(ctx, sub, e.Schema); err != nil {
			t.Fatalf("existing version %d: %v", i+1, err)
		}
	}
	if _, err := c.SetConfig(ctx, sub, registry.Config{Compatibility: tc.Level}); err != nil {
		if !apicurio || tc.Level != registry.CompatNone {
			t.Fatalf("set level %s: %v", tc.Level, err)
		}
	}
	_, err := c.Register(ctx, sub, n.Schema)
	switch {
	case err == nil:
		return true
	case errors.Is(err, registry.ErrIncompatible):
		return false
	}
	t.Fatalf("register: %v", err)
	return false
}
