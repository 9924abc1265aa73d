package ops

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// nestedTypes are gathered through compute's Take; the flat types of
// randTypes through the hand-written gathers.
var (
	listType   = arrow.ListOf(arrow.PrimitiveTypes.Int32)
	structType = arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
	)
	mapType  = arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64)
	dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	fsbType  = &arrow.FixedSizeBinaryType{ByteWidth: 3}
)

// randNested builds n random rows of a nested (or otherwise non-flat) type
// from JSON, sliced at a random offset.
func randNested(t testing.TB, r *rand.Rand, mem memory.Allocator, dt arrow.DataType, n int) arrow.Array {
	off := r.IntN(70)
	rows := make([]string, off+n)
	for i := range rows {
		if r.IntN(5) == 0 {
			rows[i] = "null"
			continue
		}
		switch dt.ID() {
		case arrow.LIST:
			k := r.IntN(4)
			vals := make([]string, k)
			for j := range vals {
				vals[j] = fmt.Sprint(r.IntN(100))
			}
			rows[i] = "[" + strings.Join(vals, ",") + "]"
		case arrow.STRUCT:
			rows[i] = fmt.Sprintf(`{"a": %d, "b": %q}`, r.IntN(100), randString(r))
		case arrow.MAP:
			rows[i] = fmt.Sprintf(`[{"key": %q, "value": %d}]`, randString(r), r.IntN(9))
		case arrow.FIXED_SIZE_BINARY:
			rows[i] = []string{`"YWJj"`, `"eHl6"`, `"MTIz"`}[r.IntN(3)]
		}
	}
	if dt.ID() == arrow.DICTIONARY {
		b := array.NewDictionaryBuilder(mem, dt.(*arrow.DictionaryType)).(*array.BinaryDictionaryBuilder)
		defer b.Release()
		for i := 0; i < off+n; i++ {
			if r.IntN(5) == 0 {
				b.AppendNull()
				continue
			}
			if err := b.AppendString([]string{"EUR", "USD", "GBP"}[r.IntN(3)]); err != nil {
				t.Fatal(err)
			}
		}
		full := b.NewArray()
		defer full.Release()
		return array.NewSlice(full, int64(off), int64(off+n))
	}
	full := arr(t, mem, dt, "["+strings.Join(rows, ",")+"]")
	defer full.Release()
	return array.NewSlice(full, int64(off), int64(off+n))
}

// randRecord makes a batch with a column of every flat and nested type.
func randRecord(t testing.TB, r *rand.Rand, mem memory.Allocator, n int) arrow.RecordBatch {
	var names []string
	var cols []arrow.Array
	for i, dt := range randTypes {
		names = append(names, fmt.Sprintf("c%d", i))
		cols = append(cols, randArray(r, mem, dt, n, 20))
	}
	for i, dt := range []arrow.DataType{listType, structType, mapType, dictType, fsbType} {
		names = append(names, fmt.Sprintf("n%d", i))
		cols = append(cols, randNested(t, r, mem, dt, n))
	}
	names = append(names, "null")
	cols = append(cols, array.NewNull(n))
	rec := recordOf(names, cols...)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// checkRows verifies that row k of out equals row rows[k] of in, column by
// column, with arrow's own slice comparison as the reference.
func checkRows(t *testing.T, in, out arrow.RecordBatch, rows []int) {
	t.Helper()
	if int(out.NumRows()) != len(rows) {
		t.Fatalf("got %d rows, want %d", out.NumRows(), len(rows))
	}
	if !out.Schema().Equal(in.Schema()) {
		t.Fatalf("schema changed: %s", out.Schema())
	}
	for c := 0; c < int(in.NumCols()); c++ {
		got, src := out.Column(c), in.Column(c)
		if got.Len() != len(rows) {
			t.Fatalf("column %s: %d rows, want %d", in.ColumnName(c), got.Len(), len(rows))
		}
		if v, ok := got.(interface{ ValidateFull() error }); ok {
			if err := v.ValidateFull(); err != nil {
				t.Fatalf("column %s: invalid output: %v", in.ColumnName(c), err)
			}
		}
		if err := validate(got); err != nil {
			t.Fatalf("column %s: invalid output: %v", in.ColumnName(c), err)
		}
		for k, i := range rows {
			if !array.SliceApproxEqual(got, int64(k), int64(k+1), src, int64(i), int64(i+1), array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
				t.Fatalf("column %s (%s): row %d (input row %d) differs", in.ColumnName(c), src.DataType(), k, i)
			}
		}
	}
}

func TestPropertyFilter(t *testing.T) {
	mem := newMem(t)
	r := rand.New(rand.NewPCG(23, 29))
	for _, n := range propCases(r) {
		for _, density := range []int{0, 3, 50, 97, 100} {
			rec := randRecord(t, r, mem, n)
			mb := array.NewBooleanBuilder(mem)
			for i := 0; i < n+r.IntN(3); i++ {
				switch {
				case r.IntN(10) == 0 && density > 0 && density < 100:
					mb.AppendNull()
				default:
					mb.Append(r.IntN(100) < density)
				}
			}
			full := mb.NewBooleanArray()
			mb.Release()
			mask := array.NewSlice(full, int64(full.Len()-n), int64(full.Len())).(*array.Boolean)
			full.Release()
			var rows []int
			for i := 0; i < n; i++ {
				if mask.IsValid(i) && mask.Value(i) {
					rows = append(rows, i)
				}
			}
			out, err := Filter(mem, rec, mask)
			if err != nil {
				t.Fatalf("n=%d density=%d: %v", n, density, err)
			}
			checkRows(t, rec, out, rows)
			out.Release()

			// FilterArray agrees column by column
			for c := 0; c < int(rec.NumCols()); c += 7 {
				got, err := FilterArray(mem, rec.Column(c), mask)
				if err != nil {
					t.Fatal(err)
				}
				one := recordOf([]string{"x"}, got)
				src := recordOf([]string{"x"}, rec.Column(c))
				checkRows(t, src, one, rows)
				one.Release()
				src.Release()
				got.Release()
			}
			mask.Release()
			rec.Release()
		}
	}
}

func TestPropertyTake(t *testing.T) {
	mem := newMem(t)
	r := rand.New(rand.NewPCG(31, 37))
	idxTypes := []arrow.DataType{arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Int8}
	for _, n := range propCases(r) {
		if n == 0 {
			continue
		}
		rec := randRecord(t, r, mem, n)
		m := r.IntN(2 * n)
		rows := make([]int, m)
		for i := range rows {
			rows[i] = r.IntN(min(n, 128)) // repeats; Int8 indices stay in range
		}
		dt := idxTypes[r.IntN(len(idxTypes))]
		b := array.NewBuilder(mem, dt)
		for _, i := range rows {
			switch b := b.(type) {
			case *array.Int32Builder:
				b.Append(int32(i))
			case *array.Int64Builder:
				b.Append(int64(i))
			case *array.Uint16Builder:
				b.Append(uint16(i))
			case *array.Int8Builder:
				b.Append(int8(i))
			}
		}
		idx := b.NewArray()
		b.Release()
		out, err := Take(mem, rec, idx)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		checkRows(t, rec, out, rows)
		out.Release()
		idx.Release()
		rec.Release()
	}
}

func TestFilterTable(t *testing.T) {
	mem := newMem(t)
	s := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "tags", Type: listType, Nullable: true},
		{Name: "who", Type: structType, Nullable: true},
	}, nil)
	rec := record(t, mem, s, `[
		{"id": "a", "n": 1, "tags": [1, 2], "who": {"a": 1, "b": "x"}},
		{"id": null, "n": 2, "tags": null, "who": null},
		{"id": "c", "n": null, "tags": [], "who": {"a": null, "b": "z"}},
		{"id": "d", "n": 4, "tags": [4], "who": {"a": 4, "b": null}}
	]`)
	defer rec.Release()
	cases := []struct {
		name, mask, want string
	}{
		{"some", `[true, false, true, null]`, `[
			{"id": "a", "n": 1, "tags": [1, 2], "who": {"a": 1, "b": "x"}},
			{"id": "c", "n": null, "tags": [], "who": {"a": null, "b": "z"}}]`},
		{"none", `[false, null, false, false]`, `[]`},
		{"all", `[true, true, true, true]`, ""},
		{"run", `[false, true, true, false]`, `[
			{"id": null, "n": 2, "tags": null, "who": null},
			{"id": "c", "n": null, "tags": [], "who": {"a": null, "b": "z"}}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mask := arr(t, mem, arrow.FixedWidthTypes.Boolean, c.mask)
			defer mask.Release()
			out, err := Filter(mem, rec, mask.(*array.Boolean))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			want := rec
			if c.want != "" {
				want = record(t, mem, s, c.want)
				defer want.Release()
			}
			if !array.RecordEqual(out, want) {
				t.Errorf("got %v", out)
			}
		})
	}

	t.Run("length mismatch", func(t *testing.T) {
		mask := arr(t, mem, arrow.FixedWidthTypes.Boolean, `[true]`)
		defer mask.Release()
		if _, err := Filter(mem, rec, mask.(*array.Boolean)); err == nil {
			t.Error("want an error")
		}
		if _, err := FilterArray(mem, rec.Column(0), mask.(*array.Boolean)); err == nil {
			t.Error("want an error")
		}
	})
}

func TestTakeErrors(t *testing.T) {
	mem := newMem(t)
	a := arr(t, mem, arrow.PrimitiveTypes.Int64, `[1, 2, 3]`)
	defer a.Release()
	rec := recordOf([]string{"a"}, a)
	defer rec.Release()
	for _, c := range []struct {
		dt  arrow.DataType
		js  string
		err string
	}{
		{arrow.PrimitiveTypes.Int32, `[0, 3]`, "index 3 at position 1 is out of range [0, 3)"},
		{arrow.PrimitiveTypes.Int32, `[-1]`, "out of range"},
		{arrow.PrimitiveTypes.Int64, `[1, 7]`, "index 7 at position 1"},
		{arrow.PrimitiveTypes.Uint64, `[18446744073709551615]`, "out of range"},
		{arrow.PrimitiveTypes.Int32, `[0, null]`, "indices have 1 nulls"},
		{arrow.BinaryTypes.String, `["0"]`, "indices must be integers"},
	} {
		idx := arr(t, mem, c.dt, c.js)
		_, err := Take(mem, rec, idx)
		if err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "ops: ") {
			t.Errorf("Take(%s): got %v, want %q", c.js, err, c.err)
		}
		_, err = TakeArray(mem, a, idx)
		if err == nil {
			t.Errorf("TakeArray(%s): want an error", c.js)
		}
		idx.Release()
	}
	idx := arr(t, mem, arrow.PrimitiveTypes.Uint8, `[2, 2, 0]`)
	defer idx.Release()
	got, err := TakeArray(mem, a, idx)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	assertJSON(t, mem, got, `[3, 3, 1]`)
}

// validate checks the layout invariants every array must keep: the
// validity bitmap holds NullN nulls.
func validate(a arrow.Array) error {
	nulls := 0
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			nulls++
		}
	}
	if a.DataType().ID() != arrow.NULL && nulls != a.NullN() {
		return fmt.Errorf("NullN %d, bitmap has %d", a.NullN(), nulls)
	}
	return nil
}

// TestFilterZeroCopy: a mask that keeps every row gives back the
// same buffers; one that keeps a single run gives a zero-copy slice.
func TestFilterZeroCopy(t *testing.T) {
	mem := newMem(t)
	a := arr(t, mem, arrow.PrimitiveTypes.Int64, `[1, 2, 3, 4]`)
	defer a.Release()
	rec := recordOf([]string{"a"}, a)
	defer rec.Release()
	for _, c := range []struct {
		mask string
		off  int
	}{{`[true, true, true, true]`, 0}, {`[false, true, true, false]`, 1}} {
		mask := arr(t, mem, arrow.FixedWidthTypes.Boolean, c.mask)
		out, err := Filter(mem, rec, mask.(*array.Boolean))
		if err != nil {
			t.Fatal(err)
		}
		if out.Column(0).Data().Buffers()[1] != a.Data().Buffers()[1] || out.Column(0).Data().Offset() != c.off {
			t.Errorf("mask %s: want a zero-copy slice at offset %d", c.mask, c.off)
		}
		out.Release()
		mask.Release()
	}
}

// TestMalformed: arrays whose buffers are shorter than their length claims
// are reported, not read out of range. (arrow-go itself refuses to build
// short value or offset buffers of fixed-width and string arrays; these are
// the malformed arrays it lets through.)
func TestMalformed(t *testing.T) {
	mem := newMem(t)
	mk := func(dt arrow.DataType, n, nulls int, bufs ...[]byte) (a arrow.Array) {
		defer func() {
			if recover() != nil {
				a = nil
			}
		}()
		mb := make([]*memory.Buffer, len(bufs))
		for i, b := range bufs {
			if b != nil {
				mb[i] = memory.NewBufferBytes(b)
			}
		}
		d := array.NewData(dt, n, mb, nil, nulls, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	offs := func(v ...int32) []byte { return castSliceFrom(v) }
	cases := []struct {
		name string
		a    arrow.Array
	}{
		{"short validity", mk(arrow.PrimitiveTypes.Int8, 100, 1, make([]byte, 2), make([]byte, 100))},
		{"negative offset", mk(arrow.BinaryTypes.String, 1, 0, nil, offs(-1, 1), []byte("abc"))},
		{"short bool", mk(arrow.FixedWidthTypes.Boolean, 100, 0, nil, make([]byte, 3))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.a == nil {
				t.Fatal("arrow-go refused to build the array")
			}
			defer c.a.Release()
			rec := recordOf([]string{"x"}, c.a)
			defer rec.Release()
			b, err := Col("x").IsNotNull().Bind(rec.Schema())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Eval(mem, rec); err == nil || !strings.Contains(err.Error(), "malformed") {
				t.Errorf("Eval: got %v, want a malformed-array error", err)
			}
			mb := array.NewBooleanBuilder(mem)
			for i := 0; i < c.a.Len(); i++ {
				mb.Append(i%2 == 1)
			}
			half := mb.NewBooleanArray()
			mb.Release()
			defer half.Release()
			// (a mask keeping no rows, all rows or one run copies nothing and
			// reads nothing)
			if _, err := Filter(mem, rec, half); c.a.Len() >= 4 && (err == nil || !strings.Contains(err.Error(), "malformed")) {
				t.Errorf("Filter: got %v, want a malformed-array error", err)
			}
			if bm, ok := c.a.(*array.Boolean); ok {
				if _, err := MaskNot(mem, bm); err == nil {
					t.Error("MaskNot: want an error")
				}
			}
		})
	}
}
