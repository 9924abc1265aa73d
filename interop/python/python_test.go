package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// EnvPython names the python of the venv scripts/pyenv.sh builds.
const EnvPython = "SABOT_PYTHON"

// format is one format of serdes.py: the Spec Sabot decodes the Python
// values with (writer schemas from the registry) and the one it encodes
// with (the same schema text the Python serializer registers).
type format struct {
	name   string // serdes.py's name of the format
	decode func(reg codec.Registry) codec.Spec
	encode func(t *testing.T, reg codec.Registry) codec.Spec
	// consumeFlags, when set, returns extra flags of serdes.py consume for
	// what the registry can serve once Sabot has registered its schema
	// under subject.
	consumeFlags func(t *testing.T, svc *services.Services, reg *registry.Client, subject string) []string
}

var formats = []format{
	{
		name:   "avro",
		decode: func(reg codec.Registry) codec.Spec { return codec.Spec{Format: codec.Avro{}, Registry: reg} },
		encode: func(t *testing.T, reg codec.Registry) codec.Spec {
			return codec.Spec{Format: codec.Avro{Schema: schema(t, "order.avsc")}, Registry: reg}
		},
	},
	{
		name:   "protobuf",
		decode: func(reg codec.Registry) codec.Spec { return codec.Spec{Format: codec.Protobuf{}, Registry: reg} },
		encode: func(t *testing.T, reg codec.Registry) codec.Spec {
			return codec.Spec{Format: codec.Protobuf{Schema: schema(t, "order.proto"), Message: "Order"}, Registry: reg}
		},
		consumeFlags: protobufConsumeFlags,
	},
	{
		name:   "json_schema",
		decode: func(reg codec.Registry) codec.Spec { return codec.Spec{Format: codec.JSONSchema{}, Registry: reg} },
		encode: func(t *testing.T, reg codec.Registry) codec.Spec {
			return codec.Spec{Format: codec.JSONSchema{Schema: schema(t, "order.schema.json")}, Registry: reg}
		},
	},
}

// TestPythonToSabot: values confluent-kafka-python's serializers produce to
// a topic (registering their schemas) are read by a kafka.Source into Arrow
// with the schema and values serdes.py expects.
func TestPythonToSabot(t *testing.T) {
	eachFormat(t, func(t *testing.T, e env, f format) {
		var produced struct{ Produced int }
		e.runPy(t, &produced, "produce", f.name, e.brokers(), e.svc.RegistryURL, e.topic)

		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		spec := f.decode(e.reg)
		spec.Allocator = mem
		recs := consume(t, e.svc, e.topic, spec, produced.Produced)
		defer func() {
			for _, r := range recs {
				r.Release()
			}
		}()
		file := filepath.Join(t.TempDir(), "decoded.arrow")
		writeIPC(t, file, recs)
		var checked struct{ Rows int }
		e.runPy(t, &checked, "check-arrow", f.name, file)
		if checked.Rows != produced.Produced {
			t.Fatalf("serdes.py checked %d rows of the %d produced", checked.Rows, produced.Produced)
		}
	})
}

// TestSabotToPython: the Arrow form of the same values, written by pyarrow,
// is encoded by a kafka.Sink (registering the schema), and
// confluent-kafka-python's deserializers read back exactly the values.
func TestSabotToPython(t *testing.T) {
	eachFormat(t, func(t *testing.T, e env, f format) {
		file := filepath.Join(t.TempDir(), "values.arrow")
		var written struct{ Rows int }
		e.runPy(t, &written, "write-arrow", f.name, file)
		n := produce(t, e.svc, e.topic, f.encode(t, e.reg), file)
		if n != written.Rows {
			t.Fatalf("sent %d rows of the %d pyarrow wrote", n, written.Rows)
		}
		args := []string{"consume", f.name, e.brokers(), e.svc.RegistryURL, e.topic}
		if f.consumeFlags != nil {
			args = append(args, f.consumeFlags(t, e.svc, e.reg, e.topic+"-value")...)
		}
		var consumed struct{ Consumed int }
		e.runPy(t, &consumed, args...)
		if consumed.Consumed != n {
			t.Fatalf("serdes.py read %d values of the %d sent", consumed.Consumed, n)
		}
	})
}

// env is what a check of one format runs with: the venv's python, the
// services, a registry client and a topic of one partition of its own.
type env struct {
	py    string
	svc   *services.Services
	reg   *registry.Client
	topic string
}

func (e env) brokers() string { return strings.Join(e.svc.Brokers, ",") }

// eachFormat runs check for every format, each in a subtest with its own
// topic, on one set of services.
func eachFormat(t *testing.T, check func(t *testing.T, e env, f format)) {
	py := python(t)
	svc := servicestest.Open(t)
	reg, err := registry.NewClient(svc.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			check(t, env{py: py, svc: svc, reg: reg, topic: servicestest.Topic(t, svc, 1)}, f)
		})
	}
}

// python returns the venv's python, or stops t: it skips without one, and
// fails when the run demands every cross-check (SABOT_REQUIRE_REAL=1, as
// make test sets, which also builds the venv).
func python(t *testing.T) string {
	t.Helper()
	py := os.Getenv(EnvPython)
	if py == "" {
		if os.Getenv(services.EnvRequireReal) == "1" {
			t.Fatalf("%s is unset: the cross-language tests need the venv of scripts/pyenv.sh (make test sets it)", EnvPython)
		}
		t.Skipf("needs the Python venv: export %s=$(scripts/pyenv.sh), or run make test-python", EnvPython)
	}
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("%s: %v (rebuild the venv with scripts/pyenv.sh)", EnvPython, err)
	}
	return py
}

// runPy runs serdes.py and decodes the JSON summary it prints into out. A
// failed check fails t with what serdes.py wrote.
func (e env) runPy(t *testing.T, out any, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.py, append([]string{"serdes.py"}, args...)...) // #nosec G204 -- the test's own script and venv
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("serdes.py %s: %v\n%s%s", strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("serdes.py %s printed %q: %v", args[0], stdout.String(), err)
	}
	t.Logf("serdes.py %s %s: %s in %v", args[0], args[1], strings.TrimSpace(stdout.String()), time.Since(start).Round(time.Millisecond))
}

func schema(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// consume reads n records of topic through a Source and returns their
// decoded batches; a record that does not decode fails t.
func consume(t *testing.T, svc *services.Services, topic string, spec codec.Spec, n int) []arrow.RecordBatch {
	t.Helper()
	src, err := kafka.NewSource(kafka.SourceConfig{Brokers: svc.Brokers, Topics: []string{topic}, Codec: spec,
		AutoOffsetReset: kafka.OffsetEarliest, FetchMaxWait: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := src.Close(); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []arrow.RecordBatch
	for got := 0; got < n; {
		b, err := src.Poll(ctx)
		if err != nil {
			for _, r := range out {
				r.Release()
			}
			t.Fatalf("after %d of %d records: %v", got, n, err)
		}
		got += b.Len()
		for _, r := range b.Result.Batches {
			r.Retain()
			out = append(out, r)
		}
		b.Done()
	}
	return out
}

// writeIPC writes recs, which must share one schema, as an Arrow IPC file.
func writeIPC(t *testing.T, path string, recs []arrow.RecordBatch) {
	t.Helper()
	if len(recs) == 0 {
		t.Fatal("no batches decoded")
	}
	fh, err := os.Create(path) // #nosec G304 -- in the test's temporary directory
	if err != nil {
		t.Fatal(err)
	}
	w, err := ipc.NewFileWriter(fh, ipc.WithSchema(recs[0].Schema()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if !r.Schema().Equal(recs[0].Schema()) {
			t.Fatalf("decoded batches have two layouts:\n%v\n%v", recs[0].Schema(), r.Schema())
		}
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(w.Close(), fh.Close()); err != nil {
		t.Fatal(err)
	}
}

// produce sends every batch of the Arrow IPC file at path to topic through
// a Sink and returns the number of rows sent.
func produce(t *testing.T, svc *services.Services, topic string, spec codec.Spec, path string) int {
	t.Helper()
	fh, err := os.Open(path) // #nosec G304 -- in the test's temporary directory
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = fh.Close() }()
	r, err := ipc.NewFileReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sink, err := kafka.NewSink(kafka.SinkConfig{Brokers: svc.Brokers, Topic: topic, Codec: spec})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := 0
	for i := range r.NumRecords() {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.Send(ctx, rec); err != nil {
			_ = sink.Close()
			t.Fatalf("send: %v", err)
		}
		n += int(rec.NumRows())
	}
	if err := sink.Close(); err != nil { // flushes
		t.Fatal(err)
	}
	return n
}

// protobufConsumeFlags lets ProtobufDeserializer read without a registry
// client where an outside registry cannot serve what it asks for. With a
// client it always fetches the writer schema with ?format=serialized, the
// base64 FileDescriptorProto that Confluent's registry derives from the
// .proto text Sabot registers. Apicurio 2.x ignores the parameter and returns
// the text, which the deserializer cannot parse; the message class it is
// given describes the payload anyway, so it reads without the client there,
// and the test says so. The embedded registry is Sabot's own and must serve
// the descriptor: it gets no such allowance.
func protobufConsumeFlags(t *testing.T, svc *services.Services, reg *registry.Client, subject string) []string {
	t.Helper()
	if os.Getenv(services.EnvRegistry) == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	latest, err := reg.LatestVersion(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("%s/schemas/ids/%d?format=serialized", svc.RegistryURL, latest.ID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var got struct{ Schema string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %v", u, resp.Status, err)
	}
	if got.Schema != latest.Text {
		return nil // a descriptor, as the deserializer expects
	}
	t.Logf("the registry at %s ignores ?format=serialized (returns the .proto text): ProtobufDeserializer reads without a registry client", svc.RegistryURL)
	return []string{"--without-registry"}
}
