package registry_test

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/sabot-kafka/sabot/registry"
)

// BenchmarkResolve measures what a decoder pays per record to get the writer
// schema for the id in the record's header: Sabot's cached Resolve against the
// usual per-record library path, franz-go's sr client asking the registry
// (in-process, over loopback HTTP) for every record.
func BenchmarkResolve(b *testing.B) {
	cs := newCountingServer(b, nil)
	c := newClient(b, cs.URL)
	ctx := context.Background()
	ids := []int{
		mustRegister(b, c, "a-value", avroRecord("A", "x")),
		mustRegister(b, c, "b-value", avroRecord("B", "y")),
		mustRegister(b, c, "c-value", avroRecord("C", "z")),
	}
	schemaBytes := int64(len(avroRecord("A", "x").Text))

	b.Run("sabot-cached", func(b *testing.B) {
		for _, id := range ids {
			if _, err := c.Resolve(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.SetBytes(schemaBytes)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if _, err := c.Resolve(ctx, ids[i%3]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sabot-cached-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(schemaBytes)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := c.Resolve(ctx, ids[i%3]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
	b.Run("franz-go-sr-per-record", func(b *testing.B) {
		cl, err := sr.NewClient(sr.URLs(cs.URL))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.SetBytes(schemaBytes)
		for i := 0; b.Loop(); i++ {
			if _, err := cl.SchemaByID(ctx, ids[i%3]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRegister: what an encoder pays per batch to learn its schema id.
func BenchmarkRegister(b *testing.B) {
	cs := newCountingServer(b, nil)
	c := newClient(b, cs.URL)
	ctx := context.Background()
	s := avroRecord("R", "a", "b", "c")
	mustRegister(b, c, "r-value", s)
	b.ReportAllocs()
	b.SetBytes(int64(len(s.Text)))
	for b.Loop() {
		if _, err := c.Register(ctx, "r-value", s); err != nil {
			b.Fatal(err)
		}
	}
	_ = registry.Latest
}
