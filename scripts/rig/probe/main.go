// Command probe answers one question for the test rig scripts: is the service up?
// It exits 0 when the Kafka broker answers a metadata request, lists at least one
// broker and would create a topic (a validate-only request), or the schema
// registry answers its subjects endpoint, and non-zero
// with the reason otherwise. The scripts call it in a loop instead of sleeping.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	kafka := flag.String("kafka", "", "broker address to probe (host:port)")
	registry := flag.String("registry", "", "registry base URL to probe (GET {url}/subjects)")
	timeout := flag.Duration("timeout", 2*time.Second, "time allowed for one probe")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var err error
	switch {
	case *kafka != "":
		err = probeKafka(ctx, *kafka)
	case *registry != "":
		err = probeRegistry(ctx, *registry)
	default:
		err = errors.New("give -kafka or -registry")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

func probeKafka(ctx context.Context, addr string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return err
	}
	defer cl.Close()
	brokers, err := kadm.NewClient(cl).ListBrokers(ctx)
	if err != nil {
		return fmt.Errorf("metadata from %s: %w", addr, err)
	}
	if len(brokers) == 0 {
		return fmt.Errorf("metadata from %s lists no brokers yet", addr)
	}
	// A restarted KRaft broker is listed before it is unfenced, and until
	// then creating a topic fails with INVALID_REPLICATION_FACTOR: ready
	// means a topic could be created (validated only, nothing is made).
	res, err := kadm.NewClient(cl).ValidateCreateTopics(ctx, 1, 1, nil, "sabot-rig-probe")
	if err != nil {
		return fmt.Errorf("validating a topic creation on %s: %w", addr, err)
	}
	for _, r := range res {
		if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("broker %s cannot create topics yet: %w", addr, r.Err)
		}
	}
	return nil
}

func probeRegistry(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(url, "/")+"/subjects", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s/subjects: %s: %s", url, resp.Status, body)
	}
	return nil
}
