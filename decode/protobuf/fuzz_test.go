package protobuf_test

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
)

var fuzzMessages = []protoreflect.MessageDescriptor{
	(&testpb.Everything{}).ProtoReflect().Descriptor(),
	(&testpb.Legacy{}).ProtoReflect().Descriptor(),
	(&testpb.Order{}).ProtoReflect().Descriptor(),
}

// FuzzDecode feeds arbitrary bytes to the plans of three messages. Each must
// keep the Appender contract (checked by decodetest), free all memory, and
// accept nothing that proto.Unmarshal rejects; when protobuf reads the bytes,
// the canonical re-encoding of what it read must decode to the same rows as
// the message converted by reflection.
func FuzzDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, md := range fuzzMessages {
		for _, m := range randomMessages(r, md, 8) {
			b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
			f.Add(b)
		}
	}
	f.Add([]byte{0x0a, 0x05, 'a'})
	f.Add([]byte{0x33, 0x08, 0x05, 0x34})
	f.Add([]byte{0xab, 0x06, 0xab, 0x06, 0xac, 0x06, 0xac, 0x06})
	golden, _ := filepath.Glob(filepath.Join(prototest.Dir(), "golden", "*.bin"))
	for _, g := range golden {
		if b, err := os.ReadFile(g); err == nil {
			f.Add(b)
		}
	}
	plans := make([]*protobuf.Plan, len(fuzzMessages))
	for i, md := range fuzzMessages {
		p, err := protobuf.NewPlan(md, protobuf.Options{})
		if err != nil {
			f.Fatal(err)
		}
		plans[i] = p
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzOne(t, plans, data) })
}

func fuzzOne(t *testing.T, plans []*protobuf.Plan, data []byte) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for i, md := range fuzzMessages {
		rec, errs := decodetest.Run(t, mem, plans[i], [][]byte{data})
		rec.Release()
		ref := dynamicpb.NewMessage(md)
		refErr, panicked := referenceUnmarshal(data, ref)
		if panicked {
			continue // a protobuf-go bug, not ours: nothing to compare with
		}
		if errs[0] == nil && refErr != nil {
			t.Fatalf("%s: we accept what protobuf rejects (%v)", md.Name(), refErr)
		}
		if refErr != nil {
			continue
		}
		clearUnknown(ref)
		canon, err := proto.MarshalOptions{Deterministic: true}.Marshal(ref)
		if err != nil {
			t.Fatal(err)
		}
		got, errs := decodetest.Run(t, mem, plans[i], [][]byte{canon})
		if errs[0] != nil {
			got.Release()
			// Stricter than protobuf on purpose: UTF-8 in proto2
			// strings, Timestamps beyond int64 nanoseconds.
			if (errors.Is(errs[0], decode.ErrMalformed) && strings.Contains(errs[0].Error(), "not valid UTF-8")) || errors.Is(errs[0], decode.ErrRange) {
				continue
			}
			t.Fatalf("%s: canonical bytes: %v", md.Name(), errs[0])
		}
		want, err := prototest.Record(mem, md, protobuf.Options{}, []proto.Message{ref})
		if err != nil {
			got.Release()
			t.Fatal(err)
		}
		assertRecordsEqual(t, want, got)
		want.Release()
		got.Release()
	}
}

// clearUnknown drops unknown fields everywhere in m (closed-enum values
// protobuf does not know land there and would reappear on re-encoding).
func clearUnknown(m protoreflect.Message) {
	m.SetUnknown(nil)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					clearUnknown(mv.Message())
					return true
				})
			}
		case fd.IsList():
			if fd.Message() != nil {
				for i := 0; i < v.List().Len(); i++ {
					clearUnknown(v.List().Get(i).Message())
				}
			}
		case fd.Message() != nil:
			clearUnknown(v.Message())
		}
		return true
	})
}

// referenceUnmarshal is proto.Unmarshal, surviving its panics: protobuf-go
// v1.36.12 panics on some corrupt map entries unmarshalled into dynamicpb
// messages ("cannot convert nil to map key"; see the fuzz corpus).
func referenceUnmarshal(data []byte, m proto.Message) (err error, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	return proto.Unmarshal(data, m), false
}
