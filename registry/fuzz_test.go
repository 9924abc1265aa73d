package registry_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sabot-kafka/sabot/registry"
)

// fixedResponse answers every request with one status and body, without a
// network, so the fuzzer exercises the client's response handling alone.
type fixedResponse struct {
	status int
	body   []byte
}

func (f fixedResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: f.status, Body: io.NopCloser(bytes.NewReader(f.body)),
		Header: http.Header{}, Request: req,
	}, nil
}

// FuzzResponses feeds arbitrary registry answers to every kind of call:
// schema bodies (with references that may point anywhere, cycles
// included), version bodies, compatibility verdicts, config, lists and error
// bodies. Nothing may panic or loop; errors must name the package and be
// printable.
func FuzzResponses(f *testing.F) {
	for _, seed := range []struct {
		status int
		body   string
	}{
		{200, `{"schema":"\"string\""}`},
		{200, `{"schema":"{}","schemaType":"JSON","references":[{"name":"a","subject":"s","version":1}]}`},
		{200, `{"subject":"s","version":1,"id":3,"schema":"x","references":[{"name":"a","subject":"s","version":1}]}`},
		{200, `{"subject":"s","version":2,"id":3,"schema":"x","references":[{"name":"b","subject":"t","version":-1}]}`},
		{200, `{"is_compatible":false,"messages":[{"errorType":"X"}],"reason":"r"}`},
		{200, `{"compatibilityLevel":"FULL","normalize":true}`},
		{200, `["a","b"]`},
		{200, `[{"context":".","id":7}]`},
		{200, `{"id":-1}`},
		{404, `{"error_code":40403,"message":"Schema not found"}`},
		{409, `{"error_code":"40901","message":"` + strings.Repeat("é", 600) + `"}`},
		{500, `{"error_code":50001}`},
		{503, "<html>\xff\xfe</html>"},
		{422, `{"error_code":1e400,"message":null}`},
		{200, `null`},
		{200, ``},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		c, err := registry.NewClient("http://registry.invalid",
			registry.HTTPClient(&http.Client{Transport: fixedResponse{status, body}}),
			registry.Retries(1), registry.Backoff(time.Microsecond, time.Microsecond), registry.LatestTTL(0))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s := registry.Schema{Text: `"string"`}
		var errs []error
		collect := func(err error) { errs = append(errs, err) }
		_, err = c.Resolve(ctx, 1)
		collect(err)
		_, err = c.ResolveGUID(ctx, "g")
		collect(err)
		_, err = c.Register(ctx, "s", s)
		collect(err)
		_, err = c.Lookup(ctx, "s", s, false)
		collect(err)
		_, err = c.LatestVersion(ctx, "s")
		collect(err)
		_, err = c.CheckCompatibility(ctx, "s", registry.Latest, s, true)
		collect(err)
		_, err = c.Config(ctx, "s", true)
		collect(err)
		_, err = c.Subjects(ctx, "", false)
		collect(err)
		_, err = c.VersionsByID(ctx, 1, false)
		collect(err)
		_, err = c.DeleteVersion(ctx, "s", 1, false)
		collect(err)
		for _, err := range errs {
			if err == nil {
				continue
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "registry: ") || !utf8.ValidString(msg) || len(msg) > 4096 {
				t.Fatalf("bad error text (%d bytes): %q", len(msg), msg)
			}
		}
	})
}
