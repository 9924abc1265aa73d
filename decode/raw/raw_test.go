package raw_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/raw"
)

func TestStringPlan(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, errs := decodetest.Run(t, mem, raw.StringPlan(decode.Limits{MaxBytes: 8}), [][]byte{
		[]byte("héllo"), {}, {0xff, 0xfe}, []byte("123456789"),
	})
	defer rec.Release()
	col := rec.Column(0).(*array.String)
	if col.Value(0) != "héllo" || col.Value(1) != "" || col.IsNull(1) {
		t.Fatalf("values %q %q", col.Value(0), col.Value(1))
	}
	if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], decode.ErrMalformed) || !strings.Contains(errs[2].Error(), "not valid UTF-8") || !errors.Is(errs[3], decode.ErrTooLarge) {
		t.Fatalf("errors %v", errs)
	}
	var ve *decode.ValueError
	if !errors.As(errs[2], &ve) || ve.Path != "" || ve.Offset != 0 {
		t.Fatalf("UTF-8 error %#v, want a *decode.ValueError at byte 0", errs[2])
	}
}

func TestBytesPlan(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, errs := decodetest.Run(t, mem, raw.BytesPlan(decode.Limits{}), [][]byte{{0xff, 0, 1}, {}})
	defer rec.Release()
	col := rec.Column(0).(*array.Binary)
	if string(col.Value(0)) != "\xff\x00\x01" || len(col.Value(1)) != 0 || errs[0] != nil || errs[1] != nil {
		t.Fatalf("values %q %q errs %v", col.Value(0), col.Value(1), errs)
	}
}

func FuzzString(f *testing.F) {
	f.Add([]byte("plain"))
	f.Add([]byte{0xc3, 0x28})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, v []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec, errs := decodetest.Run(t, mem, raw.StringPlan(decode.Limits{}), [][]byte{v})
		defer rec.Release()
		if (errs[0] == nil) != utf8.Valid(v) {
			t.Fatalf("valid=%v err=%v", utf8.Valid(v), errs[0])
		}
		if errs[0] == nil && rec.Column(0).(*array.String).Value(0) != string(v) {
			t.Fatal("value changed")
		}
	})
}
