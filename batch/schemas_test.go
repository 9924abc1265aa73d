package batch_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/batch"
)

// layout returns a fresh *arrow.Schema for layout i: equal content for equal
// i, a new pointer every call.
func layout(i int) *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: fmt.Sprintf("f%d", i), Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
}

func TestSchemaCacheKeysByContent(t *testing.T) {
	c := batch.NewSchemaCache[int](8, nil)
	builds := 0
	build := func(s *arrow.Schema) (int, error) { builds++; return builds, nil }
	first := layout(1)
	v1, canon, err := c.Get(first, build)
	if err != nil || v1 != 1 || canon != first {
		t.Fatalf("first get: %d %p %v", v1, canon, err)
	}
	// A new pointer with equal content finds the entry and its canonical schema.
	v2, canon2, _ := c.Get(layout(1), build)
	if v2 != 1 || canon2 != first || builds != 1 {
		t.Fatalf("equal schema: value %d canon %p (want %p), builds %d", v2, canon2, first, builds)
	}
	if v, _, _ := c.Get(layout(2), build); v != 2 {
		t.Fatalf("other schema got %d", v)
	}
	if c.Len() != 2 || c.Builds() != 2 {
		t.Fatalf("len %d builds %d", c.Len(), c.Builds())
	}
}

func TestSchemaCacheKeySeesMetadataAndNesting(t *testing.T) {
	plain := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.BinaryTypes.String}}, nil)
	raw := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.BinaryTypes.String,
		Metadata: arrow.NewMetadata([]string{"k"}, []string{"raw"})}}, nil)
	nestedPlain := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.StructOf(plain.Field(0))}}, nil)
	nestedRaw := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.StructOf(raw.Field(0))}}, nil)
	nullable := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	withSchemaMeta := arrow.NewSchema(plain.Fields(), &arrow.Metadata{})
	keys := map[string]string{}
	for name, s := range map[string]*arrow.Schema{
		"plain": plain, "raw": raw, "nested plain": nestedPlain, "nested raw": nestedRaw, "nullable": nullable,
	} {
		k := string(batch.AppendSchemaKey(nil, s))
		if other, ok := keys[k]; ok {
			t.Errorf("%s and %s share a key", name, other)
		}
		keys[k] = name
	}
	if string(batch.AppendSchemaKey(nil, withSchemaMeta)) != string(batch.AppendSchemaKey(nil, plain)) {
		t.Error("empty schema metadata changed the key")
	}
}

func TestSchemaCacheIsBounded(t *testing.T) {
	var evicted []int
	c := batch.NewSchemaCache[int](4, func(v int) { evicted = append(evicted, v) })
	build := func(i int) func(*arrow.Schema) (int, error) {
		return func(*arrow.Schema) (int, error) { return i, nil }
	}
	for i := range 10 {
		c.Get(layout(i), build(i))
		c.Get(layout(0), build(0)) // layout 0 stays recently used
	}
	if c.Len() != 4 {
		t.Fatalf("len %d, want 4", c.Len())
	}
	// Layout 0 was touched every round, so it survived.
	if c.Builds() != 10 {
		t.Fatalf("builds %d: layout 0 was rebuilt", c.Builds())
	}
	if len(evicted) != 6 {
		t.Fatalf("evicted %v", evicted)
	}
	c.Clear()
	if c.Len() != 0 || len(evicted) != 10 {
		t.Fatalf("after clear: len %d evicted %d", c.Len(), len(evicted))
	}
}

func TestSchemaCacheFailedBuildIsRetried(t *testing.T) {
	c := batch.NewSchemaCache[int](4, nil)
	boom := errors.New("registry down")
	s := layout(1)
	if _, _, err := c.Get(s, func(*arrow.Schema) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	v, _, err := c.Get(s, func(*arrow.Schema) (int, error) { return 7, nil })
	if err != nil || v != 7 || c.Len() != 1 {
		t.Fatalf("retry: %d %v len %d", v, err, c.Len())
	}
}

func TestSchemaCacheBuildsOnceUnderConcurrency(t *testing.T) {
	c := batch.NewSchemaCache[int](4, nil)
	var builds atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			v, _, err := c.Get(layout(1), func(*arrow.Schema) (int, error) {
				builds.Add(1)
				<-release
				return 42, nil
			})
			if err != nil || v != 42 {
				t.Errorf("got %d %v", v, err)
			}
		})
	}
	close(release)
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("built %d times", n)
	}
}

// A cache that sees a new pointer for every batch, alternating between two
// layouts, allocates nothing per lookup once warm and never rebuilds.
func TestSchemaCacheSteadyStateAllocs(t *testing.T) {
	c := batch.NewSchemaCache[int](4, nil)
	schemas := make([]*arrow.Schema, 64)
	for i := range schemas {
		schemas[i] = layout(i % 2)
	}
	build := func(*arrow.Schema) (int, error) { return 1, nil }
	for _, s := range schemas {
		c.Get(s, build)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		c.Get(schemas[i%len(schemas)], build)
		i++
	})
	// Field type fingerprints are strings arrow-go builds per call.
	if allocs > 8 {
		t.Errorf("%.1f allocations per lookup", allocs)
	}
	if c.Builds() != 2 {
		t.Fatalf("builds %d", c.Builds())
	}
}
