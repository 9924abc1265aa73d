package servicestest_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/services/servicestest"
)

// echo serves lines back on a loopback port.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); _ = c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil && line != "ping\n" {
		return io.ErrUnexpectedEOF
	}
	return err
}

func TestProxyStopStart(t *testing.T) {
	p := servicestest.Proxy(t, echo(t))
	if err := roundTrip(p.Addr()); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	open, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if _, err := open.Write([]byte("x\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(open).ReadString('\n'); err != nil {
		t.Fatal(err)
	}

	p.Stop()
	p.Stop()
	if err := roundTrip(p.Addr()); err == nil {
		t.Fatal("a stopped proxy still forwards")
	}
	_ = open.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := open.Read(make([]byte, 1)); err == nil || n != 0 || isTimeout(err) {
		t.Fatalf("a connection open across Stop was not closed: %d bytes, %v", n, err)
	}

	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(p.Addr()); err != nil {
		t.Fatalf("after Start: %v", err)
	}
	if got := p.URL("http://127.0.0.1:1/apis/ccompat/v7"); got != "http://"+p.Addr()+"/apis/ccompat/v7" {
		t.Fatalf("URL = %s", got)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
