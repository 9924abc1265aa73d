// Package exampletest runs Sabot's examples from their tests: with flags
// naming the test's Kafka cluster and registry (real when the environment
// names them, embedded otherwise), failing the test when an example fails.
package exampletest
