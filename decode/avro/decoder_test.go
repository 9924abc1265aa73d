package avro_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	twmb "github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// memRegistry is a registry.Resolver over fixed schemas.
type memRegistry map[int]registry.ResolvedSchema

func (m memRegistry) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	s, ok := m[id]
	if !ok {
		return registry.ResolvedSchema{}, fmt.Errorf("schema %d: %w", id, registry.ErrNotFound)
	}
	return s, nil
}

// encodeTWMB encodes v with an independent implementation, framed with the
// Confluent header for id.
func encodeTWMB(t testing.TB, cache *twmb.SchemaCache, schema string, id int, v any) []byte {
	t.Helper()
	s, err := cache.Parse(schema)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.AppendEncode(wire.AppendHeader(nil, id), v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func batchJSON(t testing.TB, rec arrow.RecordBatch) string {
	t.Helper()
	var buf bytes.Buffer
	if err := array.RecordToJSON(rec, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

const (
	userV1 = `{"type":"record","name":"User","namespace":"com.acme","fields":[
		{"name":"id","type":"long"},{"name":"name","type":"string"}]}`
	userV2 = `{"type":"record","name":"User","namespace":"com.acme","fields":[
		{"name":"id","type":"long"},{"name":"name","type":"string"},
		{"name":"email","type":["null","string"],"default":null},
		{"name":"address","type":["null","com.acme.Address"],"default":null}]}`
	address = `{"type":"record","name":"Address","namespace":"com.acme","fields":[
		{"name":"city","type":"string"},{"name":"zip","type":"int"}]}`
)

func userRegistry() memRegistry {
	return memRegistry{
		1: {ID: 1, Schema: registry.Schema{Text: userV1}},
		2: {ID: 2, Schema: registry.Schema{Type: registry.TypeAvro, Text: userV2,
			References: []registry.Reference{{Name: "com.acme.Address", Subject: "address", Version: 1}}},
			Deps: []registry.Dependency{{Name: "com.acme.Address", Schema: registry.Schema{Text: address}}}},
		3: {ID: 3, Schema: registry.Schema{Type: registry.TypeProtobuf, Text: `syntax = "proto3";`}},
	}
}

func userRecords(t testing.TB) *decode.Input {
	var cache, cache1 twmb.SchemaCache
	if _, err := cache.Parse(address); err != nil {
		t.Fatal(err)
	}
	v1 := func(id int64, name string) []byte {
		return encodeTWMB(t, &cache1, userV1, 1, map[string]any{"id": id, "name": name})
	}
	v2 := func(id int64, name string, email any, addr any) []byte {
		return encodeTWMB(t, &cache, userV2, 2, map[string]any{"id": id, "name": name, "email": email, "address": addr})
	}
	in := &decode.Input{Values: [][]byte{
		v1(1, "ann"),
		v1(2, "bob"),
		v2(3, "cyd", "cyd@example.com", map[string]any{"city": "Oslo", "zip": int32(150)}),
		nil, // tombstone
		v2(5, "dee", nil, nil),
		v1(6, "eve"),
		wire.AppendHeader(nil, 9), // unknown id
		wire.AppendHeader(nil, 3), // not Avro
		append(wire.AppendHeader(nil, 1), 0x02),
	}}
	for i := range in.Values {
		in.Topics = append(in.Topics, "users")
		in.Offsets = append(in.Offsets, int64(i+1))
	}
	return in
}

// TestDecoderPerWriterSchema: without a reader schema each writer schema
// gives its own batch layout, in offset order.
func TestDecoderPerWriterSchema(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d, err := decode.New(decode.Config{Wire: decode.WireConfluent, Registry: userRegistry(),
		Compiler: avro.NewCompiler(avro.Options{}), Allocator: mem, Metadata: decode.MetaOffset})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Decode(context.Background(), userRecords(t))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	var got []string
	for _, b := range res.Batches {
		got = append(got, strings.TrimSpace(batchJSON(t, b)))
	}
	want := []string{
		`{"_offset":1,"id":1,"name":"ann"}` + "\n" + `{"_offset":2,"id":2,"name":"bob"}`,
		`{"_offset":3,"address":{"city":"Oslo","zip":150},"email":"cyd@example.com","id":3,"name":"cyd"}` + "\n" +
			`{"_offset":5,"address":null,"email":null,"id":5,"name":"dee"}`,
		`{"_offset":6,"id":6,"name":"eve"}`,
	}
	if strings.Join(got, "\n--\n") != strings.Join(want, "\n--\n") {
		t.Fatalf("batches:\n%s\nwant:\n%s", strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
	}
	if len(res.Tombstones) != 1 || res.Tombstones[0] != 3 {
		t.Fatalf("tombstones %v", res.Tombstones)
	}
	if len(res.Errors) != 3 {
		t.Fatalf("errors %v", res.Errors)
	}
	for i, wantMsg := range []string{"not found", "not Avro", "unexpected end"} {
		if !strings.Contains(res.Errors[i].Error(), wantMsg) {
			t.Errorf("error %d: %v, want %q", i, res.Errors[i], wantMsg)
		}
	}
}

// TestDecoderReaderSchema: with a reader schema, v1 and v2 values decode into
// one layout; v1 rows take the reader's defaults.
func TestDecoderReaderSchema(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	reader := `{"type":"record","name":"User","namespace":"com.acme","fields":[
		{"name":"id","type":"long"},
		{"name":"full_name","aliases":["name"],"type":"string"},
		{"name":"email","type":["null","string"],"default":null},
		{"name":"country","type":"string","default":"NO"}]}`
	d, err := decode.New(decode.Config{Wire: decode.WireConfluent, Registry: userRegistry(),
		Compiler: avro.NewCompiler(avro.Options{ReaderSchema: reader}), Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Decode(context.Background(), userRecords(t))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	var lines []string
	for _, b := range res.Batches {
		if !b.Schema().Equal(res.Batches[0].Schema()) {
			t.Fatalf("batch schemas differ: %s vs %s", b.Schema(), res.Batches[0].Schema())
		}
		lines = append(lines, strings.TrimSpace(batchJSON(t, b)))
	}
	want := `{"country":"NO","email":null,"full_name":"ann","id":1}
{"country":"NO","email":null,"full_name":"bob","id":2}
{"country":"NO","email":"cyd@example.com","full_name":"cyd","id":3}
{"country":"NO","email":null,"full_name":"dee","id":5}
{"country":"NO","email":null,"full_name":"eve","id":6}`
	if got := strings.Join(lines, "\n"); got != want {
		t.Fatalf("rows:\n%s\nwant:\n%s", got, want)
	}
}
