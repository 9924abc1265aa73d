package protobuf_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/decode/decodetest"
	pbdecode "github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
	"github.com/sabot-kafka/sabot/encode/protobuf"
)

var testMessages = []proto.Message{
	&testpb.Transaction{},
	&testpb.Order{},
	&testpb.Everything{},
	&testpb.Legacy{},
	&testpb.Modern{},
	&testpb.Envelope_Inner{},
}

var optionSets = []pbdecode.Options{
	{},
	{Enums: pbdecode.EnumString, Oneofs: pbdecode.OneofMembersOnly},
	{Enums: pbdecode.EnumNumber},
}

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

// TestRoundTrip: random messages → Arrow (by reflection) → our encoder →
// (a) proto.Unmarshal equals the source message and, for messages without
// oneofs, the bytes equal proto.Marshal's deterministic output; (b) our decoder gives back the same
// Arrow rows.
func TestRoundTrip(t *testing.T) {
	for _, tm := range testMessages {
		md := tm.ProtoReflect().Descriptor()
		for oi, dopts := range optionSets {
			t.Run(fmt.Sprintf("%s/opts%d", md.Name(), oi), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				r := rand.New(rand.NewPCG(uint64(oi), 11))
				msgs := randomMessages(r, md, 300)
				rec, err := prototest.Record(mem, md, dopts, msgs)
				if err != nil {
					t.Fatal(err)
				}
				defer rec.Release()

				plan, err := protobuf.NewPlan(rec.Schema(), md, protobuf.Options{Descriptor: md})
				if err != nil {
					t.Fatal(err)
				}
				app, err := plan.Bind(rec)
				if err != nil {
					t.Fatal(err)
				}
				payloads := make([][]byte, len(msgs))
				for i, src := range msgs {
					out, err := app.AppendRow(nil, i)
					if err != nil {
						t.Fatalf("row %d: %v", i, err)
					}
					payloads[i] = out
					back := dynamicpb.NewMessage(md)
					if err := proto.Unmarshal(out, back); err != nil {
						t.Fatalf("row %d: proto.Unmarshal: %v", i, err)
					}
					if !proto.Equal(back, src) {
						t.Fatalf("row %d: proto.Unmarshal of our bytes:\n got %v\nwant %v", i, back, src)
					}
					// protobuf-go writes oneof members after the other fields;
					// we keep field-number order, so compare bytes only without.
					want, _ := proto.MarshalOptions{Deterministic: true}.Marshal(src)
					if md.Oneofs().Len() == 0 && !bytes.Equal(out, want) {
						t.Fatalf("row %d: bytes differ from proto.Marshal:\n got %x\nwant %x", i, out, want)
					}
				}

				dplan, err := pbdecode.NewPlan(md, dopts)
				if err != nil {
					t.Fatal(err)
				}
				got, errs := decodetest.Run(t, mem, dplan, payloads)
				defer got.Release()
				for i, err := range errs {
					if err != nil {
						t.Fatalf("decode row %d: %v", i, err)
					}
				}
				if !array.RecordEqual(rec, got) {
					t.Fatalf("round trip differs:\n got %v\nwant %v", got, rec)
				}
			})
		}
	}
}

// TestPrintedWriterSchema: the text the Writer registers for a message
// known only by its descriptor (each test file, editions included) compiles
// to messages with the same Arrow schemas and wire-relevant field facts.
func TestPrintedWriterSchema(t *testing.T) {
	srcs, err := prototest.Sources()
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range []proto.Message{&testpb.Everything{}, &testpb.Legacy{}, &testpb.Address{}, &testpb.Modern{}} {
		md := tm.ProtoReflect().Descriptor()
		fd := md.ParentFile()
		t.Run(fd.Path(), func(t *testing.T) {
			w, err := protobuf.NewWriter(md, protobuf.Options{})
			if err != nil {
				t.Fatal(err)
			}
			text := w.Schema.Text
			imports := map[string]string{}
			for k, v := range srcs {
				if k != fd.Path() {
					imports[k] = v
				}
			}
			printed, err := pbdecode.CompileProto(t.Context(), fd.Path(), text, imports)
			if err != nil {
				t.Fatalf("compiling the printed text: %v\n%s", err, text)
			}
			compareMessages(t, fd.Messages(), printed.Messages())
		})
	}
}

func compareMessages(t *testing.T, want, got protoreflect.MessageDescriptors) {
	t.Helper()
	if want.Len() != got.Len() {
		t.Fatalf("%d messages, want %d", got.Len(), want.Len())
	}
	for i := 0; i < want.Len(); i++ {
		w, g := want.Get(i), got.Get(i)
		if w.FullName() != g.FullName() {
			t.Fatalf("message %d is %s, want %s", i, g.FullName(), w.FullName())
		}
		for k := 0; k < w.Fields().Len(); k++ {
			wf, gf := w.Fields().Get(k), g.Fields().Get(k)
			wfacts := fmt.Sprint(wf.Name(), wf.Number(), wf.Kind(), wf.Cardinality(), wf.HasPresence(), wf.IsPacked(), wf.Default(), wf.ContainingOneof() != nil)
			gfacts := fmt.Sprint(gf.Name(), gf.Number(), gf.Kind(), gf.Cardinality(), gf.HasPresence(), gf.IsPacked(), gf.Default(), gf.ContainingOneof() != nil)
			if wfacts != gfacts {
				t.Errorf("%s field %d: got %s, want %s", w.FullName(), k, gfacts, wfacts)
			}
		}
		if !w.IsMapEntry() && !w.IsPlaceholder() {
			ws, err1 := pbdecode.Schema(w, pbdecode.Options{})
			gs, err2 := pbdecode.Schema(g, pbdecode.Options{})
			if err1 != nil || err2 != nil || !ws.Equal(gs) {
				t.Errorf("%s: schema %v (%v), want %v (%v)", w.FullName(), gs, err2, ws, err1)
			}
		}
		compareMessages(t, w.Messages(), g.Messages())
	}
}
