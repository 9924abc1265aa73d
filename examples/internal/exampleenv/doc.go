// Package exampleenv connects Sabot's examples to Kafka and a schema
// registry, and gives each run its own topics, consumer groups and subjects.
//
// Where the services come from, first match wins:
//
//   - the -brokers and -registry flags;
//   - SABOT_KAFKA_BROKERS and SABOT_REGISTRY_URL (what `make test` sets);
//   - the embedded default: an in-process Kafka cluster and registry
//     started by services.Open, so `go run ./examples/json_read_write`
//     needs nothing installed.
//
// With brokers but no registry URL, a registry is served in-process beside
// them, as services.Open does.
//
// Topic and Name add a suffix unique to the run to topic, group and other
// names, so running an example twice against a real cluster starts from
// empty topics; Env.Close deletes the topics and their "-value" subjects.
// Examples print names with Short, which drops the suffix, so their output
// is the same on every run.
//
// Also here: Main, the body of every example's main; and Close, for deferred
// closes whose errors matter.
package exampleenv
