package ops

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// The benchmark batch has the engine's common shape: two string ids, an
// amount, a currency code, a timestamp and a flag.
var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "user_id", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "currency", Type: arrow.BinaryTypes.String},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

const benchRows = 65536

// benchBatch builds the batch: amount uniform in [0, 1000) with 1% nulls,
// currency one of four codes, so amount > 100 AND currency == "EUR" keeps
// about 22% of the rows.
func benchBatch(mem memory.Allocator, n int) arrow.RecordBatch {
	r := rand.New(rand.NewPCG(1, 2))
	b := array.NewRecordBuilder(mem, benchSchema)
	defer b.Release()
	codes := []string{"EUR", "USD", "GBP", "JPY"}
	for i := 0; i < n; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("ord-%08d", i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("user-%05d", r.IntN(50000)))
		if r.IntN(100) == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(r.Float64() * 1000)
		}
		b.Field(3).(*array.StringBuilder).Append(codes[r.IntN(4)])
		b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000 + int64(i)))
		b.Field(5).(*array.BooleanBuilder).Append(r.IntN(2) == 0)
	}
	return b.NewRecordBatch()
}

func batchBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		for _, buf := range c.Data().Buffers() {
			if buf != nil {
				n += int64(buf.Len())
			}
		}
	}
	return n
}

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

var benchPred = Col("amount").Gt(Lit(100.0)).And(Col("currency").Eq(Lit("EUR")))

// rowLoopFilter is the baseline: the loop a user writes without kernels,
// testing each row and appending the kept ones to builders.
func rowLoopFilter(mem memory.Allocator, rec arrow.RecordBatch) arrow.RecordBatch {
	id := rec.Column(0).(*array.String)
	uid := rec.Column(1).(*array.String)
	amount := rec.Column(2).(*array.Float64)
	cur := rec.Column(3).(*array.String)
	ts := rec.Column(4).(*array.Timestamp)
	ok := rec.Column(5).(*array.Boolean)
	b := array.NewRecordBuilder(mem, rec.Schema())
	defer b.Release()
	idB := b.Field(0).(*array.StringBuilder)
	uidB := b.Field(1).(*array.StringBuilder)
	amB := b.Field(2).(*array.Float64Builder)
	curB := b.Field(3).(*array.StringBuilder)
	tsB := b.Field(4).(*array.TimestampBuilder)
	okB := b.Field(5).(*array.BooleanBuilder)
	for i := 0; i < int(rec.NumRows()); i++ {
		if amount.IsNull(i) || !(amount.Value(i) > 100) || cur.Value(i) != "EUR" {
			continue
		}
		idB.Append(id.Value(i))
		uidB.Append(uid.Value(i))
		amB.Append(amount.Value(i))
		curB.Append(cur.Value(i))
		tsB.Append(ts.Value(i))
		okB.Append(ok.Value(i))
	}
	return b.NewRecordBatch()
}

// computeFilter does the same with arrow-go compute functions.
func computeFilter(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	mask, err := computeMask(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer mask.Release()
	return compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
}

func computeMask(ctx context.Context, rec arrow.RecordBatch) (arrow.Array, error) {
	gt, err := compute.CallFunction(ctx, "greater", nil, compute.NewDatum(rec.Column(2)), compute.NewDatum(scalar.NewFloat64Scalar(100)))
	if err != nil {
		return nil, err
	}
	defer gt.Release()
	eq, err := compute.CallFunction(ctx, "equal", nil, compute.NewDatum(rec.Column(3)), compute.NewDatum(scalar.NewStringScalar("EUR")))
	if err != nil {
		return nil, err
	}
	defer eq.Release()
	and, err := compute.CallFunction(ctx, "and_kleene", nil, gt, eq)
	if err != nil {
		return nil, err
	}
	defer and.Release()
	return and.(*compute.ArrayDatum).MakeArray(), nil
}

// serialCtx runs compute on one goroutine, as the ops kernels do; the default
// context fans columns out over every core.
func serialCtx(mem memory.Allocator) context.Context {
	ec := compute.DefaultExecCtx()
	ec.NumParallel = 1
	return compute.SetExecCtx(compute.WithAllocator(context.Background(), mem), ec)
}

func BenchmarkFilter(b *testing.B) {
	mem := memory.NewGoAllocator()
	for _, rows := range []int{16384, benchRows} {
		rec := benchBatch(mem, rows)
		where := Where(benchPred)
		b.Run(fmt.Sprintf("rows=%d/ops", rows), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(batchBytes(rec))
			for b.Loop() {
				out, err := where.Apply(mem, rec)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			reportRows(b, rows)
		})
		b.Run(fmt.Sprintf("rows=%d/rowloop", rows), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(batchBytes(rec))
			for b.Loop() {
				rowLoopFilter(mem, rec).Release()
			}
			reportRows(b, rows)
		})
		for _, c := range []struct {
			name string
			ctx  context.Context
		}{{"compute", serialCtx(mem)}, {"compute-parallel", compute.WithAllocator(context.Background(), mem)}} {
			b.Run(fmt.Sprintf("rows=%d/%s", rows, c.name), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(batchBytes(rec))
				for b.Loop() {
					out, err := computeFilter(c.ctx, rec)
					if err != nil {
						b.Fatal(err)
					}
					out.Release()
				}
				reportRows(b, rows)
			})
		}
		rec.Release()
	}
}

// BenchmarkMask isolates the predicate: mask only, no gather.
func BenchmarkMask(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := benchBatch(mem, benchRows)
	defer rec.Release()
	bound, err := benchPred.Bind(rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ops", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := bound.Mask(mem, rec)
			if err != nil {
				b.Fatal(err)
			}
			m.Release()
		}
		reportRows(b, benchRows)
	})
	b.Run("compute", func(b *testing.B) {
		b.ReportAllocs()
		ctx := serialCtx(mem)
		for b.Loop() {
			m, err := computeMask(ctx, rec)
			if err != nil {
				b.Fatal(err)
			}
			m.Release()
		}
		reportRows(b, benchRows)
	})
	b.Run("rowloop", func(b *testing.B) {
		b.ReportAllocs()
		amount := rec.Column(2).(*array.Float64)
		cur := rec.Column(3).(*array.String)
		for b.Loop() {
			mb := array.NewBooleanBuilder(mem)
			mb.Reserve(benchRows)
			for i := 0; i < benchRows; i++ {
				if amount.IsNull(i) {
					if cur.Value(i) != "EUR" {
						mb.UnsafeAppend(false)
					} else {
						mb.UnsafeAppendBoolToBitmap(false)
					}
					continue
				}
				mb.UnsafeAppend(amount.Value(i) > 100 && cur.Value(i) == "EUR")
			}
			mb.NewBooleanArray().Release()
			mb.Release()
		}
		reportRows(b, benchRows)
	})
}

// BenchmarkApplyMask isolates gathering the kept rows of every column.
func BenchmarkApplyMask(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := benchBatch(mem, benchRows)
	defer rec.Release()
	bound, _ := benchPred.Bind(rec.Schema())
	mask, err := bound.Mask(mem, rec)
	if err != nil {
		b.Fatal(err)
	}
	defer mask.Release()
	b.Run("ops", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := Filter(mem, rec, mask)
			if err != nil {
				b.Fatal(err)
			}
			out.Release()
		}
		reportRows(b, benchRows)
	})
	b.Run("compute", func(b *testing.B) {
		b.ReportAllocs()
		ctx := serialCtx(mem)
		for b.Loop() {
			out, err := compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
			if err != nil {
				b.Fatal(err)
			}
			out.Release()
		}
		reportRows(b, benchRows)
	})
}

var benchMap = Project(Col("id"), Col("user_id"), Col("amount"), Col("currency"),
	Col("amount").Mul(Lit(1.1)).As("amount_usd"))

func BenchmarkMap(b *testing.B) {
	mem := memory.NewGoAllocator()
	for _, rows := range []int{16384, benchRows} {
		rec := benchBatch(mem, rows)
		b.Run(fmt.Sprintf("rows=%d/ops", rows), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(batchBytes(rec))
			for b.Loop() {
				out, err := benchMap.Apply(mem, rec)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			reportRows(b, rows)
		})
		b.Run(fmt.Sprintf("rows=%d/rowloop", rows), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(batchBytes(rec))
			out, _ := benchMap.OutputSchema(rec.Schema())
			for b.Loop() {
				rowLoopMap(mem, rec, out).Release()
			}
			reportRows(b, rows)
		})
		b.Run(fmt.Sprintf("rows=%d/compute", rows), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(batchBytes(rec))
			out, _ := benchMap.OutputSchema(rec.Schema())
			ctx := serialCtx(mem)
			for b.Loop() {
				r, err := computeMap(ctx, rec, out)
				if err != nil {
					b.Fatal(err)
				}
				r.Release()
			}
			reportRows(b, rows)
		})
		rec.Release()
	}
}

// rowLoopMap is the baseline map: rebuild the projected columns row by row
// and compute the new one.
func rowLoopMap(mem memory.Allocator, rec arrow.RecordBatch, schema *arrow.Schema) arrow.RecordBatch {
	id := rec.Column(0).(*array.String)
	uid := rec.Column(1).(*array.String)
	amount := rec.Column(2).(*array.Float64)
	cur := rec.Column(3).(*array.String)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	idB := b.Field(0).(*array.StringBuilder)
	uidB := b.Field(1).(*array.StringBuilder)
	amB := b.Field(2).(*array.Float64Builder)
	curB := b.Field(3).(*array.StringBuilder)
	usdB := b.Field(4).(*array.Float64Builder)
	for i := 0; i < int(rec.NumRows()); i++ {
		idB.Append(id.Value(i))
		uidB.Append(uid.Value(i))
		curB.Append(cur.Value(i))
		if amount.IsNull(i) {
			amB.AppendNull()
			usdB.AppendNull()
			continue
		}
		amB.Append(amount.Value(i))
		usdB.Append(amount.Value(i) * 1.1)
	}
	return b.NewRecordBatch()
}

func computeMap(ctx context.Context, rec arrow.RecordBatch, schema *arrow.Schema) (arrow.RecordBatch, error) {
	m, err := compute.Multiply(ctx, compute.ArithmeticOptions{}, compute.NewDatum(rec.Column(2)), compute.NewDatum(scalar.NewFloat64Scalar(1.1)))
	if err != nil {
		return nil, err
	}
	usd := m.(*compute.ArrayDatum).MakeArray()
	m.Release()
	defer usd.Release()
	cols := []arrow.Array{rec.Column(0), rec.Column(1), rec.Column(2), rec.Column(3), usd}
	return array.NewRecordBatch(schema, cols, rec.NumRows()), nil
}
