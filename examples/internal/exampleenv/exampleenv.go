package exampleenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/memregistry"
	"github.com/sabot-kafka/sabot/services"
)

// Timeout bounds one run of an example started by Main.
const Timeout = 2 * time.Minute

// Main runs an example's run function with os.Args, printing to stdout, and
// exits 1 with the error on stderr when it fails. Ctrl-C cancels the run.
func Main(run func(ctx context.Context, args []string, stdout io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	err := run(ctx, os.Args[1:], os.Stdout)
	cancel()
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
}

// Env is the Kafka cluster and registry one run of an example uses.
type Env struct {
	// Brokers is the bootstrap_servers list, comma-separated.
	Brokers string
	// RegistryURL is the Confluent-compatible registry API.
	RegistryURL string
	// Embedded reports whether the cluster runs in this process.
	Embedded bool

	svc    *services.Services // started by Open, or nil
	admin  *services.Services // Brokers, for creating and deleting topics
	reg    *http.Server       // a registry served beside -brokers, or nil
	regEnd chan struct{}      // closed when reg's Serve returns
	suffix string

	mu      sync.Mutex
	topics  []string
	regOnce sync.Once
	client  *registry.Client
	regErr  error
}

// Open parses args (-brokers, -registry, -h) for the example called name
// and connects. Usage goes to stderr; -h returns flag.ErrHelp.
func Open(ctx context.Context, name string, args []string) (*Env, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	brokers := fs.String("brokers", "", "Kafka bootstrap servers, host:port,... (default $"+services.EnvBrokers+", else an embedded cluster)")
	reg := fs.String("registry", "", "schema registry URL (default $"+services.EnvRegistry+", else an embedded registry)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s [-brokers host:port] [-registry url]\n\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("exampleenv: unexpected arguments %q", fs.Args())
	}
	e := &Env{suffix: runSuffix()}
	if *brokers == "" && *reg == "" {
		svc, err := services.Open(ctx)
		if err != nil {
			return nil, err
		}
		e.svc = svc
		e.Brokers, e.RegistryURL, e.Embedded = strings.Join(svc.Brokers, ","), svc.RegistryURL, svc.Embedded
		e.admin = svc
		return e, nil
	}
	e.Brokers, e.RegistryURL = *brokers, strings.TrimSuffix(*reg, "/")
	if e.Brokers == "" {
		e.Brokers = os.Getenv(services.EnvBrokers)
	}
	if e.RegistryURL == "" {
		e.RegistryURL = strings.TrimSuffix(os.Getenv(services.EnvRegistry), "/")
	}
	if e.Brokers == "" {
		return nil, errors.New("exampleenv: -registry needs -brokers (or " + services.EnvBrokers + ")")
	}
	e.admin = &services.Services{Brokers: services.SplitList(e.Brokers)}
	if err := e.admin.Ping(ctx); err != nil {
		return nil, err
	}
	if e.RegistryURL == "" {
		if err := e.serveRegistry(); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// serveRegistry serves an in-memory registry on loopback for this run.
func (e *Env) serveRegistry() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("exampleenv: serving a registry: %w", err)
	}
	e.reg = &http.Server{Handler: memregistry.New(), ReadHeaderTimeout: 10 * time.Second}
	e.RegistryURL = "http://" + ln.Addr().String()
	e.regEnd = make(chan struct{})
	go func() { // owned by e: Close shuts the server down and waits
		defer close(e.regEnd)
		_ = e.reg.Serve(ln) // http.ErrServerClosed after Shutdown
	}()
	return nil
}

func runSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Topic creates the topic name (plus the run's suffix) with the given number
// of partitions and returns its full name. Close deletes it.
func (e *Env) Topic(ctx context.Context, name string, partitions int32) (string, error) {
	full := e.Name(name)
	if err := e.admin.CreateTopic(ctx, full, partitions); err != nil {
		return "", err
	}
	e.mu.Lock()
	e.topics = append(e.topics, full)
	e.mu.Unlock()
	return full, nil
}

// Name is name plus the run's suffix: for consumer groups, transactional
// ids and anything else that must not collide with earlier runs.
func (e *Env) Name(name string) string { return name + "-" + e.suffix }

// Short drops the run's suffix from a name made by Topic or Name (and from
// subjects named after such a topic), for output that is the same on every
// run.
func (e *Env) Short(name string) string {
	return strings.Replace(name, "-"+e.suffix, "", 1)
}

// Registry returns a client for the run's schema registry.
func (e *Env) Registry() (*registry.Client, error) {
	e.regOnce.Do(func() { e.client, e.regErr = registry.NewClient(e.RegistryURL) })
	return e.client, e.regErr
}

// Close deletes the run's topics and their "-value" subjects and stops what
// Open started. It is safe to call more than once.
func (e *Env) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e.mu.Lock()
	topics := e.topics
	e.topics = nil
	e.mu.Unlock()
	for _, t := range topics {
		_ = e.admin.DeleteTopic(ctx, t) // best effort: a leftover topic has a unique name
		if e.client != nil {
			subject := t + "-value"
			if _, err := e.client.DeleteSubject(ctx, subject, false); err == nil {
				_, _ = e.client.DeleteSubject(ctx, subject, true)
			}
		}
	}
	if e.reg != nil {
		_ = e.reg.Shutdown(ctx)
		<-e.regEnd
		e.reg = nil
	}
	if e.svc != nil {
		e.svc.Close()
	}
}

// Close closes c and keeps its error in *err unless *err already holds one,
// for deferred closes in functions with a named error result: a Sink's Close
// flushes, and a failed flush must not pass unnoticed.
func Close(err *error, c io.Closer) {
	if cerr := c.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}
