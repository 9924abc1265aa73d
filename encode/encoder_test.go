package encode_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// decimalPlan writes column 0 (int64) as ASCII decimal; negative values fail.
type decimalPlan struct{}

func (decimalPlan) Bind(rec arrow.RecordBatch) (encode.Appender, error) {
	return decimalAppender{rec.Column(0).(*array.Int64)}, nil
}

type decimalAppender struct{ col *array.Int64 }

func (a decimalAppender) AppendRow(dst []byte, i int) ([]byte, error) {
	v := a.col.Value(i)
	if v < 0 {
		return dst, errors.New("negative")
	}
	return strconv.AppendInt(dst, v, 10), nil
}

type countingRegistrar struct{ calls int }

func (c *countingRegistrar) Register(_ context.Context, subject string, s registry.Schema) (int, error) {
	c.calls++
	return 42, nil
}

func batch(mem memory.Allocator, vals ...int64) arrow.RecordBatch {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	col := b.NewArray()
	defer col.Release()
	return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil), []arrow.Array{col}, int64(len(vals)))
}

func TestEncodeRowsAndErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	reg := &countingRegistrar{}
	enc, err := encode.New(encode.Config{
		Compiler: encode.CompilerFunc(func(*arrow.Schema) (encode.Plan, encode.Writer, error) {
			return decimalPlan{}, encode.Writer{Schema: registry.Schema{Text: "n"}, MessageIndexes: []int{1}}, nil
		}),
		Registrar: reg,
		Subject:   func(encode.Writer) (string, error) { return "t-value", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	var vals encode.Values
	for round := 0; round < 2; round++ {
		rec := batch(mem, -1, 7, -2, 123)
		if err := enc.Encode(context.Background(), rec, &vals); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		if vals.Len() != 4 || len(vals.Errors) != 2 || vals.Errors[0].Row != 0 || vals.Errors[1].Row != 2 {
			t.Fatalf("len %d errors %v", vals.Len(), vals.Errors)
		}
		if vals.Value(0) != nil || vals.Value(2) != nil {
			t.Fatal("failed rows have values")
		}
		for row, want := range map[int]string{1: "7", 3: "123"} {
			id, payload, err := wire.ParseHeader(vals.Value(row))
			if err != nil || id != 42 {
				t.Fatalf("row %d header: id %d err %v", row, id, err)
			}
			path, rest, err := wire.ParseMessageIndexes(payload, nil)
			if err != nil || len(path) != 1 || path[0] != 1 || string(rest) != want {
				t.Fatalf("row %d: path %v payload %q err %v", row, path, rest, err)
			}
		}
	}
	if reg.calls != 1 {
		t.Fatalf("registered %d times, want once", reg.calls)
	}
}
