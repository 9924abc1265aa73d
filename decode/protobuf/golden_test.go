package protobuf_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
	"github.com/sabot-kafka/sabot/registry"
)

// goldenSchema is what the registry answered for a golden value's id.
type goldenSchema struct {
	ID     int                   `json:"id"`
	Schema registry.Schema       `json:"schema"`
	Deps   []registry.Dependency `json:"deps"`
}

type fixedResolver map[int]registry.ResolvedSchema

func (r fixedResolver) Resolve(_ context.Context, id int) (registry.ResolvedSchema, error) {
	if s, ok := r[id]; ok {
		return s, nil
	}
	return registry.ResolvedSchema{}, registry.ErrNotFound
}

// TestConfluentGolden decodes values written by confluent-kafka-go's
// Protobuf serializer (saved by interop/protobuf with -update: wire
// header, message-index paths such as [1] and [0, 0], the schema text it
// registered with its reference) through decode.Decoder, and compares the
// rows with the source message.
func TestConfluentGolden(t *testing.T) {
	golden := map[string]proto.Message{
		"transaction": &testpb.Transaction{},
		"inner":       &testpb.Envelope_Inner{},
		"order":       &testpb.Order{},
		"everything":  &testpb.Everything{},
		"legacy":      &testpb.Legacy{},
	}
	dir := filepath.Join(prototest.Dir(), "golden")
	for name, msg := range golden {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			read := func(suffix string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, "confluent-"+name+suffix))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			var gs goldenSchema
			if err := json.Unmarshal(read(".schema.json"), &gs); err != nil {
				t.Fatal(err)
			}
			if err := protojson.Unmarshal(read(".want.json"), msg); err != nil {
				t.Fatal(err)
			}
			reg := fixedResolver{gs.ID: {ID: gs.ID, Schema: gs.Schema, Deps: gs.Deps}}
			// The Decoder keeps pooled builders (and enum dictionaries)
			// alive, so it gets its own allocator.
			dec, err := decode.New(decode.Config{
				Wire: decode.WireConfluent, MessageIndexes: true, Registry: reg,
				Compiler: protobuf.NewCompiler(protobuf.Options{}), Allocator: memory.NewGoAllocator(),
			})
			if err != nil {
				t.Fatal(err)
			}
			value := read(".bin")
			res, err := dec.Decode(t.Context(), &decode.Input{Values: [][]byte{value, value[:len(value)-1]}})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Release()
			if len(res.Batches) != 1 || res.NumRows() != 1 {
				t.Fatalf("%d batches, %d rows, errors %v", len(res.Batches), res.NumRows(), res.Errors)
			}
			if len(res.Errors) != 1 || res.Errors[0].Index != 1 {
				t.Fatalf("the truncated copy: errors %v", res.Errors)
			}
			want, err := prototest.Record(mem, msg.ProtoReflect().Descriptor(), protobuf.Options{}, []proto.Message{msg})
			if err != nil {
				t.Fatal(err)
			}
			defer want.Release()
			assertRecordsEqual(t, want, res.Batches[0])
		})
	}
}
