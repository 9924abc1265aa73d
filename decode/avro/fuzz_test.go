package avro_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	twmb "github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	encavro "github.com/sabot-kafka/sabot/encode/avro"
)

var fuzzLimits = decode.Limits{MaxBytes: 1 << 12, MaxItems: 256, MaxDepth: 16}

// FuzzDecode feeds arbitrary payloads to the plan of a schema with every
// construct. Decoding never panics and leaves aligned builders; a payload
// that decodes re-encodes to a value that decodes to the same row.
func FuzzDecode(f *testing.F) {
	schema, vals := everythingValues(f, 8, 3)
	for _, v := range vals {
		f.Add(v)
		f.Add(v[:len(v)/2])
	}
	f.Add([]byte{})
	p, err := avro.NewCompiler(avro.Options{Schema: schema, Limits: fuzzLimits}).Compile(nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	enc := encavro.NewCompiler(encavro.Options{Schema: schema})
	f.Fuzz(func(t *testing.T, payload []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		got, errs := decodetest.Run(t, mem, p, [][]byte{payload})
		defer got.Release()
		checkBatch(t, got)
		if errs[0] != nil {
			return
		}
		again := encodeBatch(t, enc, got)
		rec2, errs2 := decodetest.Run(t, mem, p, again)
		defer rec2.Release()
		if errs2[0] != nil {
			t.Fatalf("re-encoded value does not decode: %v", errs2[0])
		}
		diffBatches(t, got, rec2)
	})
}

// FuzzDecodeResolved feeds arbitrary payloads through schema resolution: a
// writer with fields the reader skips (a recursive one among them), unions
// resolved into other unions, enums remapped and reader defaults.
func FuzzDecodeResolved(f *testing.F) {
	writer := rec(`{"name":"id","type":"long"},
		{"name":"tree","type":["null",{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"kids","type":{"type":"array","items":"Node"}}]}]},
		{"name":"u","type":["null","int","string",{"type":"map","values":"float"}]},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
		{"name":"tags","type":{"type":"array","items":"string"}}`)
	reader := rec(`{"name":"tags","type":{"type":"array","items":"bytes"}},
		{"name":"u","type":["null","long",{"type":"map","values":"double"},"bytes"]},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["C","A"],"default":"A"}},
		{"name":"id","type":"double"},
		{"name":"extra","type":{"type":"array","items":"string"},"default":["x"]}`)
	w := twmb.MustParse(writer)
	for _, v := range []map[string]any{
		{"id": int64(1), "tree": nil, "u": nil, "e": "A", "tags": []any{}},
		{"id": int64(-9), "tree": map[string]any{"v": int32(1), "kids": []any{map[string]any{"v": int32(2), "kids": []any{}}}},
			"u": map[string]any{"k": float32(1.5)}, "e": "B", "tags": []any{"a", "b"}},
		{"id": int64(1 << 50), "tree": nil, "u": "str", "e": "C", "tags": []any{""}},
		{"id": int64(0), "tree": nil, "u": int32(-3), "e": "A", "tags": []any{"x"}},
	} {
		b, err := w.Encode(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	p, err := avro.NewCompiler(avro.Options{Schema: writer, ReaderSchema: reader, Limits: fuzzLimits}).Compile(nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		got, _ := decodetest.Run(t, mem, p, [][]byte{payload})
		defer got.Release()
		checkBatch(t, got)
	})
}
