package raw_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/raw"
)

func TestEncodeStringsAndBinary(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"a", "", "ccc"}, []bool{true, true, false})
	bb := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
	bb.AppendValues([][]byte{{1}, {2, 3}, {}}, nil)
	cols := []arrow.Array{sb.NewArray(), bb.NewArray()}
	sb.Release()
	bb.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "b", Type: arrow.BinaryTypes.Binary}}, nil)
	rec := array.NewRecordBatch(schema, cols, 3)
	defer rec.Release()
	for _, c := range cols {
		c.Release()
	}

	enc, err := encode.New(encode.Config{Compiler: raw.Compiler("s")})
	if err != nil {
		t.Fatal(err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	if string(vals.Value(0)) != "a" || vals.Value(1) == nil || len(vals.Value(1)) != 0 || vals.Value(2) != nil ||
		len(vals.Errors) != 1 || !errors.Is(&vals.Errors[0], encode.ErrNull) || vals.Errors[0].Row != 2 {
		t.Fatalf("values %q %q %q errors %v", vals.Value(0), vals.Value(1), vals.Value(2), vals.Errors)
	}

	enc, _ = encode.New(encode.Config{Compiler: raw.Compiler("b")})
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	if string(vals.Value(1)) != "\x02\x03" || vals.Len() != 3 || len(vals.Errors) != 0 {
		t.Fatalf("binary values %q errors %v", vals.Value(1), vals.Errors)
	}

	if _, err := encode.New(encode.Config{Compiler: raw.Compiler("")}); err != nil {
		t.Fatal(err)
	}
	enc, _ = encode.New(encode.Config{Compiler: raw.Compiler("")})
	if err := enc.Encode(context.Background(), rec, &vals); err == nil {
		t.Fatal("two columns and no name accepted")
	}
}
