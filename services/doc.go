// Package services finds the Kafka cluster and schema registry a Sabot program
// runs against.
//
// When SABOT_KAFKA_BROKERS (and, for the registry, SABOT_REGISTRY_URL) are set,
// [Open] returns those addresses: that is how `make test` points the suite at the
// real Apache Kafka broker and registry the rig starts. When they are unset, Open
// starts the embedded default instead: an in-process Kafka cluster (franz-go's
// kfake, which speaks the real wire protocol over loopback TCP) and an in-process
// Confluent-compatible registry. The benchmark harness, the examples and the unit
// tests all go through Open, so every one of them runs with nothing installed.
//
// Security settings for the rig's SASL/SCRAM and TLS listeners are read from the
// environment too (see [Security]). The package servicestest adds the helpers
// tests use: a shared Services per test binary and throwaway topics.
package services
