// Package encode turns Arrow record batches back into Kafka record values, one per
// row, appended into one pooled arena so records slice into it without a
// per-row allocation. It writes every format package decode reads, with the
// Confluent wire-format header where a registry is used.
//
// Nothing is built here yet; see the status table in the README.
package encode
