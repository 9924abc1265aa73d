package registry

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// clockCache is a bounded map with CLOCK (second-chance) eviction. A hit is a
// read lock and an atomic store, so the hot path of a decoder resolving the
// same few ids millions of times never takes the write lock. Entries may carry
// an expiry for the caches with a TTL.
type clockCache[K comparable, V any] struct {
	mu   sync.RWMutex
	m    map[K]*clockEntry[K, V]
	ring []*clockEntry[K, V]
	hand int
	max  int
	now  func() time.Time
}

type clockEntry[K comparable, V any] struct {
	key     K
	val     V
	expires time.Time // zero: never
	ref     atomic.Bool
}

func newClockCache[K comparable, V any](maxEntries int) *clockCache[K, V] {
	return &clockCache[K, V]{m: make(map[K]*clockEntry[K, V]), max: maxEntries, now: time.Now}
}

func (c *clockCache[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	e := c.m[k]
	c.mu.RUnlock()
	if e == nil || (!e.expires.IsZero() && !c.now().Before(e.expires)) {
		var zero V
		return zero, false
	}
	if !e.ref.Load() {
		e.ref.Store(true)
	}
	return e.val, true
}

// put stores v under k, valid for ttl (0: until evicted).
func (c *clockCache[K, V]) put(k K, v V, ttl time.Duration) {
	e := &clockEntry[K, V]{key: k, val: v}
	if ttl > 0 {
		e.expires = c.now().Add(ttl)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[k]; old != nil {
		c.m[k] = e
		for i, r := range c.ring {
			if r == old {
				c.ring[i] = e
				break
			}
		}
		return
	}
	c.m[k] = e
	if len(c.ring) < c.max {
		c.ring = append(c.ring, e)
		return
	}
	// Sweep: clear reference bits until an unreferenced (or expired) entry
	// comes under the hand, and replace it.
	now := c.now()
	for {
		victim := c.ring[c.hand]
		expired := !victim.expires.IsZero() && !now.Before(victim.expires)
		if expired || !victim.ref.Load() {
			delete(c.m, victim.key)
			c.ring[c.hand] = e
			c.hand = (c.hand + 1) % len(c.ring)
			return
		}
		victim.ref.Store(false)
		c.hand = (c.hand + 1) % len(c.ring)
	}
}

// deleteIf drops every entry whose key matches.
func (c *clockCache[K, V]) deleteIf(match func(K) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.ring[:0]
	for _, e := range c.ring {
		if match(e.key) {
			delete(c.m, e.key)
			continue
		}
		kept = append(kept, e)
	}
	clear(c.ring[len(kept):])
	c.ring = kept
	if c.hand >= len(c.ring) {
		c.hand = 0
	}
}

func (c *clockCache[K, V]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// flightGroup makes concurrent callers asking for the same key share one
// request. It starts no goroutines: the first caller runs the request with
// its own context and the others wait for it or for their own context.
type flightGroup[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*flight[V]
}

type flight[V any] struct {
	done    chan struct{}
	val     V
	err     error
	waiters atomic.Int32
	// abandoned: the leader's own context ended, so err says nothing
	// about the key.
	abandoned bool
}

func (g *flightGroup[K, V]) do(ctx context.Context, k K, fn func(context.Context) (V, error)) (V, error) {
	for {
		g.mu.Lock()
		if g.m == nil {
			g.m = make(map[K]*flight[V])
		}
		f, ok := g.m[k]
		if !ok {
			f = &flight[V]{done: make(chan struct{})}
			g.m[k] = f
			g.mu.Unlock()
			f.val, f.err = fn(ctx)
			f.abandoned = f.err != nil && ctx.Err() != nil
			g.mu.Lock()
			delete(g.m, k)
			g.mu.Unlock()
			close(f.done)
			return f.val, f.err
		}
		g.mu.Unlock()
		f.waiters.Add(1)
		select {
		case <-f.done:
			f.waiters.Add(-1)
			// The leader gave up because its own context ended; ours is
			// still live, so ask again rather than inherit its cancellation.
			if f.abandoned && ctx.Err() == nil {
				continue
			}
			return f.val, f.err
		case <-ctx.Done():
			f.waiters.Add(-1)
			var zero V
			return zero, ctx.Err()
		}
	}
}

// waiting reports how many callers wait on the flight for k (for tests).
func (g *flightGroup[K, V]) waiting(k K) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.m[k]; ok {
		return int(f.waiters.Load())
	}
	return -1
}
