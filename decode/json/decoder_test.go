package json_test

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/json"
)

// TestDecoderInferredDrift runs the inferred layout through the Decoder:
// keys that appear after the sample are skipped, a value of the wrong kind is
// a record error and the rest of the batch decodes.
func TestDecoderInferredDrift(t *testing.T) {
	mem := checked(t)
	dec, err := decode.New(decode.Config{Allocator: mem, Metadata: decode.MetaOffset, Compiler: json.NewCompiler(json.Options{
		Sample: [][]byte{[]byte(`{"id":1,"name":"a"}`), []byte(`{"id":2,"score":1.5}`)},
	})})
	if err != nil {
		t.Fatal(err)
	}
	if got := dec.Schema().String(); got == "" || dec.Schema().NumFields() != 4 {
		t.Fatalf("schema %s", got)
	}
	vals := []string{`{"id":3,"name":"b","new_key":[1]}`, `{"id":"four"}`, `{"score":2}`}
	recs := &decode.Input{Values: make([][]byte, len(vals)), Offsets: make([]int64, len(vals))}
	for i, v := range vals {
		recs.Values[i], recs.Offsets[i] = []byte(v), int64(100+i)
	}
	res, err := dec.Decode(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.NumRows() != 2 || len(res.Errors) != 1 || res.Errors[0].Offset != 101 || !errors.Is(res.Errors[0].Err, decode.ErrType) {
		t.Fatalf("rows %d errors %v", res.NumRows(), res.Errors)
	}
	last := res.Batches[len(res.Batches)-1]
	if s := last.Column(2).(*array.Float64).Value(int(last.NumRows() - 1)); s != 2 {
		t.Errorf("score = %v", s)
	}
}

func TestOptionsNeedOneSource(t *testing.T) {
	for _, o := range []json.Options{{}, {Sample: [][]byte{[]byte(`{}`)}, JSONSchema: `{}`}} {
		if _, err := decode.New(decode.Config{Compiler: json.NewCompiler(o)}); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
