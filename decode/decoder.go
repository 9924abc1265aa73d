package decode

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// Wire says how record values are framed.
type Wire uint8

const (
	// WireNone means values are bare payloads; the Compiler's own schema applies.
	WireNone Wire = iota
	// WireConfluent means values carry the Confluent header (magic byte, schema
	// id) or the schema GUID is in a record header; the writer schema comes
	// from the registry.
	WireConfluent
)

// Config configures a Decoder.
type Config struct {
	// Compiler builds the plan for each writer schema. Required.
	Compiler Compiler
	// Wire is the value framing (default WireNone).
	Wire Wire
	// MessageIndexes: values carry a Protobuf message-index path after the
	// wire-format header (set for Protobuf with WireConfluent).
	MessageIndexes bool
	// Registry resolves schema ids; required with WireConfluent. A Registry
	// that also implements GUIDResolver resolves ids carried in headers.
	Registry registry.Resolver
	// Metadata selects Kafka metadata columns appended after the value columns.
	Metadata Metadata
	// Allocator for every Arrow buffer (default memory.DefaultAllocator).
	Allocator memory.Allocator
}

// GUIDResolver resolves the schema GUIDs newer producers put in the
// __value_schema_id record header.
type GUIDResolver interface {
	ResolveGUID(ctx context.Context, guid string) (registry.ResolvedSchema, error)
}

// ErrRegistry wraps failures to reach the registry for a schema not seen
// before: the registry is down, unreachable, timing out, overloaded (HTTP 429)
// or failing (HTTP 5xx). It is not a bad record: Decode stops at the first
// record that meets it and returns an [*OutageError] (which wraps
// ErrRegistry) with the Result of the records before it; the caller delivers
// those and tries the rest again later. Records whose schemas were seen
// before keep decoding during an outage.
var ErrRegistry = errors.New("decode: schema registry unavailable")

// OutageError is what Decode returns when the registry could not be reached
// for the writer schema of record Index. The Result returned with it holds
// records 0..Index-1, decoded as usual (rows, record errors, tombstones);
// record Index and every record after it were not looked at, and belong to a
// later call.
type OutageError struct {
	// Index is the first record not decoded: the one whose schema could not
	// be fetched.
	Index int
	// Topic, Partition and Offset are record Index's position (as the Input
	// gives it: "", -1, -1 when it has none).
	Topic     string
	Partition int32
	Offset    int64
	// SchemaID is the id the record names, or -1 (a GUID header).
	SchemaID int
	// Err wraps ErrRegistry and the registry client's error.
	Err error
}

func (e *OutageError) Error() string {
	return fmt.Sprintf("decode: stopped at record %d (%s/%d@%d): %v", e.Index, e.Topic, e.Partition, e.Offset, e.Err)
}

// Unwrap returns Err, so errors.Is(err, ErrRegistry) holds.
func (e *OutageError) Unwrap() error { return e.Err }

// ErrClosed is returned by Decode after Close.
var ErrClosed = errors.New("decode: decoder closed")

// Result is what one Decode call produced.
type Result struct {
	// Batches hold the decoded rows in input order. A new batch starts where
	// the output layout changes (writer schemas whose columns are equal
	// share one) and around dropped records.
	Batches []arrow.RecordBatch
	// Errors are the records that did not decode, in input order.
	Errors []RecordError
	// Tombstones are the indexes of records with a null value: they carry no
	// row but are reported so callers can act on deletes.
	Tombstones []int
}

// NumRows is the number of decoded rows across Batches.
func (r *Result) NumRows() int64 {
	var n int64
	for _, b := range r.Batches {
		n += b.NumRows()
	}
	return n
}

// Release releases every batch. A nil Result is fine.
func (r *Result) Release() {
	if r == nil {
		return
	}
	for _, b := range r.Batches {
		b.Release()
	}
	r.Batches = nil
}

// Decoder decodes record values into Arrow record batches. It is safe for
// concurrent use: plans are compiled once per writer schema (and Protobuf
// message path) and shared, and every batch is built through the builder
// pool of its output layout (package batch), which sizes it like the last
// one.
type Decoder struct {
	cfg    Config
	mem    memory.Allocator
	closed atomic.Bool

	fixed *planEntry                             // WireNone: the one plan
	ids   cowMap[int, *idEntry]                  // WireConfluent: writer schema id → plans
	guids cowMap[string, int]                    // header GUID → schema id
	pools *batch.SchemaCache[*batch.BuilderPool] // output layout → its builder pool
}

// Bounds of the decoder's caches. Schema ids past maxSchemaIDs start a new
// table (known ids recompile on their next record); layouts past maxLayouts
// lose their idle builders, least recently used first.
const (
	maxSchemaIDs   = 1024
	maxPlanPaths   = 256
	maxLayouts     = 64
	maxIdleBuilder = 4 // idle builder sets per layout: one per concurrent Decode
)

// idEntry holds the plans of one writer schema: one, or one per Protobuf
// message path.
type idEntry struct {
	schema registry.ResolvedSchema
	mu     sync.Mutex // serializes the compile of one
	one    atomic.Pointer[planEntry]
	paths  cowMap[string, *planEntry] // canonical index-path bytes → plan
}

// planEntry is a compiled plan (or its compile error) and its output layout.
type planEntry struct {
	plan   Plan
	fields int           // value columns; metadata columns follow
	schema *arrow.Schema // interned: equal layouts share the pointer
	err    error
}

// RowsAppender is implemented by Appenders whose payloads may hold several
// rows (an Arrow IPC stream). AppendRows appends every row and returns how
// many; on error it appends exactly one row, which the caller drops.
type RowsAppender interface {
	AppendRows(payload []byte) (int, error)
}

// New returns a Decoder for cfg.
func New(cfg Config) (*Decoder, error) {
	if cfg.Compiler == nil {
		return nil, errors.New("decode: Config.Compiler is required")
	}
	if cfg.Wire == WireConfluent && cfg.Registry == nil {
		return nil, errors.New("decode: WireConfluent needs Config.Registry")
	}
	d := &Decoder{cfg: cfg, mem: cfg.Allocator}
	if d.mem == nil {
		d.mem = memory.DefaultAllocator
	}
	d.ids.max, d.guids.max = maxSchemaIDs, maxSchemaIDs
	d.pools = batch.NewSchemaCache(maxLayouts, (*batch.BuilderPool).Close)
	if cfg.Wire == WireNone {
		d.fixed = d.compile(nil, nil)
		if d.fixed.err != nil {
			return nil, d.fixed.err
		}
	}
	return d, nil
}

// Schema is the Arrow schema of every batch when values carry no wire-format
// header; with WireConfluent it depends on the writer schema and Schema
// returns nil.
func (d *Decoder) Schema() *arrow.Schema {
	if d.fixed != nil {
		return d.fixed.schema
	}
	return nil
}

func (d *Decoder) compile(s *registry.ResolvedSchema, path []int) *planEntry {
	plan, err := d.cfg.Compiler.Compile(s, path)
	if err != nil {
		if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) {
			// A schema that does not parse, is of another format or does
			// not match the reader schema: no plan can decode its records.
			err = fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
		return &planEntry{err: fmt.Errorf("decode: compiling plan: %w", err)}
	}
	fields := append(append([]arrow.Field(nil), plan.Fields()...), d.cfg.Metadata.Fields()...)
	_, schema, err := d.pools.Get(arrow.NewSchema(fields, nil), d.newPool)
	if err != nil {
		return &planEntry{err: err}
	}
	return &planEntry{plan: plan, fields: len(plan.Fields()), schema: schema}
}

func (d *Decoder) newPool(s *arrow.Schema) (*batch.BuilderPool, error) {
	return batch.NewBuilderPool(d.mem, s, maxIdleBuilder), nil
}

// Close releases the builders kept between calls. Decode returns ErrClosed
// afterwards. Close is idempotent.
func (d *Decoder) Close() {
	if d.closed.CompareAndSwap(false, true) {
		d.pools.Clear()
	}
}

// bound is a plan's appender for one builder set.
type bound struct {
	app  Appender
	rows RowsAppender // app, when its payloads may hold several rows
}

// metaKey is the Builders.Bound key of a set's metadata appender.
type metaKey struct{}

// run is the batch being built by one Decode call.
type run struct {
	d      *Decoder
	in     *Input
	res    *Result
	schema *arrow.Schema // the open batch's layout; nil when none is open
	pool   *batch.BuilderPool
	set    *batch.Builders
	meta   *metaAppender
	plan   *planEntry // whose appender app is
	app    bound
	rows   int
	bad    []int // rows of the open batch to drop
}

// Decode decodes the records of in. Records that do not decode are listed in
// Result.Errors and left out of the batches: a value that does not parse, a
// malformed or negative wire-format header, a schema id or GUID the registry
// does not have (any 404), a writer schema that does not parse or compile.
//
// An unreachable registry for a schema not seen before is not a record's
// fault: Decode stops at that record and returns the Result of the records
// before it together with an [*OutageError] naming where it stopped. Any
// other error is for the whole call (a cancelled context, an Input missing a
// column the Decoder needs) and comes with a nil Result. The caller releases
// the Result, also the one returned with an OutageError.
func (d *Decoder) Decode(ctx context.Context, in *Input) (*Result, error) {
	if d.closed.Load() {
		return nil, ErrClosed
	}
	if err := in.check(d.cfg.Metadata); err != nil {
		return nil, err
	}
	r := &run{d: d, in: in, res: &Result{}}
	var (
		lastID   = -1
		lastPlan *planEntry
		lastPath []byte // canonical message-index path of lastPlan
		indexes  []int  // scratch for message-index paths
		pathKey  [2 * wire.MaxMessageIndexes * 5]byte
	)
	for i, v := range in.Values {
		if v == nil {
			r.res.Tombstones = append(r.res.Tombstones, i)
			continue
		}
		pe, payload, id := d.fixed, v, -1
		var err error
		if pe == nil {
			id, payload, err = d.schemaID(ctx, in, i, v)
			if err == nil {
				switch {
				case !d.cfg.MessageIndexes && id == lastID:
					pe = lastPlan
				case !d.cfg.MessageIndexes:
					if pe, err = d.plan(ctx, id, nil, nil); err == nil {
						lastID, lastPlan = id, pe
					}
				default:
					var path []int
					path, payload, err = wire.ParseMessageIndexes(payload, indexes[:0])
					indexes = path
					if err != nil {
						err = fmt.Errorf("%w: %w", ErrMalformed, err)
						break
					}
					// The canonical encoding keys the plan, so the long and
					// short forms of [0] share one.
					canon := wire.AppendMessageIndexes(pathKey[:0], path)
					if id == lastID && string(canon) == string(lastPath) {
						pe = lastPlan
					} else if pe, err = d.plan(ctx, id, path, canon); err == nil {
						lastID, lastPlan, lastPath = id, pe, append(lastPath[:0], canon...)
					}
				}
			}
		}
		if err == nil && pe.err != nil {
			err = pe.err
		}
		if err != nil {
			if ctx.Err() != nil {
				r.flush()
				r.res.Release()
				return nil, err
			}
			if errors.Is(err, ErrRegistry) {
				r.flush()
				topic, part, off := in.position(i)
				return r.res, &OutageError{Index: i, Topic: topic, Partition: part, Offset: off, SchemaID: id, Err: err}
			}
			r.res.Errors = append(r.res.Errors, r.recordError(i, id, err))
			continue
		}
		if err := r.append(i, pe, payload, id); err != nil {
			r.drop()
			r.res.Release()
			return nil, err
		}
	}
	r.flush()
	return r.res, nil
}

// append decodes payload (record i) into the open batch, opening one for
// pe's layout when the layout changes.
func (r *run) append(i int, pe *planEntry, payload []byte, id int) error {
	if pe.schema != r.schema {
		r.flush()
		if err := r.open(pe.schema); err != nil {
			return err
		}
	}
	if pe != r.plan {
		v, err := r.set.Bound(pe, func(bs []array.Builder) (any, error) {
			app, err := pe.plan.Bind(bs[:pe.fields])
			if err != nil {
				return nil, fmt.Errorf("decode: binding plan: %w", err)
			}
			rows, _ := app.(RowsAppender)
			return bound{app, rows}, nil
		})
		if err != nil {
			return err
		}
		r.plan, r.app = pe, v.(bound)
	}
	n := 1
	var err error
	if r.app.rows != nil {
		n, err = r.app.rows.AppendRows(payload)
	} else {
		err = r.app.app.Append(payload)
	}
	if err != nil {
		n = 1
		r.bad = append(r.bad, r.rows)
		r.res.Errors = append(r.res.Errors, r.recordError(i, id, err))
	}
	for range n {
		r.meta.append(r.in, i)
	}
	r.rows += n
	return nil
}

// open starts a batch of layout schema with a builder set from its pool.
func (r *run) open(schema *arrow.Schema) error {
	var (
		pool *batch.BuilderPool
		set  *batch.Builders
		err  error
	)
	// A pool evicted (and closed) by another call between the two Gets is
	// gone from the cache: the next Get makes a new one.
	for range 3 {
		if pool, _, err = r.d.pools.Get(schema, r.d.newPool); err != nil {
			return err
		}
		if set, err = pool.Get(); !errors.Is(err, batch.ErrClosed) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	nv := schema.NumFields() - len(r.d.cfg.Metadata.Fields())
	meta, err := set.Bound(metaKey{}, func(bs []array.Builder) (any, error) {
		return newMetaAppender(r.d.cfg.Metadata, bs[nv:]), nil
	})
	if err != nil {
		pool.Put(set)
		return err
	}
	r.schema, r.pool, r.set, r.meta, r.plan = schema, pool, set, meta.(*metaAppender), nil
	return nil
}

// flush finishes the open batch into the Result, leaving out the rows listed
// in bad by slicing around them (no copy).
func (r *run) flush() {
	if r.set == nil {
		return
	}
	rec := r.set.NewRecordBatch(r.rows)
	r.pool.Put(r.set)
	out := r.res.Batches
	if len(r.bad) == 0 {
		out = append(out, rec)
	} else {
		start := 0
		for _, b := range append(r.bad, r.rows) {
			if b > start {
				out = append(out, rec.NewSlice(int64(start), int64(b)))
			}
			start = b + 1
		}
		rec.Release()
	}
	r.res.Batches = out
	r.schema, r.pool, r.set, r.meta, r.plan, r.rows, r.bad = nil, nil, nil, nil, nil, 0, r.bad[:0]
}

// drop abandons the open batch (its builder set is released, not pooled).
func (r *run) drop() {
	if r.set != nil {
		r.pool.Put(r.set)
		r.schema, r.pool, r.set, r.meta, r.plan = nil, nil, nil, nil, nil
	}
}

func (r *run) recordError(i, id int, err error) RecordError {
	topic, part, off := r.in.position(i)
	return RecordError{Index: i, Topic: topic, Partition: part, Offset: off, SchemaID: id, Err: err}
}

// plan returns the plan of schema id (and Protobuf message path, whose
// canonical bytes are canon), compiling it on first use.
func (d *Decoder) plan(ctx context.Context, id int, path []int, canon []byte) (*planEntry, error) {
	e, err := d.entry(ctx, id)
	if err != nil {
		return nil, err
	}
	if canon == nil {
		if pe := e.one.Load(); pe != nil {
			return pe, nil
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		pe := e.one.Load()
		if pe == nil {
			pe = d.compile(&e.schema, nil)
			e.one.Store(pe)
		}
		return pe, nil
	}
	if pe, ok := e.paths.load(string(canon)); ok {
		return pe, nil
	}
	return e.paths.loadOrStore(string(canon), func() *planEntry {
		return d.compile(&e.schema, append([]int(nil), path...))
	}), nil
}

// schemaID reads record i's writer schema id from the value header or, when
// present, the schema GUID header (whose value then has no magic-byte
// prefix).
func (d *Decoder) schemaID(ctx context.Context, in *Input, i int, v []byte) (int, []byte, error) {
	for _, h := range in.RecordHeaders(i) {
		if h.Key != wire.ValueSchemaIDHeader {
			continue
		}
		guid, err := wire.ParseGUIDHeader(h.Value)
		if err != nil {
			return -1, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		id, err := d.idForGUID(ctx, guid)
		return id, v, err
	}
	id, payload, err := wire.ParseHeader(v)
	if err != nil {
		return -1, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return id, payload, nil
}

func (d *Decoder) idForGUID(ctx context.Context, guid string) (int, error) {
	if id, ok := d.guids.load(guid); ok {
		return id, nil
	}
	gr, ok := d.cfg.Registry.(GUIDResolver)
	if !ok {
		return -1, fmt.Errorf("decode: record carries schema GUID %s but the registry client cannot resolve GUIDs", guid)
	}
	s, err := gr.ResolveGUID(ctx, guid)
	if err != nil {
		return -1, classifyRegistryErr(err, "guid "+guid)
	}
	d.ids.loadOrStore(s.ID, func() *idEntry { return newIDEntry(s) })
	return d.guids.loadOrStore(guid, func() int { return s.ID }), nil
}

func newIDEntry(s registry.ResolvedSchema) *idEntry {
	e := &idEntry{schema: s}
	e.paths.max = maxPlanPaths
	return e
}

func (d *Decoder) entry(ctx context.Context, id int) (*idEntry, error) {
	if e, ok := d.ids.load(id); ok {
		return e, nil
	}
	s, err := d.cfg.Registry.Resolve(ctx, id)
	if err != nil {
		return nil, classifyRegistryErr(err, fmt.Sprintf("id %d", id))
	}
	return d.ids.loadOrStore(id, func() *idEntry { return newIDEntry(s) }), nil
}

// classifyRegistryErr separates a bad record from an outage. The registry
// not having the schema (an error wrapping registry.ErrNotFound, or any HTTP
// 404 answer, with or without a registry error code) is ErrUnknownSchema; a
// schema the registry holds but that cannot be used (its references form a
// cycle, it is invalid) is ErrUnsupported. Both are the record's error.
// Anything else — connection failures, timeouts, 5xx, 429, a garbled answer
// — is an outage (ErrRegistry): the records wait for the registry rather than
// being dead-lettered for its failure.
func classifyRegistryErr(err error, what string) error {
	switch {
	case registry.IsNotFound(err):
		return fmt.Errorf("%w %s: %w", ErrUnknownSchema, what, err)
	case errors.Is(err, registry.ErrReferenceCycle), errors.Is(err, registry.ErrInvalidSchema):
		return fmt.Errorf("%w: schema %s: %w", ErrUnsupported, what, err)
	}
	return fmt.Errorf("%w: schema %s: %w", ErrRegistry, what, err)
}

// cowMap is a bounded copy-on-write map: loads take no lock, which keeps
// locks out of the per-record path; stores copy (they are rare: a new
// schema). Past max entries a store starts a new map.
type cowMap[K comparable, V any] struct {
	max int
	m   atomic.Pointer[map[K]V]
	mu  sync.Mutex
}

func (c *cowMap[K, V]) load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// loadOrStore returns k's value, storing mk() first when there is none.
func (c *cowMap[K, V]) loadOrStore(k K, mk func() V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[K]V
	if m := c.m.Load(); m != nil {
		old = *m
	}
	if v, ok := old[k]; ok {
		return v
	}
	next := make(map[K]V, len(old)+1)
	if len(old) < c.max {
		for kk, vv := range old {
			next[kk] = vv
		}
	}
	v := mk()
	next[k] = v
	c.m.Store(&next)
	return v
}
