package kafka

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/decode/jsonschema"
	"github.com/sabot-kafka/sabot/decode/msgpack"
	"github.com/sabot-kafka/sabot/decode/protobuf"
)

// This file holds conveniences for programs that hold a few Go values (maps,
// structs, Protobuf messages) rather than Arrow batches, as small programs
// and tests do. None of it is the hot path: every value is marshalled and
// decoded again, and Row.Map builds a map per row. Move volume with Arrow
// batches (SendRecordBatch, Poll) instead.

// ValueError is a Go value that SendValues could not turn into a row of the
// sink's layout: it is not valid for the codec's schema (a JSON Schema
// violation, a missing required field, a type that does not fit its column)
// or could not be marshalled.
type ValueError struct {
	// Index of the value in the call (0 for SendValue).
	Index int
	Err   error
}

func (e *ValueError) Error() string { return fmt.Sprintf("kafka: value %d: %v", e.Index, e.Err) }

// Unwrap returns the cause.
func (e *ValueError) Unwrap() error { return e.Err }

// SendValues turns Go values into one Arrow record batch (see ValuesBatch)
// and sends it as Send does: encoded with the sink's codec, keyed by
// KeyColumn, waiting for every acknowledgement. A value that does not fit the
// layout fails the call with a *ValueError before anything is produced.
//
// It is a convenience for a handful of values, not the hot path: each value
// is marshalled and decoded back into Arrow. Build Arrow batches and call
// Send to move volume.
func (s *Sink) SendValues(ctx context.Context, vs ...any) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if len(vs) == 0 {
		return nil
	}
	rec, err := s.ValuesBatch(ctx, vs)
	if err != nil {
		return err
	}
	defer rec.Release()
	return s.Send(ctx, rec)
}

// ValuesBatch is the Arrow record batch SendValues would send for vs, one row
// per value; the caller releases it. The column layout is the sink codec's:
//
//   - the ArrowSchema of a JSON, MessagePack or Arrow codec when it has one;
//   - JSON with a JSON Schema, or json_schema: the layout derived from the
//     schema, and for json_schema every value is validated against it (a
//     violation is a *ValueError wrapping decode.ErrInvalid);
//   - Avro with an inline Schema, Protobuf with a Descriptor or .proto
//     Schema: the layout their decoders produce with the default enum and
//     oneof modes, so the batch fits the writer schema;
//   - JSON, MessagePack or Arrow with a Sample: the layout inferred from it
//     (read from it, for Arrow);
//   - String and Bytes: one column (their Column, default "value") that
//     takes string and []byte values;
//   - otherwise (no schema: plain JSON, MessagePack, a registry-only codec)
//     the layout is inferred from the values themselves by decode/json's
//     rules (json.Infer), so values of one call should share their keys.
//
// Values are marshalled with encoding/json (maps, structs with json tags,
// json.RawMessage; Protobuf messages with protojson and their .proto field
// names) and decoded with decode/json into that layout. A Protobuf sink
// instead takes every value as its message: messages of that type as they
// are, other values read from their JSON by protojson (absent fields take
// their defaults, enums are named by symbol); each is marshalled with
// proto.Marshal and decoded by the Protobuf decoder, which keeps every type
// exact.
func (s *Sink) ValuesBatch(ctx context.Context, vs []any) (arrow.RecordBatch, error) {
	l, err := layoutOf(ctx, s)
	if err != nil {
		return nil, err
	}
	return l.batch(vs)
}

// valueLayoutOnce is a sink's value layout, made on the first call that
// needs it, so repeated calls reuse one plan and one *arrow.Schema.
type valueLayoutOnce struct {
	once sync.Once
	l    valueLayout
	err  error
}

func layoutOf(ctx context.Context, s *Sink) (*valueLayout, error) {
	s.layout.once.Do(func() { s.layout.err = s.layout.l.init(ctx, s.cfg.Codec) })
	return &s.layout.l, s.layout.err
}

// valueLayout turns Go values into rows of one sink's layout.
type valueLayout struct {
	mem    memory.Allocator
	limits decode.Limits
	kind   layoutKind

	// fixed is the layout when the codec gives one; jsonPlan decodes JSON
	// text into it (built on first use).
	fixed    *arrow.Schema
	jsonPlan decode.Plan
	jsonErr  error
	jsonOnce sync.Once

	// protoPlan decodes messages of protoDesc (Protobuf sinks).
	protoPlan decode.Plan
	protoDesc protoreflect.MessageDescriptor

	// column is the one column of String and Bytes sinks.
	column string

	// inferred are the layouts inferred so far, reused when a later call
	// infers an equal one.
	mu       sync.Mutex
	inferred []inferredLayout
}

type inferredLayout struct {
	schema *arrow.Schema
	plan   decode.Plan
}

type layoutKind uint8

const (
	layoutInfer layoutKind = iota
	layoutFixed
	layoutString
	layoutBytes
)

// maxInferred bounds the inferred layouts a sink remembers.
const maxInferred = 16

func (l *valueLayout) init(ctx context.Context, spec codec.Spec) error {
	l.mem = spec.Allocator
	if l.mem == nil {
		l.mem = memory.DefaultAllocator
	}
	l.limits = spec.Limits
	fixed := func(p decode.Plan, err error) error {
		if err != nil {
			return fmt.Errorf("kafka: the %s codec's column layout: %w", spec.Format.Name(), err)
		}
		l.kind, l.fixed = layoutFixed, arrow.NewSchema(p.Fields(), nil)
		return nil
	}
	inferred := func(schema *arrow.Schema, err error) error {
		if err != nil {
			return fixed(nil, err)
		}
		l.kind, l.fixed = layoutFixed, schema
		return nil
	}
	switch f := spec.Format.(type) {
	case codec.String:
		l.kind, l.column = layoutString, f.Column
	case codec.Bytes:
		l.kind, l.column = layoutBytes, f.Column
	case codec.JSONSchema:
		if f.Schema == "" {
			break
		}
		p, err := jsonschema.NewPlan(f.Schema, f.Deps, jsonschema.Auto, spec.Limits)
		// Validates every value, so a violation is an error here.
		if err == nil {
			l.jsonPlan = p
		}
		return fixed(p, err)
	case codec.JSON:
		switch {
		case f.ArrowSchema != nil:
			l.kind, l.fixed = layoutFixed, f.ArrowSchema
			return nil
		case f.Schema != "":
			js, err := json.CompileJSONSchema(f.Schema, f.Deps)
			if err != nil {
				return fixed(nil, err)
			}
			p, err := js.Plan(spec.Limits, false)
			if err == nil {
				l.jsonPlan = p
			}
			return fixed(p, err)
		case len(f.Sample) > 0:
			return inferred(json.Infer(f.Sample, spec.Limits))
		}
	case codec.MsgPack:
		switch {
		case f.ArrowSchema != nil:
			l.kind, l.fixed = layoutFixed, f.ArrowSchema
			return nil
		case len(f.Sample) > 0:
			return inferred(msgpack.Infer(f.Sample, msgpack.InferOptions{Limits: spec.Limits, UnknownExt: f.UnknownExt}))
		}
	case codec.Arrow:
		switch {
		case f.ArrowSchema != nil:
			l.kind, l.fixed = layoutFixed, f.ArrowSchema
			return nil
		case len(f.Sample) > 0:
			return inferred(arrowipc.SchemaOf(f.Sample[0], spec.Limits))
		}
	case codec.Avro:
		if f.Schema != "" {
			return fixed(avro.NewCompiler(avro.Options{Schema: f.Schema, Deps: f.Deps, Limits: spec.Limits}).Compile(nil, nil))
		}
	case codec.Protobuf:
		if f.Descriptor == nil && f.Schema == "" {
			break
		}
		md := f.Descriptor
		if md == nil {
			var err error
			o := protobuf.Options{Proto: f.Schema, Imports: f.Imports, Message: f.Message}
			if md, err = o.Resolve(ctx); err != nil {
				return fixed(nil, err)
			}
		}
		p, err := protobuf.NewPlan(md, protobuf.Options{Descriptor: md, Limits: spec.Limits})
		if err != nil {
			return fixed(nil, err)
		}
		l.protoPlan, l.protoDesc = p, md
		return fixed(p, nil)
	}
	if (l.kind == layoutString || l.kind == layoutBytes) && l.column == "" {
		l.column = "value"
	}
	return nil
}

// batch builds the record batch of vs.
func (l *valueLayout) batch(vs []any) (arrow.RecordBatch, error) {
	switch l.kind {
	case layoutString, layoutBytes:
		return l.rawBatch(vs)
	}
	if l.protoPlan != nil {
		payloads, err := l.marshalProto(vs)
		if err != nil {
			return nil, err
		}
		return buildBatch(l.mem, l.fixed, l.protoPlan, payloads)
	}
	payloads, err := marshalJSONAll(vs)
	if err != nil {
		return nil, err
	}
	if l.kind == layoutInfer {
		schema, plan, err := l.infer(payloads)
		if err != nil {
			return nil, err
		}
		return buildBatch(l.mem, schema, plan, payloads)
	}
	l.jsonOnce.Do(func() {
		if l.jsonPlan == nil {
			l.jsonPlan, l.jsonErr = json.NewPlan(l.fixed, l.limits)
		}
	})
	if l.jsonErr != nil {
		return nil, fmt.Errorf("kafka: decoding values into the codec's columns: %w", l.jsonErr)
	}
	return buildBatch(l.mem, l.fixed, l.jsonPlan, payloads)
}

// infer returns the layout of payloads, reusing an earlier equal one.
func (l *valueLayout) infer(payloads [][]byte) (*arrow.Schema, decode.Plan, error) {
	schema, err := json.Infer(payloads, l.limits)
	if err != nil {
		return nil, nil, fmt.Errorf("kafka: inferring columns from the values: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, in := range l.inferred {
		if in.schema.Equal(schema) {
			return in.schema, in.plan, nil
		}
	}
	plan, err := json.NewPlan(schema, l.limits)
	if err != nil {
		return nil, nil, fmt.Errorf("kafka: inferred columns: %w", err)
	}
	if len(l.inferred) < maxInferred {
		l.inferred = append(l.inferred, inferredLayout{schema, plan})
	}
	return schema, plan, nil
}

// rawBatch builds the one column of a String or Bytes sink.
func (l *valueLayout) rawBatch(vs []any) (arrow.RecordBatch, error) {
	var (
		b     array.Builder
		field = arrow.Field{Name: l.column, Nullable: true}
	)
	if l.kind == layoutString {
		field.Type = arrow.BinaryTypes.String
		b = array.NewStringBuilder(l.mem)
	} else {
		field.Type = arrow.BinaryTypes.Binary
		b = array.NewBinaryBuilder(l.mem, arrow.BinaryTypes.Binary)
	}
	defer b.Release()
	for i, v := range vs {
		var p []byte
		switch v := v.(type) {
		case string:
			p = []byte(v)
		case []byte:
			p = v
		case nil:
			b.AppendNull()
			continue
		default:
			return nil, &ValueError{Index: i, Err: fmt.Errorf("a %s sink takes string or []byte values, not %T", field.Type, v)}
		}
		switch b := b.(type) {
		case *array.StringBuilder:
			b.BinaryBuilder.Append(p)
		case *array.BinaryBuilder:
			b.Append(p)
		}
	}
	col := b.NewArray()
	defer col.Release()
	return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{field}, nil), []arrow.Array{col}, int64(len(vs))), nil
}

// marshalProto marshals values for a Protobuf sink: messages of the sink's
// type as they are, anything else through its JSON form read by protojson
// into the sink's message (so absent fields take their defaults, enums
// are named by symbol, and unknown fields are errors).
func (l *valueLayout) marshalProto(vs []any) ([][]byte, error) {
	out := make([][]byte, len(vs))
	for i, v := range vs {
		m, ok := v.(proto.Message)
		if !ok || m.ProtoReflect().Descriptor().FullName() != l.protoDesc.FullName() {
			text, err := marshalJSON(v)
			if err != nil {
				return nil, &ValueError{Index: i, Err: err}
			}
			dm := dynamicpb.NewMessage(l.protoDesc)
			if err := protojson.Unmarshal(text, dm); err != nil {
				return nil, &ValueError{Index: i, Err: fmt.Errorf("as %s: %w", l.protoDesc.FullName(), err)}
			}
			m = dm
		}
		b, err := proto.Marshal(m)
		if err != nil {
			return nil, &ValueError{Index: i, Err: err}
		}
		out[i] = b
	}
	return out, nil
}

// marshalJSONAll marshals every value (see marshalJSON).
func marshalJSONAll(vs []any) ([][]byte, error) {
	out := make([][]byte, len(vs))
	for i, v := range vs {
		b, err := marshalJSON(v)
		if err != nil {
			return nil, &ValueError{Index: i, Err: err}
		}
		out[i] = b
	}
	return out, nil
}

// marshalJSON marshals a Protobuf message with protojson and its .proto
// field names, anything else with encoding/json.
func marshalJSON(v any) ([]byte, error) {
	if m, ok := v.(proto.Message); ok {
		return protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	}
	return stdjson.Marshal(v)
}

// buildBatch decodes payloads with plan into a batch of schema. The first
// payload that does not decode fails the whole call.
func buildBatch(mem memory.Allocator, schema *arrow.Schema, plan decode.Plan, payloads [][]byte) (arrow.RecordBatch, error) {
	fields := plan.Fields()
	bs := make([]array.Builder, len(fields))
	for i, f := range fields {
		bs[i] = array.NewBuilder(mem, f.Type)
	}
	defer func() {
		for _, b := range bs {
			b.Release()
		}
	}()
	app, err := plan.Bind(bs)
	if err != nil {
		return nil, fmt.Errorf("kafka: binding the value plan: %w", err)
	}
	var (
		first  error
		failed int
	)
	for i, p := range payloads {
		if err := app.Append(p); err != nil {
			if first == nil {
				first = &ValueError{Index: i, Err: err}
			}
			failed++
		}
	}
	if first != nil {
		if failed > 1 {
			first = fmt.Errorf("%w (and %d more of %d values failed)", first, failed-1, len(payloads))
		}
		return nil, first
	}
	cols := make([]arrow.Array, len(bs))
	for i, b := range bs {
		cols[i] = b.NewArray()
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	return array.NewRecordBatch(schema, cols, int64(len(payloads))), nil
}

// Map returns the row as a map from column name to Go value, for printing and
// tests: strings, numbers and booleans as themselves, binary as []byte,
// timestamps, dates and times as text, structs as maps, lists as slices,
// Arrow maps with string keys as maps, enums (dictionaries) as their symbols,
// raw-JSON columns as json.RawMessage and nulls as nil. It builds a map per
// row: not for the hot path.
func (r Row) Map() map[string]any {
	if r.Rec == nil {
		return nil
	}
	m := make(map[string]any, r.Rec.NumCols())
	for i, col := range r.Rec.Columns() {
		m[r.Rec.ColumnName(i)] = goValue(r.Rec.Schema().Field(i), col, r.Index)
	}
	return m
}

// MarshalJSON writes the row as a JSON object with the columns in schema
// order (nested structs' keys sorted), using the values Map gives.
func (r Row) MarshalJSON() ([]byte, error) {
	if r.Rec == nil {
		return []byte("null"), nil
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, col := range r.Rec.Columns() {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, err := stdjson.Marshal(r.Rec.ColumnName(i))
		if err != nil {
			return nil, fmt.Errorf("kafka: column name: %w", err)
		}
		buf.Write(name)
		buf.WriteByte(':')
		v, err := stdjson.Marshal(goValue(r.Rec.Schema().Field(i), col, r.Index))
		if err != nil {
			return nil, fmt.Errorf("kafka: column %s: %w", r.Rec.ColumnName(i), err)
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// String is the row as JSON text (see MarshalJSON).
func (r Row) String() string {
	b, err := r.MarshalJSON()
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// goValue is element i of a as a plain Go value (see Row.Map).
func goValue(f arrow.Field, a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.String:
		if json.IsRaw(f) {
			return stdjson.RawMessage(a.Value(i))
		}
		return a.Value(i)
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		m := make(map[string]any, a.NumField())
		for j := 0; j < a.NumField(); j++ {
			m[st.Field(j).Name] = goValue(st.Field(j), a.Field(j), i)
		}
		return m
	case *array.Map:
		return mapValue(a, i)
	case array.ListLike:
		lo, hi := a.ValueOffsets(i)
		elem := listElemField(a.DataType())
		out := make([]any, 0, hi-lo)
		for j := lo; j < hi; j++ {
			out = append(out, goValue(elem, a.ListValues(), int(j)))
		}
		return out
	case *array.Dictionary:
		return goValue(arrow.Field{}, a.Dictionary(), a.GetValueIndex(i))
	}
	return a.GetOneForMarshal(i)
}

func listElemField(t arrow.DataType) arrow.Field {
	if lt, ok := t.(arrow.ListLikeType); ok {
		return lt.ElemField()
	}
	return arrow.Field{}
}

// mapValue is an Arrow map entry as a Go map when its keys are strings, else
// as a list of {"key", "value"} pairs.
func mapValue(a *array.Map, i int) any {
	lo, hi := a.ValueOffsets(i)
	keys, items := a.Keys(), a.Items()
	mt := a.DataType().(*arrow.MapType)
	if ks, ok := keys.(*array.String); ok {
		m := make(map[string]any, hi-lo)
		for j := lo; j < hi; j++ {
			m[ks.Value(int(j))] = goValue(mt.ItemField(), items, int(j))
		}
		return m
	}
	out := make([]any, 0, hi-lo)
	for j := lo; j < hi; j++ {
		out = append(out, map[string]any{
			"key":   goValue(mt.KeyField(), keys, int(j)),
			"value": goValue(mt.ItemField(), items, int(j)),
		})
	}
	return out
}

// Header returns the value of the last header named key (Kafka headers may
// repeat a key; the last one wins, as in the Java client's lastHeader).
func (m Message) Header(key string) (value []byte, ok bool) {
	for _, h := range slices.Backward(m.Headers) {
		if h.Key == key {
			return h.Value, true
		}
	}
	return nil, false
}

// String is the message on one line, for printing:
//
//	topic/partition@offset ts=2024-01-01T00:00:00Z key="k" value={...} headers=[a=1 b=2]
//
// The key and header values are quoted text; the value is the decoded row as
// JSON, null for a tombstone, or the decode error.
func (m Message) String() string {
	b := make([]byte, 0, 128)
	b = append(b, m.Topic...)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(m.Partition), 10)
	b = append(b, '@')
	b = strconv.AppendInt(b, m.Offset, 10)
	b = append(b, " ts="...)
	b = m.Timestamp.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, " key="...)
	if m.Key == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendQuote(b, string(m.Key))
	}
	b = append(b, " value="...)
	switch {
	case m.Tombstone:
		b = append(b, "null"...)
	case m.Err != nil:
		b = append(b, "<error: "...)
		b = append(b, m.Err.Error()...)
		b = append(b, '>')
	default:
		b = append(b, m.Row.String()...)
	}
	if len(m.Headers) > 0 {
		b = append(b, " headers=["...)
		for i, h := range m.Headers {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, h.Key...)
			b = append(b, '=')
			b = strconv.AppendQuote(b, string(h.Value))
		}
		b = append(b, ']')
	}
	return string(b)
}
