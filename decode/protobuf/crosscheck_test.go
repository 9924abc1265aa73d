package protobuf_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
)

// testMessages are the messages the cross-checks run over.
var testMessages = []proto.Message{
	&testpb.Transaction{},
	&testpb.Order{},
	&testpb.Everything{},
	&testpb.Legacy{},
	&testpb.Modern{},
	&testpb.Envelope_Inner{},
}

var optionSets = []protobuf.Options{
	{},
	{Enums: protobuf.EnumString, Oneofs: protobuf.OneofMembersOnly},
	{Enums: protobuf.EnumNumber},
}

// randomMessages returns n random messages of md (with required fields set).
func randomMessages(r *rand.Rand, md protoreflect.MessageDescriptor, n int) []proto.Message {
	out := make([]proto.Message, n)
	for i := range out {
		m := prototest.Random(r, md)
		if fd := md.Fields().ByName("id"); fd != nil && fd.Cardinality() == protoreflect.Required && !m.Has(fd) {
			m.Set(fd, protoreflect.ValueOfInt64(int64(i)))
		}
		out[i] = m
	}
	return out
}

// TestCrossCheck decodes proto.Marshal output of random dynamicpb messages
// and compares the rows with the messages converted by reflection, for every
// test message and option set.
func TestCrossCheck(t *testing.T) {
	for _, tm := range testMessages {
		md := tm.ProtoReflect().Descriptor()
		for oi, opts := range optionSets {
			t.Run(fmt.Sprintf("%s/opts%d", md.Name(), oi), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				r := rand.New(rand.NewPCG(uint64(oi), 7))
				msgs := randomMessages(r, md, 300)
				payloads := make([][]byte, len(msgs))
				for i, m := range msgs {
					b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
					if err != nil {
						t.Fatal(err)
					}
					payloads[i] = b
					// What we compare against is what protobuf itself reads back.
					back := dynamicpb.NewMessage(md)
					if err := proto.Unmarshal(b, back); err != nil {
						t.Fatal(err)
					}
					msgs[i] = back
				}
				opts.Descriptor = md
				plan, err := protobuf.NewPlan(md, opts)
				if err != nil {
					t.Fatal(err)
				}
				got, errs := decodetest.Run(t, mem, plan, payloads)
				defer got.Release()
				for i, err := range errs {
					if err != nil {
						t.Fatalf("payload %d: %v", i, err)
					}
				}
				want, err := prototest.Record(mem, md, opts, msgs)
				if err != nil {
					t.Fatal(err)
				}
				defer want.Release()
				assertRecordsEqual(t, want, got)
			})
		}
	}
}

func assertRecordsEqual(t *testing.T, want, got arrow.RecordBatch) {
	t.Helper()
	if !want.Schema().Equal(got.Schema()) {
		t.Fatalf("schema:\n got %s\nwant %s", got.Schema(), want.Schema())
	}
	if want.NumRows() != got.NumRows() {
		t.Fatalf("rows: got %d, want %d", got.NumRows(), want.NumRows())
	}
	for c := 0; c < int(want.NumCols()); c++ {
		w, g := want.Column(c), got.Column(c)
		if array.Equal(w, g) {
			continue
		}
		for i := 0; i < w.Len(); i++ {
			ws, gs := w.ValueStr(i), g.ValueStr(i)
			if ws != gs || w.IsNull(i) != g.IsNull(i) {
				t.Fatalf("column %s row %d:\n got %s\nwant %s", want.Schema().Field(c).Name, i, gs, ws)
			}
		}
		t.Fatalf("column %s differs:\n got %v\nwant %v", want.Schema().Field(c).Name, g, w)
	}
}

func arrowSchema(fs []arrow.Field) *arrow.Schema { return arrow.NewSchema(fs, nil) }
