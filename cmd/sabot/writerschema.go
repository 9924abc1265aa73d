package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/registry"
)

// writerSchemaOf returns the writer schema text a registry format was given
// ("" for the other formats).
func writerSchemaOf(f codec.Format) string {
	switch f := f.(type) {
	case codec.Avro:
		return f.Schema
	case codec.JSONSchema:
		return f.Schema
	case codec.Protobuf:
		return f.Schema
	}
	return ""
}

// hasLayout reports whether the format's columns are fixed by a schema or a
// layout (else they are inferred from the data).
func hasLayout(f codec.Format) bool {
	switch f := f.(type) {
	case codec.JSON:
		return f.ArrowSchema != nil
	case codec.MsgPack:
		return f.ArrowSchema != nil
	case codec.Arrow:
		return f.ArrowSchema != nil
	}
	return writerSchemaOf(f) != ""
}

// latestSchema returns the latest version of subject with everything its
// references reach; ok is false when the registry has no such subject.
func latestSchema(ctx context.Context, spec codec.Spec, subject string) (rs registry.ResolvedSchema, version int, ok bool, err error) {
	rc, isClient := spec.Registry.(*registry.Client)
	if !isClient {
		return rs, 0, false, nil
	}
	ss, err := rc.LatestVersion(ctx, subject)
	if errors.Is(err, registry.ErrNotFound) {
		return rs, 0, false, nil
	}
	if err != nil {
		return rs, 0, false, fmt.Errorf("subject %s: %w", subject, err)
	}
	if rs, err = rc.Resolve(ctx, ss.ID); err != nil {
		return rs, 0, false, fmt.Errorf("subject %s version %d: %w", subject, ss.Version, err)
	}
	return rs, ss.Version, true, nil
}

// withWriterSchema returns the registry format f with rs as its writer
// schema, references included.
func withWriterSchema(f codec.Format, rs registry.ResolvedSchema, subject string) (codec.Format, error) {
	want := registry.TypeAvro
	switch f.(type) {
	case codec.JSONSchema:
		want = registry.TypeJSON
	case codec.Protobuf:
		want = registry.TypeProtobuf
	}
	if got := rs.Type.Normalized(); got != want {
		return nil, fmt.Errorf("subject %s holds a %s schema, not one for -codec %s", subject, got, f.Name())
	}
	switch f := f.(type) {
	case codec.Avro:
		f.Schema, f.References, f.Deps = rs.Text, rs.References, rs.Deps
		return f, nil
	case codec.JSONSchema:
		f.Schema, f.References, f.Deps = rs.Text, rs.References, rs.Deps
		return f, nil
	case codec.Protobuf:
		f.Schema, f.References = rs.Text, rs.References
		if len(rs.Deps) > 0 {
			f.Imports = make(map[string]string, len(rs.Deps))
			for _, d := range rs.Deps {
				f.Imports[d.Name] = d.Schema.Text
			}
		}
		return f, nil
	}
	return f, nil
}

// useSubjectSchema gives a registry format that has no -schema the latest
// writer schema of its subject, when the registry has one: records are then
// written with the schema readers of the topic already use, and their
// columns take its layout. The subject is -subject, or the topic strategy's
// "{topic}-value"; a record-name strategy needs the record, so a schema
// comes from -schema then.
func useSubjectSchema(ctx context.Context, spec *codec.Spec, topicStrategy bool, note func(string, ...any)) error {
	switch spec.Format.(type) {
	case codec.Avro, codec.JSONSchema, codec.Protobuf:
	default:
		return nil
	}
	if spec.Registry == nil || writerSchemaOf(spec.Format) != "" {
		return nil
	}
	subject := spec.Subject
	if subject == "" {
		if !topicStrategy {
			return nil
		}
		var err error
		if subject, err = registry.TopicNameStrategy(spec.Topic, false, ""); err != nil {
			return err
		}
	}
	rs, version, ok, err := latestSchema(ctx, *spec, subject)
	if err != nil || !ok {
		return err
	}
	f, err := withWriterSchema(spec.Format, rs, subject)
	if err != nil {
		return err
	}
	spec.Format = f
	note("writing with the schema of subject %s version %d (id %d)", subject, version, rs.ID)
	return nil
}

// schemaLayout is the Arrow schema (value and metadata columns) of values
// decoded with the registry format f given text as its schema, without a
// registry.
func schemaLayout(spec codec.Spec, f codec.Format) (*arrow.Schema, error) {
	dec, err := codec.NewDecoder(codec.Spec{Format: f, Metadata: spec.Metadata, Limits: spec.Limits})
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	return dec.Schema(), nil
}
