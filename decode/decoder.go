package decode

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

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
// before. The call that meets one decodes nothing; the caller retries later.
// Records whose schemas were seen before keep decoding during an outage.
var ErrRegistry = errors.New("decode: schema registry unavailable")

// Result is what one Decode call produced.
type Result struct {
	// Batches hold the decoded rows in input order. A new batch starts where
	// the writer schema changes and around dropped records.
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

// Release releases every batch.
func (r *Result) Release() {
	for _, b := range r.Batches {
		b.Release()
	}
	r.Batches = nil
}

// Decoder decodes slices of Kafka records into Arrow record batches. It is safe
// for concurrent use; plans are compiled once per writer schema and shared.
type Decoder struct {
	cfg Config
	mem memory.Allocator

	mu     sync.RWMutex
	byID   map[int]*idEntry // WireConfluent: writer schema id → plans
	byGUID map[string]int   // header GUID → schema id
	fixed  *planEntry       // WireNone: the one plan
}

// idEntry holds the plans of one writer schema: one, or one per Protobuf
// message path.
type idEntry struct {
	schema registry.ResolvedSchema
	mu     sync.Mutex
	one    *planEntry
	byPath map[string]*planEntry // canonical index-path bytes → plan
}

// planEntry is a compiled plan (or its compile error) and its idle builder
// sets.
type planEntry struct {
	plan   Plan
	schema *arrow.Schema // value fields then metadata fields
	err    error

	mu   sync.Mutex
	free []*builderSet // bounded (maxIdleSets); released by Close
	// The last batch's rows and per-column data bytes: the next set is
	// reserved to that size, since growing builders by doubling from empty
	// costs about as much as decoding into them.
	lastRows int
	lastData []int
}

// maxIdleSets bounds the idle builder sets kept per plan (one per concurrent
// Decode call is enough).
const maxIdleSets = 4

// builderSet is one goroutine's builders for one plan.
type builderSet struct {
	bs   []array.Builder
	app  Appender
	rows RowsAppender // app, when its payloads may hold several rows
	meta *metaAppender
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
	d := &Decoder{cfg: cfg, mem: cfg.Allocator, byID: map[int]*idEntry{}, byGUID: map[string]int{}}
	if d.mem == nil {
		d.mem = memory.DefaultAllocator
	}
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
	pe := &planEntry{}
	plan, err := d.cfg.Compiler.Compile(s, path)
	if err != nil {
		pe.err = fmt.Errorf("decode: compiling plan: %w", err)
		return pe
	}
	pe.plan = plan
	fields := append(append([]arrow.Field(nil), plan.Fields()...), d.cfg.Metadata.Fields()...)
	pe.schema = arrow.NewSchema(fields, nil)
	return pe
}

func (d *Decoder) getSet(pe *planEntry) (*builderSet, error) {
	pe.mu.Lock()
	var s *builderSet
	if n := len(pe.free); n > 0 {
		s, pe.free = pe.free[n-1], pe.free[:n-1]
	}
	rows, data := pe.lastRows, pe.lastData
	pe.mu.Unlock()
	if s == nil {
		fields := pe.schema.Fields()
		nv := len(pe.plan.Fields())
		s = &builderSet{bs: make([]array.Builder, len(fields))}
		for i, f := range fields {
			s.bs[i] = array.NewBuilder(d.mem, f.Type)
		}
		app, err := pe.plan.Bind(s.bs[:nv])
		if err != nil {
			s.release()
			return nil, fmt.Errorf("decode: binding plan: %w", err)
		}
		s.app = app
		s.rows, _ = app.(RowsAppender)
		s.meta = newMetaAppender(d.cfg.Metadata, s.bs[nv:])
	}
	if rows > 0 {
		for i, b := range s.bs {
			b.Reserve(rows)
			if bin, ok := b.(interface{ ReserveData(int) }); ok && i < len(data) && data[i] > 0 {
				bin.ReserveData(data[i])
			}
		}
	}
	return s, nil
}

// putSet returns an emptied set to pe's free list (or releases it).
func (pe *planEntry) putSet(s *builderSet) {
	for _, b := range s.bs {
		if db, ok := b.(array.DictionaryBuilder); ok {
			db.ResetFull() // a dictionary describes one batch, not every batch so far
		}
	}
	pe.mu.Lock()
	if len(pe.free) < maxIdleSets {
		pe.free = append(pe.free, s)
		s = nil
	}
	pe.mu.Unlock()
	if s != nil {
		s.release()
	}
}

func (s *builderSet) release() {
	for _, b := range s.bs {
		b.Release()
	}
}

// Close releases the builders kept between calls. The Decoder must not be used
// afterwards.
func (d *Decoder) Close() {
	release := func(pe *planEntry) {
		if pe == nil {
			return
		}
		pe.mu.Lock()
		free := pe.free
		pe.free = nil
		pe.mu.Unlock()
		for _, s := range free {
			s.release()
		}
	}
	release(d.fixed)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.byID {
		e.mu.Lock()
		release(e.one)
		for _, pe := range e.byPath {
			release(pe)
		}
		e.mu.Unlock()
	}
}

// Decode decodes recs. Records that do not decode are listed in Result.Errors
// and left out of the batches; the returned error is for failures of the whole
// call (a cancelled context, an unreachable registry for an unseen schema).
// The caller releases the Result.
func (d *Decoder) Decode(ctx context.Context, recs []*kgo.Record) (*Result, error) {
	res := &Result{}
	var (
		cur     *planEntry
		set     *builderSet
		rows    int
		bad     []int // rows of the current batch to drop
		indexes []int // scratch for message-index paths
	)
	flush := func() {
		if set == nil {
			return
		}
		res.Batches = appendBatches(res.Batches, cur, set.bs, rows, bad)
		cur.putSet(set)
		set, rows, bad = nil, 0, bad[:0]
	}
	for i, r := range recs {
		if r.Value == nil {
			res.Tombstones = append(res.Tombstones, i)
			continue
		}
		pe, payload, id, err := d.lookup(ctx, r, &indexes)
		if err == nil && pe.err != nil {
			err = pe.err
		}
		if err != nil {
			if errors.Is(err, ErrRegistry) || ctx.Err() != nil {
				flush()
				res.Release()
				return nil, err
			}
			res.Errors = append(res.Errors, recordError(i, r, id, err))
			continue
		}
		if pe != cur {
			flush()
			if set, err = d.getSet(pe); err != nil {
				res.Release()
				return nil, err
			}
			cur = pe
		}
		n := 1
		if set.rows != nil {
			n, err = set.rows.AppendRows(payload)
		} else {
			err = set.app.Append(payload)
		}
		if err != nil {
			n = 1
			bad = append(bad, rows)
			res.Errors = append(res.Errors, recordError(i, r, id, err))
		}
		for range n {
			set.meta.append(r)
		}
		rows += n
	}
	flush()
	return res, nil
}

func recordError(i int, r *kgo.Record, id int, err error) RecordError {
	return RecordError{Index: i, Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, SchemaID: id, Err: err}
}

// appendBatches finishes the builders into a batch of rows rows and appends it
// to out, leaving out the rows listed in bad by slicing around them (no copy).
// It records the batch's size in pe for the next set's reservation.
func appendBatches(out []arrow.RecordBatch, pe *planEntry, bs []array.Builder, rows int, bad []int) []arrow.RecordBatch {
	cols := make([]arrow.Array, len(bs))
	data := make([]int, len(bs))
	for i, b := range bs {
		cols[i] = b.NewArray()
		if bin, ok := cols[i].(interface{ ValueBytes() []byte }); ok {
			data[i] = len(bin.ValueBytes())
		}
	}
	pe.mu.Lock()
	pe.lastRows, pe.lastData = rows, data
	pe.mu.Unlock()
	rec := array.NewRecordBatch(pe.schema, cols, int64(rows))
	for _, c := range cols {
		c.Release()
	}
	if len(bad) == 0 {
		return append(out, rec)
	}
	start := 0
	for _, b := range append(bad, rows) {
		if b > start {
			out = append(out, rec.NewSlice(int64(start), int64(b)))
		}
		start = b + 1
	}
	rec.Release()
	return out
}

// lookup finds the plan for r and strips the framing from its value.
func (d *Decoder) lookup(ctx context.Context, r *kgo.Record, indexes *[]int) (*planEntry, []byte, int, error) {
	if d.fixed != nil {
		return d.fixed, r.Value, -1, nil
	}
	id, payload, err := d.schemaID(ctx, r)
	if err != nil {
		return nil, nil, id, err
	}
	e, err := d.entry(ctx, id)
	if err != nil {
		return nil, nil, id, err
	}
	if !d.cfg.MessageIndexes {
		e.mu.Lock()
		if e.one == nil {
			e.one = d.compile(&e.schema, nil)
		}
		pe := e.one
		e.mu.Unlock()
		return pe, payload, id, nil
	}
	path, rest, err := wire.ParseMessageIndexes(payload, (*indexes)[:0])
	*indexes = path
	if err != nil {
		return nil, nil, id, fmt.Errorf("decode: %w", err)
	}
	// Key by the canonical encoding so the long and short forms of [0] share
	// a plan.
	var key [2 * wire.MaxMessageIndexes * 5]byte
	canon := wire.AppendMessageIndexes(key[:0], path)
	e.mu.Lock()
	pe, ok := e.byPath[string(canon)]
	if !ok {
		pe = d.compile(&e.schema, append([]int(nil), path...))
		if e.byPath == nil {
			e.byPath = map[string]*planEntry{}
		}
		e.byPath[string(canon)] = pe
	}
	e.mu.Unlock()
	return pe, rest, id, nil
}

// schemaID reads the writer schema id from the value header or, when present,
// the schema GUID header (whose value then has no magic-byte prefix).
func (d *Decoder) schemaID(ctx context.Context, r *kgo.Record) (int, []byte, error) {
	for _, h := range r.Headers {
		if h.Key != wire.ValueSchemaIDHeader {
			continue
		}
		guid, err := wire.ParseGUIDHeader(h.Value)
		if err != nil {
			return -1, nil, fmt.Errorf("decode: %w", err)
		}
		id, err := d.idForGUID(ctx, guid)
		return id, r.Value, err
	}
	id, payload, err := wire.ParseHeader(r.Value)
	if err != nil {
		return -1, nil, fmt.Errorf("decode: %w", err)
	}
	return id, payload, nil
}

func (d *Decoder) idForGUID(ctx context.Context, guid string) (int, error) {
	d.mu.RLock()
	id, ok := d.byGUID[guid]
	d.mu.RUnlock()
	if ok {
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
	d.mu.Lock()
	d.byGUID[guid] = s.ID
	if _, ok := d.byID[s.ID]; !ok {
		d.byID[s.ID] = &idEntry{schema: s}
	}
	d.mu.Unlock()
	return s.ID, nil
}

func (d *Decoder) entry(ctx context.Context, id int) (*idEntry, error) {
	d.mu.RLock()
	e, ok := d.byID[id]
	d.mu.RUnlock()
	if ok {
		return e, nil
	}
	s, err := d.cfg.Registry.Resolve(ctx, id)
	if err != nil {
		return nil, classifyRegistryErr(err, fmt.Sprintf("id %d", id))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.byID[id]; ok {
		return e, nil
	}
	e = &idEntry{schema: s}
	d.byID[id] = e
	return e, nil
}

// classifyRegistryErr separates an unknown schema (a bad record) from an outage
// (the whole call fails and is retried).
func classifyRegistryErr(err error, what string) error {
	if errors.Is(err, registry.ErrNotFound) {
		return fmt.Errorf("%w %s: %w", ErrUnknownSchema, what, err)
	}
	return fmt.Errorf("%w: schema %s: %w", ErrRegistry, what, err)
}
