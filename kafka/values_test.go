package kafka_test

import (
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/json"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

const txnAvro = `{"type": "record", "name": "Transaction", "namespace": "sabot.test",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "amount", "type": "double"},
    {"name": "timestamp", "type": "long"},
    {"name": "note", "type": ["null", "string"], "default": null}
  ]}`

const txnProto = `syntax = "proto3";
package sabot.values;
enum Status { STATUS_UNSPECIFIED = 0; PENDING = 1; SETTLED = 2; }
message Txn { string id = 1; double amount = 2; Status status = 3; }
`

// protoTxn is a Txn message built from txnProto at run time (a generated
// type would do the same).
func protoTxn(t *testing.T, id string, amount float64, status string) proto.Message {
	t.Helper()
	fd, err := protobuf.CompileProto(context.Background(), "txn.proto", txnProto, nil)
	if err != nil {
		t.Fatal(err)
	}
	md := fd.Messages().ByName("Txn")
	m := dynamicpb.NewMessage(md)
	m.Set(md.Fields().ByName("id"), protoreflect.ValueOfString(id))
	m.Set(md.Fields().ByName("amount"), protoreflect.ValueOfFloat64(amount))
	m.Set(md.Fields().ByName("status"), protoreflect.ValueOfEnum(fd.Enums().ByName("Status").Values().ByName(protoreflect.Name(status)).Number()))
	return m
}

type txn struct {
	ID        string  `json:"id"`
	Amount    float64 `json:"amount"`
	Timestamp int64   `json:"timestamp"`
}

// rowStrings reads n decoded rows from src and returns them as JSON text.
func rowStrings(ctx context.Context, t *testing.T, src *kafka.Source, n int) []string {
	t.Helper()
	var out []string
	for row, err := range src.Rows(ctx) {
		if err != nil {
			t.Fatalf("after %d of %d rows: %v", len(out), n, err)
		}
		out = append(out, row.String())
		if len(out) == n {
			break
		}
	}
	return out
}

// TestSendValuesRoundTrip sends Go values through each codec's sink and reads
// them back through the same codec: the rows are the values.
func TestSendValuesRoundTrip(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	reg, err := registry.NewClient(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	userSchema := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "action", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	tests := []struct {
		name   string
		sink   codec.Spec
		source codec.Spec
		values []any
		want   []string
	}{
		{
			name:   "json inferred from maps and structs",
			sink:   codec.Spec{Format: codec.JSON{}},
			source: codec.Spec{Format: codec.JSON{ArrowSchema: userSchema}},
			values: []any{
				map[string]any{"user_id": "123", "action": "purchase"},
				struct {
					UserID string `json:"user_id"`
					Action string `json:"action"`
				}{"456", "view"},
			},
			want: []string{`{"user_id":"123","action":"purchase"}`, `{"user_id":"456","action":"view"}`},
		},
		{
			name:   "avro with registry",
			sink:   codec.Spec{Format: codec.Avro{Schema: txnAvro}, Registry: reg},
			source: codec.Spec{Format: codec.Avro{}, Registry: reg},
			values: []any{txn{"TX-1", 99.99, 1700000000000}, map[string]any{"id": "TX-2", "amount": 5, "timestamp": 1700000000001, "note": "gift"}},
			want: []string{
				`{"id":"TX-1","amount":99.99,"timestamp":1700000000000,"note":null}`,
				`{"id":"TX-2","amount":5,"timestamp":1700000000001,"note":"gift"}`,
			},
		},
		{
			name:   "protobuf messages with registry",
			sink:   codec.Spec{Format: codec.Protobuf{Schema: txnProto, Message: "Txn"}, Registry: reg},
			source: codec.Spec{Format: codec.Protobuf{}, Registry: reg},
			values: []any{protoTxn(t, "TX-123", 99.99, "SETTLED"), map[string]any{"id": "TX-124", "status": "PENDING"}},
			want: []string{
				`{"id":"TX-123","amount":99.99,"status":"SETTLED"}`,
				`{"id":"TX-124","amount":0,"status":"PENDING"}`,
			},
		},
		{
			name:   "msgpack inferred",
			sink:   codec.Spec{Format: codec.MsgPack{}},
			source: codec.Spec{Format: codec.MsgPack{ArrowSchema: userSchema}},
			values: []any{map[string]string{"user_id": "1", "action": "a"}, map[string]string{"user_id": "2", "action": "b"}},
			want:   []string{`{"user_id":"1","action":"a"}`, `{"user_id":"2","action":"b"}`},
		},
		{
			name:   "string",
			sink:   codec.Spec{Format: codec.String{}},
			source: codec.Spec{Format: codec.String{}},
			values: []any{"plain", []byte("bytes")},
			want:   []string{`{"value":"plain"}`, `{"value":"bytes"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			topic := servicestest.Topic(t, s, 1)
			tt.sink.Allocator = mem
			sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: tt.sink})
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			if err := sink.SendValues(ctx, tt.values[:1]...); err != nil {
				t.Fatal(err)
			}
			if len(tt.values) > 1 {
				if err := sink.SendValues(ctx, tt.values[1]); err != nil {
					t.Fatal(err)
				}
			}
			if got := sink.Metrics().RecordsOut; got != int64(len(tt.values)) {
				t.Errorf("RecordsOut = %d, want %d", got, len(tt.values))
			}
			cfg := sourceConfig(s, topic, "")
			tt.source.Allocator = mem
			cfg.Codec = tt.source
			src, err := kafka.NewSource(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			got := rowStrings(ctx, t, src, len(tt.want))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rows read back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// offlineSink is a sink whose client never connects: ValuesBatch needs no
// broker.
func offlineSink(t *testing.T, spec codec.Spec, opts ...func(*kafka.SinkConfig)) *kafka.Sink {
	t.Helper()
	cfg := kafka.SinkConfig{Brokers: []string{"127.0.0.1:1"}, Topic: "t", Codec: spec, SkipConnectCheck: true}
	for _, o := range opts {
		o(&cfg)
	}
	sink, err := kafka.NewSink(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	return sink
}

func TestValuesBatchLayouts(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	fixedSchema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}, nil)
	tests := []struct {
		name   string
		spec   codec.Spec
		values []any
		// fields is the schema of the batch, rows its rows as JSON.
		fields string
		rows   []string
	}{
		{
			name:   "inferred",
			spec:   codec.Spec{Format: codec.JSON{}},
			values: []any{map[string]any{"a": 1, "b": "x"}, map[string]any{"a": 2.5, "c": []int{1, 2}}},
			fields: "a: float64, b: utf8, c: list<item: int64, nullable>",
			rows:   []string{`{"a":1,"b":"x","c":null}`, `{"a":2.5,"b":null,"c":[1,2]}`},
		},
		{
			name:   "arrow schema",
			spec:   codec.Spec{Format: codec.MsgPack{ArrowSchema: fixedSchema}},
			values: []any{map[string]any{"id": 7, "tags": []string{"a"}}, map[string]any{"id": 8}},
			fields: "id: int32, tags: list<item: utf8, nullable>",
			rows:   []string{`{"id":7,"tags":["a"]}`, `{"id":8,"tags":null}`},
		},
		{
			name:   "avro schema",
			spec:   codec.Spec{Format: codec.Avro{Schema: txnAvro}},
			values: []any{txn{"TX-1", 1.5, 3}},
			fields: "id: utf8, amount: float64, timestamp: int64, note: utf8",
			rows:   []string{`{"id":"TX-1","amount":1.5,"timestamp":3,"note":null}`},
		},
		{
			name:   "json with a json schema",
			spec:   codec.Spec{Format: codec.JSON{Schema: `{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}`}},
			values: []any{map[string]int{"n": 4}},
			fields: "n: int64",
			rows:   []string{`{"n":4}`},
		},
		{
			name:   "protobuf message to a json sink",
			spec:   codec.Spec{Format: codec.JSON{}},
			values: []any{&testpb.Transaction{Id: "TX-9", Approved: true}},
			fields: "id: utf8, approved: bool",
			rows:   []string{`{"id":"TX-9","approved":true}`},
		},
		{
			name:   "bytes",
			spec:   codec.Spec{Format: codec.Bytes{Column: "payload"}},
			values: []any{[]byte{0, 1}, nil},
			fields: "payload: binary",
			rows:   []string{`{"payload":"AAE="}`, `{"payload":null}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Allocator = mem
			sink := offlineSink(t, tt.spec)
			rec, err := sink.ValuesBatch(ctx, tt.values)
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			var fields []string
			for _, f := range rec.Schema().Fields() {
				fields = append(fields, f.Name+": "+f.Type.String())
			}
			if got := strings.Join(fields, ", "); got != tt.fields {
				t.Errorf("fields = %s, want %s", got, tt.fields)
			}
			for i, want := range tt.rows {
				if got := (kafka.Row{Rec: rec, Index: i}).String(); got != want {
					t.Errorf("row %d = %s, want %s", i, got, want)
				}
			}
		})
	}
}

func TestValuesBatchReusesLayouts(t *testing.T) {
	ctx := context.Background()
	sink := offlineSink(t, codec.Spec{Format: codec.JSON{}})
	batch := func(v any) *arrow.Schema {
		rec, err := sink.ValuesBatch(ctx, []any{v})
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		return rec.Schema()
	}
	a1, b, a2 := batch(map[string]int{"a": 1}), batch(map[string]string{"b": "x"}), batch(map[string]int{"a": 2})
	if a1 != a2 {
		t.Error("equal inferred layouts give different *arrow.Schema values: the encoder would compile a plan per call")
	}
	if a1 == b {
		t.Error("different layouts share a schema")
	}
	avro := offlineSink(t, codec.Spec{Format: codec.Avro{Schema: txnAvro}})
	r1, err := avro.ValuesBatch(ctx, []any{txn{ID: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Release()
	r2, err := avro.ValuesBatch(ctx, []any{txn{ID: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Release()
	if r1.Schema() != r2.Schema() {
		t.Error("a fixed layout is rebuilt per call")
	}
}

func TestValuesErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	tests := []struct {
		name   string
		spec   codec.Spec
		values []any
		index  int
		kind   error
		msg    string
	}{
		{
			name:   "missing required avro field",
			spec:   codec.Spec{Format: codec.Avro{Schema: txnAvro}},
			values: []any{txn{ID: "ok"}, map[string]any{"id": "no amount", "timestamp": 1}},
			index:  1, kind: decode.ErrNull, msg: "amount",
		},
		{
			name:   "wrong type",
			spec:   codec.Spec{Format: codec.Avro{Schema: txnAvro}},
			values: []any{map[string]any{"id": 5, "amount": 1, "timestamp": 1}},
			index:  0, kind: decode.ErrType, msg: "id",
		},
		{
			name:   "not marshallable",
			spec:   codec.Spec{Format: codec.JSON{}},
			values: []any{map[string]any{"ok": 1}, map[string]any{"f": func() {}}},
			index:  1, msg: "unsupported type",
		},
		{
			name:   "not an object",
			spec:   codec.Spec{Format: codec.JSON{ArrowSchema: arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)}},
			values: []any{[]int{1}},
			index:  0, kind: decode.ErrType,
		},
		{
			name:   "string sink given a map",
			spec:   codec.Spec{Format: codec.String{}},
			values: []any{"fine", map[string]any{}},
			index:  1, msg: "takes string or []byte values",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Allocator = mem
			sink := offlineSink(t, tt.spec)
			rec, err := sink.ValuesBatch(ctx, tt.values)
			if err == nil {
				rec.Release()
				t.Fatal("no error")
			}
			var ve *kafka.ValueError
			if !errors.As(err, &ve) || ve.Index != tt.index {
				t.Fatalf("error %v: want a *ValueError for value %d", err, tt.index)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("error %v does not wrap %v", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "kafka: value ") {
				t.Errorf("error %q: want the prefix %q and %q", err, "kafka: value ", tt.msg)
			}
		})
	}
}

// TestSendValuesBadValueProducesNothing checks that one bad value keeps the
// whole call from producing, and that KeyColumn keys values.
func TestSendValuesBadValueProducesNothing(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 1)
	sink := newSink(t, kafka.SinkConfig{
		Brokers: s.Brokers, Topic: topic, KeyColumn: "id",
		Codec: codec.Spec{Format: codec.Avro{Schema: txnAvro}},
	})
	err := sink.SendValues(ctx, txn{ID: "a"}, map[string]any{"id": "b"}, map[string]any{"id": "c"})
	var ve *kafka.ValueError
	if !errors.As(err, &ve) || ve.Index != 1 || !strings.Contains(err.Error(), "and 1 more of 3 values failed") {
		t.Fatalf("err = %v, want value 1 and one more failing", err)
	}
	if err := sink.SendValues(ctx, txn{ID: "k-1", Amount: 2}); err != nil {
		t.Fatal(err)
	}
	if got := sink.Metrics().RecordsOut; got != 1 {
		t.Fatalf("RecordsOut = %d, want 1 (the failed call produced nothing)", got)
	}
	cl := rawClient(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	recs := readAll(ctx, t, cl, 1)
	if string(recs[0].Key) != "k-1" || recs[0].Offset != 0 {
		t.Errorf("record key %q offset %d, want k-1 at 0", recs[0].Key, recs[0].Offset)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sink.SendValues(ctx, txn{}); !errors.Is(err, kafka.ErrClosed) {
		t.Errorf("SendValues after Close = %v, want ErrClosed", err)
	}
}

func TestRowMapAndJSON(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}), Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "e", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		json.RawField("raw"),
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"a", ""}, []bool{true, false})
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{42, 0}, []bool{true, false})
	b.Field(2).(*array.BinaryBuilder).AppendValues([][]byte{{0xff}, nil}, []bool{true, false})
	b.Field(3).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1704067200000, 0}, []bool{true, false})
	sb := b.Field(4).(*array.StructBuilder)
	sb.Append(true)
	sb.FieldBuilder(0).(*array.Float64Builder).Append(1.5)
	sb.AppendNull()
	lb := b.Field(5).(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{1, 2}, nil)
	lb.AppendNull()
	mb := b.Field(6).(*array.MapBuilder)
	mb.Append(true)
	mb.KeyBuilder().(*array.StringBuilder).Append("k")
	mb.ItemBuilder().(*array.Int64Builder).Append(9)
	mb.AppendNull()
	db := b.Field(7).(*array.BinaryDictionaryBuilder)
	if err := db.AppendString("SETTLED"); err != nil {
		t.Fatal(err)
	}
	db.AppendNull()
	b.Field(8).(*array.StringBuilder).AppendValues([]string{`[1,{"z":true}]`, ""}, []bool{true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()

	row := kafka.Row{Rec: rec, Index: 0}
	want := `{"s":"a","n":42,"b":"/w==","ts":"2024-01-01T00:00:00Z","st":{"x":1.5},"l":[1,2],"m":{"k":9},"e":"SETTLED","raw":[1,{"z":true}]}`
	if got := row.String(); got != want {
		t.Errorf("row 0:\n got %s\nwant %s", got, want)
	}
	m := row.Map()
	if m["n"] != int64(42) || fmt.Sprint(m["l"]) != "[1 2]" || fmt.Sprint(m["st"]) != "map[x:1.5]" || m["e"] != "SETTLED" {
		t.Errorf("Map = %v", m)
	}
	nulls := kafka.Row{Rec: rec, Index: 1}.Map()
	for k, v := range nulls {
		if v != nil {
			t.Errorf("row 1 column %s = %v, want nil", k, v)
		}
	}
	if len(nulls) != len(schema.Fields()) {
		t.Errorf("Map has %d entries, want %d", len(nulls), len(schema.Fields()))
	}
	if got := (kafka.Row{}).String(); got != "null" {
		t.Errorf("empty Row = %s", got)
	}
}

func TestMessageStringAndHeader(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sb := array.NewStringBuilder(mem)
	sb.Append("v")
	col := sb.NewArray()
	sb.Release()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{col}, 1)
	col.Release()
	defer rec.Release()
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	hs := []kgo.RecordHeader{{Key: "source", Value: []byte("web")}, {Key: "trace", Value: []byte("1")}, {Key: "source", Value: []byte("app")}}
	tests := []struct {
		name string
		m    kafka.Message
		want string
	}{
		{"row", kafka.Message{Topic: "t", Partition: 2, Offset: 5, Timestamp: ts, Key: []byte("k"), Headers: hs, Row: kafka.Row{Rec: rec}},
			`t/2@5 ts=2024-01-01T00:00:00Z key="k" value={"value":"v"} headers=[source="web" trace="1" source="app"]`},
		{"tombstone", kafka.Message{Topic: "t", Timestamp: ts, Tombstone: true},
			`t/0@0 ts=2024-01-01T00:00:00Z key=null value=null`},
		{"error", kafka.Message{Topic: "t", Timestamp: ts, Err: errors.New("bad")},
			`t/0@0 ts=2024-01-01T00:00:00Z key=null value=<error: bad>`},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	m := tests[0].m
	if v, ok := m.Header("source"); !ok || string(v) != "app" {
		t.Errorf("Header(source) = %q, %v; want the last one, app", v, ok)
	}
	if _, ok := m.Header("missing"); ok {
		t.Error("Header(missing) found")
	}
}

// ExampleSink_SendValues sends Go values (a map and a struct) as JSON and
// reads them back as Arrow rows.
func ExampleSink_SendValues() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc, err := services.Open(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer svc.Close()
	topic := fmt.Sprintf("values-example-%d", time.Now().UnixNano())
	if err := svc.CreateTopic(ctx, topic, 1); err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = svc.DeleteTopic(context.Background(), topic) }()
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: svc.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.JSON{}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sink.Close()
	type event struct {
		UserID string `json:"user_id"`
		Action string `json:"action"`
	}
	if err := sink.SendValues(ctx,
		map[string]any{"user_id": "123", "action": "purchase"},
		event{UserID: "456", Action: "view"},
	); err != nil {
		fmt.Println(err)
		return
	}

	layout := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.BinaryTypes.String},
		{Name: "action", Type: arrow.BinaryTypes.String},
	}, nil)
	src, err := kafka.NewSource(kafka.SourceConfig{Brokers: svc.Brokers, Topics: []string{topic},
		Codec: codec.Spec{Format: codec.JSON{ArrowSchema: layout}}, AutoOffsetReset: kafka.OffsetEarliest})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	n := 0
	for m, err := range src.Messages(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.Offset, m.Row, m.Row.Map()["action"])
		if n++; n == 2 {
			break
		}
	}
	// Output:
	// 0 {"user_id":"123","action":"purchase"} purchase
	// 1 {"user_id":"456","action":"view"} view
}

// BenchmarkValuesBatch measures the Go-values convenience against building
// the same batch with Arrow builders directly (the baseline): the price of
// the JSON detour.
func BenchmarkValuesBatch(b *testing.B) {
	const n = 1000
	vs := make([]any, n)
	txns := make([]txn, n)
	var jsonBytes int64 // the values' JSON size: what SetBytes counts
	for i := range vs {
		txns[i] = txn{ID: fmt.Sprintf("TX-%06d", i), Amount: float64(i) / 4, Timestamp: 1704067200000 + int64(i)}
		vs[i] = txns[i]
		text, err := stdjson.Marshal(txns[i])
		if err != nil {
			b.Fatal(err)
		}
		jsonBytes += int64(len(text))
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
		{Name: "timestamp", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b.Run("ValuesBatch", func(b *testing.B) {
		sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: []string{"127.0.0.1:1"}, Topic: "t", Codec: codec.Spec{Format: codec.JSON{ArrowSchema: schema}},
			SkipConnectCheck: true})
		if err != nil {
			b.Fatal(err)
		}
		defer sink.Close()
		b.ReportAllocs()
		b.SetBytes(jsonBytes)
		for b.Loop() {
			rec, err := sink.ValuesBatch(context.Background(), vs)
			if err != nil {
				b.Fatal(err)
			}
			rec.Release()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
	})
	b.Run("builders", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(jsonBytes)
		for b.Loop() {
			rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
			id, amount, ts := rb.Field(0).(*array.StringBuilder), rb.Field(1).(*array.Float64Builder), rb.Field(2).(*array.Int64Builder)
			for _, t := range txns {
				id.Append(t.ID)
				amount.Append(t.Amount)
				ts.Append(t.Timestamp)
			}
			rb.NewRecordBatch().Release()
			rb.Release()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
	})
}
