package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/sabot-kafka/sabot/services"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dev", "Runs an in-process Kafka broker (franz-go kfake, the real wire protocol) and a\n"+
		"Confluent-compatible schema registry on loopback until interrupted, so other\n"+
		"programs and the other sabot commands can be tried with nothing installed.\n"+
		"Topics are created on first use by producers that ask for it (librdkafka,\n"+
		"the Java client), with -partitions partitions, as a broker with\n"+
		"auto.create.topics.enable does; -auto-create=false turns that off.",
		`  sabot dev
  sabot dev -kafka-port 29092 -registry-port 28081 -partitions 3
  sabot dev -auto-create=false
`, stderr)
	kafkaPort := fs.Int("kafka-port", 9092, "broker port on 127.0.0.1")
	registryPort := fs.Int("registry-port", 8081, "registry port on 127.0.0.1")
	partitions := fs.Int("partitions", 6, "partitions of topics created with the default count (auto-created ones, sabot produce and sabot topic create without -partitions)")
	autoCreate := fs.Bool("auto-create", true, "create a missing topic when a client's metadata request asks for it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *partitions <= 0 {
		return fmt.Errorf("bad -partitions %d (want a positive count)", *partitions)
	}
	o := services.Options{KafkaPort: *kafkaPort, RegistryPort: *registryPort, DefaultPartitions: *partitions}
	if *autoCreate {
		o.KafkaOpts = append(o.KafkaOpts, kfake.AllowAutoTopicCreation())
	}
	s, err := services.StartEmbedded(o)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "kafka    %s\nregistry %s\n", strings.Join(s.Brokers, ","), s.RegistryURL)
	fmt.Fprintf(stdout, "export %s=%s %s=%s\n", services.EnvBrokers, strings.Join(s.Brokers, ","), services.EnvRegistry, s.RegistryURL)
	auto := "off"
	if *autoCreate {
		auto = fmt.Sprintf("on, %d partitions", *partitions)
	}
	fmt.Fprintf(stdout, "topic auto-creation %s\n", auto)
	fmt.Fprintln(stdout, "ready; press Ctrl-C to stop")
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return nil
}
