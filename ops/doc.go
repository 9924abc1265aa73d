// Package ops holds the kernels that Filter and Map stages run over whole
// Arrow record batches, and the expression API that picks them, so pipelines
// filter and compute columns without per-row loops.
//
// # Expressions
//
// An Expr is built from Col and Lit with methods: comparisons (Eq, Ne, Lt,
// Le, Gt, Ge), Kleene logic (And, Or, Not), null tests (IsNull, IsNotNull),
// string predicates (HasPrefix, HasSuffix, Contains, In), arithmetic (Add,
// Sub, Mul, Div), Cast and As:
//
//	pred := ops.Col("amount").Gt(ops.Lit(100.0)).And(ops.Col("currency").Eq(ops.Lit("EUR")))
//
// Expr.Bind checks an expression against a schema once (columns exist,
// types fit, literals convert exactly) and chooses every kernel; errors are
// *BindError naming the column. Bound.Eval then evaluates batches with no
// type dispatch beyond one assertion per input column.
//
// # Ops
//
// An Op turns a batch into a batch; it is what a pipeline's Filter and Map
// stages call: Where and WhereFunc filter, Select, Rename, Project and
// WithColumn map, Func wraps a user function, Chain composes. Ops bind on the
// first batch of each schema and are safe for concurrent use. SchemaOp gives
// the output schema ahead of data.
//
// # Masks
//
// A predicate produces a mask: an *array.Boolean of packed bits (one bit per
// row, written 64 rows at a time), not a selection vector. A mask is 1/32 the
// size of int32 indices, AND/OR/NOT combine masks a machine word at a time,
// its validity bitmap carries SQL's unknown (a null comparison), and any
// Arrow consumer, compute included, reads it. Filter turns the mask into a
// selection vector once per batch, internally, and gathers every column
// through it; a mask that keeps every row or a single run of rows costs no
// copy at all.
//
// # Kernels
//
// Hand-written over whole typed slices, offsets/data buffers and bitmaps a
// word at a time: comparisons of every type, Kleene logic, null tests,
// string predicates and In, checked integer arithmetic, and the gathers of
// Filter and Take for flat columns. On arrow-go compute: casts, float and
// decimal arithmetic, and the gathers of nested, dictionary and view
// columns. Each choice was measured against the other side in the same
// benchmark run (bench_kernels_test.go) and the faster kept.
//
// # Semantics
//
//   - Nulls: a comparison, arithmetic or string predicate with a null operand
//     is null. And/Or are Kleene: false AND null = false, true OR null =
//     true, otherwise null; NOT null = null. IsNull/IsNotNull are never null.
//     Filter drops rows where the mask is false or null. x IN (...) is null
//     for a null x; the list may not hold nulls.
//   - Floats follow IEEE 754: NaN compares unequal to everything, itself
//     included; x/0 is ±Inf and 0/0 NaN.
//   - Integers are checked: overflow (including MinInt / -1) is ErrOverflow
//     and division by zero ErrDivideByZero, each a *RowError naming the first
//     failing row; division truncates toward zero. Rows under a null never
//     fail.
//   - Types: mixed numeric operands meet at a common type (the wider integer,
//     the smallest signed type holding signed and unsigned, float64 with a
//     float); other types must match (timestamps of one unit compare across
//     zones). A literal takes the type of the other side; an integer column
//     against a literal that does not fit it (1.5, or 1000 for int8) widens
//     to float64 or int64.
//   - Casts are safe (overflow, truncation and parse failures stop the
//     batch) and run on arrow-go compute, except the ones written here:
//     boolean to number, and numbers, dates, times and timestamps to strings
//     (see cast_hand.go for why). Operands converted to a common type use
//     compute's unchecked cast: an integer past 2^53 rounds on its way to
//     float64.
//
// # Memory
//
// Every kernel allocates from the memory.Allocator it is given; results are
// owned by the caller, who releases them. Inputs are borrowed, never
// released or modified. Results may share buffers with inputs (a column
// passed through, a validity bitmap reused, a zero-copy slice).
//
// # What is not here
//
// The pipeline runtime (engine), Kafka I/O and encoding live elsewhere.
// Comparisons do not cover dictionary, view (Utf8View) and nested columns,
// which Filter and Take still carry.
package ops
