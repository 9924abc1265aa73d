package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/decode/arrowipc"
)

// layoutHelp says what -layout reads, for the flag's usage.
const layoutHelp = "json, msgpack, arrow: file with the column layout: an Arrow IPC file or stream (its schema), " +
	"an Avro record schema, an Arrow schema as JSON ({\"fields\": [...]}, Arrow's integration form) or a JSON Schema " +
	"(default: inferred from the first records)"

// readLayout reads a -layout file into the Arrow schema of the value
// columns. Which kind of file it is follows from its content: the IPC magic,
// else a JSON document whose "type" is "record" (Avro), which has "fields"
// or "schema" (Arrow), or anything else (a JSON Schema). Avro and JSON Schema
// layouts are mapped to Arrow by their decoders' own rules, so a layout
// gives the columns a value of that schema decodes into. Metadata columns
// (_key, _offset, ...: a previous export's) are dropped; the command adds
// its own.
func readLayout(path string) (*arrow.Schema, error) {
	b, err := os.ReadFile(path) // #nosec G304 -- the user names the layout file
	if err != nil {
		return nil, fmt.Errorf("reading -layout: %w", err)
	}
	s, err := parseLayout(b)
	if err != nil {
		return nil, fmt.Errorf("-layout %s: %w", path, err)
	}
	return s, nil
}

func parseLayout(b []byte) (*arrow.Schema, error) {
	var (
		s   *arrow.Schema
		err error
	)
	switch {
	case bytes.HasPrefix(b, []byte("ARROW1")):
		// An IPC file is the magic, padding to 8 bytes, then a stream.
		s, err = ipcSchema(b[min(8, len(b)):])
	case len(b) >= 4 && bytes.Equal(b[:4], []byte{0xff, 0xff, 0xff, 0xff}):
		s, err = ipcSchema(b)
	default:
		s, err = parseJSONLayout(b)
	}
	if err != nil {
		return nil, err
	}
	return withoutMetadataColumns(s)
}

// ipcSchema reads the schema of an IPC stream from its first message alone:
// the message is cut out with its length checked against the data, and read
// by decode/arrowipc, which checks what the bytes claim before arrow-go
// reads them. The record batches after it are not read.
func ipcSchema(stream []byte) (*arrow.Schema, error) {
	prefix := 4 // a legacy stream has the length alone
	if len(stream) >= 4 && binary.LittleEndian.Uint32(stream) == 0xFFFFFFFF {
		prefix = 8
	}
	if len(stream) < prefix {
		return nil, errors.New("arrow IPC: truncated before the schema")
	}
	n := int(binary.LittleEndian.Uint32(stream[prefix-4:]))
	if n <= 0 || n > len(stream)-prefix {
		return nil, fmt.Errorf("arrow IPC: a %d-byte schema message in %d bytes", n, len(stream)-prefix)
	}
	msg := append(stream[:prefix+n:prefix+n], 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0) // then end of stream
	return arrowipc.SchemaOf(msg, decode.Limits{})
}

func parseJSONLayout(b []byte) (*arrow.Schema, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("neither an Arrow IPC file or stream nor a JSON object: %w", err)
	}
	var typ string
	_ = json.Unmarshal(doc["type"], &typ) // a JSON Schema's type may be a list
	var (
		f    codec.Format = codec.JSON{Schema: string(b)}
		what              = "a JSON Schema"
	)
	switch {
	case typ == "record":
		f, what = codec.Avro{Schema: string(b)}, "an Avro schema"
	case doc["fields"] != nil || doc["schema"] != nil:
		return parseArrowJSONSchema(b)
	}
	dec, err := codec.NewDecoder(codec.Spec{Format: f})
	if err != nil {
		return nil, fmt.Errorf("as %s: %w", what, err)
	}
	defer dec.Close()
	return dec.Schema(), nil
}

// withoutMetadataColumns drops the columns named like decode's metadata
// columns.
func withoutMetadataColumns(s *arrow.Schema) (*arrow.Schema, error) {
	var keep []arrow.Field
	for _, f := range s.Fields() {
		if !isMetadataColumn(f.Name) {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("no value columns (only metadata columns) in %s", s)
	}
	md := s.Metadata()
	return arrow.NewSchema(keep, &md), nil
}

func isMetadataColumn(name string) bool {
	switch name {
	case decode.ColTopic, decode.ColPartition, decode.ColOffset, decode.ColTimestamp, decode.ColKey, decode.ColHeaders:
		return true
	}
	return false
}
