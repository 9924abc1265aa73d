package registry_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sabot-kafka/sabot/registry"
)

const (
	secretUser  = "alice"
	secretPass  = "pa55-Wr0ng-Horse-7731"
	secretToken = "tok-9f8e7d6c5b4a-bearer"
)

// authServer answers schema lookups only to requests carrying want as their
// Authorization header.
func authServer(t *testing.T, want string) *httptest.Server {
	t.Helper()
	s, _ := stubServer(t, func(_ int64, w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error_code":401,"message":"Unauthorized"}`)
			return
		}
		schemaBody(w)
	})
	return s
}

func TestAuth(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(secretUser+":"+secretPass))
	for name, tc := range map[string]struct {
		want string
		url  func(base string) string
		opts []registry.Option
	}{
		"basic option": {want: basic, opts: []registry.Option{registry.BasicAuth(secretUser, secretPass)}},
		"basic in URL": {want: basic, url: func(b string) string {
			return strings.Replace(b, "http://", "http://"+secretUser+":"+secretPass+"@", 1)
		}},
		"bearer option": {want: "Bearer " + secretToken, opts: []registry.Option{registry.BearerToken(secretToken)}},
	} {
		t.Run(name, func(t *testing.T) {
			s := authServer(t, tc.want)
			u := s.URL
			if tc.url != nil {
				u = tc.url(u)
			}
			c := newClient(t, u, tc.opts...)
			if _, err := c.SchemaByID(ctxT(t), 1); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(c.URL(), secretPass) || strings.Contains(c.String(), secretPass) {
				t.Fatalf("client prints its password: %s / %s", c.URL(), c)
			}
			wrong := newClient(t, s.URL, registry.BasicAuth("mallory", "nope"))
			_, err := wrong.SchemaByID(ctxT(t), 1)
			var re *registry.Error
			if !errors.As(err, &re) || re.Status != 401 {
				t.Fatalf("wrong credentials: %v, want HTTP 401", err)
			}
		})
	}
}

// TestCredentialsNeverInErrors: whatever fails (refused connection, 401,
// 500 storm, timeout, bad URL), no error string and no printed client holds a
// password or token.
func TestCredentialsNeverInErrors(t *testing.T) {
	secrets := []string{secretPass, secretToken, base64.StdEncoding.EncodeToString([]byte(secretUser + ":" + secretPass))}
	check := func(what string, s string) {
		t.Helper()
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				t.Errorf("%s leaks a credential: %s", what, s)
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()
	unauthorized := authServer(t, "Basic nobody")
	storm, _ := stubServer(t, func(_ int64, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		// A misbehaving proxy echoing the request's headers.
		fmt.Fprintf(w, "unavailable for %s", r.URL.Path)
	})
	slow, _ := stubServer(t, func(_ int64, _ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the server notices a closed connection only after the body
		<-r.Context().Done()
	})

	withUserInfo := func(u string) string {
		return strings.Replace(u, "http://", "http://"+secretUser+":"+secretPass+"@", 1)
	}
	for _, tc := range []struct {
		name string
		url  string
		opts []registry.Option
	}{
		{"refused, basic in URL", withUserInfo("http://" + closedAddr), nil},
		{"refused, bearer", "http://" + closedAddr, []registry.Option{registry.BearerToken(secretToken)}},
		{"401, basic", withUserInfo(unauthorized.URL), nil},
		{"401, bearer", unauthorized.URL, []registry.Option{registry.BearerToken(secretToken)}},
		{"503 storm", withUserInfo(storm.URL), nil},
		{"timeout", withUserInfo(slow.URL), []registry.Option{registry.RequestTimeout(20 * time.Millisecond)}},
	} {
		c := newClient(t, tc.url, append(tc.opts, registry.Retries(1))...)
		// %d and %x print a struct's fields where no String applies.
		check(tc.name+": client", fmt.Sprintf("%v %+v %#v %s %d %x %q %s", c, c, c, c, c, c, c, c.URL()))
		_, err := c.Resolve(ctxT(t), 1)
		if err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		check(tc.name, err.Error())
		_, err = c.Register(ctxT(t), "s", avroRecord("R"))
		check(tc.name+": register", fmt.Sprint(err))
	}
	_, err = registry.NewClient("http://" + secretUser + ":" + secretPass + "@bad host:1")
	if err == nil {
		t.Fatal("malformed URL accepted")
	}
	check("malformed URL", err.Error())
}

type testPKI struct {
	caPEM                       []byte
	serverCert, clientCert      tls.Certificate
	clientCertPEM, clientKeyPEM []byte
	pool                        *x509.CertPool
}

// newPKI makes a throwaway CA with a server certificate for 127.0.0.1 and a
// client certificate.
func newPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(serial int64, server bool) (tls.Certificate, []byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature,
		}
		if server {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		return cert, certPEM, keyPEM
	}
	p := testPKI{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.serverCert, _, _ = leaf(2, true)
	p.clientCert, p.clientCertPEM, p.clientKeyPEM = leaf(3, false)
	return p
}

// TestTLS: a custom CA verifies the server; a client certificate satisfies a
// server that requires one; without them the handshake fails clearly.
func TestTLS(t *testing.T) {
	pki := newPKI(t)
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		schemaBody(w)
	}))
	s.TLS = &tls.Config{
		Certificates: []tls.Certificate{pki.serverCert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.pool,
		MinVersion:   tls.VersionTLS12,
	}
	s.StartTLS()
	t.Cleanup(s.Close)

	c := newClient(t, s.URL, registry.CACertPEM(pki.caPEM), registry.ClientCertificate(pki.clientCert))
	if _, err := c.SchemaByID(ctxT(t), 1); err != nil {
		t.Fatalf("with CA and client certificate: %v", err)
	}

	dir := t.TempDir()
	files := map[string][]byte{"ca.pem": pki.caPEM, "client.pem": pki.clientCertPEM, "client.key": pki.clientKeyPEM}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c = newClient(t, s.URL, registry.TLSFiles(filepath.Join(dir, "ca.pem"), filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")))
	if _, err := c.SchemaByID(ctxT(t), 1); err != nil {
		t.Fatalf("with TLS files: %v", err)
	}

	noCA := newClient(t, s.URL, registry.ClientCertificate(pki.clientCert), registry.Retries(3))
	if _, err := noCA.SchemaByID(ctxT(t), 1); err == nil || !strings.Contains(err.Error(), "certificate") ||
		strings.Contains(err.Error(), "giving up") {
		t.Fatalf("without the CA: %v, want a certificate error, not retried", err)
	}
	noCert := newClient(t, s.URL, registry.CACertPEM(pki.caPEM), registry.Retries(0))
	if _, err := noCert.SchemaByID(ctxT(t), 1); err == nil {
		t.Fatal("without a client certificate the server answered")
	}
	custom := newClient(t, s.URL, registry.TLSConfig(&tls.Config{RootCAs: pki.pool, MinVersion: tls.VersionTLS12}), registry.ClientCertificate(pki.clientCert))
	if _, err := custom.SchemaByID(ctxT(t), 1); err != nil {
		t.Fatalf("with a TLS config: %v", err)
	}
}
