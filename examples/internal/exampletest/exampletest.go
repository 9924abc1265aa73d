package exampletest

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// RunFunc is an example's entry point.
type RunFunc func(ctx context.Context, args []string, stdout io.Writer) error

// Timeout bounds one run of an example in a test.
const Timeout = 90 * time.Second

// Run runs an example with -brokers and -registry naming the test's services
// (servicestest.Open: the real ones when the environment names them, else an
// embedded cluster started for the test), so the flags are what connects it.
// With SABOT_REQUIRE_REAL set (make test) it fails t unless those services
// are real. It fails t when the example fails and returns what it printed.
func Run(t *testing.T, run RunFunc, args ...string) string {
	t.Helper()
	svc := servicestest.Open(t)
	if os.Getenv(services.EnvRequireReal) != "" {
		// Under make test the examples must prove themselves on the real
		// broker and registry, not fall back to the embedded ones.
		servicestest.RequireReal(t, svc, "the examples run against the real services under make test")
	}
	ctx, cancel := context.WithTimeout(t.Context(), Timeout)
	defer cancel()
	var out strings.Builder
	args = append([]string{"-brokers", strings.Join(svc.Brokers, ","), "-registry", svc.RegistryURL}, args...)
	if err := run(ctx, args, &out); err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	return out.String()
}

// Context is a context for an Example function's run.
func Context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), Timeout)
}
