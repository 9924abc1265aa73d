// Package txpb holds the Go type protoc-gen-go generates for the benchmark's
// Transaction message (transaction.proto): the per-record Protobuf baseline
// of a program that compiles its schema in. transaction.pb.go is generated;
// ./gen regenerates it.
package txpb
