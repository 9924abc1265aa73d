// Package codec is where a user names a serialization format and its options
// (a Spec with one Format) and gets the decode.Decoder and encode.Encoder for
// it. It assembles the format packages (decode/avro, decode/protobuf, ...,
// encode/...) with the registry and the wire format; it holds no format logic
// itself.
package codec
