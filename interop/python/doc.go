// Package interop checks Sabot against the Python clients its users run
// beside it: confluent-kafka-python's Schema Registry serializers and
// deserializers for Avro, Protobuf and JSON Schema, with pyarrow on the Arrow
// side, through a real Kafka topic and one registry both sides share (the
// rig's, or the embedded default's broker and registry).
//
// Each format goes both ways. Values written by the Python serializers are
// decoded by a kafka.Source and written as an Arrow IPC file, which serdes.py
// compares with the expected Arrow schema and values; the Arrow form of the
// same values, written by pyarrow, is encoded by a kafka.Sink, and the Python
// deserializers must read back exactly the values they were made from. The
// values and the expected layouts are defined once, in serdes.py; the
// schemas are in testdata/.
//
// The package has only tests. They need the Python environment that
// scripts/pyenv.sh builds (`make pyenv`; `make test` builds it and sets
// SABOT_PYTHON); without SABOT_PYTHON they skip, or fail when
// SABOT_REQUIRE_REAL=1. Protobuf's _pb2 module is generated from
// testdata/order.proto at run time with grpcio-tools' protoc, so the .proto
// is the only copy of the message types.
package interop
