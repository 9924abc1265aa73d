package kafka_test

import (
	"context"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// testKeys returns n keys: the empty key, short ASCII keys, and random
// binary keys of every length up to 64 (all tail lengths of murmur2).
func testKeys(n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := [][]byte{{}}
	for i := 0; len(keys) < n; i++ {
		if i%2 == 0 {
			keys = append(keys, []byte("user-"+strconv.Itoa(i)))
			continue
		}
		k := make([]byte, rng.IntN(65))
		for j := range k {
			k[j] = byte(rng.Uint32())
		}
		keys = append(keys, k)
	}
	return keys
}

// TestKeyPartitionMatchesJava runs the Java producer's built-in partitioner
// (org.apache.kafka.clients.producer.internals.BuiltInPartitioner, checked
// inside the program against Utils.toPositive(Utils.murmur2(key)) % n) over
// 12,000 keys and 12 partition counts, and compares both KeyPartition and
// franz-go's default key partitioner (what the KeyHash strategy uses).
func TestKeyPartitionMatchesJava(t *testing.T) {
	keys := testKeys(12000)
	counts := []int{1, 2, 3, 5, 6, 7, 12, 16, 31, 64, 100, 1000}
	var in strings.Builder
	for _, k := range keys {
		in.WriteString(hex.EncodeToString(k))
		in.WriteByte('\n')
	}
	strs := make([]string, len(counts))
	for i, n := range counts {
		strs[i] = strconv.Itoa(n)
	}
	out := runJava(t, []byte(in.String()), "partition", strings.Join(strs, ","))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(keys) {
		t.Fatalf("java answered %d lines for %d keys", len(lines), len(keys))
	}
	kp := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	checked := 0
	for i, line := range lines {
		fields := strings.Fields(line)
		for j, n := range counts {
			want, err := strconv.Atoi(fields[j])
			if err != nil {
				t.Fatal(err)
			}
			if got := kafka.KeyPartition(keys[i], n); int(got) != want {
				t.Fatalf("key %x, %d partitions: KeyPartition %d, Java %d", keys[i], n, got, want)
			}
			if got := kp.Partition(&kgo.Record{Key: keys[i]}, n); got != want {
				t.Fatalf("key %x, %d partitions: franz-go %d, Java %d", keys[i], n, got, want)
			}
			checked++
		}
	}
	t.Logf("%d keys × %d partition counts = %d partitions agree with the Java client", len(keys), len(counts), checked)
}

func TestMurmur2KnownValues(t *testing.T) {
	// Lengths 0-5 cover the empty input, every tail length and one block.
	for _, tc := range []struct {
		in   string
		n    int
		want int32
	}{
		{"", 1, 0},
		{"a", 1, 0},
	} {
		if got := kafka.KeyPartition([]byte(tc.in), tc.n); got != tc.want {
			t.Fatalf("KeyPartition(%q, %d) = %d", tc.in, tc.n, got)
		}
	}
	if kafka.KeyPartition([]byte("x"), 0) != -1 {
		t.Fatal("KeyPartition with no partitions must be -1")
	}
	// Every key lands in range for every count.
	for _, k := range testKeys(500) {
		for n := 1; n < 40; n++ {
			if p := kafka.KeyPartition(k, n); p < 0 || int(p) >= n {
				t.Fatalf("KeyPartition(%x, %d) = %d", k, n, p)
			}
		}
	}
}

// stringBatch builds a one-column string batch "value" (plus a "key" column
// when keys is given).
func stringBatch(mem memory.Allocator, vals, keys []string) arrow.RecordBatch {
	fields := []arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}
	vb := array.NewStringBuilder(mem)
	defer vb.Release()
	vb.AppendValues(vals, nil)
	cols := []arrow.Array{vb.NewArray()}
	if keys != nil {
		fields = append(fields, arrow.Field{Name: "key", Type: arrow.BinaryTypes.String})
		kb := array.NewStringBuilder(mem)
		defer kb.Release()
		kb.AppendValues(keys, nil)
		cols = append(cols, kb.NewArray())
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(len(vals)))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// readAll reads n records of topic from the start with a plain client.
func readAll(ctx context.Context, t *testing.T, cl *kgo.Client, n int) []*kgo.Record {
	t.Helper()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollRecords(ctx, n-len(out))
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %d of %d: %v", len(out), n, err)
		}
		for _, e := range fs.Errors() {
			t.Fatalf("fetch: %v", e.Err)
		}
		out = append(out, fs.Records()...)
	}
	return out
}

func TestSinkPartitionStrategies(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n = 2100
	vals := make([]string, n)
	keys := make([]string, n)
	for i := range vals {
		vals[i] = "v-" + strconv.Itoa(i)
		keys[i] = "key-" + strconv.Itoa(i*7919)
	}
	rec := stringBatch(mem, vals, keys)
	defer rec.Release()
	// The same rows naming their partitions (0 included), for Explicit.
	pb := array.NewInt32Builder(mem)
	for i := range n {
		pb.Append(int32(i % 7))
	}
	parts := pb.NewArray()
	pb.Release()
	withParts := array.NewRecordBatch(
		arrow.NewSchema(append(rec.Schema().Fields(), arrow.Field{Name: decode.ColPartition, Type: arrow.PrimitiveTypes.Int32}), nil),
		append(append([]arrow.Array(nil), rec.Columns()...), parts), rec.NumRows())
	parts.Release()
	defer withParts.Release()

	tests := []struct {
		name  string
		cfg   func(*kafka.SinkConfig)
		in    arrow.RecordBatch // default rec
		check func(t *testing.T, recs []*kgo.Record)
	}{
		{"key hash", func(c *kafka.SinkConfig) { c.KeyColumn = "key" }, nil, func(t *testing.T, recs []*kgo.Record) {
			for _, r := range recs {
				if want := kafka.KeyPartition(r.Key, 7); r.Partition != want {
					t.Fatalf("key %q in partition %d, Java's partitioner says %d", r.Key, r.Partition, want)
				}
			}
		}},
		{"round robin", func(c *kafka.SinkConfig) { c.Partitioning = kafka.RoundRobin }, nil, func(t *testing.T, recs []*kgo.Record) {
			per := map[int32]int{}
			for _, r := range recs {
				per[r.Partition]++
			}
			for p := int32(0); p < 7; p++ {
				if per[p] != n/7 {
					t.Fatalf("round robin: partition %d got %d, want %d (%v)", p, per[p], n/7, per)
				}
			}
		}},
		{"explicit", func(c *kafka.SinkConfig) { c.Partitioning = kafka.Explicit }, withParts, func(t *testing.T, recs []*kgo.Record) {
			for _, r := range recs {
				i, _ := strconv.Atoi(strings.TrimPrefix(string(r.Value), "v-"))
				if r.Partition != int32(i%7) {
					t.Fatalf("explicit: %s in partition %d, its _partition says %d", r.Value, r.Partition, i%7)
				}
			}
		}},
		{"custom", func(c *kafka.SinkConfig) {
			c.Partitioning = kafka.Custom
			c.PartitionFunc = func(_, v []byte, n int) int { return len(v) % n }
		}, nil, func(t *testing.T, recs []*kgo.Record) {
			for _, r := range recs {
				if int(r.Partition) != len(r.Value)%7 {
					t.Fatalf("custom: %q in %d", r.Value, r.Partition)
				}
			}
		}},
		{"sticky", func(c *kafka.SinkConfig) { c.Partitioning = kafka.Sticky }, nil, func(t *testing.T, recs []*kgo.Record) {
			if len(recs) != n {
				t.Fatalf("sticky: %d records", len(recs))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			topic := servicestest.Topic(t, s, 7)
			cfg := kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Codec: codec.Spec{Format: codec.String{Column: "value"}}}
			tc.cfg(&cfg)
			sink, err := kafka.NewSink(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			in := rec
			if tc.in != nil {
				in = tc.in
			}
			if err := sink.Send(ctx, in); err != nil {
				t.Fatal(err)
			}
			if m := sink.Metrics(); m.RecordsOut != n || m.Batches != 1 || m.ProduceLatency.Count != n || m.ProduceLatency.Max <= 0 {
				t.Fatalf("metrics %+v", m)
			}
			lat := sink.Metrics().ProduceLatency
			var inBuckets int64
			for _, c := range lat.Buckets {
				inBuckets += c
			}
			if inBuckets != lat.Count || lat.Quantile(0.5) <= 0 || lat.Quantile(0.5) > lat.Max {
				t.Fatalf("latency histogram %+v, median %v", lat, lat.Quantile(0.5))
			}
			rd := rawClient(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
			tc.check(t, readAll(ctx, t, rd, n))
		})
	}
}

type arrowRecord = arrow.RecordBatch

func newStringBuilder(mem memory.Allocator) *array.StringBuilder { return array.NewStringBuilder(mem) }

func newRecord(col arrow.Array) arrow.RecordBatch {
	return array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String, Nullable: true}}, nil), []arrow.Array{col}, int64(col.Len()))
}

// Under Explicit every path writes where the record says, partition 0
// included; a batch that names no partitions fails before producing.
func TestExplicitPartitionZeroAndMissingColumn(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	topic := servicestest.Topic(t, s, 3)
	sink := newSink(t, kafka.SinkConfig{Brokers: s.Brokers, Topic: topic, Partitioning: kafka.Explicit,
		Codec: codec.Spec{Format: codec.String{Column: "value"}}})
	if err := sink.SendRecords(ctx, kafka.Record{Value: []byte("p2"), Partition: 2}, kafka.Record{Value: []byte("p0"), Partition: 0}); err != nil {
		t.Fatal(err)
	}
	rec := stringBatch(mem, []string{"x"}, nil)
	defer rec.Release()
	if err := sink.Send(ctx, rec); err == nil || !strings.Contains(err.Error(), decode.ColPartition) {
		t.Fatalf("a batch without %s under Explicit: %v", decode.ColPartition, err)
	}
	rd := rawClient(t, s, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	for _, r := range readAll(ctx, t, rd, 2) {
		if want := int32(r.Value[1] - '0'); r.Partition != want {
			t.Fatalf("%s in partition %d, want %d", r.Value, r.Partition, want)
		}
	}
	if m := sink.Metrics(); m.RecordsOut != 2 {
		t.Fatalf("metrics %+v", m)
	}
}
