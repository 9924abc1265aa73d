package memregistry

import (
	"context"

	"github.com/twmb/avro"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/protoschema"
)

// The format query parameter, as Confluent's registry reads it: "serialized"
// (a base64 FileDescriptorProto) and "ignore_extensions" for Protobuf,
// "resolved" (references inlined) for Avro. "", "default" and any value a
// type does not know give the stored text: Confluent answers unknown formats
// that way, for forward compatibility, rather than failing.
const (
	formatSerialized       = "serialized"
	formatIgnoreExtensions = "ignore_extensions"
	formatResolved         = "resolved"
)

// formatted renders st as format asks. The stored schema compiled when it
// was registered, so a failure here is the registry's own fault (50001).
func formatted(st *stored, format string) (string, *apiError) {
	var (
		text string
		err  error
	)
	switch t := st.schema.Type.Normalized(); {
	case t == registry.TypeProtobuf && (format == formatSerialized || format == formatIgnoreExtensions):
		text, err = formatProtobuf(st, format)
	case t == registry.TypeAvro && format == formatResolved && len(st.deps) > 0:
		text, err = resolveAvro(st)
	default:
		return st.schema.Text, nil
	}
	if err != nil {
		return "", errorf(registry.CodeStoreError, "Error while formatting schema %d as %s: %v", st.id, format, err)
	}
	return text, nil
}

func formatProtobuf(st *stored, format string) (string, error) {
	fd, err := protoschema.Compile(context.Background(), "", st.schema.Text, depTexts(st.deps))
	if err != nil {
		return "", err
	}
	if format == formatSerialized {
		return protoschema.Serialize(fd, protoschema.DefaultName), nil
	}
	if fd, err = protoschema.WithoutExtensions(fd); err != nil {
		return "", err
	}
	return protoschema.Print(fd)
}

// resolveAvro inlines the named types st's references define at their first
// use, as Confluent's "resolved" format does.
func resolveAvro(st *stored) (string, error) {
	var cache avro.SchemaCache
	for _, d := range st.deps { // dependencies first
		if _, err := cache.Parse(d.Schema.Text); err != nil {
			return "", err
		}
	}
	s, err := cache.Parse(st.schema.Text)
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// depTexts maps each dependency's import name to its text.
func depTexts(deps []registry.Dependency) map[string]string {
	out := make(map[string]string, len(deps))
	for _, d := range deps {
		out[d.Name] = d.Schema.Text
	}
	return out
}

// protoText turns a Protobuf schema in the serialized form into .proto
// text, as Confluent's registry stores it; text is returned as it is.
func protoText(text string, deps []registry.Dependency) (string, error) {
	if !protoschema.IsSerialized(text) {
		return text, nil
	}
	fd, err := protoschema.Compile(context.Background(), "", text, depTexts(deps))
	if err != nil {
		return "", err
	}
	return protoschema.Print(fd)
}
