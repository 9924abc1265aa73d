package avro_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	twmb "github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/avro/avrotest"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/encode"
	encavro "github.com/sabot-kafka/sabot/encode/avro"
)

const testdata = "../../testdata/avro"

func readSchema(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// encodeBatch encodes every row of rec with compiler c and returns the values
// (copied out of the arena) and the writer.
func encodeBatch(t testing.TB, c encode.Compiler, rec arrow.RecordBatch) [][]byte {
	t.Helper()
	enc, err := encode.New(encode.Config{Compiler: c})
	if err != nil {
		t.Fatal(err)
	}
	var vals encode.Values
	if err := enc.Encode(context.Background(), rec, &vals); err != nil {
		t.Fatal(err)
	}
	if len(vals.Errors) > 0 {
		t.Fatalf("encode: %d row errors, first %v", len(vals.Errors), vals.Errors[0])
	}
	out := make([][]byte, vals.Len())
	for i := range out {
		out[i] = append([]byte(nil), vals.Value(i)...)
	}
	return out
}

// diffBatches fails t at the first column and row where got differs from want.
func diffBatches(t testing.TB, want, got arrow.RecordBatch) {
	t.Helper()
	if !want.Schema().Equal(got.Schema()) {
		t.Fatalf("schemas differ:\nwant %s\ngot  %s", want.Schema(), got.Schema())
	}
	if want.NumRows() != got.NumRows() {
		t.Fatalf("rows: want %d, got %d", want.NumRows(), got.NumRows())
	}
	for c := 0; c < int(want.NumCols()); c++ {
		w, g := want.Column(c), got.Column(c)
		if array.Equal(w, g) {
			continue
		}
		for r := 0; r < w.Len(); r++ {
			ws, gs := array.NewSlice(w, int64(r), int64(r+1)), array.NewSlice(g, int64(r), int64(r+1))
			same := array.Equal(ws, gs)
			if !same {
				t.Errorf("column %s row %d:\nwant %v\ngot  %v", want.ColumnName(c), r, ws, gs)
			}
			ws.Release()
			gs.Release()
			if !same {
				return
			}
		}
		t.Fatalf("column %s differs, no single row does", want.ColumnName(c))
	}
}

// TestRoundTripEverything: random batches over a schema with every Avro
// construct go Arrow → encode → decode and come back equal, and every encoded
// value is valid Avro to an independent implementation.
func TestRoundTripEverything(t *testing.T) {
	schema := readSchema(t, "everything.avsc")
	check := twmb.MustParse(schema)
	for _, mode := range []struct {
		name  string
		enums avro.EnumMode
	}{{"dictionary", avro.EnumDictionary}, {"string", avro.EnumString}} {
		for seed := uint64(1); seed <= 8; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", mode.name, seed), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				want, err := avrotest.Batch(mem, schema, 150, seed, avrotest.Options{EnumsAsStrings: mode.enums == avro.EnumString})
				if err != nil {
					t.Fatal(err)
				}
				defer want.Release()
				vals := encodeBatch(t, encavro.NewCompiler(encavro.Options{Schema: schema}), want)
				for i, v := range vals {
					var out any
					rest, err := check.Decode(v, &out)
					if err != nil || len(rest) != 0 {
						t.Fatalf("row %d: twmb/avro rejects our encoding: %v (%d bytes left)", i, err, len(rest))
					}
				}
				p, err := avro.NewCompiler(avro.Options{Schema: schema, Enums: mode.enums}).Compile(nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, errs := decodetest.Run(t, mem, p, vals)
				defer got.Release()
				for i, err := range errs {
					if err != nil {
						t.Fatalf("row %d: %v", i, err)
					}
				}
				diffBatches(t, want, got)

				// A slice of the batch (arrays with offsets) encodes its own rows.
				sl := want.NewSlice(17, 95)
				defer sl.Release()
				gotSl, _ := decodetest.Run(t, mem, p, encodeBatch(t, encavro.NewCompiler(encavro.Options{Schema: schema}), sl))
				defer gotSl.Release()
				diffBatches(t, sl, gotSl)
			})
		}
	}
}

// TestRoundTripDerived: without a writer schema the encoder derives one from
// the Arrow schema; decoding with it gives the batch back.
func TestRoundTripDerived(t *testing.T) {
	schema := readSchema(t, "everything.avsc")
	for seed := uint64(1); seed <= 4; seed++ {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		want, err := avrotest.Batch(mem, schema, 100, seed, avrotest.Options{EnumsAsStrings: true})
		if err != nil {
			t.Fatal(err)
		}
		c := encavro.NewCompiler(encavro.Options{Name: "Derived", Namespace: "sabot.test"})
		_, w, err := c.Compile(want.Schema())
		if err != nil {
			t.Fatal(err)
		}
		if w.RecordName != "sabot.test.Derived" || w.Schema.Type != "AVRO" {
			t.Fatalf("writer %+v", w)
		}
		vals := encodeBatch(t, c, want)
		p, err := avro.NewCompiler(avro.Options{Schema: w.Schema.Text, Enums: avro.EnumString}).Compile(nil, nil)
		if err != nil {
			t.Fatalf("derived schema %s: %v", w.Schema.Text, err)
		}
		got, errs := decodetest.Run(t, mem, p, vals)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("row %d: %v", i, err)
			}
		}
		diffBatches(t, want, got)
		got.Release()
		want.Release()
		mem.AssertSize(t, 0)
	}
}
