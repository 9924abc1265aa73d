package kafka_test

import (
	"os"
	"testing"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// TestSecuredListeners writes and reads through the rig's SASL/SCRAM and TLS
// listeners using only the Security fields of the configs.
func TestSecuredListeners(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	servicestest.RequireReal(t, s, "the rig's SASL and TLS listeners")
	cases := []struct {
		name    string
		brokers string
		sec     kafka.Security
	}{
		{"SCRAM-SHA-512", os.Getenv(services.EnvSASLBrokers), kafka.Security{SASL: kafka.SASLSCRAMSHA512,
			User: os.Getenv(services.EnvSASLUser), Password: os.Getenv(services.EnvSASLPassword)}},
		{"SCRAM-SHA-256", os.Getenv(services.EnvSASLBrokers), kafka.Security{SASL: kafka.SASLSCRAMSHA256,
			User: os.Getenv(services.EnvSASLUser), Password: os.Getenv(services.EnvSASLPassword)}},
		{"TLS with client certificate", os.Getenv(services.EnvTLSBrokers), kafka.Security{TLS: true,
			CAFile: os.Getenv(services.EnvTLSCA), CertFile: os.Getenv(services.EnvTLSClientCert), KeyFile: os.Getenv(services.EnvTLSClientKey)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.brokers == "" {
				t.Fatal("the rig's listener variables are unset")
			}
			topic := servicestest.Topic(t, s, 1)
			sink := newSink(t, kafka.SinkConfig{Brokers: kafka.SplitBrokers(tc.brokers), Topic: topic, Security: tc.sec})
			if err := sink.SendRecords(ctx, kafka.Record{Value: []byte("secured")}); err != nil {
				t.Fatal(err)
			}
			cfg := sourceConfig(s, topic, "")
			cfg.Brokers, cfg.Security, cfg.Codec = kafka.SplitBrokers(tc.brokers), tc.sec, codec.Spec{Format: codec.String{}}
			if got := values(ctx, t, newSource(t, cfg), 1); got[0] != "secured" {
				t.Fatalf("read %q", got)
			}
		})
	}
}
