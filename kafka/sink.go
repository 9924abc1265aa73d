package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/encode"
)

// Record is one record already encoded, for SendRecords: a value with an
// optional key, headers, topic (default SinkConfig.Topic), timestamp (default
// now) and partition. Partition is where the Explicit strategy writes it (0
// is partition 0); the other strategies choose for themselves and ignore it.
type Record struct {
	Topic     string
	Partition int32
	Key       []byte
	Value     []byte
	Headers   []kgo.RecordHeader
	Timestamp time.Time
}

// Sink writes to Kafka. Every send path goes through one produce path, so a
// setting applies to all of them: partitioning, compression, acks, the
// error policy for rows that do not encode, and the keys — the KeyColumn (or
// a decoded _key column) of a batch, the Key of a Record. Every method may be
// called from any goroutine.
type Sink struct {
	cfg  SinkConfig
	cl   *kgo.Client
	owns bool // Close closes cl (false inside a Transactor)
	enc  *encode.Encoder
	m    sinkCounters

	vals   sync.Pool // *encode.Values
	slabs  sync.Pool // *[]kgo.Record
	layout valueLayoutOnce

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// NewSink returns a Sink for cfg: the one way to open one. A transactional
// sink (TransactionalID) is opened by NewTransactor instead. It checks
// first, within ConnectTimeout, that the brokers answer, authentication and
// TLS work and Topic exists, and returns a *ConnectError when they do not.
func NewSink(cfg SinkConfig) (*Sink, error) {
	if cfg.TransactionalID != "" {
		return nil, errors.New("kafka: SinkConfig.TransactionalID is set: a transactional sink is opened with NewTransactor")
	}
	s, opts, err := newSink(cfg)
	if err != nil {
		return nil, err
	}
	seen := &connErrors{}
	opts = append(opts, kgo.WithHooks(seen))
	if s.cl, err = kgo.NewClient(append(opts, cfg.ClientOpts...)...); err != nil {
		return nil, fmt.Errorf("kafka: sink client: %w", err)
	}
	if err := sinkConnectCheck(s.cfg, "sink", s.cl, nil, seen); err != nil {
		s.cl.Close()
		return nil, err
	}
	s.owns = true
	return s, nil
}

func newSink(cfg SinkConfig) (*Sink, []kgo.Opt, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	cfg = cfg.withDefaults()
	s := &Sink{cfg: cfg, enc: cfg.Encoder}
	if s.enc == nil && cfg.Codec.Format != nil {
		spec := cfg.Codec
		if spec.Topic == "" && spec.Registry != nil {
			// The subject strategy names the subject after the topic.
			spec.Topic = cfg.Topic
		}
		enc, err := codec.NewEncoder(spec)
		if err != nil {
			return nil, nil, fmt.Errorf("kafka: sink encoder: %w", err)
		}
		s.enc = enc
	}
	opts, err := cfg.kgoOpts()
	return s, opts, err
}

// Client is the underlying franz-go client, for admin requests.
func (s *Sink) Client() *kgo.Client { return s.cl }

// Metrics returns a snapshot of the counters.
func (s *Sink) Metrics() SinkMetrics { return s.m.snapshot() }

// Send encodes every row of rec with the sink's codec and writes the values
// (keys from KeyColumn or a _key column; headers and timestamps from
// _headers and _timestamp columns; under Explicit, partitions from a
// _partition column), waiting for every acknowledgement. The values live in
// one arena for the whole batch. Rows that do not encode fail the call before
// anything is produced (*EncodeError) or, under the Skip policy, are left
// out.
func (s *Sink) Send(ctx context.Context, rec arrow.RecordBatch) error {
	done := make(chan error, 1)
	s.SendAsync(ctx, rec, func(err error) { done <- err })
	return <-done
}

// SendAsync is Send without the wait: it encodes rec and hands every value to
// the client, then returns; done is called once with the outcome when every
// record is acknowledged (or at once, for an encoding error). rec must stay
// alive until done runs: keys and headers alias its buffers. Calls may
// overlap, which keeps the producer's pipeline full; Flush waits for all.
func (s *Sink) SendAsync(ctx context.Context, rec arrow.RecordBatch, done func(error)) {
	if s.closed.Load() {
		done(ErrClosed)
		return
	}
	if s.enc == nil {
		done(errors.New("kafka: sending a record batch needs a Codec or Encoder in the SinkConfig"))
		return
	}
	vals, _ := s.vals.Get().(*encode.Values)
	if vals == nil {
		vals = &encode.Values{}
	}
	slab, err := s.recordsFor(ctx, rec, vals)
	if err != nil {
		s.vals.Put(vals)
		done(err)
		return
	}
	s.produceAsync(ctx, slab, func(err error) {
		s.putSlab(slab)
		s.vals.Put(vals)
		done(err)
	})
}

// SendRecords writes records whose values are already encoded and waits
// until the broker acknowledged every one. It returns a *ProduceError for the
// first record that failed (others may have been written).
func (s *Sink) SendRecords(ctx context.Context, rs ...Record) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if len(rs) == 0 {
		return nil
	}
	slab := s.slab(len(rs))
	for i := range rs {
		r := &rs[i]
		slab[i] = kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: r.Timestamp}
		if slab[i].Topic == "" {
			slab[i].Topic = s.cfg.Topic
		}
		if s.cfg.Partitioning == Explicit {
			slab[i].Partition = r.Partition
		}
	}
	done := make(chan error, 1)
	s.produceAsync(ctx, slab, func(err error) { done <- err })
	err := <-done
	s.putSlab(slab)
	return err
}

func (s *Sink) ack(kr *kgo.Record, err error, start time.Time) {
	if err != nil {
		s.m.produceErrors.Add(1)
		return
	}
	s.m.recordsOut.Add(1)
	s.m.bytesOut.Add(int64(len(kr.Key) + len(kr.Value)))
	s.m.observe(time.Since(start))
}

// recordsFor encodes rec into vals and returns the records to produce, their
// values slicing vals' arena.
func (s *Sink) recordsFor(ctx context.Context, rec arrow.RecordBatch, vals *encode.Values) ([]kgo.Record, error) {
	if err := s.enc.Encode(ctx, rec, vals); err != nil {
		return nil, fmt.Errorf("kafka: encoding batch: %w", err)
	}
	if n := len(vals.Errors); n > 0 {
		s.m.encodeErrors.Add(int64(n))
		if s.cfg.OnError.action() != Skip {
			ve := vals.Errors[0] // a copy: vals is reused by the next Encode
			return nil, &EncodeError{Row: ve.Row, Err: &ve}
		}
	}
	keys, err := s.keyColumn(rec)
	if err != nil {
		return nil, err
	}
	meta, err := metadataColumns(rec, s.cfg.Partitioning == Explicit)
	if err != nil {
		return nil, err
	}
	rows := vals.Len()
	slab := s.slab(rows - len(vals.Errors))
	now := time.Now()
	n := 0
	for i := 0; i < rows; i++ {
		v := vals.Value(i)
		if v == nil {
			continue // a row that did not encode, skipped
		}
		kr := &slab[n]
		*kr = kgo.Record{Topic: s.cfg.Topic, Value: v, Timestamp: now}
		if keys != nil {
			kr.Key = keys(i)
		}
		meta.apply(kr, i)
		n++
	}
	return slab[:n], nil
}

// keyColumn returns a function giving row i's key (nil for a null).
func (s *Sink) keyColumn(rec arrow.RecordBatch) (func(i int) []byte, error) {
	name := s.cfg.KeyColumn
	if name == "" {
		if len(rec.Schema().FieldIndices(decode.ColKey)) != 1 {
			return nil, nil
		}
		name = decode.ColKey // a batch decoded with its keys keeps them
	}
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		return nil, fmt.Errorf("kafka: KeyColumn %q: want exactly one such column, found %d", name, len(idx))
	}
	// String and binary keys alias the Arrow buffers, which the caller
	// keeps alive until SendRecordBatch returns (after every ack).
	switch c := rec.Column(idx[0]).(type) {
	case *array.String:
		data, offs := c.ValueBytes(), c.ValueOffsets()
		return func(i int) []byte {
			if c.IsNull(i) {
				return nil
			}
			lo, hi := offs[i]-offs[0], offs[i+1]-offs[0]
			return data[lo:hi:hi]
		}, nil
	case *array.Binary:
		return func(i int) []byte {
			if c.IsNull(i) {
				return nil
			}
			return c.Value(i)
		}, nil
	case *array.Int64:
		return intKeys(c.IsNull, c.Value), nil
	case *array.Int32:
		return intKeys(c.IsNull, func(i int) int64 { return int64(c.Value(i)) }), nil
	}
	return nil, fmt.Errorf("kafka: KeyColumn %q is %s; want string, binary, int32 or int64", name, rec.Column(idx[0]).DataType())
}

func intKeys(isNull func(int) bool, value func(int) int64) func(int) []byte {
	return func(i int) []byte {
		if isNull(i) {
			return nil
		}
		return strconv.AppendInt(make([]byte, 0, 20), value(i), 10)
	}
}

func (s *Sink) slab(n int) []kgo.Record {
	if p, ok := s.slabs.Get().(*[]kgo.Record); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]kgo.Record, n)
}

func (s *Sink) putSlab(slab []kgo.Record) {
	clear(slab) // drop references to values and keys
	s.slabs.Put(&slab)
}

// produceAsync produces recs and calls onDone once every promise has run
// (they all run, also when ctx ends), with the first failure.
func (s *Sink) produceAsync(ctx context.Context, recs []kgo.Record, onDone func(error)) {
	if len(recs) == 0 {
		onDone(nil)
		return
	}
	w := &waiter{total: len(recs)}
	w.pending.Store(int64(len(recs)))
	start := time.Now()
	// DeliveryTimeout: franz-go fails a record whose context ends, when it
	// is safe to (never with a produce request of it unanswered under
	// idempotence: that could duplicate or reorder it).
	dctx, cancel := context.WithTimeout(ctx, s.cfg.DeliveryTimeout)
	promise := func(kr *kgo.Record, err error) {
		if err != nil && dctx.Err() != nil && ctx.Err() == nil {
			err = deliveryTimeout(s.cfg.DeliveryTimeout, err)
		}
		s.ack(kr, err, start)
		if err != nil {
			w.fail(kr, err, recs)
		}
		if w.pending.Add(-1) == 0 {
			cancel()
			s.m.batches.Add(1)
			onDone(w.err())
		}
	}
	for i := range recs {
		s.cl.Produce(dctx, &recs[i], promise)
	}
}

// deliveryTimeoutError is a record not acknowledged within DeliveryTimeout.
// It wraps franz-go's ErrRecordTimeout (so errors.Is finds it, and
// ErrDeliveryTimeout) and the last error the client met.
type deliveryTimeoutError struct {
	timeout time.Duration
	last    error // nil when the client reported only the timeout
}

func (e *deliveryTimeoutError) Error() string {
	if e.last == nil {
		return fmt.Sprintf("%v: not acknowledged within DeliveryTimeout %v", kgo.ErrRecordTimeout, e.timeout)
	}
	return fmt.Sprintf("%v: not acknowledged within DeliveryTimeout %v; last error: %v", kgo.ErrRecordTimeout, e.timeout, e.last)
}

func (e *deliveryTimeoutError) Unwrap() []error {
	if e.last == nil {
		return []error{kgo.ErrRecordTimeout}
	}
	return []error{kgo.ErrRecordTimeout, e.last}
}

// deliveryTimeout is err, met by a record whose DeliveryTimeout passed: the
// timeout when it is what failed the record (franz-go reports it as the
// context's end, or as the retried error it met then), else err itself.
func deliveryTimeout(timeout time.Duration, err error) error {
	switch f := classify(err); {
	case errors.Is(err, context.DeadlineExceeded):
		return &deliveryTimeoutError{timeout: timeout}
	case f.class == faultTransient || f.class == faultSuspect:
		return &deliveryTimeoutError{timeout: timeout, last: err}
	}
	return err
}

// waiter collects the outcome of one call's records.
type waiter struct {
	pending atomic.Int64
	total   int

	mu     sync.Mutex
	first  *ProduceError
	failed int
}

func (w *waiter) fail(kr *kgo.Record, err error, recs []kgo.Record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.failed++
	if w.first == nil {
		idx := 0
		for i := range recs {
			if &recs[i] == kr {
				idx = i
				break
			}
		}
		w.first = &ProduceError{Topic: kr.Topic, Partition: kr.Partition, Index: idx, Err: err}
	}
}

func (w *waiter) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.first == nil {
		return nil
	}
	if w.failed > 1 {
		w.first.Err = fmt.Errorf("%w (and %d more of %d records failed)", w.first.Err, w.failed-1, w.total)
	}
	return w.first
}

// Flush waits until every record handed to the client (SendAsync included)
// is acknowledged or failed.
func (s *Sink) Flush(ctx context.Context) error {
	if err := s.cl.Flush(ctx); err != nil {
		return fmt.Errorf("kafka: flush: %w", err)
	}
	return nil
}

// Close flushes what is buffered (waiting at most DeliveryTimeout) and
// stops the client. A Transactor's sink closes with the Transactor. It is
// idempotent; later calls return the first call's error.
func (s *Sink) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if !s.owns {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.DeliveryTimeout)
		defer cancel()
		if err := s.cl.Flush(ctx); err != nil {
			s.closeErr = fmt.Errorf("kafka: flush on close: %w", err)
		}
		s.cl.Close()
	})
	return s.closeErr
}
