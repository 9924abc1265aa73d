package kafka

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Fetched records are the largest share of a consumer's garbage: franz-go
// allocates a slice of Records for every fetched record batch. With this pool
// it takes those slices from here, and a Batch gives its records back when it
// is Done (Record.Recycle), so a steady consumer reuses the same memory.
// Only the Record structs are pooled: keys, values and headers still point
// into buffers the garbage collector owns, so a Message or DLQ record that
// copied them stays valid.

type recordPool struct{ p sync.Pool }

// fetchRecordPool is shared by every Source: the slices are plain memory.
var fetchRecordPool = &recordPool{}

func (rp *recordPool) GetRecords(n int) []kgo.Record {
	if v, ok := rp.p.Get().(*[]kgo.Record); ok && cap(*v) >= n {
		return (*v)[:0]
	}
	return make([]kgo.Record, 0, n)
}

func (rp *recordPool) PutRecords(rs []kgo.Record) {
	rp.p.Put(&rs)
}

// recycle hands records back to the pool they came from. They must not be
// used afterwards.
func recycle(rs []*kgo.Record) {
	for _, r := range rs {
		r.Recycle()
	}
}

// position keeps what committing and rewinding need of a record (its topic,
// partition, offset and leader epoch), so the record itself can be recycled.
func position(r *kgo.Record) *kgo.Record {
	return &kgo.Record{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, LeaderEpoch: r.LeaderEpoch}
}
