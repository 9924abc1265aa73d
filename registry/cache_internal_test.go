package registry

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestClockCacheBounded: the cache never holds more than its bound, and
// entries hit since the last sweep survive eviction.
func TestClockCacheBounded(t *testing.T) {
	c := newClockCache[int, int](4)
	for i := range 4 {
		c.put(i, i*10, 0)
	}
	for range 3 {
		c.get(0) // keep 0 hot
	}
	for i := 4; i < 100; i++ {
		c.put(i, i*10, 0)
		c.get(0)
		if n := c.len(); n > 4 {
			t.Fatalf("cache holds %d entries, bound 4", n)
		}
	}
	if v, ok := c.get(0); !ok || v != 0 {
		t.Fatal("the hot entry was evicted")
	}
	if _, ok := c.get(1); ok {
		t.Fatal("a cold entry survived 96 insertions")
	}
	c.put(99, 7, 0) // update in place
	if v, _ := c.get(99); v != 7 || c.len() > 4 {
		t.Fatalf("update: %d, len %d", v, c.len())
	}
	c.deleteIf(func(k int) bool { return k == 99 })
	if _, ok := c.get(99); ok || c.len() != 3 {
		t.Fatal("deleteIf kept the entry")
	}
}

func TestClockCacheTTL(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newClockCache[string, int](8)
	c.now = func() time.Time { return now }
	c.put("a", 1, time.Minute)
	if _, ok := c.get("a"); !ok {
		t.Fatal("fresh entry missing")
	}
	now = now.Add(time.Minute)
	if _, ok := c.get("a"); ok {
		t.Fatal("expired entry served")
	}
}

// TestFlightLeaderCancelled: when the caller running the shared request
// gives up, the waiters (whose contexts are live) ask again instead of
// inheriting the cancellation; the waiters' own cancellation ends their wait.
func TestFlightLeaderCancelled(t *testing.T) {
	var g flightGroup[int, string]
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	started := make(chan struct{})
	calls := 0
	var mu sync.Mutex
	fn := func(ctx context.Context) (string, error) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			close(started)
			<-ctx.Done()
			return "", ctx.Err()
		}
		return "value", nil
	}
	leaderErr := make(chan error, 1)
	go func() {
		_, err := g.do(leaderCtx, 1, fn)
		leaderErr <- err
	}()
	<-started
	waiterVal := make(chan string, 1)
	go func() {
		v, err := g.do(context.Background(), 1, fn)
		if err != nil {
			t.Error(err)
		}
		waiterVal <- v
	}()
	for g.waiting(1) != 1 {
		time.Sleep(time.Millisecond)
	}
	cancelLeader()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v", err)
	}
	if v := <-waiterVal; v != "value" {
		t.Fatalf("waiter got %q", v)
	}

	// A waiter whose own context ends stops waiting.
	block := make(chan struct{})
	go func() {
		_, _ = g.do(context.Background(), 2, func(context.Context) (string, error) { <-block; return "x", nil })
	}()
	for g.waiting(2) != 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := g.do(ctx, 2, fn); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiter with a deadline: %v", err)
	}
	close(block)
}

func TestBackoffJitter(t *testing.T) {
	c := &Client{cfg: defaultConfig()}
	c.cfg.backoffBase, c.cfg.backoffMax = 100*time.Millisecond, time.Second
	for attempt := 1; attempt < 10; attempt++ {
		ceil := min(c.cfg.backoffBase<<(attempt-1), c.cfg.backoffMax)
		seen := map[time.Duration]bool{}
		for range 200 {
			d := c.backoff(attempt)
			if d < c.cfg.backoffBase/2 || d > ceil {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", attempt, d, c.cfg.backoffBase/2, ceil)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Fatalf("attempt %d: %d distinct delays in 200 draws: no jitter", attempt, len(seen))
		}
	}
}

func TestParseErrorBody(t *testing.T) {
	for _, tc := range []struct {
		body string
		code int
		msg  string
	}{
		{`{"error_code":40401,"message":"Subject 'x' not found."}`, 40401, "Subject 'x' not found."},
		{`{"error_code":"42201","message":"bad"}`, 42201, "bad"},
		{`{"message":"only a message"}`, 0, "only a message"},
		{`{"error_code":1e99}`, 0, ""},
		{"line one\n\tline two", 0, "line one line two"},
		{"<html><body>proxy</body></html>", 0, ""},
		{`{"error_code":50001,"message":{"nested":true}}`, 50001, `{"nested":true}`},
	} {
		e := parseErrorBody("GET", "/p", 500, []byte(tc.body))
		if e.Code != tc.code || e.Message != tc.msg {
			t.Errorf("%q: code %d msg %q, want %d %q", tc.body, e.Code, e.Message, tc.code, tc.msg)
		}
	}
	long := parseErrorBody("GET", "/p", 500, []byte(`{"message":"`+repeat("é", 1000)+`"}`))
	if len(long.Message) > maxErrorMessage+4 {
		t.Fatalf("message of %d bytes not trimmed", len(long.Message))
	}
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}
