package avro

import (
	"math"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/sabot-kafka/sabot/decode/avro/avroschema"
)

// TestLongAgainstEncoder reads every length of varint, with and without
// bytes after it, back to the value written.
func TestLongAgainstEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vals := []int64{0, 1, -1, 63, -64, 64, math.MaxInt64, math.MinInt64, 1 << 55, -(1 << 55), 1<<56 - 1}
	for i := 0; i < 2000; i++ {
		vals = append(vals, int64(rng.Uint64())>>rng.IntN(64)) // #nosec G115 -- random bits
	}
	for _, v := range vals {
		enc := avroschema.AppendLong(nil, v)
		for _, tail := range [][]byte{nil, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} {
			r := reader{buf: append(append([]byte(nil), enc...), tail...)}
			got := r.long()
			if r.err != nil || got != v || r.pos != len(enc) {
				t.Fatalf("%d (% x + %d bytes): got %d at %d, %v", v, enc, len(tail), got, r.pos, r.err)
			}
		}
	}
}

func FuzzValidUTF8(f *testing.F) {
	for _, s := range []string{"", "ascii only, more than sixteen bytes", "héllo wörld, 16+ bytes here", "\xff", "0123456789abcdef\xc3", "日本語"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if validUTF8(b) != utf8.Valid(b) {
			t.Fatalf("validUTF8(%q) = %v", b, !utf8.Valid(b))
		}
	})
}
