package protobuf_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/encode"
	"github.com/sabot-kafka/sabot/encode/protobuf"
)

const errProto = `syntax = "proto2";
package t;
enum E { A = 1; B = 2; }
message M {
  required int64 id = 1;
  repeated string tags = 2;
  optional E e = 3;
  oneof o { string x = 4; int64 y = 5; }
}`

func TestCompileErrors(t *testing.T) {
	f := func(name string, typ arrow.DataType) arrow.Field {
		return arrow.Field{Name: name, Type: typ, Nullable: true}
	}
	i64 := arrow.PrimitiveTypes.Int64
	tests := []struct {
		name   string
		fields []arrow.Field
		opts   protobuf.Options
		want   string
	}{
		{"type mismatch", []arrow.Field{f("id", arrow.PrimitiveTypes.Int32)}, protobuf.Options{}, "column id is int32"},
		{"extra column", []arrow.Field{f("id", i64), f("nope", i64)}, protobuf.Options{}, "column nope: message t.M has no such field"},
		{"required without column", []arrow.Field{f("tags", arrow.ListOf(arrow.BinaryTypes.String))}, protobuf.Options{}, "required field id has no column"},
		{"list wanted", []arrow.Field{f("id", i64), f("tags", arrow.BinaryTypes.String)}, protobuf.Options{}, "column tags is utf8, the field wants a list"},
		{"bad enum type", []arrow.Field{f("id", i64), f("e", arrow.FixedWidthTypes.Boolean)}, protobuf.Options{}, "column e is bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Proto = errProto
			_, _, err := protobuf.NewCompiler(tt.opts).Compile(arrow.NewSchema(tt.fields, nil))
			if !errors.Is(err, encode.ErrUnsupported) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	s := arrow.NewSchema([]arrow.Field{f("id", i64), f("_offset", i64), f("o", arrow.BinaryTypes.String)}, nil)
	if _, _, err := protobuf.NewCompiler(protobuf.Options{Proto: errProto, IgnoreExtraColumns: true}).Compile(s); err != nil {
		t.Fatalf("IgnoreExtraColumns (and a oneof case column): %v", err)
	}
}

func TestRowErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "e", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "x", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	id := b.Field(0).(*array.Int64Builder)
	tags := b.Field(1).(*array.ListBuilder)
	tag := tags.ValueBuilder().(*array.StringBuilder)
	e, x, y := b.Field(2).(*array.StringBuilder), b.Field(3).(*array.StringBuilder), b.Field(4).(*array.Int64Builder)
	row := func(idOK bool, nullTag bool, ev string, xv, yv bool) {
		if idOK {
			id.Append(1)
		} else {
			id.AppendNull()
		}
		tags.Append(true)
		if nullTag {
			tag.AppendNull()
		}
		if ev == "" {
			e.AppendNull()
		} else {
			e.Append(ev)
		}
		if xv {
			x.Append("x")
		} else {
			x.AppendNull()
		}
		if yv {
			y.Append(2)
		} else {
			y.AppendNull()
		}
	}
	row(true, false, "B", true, false) // good
	row(false, false, "", false, false)
	row(true, true, "", false, false)
	row(true, false, "", true, true)
	row(true, false, "C", false, false)
	row(true, false, "7", false, true) // unknown number as decimal text: fine
	rec := b.NewRecordBatch()
	defer rec.Release()
	enc, err := encode.New(encode.Config{Compiler: protobuf.NewCompiler(protobuf.Options{Proto: errProto})})
	if err != nil {
		t.Fatal(err)
	}
	var vals encode.Values
	if err := enc.Encode(t.Context(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		err        error
		path, says string
	}{
		1: {encode.ErrNull, "id", "required field is null"},
		2: {encode.ErrNull, "tags[]", "list element 0 is null"},
		3: {encode.ErrInvalid, "y", "more than one oneof member set"},
		4: {encode.ErrInvalid, "e", "is not a value of enum"},
	}
	if len(vals.Errors) != len(want) {
		t.Fatalf("errors %v", vals.Errors)
	}
	for k := range vals.Errors {
		re := &vals.Errors[k]
		w := want[re.Row]
		if !errors.Is(re, w.err) || re.Path != w.path || !strings.Contains(re.Error(), w.says) {
			t.Errorf("row %d: %v (path %q), want %v at %q saying %q", re.Row, re, re.Path, w.err, w.path, w.says)
		}
	}
	if got := vals.Value(5); string(got) != "\x08\x01\x18\x07\x28\x02" {
		t.Errorf("row 5 = % x", got)
	}
}
