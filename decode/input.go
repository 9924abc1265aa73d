package decode

import "fmt"

// Input is the records one Decode call reads, column by column: what a Kafka
// fetch carries, with no client's record type in the way. Values is required
// (a nil value is a tombstone: a delete with no row). The other columns are
// read only where the Decoder needs them — a metadata column it adds, schema
// GUIDs carried in headers, the record positions named in errors — and may be
// nil otherwise. An Input is reused across calls with Reset; Decode copies
// what it keeps, so the bytes may be reused once it returns.
type Input struct {
	Values     [][]byte
	Keys       [][]byte
	Topics     []string
	Partitions []int32
	Offsets    []int64
	Timestamps []int64 // Unix milliseconds
	// Headers holds every record's headers in record order; record i's are
	// Headers[HeaderEnds[i-1]:HeaderEnds[i]] (from 0 for the first record).
	// HeaderEnds nil means no record has headers.
	Headers    []Header
	HeaderEnds []int
}

// Header is one record header. Keys may repeat; order is kept.
type Header struct {
	Key   string
	Value []byte
}

// Len is the number of records.
func (in *Input) Len() int { return len(in.Values) }

// RecordHeaders returns record i's headers (aliasing Headers).
func (in *Input) RecordHeaders(i int) []Header {
	if in.HeaderEnds == nil {
		return nil
	}
	start := 0
	if i > 0 {
		start = in.HeaderEnds[i-1]
	}
	return in.Headers[start:in.HeaderEnds[i]]
}

// Reset empties the Input, keeping its capacity and dropping its references
// to the records' bytes.
func (in *Input) Reset() {
	clear(in.Values)
	clear(in.Keys)
	clear(in.Headers)
	in.Values, in.Keys, in.Topics, in.Partitions = in.Values[:0], in.Keys[:0], in.Topics[:0], in.Partitions[:0]
	in.Offsets, in.Timestamps, in.Headers, in.HeaderEnds = in.Offsets[:0], in.Timestamps[:0], in.Headers[:0], in.HeaderEnds[:0]
}

// position returns the topic, partition and offset of record i, as far as
// the Input has them ("" and -1 otherwise).
func (in *Input) position(i int) (string, int32, int64) {
	topic, part, off := "", int32(-1), int64(-1)
	if i < len(in.Topics) {
		topic = in.Topics[i]
	}
	if i < len(in.Partitions) {
		part = in.Partitions[i]
	}
	if i < len(in.Offsets) {
		off = in.Offsets[i]
	}
	return topic, part, off
}

// check reports a column the Decoder needs that is missing or of the wrong
// length.
func (in *Input) check(m Metadata) error {
	n := len(in.Values)
	var bad []string
	need := func(name string, has int, want bool) {
		if want && has != n {
			bad = append(bad, fmt.Sprintf("%s has %d entries", name, has))
		}
	}
	need("Topics", len(in.Topics), m&MetaTopic != 0)
	need("Partitions", len(in.Partitions), m&MetaPartition != 0)
	need("Offsets", len(in.Offsets), m&MetaOffset != 0)
	need("Timestamps", len(in.Timestamps), m&MetaTimestamp != 0)
	need("Keys", len(in.Keys), m&MetaKey != 0)
	need("HeaderEnds", len(in.HeaderEnds), in.HeaderEnds != nil)
	if len(in.HeaderEnds) == n {
		prev := 0
		for i, end := range in.HeaderEnds {
			if end < prev || end > len(in.Headers) {
				bad = append(bad, fmt.Sprintf("HeaderEnds[%d] is %d, after %d, of %d Headers", i, end, prev, len(in.Headers)))
				break
			}
			prev = end
		}
	}
	if bad != nil {
		return fmt.Errorf("decode: Input of %d values: %v", n, bad)
	}
	return nil
}
