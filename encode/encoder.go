package encode

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/batch"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// Config configures an Encoder.
type Config struct {
	// Compiler builds the plan for each Arrow schema. Required.
	Compiler Compiler
	// Registrar registers writer schemas; when set, every value starts with
	// the Confluent wire-format header (and the Protobuf message-index path
	// when the writer has one).
	Registrar registry.Registrar
	// Subject names the subject a writer schema is registered under (a
	// subject name strategy applied to the topic). Required with Registrar.
	Subject func(w Writer) (string, error)
}

// Values are the encoded values of one batch: row i's value is Value(i). All
// values live in one arena that is reused by the next Encode into the same
// Values, so callers copy (or finish producing) before reusing it.
type Values struct {
	arena  []byte
	ends   []int
	failed []bool // nil until a row fails
	// Errors are rows that did not encode, in row order; their Value is nil.
	// A *ValueError is the error: pass &Errors[i] to errors.Is and As, and
	// copy an entry to keep it past the next Encode into these Values.
	Errors []ValueError
}

// Len is the number of rows.
func (v *Values) Len() int { return len(v.ends) }

// Value returns row i's value, aliasing the arena; nil for a row in Errors.
func (v *Values) Value(i int) []byte {
	if v.failed != nil && v.failed[i] {
		return nil
	}
	start := 0
	if i > 0 {
		start = v.ends[i-1]
	}
	end := v.ends[i]
	return v.arena[start:end:end]
}

// Bytes is the size of all values together.
func (v *Values) Bytes() int { return len(v.arena) }

func (v *Values) reset() {
	v.arena, v.ends, v.Errors, v.failed = v.arena[:0], v.ends[:0], v.Errors[:0], nil
}

// Encoder turns Arrow record batches into Kafka values. It is safe for
// concurrent use. Plans are compiled (and writer schemas registered) once per
// distinct Arrow layout, found again by content whatever the batch's schema
// pointer, and at most maxPlans are kept.
type Encoder struct {
	cfg   Config
	plans *batch.SchemaCache[*compiled]
}

// maxPlans bounds the layouts an Encoder remembers; a layout evicted is
// compiled again when it comes back (its writer schema is registered again:
// the registry answers with the id it already has).
const maxPlans = 64

type compiled struct {
	plan   Plan
	header []byte // wire-format header (+ message indexes), empty without a registrar
}

// New returns an Encoder for cfg.
func New(cfg Config) (*Encoder, error) {
	if cfg.Compiler == nil {
		return nil, errors.New("encode: Config.Compiler is required")
	}
	if cfg.Registrar != nil && cfg.Subject == nil {
		return nil, errors.New("encode: Config.Subject is required with a Registrar")
	}
	return &Encoder{cfg: cfg, plans: batch.NewSchemaCache[*compiled](maxPlans, nil)}, nil
}

func (e *Encoder) plan(ctx context.Context, s *arrow.Schema) (*compiled, error) {
	c, _, err := e.plans.Get(s, func(s *arrow.Schema) (*compiled, error) { return e.compile(ctx, s) })
	return c, err
}

func (e *Encoder) compile(ctx context.Context, s *arrow.Schema) (*compiled, error) {
	plan, w, err := e.cfg.Compiler.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("encode: compiling plan: %w", err)
	}
	c := &compiled{plan: plan}
	if e.cfg.Registrar != nil {
		subject, err := e.cfg.Subject(w)
		if err != nil {
			return nil, fmt.Errorf("encode: naming the subject: %w", err)
		}
		id, err := e.cfg.Registrar.Register(ctx, subject, w.Schema)
		if err != nil {
			return nil, fmt.Errorf("encode: registering writer schema under %q: %w", subject, err)
		}
		c.header = wire.AppendHeader(nil, id)
		if w.MessageIndexes != nil {
			c.header = wire.AppendMessageIndexes(c.header, w.MessageIndexes)
		}
	}
	return c, nil
}

// Encode encodes every row of rec into dst (reusing its arena). A row that does
// not encode is listed in dst.Errors; the returned error is for failures of the
// whole batch (no plan for its schema, the registry refusing the writer schema).
func (e *Encoder) Encode(ctx context.Context, rec arrow.RecordBatch, dst *Values) error {
	dst.reset()
	c, err := e.plan(ctx, rec.Schema())
	if err != nil {
		return err
	}
	app, err := c.plan.Bind(rec)
	if err != nil {
		return fmt.Errorf("encode: binding plan: %w", err)
	}
	rows := int(rec.NumRows())
	for i := 0; i < rows; i++ {
		start := len(dst.arena)
		out := append(dst.arena, c.header...)
		out, err := app.AppendRow(out, i)
		if err != nil {
			dst.arena = dst.arena[:start]
			dst.ends = append(dst.ends, start)
			if dst.failed == nil {
				dst.failed = make([]bool, rows)
			}
			dst.failed[i] = true
			dst.Errors = append(dst.Errors, rowError(i, err))
			continue
		}
		dst.arena = out
		dst.ends = append(dst.ends, len(out))
	}
	return nil
}

// rowError is the ValueError for row i that failed with err: the appender's
// own *ValueError with its row filled in, or err wrapped in one.
func rowError(i int, err error) ValueError {
	if ve, ok := err.(*ValueError); ok { //nolint:errorlint // appenders return it unwrapped; a wrapped one keeps its wrapper as Err
		e := *ve
		e.Row = i
		return e
	}
	return ValueError{Row: i, Err: err}
}
