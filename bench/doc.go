// Package bench measures Sabot end to end against a Kafka cluster: it produces
// records, consumes them back, and reports throughput. cmd/sabot-bench is its
// command-line front end; the same scenarios run on the embedded default or on
// any broker address.
//
// Today it measures the raw franz-go produce and group-consume round trip (the
// ceiling every Sabot pipeline is compared against). Codec, pipeline and
// per-record baseline scenarios join it as the engine grows.
package bench
