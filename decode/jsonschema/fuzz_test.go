package jsonschema_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/jsonschema"
)

// FuzzPathsAgree: for the exact schemas of the corpus, the in-plan checks and
// the full validator accept the same payloads and decode them alike.
func FuzzPathsAgree(f *testing.F) {
	names := []string{"draft2020-profile", "draft4-order", "users", "refs-customer"}
	var fast, full = map[string]any{}, map[string]any{}
	for i, name := range names {
		for _, v := range lines(f, name) {
			f.Add(uint8(i), v)
		}
		schema := readFile(f, "schemas/"+name+".json")
		p1, err := jsonschema.NewPlan(schema, depsOf(f, name), jsonschema.Auto, decode.Limits{})
		if err != nil {
			f.Fatal(err)
		}
		p2, err := jsonschema.NewPlan(schema, depsOf(f, name), jsonschema.Full, decode.Limits{})
		if err != nil {
			f.Fatal(err)
		}
		fast[name], full[name] = p1, p2
	}
	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		name := names[int(which)%len(names)]
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		fr, ferrs := decodetest.Run(t, mem, fast[name].(decode.Plan), [][]byte{payload})
		defer fr.Release()
		sr, serrs := decodetest.Run(t, mem, full[name].(decode.Plan), [][]byte{payload})
		defer sr.Release()
		if (ferrs[0] == nil) != (serrs[0] == nil) {
			t.Fatalf("%s: %q\n fast: %v\n full: %v", name, payload, ferrs[0], serrs[0])
		}
		if ferrs[0] == nil && !array.RecordEqual(fr, sr) {
			t.Fatalf("%s: %q decoded differently", name, payload)
		}
	})
}
