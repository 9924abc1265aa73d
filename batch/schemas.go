package batch

import (
	"encoding/binary"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// SchemaCache maps Arrow schemas to what was built for them once — an encode
// plan, a bound expression, an interned output schema with its builder pool —
// keyed by the schema's content, not its pointer. A batch whose
// *arrow.Schema is new but equal to one seen before finds its entry with one
// hash lookup (no scan, no second build); the last few pointers seen skip
// even that. It holds at most Max entries and evicts the least recently used,
// so a stream of ever-new schemas costs bounded memory. Safe for concurrent
// use; concurrent Gets of one new schema build it once.
type SchemaCache[V any] struct {
	max     int
	onEvict func(V)

	mu      sync.Mutex
	byKey   map[string]*schemaEntry[V]
	head    *schemaEntry[V] // most recently used; head.prev is the least
	recent  [recentPointers]recentSchema[V]
	next    int    // recent slot written next
	key     []byte // scratch for the key of a miss
	builds  int64
	evicted int64
}

// recentPointers is how many schema pointers a cache remembers: enough for
// the handful of layouts a pipeline stage sees in turn.
const recentPointers = 8

type recentSchema[V any] struct {
	s *arrow.Schema
	e *schemaEntry[V]
}

type schemaEntry[V any] struct {
	key        string
	schema     *arrow.Schema // the first schema seen with this content
	v          V
	err        error
	ready      chan struct{} // closed once v or err is set
	prev, next *schemaEntry[V]
	gone       bool // evicted or failed: recent slots pointing here are stale
}

// NewSchemaCache returns a cache of at most size entries (at least 1).
// onEvict, when set, is called with each value evicted or dropped by Clear
// (outside the cache's lock), e.g. to release what the value holds.
func NewSchemaCache[V any](size int, onEvict func(V)) *SchemaCache[V] {
	return &SchemaCache[V]{max: max(size, 1), onEvict: onEvict, byKey: map[string]*schemaEntry[V]{}}
}

// Get returns the value built for schemas with s's content, calling build(s)
// if there is none. A failed build is not cached: the next Get tries again.
// canon is the schema the entry was first built for (equal to s; pointer
// equality with canon means "same layout" to callers that intern).
func (c *SchemaCache[V]) Get(s *arrow.Schema, build func(*arrow.Schema) (V, error)) (v V, canon *arrow.Schema, err error) {
	c.mu.Lock()
	e := c.lookup(s)
	if e == nil {
		c.key = AppendSchemaKey(c.key[:0], s)
		if e = c.byKey[string(c.key)]; e == nil {
			e = &schemaEntry[V]{key: string(c.key), schema: s, ready: make(chan struct{})}
			c.byKey[e.key] = e
			c.builds++
			evicted := c.pushFront(e)
			c.remember(s, e)
			c.mu.Unlock()
			c.release(evicted)
			e.v, e.err = build(s)
			if e.err != nil {
				c.mu.Lock()
				c.drop(e)
				c.mu.Unlock()
			}
			close(e.ready)
			return e.v, e.schema, e.err
		}
		c.remember(s, e)
	}
	c.moveFront(e)
	c.mu.Unlock()
	<-e.ready
	return e.v, e.schema, e.err
}

// lookup finds s among the recent pointers. Called with c.mu held.
func (c *SchemaCache[V]) lookup(s *arrow.Schema) *schemaEntry[V] {
	for i := range c.recent {
		if r := &c.recent[i]; r.s == s && r.e != nil {
			if r.e.gone {
				*r = recentSchema[V]{}
				return nil
			}
			return r.e
		}
	}
	return nil
}

func (c *SchemaCache[V]) remember(s *arrow.Schema, e *schemaEntry[V]) {
	c.recent[c.next] = recentSchema[V]{s: s, e: e}
	c.next = (c.next + 1) % recentPointers
}

// pushFront links e as the most recently used entry and unlinks the least
// recently used ones past max, returning them.
func (c *SchemaCache[V]) pushFront(e *schemaEntry[V]) []*schemaEntry[V] {
	c.link(e)
	var out []*schemaEntry[V]
	for len(c.byKey) > c.max {
		last := c.head.prev
		c.drop(last)
		c.evicted++
		out = append(out, last)
	}
	return out
}

func (c *SchemaCache[V]) link(e *schemaEntry[V]) {
	if c.head == nil {
		e.prev, e.next = e, e
	} else {
		e.next, e.prev = c.head, c.head.prev
		c.head.prev.next, c.head.prev = e, e
	}
	c.head = e
}

func (c *SchemaCache[V]) unlink(e *schemaEntry[V]) {
	if e.next == e {
		c.head = nil
	} else {
		e.prev.next, e.next.prev = e.next, e.prev
		if c.head == e {
			c.head = e.next
		}
	}
	e.prev, e.next = nil, nil
}

func (c *SchemaCache[V]) moveFront(e *schemaEntry[V]) {
	if c.head == e || e.gone {
		return
	}
	c.unlink(e)
	c.link(e)
}

// drop removes e from the map and the list. Called with c.mu held.
func (c *SchemaCache[V]) drop(e *schemaEntry[V]) {
	if e.gone {
		return
	}
	e.gone = true
	delete(c.byKey, e.key)
	c.unlink(e)
}

// release hands evicted values to onEvict once their builds are done.
func (c *SchemaCache[V]) release(es []*schemaEntry[V]) {
	if c.onEvict == nil {
		return
	}
	for _, e := range es {
		<-e.ready
		if e.err == nil {
			c.onEvict(e.v)
		}
	}
}

// Len is the number of entries.
func (c *SchemaCache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey)
}

// Builds is how many times Get called build: once per distinct schema content
// still or once cached, plus rebuilds after an eviction or a failure.
func (c *SchemaCache[V]) Builds() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.builds
}

// Clear drops every entry (calling onEvict for each).
func (c *SchemaCache[V]) Clear() {
	c.mu.Lock()
	var all []*schemaEntry[V]
	for c.head != nil {
		e := c.head
		c.drop(e)
		all = append(all, e)
	}
	c.recent = [recentPointers]recentSchema[V]{}
	c.mu.Unlock()
	c.release(all)
}

// AppendSchemaKey appends the identity of s to dst: every field's name,
// nullability, type and metadata at every nesting level, and the schema's
// metadata. Schemas with equal keys are interchangeable for decoding,
// binding and encoding.
func AppendSchemaKey(dst []byte, s *arrow.Schema) []byte {
	if s == nil {
		return append(dst, 0)
	}
	dst = appendMetadata(dst, s.Metadata())
	dst = appendLen(dst, s.NumFields())
	for _, f := range s.Fields() {
		dst = appendField(dst, f)
	}
	return dst
}

func appendField(dst []byte, f arrow.Field) []byte {
	dst = appendString(dst, f.Name)
	if f.Nullable {
		dst = append(dst, 1)
	} else {
		dst = append(dst, 0)
	}
	dst = appendMetadata(dst, f.Metadata)
	return appendType(dst, f.Type)
}

// appendType writes a type's fingerprint and, for nested types, their child
// fields in full (the fingerprint leaves out child metadata, which decoders
// read: a raw-JSON string column is a string with a metadata key).
func appendType(dst []byte, t arrow.DataType) []byte {
	if t == nil {
		return append(dst, 0)
	}
	dst = appendString(dst, t.Fingerprint())
	if n, ok := t.(arrow.NestedType); ok {
		fs := n.Fields()
		dst = appendLen(dst, len(fs))
		for _, f := range fs {
			dst = appendField(dst, f)
		}
	}
	if d, ok := t.(*arrow.DictionaryType); ok {
		dst = appendType(dst, d.ValueType)
	}
	return dst
}

func appendMetadata(dst []byte, m arrow.Metadata) []byte {
	dst = appendLen(dst, m.Len())
	for i, k := range m.Keys() {
		dst = appendString(dst, k)
		dst = appendString(dst, m.Values()[i])
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	return append(appendLen(dst, len(s)), s...)
}

// appendLen writes a count or length (never negative) as a uvarint.
func appendLen(dst []byte, n int) []byte {
	return binary.AppendUvarint(dst, uint64(n)) // #nosec G115 -- lengths are not negative
}
