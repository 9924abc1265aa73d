package agg

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// row is one input row as the oracle sees it; nil pointers are nulls.
type row struct {
	k1 *int64
	k2 *string
	f  *float64
	v  *int64
	s  *string
}

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k1", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "k2", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func ptr[T any](v T) *T { return &v }

func randRows(r *rand.Rand, n, keys int) []row {
	floats := []float64{0, math.Copysign(0, -1), math.NaN(), math.Float64frombits(0x7ff8000000000002), math.Float64frombits(0xfff8000000000000), 1.5, -2.25, math.Inf(1)}
	rows := make([]row, n)
	for i := range rows {
		var x row
		if r.IntN(10) > 0 {
			x.k1 = ptr(int64(r.IntN(keys)) - int64(keys/2))
		}
		if r.IntN(10) > 0 {
			x.k2 = ptr(fmt.Sprintf("common-prefix-%d", r.IntN(3)))
		}
		if r.IntN(10) > 0 {
			x.f = ptr(floats[r.IntN(len(floats))])
		}
		if r.IntN(5) > 0 {
			x.v = ptr(r.Int64N(2000) - 1000)
		}
		if r.IntN(5) > 0 {
			x.s = ptr(fmt.Sprintf("value-%03d", r.IntN(50)))
		}
		rows[i] = x
	}
	return rows
}

func buildBatch(mem memory.Allocator, rows []row) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, testSchema)
	defer b.Release()
	k1 := b.Field(0).(*array.Int64Builder)
	k2 := b.Field(1).(*array.StringBuilder)
	f := b.Field(2).(*array.Float64Builder)
	v := b.Field(3).(*array.Int64Builder)
	s := b.Field(4).(*array.StringBuilder)
	for _, x := range rows {
		appendOpt(k1, x.k1, k1.Append)
		appendOpt(k2, x.k2, k2.Append)
		appendOpt(f, x.f, f.Append)
		appendOpt(v, x.v, v.Append)
		appendOpt(s, x.s, s.Append)
	}
	return b.NewRecordBatch()
}

func appendOpt[T any](b array.Builder, v *T, app func(T)) {
	if v == nil {
		b.AppendNull()
		return
	}
	app(*v)
}

// oracle is a per-row map of plain Go accumulators.
type oracle struct {
	n, nv              int64
	sum                int64
	min, max, fst, lst *int64
	fsum               float64
	smin, smax         *string
	sfst, slst         *string
	dv                 map[int64]bool
	ds                 map[string]bool
}

func optKey[T any](v *T) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

// floatKey applies the documented rule: -0 == +0, all NaNs equal.
func floatKey(v *float64) string {
	if v == nil {
		return "null"
	}
	switch {
	case *v == 0:
		return "0"
	case math.IsNaN(*v):
		return "NaN"
	}
	return fmt.Sprint(*v)
}

func runOracle(rows []row, key func(row) string) (map[string]*oracle, []string) {
	m := map[string]*oracle{}
	var order []string
	for _, x := range rows {
		k := key(x)
		o := m[k]
		if o == nil {
			o = &oracle{dv: map[int64]bool{}, ds: map[string]bool{}}
			m[k] = o
			order = append(order, k)
		}
		o.n++
		if x.v != nil {
			v := *x.v
			o.nv++
			o.sum += v
			o.fsum += float64(v)
			if o.min == nil || v < *o.min {
				o.min = ptr(v)
			}
			if o.max == nil || v > *o.max {
				o.max = ptr(v)
			}
			if o.fst == nil {
				o.fst = ptr(v)
			}
			o.lst = ptr(v)
			o.dv[v] = true
		}
		if x.s != nil {
			s := *x.s
			if o.smin == nil || s < *o.smin {
				o.smin = ptr(s)
			}
			if o.smax == nil || s > *o.smax {
				o.smax = ptr(s)
			}
			if o.sfst == nil {
				o.sfst = ptr(s)
			}
			o.slst = ptr(s)
			o.ds[s] = true
		}
	}
	return m, order
}

var allAggs = []Spec{
	Count(), CountOf("v"), Sum("v"), Min("v"), Max("v"), Mean("v"), First("v"), Last("v"),
	CountDistinct("v"), Min("s"), Max("s"), First("s"), Last("s"), CountDistinct("s"),
}

func cell[T any](a arrow.Array, i int, get func(int) T) *T {
	if a.IsNull(i) {
		return nil
	}
	return ptr(get(i))
}

func eqOpt[T cmp.Ordered](t *testing.T, what string, got, want *T) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && cmp.Compare(*got, *want) != 0) {
		t.Errorf("%s: got %v, want %v", what, optKey(got), optKey(want))
	}
}

// checkAgainstOracle feeds rows in batches of the given size and compares
// every aggregate of every group with the oracle.
func checkAgainstOracle(t *testing.T, rows []row, batch int, keys []string, key func(row) string, outKey func(rec arrow.RecordBatch, i int) string) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g, err := GroupBy(keys...).Aggregate(allAggs...)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(rows); off += batch {
		rec := buildBatch(mem, rows[off:min(off+batch, len(rows))])
		err := g.Add(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	rec, err := g.Result(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	want, order := runOracle(rows, key)
	if int(rec.NumRows()) != len(order) || g.Groups() != len(order) {
		t.Fatalf("groups: got %d, want %d", rec.NumRows(), len(order))
	}
	col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
	i64 := func(name string) *array.Int64 { return col(name).(*array.Int64) }
	str := func(name string) *array.String { return col(name).(*array.String) }
	for i := range int(rec.NumRows()) {
		k := outKey(rec, i)
		if k != order[i] {
			t.Fatalf("group %d: key %s, want %s (order of first appearance)", i, k, order[i])
		}
		o := want[k]
		eqOpt(t, k+" count", ptr(i64("count").Value(i)), ptr(o.n))
		eqOpt(t, k+" count_v", ptr(i64("count_v").Value(i)), ptr(o.nv))
		var sum *int64
		var mean *float64
		if o.nv > 0 {
			sum, mean = ptr(o.sum), ptr(o.fsum/float64(o.nv))
		}
		eqOpt(t, k+" sum", cell(col("sum_v"), i, i64("sum_v").Value), sum)
		eqOpt(t, k+" mean", cell(col("mean_v"), i, col("mean_v").(*array.Float64).Value), mean)
		eqOpt(t, k+" min", cell(col("min_v"), i, i64("min_v").Value), o.min)
		eqOpt(t, k+" max", cell(col("max_v"), i, i64("max_v").Value), o.max)
		eqOpt(t, k+" first", cell(col("first_v"), i, i64("first_v").Value), o.fst)
		eqOpt(t, k+" last", cell(col("last_v"), i, i64("last_v").Value), o.lst)
		eqOpt(t, k+" distinct_v", ptr(i64("count_distinct_v").Value(i)), ptr(int64(len(o.dv))))
		eqOpt(t, k+" min_s", cell(col("min_s"), i, str("min_s").Value), o.smin)
		eqOpt(t, k+" max_s", cell(col("max_s"), i, str("max_s").Value), o.smax)
		eqOpt(t, k+" first_s", cell(col("first_s"), i, str("first_s").Value), o.sfst)
		eqOpt(t, k+" last_s", cell(col("last_s"), i, str("last_s").Value), o.slst)
		eqOpt(t, k+" distinct_s", ptr(i64("count_distinct_s").Value(i)), ptr(int64(len(o.ds))))
	}
}

func twoKey(x row) string { return optKey(x.k1) + "|" + optKey(x.k2) }

func twoKeyOut(rec arrow.RecordBatch, i int) string {
	return optKey(cell(rec.Column(0), i, rec.Column(0).(*array.Int64).Value)) + "|" +
		optKey(cell(rec.Column(1), i, rec.Column(1).(*array.String).Value))
}

func floatKeyOut(rec arrow.RecordBatch, i int) string {
	return floatKey(cell(rec.Column(0), i, rec.Column(0).(*array.Float64).Value))
}

func TestOracle(t *testing.T) {
	for _, tc := range []struct {
		name         string
		n, keys, bat int
	}{
		{"few keys", 5000, 10, 512},
		{"many keys", 40000, 5000, 4096},
		{"one row batches", 300, 7, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := randRows(rand.New(rand.NewPCG(1, uint64(tc.n))), tc.n, tc.keys)
			t.Run("k1,k2", func(t *testing.T) {
				checkAgainstOracle(t, rows, tc.bat, []string{"k1", "k2"}, twoKey, twoKeyOut)
			})
			t.Run("float key", func(t *testing.T) {
				checkAgainstOracle(t, rows, tc.bat, []string{"f"}, func(x row) string { return floatKey(x.f) }, floatKeyOut)
			})
		})
	}
}

func FuzzOracle(f *testing.F) {
	f.Add(uint64(1), uint16(100), uint8(5), uint16(17))
	f.Add(uint64(7), uint16(1000), uint8(200), uint16(1))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, keys uint8, batch uint16) {
		rows := randRows(rand.New(rand.NewPCG(seed, 0)), int(n%4096)+1, int(keys)+1)
		checkAgainstOracle(t, rows, int(batch%1024)+1, []string{"k1", "k2"}, twoKey, twoKeyOut)
	})
}
