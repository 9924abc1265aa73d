package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

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
	readerSchema *string
	message      *string
	subject      *string
	strategy     *string
	column       *string
}

func addCodecFlags(fs *flag.FlagSet, forWriting bool) codecFlags {
	c := codecFlags{
		codec:        fs.String("codec", "json", "value format: "+typeList()),
		schemaFile:   fs.String("schema", "", "file with the writer schema: Avro .avsc, JSON Schema, or .proto"),
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

func typeList() string {
	names := make([]string, len(codec.Types))
	for i, t := range codec.Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// spec builds the codec.Spec the flags describe, with a registry client when
// a registry URL is given.
func (c codecFlags) spec(conn connFlags, topic string, meta decode.Metadata) (codec.Spec, error) {
	t, err := codec.ParseType(*c.codec)
	if err != nil {
		return codec.Spec{}, err
	}
	s := codec.Spec{Type: t, Topic: topic, Metadata: meta, ProtoMessage: *c.message, Column: *c.column}
	if *c.schemaFile != "" {
		b, err := os.ReadFile(*c.schemaFile)
		if err != nil {
			return s, fmt.Errorf("reading -schema: %w", err)
		}
		s.Schema = string(b)
	}
	if *c.readerSchema != "" {
		b, err := os.ReadFile(*c.readerSchema)
		if err != nil {
			return s, fmt.Errorf("reading -reader-schema: %w", err)
		}
		s.ReaderSchema = string(b)
	}
	if c.subject != nil {
		s.Subject = *c.subject
		strategy, err := registry.ParseSubjectNameStrategy(*c.strategy)
		if err != nil {
			return s, err
		}
		s.Strategy = strategy
	}
	if *conn.registry != "" {
		rc, err := registry.NewClient(*conn.registry)
		if err != nil {
			return s, err
		}
		s.Registry = rc
	}
	return s, nil
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
