package compat_test

import (
	"testing"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/compat"
)

// BenchmarkCheck measures one FULL_TRANSITIVE check of a corpus case per
// format, parsing included (what a CI step or a register call pays), and the
// check alone over schemas parsed once (what the in-process registry pays).
func BenchmarkCheck(b *testing.B) {
	for _, file := range corpusFiles {
		c := loadCorpus(b, file)
		tc := c.Cases[0]
		n, existing := tc.schemas(b, c.Format)
		size := int64(len(n.Text))
		for _, e := range existing {
			size += int64(len(e.Text))
		}
		b.Run(string(c.Format)+"/parse+check", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			for b.Loop() {
				if _, err := compat.Check(n, existing, registry.CompatFullTransitive); err != nil {
					b.Fatal(err)
				}
			}
		})
		pn, err := compat.Parse(n)
		if err != nil {
			b.Fatal(err)
		}
		var pe []*compat.Schema
		for _, e := range existing {
			p, err := compat.Parse(e)
			if err != nil {
				b.Fatal(err)
			}
			pe = append(pe, p)
		}
		b.Run(string(c.Format)+"/check", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			for b.Loop() {
				if _, err := compat.CheckParsed(pn, pe, registry.CompatFullTransitive); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
