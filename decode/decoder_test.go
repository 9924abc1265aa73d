package decode_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// intPlan decodes ASCII decimal payloads into one int64 column named after the
// writer schema text ("n" when there is none).
type intPlan struct{ name string }

func (p intPlan) Fields() []arrow.Field {
	return []arrow.Field{{Name: p.name, Type: arrow.PrimitiveTypes.Int64}}
}

func (p intPlan) Bind(bs []array.Builder) (decode.Appender, error) {
	return intAppender{bs[0].(*array.Int64Builder)}, nil
}

type intAppender struct{ b *array.Int64Builder }

func (a intAppender) Append(payload []byte) error {
	v, err := strconv.ParseInt(string(payload), 10, 64)
	if err != nil {
		a.b.AppendNull()
		return err
	}
	a.b.Append(v)
	return nil
}

var intCompiler = decode.CompilerFunc(func(s *registry.ResolvedSchema, path []int) (decode.Plan, error) {
	if s == nil {
		return intPlan{"n"}, nil
	}
	if s.Text == "unsupported" {
		return nil, fmt.Errorf("field x: %w", decode.ErrUnsupported)
	}
	return intPlan{s.Text}, nil
})

// fakeRegistry resolves ids from a map and counts lookups; down simulates an
// outage.
type fakeRegistry struct {
	schemas map[int]string
	lookups int
	down    bool
}

func (f *fakeRegistry) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	f.lookups++
	if f.down {
		return registry.ResolvedSchema{}, errors.New("connection refused")
	}
	text, ok := f.schemas[id]
	if !ok {
		return registry.ResolvedSchema{}, fmt.Errorf("schema %d: %w", id, registry.ErrNotFound)
	}
	return registry.ResolvedSchema{ID: id, Schema: registry.Schema{Text: text}}, nil
}

// recs is an Input of values with every metadata column filled: topic t,
// partition 2, offsets from 100, one header per record.
func recs(values ...[]byte) *decode.Input {
	in := &decode.Input{}
	for i, v := range values {
		in.Values = append(in.Values, v)
		in.Topics = append(in.Topics, "t")
		in.Partitions = append(in.Partitions, 2)
		in.Offsets = append(in.Offsets, int64(100+i))
		in.Keys = append(in.Keys, []byte("k"+strconv.Itoa(i)))
		in.Timestamps = append(in.Timestamps, time.UnixMilli(1_700_000_000_000+int64(i)).UnixMilli())
		in.Headers = append(in.Headers, decode.Header{Key: "h", Value: []byte{byte(i)}})
		in.HeaderEnds = append(in.HeaderEnds, len(in.Headers))
	}
	return in
}

func framed(id int, payload string) []byte { return append(wire.AppendHeader(nil, id), payload...) }

func int64s(t *testing.T, b arrow.RecordBatch, col int) []int64 {
	t.Helper()
	return b.Column(col).(*array.Int64).Int64Values()
}

func TestDecodeDropsBadRowsAndKeepsOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d, err := decode.New(decode.Config{Compiler: intCompiler, Allocator: mem, Metadata: decode.MetaAll})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Decode(context.Background(), recs([]byte("1"), []byte("x"), []byte("3"), nil, []byte("4"), []byte("y")))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if len(res.Errors) != 2 || res.Errors[0].Index != 1 || res.Errors[1].Index != 5 || res.Errors[0].Offset != 101 {
		t.Fatalf("errors = %+v", res.Errors)
	}
	if len(res.Tombstones) != 1 || res.Tombstones[0] != 3 {
		t.Fatalf("tombstones = %v", res.Tombstones)
	}
	var got, offsets []int64
	for _, b := range res.Batches {
		got = append(got, int64s(t, b, 0)...)
		offsets = append(offsets, int64s(t, b, 3)...)
		if b.Schema().Field(6).Name != decode.ColHeaders {
			t.Fatalf("schema = %v", b.Schema())
		}
	}
	if fmt.Sprint(got) != "[1 3 4]" || fmt.Sprint(offsets) != "[100 102 104]" {
		t.Fatalf("values %v offsets %v", got, offsets)
	}
}

func TestDecodeSplitsBySchemaAndCachesLookups(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	reg := &fakeRegistry{schemas: map[int]string{1: "a", 2: "b", 3: "unsupported"}}
	d, err := decode.New(decode.Config{Compiler: intCompiler, Wire: decode.WireConfluent, Registry: reg, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	in := recs(framed(1, "1"), framed(1, "2"), framed(2, "3"), framed(1, "4"), framed(9, "5"), framed(3, "6"), []byte("bare"))
	for round := 0; round < 3; round++ {
		res, err := d.Decode(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, b := range res.Batches {
			names = append(names, fmt.Sprintf("%s%v", b.Schema().Field(0).Name, int64s(t, b, 0)))
		}
		if fmt.Sprint(names) != "[a[1 2] b[3] a[4]]" {
			t.Fatalf("batches = %v", names)
		}
		if len(res.Errors) != 3 || !errors.Is(res.Errors[0].Err, registry.ErrNotFound) ||
			!errors.Is(res.Errors[1].Err, decode.ErrUnsupported) || !errors.Is(res.Errors[2].Err, wire.ErrTooShort) {
			t.Fatalf("errors = %v", res.Errors)
		}
		res.Release()
	}
	// Ids 1, 2, 3 are cached after the first round; unknown id 9 is asked each time.
	if reg.lookups != 3+3 {
		t.Fatalf("registry lookups = %d, want 6", reg.lookups)
	}
	// An outage does not stop schemas already seen, and fails calls that need a new one.
	reg.down = true
	res, err := d.Decode(context.Background(), recs(framed(1, "7")))
	if err != nil || res.NumRows() != 1 {
		t.Fatalf("cached schema during outage: %v rows, %v", res.NumRows(), err)
	}
	res.Release()
	res, err = d.Decode(context.Background(), recs(framed(1, "8"), framed(4, "9")))
	var oe *decode.OutageError
	if !errors.As(err, &oe) || !errors.Is(err, decode.ErrRegistry) || oe.Index != 1 || res.NumRows() != 1 {
		t.Fatalf("new schema during outage: %v (%d rows before it), want an OutageError at record 1 after 1 row", err, res.NumRows())
	}
	res.Release()
}

func TestDecodeMessageIndexes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var paths []string
	comp := decode.CompilerFunc(func(s *registry.ResolvedSchema, path []int) (decode.Plan, error) {
		paths = append(paths, fmt.Sprint(path))
		return intPlan{fmt.Sprint(path)}, nil
	})
	d, err := decode.New(decode.Config{Compiler: comp, Wire: decode.WireConfluent, MessageIndexes: true,
		Registry: &fakeRegistry{schemas: map[int]string{1: "p"}}, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	withPath := func(path []int, v string) []byte {
		return append(wire.AppendMessageIndexes(wire.AppendHeader(nil, 1), path), v...)
	}
	res, err := d.Decode(context.Background(), recs(withPath([]int{0}, "1"), append(wire.AppendHeader(nil, 1), 0x02, 0x00, '2'), withPath([]int{1, 0}, "3")))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	// The short and long forms of [0] are one path and share one plan.
	if len(res.Batches) != 2 || res.NumRows() != 3 || fmt.Sprint(paths) != "[[0] [1 0]]" {
		t.Fatalf("%d batches, %d rows, compiled %v", len(res.Batches), res.NumRows(), paths)
	}
}

// Writer schemas whose Arrow columns are equal (a reader schema, or writer
// versions that differ only outside the columns) share one output layout:
// records alternating between them stay one batch.
func TestDecodeEqualLayoutsShareABatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	reg := &fakeRegistry{schemas: map[int]string{1: "a", 2: "a", 3: "b"}}
	d, err := decode.New(decode.Config{Compiler: intCompiler, Wire: decode.WireConfluent, Registry: reg, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var vals [][]byte
	for i := range 100 {
		vals = append(vals, framed(1+i%2, strconv.Itoa(i)))
	}
	vals = append(vals, framed(3, "100"), framed(1, "101"))
	res, err := d.Decode(context.Background(), recs(vals...))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	var shape []string
	for _, b := range res.Batches {
		shape = append(shape, fmt.Sprintf("%s:%d", b.Schema().Field(0).Name, b.NumRows()))
	}
	if fmt.Sprint(shape) != "[a:100 b:1 a:1]" {
		t.Fatalf("batches %v", shape)
	}
	if res.Batches[0].Schema() != res.Batches[2].Schema() {
		t.Error("batches of one layout carry different schema pointers")
	}
	if reg.lookups != 3 {
		t.Fatalf("registry lookups %d, want one per id", reg.lookups)
	}
}

func TestDecodeChecksItsInput(t *testing.T) {
	d, err := decode.New(decode.Config{Compiler: intCompiler, Metadata: decode.MetaKey | decode.MetaOffset})
	if err != nil {
		t.Fatal(err)
	}
	// Values alone are enough without metadata columns; here keys and offsets are needed.
	_, err = d.Decode(context.Background(), &decode.Input{Values: [][]byte{[]byte("1")}})
	if err == nil || !strings.Contains(err.Error(), "Offsets has 0 entries") || !strings.Contains(err.Error(), "Keys has 0 entries") {
		t.Fatalf("err %v", err)
	}
	bad := recs([]byte("1"), []byte("2"))
	bad.HeaderEnds[0] = 5
	if _, err := d.Decode(context.Background(), bad); err == nil {
		t.Fatal("header ends past the headers accepted")
	}
	d.Close()
	d.Close()
	if _, err := d.Decode(context.Background(), recs([]byte("1"))); !errors.Is(err, decode.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	plain, err := decode.New(decode.Config{Compiler: intCompiler})
	if err != nil {
		t.Fatal(err)
	}
	res, err := plain.Decode(context.Background(), &decode.Input{Values: [][]byte{[]byte("1"), []byte("x")}})
	if err != nil || res.NumRows() != 1 || res.Errors[0].Offset != -1 || res.Errors[0].Topic != "" {
		t.Fatalf("values-only input: %v rows, errors %+v, %v", res.NumRows(), res.Errors, err)
	}
	res.Release()
}

func BenchmarkDecodeFixed(b *testing.B) {
	d, err := decode.New(decode.Config{Compiler: intCompiler, Metadata: decode.MetaOffset})
	if err != nil {
		b.Fatal(err)
	}
	in := make([][]byte, 10000)
	for i := range in {
		in[i] = []byte(strconv.Itoa(i))
	}
	rs := recs(in...)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := d.Decode(context.Background(), rs)
		if err != nil {
			b.Fatal(err)
		}
		res.Release()
	}
	b.ReportMetric(float64(b.N*rs.Len())/b.Elapsed().Seconds(), "records/s")
}
