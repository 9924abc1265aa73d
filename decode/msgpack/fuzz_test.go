package msgpack_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/msgpack"
	"github.com/sabot-kafka/sabot/encode"
	encmsgpack "github.com/sabot-kafka/sabot/encode/msgpack"
)

func fuzzSeeds(f *testing.F) {
	f.Add(richValue)
	f.Add(richValue[:len(richValue)/2])
	f.Add([]byte{0xc0})
	f.Add([]byte{0xc1})
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	f.Add(obj(str("tags"), raw(0xdd, 0x7f, 0xff, 0xff, 0xff))(nil))
	f.Add(obj(str("id"), str("a"), str("attrs"), obj(nilv, i64(1)))(nil))
	f.Add(obj(str("id"), str("a"), str("geo"), arr(f32(1), arr(i64(1), i64(2)), arr()))(nil))
	f.Add(obj(str("id"), str("a"), str("at"), ext(-1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))(nil))
	f.Add(obj(str("id"), str("a"), str("zz"), arr(arr(arr(arr(arr(arr(arr(arr()))))))))(nil))
	_, golden := goldenValues(f) // values written by msgpack-python
	for _, v := range golden {
		f.Add(v)
	}
}

// FuzzDecode decodes arbitrary bytes into richSchema: never a panic, columns
// aligned and valid, and a value that decodes re-encodes to the same row.
func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	plan := richPlan(f, decode.Limits{MaxBytes: 1 << 12, MaxItems: 1 << 10, MaxDepth: 8})
	enc, err := encode.New(encode.Config{Compiler: encmsgpack.NewCompiler(encmsgpack.Options{})})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec, errs := decodetest.Run(t, mem, plan, [][]byte{payload})
		defer rec.Release()
		for i, c := range rec.Columns() {
			if err := array.ValidateFull(c); err != nil {
				t.Fatalf("column %d invalid after %v: %v", i, errs[0], err)
			}
		}
		if errs[0] != nil {
			var me *decode.ValueError
			if !errors.As(errs[0], &me) {
				t.Fatalf("error %T %v is not a *decode.ValueError", errs[0], errs[0])
			}
			return
		}
		var vals encode.Values
		if err := enc.Encode(context.Background(), rec, &vals); err != nil || len(vals.Errors) > 0 {
			t.Fatalf("re-encode: %v %v", err, vals.Errors)
		}
		again, errs := decodetest.Run(t, mem, plan, [][]byte{vals.Value(0)})
		defer again.Release()
		if errs[0] != nil {
			t.Fatalf("re-decode %x: %v", vals.Value(0), errs[0])
		}
		if !array.RecordApproxEqual(rec, again, array.WithNaNsEqual(true)) {
			t.Fatalf("round trip changed the row:\n%v\n%v", rec, again)
		}
	})
}

// FuzzInfer: inference never panics, and a sample decodes into the schema
// inferred from it (but for the value-level errors inference does not see).
func FuzzInfer(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		lim := decode.Limits{MaxBytes: 1 << 12, MaxItems: 1 << 10, MaxDepth: 8}
		s, err := msgpack.Infer([][]byte{payload}, msgpack.InferOptions{Limits: lim})
		if err != nil {
			return
		}
		plan, err := msgpack.NewPlan(msgpack.Options{Schema: s, Limits: lim})
		if err != nil {
			t.Fatalf("inferred schema %s has no plan: %v", s, err)
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec, errs := decodetest.Run(t, mem, plan, [][]byte{payload})
		defer rec.Release()
		dup := errors.Is(errs[0], decode.ErrType) && strings.Contains(errs[0].Error(), "duplicate key")
		if errs[0] != nil && !dup && !errors.Is(errs[0], decode.ErrRange) {
			t.Fatalf("sample does not decode into %s: %v", s, errs[0])
		}
	})
}

var _ = arrow.Null
