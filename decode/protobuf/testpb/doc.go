// Package testpb holds the generated Go types of the messages the protobuf
// codec tests, fuzz targets and benchmarks use. The .proto sources live in
// testdata/protobuf/proto; regenerate (no protoc needed) from the repository
// root with:
//
//	go run ./testdata/protobuf/gen
package testpb
