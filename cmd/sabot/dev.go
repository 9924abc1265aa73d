package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sabot-kafka/sabot/services"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dev", "Runs an in-process Kafka broker (franz-go kfake, the real wire protocol) and a\n"+
		"Confluent-compatible schema registry on loopback until interrupted, so other\n"+
		"programs and the other sabot commands can be tried with nothing installed.",
		`  sabot dev
  sabot dev -kafka-port 29092 -registry-port 28081 -partitions 3
`, stderr)
	kafkaPort := fs.Int("kafka-port", 9092, "broker port on 127.0.0.1")
	registryPort := fs.Int("registry-port", 8081, "registry port on 127.0.0.1")
	partitions := fs.Int("partitions", 6, "partitions of topics created with the default count")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := services.StartEmbedded(services.Options{KafkaPort: *kafkaPort, RegistryPort: *registryPort, DefaultPartitions: *partitions})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "kafka    %s\nregistry %s\n", strings.Join(s.Brokers, ","), s.RegistryURL)
	fmt.Fprintf(stdout, "export %s=%s %s=%s\n", services.EnvBrokers, strings.Join(s.Brokers, ","), services.EnvRegistry, s.RegistryURL)
	fmt.Fprintln(stdout, "ready; press Ctrl-C to stop")
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return nil
}
