package bench

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/services"
	"github.com/sabot-kafka/sabot/services/servicestest"
)

// kept is how many of the first n records of ds (cycling through its rows)
// the pipeline's filter keeps, computed with the per-record path's filter.
func kept(t *testing.T, ds *Dataset, n int) int64 {
	t.Helper()
	rc, err := newRowCodec(context.Background(), perRecordLibs[ds.Format][0], rowEnv{format: ds.Format, schemaID: ds.SchemaID, mem: ds.mem})
	if err != nil {
		t.Fatal(err)
	}
	var k int64
	for i := 0; i < n; i++ {
		if err := rc.decode(ds.Values[i%ds.Rows()]); err != nil {
			t.Fatal(err)
		}
		if rc.keep() {
			k++
		}
	}
	return k
}

// TestEveryScenarioCountsExactly runs every kind and implementation of every
// format on topics holding exactly n records (the stored mode, on the
// embedded broker or the real one) and checks each counted what it should:
// n records in, n rows decoded, n records produced, and exactly the records
// the filter keeps written by every pipeline, Sabot's and the baselines'.
func TestEveryScenarioCountsExactly(t *testing.T) {
	s := servicestest.Open(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n = 3000 // not a multiple of a poll or a batch
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			rep, err := Run(ctx, s, Config{
				Kinds: Kinds, Formats: []string{f}, Records: n, Partitions: 3,
				Warmup: 0, Reps: 1, Mem: mem, Compression: []string{"lz4"},
			})
			if err != nil {
				t.Fatal(err)
			}
			ds, err := NewDataset(ctx, DatasetConfig{Format: f, RecordBytes: 100, Registry: mustRegistry(t, s), Topic: servicestest.UniqueName(t), Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Release()
			want := kept(t, ds, n)
			if want == 0 || want == n {
				t.Fatalf("the filter keeps %d of %d records: it must keep some and drop some", want, n)
			}
			seen := map[string]bool{}
			for _, r := range rep.Results {
				seen[r.Kind+"/"+r.Role] = true
				if r.Records != n {
					t.Errorf("%s: counted %d records, want %d", r.Name, r.Records, n)
				}
				wantOut := int64(n)
				if r.Kind == KindPipeline && r.Role != RoleCeiling { // the ceiling copies every record
					wantOut = want
				}
				if r.Out != wantOut {
					t.Errorf("%s: out %d, want %d", r.Name, r.Out, wantOut)
				}
				if r.Median <= 0 || r.Samples != 1 || r.CPUSeconds < 0 {
					t.Errorf("%s: summary not filled: %+v", r.Name, r)
				}
			}
			for _, kind := range Kinds {
				for _, role := range []string{RoleSabot, RolePerRecord} {
					if !seen[kind+"/"+role] {
						t.Errorf("no %s result for %s", role, kind)
					}
				}
				if kind != KindDecode && kind != KindEncode && !seen[kind+"/"+RoleCeiling] {
					t.Errorf("no ceiling result for %s", kind)
				}
			}
			if len(rep.Notes) > 0 {
				t.Errorf("scenarios not measured: %v", rep.Notes)
			}
		})
	}
}

func mustRegistry(t *testing.T, s *services.Services) codec.Registry {
	t.Helper()
	reg, err := newRegistry(s.RegistryURL)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestSyntheticMode runs the Kafka kinds on a synthetic embedded cluster:
// consumers read at least n records (the canned batch is endless) and no
// more than one poll beyond, every consumed record decodes, and a pipeline
// writes only what its filter keeps.
func TestSyntheticMode(t *testing.T) {
	s, err := services.StartEmbedded(services.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const n = 25_000
	rep, err := Run(ctx, s, Config{
		Kinds: []string{KindProduce, KindConsume, KindPipeline}, Formats: names(codec.Avro{}, codec.String{}),
		Records: n, Warmup: 0, Reps: 1, Synthetic: true, Mem: mem, Compression: []string{"none", "zstd"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rep.Results); got != 2*2*(3*3) {
		t.Fatalf("%d results, want 36 (2 formats × 2 compressions × 3 kinds × 3 implementations)", got)
	}
	for _, r := range rep.Results {
		switch r.Kind {
		case KindProduce:
			if r.Records != n || r.Out != n {
				t.Errorf("%s: produced %d (acked %d), want %d", r.Name, r.Records, r.Out, n)
			}
		case KindConsume:
			if r.Records < n || r.Records > n+pollRecords || r.Out != r.Records {
				t.Errorf("%s: consumed %d records, decoded %d; want n ≤ consumed ≤ n+%d, all decoded", r.Name, r.Records, r.Out, pollRecords)
			}
		case KindPipeline:
			if r.Role == RoleCeiling {
				if r.Records < n || r.Out != r.Records {
					t.Errorf("%s: read %d, wrote %d; the ceiling copies every record", r.Name, r.Records, r.Out)
				}
				continue
			}
			if r.Records < n || r.Records > n+pollRecords || r.Out <= 0 || r.Out >= r.Records {
				t.Errorf("%s: read %d, wrote %d; want n ≤ read ≤ n+%d and a filter that drops some", r.Name, r.Records, r.Out, pollRecords)
			}
		}
	}
	if !bytes.Contains([]byte(rep.Broker), []byte("synthetic")) {
		t.Errorf("broker description %q does not say synthetic", rep.Broker)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want []string
	}{
		{Config{Kinds: []string{"shuffle"}}, []string{`unknown scenario kind "shuffle"`}},
		{Config{Formats: []string{"xml"}, Compression: []string{"brotli"}}, []string{`unknown format "xml"`, `unknown compression "brotli"`}},
		{Config{RecordBytes: []int{10}}, []string{"record size 10 out of range"}},
	} {
		err := tc.cfg.Validate()
		if err == nil {
			t.Errorf("%+v accepted", tc.cfg)
			continue
		}
		for _, w := range tc.want {
			if !bytes.Contains([]byte(err.Error()), []byte(w)) {
				t.Errorf("error %q does not mention %q", err, w)
			}
		}
	}
	if err := (Config{}).withDefaults().Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
}

func TestSyntheticNeedsEmbedded(t *testing.T) {
	if _, err := NewEnv(&services.Services{Brokers: []string{"127.0.0.1:1"}}, true, 3); err == nil {
		t.Fatal("synthetic mode accepted on a real broker")
	}
}

func TestImplsFilter(t *testing.T) {
	s, err := services.StartEmbedded(services.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep, err := Run(context.Background(), s, Config{
		Kinds: []string{KindDecode, KindEncode}, Formats: names(codec.JSON{}), Records: 500, Reps: 2, Impls: []string{"sabot", "sonic"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rep.Results {
		names = append(names, r.Name)
		if r.Samples != 2 {
			t.Errorf("%s: %d samples, want 2", r.Name, r.Samples)
		}
	}
	want := []string{"decode/json/sabot", "decode/json/sonic", "encode/json/sabot", "encode/json/sonic"}
	if !slices.Equal(names, want) {
		t.Fatalf("results %v, want %v", names, want)
	}
	if rs := rep.Ratios(rep.Results[0]); len(rs) != 1 || rs[0].Impl != "sonic" {
		t.Fatalf("ratios of %s: %+v", rep.Results[0].Name, rs)
	}
}
