package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/decode"
	"github.com/sabot-kafka/sabot/kafka"
	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/services"
)

// connFlags are the broker and registry addresses every command takes.
type connFlags struct {
	brokers  *string
	registry *string
}

func addConnFlags(fs *flag.FlagSet) connFlags {
	return connFlags{
		brokers:  fs.String("brokers", envOr(services.EnvBrokers, "127.0.0.1:9092"), "comma-separated Kafka brokers (default $"+services.EnvBrokers+")"),
		registry: fs.String("registry", os.Getenv(services.EnvRegistry), "schema registry URL, Confluent API base (default $"+services.EnvRegistry+")"),
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// codecFlags name a format and where its schema comes from.
type codecFlags struct {
	codec        *string
	schemaFile   *string
	layoutFile   *string
	readerSchema *string
	message      *string
	subject      *string
	strategy     *string
	column       *string
}

func addCodecFlags(fs *flag.FlagSet, forWriting bool) codecFlags {
	c := codecFlags{
		codec:        fs.String("codec", "json", "value format: "+typeList()),
		schemaFile:   fs.String("schema", "", "avro, json_schema, protobuf: file with the writer schema (.avsc, JSON Schema, .proto)"),
		layoutFile:   fs.String("layout", "", layoutHelp),
		readerSchema: fs.String("reader-schema", "", "Avro reader schema file: every writer schema resolves to it"),
		message:      fs.String("message", "", "Protobuf message full name in -schema"),
		column:       fs.String("column", "", "string/bytes codecs: the column holding the value"),
	}
	if forWriting {
		c.subject = fs.String("subject", "", "registry subject to register the writer schema under (default: by -subject-strategy)")
		c.strategy = fs.String("subject-strategy", "topic", "subject name strategy: topic, record or topic_record")
	}
	return c
}

func typeList() string { return strings.Join(codec.FormatNames, ", ") }

// spec builds the codec.Spec the flags describe, with a registry client when
// a registry URL is given and the format uses one. A flag the format does not
// read is an error.
func (c codecFlags) spec(conn connFlags, topic string, meta decode.Metadata) (codec.Spec, error) {
	format, err := codec.ParseFormat(*c.codec)
	if err != nil {
		return codec.Spec{}, err
	}
	s := codec.Spec{Metadata: meta}
	var schema, readerSchema string
	if *c.schemaFile != "" {
		b, err := os.ReadFile(*c.schemaFile)
		if err != nil {
			return s, fmt.Errorf("reading -schema: %w", err)
		}
		schema = string(b)
	}
	if *c.readerSchema != "" {
		b, err := os.ReadFile(*c.readerSchema)
		if err != nil {
			return s, fmt.Errorf("reading -reader-schema: %w", err)
		}
		readerSchema = string(b)
	}
	// reads holds the flags the format reads besides the registry's;
	// registered says whether it uses a registry.
	reads := map[string]bool{}
	registered := false
	switch f := format.(type) {
	case codec.JSON, codec.MsgPack, codec.Arrow:
		reads["layout"] = true
	case codec.JSONSchema:
		f.Schema, reads["schema"] = schema, true
		format, registered = f, true
	case codec.Avro:
		f.Schema, f.ReaderSchema = schema, readerSchema
		reads["schema"], reads["reader-schema"] = true, true
		format, registered = f, true
	case codec.Protobuf:
		f.Schema, f.Message = schema, *c.message
		reads["schema"], reads["message"] = true, true
		format, registered = f, true
	case codec.String:
		f.Column, reads["column"] = *c.column, true
		format = f
	case codec.Bytes:
		f.Column, reads["column"] = *c.column, true
		format = f
	}
	s.Format = format

	var errs []error
	for _, fl := range []struct {
		name string
		set  bool
	}{
		{"schema", *c.schemaFile != ""}, {"layout", *c.layoutFile != ""}, {"reader-schema", *c.readerSchema != ""},
		{"message", *c.message != ""}, {"column", *c.column != ""},
		{"subject", c.subject != nil && *c.subject != ""},
		{"subject-strategy", c.strategy != nil && *c.strategy != "topic"},
	} {
		switch {
		case !fl.set:
		case fl.name == "subject" || fl.name == "subject-strategy":
			if !registered {
				errs = append(errs, fmt.Errorf("-%s does not apply to -codec %s", fl.name, format.Name()))
			} else if *conn.registry == "" {
				errs = append(errs, fmt.Errorf("-%s needs -registry", fl.name))
			}
		case !reads[fl.name] && fl.name == "schema" && reads["layout"]:
			errs = append(errs, fmt.Errorf("-schema does not apply to -codec %s: its values carry no writer schema; give the columns as -layout", format.Name()))
		case !reads[fl.name]:
			errs = append(errs, fmt.Errorf("-%s does not apply to -codec %s", fl.name, format.Name()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s, err
	}
	if *c.layoutFile != "" {
		layout, err := readLayout(*c.layoutFile)
		if err != nil {
			return s, err
		}
		s.Format = withLayout(s.Format, layout)
	}
	if !registered || *conn.registry == "" {
		return s, nil
	}
	rc, err := registry.NewClient(*conn.registry)
	if err != nil {
		return s, err
	}
	s.Registry, s.Topic = rc, topic
	if c.subject != nil {
		s.Subject = *c.subject
		strategy, err := registry.ParseSubjectNameStrategy(*c.strategy)
		if err != nil {
			return s, err
		}
		s.Strategy = strategy
	}
	return s, nil
}

// withLayout returns the json, msgpack or arrow format f with layout as its
// columns.
func withLayout(f codec.Format, layout *arrow.Schema) codec.Format {
	switch f := f.(type) {
	case codec.JSON:
		f.ArrowSchema = layout
		return f
	case codec.MsgPack:
		f.ArrowSchema = layout
		return f
	case codec.Arrow:
		f.ArrowSchema = layout
		return f
	}
	return f
}

// parseMetadata reads -metadata: all, none, or a comma list of topic,
// partition, offset, timestamp, key, headers.
func parseMetadata(v string) (decode.Metadata, error) {
	switch v {
	case "all":
		return decode.MetaAll, nil
	case "none", "":
		return 0, nil
	}
	var m decode.Metadata
	for _, name := range strings.Split(v, ",") {
		switch strings.TrimSpace(name) {
		case "topic":
			m |= decode.MetaTopic
		case "partition":
			m |= decode.MetaPartition
		case "offset":
			m |= decode.MetaOffset
		case "timestamp":
			m |= decode.MetaTimestamp
		case "key":
			m |= decode.MetaKey
		case "headers":
			m |= decode.MetaHeaders
		default:
			return 0, fmt.Errorf("unknown metadata column %q (want topic, partition, offset, timestamp, key, headers, all or none)", name)
		}
	}
	return m, nil
}

// parseErrorPolicy reads -on-error: fail, skip, or dlq:TOPIC.
func parseErrorPolicy(v string) (kafka.ErrorPolicy, error) {
	switch {
	case v == "fail":
		return kafka.FailPolicy, nil
	case v == "skip":
		return kafka.SkipPolicy, nil
	case strings.HasPrefix(v, "dlq:") && len(v) > 4:
		return kafka.DeadLetterPolicy(v[4:]), nil
	}
	return kafka.ErrorPolicy{}, fmt.Errorf("unknown -on-error %q (want fail, skip or dlq:TOPIC)", v)
}
