package bench

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/bytedance/sonic"
	hamba "github.com/hamba/avro/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/vmihailenco/msgpack/v5"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/bench/internal/txpb"
	"github.com/sabot-kafka/sabot/codec"
)

// The per-record path is what a Go program does today without Sabot: decode
// each value into a Go value with the usual library, then append it to Arrow
// builders (consume), or filter and map it and encode it back (pipeline); or
// read Arrow rows one at a time and encode each (produce).

// rowCodec is the per-record path with one library, holding one row at a
// time. It is used by one goroutine.
type rowCodec interface {
	decode(value []byte) error
	appendEncode(dst []byte) ([]byte, error)
	// appendArrow appends the current row to b (built on the format's schema).
	appendArrow(b *array.RecordBuilder)
	// loadArrow makes row i of rec the current row.
	loadArrow(rec arrow.RecordBatch, i int)
	// keep and transform are the pipeline's filter and map on the row.
	keep() bool
	transform()
}

// perRecordLibs names the per-record baselines of each format.
var perRecordLibs = map[string][]string{
	codec.JSON{}.Name():       {"encoding-json", "sonic"},
	codec.Avro{}.Name():       {"hamba"},
	codec.Protobuf{}.Name():   {"protobuf-go", "dynamicpb"},
	codec.MsgPack{}.Name():    {"vmihailenco"},
	codec.JSONSchema{}.Name(): {"jsonschema+encoding-json"},
	codec.String{}.Name():     {"copy"},
	codec.Bytes{}.Name():      {"copy"},
	codec.Arrow{}.Name():      {"arrow-ipc"},
}

// rowEnv is what building a rowCodec needs beyond the library name.
type rowEnv struct {
	format   string // the codec.Format name
	schemaID int    // writer schema id of registry-framed values
	mem      memory.Allocator
}

func newRowCodec(ctx context.Context, lib string, env rowEnv) (rowCodec, error) {
	if rawFormat(env.format) {
		return &valueRow{}, nil
	}
	var (
		l   txLib
		err error
	)
	switch lib {
	case "encoding-json":
		l = stdJSONLib{}
	case "sonic":
		l = sonicLib{}
	case "vmihailenco":
		l = msgpackLib{}
	case "hamba":
		l, err = newHambaLib(env.schemaID)
	case "dynamicpb":
		l, err = newDynamicpbLib(ctx, env.schemaID)
	case "protobuf-go":
		l = newGeneratedPBLib(env.schemaID)
	case "jsonschema+encoding-json":
		l, err = newJSONSchemaLib(env.schemaID)
	case "arrow-ipc":
		l = &ipcLib{mem: env.mem}
	default:
		err = fmt.Errorf("bench: no per-record library %q", lib)
	}
	if err != nil {
		return nil, err
	}
	return &txRow{lib: l}, nil
}

// txLib decodes and encodes one Transaction with a library.
type txLib interface {
	decode(value []byte, tx *Transaction) error
	appendEncode(dst []byte, tx *Transaction) ([]byte, error)
}

// txRow is a rowCodec over Transaction values.
type txRow struct {
	lib txLib
	tx  Transaction
}

func (r *txRow) decode(v []byte) error { return r.lib.decode(v, &r.tx) }
func (r *txRow) appendEncode(dst []byte) ([]byte, error) {
	return r.lib.appendEncode(dst, &r.tx)
}
func (r *txRow) keep() bool { return keepAmount(r.tx.Amount) }
func (r *txRow) transform() { r.tx.Amount = mapAmount(r.tx.Amount) }

func (r *txRow) appendArrow(b *array.RecordBuilder) {
	appendTransaction(b, &r.tx)
}

func (r *txRow) loadArrow(rec arrow.RecordBatch, i int) {
	r.tx = transactionAt(rec, i)
}

// appendTransaction appends tx to builders of TransactionSchema.
func appendTransaction(b *array.RecordBuilder, tx *Transaction) {
	b.Field(0).(*array.StringBuilder).Append(tx.ID)
	b.Field(1).(*array.StringBuilder).Append(tx.UserID)
	b.Field(2).(*array.Float64Builder).Append(tx.Amount)
	b.Field(3).(*array.StringBuilder).Append(tx.Currency)
	b.Field(4).(*array.Int64Builder).Append(tx.TS)
	b.Field(5).(*array.BooleanBuilder).Append(tx.OK)
	b.Field(6).(*array.StringBuilder).Append(tx.Note)
}

// transactionAt reads row i of a batch of TransactionSchema.
func transactionAt(rec arrow.RecordBatch, i int) Transaction {
	return Transaction{
		ID:       rec.Column(0).(*array.String).Value(i),
		UserID:   rec.Column(1).(*array.String).Value(i),
		Amount:   rec.Column(2).(*array.Float64).Value(i),
		Currency: rec.Column(3).(*array.String).Value(i),
		TS:       rec.Column(4).(*array.Int64).Value(i),
		OK:       rec.Column(5).(*array.Boolean).Value(i),
		Note:     rec.Column(6).(*array.String).Value(i),
	}
}

// valueRow is the per-record path of String and Bytes: the value itself.
type valueRow struct{ v []byte }

func (r *valueRow) decode(v []byte) error { r.v = v; return nil }
func (r *valueRow) appendEncode(dst []byte) ([]byte, error) {
	return append(dst, r.v...), nil
}
func (r *valueRow) appendArrow(b *array.RecordBuilder) {
	switch f := b.Field(0).(type) {
	case *array.StringBuilder:
		f.BinaryBuilder.Append(r.v)
	case *array.BinaryBuilder:
		f.Append(r.v)
	}
}
func (r *valueRow) loadArrow(rec arrow.RecordBatch, i int) {
	switch c := rec.Column(0).(type) {
	case *array.String:
		r.v = []byte(c.Value(i))
	case *array.Binary:
		r.v = c.Value(i)
	}
}
func (r *valueRow) keep() bool { return !bytes.Contains(r.v, rawDropMarker) }
func (r *valueRow) transform() {}

type stdJSONLib struct{}

func (stdJSONLib) decode(v []byte, tx *Transaction) error { return stdjson.Unmarshal(v, tx) }
func (stdJSONLib) appendEncode(dst []byte, tx *Transaction) ([]byte, error) {
	b, err := stdjson.Marshal(tx)
	return append(dst, b...), err
}

type sonicLib struct{}

func (sonicLib) decode(v []byte, tx *Transaction) error { return sonic.Unmarshal(v, tx) }
func (sonicLib) appendEncode(dst []byte, tx *Transaction) ([]byte, error) {
	b, err := sonic.Marshal(tx)
	return append(dst, b...), err
}

type msgpackLib struct{}

func (msgpackLib) decode(v []byte, tx *Transaction) error { return msgpack.Unmarshal(v, tx) }
func (msgpackLib) appendEncode(dst []byte, tx *Transaction) ([]byte, error) {
	b, err := msgpack.Marshal(tx)
	return append(dst, b...), err
}

// serdeLib is the franz-go Schema Registry serde (wire-format header, id
// lookup) around a library's encode and decode functions.
type serdeLib struct{ s *sr.Serde }

func (l serdeLib) decode(v []byte, tx *Transaction) error { return l.s.Decode(v, tx) }
func (l serdeLib) appendEncode(dst []byte, tx *Transaction) ([]byte, error) {
	return l.s.AppendEncode(dst, tx)
}

func newHambaLib(id int) (txLib, error) {
	schema, err := hamba.Parse(TransactionAvro)
	if err != nil {
		return nil, fmt.Errorf("bench: hamba schema: %w", err)
	}
	s := sr.NewSerde()
	s.Register(id, &Transaction{},
		sr.EncodeFn(func(v any) ([]byte, error) { return hamba.Marshal(schema, v) }),
		sr.DecodeFn(func(b []byte, v any) error { return hamba.Unmarshal(schema, b, v) }),
	)
	return serdeLib{s}, nil
}

// newDynamicpbLib decodes with google.golang.org/protobuf into a dynamic
// message (the schema arrives as .proto text, as from a registry) and copies
// the fields into the struct.
func newDynamicpbLib(ctx context.Context, id int) (txLib, error) {
	md, err := protoDescriptor(ctx)
	if err != nil {
		return nil, err
	}
	f := md.Fields()
	fields := [7]protoreflect.FieldDescriptor{}
	for i, name := range []protoreflect.Name{"id", "user_id", "amount", "currency", "ts", "ok", "note"} {
		if fields[i] = f.ByName(name); fields[i] == nil {
			return nil, fmt.Errorf("bench: .proto has no field %s", name)
		}
	}
	msg := dynamicpb.NewMessage(md)
	s := sr.NewSerde()
	s.Register(id, &Transaction{}, sr.Index(0),
		sr.AppendEncodeFn(func(dst []byte, v any) ([]byte, error) {
			tx := v.(*Transaction)
			msg.Set(fields[0], protoreflect.ValueOfString(tx.ID))
			msg.Set(fields[1], protoreflect.ValueOfString(tx.UserID))
			msg.Set(fields[2], protoreflect.ValueOfFloat64(tx.Amount))
			msg.Set(fields[3], protoreflect.ValueOfString(tx.Currency))
			msg.Set(fields[4], protoreflect.ValueOfInt64(tx.TS))
			msg.Set(fields[5], protoreflect.ValueOfBool(tx.OK))
			msg.Set(fields[6], protoreflect.ValueOfString(tx.Note))
			return proto.MarshalOptions{}.MarshalAppend(dst, msg)
		}),
		sr.DecodeFn(func(b []byte, v any) error {
			if err := proto.Unmarshal(b, msg); err != nil {
				return err
			}
			tx := v.(*Transaction)
			tx.ID = msg.Get(fields[0]).String()
			tx.UserID = msg.Get(fields[1]).String()
			tx.Amount = msg.Get(fields[2]).Float()
			tx.Currency = msg.Get(fields[3]).String()
			tx.TS = msg.Get(fields[4]).Int()
			tx.OK = msg.Get(fields[5]).Bool()
			tx.Note = msg.Get(fields[6]).String()
			return nil
		}),
	)
	return serdeLib{s}, nil
}

// newGeneratedPBLib decodes with google.golang.org/protobuf into the type
// protoc-gen-go generated (bench/internal/txpb) and copies the fields into
// the struct.
func newGeneratedPBLib(id int) txLib {
	var msg txpb.Transaction
	s := sr.NewSerde()
	s.Register(id, &Transaction{}, sr.Index(0),
		sr.AppendEncodeFn(func(dst []byte, v any) ([]byte, error) {
			tx := v.(*Transaction)
			msg.Id, msg.UserId, msg.Amount, msg.Currency = tx.ID, tx.UserID, tx.Amount, tx.Currency
			msg.Ts, msg.Ok, msg.Note = tx.TS, tx.OK, tx.Note
			return proto.MarshalOptions{}.MarshalAppend(dst, &msg)
		}),
		sr.DecodeFn(func(b []byte, v any) error {
			if err := proto.Unmarshal(b, &msg); err != nil {
				return err
			}
			tx := v.(*Transaction)
			tx.ID, tx.UserID, tx.Amount, tx.Currency = msg.Id, msg.UserId, msg.Amount, msg.Currency
			tx.TS, tx.OK, tx.Note = msg.Ts, msg.Ok, msg.Note
			return nil
		}),
	)
	return serdeLib{s}
}

// newJSONSchemaLib validates each value with santhosh-tekuri/jsonschema
// (what Confluent's JSON Schema serdes use) and decodes it with encoding/json.
func newJSONSchemaLib(id int) (txLib, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(TransactionJSONSchema)))
	if err != nil {
		return nil, fmt.Errorf("bench: json schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("transaction.json", doc); err != nil {
		return nil, fmt.Errorf("bench: json schema: %w", err)
	}
	sch, err := c.Compile("transaction.json")
	if err != nil {
		return nil, fmt.Errorf("bench: json schema: %w", err)
	}
	validate := func(b []byte) error {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		return sch.Validate(inst)
	}
	s := sr.NewSerde()
	s.Register(id, &Transaction{},
		sr.EncodeFn(func(v any) ([]byte, error) {
			b, err := stdjson.Marshal(v)
			if err != nil {
				return nil, err
			}
			return b, validate(b)
		}),
		sr.DecodeFn(func(b []byte, v any) error {
			if err := validate(b); err != nil {
				return err
			}
			return stdjson.Unmarshal(b, v)
		}),
	)
	return serdeLib{s}, nil
}

// ipcLib reads and writes one-row Arrow IPC streams with arrow-go's ipc
// package.
type ipcLib struct {
	mem memory.Allocator
	buf bytes.Buffer
}

func (l *ipcLib) decode(v []byte, tx *Transaction) error {
	r, err := ipc.NewReader(bytes.NewReader(v), ipc.WithAllocator(l.mem))
	if err != nil {
		return err
	}
	defer r.Release()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return err
		}
		return errors.New("bench: empty Arrow IPC value")
	}
	*tx = transactionAt(r.RecordBatch(), 0)
	tx.ID, tx.UserID, tx.Currency, tx.Note = clone(tx.ID), clone(tx.UserID), clone(tx.Currency), clone(tx.Note)
	return nil
}

func clone(s string) string { return string([]byte(s)) }

func (l *ipcLib) appendEncode(dst []byte, tx *Transaction) ([]byte, error) {
	b := array.NewRecordBuilder(l.mem, TransactionSchema)
	defer b.Release()
	appendTransaction(b, tx)
	rec := b.NewRecordBatch()
	defer rec.Release()
	l.buf.Reset()
	w := ipc.NewWriter(&l.buf, ipc.WithSchema(TransactionSchema), ipc.WithAllocator(l.mem))
	if err := w.Write(rec); err != nil {
		return dst, err
	}
	if err := w.Close(); err != nil {
		return dst, err
	}
	return append(dst, l.buf.Bytes()...), nil
}
