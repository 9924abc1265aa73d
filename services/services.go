package services

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/registry/memregistry"
)

// Environment variables read by [Open] and [SecurityFromEnv].
const (
	EnvBrokers  = "SABOT_KAFKA_BROKERS"
	EnvRegistry = "SABOT_REGISTRY_URL"
)

// Services is a Kafka cluster and a schema registry to run against, either real
// (addresses from the environment or the caller) or embedded in this process.
type Services struct {
	// Brokers are the seed broker addresses, host:port.
	Brokers []string
	// RegistryURL is the base URL of a Confluent-compatible registry API.
	RegistryURL string
	// Embedded reports whether Brokers point at the in-process cluster.
	Embedded bool

	cluster   *kfake.Cluster
	regServer *http.Server
	regDone   chan struct{}
	closeOnce sync.Once
}

// Options tune the embedded default. The zero value is what Open uses.
type Options struct {
	// KafkaPort and RegistryPort fix the loopback ports of the embedded services
	// (0 picks free ports).
	KafkaPort, RegistryPort int
	// DefaultPartitions is the partition count of topics created with -1
	// partitions on the embedded cluster (default 6).
	DefaultPartitions int
	// KafkaOpts are extra kfake options, e.g. kfake.BlackholeProduce() for
	// produce benchmarks that must not measure broker storage.
	KafkaOpts []kfake.Opt
}

// Open returns the services named by SABOT_KAFKA_BROKERS and SABOT_REGISTRY_URL,
// or starts the embedded default when SABOT_KAFKA_BROKERS is unset. When only
// the brokers are given, an embedded registry is started beside them.
func Open(ctx context.Context) (*Services, error) {
	brokers := SplitList(os.Getenv(EnvBrokers))
	if len(brokers) == 0 {
		return StartEmbedded(Options{})
	}
	s := &Services{Brokers: brokers, RegistryURL: strings.TrimSuffix(os.Getenv(EnvRegistry), "/")}
	if s.RegistryURL == "" {
		if err := s.startRegistry(0); err != nil {
			return nil, err
		}
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// StartEmbedded starts an in-process Kafka cluster (one broker, loopback) and an
// in-process registry.
func StartEmbedded(o Options) (*Services, error) {
	parts := o.DefaultPartitions
	if parts <= 0 {
		parts = 6
	}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(parts)}
	if o.KafkaPort != 0 {
		opts = append(opts, kfake.Ports(o.KafkaPort))
	}
	opts = append(opts, o.KafkaOpts...)
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("services: starting embedded kafka: %w", err)
	}
	s := &Services{Brokers: cluster.ListenAddrs(), Embedded: true, cluster: cluster}
	if err := s.startRegistry(o.RegistryPort); err != nil {
		cluster.Close()
		return nil, err
	}
	return s, nil
}

// startRegistry serves an in-memory registry on loopback: Sabot's own, which
// enforces compatibility (BACKWARD by default, as Confluent's registry).
func (s *Services) startRegistry(port int) error {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("services: starting embedded registry: %w", err)
	}
	s.regServer = &http.Server{Handler: memregistry.New(), ReadHeaderTimeout: 10 * time.Second}
	s.regDone = make(chan struct{})
	s.RegistryURL = "http://" + ln.Addr().String()
	go func() {
		defer close(s.regDone)
		_ = s.regServer.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	return nil
}

// Ping checks that the brokers answer a metadata request.
func (s *Services) Ping(ctx context.Context) error {
	cl, err := s.NewClient()
	if err != nil {
		return err
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).ListBrokers(ctx); err != nil {
		return fmt.Errorf("services: brokers %v do not answer: %w", s.Brokers, err)
	}
	return nil
}

// NewClient returns a franz-go client seeded with s.Brokers plus opts.
func (s *Services) NewClient(opts ...kgo.Opt) (*kgo.Client, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(s.Brokers...)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("services: kafka client: %w", err)
	}
	return cl, nil
}

// CreateTopic creates a topic with the given partition count (replication 1),
// succeeding if it already exists with any layout.
func (s *Services) CreateTopic(ctx context.Context, topic string, partitions int32) error {
	cl, err := s.NewClient()
	if err != nil {
		return err
	}
	defer cl.Close()
	resp, err := kadm.NewClient(cl).CreateTopic(ctx, partitions, 1, nil, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("services: create topic %q: %w", topic, err)
	}
	return nil
}

// DeleteTopic deletes a topic; a topic that does not exist is not an error.
func (s *Services) DeleteTopic(ctx context.Context, topic string) error {
	cl, err := s.NewClient()
	if err != nil {
		return err
	}
	defer cl.Close()
	resps, err := kadm.NewClient(cl).DeleteTopics(ctx, topic)
	if err == nil {
		err = resps.Error()
	}
	if err != nil && !errors.Is(err, kerr.UnknownTopicOrPartition) {
		return fmt.Errorf("services: delete topic %q: %w", topic, err)
	}
	return nil
}

// Close stops whatever this Services started in-process. Services from the
// environment are left running. Close is idempotent.
func (s *Services) Close() {
	s.closeOnce.Do(func() {
		if s.regServer != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = s.regServer.Shutdown(ctx)
			cancel()
			<-s.regDone
		}
		if s.cluster != nil {
			s.cluster.Close()
		}
	})
}

// SplitList splits a comma-separated list, dropping blanks.
func SplitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
