package ops

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// newMem is a checked allocator that fails the test if anything allocated
// through it is still live when the test ends. Its memory comes back filled
// with junk, not zeroed as Go's is, so a kernel that leaves bytes unwritten
// (and an allocator that does not clear, as a pooling one would) shows.
func newMem(t testing.TB) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(dirtyAllocator{memory.NewGoAllocator()})
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// arr builds an array from JSON (arrow-go's JSON form: null for nulls,
// strings for decimals and timestamps).
func arr(t testing.TB, mem memory.Allocator, dt arrow.DataType, js string) arrow.Array {
	t.Helper()
	a, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
	if err != nil {
		t.Fatalf("FromJSON(%s, %s): %v", dt, js, err)
	}
	return a
}

// slicedArr builds the array from JSON with `pad` dummy rows on each side and
// returns the middle slice, so the result has a non-zero offset.
func slicedArr(t testing.TB, mem memory.Allocator, dt arrow.DataType, js string, pad int, filler string) arrow.Array {
	t.Helper()
	inner := strings.TrimSpace(js)
	inner = strings.TrimSuffix(strings.TrimPrefix(inner, "["), "]")
	parts := make([]string, 0, 2*pad+1)
	for i := 0; i < pad; i++ {
		parts = append(parts, filler)
	}
	if strings.TrimSpace(inner) != "" {
		parts = append(parts, inner)
	}
	for i := 0; i < pad; i++ {
		parts = append(parts, filler)
	}
	full := arr(t, mem, dt, "["+strings.Join(parts, ",")+"]")
	defer full.Release()
	return array.NewSlice(full, int64(pad), int64(full.Len()-pad))
}

// record builds a batch from JSON rows.
func record(t testing.TB, mem memory.Allocator, s *arrow.Schema, js string) arrow.RecordBatch {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, s, strings.NewReader(js))
	if err != nil {
		t.Fatalf("RecordFromJSON: %v", err)
	}
	return rec
}

// recordOf makes a batch from named columns (not consumed).
func recordOf(names []string, cols ...arrow.Array) arrow.RecordBatch {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: names[i], Type: c.DataType(), Nullable: true}
	}
	n := int64(0)
	if len(cols) > 0 {
		n = int64(cols[0].Len())
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n)
}

// jsonOf renders an array as JSON for comparisons in failure messages.
func jsonOf(t testing.TB, a arrow.Array) string {
	t.Helper()
	b, err := a.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	return string(b)
}

// assertJSON compares an array with the JSON it should render as, after
// normalising both through the array's type.
func assertJSON(t testing.TB, mem memory.Allocator, got arrow.Array, want string) {
	t.Helper()
	w := arr(t, mem, got.DataType(), want)
	defer w.Release()
	if !array.ApproxEqual(got, w, array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
		t.Errorf("got %s, want %s", jsonOf(t, got), jsonOf(t, w))
	}
}

// evalExpr binds e to rec's schema and evaluates it.
func evalExpr(t testing.TB, mem memory.Allocator, rec arrow.RecordBatch, e Expr) arrow.Array {
	t.Helper()
	b, err := e.Bind(rec.Schema())
	if err != nil {
		t.Fatalf("Bind(%s): %v", e, err)
	}
	out, err := b.Eval(mem, rec)
	if err != nil {
		t.Fatalf("Eval(%s): %v", e, err)
	}
	return out
}

// optBools reads a Boolean array as *bool per row (nil = null).
func optBools(a *array.Boolean) []*bool {
	out := make([]*bool, a.Len())
	for i := range out {
		if a.IsValid(i) {
			v := a.Value(i)
			out[i] = &v
		}
	}
	return out
}

func nan() float64         { return math.NaN() }
func inf(sign int) float64 { return math.Inf(sign) }

func optBool(valid, v bool) *bool {
	if !valid {
		return nil
	}
	return &v
}

func sameOpt(a, b *bool) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// kleeneAnd and kleeneOr are the row-by-row reference for SQL logic.
func kleeneAnd(a, b *bool) *bool {
	switch {
	case a != nil && !*a, b != nil && !*b:
		return optBool(true, false)
	case a == nil || b == nil:
		return nil
	}
	return optBool(true, true)
}

func kleeneOr(a, b *bool) *bool {
	switch {
	case a != nil && *a, b != nil && *b:
		return optBool(true, true)
	case a == nil || b == nil:
		return nil
	}
	return optBool(true, false)
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// dirtyAllocator hands out memory filled with 0xA5 bytes.
type dirtyAllocator struct{ memory.Allocator }

func (d dirtyAllocator) Allocate(size int) []byte {
	b := d.Allocator.Allocate(size)
	for i := range b {
		b[i] = 0xA5
	}
	return b
}

func (d dirtyAllocator) Reallocate(size int, b []byte) []byte {
	old := len(b)
	out := d.Allocator.Reallocate(size, b)
	for i := old; i < len(out); i++ {
		out[i] = 0xA5
	}
	return out
}
