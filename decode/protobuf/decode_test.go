package protobuf_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	"github.com/sabot-kafka/sabot/decode/protobuf"
	"github.com/sabot-kafka/sabot/decode/protobuf/prototest"
	"github.com/sabot-kafka/sabot/decode/protobuf/testpb"
)

// wire builds payloads field by field.
type wire []byte

func (w wire) varint(num protowire.Number, v uint64) wire {
	return protowire.AppendVarint(protowire.AppendTag(w, num, protowire.VarintType), v)
}
func (w wire) bytes(num protowire.Number, b []byte) wire {
	return protowire.AppendBytes(protowire.AppendTag(w, num, protowire.BytesType), b)
}
func (w wire) str(num protowire.Number, s string) wire { return w.bytes(num, []byte(s)) }
func (w wire) fixed64(num protowire.Number, v uint64) wire {
	return protowire.AppendFixed64(protowire.AppendTag(w, num, protowire.Fixed64Type), v)
}
func (w wire) fixed32(num protowire.Number, v uint32) wire {
	return protowire.AppendFixed32(protowire.AppendTag(w, num, protowire.Fixed32Type), v)
}
func (w wire) raw(b ...byte) wire { return append(w, b...) }

// decodeRows decodes payloads with the plan for msg and returns the rows as
// text (column=value ... per row) and the errors.
func decodeRows(t *testing.T, msg proto.Message, opts protobuf.Options, payloads ...[]byte) ([]string, []error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	plan, err := protobuf.NewPlan(msg.ProtoReflect().Descriptor(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rec, errs := decodetest.Run(t, mem, plan, payloads)
	defer rec.Release()
	rows := make([]string, rec.NumRows())
	for i := range rows {
		if errs[i] != nil {
			continue // failed rows are dropped by the Decoder; only errors matter
		}
		var sb strings.Builder
		for c := 0; c < int(rec.NumCols()); c++ {
			if c > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(rec.ColumnName(c) + "=" + rec.Column(c).ValueStr(i))
		}
		rows[i] = sb.String()
	}
	return rows, errs
}

func TestSemantics(t *testing.T) {
	tests := []struct {
		name    string
		msg     proto.Message
		opts    protobuf.Options
		payload []byte
		want    string // substring of the row
	}{
		{"last scalar wins", &testpb.Transaction{}, protobuf.Options{},
			wire{}.str(1, "a").fixed64(2, 0x3ff0000000000000).str(1, "b"), "id=b amount=1 "},
		{"absent scalars are zero", &testpb.Transaction{}, protobuf.Options{},
			wire{}, `id= amount=0 timestamp=0 currency= merchant= category=0 approved=false status=STATUS_UNSPECIFIED`},
		{"unknown fields skipped", &testpb.Transaction{}, protobuf.Options{},
			wire{}.varint(99, 7).str(100, "x").fixed32(101, 1).fixed64(102, 2).raw(0xab, 0x06 /* start group 106 */, 0x08, 0x01, 0xac, 0x06).str(1, "ok"), "id=ok "},
		{"message occurrences merge", &testpb.Order{}, protobuf.Options{},
			wire{}.bytes(2, wire{}.str(1, "c1")).bytes(2, wire{}.str(2, "Ada")), `customer={"address":null,"id":"c1","name":"Ada"}`},
		{"packed and unpacked mixed", &testpb.Everything{}, protobuf.Options{},
			wire{}.bytes(20, wire{}.raw(1, 2)).varint(20, 3), "r_i32=[1,2,3]"},
		{"unknown enum number", &testpb.Transaction{}, protobuf.Options{},
			wire{}.varint(8, 17), "status=17"},
		{"unknown enum number as string", &testpb.Transaction{}, protobuf.Options{Enums: protobuf.EnumString},
			wire{}.varint(8, 17), "status=17"},
		{"enum number", &testpb.Transaction{}, protobuf.Options{Enums: protobuf.EnumNumber},
			wire{}.varint(8, 2), "status=2"},
		{"oneof last member wins", &testpb.Everything{}, protobuf.Options{},
			wire{}.str(30, "t").varint(31, 5), "choice=c_num c_text=(null) c_num=5 c_addr=(null)"},
		{"oneof none set", &testpb.Everything{}, protobuf.Options{},
			wire{}, "choice=(null) c_text=(null) c_num=(null) c_addr=(null)"},
		{"proto3 optional absent is null", &testpb.Everything{}, protobuf.Options{},
			wire{}, "opt_i32=(null) opt_s=(null)"},
		{"proto3 optional zero is zero", &testpb.Everything{}, protobuf.Options{},
			wire{}.varint(17, 0), "opt_i32=0 "},
		{"proto2 absent with default is null", &testpb.Legacy{}, protobuf.Options{},
			wire{}.varint(1, 1), "id=1 name=(null) kind=(null)"},
		{"proto2 group", &testpb.Legacy{}, protobuf.Options{},
			wire{}.varint(1, 1).raw(0x33 /* start 6 */, 0x08, 0x05, 0x34), `pos={"x":5,"y":null}`},
		{"sint and fixed", &testpb.Everything{}, protobuf.Options{},
			wire{}.varint(5, protowire.EncodeZigZag(-3)).varint(6, protowire.EncodeZigZag(-9)).fixed32(9, 0xfffffffe), "s32=-3 s64=-9 f32=0 f64=0 sf32=-2 "},
		{"negative int32 as ten-byte varint", &testpb.Everything{}, protobuf.Options{},
			wire{}.varint(1, 0xffffffffffffffff), "i32=-1 "},
		{"timestamp", &testpb.Everything{}, protobuf.Options{},
			wire{}.bytes(33, wire{}.varint(1, 1).varint(2, 5)), "ts=1970-01-01T00:00:01.000000005Z"},
		{"wrapper set to zero is not null", &testpb.Everything{}, protobuf.Options{},
			wire{}.bytes(37, nil), "w_i64=0 "},
		{"map entry without value", &testpb.Everything{}, protobuf.Options{},
			wire{}.bytes(28, wire{}.varint(1, 4)), `m_ia=[{"key":4,"value":{"city":"","street":"","zip":0}}]`},
		{"editions delimited field", &testpb.Modern{}, protobuf.Options{},
			wire{}.raw(0x1b /* start 3 */, 0x08, 0x02, 0x1c), `at={"x":2,"y":0}`},
		{"large field number", &testpb.Everything{}, protobuf.Options{},
			wire{}.varint(1000, 2), "st2=SETTLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := decodeRows(t, tt.msg, tt.opts, tt.payload)
			if errs[0] != nil {
				t.Fatalf("error: %v", errs[0])
			}
			if !strings.Contains(rows[0], tt.want) {
				t.Fatalf("row\n  %s\nwants\n  %s", rows[0], tt.want)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	lim := protobuf.Options{Limits: decode.Limits{MaxBytes: 8, MaxItems: 3}}
	tests := []struct {
		name    string
		msg     proto.Message
		opts    protobuf.Options
		payload []byte
		want    error
		says    string // the error says
		path    string // the ValueError's path, when not ""
	}{
		{"truncated varint", &testpb.Transaction{}, protobuf.Options{}, wire{}.raw(0x18, 0xff), decode.ErrMalformed, "unexpected EOF", "timestamp"},
		{"truncated tag", &testpb.Transaction{}, protobuf.Options{}, wire{}.raw(0x80), decode.ErrMalformed, "tag", ""},
		{"length past the end", &testpb.Transaction{}, protobuf.Options{}, wire{}.raw(0x0a, 0x05, 'a'), decode.ErrMalformed, "past the end", "id"},
		{"string over MaxBytes", &testpb.Transaction{}, lim, wire{}.str(1, "0123456789"), decode.ErrTooLarge, "10-byte value", "id"},
		{"items over MaxItems", &testpb.Everything{}, lim, wire{}.bytes(20, wire{}.raw(1, 2, 3, 4)), decode.ErrTooLarge, "more than 3 items", "r_i32"},
		{"wrong wire type", &testpb.Transaction{}, protobuf.Options{}, wire{}.varint(1, 3), decode.ErrType, "wire type 0, want 2", "id"},
		{"invalid utf-8", &testpb.Transaction{}, protobuf.Options{}, wire{}.bytes(1, []byte{0xff, 0xfe}), decode.ErrMalformed, "UTF-8", "id"},
		{"invalid utf-8 nested", &testpb.Order{}, protobuf.Options{}, wire{}.bytes(3, wire{}.bytes(1, []byte{0xc3})), decode.ErrMalformed, "UTF-8", "items[].sku"},
		{"field number zero", &testpb.Transaction{}, protobuf.Options{}, wire{}.raw(0x00, 0x01), decode.ErrMalformed, "field number 0", ""},
		{"wire type 7", &testpb.Transaction{}, protobuf.Options{}, wire{}.raw(0x0f), decode.ErrMalformed, "invalid wire type 7", "id"},
		{"unexpected end group", &testpb.Transaction{}, protobuf.Options{}, wire{}.raw(0x0c), decode.ErrMalformed, "unexpected end-group", "id"},
		{"group without end", &testpb.Legacy{}, protobuf.Options{}, wire{}.varint(1, 1).raw(0x33, 0x08, 0x05), decode.ErrMalformed, "group without end", ""},
		{"group ended by another", &testpb.Legacy{}, protobuf.Options{}, wire{}.varint(1, 1).raw(0x33, 0x3c), decode.ErrMalformed, "ended by end-group", ""},
		{"required missing", &testpb.Legacy{}, protobuf.Options{}, wire{}.str(2, "x"), decode.ErrNull, "required field is missing", "id"},
		{"bad nested message", &testpb.Order{}, protobuf.Options{}, wire{}.str(1, "o").bytes(2, wire{}.raw(0x0a, 0x09)), decode.ErrMalformed, "past the end", ""},
		{"bad map entry", &testpb.Everything{}, protobuf.Options{}, wire{}.bytes(28, wire{}.raw(0x08)), decode.ErrMalformed, "unexpected EOF", "m_ia"},
		{"timestamp out of range", &testpb.Everything{}, protobuf.Options{}, wire{}.bytes(33, wire{}.varint(1, 1<<62)), decode.ErrRange, "seconds do not fit", ""},
		{"deep unknown groups", &testpb.Transaction{}, protobuf.Options{Limits: decode.Limits{MaxDepth: 3}},
			wire{}.raw(0xab, 0x06, 0xab, 0x06, 0xab, 0x06, 0xab, 0x06, 0xac, 0x06, 0xac, 0x06, 0xac, 0x06, 0xac, 0x06), decode.ErrTooLarge, "nested deeper", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A good payload after the bad one proves the appender recovers.
			good, _ := proto.Marshal(&testpb.Legacy{Id: proto.Int64(1)})
			if _, ok := tt.msg.(*testpb.Legacy); !ok {
				good = nil
			}
			_, errs := decodeRows(t, tt.msg, tt.opts, tt.payload, good)
			if !errors.Is(errs[0], tt.want) || !strings.Contains(errs[0].Error(), tt.says) {
				t.Fatalf("error %v, want %v saying %q", errs[0], tt.want, tt.says)
			}
			var ve *decode.ValueError
			if !errors.As(errs[0], &ve) || (tt.path != "" && ve.Path != tt.path) {
				t.Fatalf("error %v: want a *decode.ValueError at %q", errs[0], tt.path)
			}
			if ve.Offset < 0 || ve.Offset > len(tt.payload) {
				t.Fatalf("error %v: offset %d outside the %d-byte payload", errs[0], ve.Offset, len(tt.payload))
			}
			if errs[1] != nil {
				t.Fatalf("the payload after a bad one: %v", errs[1])
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, proto, msg, want string
		is                     error
	}{
		{"recursive", `syntax = "proto3"; message Node { string v = 1; Node next = 2; }`, "Node", "field next: message Node contains itself", decode.ErrUnsupported},
		{"mutually recursive", `syntax = "proto3"; message A { B b = 1; } message B { repeated A a = 1; }`, "A", "field b.a[]: message A contains itself", decode.ErrUnsupported},
		{"struct", `syntax = "proto3"; import "google/protobuf/struct.proto"; message M { google.protobuf.Struct s = 1; }`, "M", "field s: google.protobuf.Struct has no fixed Arrow type", decode.ErrUnsupported},
		{"no such message", `syntax = "proto3"; message M {}`, "N", `"N"`, protobuf.ErrNoMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := protobuf.NewCompiler(protobuf.Options{Proto: tt.proto, Message: tt.msg}).Compile(nil, nil)
			if err == nil || !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q (%v)", err, tt.want, tt.is)
			}
		})
	}
}

// TestDescriptorSources: a generated type's descriptor and the same .proto
// text compiled here (message by name and by index path) give one schema.
func TestDescriptorSources(t *testing.T) {
	srcs, err := prototest.Sources()
	if err != nil {
		t.Fatal(err)
	}
	want, err := protobuf.Schema((&testpb.Envelope_Inner{}).ProtoReflect().Descriptor(), protobuf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]string{"sabot/test/v1/common.proto": srcs["sabot/test/v1/common.proto"]}
	for _, name := range []string{"sabot.test.v1.Envelope.Inner", "Envelope.Inner"} {
		plan, err := protobuf.NewCompiler(protobuf.Options{Proto: srcs["sabot/test/v1/txn.proto"], Imports: imports, Message: name}).Compile(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := plan.Fields(); !want.Equal(arrowSchema(got)) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
	}
	fd, err := protobuf.CompileProto(t.Context(), "", srcs["sabot/test/v1/txn.proto"], imports)
	if err != nil {
		t.Fatal(err)
	}
	md, err := protobuf.MessageByPath(fd, []int{0, 0})
	if err != nil || md.FullName() != "sabot.test.v1.Envelope.Inner" {
		t.Fatalf("path [0 0]: %v, %v", md, err)
	}
	if p := protobuf.MessagePath(md); len(p) != 2 || p[0] != 0 || p[1] != 0 {
		t.Fatalf("MessagePath = %v", p)
	}
	if _, err := protobuf.MessageByPath(fd, []int{0, 5}); !errors.Is(err, protobuf.ErrNoMessage) {
		t.Fatalf("path [0 5]: %v", err)
	}
}
