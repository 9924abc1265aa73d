package arrowipc_test

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sabot-kafka/sabot/batch/batchtest"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
	"github.com/sabot-kafka/sabot/decode/decodetest"
	encipc "github.com/sabot-kafka/sabot/encode/arrowipc"
)

const testMaxBytes = 1 << 16

// sample returns an IPC stream of rows random rows of s.
func sample(t testing.TB, s *arrow.Schema, rows int, seed uint64, comp encipc.Compression) []byte {
	t.Helper()
	mem := memory.NewGoAllocator()
	rec := batchtest.Record(mem, s, rows, rand.New(rand.NewPCG(seed, 3)), batchtest.Options{})
	defer rec.Release()
	v, err := encipc.AppendBatch(nil, rec, encipc.Options{Compression: comp, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// decodeGuarded reads payload with a reader allocator that accounts for its
// peak, checks the Appender contract and the columns' validity, and returns
// the error and the reader's peak allocation.
func decodeGuarded(t *testing.T, s *arrow.Schema, payload []byte, lim decode.Limits) (int64, error) {
	t.Helper()
	readMem := batchtest.NewCheckedAllocator(memory.NewGoAllocator())
	p, err := arrowipc.NewPlan(arrowipc.Options{Schema: s, Limits: lim, Allocator: readMem})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	app, err := p.BindRows(b.Fields())
	if err != nil {
		t.Fatal(err)
	}
	n, err := app.AppendRows(payload)
	rec := b.NewRecordBatch()
	defer rec.Release()
	if int(rec.NumRows()) != n || (err != nil && n != 1) {
		t.Fatalf("%d rows appended, %d reported (err %v)", rec.NumRows(), n, err)
	}
	for i, c := range rec.Columns() {
		if c.DataType().ID() != arrow.NULL {
			if verr := array.ValidateFull(c); verr != nil {
				t.Fatalf("column %d invalid after %v: %v", i, err, verr)
			}
		}
	}
	// arrow-go's reader and validator recover their own panics on
	// inconsistent batches (and the plan recovers the rest) without releasing
	// the buffers retained by then. The reader's default allocator is
	// garbage-collected, so that is an accounting leak only; it is tolerated
	// after those errors and no others.
	if !afterPanic(err) {
		readMem.AssertZero(t)
	}
	return readMem.Stats().Peak, err
}

// TestTruncated: every prefix of a stream fails or (cut after a complete
// batch) reads the rows it holds; none panics or leaks.
func TestTruncated(t *testing.T) {
	for _, comp := range []encipc.Compression{encipc.Uncompressed, encipc.LZ4} {
		v := sample(t, withDict, 5, 1, comp)
		for n := range len(v) {
			decodeGuarded(t, withDict, v[:n], decode.Limits{})
		}
	}
}

// TestClaimedSizes overwrites every 8-byte word of a stream with a huge
// size: lengths, offsets, body sizes and compressed-buffer prefixes alike.
// Reading must fail or succeed without allocating anything like the claim.
func TestClaimedSizes(t *testing.T) {
	lim := decode.Limits{MaxBytes: testMaxBytes}
	var fields []arrow.Field
	for _, name := range []string{"i64", "s", "sv", "b", "tags", "attrs", "user"} {
		fields = append(fields, everyType.Field(everyType.FieldIndices(name)[0]))
	}
	s := arrow.NewSchema(fields, nil)
	for _, comp := range []encipc.Compression{encipc.Uncompressed, encipc.Zstd} {
		v := sample(t, s, 3, 2, comp)
		for off := 0; off+4 <= len(v); off += 4 {
			p := append([]byte(nil), v...)
			if off%8 == 0 && off+8 <= len(p) {
				binary.LittleEndian.PutUint64(p[off:], 1<<40)
			} else {
				binary.LittleEndian.PutUint32(p[off:], 0x7fffffff)
			}
			if peak, _ := decodeGuarded(t, s, p, lim); peak > 16*testMaxBytes {
				t.Fatalf("offset %d: the reader allocated %d bytes", off, peak)
			}
		}
	}
}

func TestLimits(t *testing.T) {
	v := sample(t, everyType, 5, 3, encipc.Uncompressed)
	if _, err := decodeGuarded(t, everyType, v, decode.Limits{MaxItems: 4}); !errors.Is(err, decode.ErrTooLarge) {
		t.Fatalf("5 rows over MaxItems 4: %v", err)
	}
	if _, err := decodeGuarded(t, everyType, v, decode.Limits{MaxBytes: 64}); !errors.Is(err, decode.ErrTooLarge) {
		t.Fatalf("over MaxBytes 64: %v", err)
	}
	big := sample(t, everyType, 400, 3, encipc.LZ4)
	if _, err := decodeGuarded(t, everyType, big, decode.Limits{MaxBytes: 4096}); !errors.Is(err, decode.ErrTooLarge) {
		t.Fatalf("decompressed over MaxBytes: %v", err)
	}
	for _, p := range [][]byte{nil, {1, 2, 3}, {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, []byte("not arrow at all")} {
		if _, err := decodeGuarded(t, everyType, p, decode.Limits{}); !errors.Is(err, decode.ErrMalformed) {
			t.Fatalf("%q: %v", p, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(sample(f, everyType, 1, 1, encipc.Uncompressed))
	f.Add(sample(f, everyType, 2, 2, encipc.LZ4))
	f.Add(sample(f, withDict, 3, 3, encipc.Zstd))
	f.Add(sample(f, withDict, 1, 4, encipc.Uncompressed))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0})
	for _, name := range []string{"pyarrow_plain.arrows", "pyarrow_lz4.arrows"} { // written by pyarrow
		v, err := os.ReadFile("../../testdata/arrowipc/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
	}
	lim := decode.Limits{MaxBytes: testMaxBytes, MaxItems: 1 << 10}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, s := range []*arrow.Schema{everyType, withDict} {
			if peak, _ := decodeGuarded(t, s, payload, lim); peak > 16*testMaxBytes {
				t.Fatalf("the reader allocated %d bytes", peak)
			}
		}
		// The one-row path too, through the contract harness. As in
		// decodeGuarded, the reader's allocator may keep what arrow-go
		// retained before recovering from its own panic; the builders'
		// may not.
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		readMem := batchtest.NewCheckedAllocator(memory.NewGoAllocator())
		p, err := arrowipc.NewPlan(arrowipc.Options{Schema: everyType, Limits: lim, Allocator: readMem})
		if err != nil {
			t.Fatal(err)
		}
		rec, errs := decodetest.Run(t, mem, p, [][]byte{payload})
		rec.Release()
		if !afterPanic(errs[0]) {
			readMem.AssertZero(t)
		}
	})
}

func afterPanic(err error) bool {
	if err == nil {
		return false
	}
	for _, mark := range []string{"arrow/ipc: unknown error while reading", "failed to construct child array", "corrupt IPC stream: recovered:"} {
		if strings.Contains(err.Error(), mark) {
			return true
		}
	}
	return false
}
