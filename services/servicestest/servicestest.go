// Package servicestest gives tests a Kafka cluster and registry through
// services.Open (real when the environment names them, embedded otherwise) and
// throwaway topics that are deleted when the test ends.
package servicestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/services"
)

// Open returns services for t, closed when t ends.
func Open(t testing.TB) *services.Services {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := services.Open(ctx)
	if err != nil {
		t.Fatalf("servicestest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// RequireReal stops t unless s is a real cluster: it fails t when the run
// demands real services (SABOT_REQUIRE_REAL=1, as `make test` sets) and skips it
// otherwise, so a plain `go test ./...` with nothing installed stays green
// without counting the test as passed.
func RequireReal(t testing.TB, s *services.Services, why string) {
	t.Helper()
	if !s.Embedded {
		return
	}
	if os.Getenv(services.EnvRequireReal) == "1" {
		t.Fatalf("this test needs the real Kafka broker (%s) but %s is unset", why, services.EnvBrokers)
	}
	t.Skipf("needs the real Kafka broker (%s); run `make test` or set %s", why, services.EnvBrokers)
}

var unsafeTopicChars = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// Topic creates a topic named after t with a random suffix and deletes it when t
// ends.
func Topic(t testing.TB, s *services.Services, partitions int32) string {
	t.Helper()
	name := UniqueName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.CreateTopic(ctx, name, partitions); err != nil {
		t.Fatalf("servicestest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.DeleteTopic(ctx, name); err != nil {
			t.Logf("servicestest: cleanup: %v", err)
		}
	})
	return name
}

// UniqueName returns a Kafka-safe name derived from t's name plus a random suffix,
// for topics, groups and subjects that must not collide across runs.
func UniqueName(t testing.TB) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	base := strings.Trim(unsafeTopicChars.ReplaceAllString(t.Name(), "-"), "-")
	if len(base) > 150 {
		base = base[:150]
	}
	return "sabot-" + base + "-" + hex.EncodeToString(b[:])
}
