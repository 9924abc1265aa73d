// Package agg is vectorized keyed aggregation over Arrow record batches: the
// first building block of stateful processing.
//
// A [Table] maps the rows of a batch to dense group slots (int32, in order of
// first appearance): it hashes the key columns column by column, combines the
// row hashes across columns and probes an open-addressing table; keys are kept
// in typed columns (fixed-width values as normalized 64-bit patterns, strings
// and binaries in one arena per column), so there is no per-row allocation and
// no per-row lookup through `any`. An [Accumulator] is then updated column-wise
// from (slots, values). [GroupBy] ties both together:
//
//	g, err := agg.GroupBy("user_id").Aggregate(agg.Count(), agg.Sum("amount"))
//	for _, rec := range batches { err = g.Add(rec) }
//	out, err := g.Result(mem) // user_id, count, sum_amount
//
// Keys may be any integer, unsigned, float, bool, string, binary (also large
// and view layouts), timestamp, date, time or duration column, one or more of
// them. Null is a key value of its own. Float keys group by value: -0 and +0
// are one key, and every NaN is one key (as in SQL engines such as DuckDB).
//
// Value nulls are skipped (SQL semantics): count(*) counts rows, count(col)
// non-null values; an aggregate that saw only nulls for a group is null (count
// is 0). Output types: count and count_distinct int64; sum int64 for integer
// inputs (overflow is an error, [ErrOverflow]) and float64 for floats; mean
// float64; min, max, first and last keep the input type. Float min/max order
// as Go's cmp.Compare: NaN below every number. first/last take the first/last non-null value in
// row order across the batches fed.
//
// Memory: [Table.Len] and [Table.Bytes] (and [Grouper.Groups], [Grouper.Bytes])
// report the groups and bytes held so a caller can bound or spill state; exact
// count_distinct is capped by [Options] MaxDistinct ([ErrLimit]).
//
// Not here yet: windows, watermarks, persistence, changelogs or spilling; no
// merging of partial states across tasks. Those build on this API elsewhere.
package agg
