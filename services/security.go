package services

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Listener is a secured way into the cluster: its brokers and the client options
// that authenticate or encrypt the connection.
type Listener struct {
	Brokers []string
	Opts    []kgo.Opt
}

// Environment variables describing the rig's secured listeners (written by
// scripts/rig/kafka.sh into .cache/rig/kafka.env).
const (
	EnvSASLBrokers   = "SABOT_KAFKA_SASL_BROKERS"
	EnvSASLUser      = "SABOT_KAFKA_SASL_USER"
	EnvSASLPassword  = "SABOT_KAFKA_SASL_PASSWORD" // #nosec G101 -- a variable name, not a credential
	EnvTLSBrokers    = "SABOT_KAFKA_TLS_BROKERS"
	EnvTLSCA         = "SABOT_KAFKA_TLS_CA"
	EnvTLSClientCert = "SABOT_KAFKA_TLS_CLIENT_CERT"
	EnvTLSClientKey  = "SABOT_KAFKA_TLS_CLIENT_KEY"
	EnvRequireReal   = "SABOT_REQUIRE_REAL"
)

// SASLListenerFromEnv returns the SCRAM-SHA-512 listener named by the environment,
// or ok=false when none is configured.
func SASLListenerFromEnv() (l Listener, ok bool) {
	brokers := SplitList(os.Getenv(EnvSASLBrokers))
	if len(brokers) == 0 {
		return Listener{}, false
	}
	auth := scram.Auth{User: os.Getenv(EnvSASLUser), Pass: os.Getenv(EnvSASLPassword)}
	return Listener{Brokers: brokers, Opts: []kgo.Opt{kgo.SASL(auth.AsSha512Mechanism())}}, true
}

// TLSListenerFromEnv returns the TLS listener named by the environment, trusting
// its CA and presenting the client certificate when one is given, or ok=false
// when none is configured.
func TLSListenerFromEnv() (l Listener, ok bool, err error) {
	brokers := SplitList(os.Getenv(EnvTLSBrokers))
	if len(brokers) == 0 {
		return Listener{}, false, nil
	}
	cfg, err := TLSConfig(os.Getenv(EnvTLSCA), os.Getenv(EnvTLSClientCert), os.Getenv(EnvTLSClientKey))
	if err != nil {
		return Listener{}, false, err
	}
	return Listener{Brokers: brokers, Opts: []kgo.Opt{kgo.DialTLSConfig(cfg)}}, true, nil
}

// TLSConfig builds a client TLS configuration from PEM files: caFile (empty means
// the system roots) and an optional client certificate and key.
func TLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile) // #nosec G304 G703 -- the operator chooses this path
		if err != nil {
			return nil, fmt.Errorf("services: reading CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("services: CA file %s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("services: client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
