package registry

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const contentType = "application/vnd.schemaregistry.v1+json"

// request is one API call: method, escaped path below the base URL, query and
// JSON body.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
}

// call performs req, retrying server failures, timeouts and connection errors
// with jittered exponential backoff, and decodes a 2xx body into out (a
// pointer, or nil to discard). Errors never hold the base URL's credentials,
// the Authorization header or the query.
func (c *Client) call(ctx context.Context, req request, out any) error {
	var body []byte
	if req.body != nil {
		var err error
		if body, err = json.Marshal(req.body); err != nil {
			return wrapf(req.method, req.path, fmt.Errorf("encoding request: %w", err))
		}
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := sleepCtx(ctx, c.backoff(attempt)); err != nil {
				return wrapf(req.method, req.path, fmt.Errorf("%w (after %d attempts; last error: %w)", err, attempt, lastErr))
			}
		}
		raw, status, err := c.attempt(ctx, req, body)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				// The caller's context ended: not a registry failure to retry.
				return wrapf(req.method, req.path, ctx.Err())
			}
			lastErr = err
			if !retriableTransportErr(err) {
				return wrapf(req.method, req.path, err)
			}
		case status >= 200 && status < 300:
			c.apiSeen.Store(true)
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(raw, out); err != nil {
				return wrapf(req.method, req.path, fmt.Errorf("decoding response: %w", err))
			}
			return nil
		default:
			e := parseErrorBody(req.method, req.path, status, raw)
			if !e.Temporary() {
				return e
			}
			lastErr = e
		}
		if attempt >= c.cfg.retries {
			return giveUp(req, attempt+1, lastErr)
		}
	}
}

// giveUp reports the last failure of a request that ran out of attempts. An
// *Error already names the request.
func giveUp(req request, attempts int, err error) error {
	var e *Error
	if errors.As(err, &e) {
		if attempts == 1 {
			return e
		}
		return fmt.Errorf("registry: giving up after %d attempts: %w", attempts, e)
	}
	if attempts == 1 {
		return wrapf(req.method, req.path, err)
	}
	return fmt.Errorf("registry: %s %s: giving up after %d attempts: %w", req.method, req.path, attempts, err)
}

// attempt makes one HTTP request bounded by the per-attempt timeout and
// returns the body (capped) and status.
func (c *Client) attempt(ctx context.Context, req request, body []byte) ([]byte, int, error) {
	if c.cfg.requestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.requestTimeout)
		defer cancel()
	}
	u := *c.base
	u.RawPath = c.base.EscapedPath() + req.path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, 0, fmt.Errorf("bad path: %w", err)
	}
	u.Path = p
	if len(req.query) > 0 {
		u.RawQuery = req.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u.String(), rd)
	if err != nil {
		return nil, 0, fmt.Errorf("building request: %w", err)
	}
	hr.Header.Set("Accept", contentType+", application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5")
	if body != nil {
		hr.Header.Set("Content-Type", contentType)
	}
	if c.auth != "" {
		hr.Header.Set("Authorization", c.auth)
	}
	hr.Header.Set("User-Agent", c.cfg.userAgent)
	resp, err := c.hc.Do(hr)
	if err != nil {
		return nil, 0, unwrapURLError(err)
	}
	defer func() { _ = resp.Body.Close() }() // the body was read to the end or to the cap
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.maxResponse+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading response: %w", unwrapURLError(err))
	}
	if int64(len(raw)) > c.cfg.maxResponse {
		// Not retried: the server will send the same oversized answer.
		return nil, 0, &sizeError{limit: c.cfg.maxResponse}
	}
	return raw, resp.StatusCode, nil
}

type sizeError struct{ limit int64 }

func (e *sizeError) Error() string {
	return fmt.Sprintf("response larger than %d bytes", e.limit)
}

// unwrapURLError drops net/http's *url.Error wrapper, whose text repeats the
// full URL; our own wrapper names the path instead.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retriableTransportErr: timeouts and connection failures are worth another
// attempt; a response too large or a malformed request is not.
func retriableTransportErr(err error) bool {
	var se *sizeError
	if errors.As(err, &se) {
		return false
	}
	// A certificate the client does not trust stays untrusted.
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cie x509.CertificateInvalidError
	if errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &hne) || errors.As(err, &cie) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true // the per-attempt timeout, the caller's context is live
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe")
}

// backoff returns a delay with full jitter: uniform in [base/2, min(max,
// base·2^(attempt-1))].
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.backoffBase
	for i := 1; i < attempt && d < c.cfg.backoffMax; i++ {
		d *= 2
	}
	d = min(d, c.cfg.backoffMax)
	lo := c.cfg.backoffBase / 2
	if d <= lo {
		return d
	}
	return lo + rand.N(d-lo+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// escape escapes one path segment (subjects may hold '/' and other reserved
// characters).
func escape(s string) string { return url.PathEscape(s) }
