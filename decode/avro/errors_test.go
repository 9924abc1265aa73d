package avro_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/avro/avrotest"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	encavro "github.com/sabot-kafka/sabot/encode/avro"
)

// checkAligned fails t unless every nested child of arr has exactly the
// entries its parent says: struct children as long as the struct, list and
// map children as long as the last offset.
func checkAligned(t testing.TB, name string, arr arrow.Array) {
	t.Helper()
	if err := array.ValidateFull(arr); err != nil {
		t.Fatalf("column %s: %v", name, err)
	}
	var walk func(d arrow.ArrayData, path string)
	walk = func(d arrow.ArrayData, path string) {
		switch dt := d.DataType().(type) {
		case *arrow.StructType:
			for i, c := range d.Children() {
				if c.Len() != d.Offset()+d.Len() {
					t.Fatalf("%s.%s: %d entries under a struct of %d", path, dt.Field(i).Name, c.Len(), d.Len())
				}
				walk(c, path+"."+dt.Field(i).Name)
			}
		case *arrow.ListType, *arrow.MapType:
			arr := array.MakeFromData(d)
			defer arr.Release()
			var end int64
			if d.Len() > 0 {
				_, end = arr.(array.ListLike).ValueOffsets(d.Len() - 1)
			}
			c := d.Children()[0]
			if int64(c.Len()) != end {
				t.Fatalf("%s[]: %d entries, offsets end at %d", path, c.Len(), end)
			}
			walk(c, path+"[]")
		}
	}
	walk(arr.Data(), name)
}

func checkBatch(t testing.TB, rec arrow.RecordBatch) {
	t.Helper()
	for i, c := range rec.Columns() {
		checkAligned(t, rec.ColumnName(i), c)
	}
}

// everythingValues encodes a few random rows of everything.avsc.
func everythingValues(t testing.TB, rows int, seed uint64) (string, [][]byte) {
	t.Helper()
	schema := readSchema(t, "everything.avsc")
	mem := memory.NewGoAllocator()
	rec, err := avrotest.Batch(mem, schema, rows, seed, avrotest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	return schema, encodeBatch(t, encavro.NewCompiler(encavro.Options{Schema: schema}), rec)
}

// TestTruncatedEverywhere cuts valid values at every byte: each prefix is an
// error, and the builders stay aligned, nested ones included.
func TestTruncatedEverywhere(t *testing.T) {
	schema, vals := everythingValues(t, 6, 42)
	p, err := avro.NewCompiler(avro.Options{Schema: schema}).Compile(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var payloads [][]byte
	for _, v := range vals {
		for n := 0; n < len(v); n++ {
			payloads = append(payloads, v[:n])
		}
		payloads = append(payloads, v) // a good row between the bad ones
	}
	rec, errs := decodetest.Run(t, mem, p, payloads)
	defer rec.Release()
	checkBatch(t, rec)
	bad := 0
	for i, err := range errs {
		full := false
		for _, v := range vals {
			full = full || len(v) == len(payloads[i]) && string(v) == string(payloads[i])
		}
		switch {
		case full && err != nil:
			t.Fatalf("payload %d (a whole value): %v", i, err)
		case !full && err == nil:
			t.Fatalf("payload %d (%d-byte prefix) decoded without error", i, len(payloads[i]))
		case !full:
			bad++
			var ve *decode.ValueError
			if !errors.As(err, &ve) || !errors.Is(err, decode.ErrMalformed) {
				t.Fatalf("payload %d: error %v is not a ValueError wrapping ErrMalformed", i, err)
			}
		}
	}
	if bad == 0 {
		t.Fatal("no bad payloads")
	}
}

// TestCorruptBytes flips bytes of valid values: decoding may fail or not,
// but never panics and always leaves aligned builders.
func TestCorruptBytes(t *testing.T) {
	schema, vals := everythingValues(t, 4, 7)
	p, err := avro.NewCompiler(avro.Options{Schema: schema, Limits: decode.Limits{MaxItems: 1000, MaxBytes: 1 << 16}}).Compile(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var payloads [][]byte
	for _, v := range vals {
		for i := range v {
			for _, b := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
				c := append([]byte(nil), v...)
				c[i] = b
				payloads = append(payloads, c)
			}
		}
	}
	rec, _ := decodetest.Run(t, mem, p, payloads)
	defer rec.Release()
	checkBatch(t, rec)
}

func TestBadValues(t *testing.T) {
	cases := []struct {
		name   string
		schema string
		limits decode.Limits
		value  []byte
		is     error
		msg    string
	}{
		{"union index", `["null","string"]`, decode.Limits{}, []byte{0x04}, decode.ErrMalformed, "union index 2"},
		{"negative union index", `["null","string"]`, decode.Limits{}, []byte{0x01}, decode.ErrMalformed, "union index -1"},
		{"enum index", `{"type":"enum","name":"E","symbols":["A"]}`, decode.Limits{}, []byte{0x02}, decode.ErrMalformed, "enum index 1"},
		{"boolean byte", `"boolean"`, decode.Limits{}, []byte{0x02}, decode.ErrMalformed, "boolean byte"},
		{"invalid utf8", `"string"`, decode.Limits{}, []byte{0x04, 0xc3, 0x28}, decode.ErrMalformed, "UTF-8"},
		{"negative length", `"bytes"`, decode.Limits{}, []byte{0x03}, decode.ErrMalformed, "negative length"},
		{"string over MaxBytes", `"string"`, decode.Limits{MaxBytes: 3}, []byte{0x08, 'a', 'b', 'c', 'd'}, decode.ErrTooLarge, "4-byte value"},
		{"huge length", `"bytes"`, decode.Limits{}, []byte{0xfe, 0xff, 0xff, 0xff, 0x0f}, decode.ErrTooLarge, "limit"},
		{"array over MaxItems", `{"type":"array","items":"null"}`, decode.Limits{MaxItems: 3}, []byte{0x08, 0x00}, decode.ErrTooLarge, "4 items"},
		{"array blocks over MaxItems", `{"type":"array","items":"null"}`, decode.Limits{MaxItems: 3}, []byte{0x04, 0x04, 0x00}, decode.ErrTooLarge, "after 2"},
		{"map over MaxItems", `{"type":"map","values":"null"}`, decode.Limits{MaxItems: 1}, []byte{0x04, 0x02, 'a', 0x02, 'b', 0x00}, decode.ErrTooLarge, "limit"},
		{"negative block size", `{"type":"array","items":"int"}`, decode.Limits{}, []byte{0x01, 0x01, 0x02}, decode.ErrMalformed, "negative block size"},
		{"varint too long", `"long"`, decode.Limits{}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, decode.ErrMalformed, "64 bits"},
		{"int out of range", `"int"`, decode.Limits{}, []byte{0x80, 0x80, 0x80, 0x80, 0x10}, decode.ErrMalformed, "32-bit"},
		{"trailing bytes", `"int"`, decode.Limits{}, []byte{0x02, 0x00}, decode.ErrMalformed, "1 bytes after"},
		{"decimal over precision", `{"type":"bytes","logicalType":"decimal","precision":2,"scale":0}`, decode.Limits{}, []byte{0x04, 0x03, 0xe8}, decode.ErrRange, "more than 2 digits"},
		{"decimal over 128 bits", `{"type":"bytes","logicalType":"decimal","precision":38,"scale":0}`, decode.Limits{},
			append([]byte{0x22, 0x01}, make([]byte, 16)...), decode.ErrRange, "overflows"},
		{"duration months", `{"type":"fixed","name":"D","size":12,"logicalType":"duration"}`, decode.Limits{},
			[]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0}, decode.ErrRange, "months"},
		{"float truncated", `"float"`, decode.Limits{}, []byte{0, 0}, decode.ErrMalformed, "unexpected end"},
		{"empty record payload", `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`, decode.Limits{}, nil, decode.ErrMalformed, "field a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			p, err := avro.NewCompiler(avro.Options{Schema: c.schema, Limits: c.limits}).Compile(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			rec, errs := decodetest.Run(t, mem, p, [][]byte{c.value})
			defer rec.Release()
			checkBatch(t, rec)
			if !errors.Is(errs[0], c.is) || !strings.Contains(errs[0].Error(), c.msg) {
				t.Fatalf("error %v, want %v containing %q", errs[0], c.is, c.msg)
			}
			if !strings.HasPrefix(errs[0].Error(), "decode: ") {
				t.Fatalf("error %q does not start with the package name", errs[0])
			}
		})
	}
}

func TestDepthLimitOnSkippedRecursion(t *testing.T) {
	// The writer has a recursive list; the reader drops it, so it is skipped
	// and its nesting is bounded by MaxDepth.
	writer := `{"type":"record","name":"R","fields":[{"name":"a","type":"int"},
		{"name":"next","type":["null",{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}]}]}`
	reader := `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`
	nested := func(depth int) []byte {
		v := []byte{0x02}
		for i := 0; i < depth; i++ {
			v = append(v, 0x02) // branch Node
		}
		return append(v, 0x00) // null
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	p, err := avro.NewCompiler(avro.Options{Schema: writer, ReaderSchema: reader, Limits: decode.Limits{MaxDepth: 10}}).Compile(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, errs := decodetest.Run(t, mem, p, [][]byte{nested(3), nested(50)})
	defer rec.Release()
	if errs[0] != nil || rec.Column(0).(*array.Int32).Value(0) != 1 {
		t.Fatalf("shallow value: %v", errs[0])
	}
	if !errors.Is(errs[1], decode.ErrTooLarge) {
		t.Fatalf("deep value: %v, want ErrTooLarge", errs[1])
	}
}
