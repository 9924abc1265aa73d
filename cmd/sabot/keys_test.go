package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/decode"
)

// The Java serializers' bytes: LongSerializer and IntegerSerializer write
// the value big-endian in two's complement (java.nio.ByteBuffer order).
func TestKeyFormatsAreTheJavaSerializers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewInt64Builder(mem)
	b.AppendValues([]int64{1, -1, math.MaxInt64, math.MinInt32, 0}, nil)
	b.AppendNull()
	col := b.NewArray()
	b.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len()))
	col.Release()
	defer rec.Release()

	keyed, err := withBinaryKeys(mem, rec, "id", keyInt64)
	if err != nil {
		t.Fatal(err)
	}
	keys := keyed.Column(1).(*array.Binary)
	want := [][]byte{
		{0, 0, 0, 0, 0, 0, 0, 1},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0},
		{0, 0, 0, 0, 0, 0, 0, 0},
	}
	for i, w := range want {
		if !bytes.Equal(keys.Value(i), w) {
			t.Errorf("int64 key %d = % x, want % x", i, keys.Value(i), w)
		}
	}
	if !keys.IsNull(5) || keyed.ColumnName(0) != "id" || keyed.ColumnName(1) != decode.ColKey {
		t.Errorf("keyed batch %v", keyed.Schema())
	}
	// And back: the _key column read as int64 is the column it came from.
	back, err := withIntegerKeys(mem, keyed, keyInt64)
	keyed.Release()
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Column(1).(*array.Int64); fmt.Sprint(got) != fmt.Sprint(rec.Column(0)) {
		t.Errorf("read back %v, want %v", got, rec.Column(0))
	}
	back.Release()

	// int32 is 4 bytes, and a value past int32 is an error naming it.
	if _, err := withBinaryKeys(mem, rec, "id", keyInt32); err == nil || !strings.Contains(err.Error(), "9223372036854775807 does not fit -key-format int32") {
		t.Errorf("int32 of MaxInt64: %v", err)
	}
	small := rec.NewSlice(0, 2)
	defer small.Release()
	keyed, err = withBinaryKeys(mem, small, "id", keyInt32)
	if err != nil {
		t.Fatal(err)
	}
	if k := keyed.Column(1).(*array.Binary); !bytes.Equal(k.Value(0), []byte{0, 0, 0, 1}) || !bytes.Equal(k.Value(1), []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("int32 keys %v", k)
	}
	// A key of the wrong width does not read as int64.
	if _, err := withIntegerKeys(mem, keyed, keyInt64); err == nil || !strings.Contains(err.Error(), "the key is 4 bytes; -key-format int64 reads 8-byte keys") {
		t.Errorf("4-byte key read as int64: %v", err)
	}
	keyed.Release()
	// Keys come from integer columns only.
	sb := array.NewStringBuilder(mem)
	sb.Append("x")
	scol := sb.NewArray()
	sb.Release()
	srec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{scol}, 1)
	scol.Release()
	defer srec.Release()
	if _, err := withBinaryKeys(mem, srec, "s", keyInt64); err == nil || !strings.Contains(err.Error(), "it is utf8") {
		t.Errorf("string key column: %v", err)
	}
}

// produce -key-format int64 writes LongSerializer keys, export -key-format
// int64 reads them into an int64 _key column; text stays decimal.
func TestKeyFormatRoundTrip(t *testing.T) {
	c := openCluster(t)
	dir := t.TempDir()
	input := writeFile(t, dir, "in.jsonl", "{\"id\":7,\"v\":\"a\"}\n{\"id\":-2,\"v\":\"b\"}\n{\"v\":\"no key\"}\n")
	for _, tc := range []struct {
		format string
		keys   map[string][]byte
		column string
	}{
		{"int64", map[string][]byte{"a": {0, 0, 0, 0, 0, 0, 0, 7}, "b": {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}, "no key": nil}, "int64"},
		{"int32", map[string][]byte{"a": {0, 0, 0, 7}, "b": {0xff, 0xff, 0xff, 0xfe}, "no key": nil}, "int32"},
		{"text", map[string][]byte{"a": []byte("7"), "b": []byte("-2"), "no key": nil}, "binary"},
	} {
		topic := c.topic(t)
		c.mustRun(t, "produce", "-topic", topic, "-input", input, "-codec", "json", "-key", "id", "-key-format", tc.format, "-partitions", "1")
		got := map[string][]byte{}
		cl, err := c.NewClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		if err != nil {
			t.Fatal(err)
		}
		for len(got) < 3 && t.Context().Err() == nil {
			cl.PollFetches(t.Context()).EachRecord(func(r *kgo.Record) {
				var v struct{ V string }
				if err := json.Unmarshal(r.Value, &v); err != nil {
					t.Fatal(err)
				}
				got[v.V] = r.Key
				if strings.Contains(string(r.Value), decode.ColKey) {
					t.Errorf("value %s carries the key column", r.Value)
				}
			})
		}
		cl.Close()
		if fmt.Sprint(got) != fmt.Sprint(tc.keys) {
			t.Errorf("%s keys %v, want %v", tc.format, got, tc.keys)
		}

		out := filepath.Join(dir, tc.format+".arrow")
		c.mustRun(t, "export", "-topic", topic, "-codec", "json", "-key-format", tc.format, "-o", out, "-idle-timeout", "500ms", "-metadata", "key")
		exp := readExport(t, out)
		if fieldType(exp.schema, decode.ColKey) != tc.column {
			t.Errorf("%s export: _key is %s", tc.format, fieldType(exp.schema, decode.ColKey))
		}
		if tc.format != "text" {
			for _, r := range exp.rows {
				if fmt.Sprint(r[decode.ColKey]) != fmt.Sprint(r["id"]) {
					t.Errorf("%s export: _key %v, id %v", tc.format, r[decode.ColKey], r["id"])
				}
			}
		}
	}

	// Reading LongSerializer keys as int32 fails, naming the record.
	topic := c.topic(t)
	c.mustRun(t, "produce", "-topic", topic, "-input", input, "-codec", "json", "-key", "id", "-key-format", "int64", "-partitions", "1")
	code, _, stderr := c.run(t, "export", "-topic", topic, "-codec", "json", "-key-format", "int32", "-o", filepath.Join(dir, "x.arrow"), "-idle-timeout", "500ms")
	if code != 1 || !strings.Contains(stderr, "partition 0 offset 0: the key is 8 bytes; -key-format int32 reads 4-byte keys") {
		t.Fatalf("int64 keys read as int32: exit %d: %s", code, stderr)
	}
	if code, _, stderr := c.run(t, "export", "-topic", topic, "-codec", "json", "-key-format", "int64", "-metadata", "offset", "-o", "-"); code != 1 ||
		!strings.Contains(stderr, "add key to -metadata") {
		t.Fatalf("-key-format without the key column: exit %d: %s", code, stderr)
	}
	if code, _, stderr := c.run(t, "produce", "-topic", topic, "-input", input, "-key-format", "int64"); code != 1 || !strings.Contains(stderr, "name the key column with -key") {
		t.Fatalf("-key-format without -key: exit %d: %s", code, stderr)
	}
}

// The key bytes against Kafka's own LongSerializer and IntegerSerializer
// (testdata/KeySerializers.java on the kafka-clients jar of the rig), both
// ways: Sabot writes what they write and reads what they read.
func TestKeyFormatsMatchKafkaClients(t *testing.T) {
	libs := envOrSkip(t, "SABOT_KAFKA_LIBS", "the directory of the kafka-clients jar, as the rig's kafka.env gives it")
	values := []int64{0, 1, -1, 255, 256, -256, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MaxInt64, math.MinInt64, 1234567890123}
	args := []string{"-cp", filepath.Join(libs, "*"), filepath.Join("testdata", "KeySerializers.java")}
	for _, v := range values {
		args = append(args, strconv.FormatInt(v, 10))
	}
	out, err := exec.CommandContext(t.Context(), "java", args...).Output()
	if err != nil {
		t.Fatalf("java: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(values) {
		t.Fatalf("java printed %q", out)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for i, v := range values {
		f := strings.Fields(lines[i])
		for _, kf := range []keyFormat{keyInt64, keyInt32} {
			hexWant := f[1]
			if kf == keyInt32 {
				hexWant = f[3]
			}
			rec := int64Batch(mem, v)
			keyed, err := withBinaryKeys(mem, rec, "id", kf)
			rec.Release()
			if hexWant == "-" {
				if err == nil {
					keyed.Release()
					t.Errorf("%d as %s: no error, Java has no such key", v, kf)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(keyed.Column(1).(*array.Binary).Value(0)); got != hexWant {
				t.Errorf("%d as %s: %s, Java writes %s", v, kf, got, hexWant)
			}
			back, err := withIntegerKeys(mem, keyed, kf)
			keyed.Release()
			if err != nil {
				t.Fatal(err)
			}
			if got := back.Column(1).ValueStr(0); got != strconv.FormatInt(v, 10) {
				t.Errorf("%d as %s read back as %s", v, kf, got)
			}
			back.Release()
		}
	}
}

// int64Batch is one row of an int64 column "id".
func int64Batch(mem memory.Allocator, v int64) arrow.RecordBatch {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.Append(v)
	col := b.NewArray()
	defer col.Release()
	return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil), []arrow.Array{col}, 1)
}
