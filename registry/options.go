package registry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"
)

// Option configures a [Client]. Each option's comment names the default it
// overrides; defaults live in defaultConfig.
type Option func(*config)

type config struct {
	httpClient *http.Client

	basicUser, basicPass string
	basicSet             bool
	bearer               string

	tlsConfig    *tls.Config
	caPEM        [][]byte
	clientCerts  []tls.Certificate
	tlsFiles     []tlsFiles
	tlsRequested bool

	retries        int
	backoffBase    time.Duration
	backoffMax     time.Duration
	requestTimeout time.Duration
	maxResponse    int64

	idCacheSize      int
	subjectCacheSize int
	latestTTL        time.Duration
	normalize        bool
	userAgent        string
}

type tlsFiles struct{ ca, cert, key string }

func defaultConfig() config {
	return config{
		retries:          3,
		backoffBase:      100 * time.Millisecond,
		backoffMax:       2 * time.Second,
		requestTimeout:   15 * time.Second,
		maxResponse:      16 << 20,
		idCacheSize:      10_000,
		subjectCacheSize: 10_000,
		latestTTL:        30 * time.Second,
		userAgent:        "sabot-registry",
	}
}

// validate reports every bad setting at once.
func (c *config) validate() error {
	var errs []error
	if c.retries < 0 {
		errs = append(errs, fmt.Errorf("retries %d is negative", c.retries))
	}
	if c.backoffBase <= 0 || c.backoffMax < c.backoffBase {
		errs = append(errs, fmt.Errorf("backoff %v..%v: want 0 < base <= max", c.backoffBase, c.backoffMax))
	}
	if c.requestTimeout < 0 {
		errs = append(errs, fmt.Errorf("request timeout %v is negative", c.requestTimeout))
	}
	if c.idCacheSize < 1 || c.subjectCacheSize < 1 {
		errs = append(errs, fmt.Errorf("cache sizes %d/%d: want at least 1", c.idCacheSize, c.subjectCacheSize))
	}
	if c.latestTTL < 0 {
		errs = append(errs, fmt.Errorf("latest TTL %v is negative", c.latestTTL))
	}
	if c.maxResponse < 1<<10 {
		errs = append(errs, fmt.Errorf("max response size %d: want at least 1 KiB", c.maxResponse))
	}
	if c.basicSet && c.bearer != "" {
		errs = append(errs, errors.New("basic auth and bearer token are exclusive"))
	}
	if c.httpClient != nil && c.tlsRequested {
		errs = append(errs, errors.New("HTTPClient and TLS options are exclusive: configure TLS on the given client's transport"))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("registry: bad options: %w", errors.Join(errs...))
}

// BasicAuth sends HTTP basic credentials (default: none, or the user info of
// the URL given to NewClient). The password never appears in errors.
func BasicAuth(user, password string) Option {
	return func(c *config) { c.basicUser, c.basicPass, c.basicSet = user, password, true }
}

// BearerToken sends "Authorization: Bearer token" (default: none).
func BearerToken(token string) Option {
	return func(c *config) { c.bearer = token }
}

// TLSConfig sets the TLS configuration (default: the system roots). It is
// cloned; CACertPEM, ClientCertificate and TLSFiles add to the clone.
func TLSConfig(cfg *tls.Config) Option {
	return func(c *config) { c.tlsConfig, c.tlsRequested = cfg.Clone(), true }
}

// CACertPEM trusts the PEM certificates in pem for the registry's server
// certificate (default: the system roots only).
func CACertPEM(pem []byte) Option {
	return func(c *config) { c.caPEM, c.tlsRequested = append(c.caPEM, pem), true }
}

// ClientCertificate presents cert to servers that ask for a client
// certificate (default: none).
func ClientCertificate(cert tls.Certificate) Option {
	return func(c *config) { c.clientCerts, c.tlsRequested = append(c.clientCerts, cert), true }
}

// TLSFiles reads a CA bundle and a client certificate and key from PEM files
// when the client is built. Empty names are skipped.
func TLSFiles(caFile, certFile, keyFile string) Option {
	return func(c *config) {
		c.tlsFiles, c.tlsRequested = append(c.tlsFiles, tlsFiles{caFile, certFile, keyFile}), true
	}
}

// HTTPClient makes requests with hc (default: a client with its own
// transport). Per-attempt timeouts come from RequestTimeout, not hc.Timeout.
func HTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// Retries sets how many times a request is retried after a 5xx answer, a
// timeout or a connection error (default 3; 4xx answers are never retried).
func Retries(n int) Option {
	return func(c *config) { c.retries = n }
}

// Backoff sets the first retry delay and its cap (default 100ms and 2s). Each
// retry waits a random time up to base·2^attempt, capped at max.
func Backoff(base, maxDelay time.Duration) Option {
	return func(c *config) { c.backoffBase, c.backoffMax = base, maxDelay }
}

// RequestTimeout bounds each attempt (default 15s; 0 leaves attempts bounded
// by the caller's context only).
func RequestTimeout(d time.Duration) Option {
	return func(c *config) { c.requestTimeout = d }
}

// MaxResponseSize caps the bytes read from one response (default 16 MiB).
func MaxResponseSize(n int64) Option {
	return func(c *config) { c.maxResponse = n }
}

// IDCacheSize bounds the schemas cached by id and by GUID (default 10000).
// Ids are immutable, so entries leave only to make room.
func IDCacheSize(n int) Option {
	return func(c *config) { c.idCacheSize = n }
}

// SubjectCacheSize bounds the (subject, schema) → id entries kept for
// Register and Lookup, and the (subject, version) entries kept for references
// (default 10000 each).
func SubjectCacheSize(n int) Option {
	return func(c *config) { c.subjectCacheSize = n }
}

// LatestTTL sets how long LatestVersion answers are reused (default 30s; 0
// asks the registry every time).
func LatestTTL(d time.Duration) Option {
	return func(c *config) { c.latestTTL = d }
}

// Normalize asks the registry to normalize schemas on Register and Lookup
// (?normalize=true; default off).
func Normalize() Option {
	return func(c *config) { c.normalize = true }
}

// UserAgent sets the User-Agent header (default "sabot-registry").
func UserAgent(ua string) Option {
	return func(c *config) { c.userAgent = ua }
}

// buildTLS returns the TLS configuration the options ask for, or nil.
func (c *config) buildTLS() (*tls.Config, error) {
	if !c.tlsRequested {
		return nil, nil
	}
	cfg := c.tlsConfig
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	pems := c.caPEM
	certs := c.clientCerts
	for _, f := range c.tlsFiles {
		if f.ca != "" {
			b, err := os.ReadFile(f.ca)
			if err != nil {
				return nil, fmt.Errorf("registry: reading CA file: %w", err)
			}
			pems = append(pems, b)
		}
		if f.cert != "" || f.key != "" {
			cert, err := tls.LoadX509KeyPair(f.cert, f.key)
			if err != nil {
				return nil, fmt.Errorf("registry: loading client certificate: %w", err)
			}
			certs = append(certs, cert)
		}
	}
	if len(pems) > 0 {
		pool := cfg.RootCAs
		if pool == nil {
			sys, err := x509.SystemCertPool()
			if err != nil || sys == nil {
				sys = x509.NewCertPool()
			}
			pool = sys
		} else {
			pool = pool.Clone()
		}
		for i, p := range pems {
			if !pool.AppendCertsFromPEM(p) {
				return nil, fmt.Errorf("registry: CA bundle %d holds no PEM certificate", i+1)
			}
		}
		cfg.RootCAs = pool
	}
	cfg.Certificates = append(cfg.Certificates, certs...)
	return cfg, nil
}
