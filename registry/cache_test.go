package registry_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/sabot-kafka/sabot/registry"
)

// TestResolveMillionTimesThreeIDs: a million resolves over three schema ids
// (what decoding a million records with three writer schemas does) make three
// id lookups.
func TestResolveMillionTimesThreeIDs(t *testing.T) {
	cs := newCountingServer(t, nil)
	c := newClient(t, cs.URL)
	ids := []int{
		mustRegister(t, c, "a-value", avroRecord("A", "x")),
		mustRegister(t, c, "b-value", avroRecord("B", "y")),
		mustRegister(t, c, "c-value", avroRecord("C", "z")),
	}
	reader := newClient(t, cs.URL) // a decoder's client: nothing cached yet
	ctx := ctxT(t)
	const n = 1_000_000
	for i := range n {
		id := ids[i%3]
		rs, err := reader.Resolve(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if rs.ID != id {
			t.Fatalf("resolve %d returned id %d", id, rs.ID)
		}
	}
	if got := cs.count("GET /schemas/ids/"); got != 3 {
		t.Fatalf("%d resolves made %d id lookups, want 3", n, got)
	}
}

// TestRegisterTwiceOneRequest: registering the same schema twice under a
// subject asks the registry once; another subject or schema asks again.
func TestRegisterTwiceOneRequest(t *testing.T) {
	cs := newCountingServer(t, nil)
	c := newClient(t, cs.URL)
	s := avroRecord("R", "a")
	id1 := mustRegister(t, c, "t-value", s)
	id2 := mustRegister(t, c, "t-value", s)
	if id1 != id2 {
		t.Fatalf("ids %d and %d", id1, id2)
	}
	if got := cs.count("POST /subjects/t-value/versions"); got != 1 {
		t.Fatalf("two registers made %d requests, want 1", got)
	}
	mustRegister(t, c, "u-value", s)
	mustRegister(t, c, "t-value", avroRecord("R")) // dropping a field is BACKWARD-compatible
	if got := cs.count("POST /subjects/"); got != 3 {
		t.Fatalf("three distinct (subject, schema) pairs made %d requests, want 3", got)
	}
	// A lookup fills the register cache too.
	if _, err := c.Lookup(ctxT(t), "u-value", s, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lookup(ctxT(t), "u-value", s, false); err != nil {
		t.Fatal(err)
	}
	if got := cs.count("POST /subjects/u-value"); got != 2 { // one register, one lookup
		t.Fatalf("lookups not cached: %d requests", got)
	}
}

// TestConcurrentMissesOneRequest: many goroutines missing the same id at
// once share one request.
func TestConcurrentMissesOneRequest(t *testing.T) {
	cs := newCountingServer(t, nil)
	id := mustRegister(t, newClient(t, cs.URL), "c-value", avroRecord("R", "a"))
	for round := range 20 {
		c := newClient(t, cs.URL)
		before := cs.count("GET /schemas/ids/")
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, 64)
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := c.Resolve(ctxT(t), id); err != nil {
					errs <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := cs.count("GET /schemas/ids/") - before; got != 1 {
			t.Fatalf("round %d: 64 concurrent resolves made %d requests, want 1", round, got)
		}
	}
}

// TestOutageServesSeenIDs: when the registry goes down, ids already seen
// keep resolving; an id never seen fails with an error that is not
// ErrNotFound (an outage, not a bad record).
func TestOutageServesSeenIDs(t *testing.T) {
	cs := newCountingServer(t, nil)
	c := newClient(t, cs.URL, registry.Retries(1))
	seen := mustRegister(t, c, "o-value", avroRecord("R", "a"))
	unseen := mustRegister(t, newClient(t, cs.URL), "p-value", avroRecord("S", "b"))
	if _, err := c.Resolve(ctxT(t), seen); err != nil {
		t.Fatal(err)
	}
	cs.down.Store(true)
	before := cs.total.Load()
	for range 1000 {
		rs, err := c.Resolve(ctxT(t), seen)
		if err != nil {
			t.Fatalf("seen id during outage: %v", err)
		}
		if rs.Text == "" {
			t.Fatal("empty schema from cache")
		}
	}
	if cs.total.Load() != before {
		t.Fatal("cached resolves reached the registry")
	}
	_, err := c.Resolve(ctxT(t), unseen)
	if err == nil {
		t.Fatal("unseen id resolved during outage")
	}
	if errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("outage reported as not found: %v", err)
	}
	var re *registry.Error
	if !errors.As(err, &re) || re.Code != registry.CodeStoreError || !re.Temporary() {
		t.Fatalf("outage error = %v, want a temporary *registry.Error with code 50001", err)
	}
	cs.down.Store(false)
	if _, err := c.Resolve(ctxT(t), unseen); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}

// TestLatestVersionTTL: LatestVersion answers are reused within the TTL and
// refreshed after it; a delete drops them at once.
func TestLatestVersionTTL(t *testing.T) {
	cs := newCountingServer(t, nil)
	c := newClient(t, cs.URL, registry.LatestTTL(1<<40)) // effectively forever
	mustRegister(t, c, "l-value", avroRecord("R", "a"))
	for range 5 {
		ss, err := c.LatestVersion(ctxT(t), "l-value")
		if err != nil || ss.Version != 1 {
			t.Fatalf("latest = %+v, %v", ss, err)
		}
	}
	if got := cs.count("GET /subjects/l-value/versions/latest"); got != 1 {
		t.Fatalf("5 latest lookups made %d requests, want 1", got)
	}
	if _, err := c.DeleteSubject(ctxT(t), "l-value", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LatestVersion(ctxT(t), "l-value"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("latest after delete: %v, want ErrNotFound", err)
	}

	uncached := newClient(t, cs.URL, registry.LatestTTL(0))
	mustRegister(t, uncached, "m-value", avroRecord("R", "a"))
	before := cs.count("GET /subjects/m-value/versions/latest")
	for range 3 {
		if _, err := uncached.LatestVersion(ctxT(t), "m-value"); err != nil {
			t.Fatal(err)
		}
	}
	if got := cs.count("GET /subjects/m-value/versions/latest") - before; got != 3 {
		t.Fatalf("TTL 0 made %d requests for 3 lookups, want 3", got)
	}
}
