package bench

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestRecordBatchParsesWithFranzGo checks the synthetic batches with
// franz-go's own fetch parser, CRC validation included: every value comes
// back in order, for each compression.
func TestRecordBatchParsesWithFranzGo(t *testing.T) {
	vals := make([][]byte, 300)
	for i := range vals {
		vals[i] = []byte(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, bytes.Repeat([]byte{'x'}, i%50)))
	}
	for _, comp := range []string{"none", "lz4", "zstd"} {
		t.Run(comp, func(t *testing.T) {
			batch, err := recordBatch(vals, comp)
			if err != nil {
				t.Fatal(err)
			}
			p := &kmsg.FetchResponseTopicPartition{RecordBatches: batch, HighWatermark: int64(len(vals))}
			fp, _ := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{Topic: "t"}, p, kgo.DefaultDecompressor(), nil)
			if fp.Err != nil {
				t.Fatal(fp.Err)
			}
			if len(fp.Records) != len(vals) {
				t.Fatalf("parsed %d records, want %d", len(fp.Records), len(vals))
			}
			for i, r := range fp.Records {
				if r.Offset != int64(i) || r.Key != nil || !bytes.Equal(r.Value, vals[i]) {
					t.Fatalf("record %d: offset %d key %q value %q", i, r.Offset, r.Key, r.Value)
				}
			}
			// A flipped bit fails the CRC.
			bad := append([]byte(nil), batch...)
			bad[len(bad)-3] ^= 1
			p.RecordBatches = bad
			if fp, _ := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{Topic: "t"}, p, kgo.DefaultDecompressor(), nil); fp.Err == nil && len(fp.Records) == len(vals) {
				t.Fatal("a corrupt batch parsed cleanly")
			}
		})
	}
	if _, err := recordBatch(vals, "snappy"); err == nil {
		t.Fatal("snappy accepted for synthetic batches")
	}
}

func TestSyntheticValuesFitOneBatch(t *testing.T) {
	big := make([][]byte, 1000)
	for i := range big {
		big[i] = make([]byte, 4096)
	}
	if got := len(syntheticValues(big)); got*4096 > syntheticBatchBytes || got < 16 {
		t.Fatalf("%d values of 4 KiB in a synthetic batch", got)
	}
	small := make([][]byte, 100)
	for i := range small {
		small[i] = make([]byte, 100)
	}
	if got := len(syntheticValues(small)); got != 100 {
		t.Fatalf("%d of 100 small values kept", got)
	}
}
