package services_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// produceN writes values "prefix-0".."prefix-(n-1)" keyed by their index and
// waits for every acknowledgement.
func produceN(ctx context.Context, t *testing.T, cl *kgo.Client, topic, prefix string, n int) {
	t.Helper()
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: topic, Key: []byte(strconv.Itoa(i)), Value: fmt.Appendf(nil, "%s-%d", prefix, i)}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// consumeGroup joins group, reads until it has want records, commits them and
// leaves the group. It fails t on duplicates.
func consumeGroup(ctx context.Context, t *testing.T, s *services.Services, topic, group string, want int) map[string]bool {
	t.Helper()
	cl, err := s.NewClient(
		kgo.ConsumeTopics(topic),
		kgo.ConsumerGroup(group),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := make(map[string]bool, want)
	for len(seen) < want {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d before timeout: %v", len(seen), want, err)
		}
		fs.EachError(func(tp string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", tp, p, err) })
		fs.EachRecord(func(r *kgo.Record) {
			v := string(r.Value)
			if seen[v] {
				t.Errorf("record %q consumed twice", v)
			}
			seen[v] = true
		})
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	cl.LeaveGroup()
	return seen
}

// TestGroupConsumeCommitAndResume produces to a 3-partition topic, consumes it
// with a consumer group, commits, checks the committed offsets equal the end
// offsets, then checks a new member of the group resumes after them.
func TestGroupConsumeCommitAndResume(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	topic := servicestest.Topic(t, s, 3)
	group := servicestest.UniqueName(t)

	cl, err := s.NewClient(kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	produceN(ctx, t, cl, topic, "first", 1000)

	if got := consumeGroup(ctx, t, s, topic, group, 1000); !got["first-0"] || !got["first-999"] {
		t.Fatalf("first pass missed records: %d seen", len(got))
	}

	adm := kadm.NewClient(cl)
	committed, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	ends.Each(func(o kadm.ListedOffset) {
		c, ok := committed.Lookup(topic, o.Partition)
		if !ok || c.At != o.Offset {
			t.Errorf("partition %d: committed %v, end offset %d", o.Partition, c.At, o.Offset)
		}
		total += o.Offset
	})
	if total != 1000 {
		t.Fatalf("end offsets sum to %d, want 1000", total)
	}

	produceN(ctx, t, cl, topic, "second", 100)
	got := consumeGroup(ctx, t, s, topic, group, 100)
	for v := range got {
		if v[:6] != "second" {
			t.Errorf("resumed member re-read %q: committed offsets were not used", v)
		}
	}
}

// TestRegistryRegisterAndFetch registers an Avro schema and reads it back by id
// and by subject version.
func TestRegistryRegisterAndFetch(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	rcl, err := sr.NewClient(sr.URLs(s.RegistryURL))
	if err != nil {
		t.Fatal(err)
	}
	subject := servicestest.UniqueName(t) + "-value"
	schema := `{"type":"record","name":"Transaction","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}`
	ss, err := rcl.CreateSchema(ctx, subject, sr.Schema{Schema: schema, Type: sr.TypeAvro})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if ss.ID <= 0 || ss.Version != 1 {
		t.Fatalf("register returned id %d version %d", ss.ID, ss.Version)
	}
	byID, err := rcl.SchemaByID(ctx, ss.ID)
	if err != nil {
		t.Fatalf("schema by id: %v", err)
	}
	if byID.Schema != schema {
		t.Fatalf("schema by id = %q, want %q", byID.Schema, schema)
	}
	latest, err := rcl.SchemaByVersion(ctx, subject, -1)
	if err != nil {
		t.Fatalf("latest: %v", err)
	}
	if latest.ID != ss.ID || latest.Subject != subject {
		t.Fatalf("latest = id %d subject %q, want id %d subject %q", latest.ID, latest.Subject, ss.ID, subject)
	}
	if _, err := rcl.SchemaByVersion(ctx, subject+"-missing", 1); err == nil {
		t.Fatal("fetching a missing subject succeeded")
	} else {
		var re *sr.ResponseError
		if !errors.As(err, &re) || re.ErrorCode != 40401 {
			t.Fatalf("missing subject: got %v, want registry error 40401 (subject not found)", err)
		}
	}
}

// roundTrip produces one record through cl and reads it back with a plain
// (group-less) consumer on the same listener.
func roundTrip(ctx context.Context, t *testing.T, l services.Listener, topic string) {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(l.Brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, l.Opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("secured")}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	fs := cl.PollRecords(ctx, 1)
	if errs := fs.Errors(); len(errs) > 0 {
		t.Fatalf("fetch: %v", errs[0].Err)
	}
	if recs := fs.Records(); len(recs) != 1 || string(recs[0].Value) != "secured" {
		t.Fatalf("read back %d records", len(recs))
	}
}

func TestSASLSCRAMListener(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	servicestest.RequireReal(t, s, "the rig's SASL/SCRAM listener")
	l, ok := services.SASLListenerFromEnv()
	if !ok {
		t.Fatalf("%s is unset; scripts/rig/kafka.sh writes it", services.EnvSASLBrokers)
	}
	roundTrip(ctx, t, l, servicestest.Topic(t, s, 1))

	// A wrong password must be refused, not silently accepted.
	bad, err := kgo.NewClient(kgo.SeedBrokers(l.Brokers...), kgo.SASL(scramWith("sabot", "wrong")))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := bad.Ping(ctx); err == nil {
		t.Fatal("SCRAM login with a wrong password succeeded")
	}
}

func TestTLSListener(t *testing.T) {
	ctx := testContext(t)
	s := servicestest.Open(t)
	servicestest.RequireReal(t, s, "the rig's TLS listener")
	l, ok, err := services.TLSListenerFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("%s is unset; scripts/rig/kafka.sh writes it", services.EnvTLSBrokers)
	}
	roundTrip(ctx, t, l, servicestest.Topic(t, s, 1))
}
