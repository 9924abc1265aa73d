package servicestest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/services"
)

// Environment of the fault tests that stop and start the real broker.
const (
	// EnvRigKafkaCtl names the rig's kafka.sh (written to the rig's
	// kafka.env by `kafka.sh up`), which stops, kills and starts the broker
	// on its data.
	EnvRigKafkaCtl = "SABOT_RIG_KAFKA_CTL"
	// EnvBounce allows a test to bounce the broker. Other tests share the
	// broker and would fail while it is down, so `make test` runs the tests
	// that bounce it in a step of their own, with EnvBounce=1 and one
	// package at a time.
	EnvBounce = "SABOT_RIG_BOUNCE"
)

// Broker controls the rig's real broker for a fault test.
type Broker struct{ ctl string }

// Bouncer returns control of the real broker, or stops t: it skips t where
// bouncing is not allowed (EnvBounce unset: the test runs in make test's
// fault step instead), and fails it when bouncing is allowed but the broker
// is not the rig's.
func Bouncer(t testing.TB, s *services.Services) *Broker {
	t.Helper()
	if os.Getenv(EnvBounce) != "1" {
		t.Skipf("bounces the broker: runs in make test's fault step (%s=1)", EnvBounce)
	}
	if s.Embedded {
		t.Fatalf("%s=1 but the services are embedded: the fault step needs the rig's broker", EnvBounce)
	}
	ctl := os.Getenv(EnvRigKafkaCtl)
	if ctl == "" {
		t.Fatalf("%s=1 but %s is unset: the broker is not the rig's", EnvBounce, EnvRigKafkaCtl)
	}
	return &Broker{ctl: ctl}
}

func (b *Broker) run(t testing.TB, verb string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, b.ctl, verb).CombinedOutput() // #nosec G204 -- the rig's own script
	if err != nil {
		t.Fatalf("servicestest: kafka.sh %s: %v\n%s", verb, err, out)
	}
	return time.Since(start)
}

// Kill ends the broker with SIGKILL, keeping its data.
func (b *Broker) Kill(t testing.TB) { t.Helper(); b.run(t, "kill") }

// Start starts the broker again on its data and waits until it answers; it
// returns how long that took.
func (b *Broker) Start(t testing.TB) time.Duration { t.Helper(); return b.run(t, "start") }

// Restart stops the broker gracefully and starts it again.
func (b *Broker) Restart(t testing.TB) time.Duration { t.Helper(); return b.run(t, "restart") }
