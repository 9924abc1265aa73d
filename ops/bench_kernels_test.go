package ops

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Kernel benchmarks: each hand-written kernel against arrow-go compute
// (serial) and, where it means something, a row-by-row loop, in one run, on
// the columns of the benchmark batch (65536 rows).

type kernelVariant struct {
	name string
	run  func(mem memory.Allocator) (arrow.Array, error)
}

func runVariants(b *testing.B, rows int, vs ...kernelVariant) {
	mem := memory.NewGoAllocator()
	for _, v := range vs {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := v.run(mem)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			reportRows(b, rows)
		})
	}
}

func callCompute(ctx context.Context, fn string, opts compute.FunctionOptions, args ...compute.Datum) (arrow.Array, error) {
	out, err := compute.CallFunction(ctx, fn, opts, args...)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return out.(*compute.ArrayDatum).MakeArray(), nil
}

func BenchmarkKernels(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := benchBatch(mem, benchRows)
	defer rec.Release()
	amount := rec.Column(2)
	cur := rec.Column(3)
	ts := rec.Column(4)
	ctx := serialCtx(mem)
	f100 := compute.NewDatum(scalar.NewFloat64Scalar(100))
	eur := compute.NewDatum(scalar.NewStringScalar("EUR"))

	b.Run("f64>scalar", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) {
				return boolOut(compareScalar(mem, amount, OpGt, 100.0))
			}},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return callCompute(ctx, "greater", nil, compute.NewDatum(amount), f100)
			}},
			kernelVariant{"rowloop", func(mem memory.Allocator) (arrow.Array, error) {
				a := amount.(*array.Float64)
				bb := array.NewBooleanBuilder(mem)
				defer bb.Release()
				bb.Reserve(a.Len())
				for i := 0; i < a.Len(); i++ {
					if a.IsNull(i) {
						bb.UnsafeAppendBoolToBitmap(false)
					} else {
						bb.UnsafeAppend(a.Value(i) > 100)
					}
				}
				return bb.NewArray(), nil
			}})
	})
	b.Run("ts>=col", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) {
				return boolOut(compareVector[int64](mem, ts, ts, OpGe))
			}},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return callCompute(ctx, "greater_equal", nil, compute.NewDatum(ts), compute.NewDatum(ts))
			}})
	})
	b.Run("string==scalar", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) {
				return boolOut(compareScalarBytes[int32](mem, cur, OpEq, "EUR"))
			}},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return callCompute(ctx, "equal", nil, compute.NewDatum(cur), eur)
			}},
			kernelVariant{"rowloop", func(mem memory.Allocator) (arrow.Array, error) {
				a := cur.(*array.String)
				bb := array.NewBooleanBuilder(mem)
				defer bb.Release()
				bb.Reserve(a.Len())
				for i := 0; i < a.Len(); i++ {
					bb.UnsafeAppend(a.Value(i) == "EUR")
				}
				return bb.NewArray(), nil
			}})
	})
	idStr := rec.Column(0)
	b.Run("string-prefix", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) {
				return boolOut(matchBytes[int32](mem, idStr, fnPrefix, "ord-0001"))
			}},
			kernelVariant{"rowloop", func(mem memory.Allocator) (arrow.Array, error) {
				a := idStr.(*array.String)
				bb := array.NewBooleanBuilder(mem)
				defer bb.Release()
				bb.Reserve(a.Len())
				for i := 0; i < a.Len(); i++ {
					v := a.Value(i)
					bb.UnsafeAppend(len(v) >= 8 && v[:8] == "ord-0001")
				}
				return bb.NewArray(), nil
			}})
	})
	setArr, _, _ := array.FromJSON(mem, arrow.BinaryTypes.String, stringsReader(`["EUR", "GBP"]`))
	defer setArr.Release()
	inSet := newByteSet([]string{"EUR", "GBP"})
	b.Run("string-in", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) {
				return boolOut(inBytes[int32](mem, cur, inSet))
			}},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return callCompute(ctx, "is_in", &compute.SetOptions{ValueSet: compute.NewDatum(setArr)}, compute.NewDatum(cur))
			}})
	})

	gt, _ := compareScalar(mem, amount, OpGt, 100.0)
	defer gt.Release()
	eq, _ := compareScalarBytes[int32](mem, cur, OpEq, "EUR")
	defer eq.Release()
	b.Run("and_kleene", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) {
				return boolOut(MaskAnd(mem, gt, eq))
			}},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return callCompute(ctx, "and_kleene", nil, compute.NewDatum(gt), compute.NewDatum(eq))
			}})
	})

	mulF := arithLoop[float64](OpMul, arrow.PrimitiveTypes.Float64)
	// float arithmetic binds to compute, which wins this one
	b.Run("f64*scalar", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"hand", func(mem memory.Allocator) (arrow.Array, error) {
				return arithScalar(mem, OpMul, mulF, arrow.PrimitiveTypes.Float64, amount, 1.1, false)
			}},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return callCompute(ctx, "multiply_unchecked", nil, compute.NewDatum(amount), compute.NewDatum(scalar.NewFloat64Scalar(1.1)))
			}})
	})
	tsInt, _ := compute.CastArray(ctx, ts, compute.SafeCastOptions(arrow.PrimitiveTypes.Int64))
	defer tsInt.Release()
	addI := arithLoop[int64](OpAdd, arrow.PrimitiveTypes.Int64)
	b.Run("i64+col-checked", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) {
				return arithVector(mem, OpAdd, addI, arrow.PrimitiveTypes.Int64, tsInt, tsInt)
			}},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return callCompute(ctx, "add", nil, compute.NewDatum(tsInt), compute.NewDatum(tsInt))
			}})
	})
	mulI := arithLoop[int64](OpMul, arrow.PrimitiveTypes.Int64)
	b.Run("i64*scalar-checked", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) {
				return arithScalar(mem, OpMul, mulI, arrow.PrimitiveTypes.Int64, tsInt, int64(3), false)
			}},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return callCompute(ctx, "multiply", nil, compute.NewDatum(tsInt), compute.NewDatum(scalar.NewInt64Scalar(3)))
			}})
	})

	i32, _ := compute.CastArray(ctx, tsInt, compute.UnsafeCastOptions(arrow.PrimitiveTypes.Int32))
	defer i32.Release()
	i8, _ := compute.CastArray(ctx, tsInt, compute.UnsafeCastOptions(arrow.PrimitiveTypes.Int8))
	defer i8.Release()
	for _, c := range []struct {
		name string
		from arrow.Array
		to   arrow.DataType
	}{
		{"widen-i32-f64", i32, arrow.PrimitiveTypes.Float64},
		{"widen-i64-f64", tsInt, arrow.PrimitiveTypes.Float64},
		{"widen-i8-i32", i8, arrow.PrimitiveTypes.Int32},
		{"widen-i32-i64", i32, arrow.PrimitiveTypes.Int64},
	} {
		k := handWiden(c.from.DataType(), c.to)
		b.Run(c.name, func(b *testing.B) {
			runVariants(b, benchRows,
				kernelVariant{"hand", func(mem memory.Allocator) (arrow.Array, error) { return k(mem, c.from) }},
				kernelVariant{"compute-unsafe", func(mem memory.Allocator) (arrow.Array, error) {
					return compute.CastArray(ctx, c.from, compute.UnsafeCastOptions(c.to))
				}})
		})
	}
	toStr := handCast(arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String)
	b.Run("cast-i64-string", func(b *testing.B) {
		runVariants(b, benchRows,
			kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) { return toStr(mem, tsInt) }},
			kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
				return compute.CastArray(ctx, tsInt, compute.SafeCastOptions(arrow.BinaryTypes.String))
			}})
	})

	mask, _ := MaskAnd(mem, gt, eq)
	defer mask.Release()
	for _, c := range []struct {
		name string
		col  arrow.Array
	}{{"take-string", rec.Column(0)}, {"take-f64", amount}, {"take-bool", rec.Column(5)}} {
		b.Run(c.name, func(b *testing.B) {
			runVariants(b, benchRows,
				kernelVariant{"ops", func(mem memory.Allocator) (arrow.Array, error) { return FilterArray(mem, c.col, mask) }},
				kernelVariant{"compute", func(mem memory.Allocator) (arrow.Array, error) {
					return compute.FilterArray(ctx, c.col, mask, *compute.DefaultFilterOptions())
				}})
		})
	}
}

// handWiden is the hand-written numeric conversion measured against
// compute's cast (which won, so the package uses compute).
func handWiden(from, to arrow.DataType) unaryFn {
	switch {
	case from.ID() == arrow.INT32 && to.ID() == arrow.FLOAT64:
		return widenLoop[int32, float64](to)
	case from.ID() == arrow.INT64 && to.ID() == arrow.FLOAT64:
		return widenLoop[int64, float64](to)
	case from.ID() == arrow.INT8 && to.ID() == arrow.INT32:
		return widenLoop[int8, int32](to)
	}
	return widenLoop[int32, int64](to)
}

func widenLoop[F, T number](to arrow.DataType) unaryFn {
	return func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
		n := a.Len()
		src := fixedValues[F](a)
		buf, out := newFixed[T](mem, n)
		out = out[:len(src)]
		for i, v := range src {
			out[i] = T(v)
		}
		validity, nulls, err := outValidity(mem, n, a)
		if err != nil {
			buf.Release()
			return nil, err
		}
		return newFixedArray(to, n, buf, validity, nulls), nil
	}
}
