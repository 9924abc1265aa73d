package decode_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// A Decode that meets an outage returns what it decoded before the record
// that needs the registry, and says where it stopped; the records before it
// keep their rows, record errors and tombstones.
func TestDecodeStopsAtOutage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	reg := &fakeRegistry{schemas: map[int]string{1: "a", 2: "b", 4: "c"}}
	d, err := decode.New(decode.Config{Compiler: intCompiler, Wire: decode.WireConfluent, Registry: reg, Allocator: mem, Metadata: decode.MetaOffset})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	warm, err := d.Decode(context.Background(), recs(framed(1, "0"), framed(2, "0")))
	if err != nil {
		t.Fatal(err)
	}
	warm.Release()

	reg.down = true
	in := recs(framed(1, "1"), nil, framed(1, "x"), framed(2, "3"), framed(4, "4"), framed(1, "5"), framed(9, "6"))
	res, err := d.Decode(context.Background(), in)
	var oe *decode.OutageError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v, want an OutageError", err)
	}
	if oe.Index != 4 || oe.Topic != "t" || oe.Partition != 2 || oe.Offset != 104 || oe.SchemaID != 4 {
		t.Fatalf("outage at %+v, want record 4 (t/2@104, schema 4)", oe)
	}
	if !errors.Is(err, decode.ErrRegistry) || decode.Kind(err) != "registry" || !strings.Contains(err.Error(), "stopped at record 4") {
		t.Fatalf("outage error %q does not say the registry is unavailable and where it stopped", err)
	}
	if res == nil {
		t.Fatal("no Result with the OutageError")
	}
	var offsets []int64
	for _, b := range res.Batches {
		offsets = append(offsets, int64s(t, b, 1)...)
	}
	if fmt.Sprint(offsets) != "[100 103]" || len(res.Tombstones) != 1 || res.Tombstones[0] != 1 ||
		len(res.Errors) != 1 || res.Errors[0].Index != 2 || decode.Kind(res.Errors[0].Err) == "registry" {
		t.Fatalf("prefix: offsets %v, tombstones %v, errors %+v", offsets, res.Tombstones, res.Errors)
	}
	res.Release()

	// A stop at the very first record decodes nothing.
	res, err = d.Decode(context.Background(), recs(framed(4, "4"), framed(1, "5")))
	if !errors.As(err, &oe) || oe.Index != 0 || res.NumRows() != 0 || len(res.Errors) != 0 {
		t.Fatalf("stop at record 0: %v, %d rows, errors %v", err, res.NumRows(), res.Errors)
	}
	res.Release()

	// Once the registry is back, the rest decodes, unknown ids as record errors.
	reg.down = false
	res, err = d.Decode(context.Background(), &decode.Input{
		Values: in.Values[4:], Offsets: in.Offsets[4:], Topics: in.Topics[4:], Partitions: in.Partitions[4:],
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.NumRows() != 2 || len(res.Errors) != 1 || res.Errors[0].Offset != 106 || !errors.Is(res.Errors[0].Err, decode.ErrUnknownSchema) {
		t.Fatalf("after the outage: %d rows, errors %+v", res.NumRows(), res.Errors)
	}
}

// A cancelled context is not an outage: the call fails and returns nothing.
func TestDecodeCancelledIsNotAnOutage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	reg := &fakeRegistry{schemas: map[int]string{1: "a"}, down: true}
	d, err := decode.New(decode.Config{Compiler: intCompiler, Wire: decode.WireConfluent, Registry: reg, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := d.Decode(ctx, recs(framed(1, "1")))
	var oe *decode.OutageError
	if res != nil || err == nil || errors.As(err, &oe) {
		t.Fatalf("cancelled: result %v, err %v; want no result and no OutageError", res, err)
	}
}

// Bad framing and ids the registry cannot have are the record's error; the
// records around them decode.
func TestDecodeBadHeadersAreRecordErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	reg := &fakeRegistry{schemas: map[int]string{1: "a", 3: "unsupported"}}
	d, err := decode.New(decode.Config{Compiler: intCompiler, Wire: decode.WireConfluent, Registry: reg, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	in := recs(
		framed(1, "1"),
		[]byte{0x00, 0x80, 0x00, 0x00, 0x07, '2'}, // id -2147483641
		[]byte{0x00, 0xff, 0xff, 0xff, 0xff},      // id -1
		[]byte{0x05, 0x00, 0x00, 0x00, 0x01, '3'}, // magic byte 5
		[]byte{0x00, 0x00, 0x01},                  // truncated header
		framed(7, "4"),                            // unknown id
		framed(3, "5"),                            // schema with no plan
		framed(1, "6"),
	)
	res, err := d.Decode(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	want := []string{"malformed", "malformed", "malformed", "malformed", "unknown_schema", "unsupported"}
	if res.NumRows() != 2 || len(res.Errors) != len(want) {
		t.Fatalf("%d rows, errors %+v", res.NumRows(), res.Errors)
	}
	for i, e := range res.Errors {
		if e.Index != i+1 || decode.Kind(e.Err) != want[i] {
			t.Errorf("error %d: record %d kind %q (%v), want record %d kind %q", i, e.Index, decode.Kind(e.Err), e.Err, i+1, want[i])
		}
	}
	if !errors.Is(res.Errors[0].Err, wire.ErrNegativeID) || res.Errors[0].SchemaID != -1 || !strings.Contains(res.Errors[0].Err.Error(), "-2147483641") {
		t.Errorf("negative id: %+v", res.Errors[0])
	}
	if res.Errors[4].SchemaID != 7 {
		t.Errorf("unknown id reported as schema %d", res.Errors[4].SchemaID)
	}
	// Only ids that can exist were asked for: 1, 7 and 3.
	if reg.lookups != 3 {
		t.Errorf("registry lookups = %d, want 3", reg.lookups)
	}
}

// A writer schema that does not parse is the record's error, classed
// unsupported, and is compiled (and asked for) once.
func TestDecodeUnparsableSchemaIsRecordError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	comp := decode.CompilerFunc(func(s *registry.ResolvedSchema, path []int) (decode.Plan, error) {
		if s.Text == "{" {
			return nil, errors.New("schema: unexpected end of JSON input")
		}
		return intPlan{s.Text}, nil
	})
	reg := &fakeRegistry{schemas: map[int]string{1: "a", 2: "{"}}
	d, err := decode.New(decode.Config{Compiler: comp, Wire: decode.WireConfluent, Registry: reg, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Decode(context.Background(), recs(framed(2, "1"), framed(1, "2"), framed(2, "3")))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.NumRows() != 1 || len(res.Errors) != 2 || decode.Kind(res.Errors[0].Err) != "unsupported" ||
		!strings.Contains(res.Errors[1].Err.Error(), "unexpected end of JSON input") || reg.lookups != 2 {
		t.Fatalf("%d rows, errors %+v, %d lookups", res.NumRows(), res.Errors, reg.lookups)
	}
}

// The registry client's answers for a schema id, classified: every 404 is
// the record's error, everything else an outage.
func TestDecodeRegistryAnswers(t *testing.T) {
	closed := func() string { // a loopback port nothing listens on
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		return "http://" + addr
	}
	cases := []struct {
		name   string
		status int
		body   string
		url    string // instead of a server
		outage bool
	}{
		{name: "bare 404", status: 404, body: ""},
		{name: "404 html", status: 404, body: "<html><body>Not Found</body></html>"},
		{name: "404 text", status: 404, body: "no such schema"},
		{name: "404 code 40403", status: 404, body: `{"error_code":40403,"message":"Schema 7 not found"}`},
		{name: "404 code 404", status: 404, body: `{"error_code":404,"message":"not found"}`},
		{name: "404 unknown code", status: 404, body: `{"error_code":40499,"message":"gone"}`},
		{name: "500", status: 500, body: `{"error_code":50001,"message":"store error"}`, outage: true},
		{name: "503 bare", status: 503, outage: true},
		{name: "429", status: 429, body: `{"error_code":429,"message":"slow down"}`, outage: true},
		{name: "connection refused", url: closed(), outage: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var hits atomic.Int64
			url := c.url
			if url == "" {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					hits.Add(1)
					if r.URL.Path == "/schemas/ids/1" {
						_, _ = w.Write([]byte(`{"schema":"a"}`))
						return
					}
					w.WriteHeader(c.status)
					_, _ = w.Write([]byte(c.body))
				}))
				defer srv.Close()
				url = srv.URL
			}
			cl, err := registry.NewClient(url, registry.Retries(1), registry.Backoff(time.Millisecond, 2*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			d, err := decode.New(decode.Config{Compiler: intCompiler, Wire: decode.WireConfluent, Registry: cl, Allocator: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			first := framed(7, "0")
			if c.url == "" {
				first = framed(1, "0")
			}
			res, err := d.Decode(context.Background(), recs(first, framed(7, "1"), first))
			defer res.Release()
			var oe *decode.OutageError
			if c.outage {
				if !errors.As(err, &oe) || !errors.Is(err, decode.ErrRegistry) || res == nil || len(res.Errors) != 0 {
					t.Fatalf("got %v (result %+v), want an outage", err, res)
				}
				if c.url == "" && (oe.Index != 1 || res.NumRows() != 1 || oe.SchemaID != 7) {
					t.Fatalf("outage at %+v after %d rows, want record 1 after 1 row", oe, res.NumRows())
				}
				if c.url == "" && hits.Load() != 3 { // id 1, then id 7 twice: retried once
					t.Errorf("%d requests, want 3 (the failure retried once)", hits.Load())
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want the record's error", err)
			}
			if res.NumRows() != 2 || len(res.Errors) != 1 || res.Errors[0].Index != 1 ||
				!errors.Is(res.Errors[0].Err, decode.ErrUnknownSchema) || decode.Kind(res.Errors[0].Err) != "unknown_schema" {
				t.Fatalf("%d rows, errors %+v", res.NumRows(), res.Errors)
			}
			if hits.Load() != 2 { // id 1, id 7: a 404 is not retried
				t.Errorf("%d requests, want 2", hits.Load())
			}
		})
	}
}

// A registry URL with the wrong path answers 404 to everything. That is not
// every record naming an unknown schema: Decode reports an outage (naming
// registry.ErrNoAPI) and dead-letters nothing.
func TestDecodeWrongRegistryPathIsOutage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_code":404,"message":"RESTEASY003210: Could not find resource"}`))
	}))
	defer srv.Close()
	cl, err := registry.NewClient(srv.URL+"/wrong", registry.Retries(0))
	if err != nil {
		t.Fatal(err)
	}
	d, err := decode.New(decode.Config{Compiler: intCompiler, Wire: decode.WireConfluent, Registry: cl, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Decode(context.Background(), recs(framed(1, "0"), framed(1, "1")))
	defer res.Release()
	var oe *decode.OutageError
	if !errors.As(err, &oe) || !errors.Is(err, registry.ErrNoAPI) || oe.Index != 0 || len(res.Errors) != 0 {
		t.Fatalf("got %v, %+v: want an outage at record 0 naming ErrNoAPI", err, res)
	}
}
