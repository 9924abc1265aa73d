// Package protoschema handles Protobuf schemas in the two forms a schema
// registry holds them: .proto source text, and a base64-encoded serialized
// google.protobuf.FileDescriptorProto ("serialized" form: what
// confluent-kafka-python's ProtobufSerializer registers, and what Confluent's
// registry answers to ?format=serialized). Compile takes either form, for the
// schema and for each of its references; the well-known google/protobuf
// files resolve without references. Serialize and Print turn a compiled file
// back into either form.
//
// It holds no registry client and no decoder: package memregistry uses it to
// accept and serve both forms, decode/protobuf and encode/protobuf to compile
// and print schemas.
package protoschema
