// Package prototest helps test the protobuf decode and encode plans against
// google.golang.org/protobuf itself: Record converts decoded messages to the
// Arrow rows a plan should produce, by reflection (slow, obviously right);
// Random fills messages with random values; Sources reads the test .proto
// files.
package prototest

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/sabot-kafka/sabot/decode/protobuf"
)

// Files are the test .proto files, by import path.
var Files = []string{
	"sabot/test/v1/common.proto",
	"sabot/test/v1/txn.proto",
	"sabot/test/v1/legacy.proto",
	"sabot/test/v1/editions.proto",
}

// Dir is the directory of the test data (testdata/protobuf).
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "protobuf")
}

// Sources returns the text of every test .proto file by import path.
func Sources() (map[string]string, error) {
	out := map[string]string{}
	for _, f := range Files {
		b, err := os.ReadFile(filepath.Join(Dir(), "proto", filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		out[f] = string(b)
	}
	return out, nil
}

// Record returns the rows a plan for md under opts produces for msgs,
// computed by reflection over the messages. The caller releases it.
func Record(mem memory.Allocator, md protoreflect.MessageDescriptor, opts protobuf.Options, msgs []proto.Message) (arrow.RecordBatch, error) {
	schema, err := protobuf.Schema(md, opts)
	if err != nil {
		return nil, err
	}
	bs := make([]array.Builder, schema.NumFields())
	for i, f := range schema.Fields() {
		bs[i] = array.NewBuilder(mem, f.Type)
	}
	defer func() {
		for _, b := range bs {
			b.Release()
		}
	}()
	c := conv{opts: opts}
	for _, m := range msgs {
		if err := c.message(m.ProtoReflect(), bs, nil); err != nil {
			return nil, err
		}
	}
	cols := make([]arrow.Array, len(bs))
	for i, b := range bs {
		cols[i] = b.NewArray()
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	return array.NewRecordBatch(schema, cols, int64(len(msgs))), nil
}

type conv struct{ opts protobuf.Options }

// message appends m's columns to bs (sb is the struct builder when nested).
func (c conv) message(m protoreflect.Message, bs []array.Builder, sb *array.StructBuilder) error {
	if sb != nil {
		sb.Append(true)
	}
	md := m.Descriptor()
	col := 0
	seenOneof := map[protoreflect.FullName]bool{}
	fds := md.Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() && !seenOneof[od.FullName()] {
			seenOneof[od.FullName()] = true
			if c.opts.Oneofs == protobuf.OneofCase {
				b := bs[col].(*array.StringBuilder)
				if set := m.WhichOneof(od); set != nil {
					b.Append(string(set.Name()))
				} else {
					b.AppendNull()
				}
				col++
			}
		}
		if err := c.field(m, fd, bs[col]); err != nil {
			return err
		}
		col++
	}
	return nil
}

func (c conv) field(m protoreflect.Message, fd protoreflect.FieldDescriptor, b array.Builder) error {
	switch {
	case fd.IsMap():
		mb := b.(*array.MapBuilder)
		mb.Append(true)
		mp := m.Get(fd).Map()
		var keys []protoreflect.MapKey
		mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
			keys = append(keys, k)
			return true
		})
		slices.SortFunc(keys, compareKeys)
		for _, k := range keys {
			if err := c.value(fd.MapKey(), k.Value(), mb.KeyBuilder()); err != nil {
				return err
			}
			if err := c.value(fd.MapValue(), mp.Get(k), mb.ItemBuilder()); err != nil {
				return err
			}
		}
		return nil
	case fd.IsList():
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		l := m.Get(fd).List()
		for i := 0; i < l.Len(); i++ {
			if err := c.value(fd, l.Get(i), lb.ValueBuilder()); err != nil {
				return err
			}
		}
		return nil
	}
	if fd.HasPresence() && !m.Has(fd) {
		b.AppendNull()
		return nil
	}
	return c.value(fd, m.Get(fd), b)
}

func compareKeys(a, b protoreflect.MapKey) int {
	switch v := a.Interface().(type) {
	case string:
		return strings.Compare(v, b.String())
	case bool:
		if v == b.Bool() {
			return 0
		}
		if !v {
			return -1
		}
		return 1
	case int32, int64:
		return cmp.Compare(a.Int(), b.Int())
	}
	return cmp.Compare(a.Uint(), b.Uint())
}

// value appends one value of fd (an element for lists).
func (c conv) value(fd protoreflect.FieldDescriptor, v protoreflect.Value, b array.Builder) error {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		b.(*array.BooleanBuilder).Append(v.Bool())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		b.(*array.Int32Builder).Append(int32(v.Int())) // #nosec G115 -- protobuf integer semantics: truncation and sign bits are intended
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		b.(*array.Int64Builder).Append(v.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		b.(*array.Uint32Builder).Append(uint32(v.Uint())) // #nosec G115 -- protobuf integer semantics: truncation and sign bits are intended
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		b.(*array.Uint64Builder).Append(v.Uint())
	case protoreflect.FloatKind:
		b.(*array.Float32Builder).Append(float32(v.Float()))
	case protoreflect.DoubleKind:
		b.(*array.Float64Builder).Append(v.Float())
	case protoreflect.StringKind:
		b.(*array.StringBuilder).Append(v.String())
	case protoreflect.BytesKind:
		b.(*array.BinaryBuilder).Append(append([]byte{}, v.Bytes()...))
	case protoreflect.EnumKind:
		return c.enum(fd.Enum(), v.Enum(), b)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return c.nested(fd, v.Message(), b)
	default:
		return fmt.Errorf("prototest: kind %v", fd.Kind())
	}
	return nil
}

func (c conv) enum(ed protoreflect.EnumDescriptor, n protoreflect.EnumNumber, b array.Builder) error {
	name := strconv.Itoa(int(n))
	if ev := ed.Values().ByNumber(n); ev != nil {
		name = string(ev.Name())
	}
	switch c.opts.Enums {
	case protobuf.EnumNumber:
		b.(*array.Int32Builder).Append(int32(n))
	case protobuf.EnumString:
		b.(*array.StringBuilder).Append(name)
	default:
		db := b.(*array.BinaryDictionaryBuilder)
		if db.DictionarySize() == 0 { // same dictionary order as the plan
			sb := array.NewStringBuilder(memory.DefaultAllocator)
			vals := ed.Values()
			for i := 0; i < vals.Len(); i++ {
				sb.Append(string(vals.Get(i).Name()))
			}
			names := sb.NewStringArray()
			err := db.InsertStringDictValues(names)
			names.Release()
			sb.Release()
			if err != nil {
				return err
			}
		}
		return db.AppendString(name)
	}
	return nil
}

func (c conv) nested(fd protoreflect.FieldDescriptor, m protoreflect.Message, b array.Builder) error {
	md := m.Descriptor()
	if fd.Kind() == protoreflect.MessageKind && protobuf.WellKnownType(md) {
		return wellKnown(md, m, b)
	}
	sb := b.(*array.StructBuilder)
	kids := make([]array.Builder, sb.NumField())
	for i := range kids {
		kids[i] = sb.FieldBuilder(i)
	}
	return c.message(m, kids, sb)
}

func wellKnown(md protoreflect.MessageDescriptor, m protoreflect.Message, b array.Builder) error {
	f1 := md.Fields().ByNumber(1)
	switch md.FullName() {
	case "google.protobuf.Timestamp", "google.protobuf.Duration":
		ns := m.Get(f1).Int()*1_000_000_000 + m.Get(md.Fields().ByNumber(2)).Int()
		if tb, ok := b.(*array.TimestampBuilder); ok {
			tb.Append(arrow.Timestamp(ns))
		} else {
			b.(*array.DurationBuilder).Append(arrow.Duration(ns))
		}
		return nil
	}
	return conv{}.value(f1, m.Get(f1), b)
}

// Random returns a message of md with random values: about half the fields
// set, strings sometimes empty, lists and maps of 0-4 items, at most one
// member per oneof. Floats are never NaN so rows compare equal.
func Random(r *rand.Rand, md protoreflect.MessageDescriptor) *dynamicpb.Message {
	m := dynamicpb.NewMessage(md)
	fds := md.Fields()
	for i := 0; i < fds.Len(); i++ {
		fd := fds.Get(i)
		if r.IntN(2) == 0 {
			continue
		}
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for n := r.IntN(5); n > 0; n-- {
				mp.Set(randomValue(r, fd.MapKey()).MapKey(), randomValue(r, fd.MapValue()))
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for n := r.IntN(5); n > 0; n-- {
				l.Append(randomValue(r, fd))
			}
		default:
			m.Set(fd, randomValue(r, fd)) // a later oneof member replaces an earlier one
		}
	}
	return m
}

func randomValue(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(r.IntN(2) == 0)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(randInt(r, 32))) // #nosec G115 -- protobuf integer semantics: truncation and sign bits are intended
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(randInt(r, 64))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(randInt(r, 32))) // #nosec G115 -- protobuf integer semantics: truncation and sign bits are intended
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(randInt(r, 64))) // #nosec G115 -- protobuf integer semantics: truncation and sign bits are intended
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(r.NormFloat64() * 1000))
	case protoreflect.DoubleKind:
		if r.IntN(10) == 0 {
			return protoreflect.ValueOfFloat64(math.Inf(1 - 2*r.IntN(2)))
		}
		return protoreflect.ValueOfFloat64(r.NormFloat64() * 1e6)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(randString(r))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(randString(r)))
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(r.IntN(vals.Len())).Number())
	}
	md := fd.Message()
	switch md.FullName() {
	case "google.protobuf.Timestamp", "google.protobuf.Duration":
		// Valid values only: Timestamp nanos in [0, 1e9); Duration nanos
		// take the sign of the seconds.
		m := dynamicpb.NewMessage(md)
		secs, nanos := r.Int64N(8e9)-4e9, r.Int32N(1e9)
		if md.Name() == "Duration" && secs < 0 {
			nanos = -nanos
		}
		m.Set(md.Fields().ByNumber(1), protoreflect.ValueOfInt64(secs))
		m.Set(md.Fields().ByNumber(2), protoreflect.ValueOfInt32(nanos))
		return protoreflect.ValueOfMessage(m)
	}
	return protoreflect.ValueOfMessage(Random(r, md))
}

// randInt returns small, large and extreme values of a bits-wide integer.
func randInt(r *rand.Rand, bits int) int64 {
	switch r.IntN(4) {
	case 0:
		return 0
	case 1:
		return r.Int64N(200) - 100
	case 2:
		if bits == 32 {
			return int64(int32(r.Uint32())) // #nosec G115 -- protobuf integer semantics: truncation and sign bits are intended
		}
		return int64(r.Uint64()) // #nosec G115 -- protobuf integer semantics: truncation and sign bits are intended
	}
	if bits == 32 {
		return []int64{math.MinInt32, math.MaxInt32, -1}[r.IntN(3)]
	}
	return []int64{math.MinInt64, math.MaxInt64, -1}[r.IntN(3)]
}

func randString(r *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 é€😀"
	runes := []rune(alphabet)
	n := r.IntN(12)
	if r.IntN(4) == 0 {
		n = 0
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteRune(runes[r.IntN(len(runes))])
	}
	return sb.String()
}
