// Package ops holds the kernels Filter and Map run over whole Arrow columns:
// comparisons with scalars and columns, boolean combinations, null tests, string
// predicates, arithmetic, casts, projection and rename. Kernels take whole typed
// slices and are chosen once per batch.
//
// Nothing is built here yet; see the status table in the README.
package ops
