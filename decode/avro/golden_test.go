package avro_test

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode/avro"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/wire"
)

// readHexValues reads framed values, one hex string per line, and strips the
// wire-format header.
func readHexValues(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, line := range strings.Fields(string(b)) {
		v, err := hex.DecodeString(line)
		if err != nil {
			t.Fatal(err)
		}
		_, payload, err := wire.ParseHeader(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, payload)
	}
	return out
}

// TestGoldenConfluent decodes values written by confluent-kafka-go's avrov2
// serializer (saved by the interop tests) and by our encoder (checked there
// with confluent-kafka-go's deserializer) to the rows they were made from.
// The schema references a type registered under another subject.
func TestGoldenConfluent(t *testing.T) {
	dir := filepath.Join(testdata, "confluent")
	want, err := os.ReadFile(filepath.Join(dir, "order.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := avro.NewCompiler(avro.Options{Enums: avro.EnumString})
	s := &registry.ResolvedSchema{ID: 7, Schema: registry.Schema{Text: readSchema(t, "confluent/order.avsc")},
		Deps: []registry.Dependency{{Name: "sabot.interop.Address", Schema: registry.Schema{Text: readSchema(t, "confluent/address.avsc")}}}}
	p, err := c.Compile(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"order-confluent.hex", "order-sabot.hex"} {
		t.Run(file, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec, errs := decodetest.Run(t, mem, p, readHexValues(t, filepath.Join(dir, file)))
			defer rec.Release()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("value %d: %v", i, err)
				}
			}
			if got := batchJSON(t, rec); got != string(want) {
				t.Fatalf("decoded:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
