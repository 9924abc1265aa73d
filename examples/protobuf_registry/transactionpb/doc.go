// Package transactionpb holds the generated Go type of
// sabot/examples/v1/transaction.proto, the message the protobuf_registry
// example sends. Regenerate it (no protoc needed) with go generate.
package transactionpb

//go:generate go run ../../internal/protogen -root . -out . sabot/examples/v1/transaction.proto
