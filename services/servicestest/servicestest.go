// Package servicestest gives tests a Kafka cluster and registry through
// services.Open (real when the environment names them, embedded otherwise),
// throwaway topics that are deleted when the test ends, and a TCP proxy that
// can be stopped and started to fake an outage of a service.
package servicestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/services"
)

// Open returns services for t, closed when t ends.
func Open(t testing.TB) *services.Services {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := services.Open(ctx)
	if err != nil {
		t.Fatalf("servicestest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// RequireReal stops t unless s is a real cluster: it fails t when the run
// demands real services (SABOT_REQUIRE_REAL=1, as `make test` sets) and skips it
// otherwise, so a plain `go test ./...` with nothing installed stays green
// without counting the test as passed.
func RequireReal(t testing.TB, s *services.Services, why string) {
	t.Helper()
	if !s.Embedded {
		return
	}
	if os.Getenv(services.EnvRequireReal) == "1" {
		t.Fatalf("this test needs the real Kafka broker (%s) but %s is unset", why, services.EnvBrokers)
	}
	t.Skipf("needs the real Kafka broker (%s); run `make test` or set %s", why, services.EnvBrokers)
}

var unsafeTopicChars = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// Topic creates a topic named after t with a random suffix and deletes it when t
// ends.
func Topic(t testing.TB, s *services.Services, partitions int32) string {
	t.Helper()
	name := UniqueName(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.CreateTopic(ctx, name, partitions); err != nil {
		t.Fatalf("servicestest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.DeleteTopic(ctx, name); err != nil {
			t.Logf("servicestest: cleanup: %v", err)
		}
	})
	return name
}

// UniqueName returns a Kafka-safe name derived from t's name plus a random suffix,
// for topics, groups and subjects that must not collide across runs.
func UniqueName(t testing.TB) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	base := strings.Trim(unsafeTopicChars.ReplaceAllString(t.Name(), "-"), "-")
	if len(base) > 150 {
		base = base[:150]
	}
	return "sabot-" + base + "-" + hex.EncodeToString(b[:])
}

// TCPProxy forwards TCP connections from a loopback port to a target address,
// and can be stopped and started again to fake an outage of the target: Stop
// closes the listener and every connection through it (new connections are
// refused), Start listens on the same port again. It works for any TCP
// service, the embedded registry and a real one alike.
type TCPProxy struct {
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Proxy starts a TCPProxy to targetAddr (host:port) on a free loopback port;
// it is stopped when t ends.
func Proxy(t testing.TB, targetAddr string) *TCPProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("servicestest: proxy: %v", err)
	}
	p := &TCPProxy{target: targetAddr, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(func() {
		p.Stop()
		p.wg.Wait()
	})
	return p
}

// Addr is the proxy's host:port.
func (p *TCPProxy) Addr() string { return p.addr }

// URL returns rawURL with its host and port replaced by the proxy's, so a
// client of the URL goes through the proxy. rawURL's host must be the
// proxy's target.
func (p *TCPProxy) URL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Host = p.addr
	return u.String()
}

// Stop closes the listener and every open connection. Stopping a stopped
// proxy does nothing.
func (p *TCPProxy) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// Start listens on the proxy's port again. Starting a running proxy does
// nothing.
func (p *TCPProxy) Start() error {
	p.mu.Lock()
	running := p.ln != nil
	p.mu.Unlock()
	if running {
		return nil
	}
	var (
		ln  net.Listener
		err error
	)
	for range 50 { // the port may take a moment to be free again
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("servicestest: proxy: listening again on %s: %w", p.addr, err)
}

func (p *TCPProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by Stop
			}
			p.forward(ln, c)
		}
	}()
}

// forward pipes c to a new connection to the target, both tracked so that
// Stop closes them.
func (p *TCPProxy) forward(ln net.Listener, c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	p.mu.Lock()
	if err != nil || p.ln != ln { // the target is down, or Stop came first
		p.mu.Unlock()
		_ = c.Close()
		if up != nil {
			_ = up.Close()
		}
		return
	}
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	pipe := func(dst, src net.Conn) {
		defer p.wg.Done()
		_, _ = io.Copy(dst, src)
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
		_ = dst.Close()
		_ = src.Close()
	}
	p.wg.Add(2)
	go pipe(up, c)
	go pipe(c, up)
}
