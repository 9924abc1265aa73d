package compat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sabot-kafka/sabot/registry"
)

// MaxSchemaSize caps the schema text (and each referenced schema) the
// checker parses.
const MaxSchemaSize = 4 << 20

// ErrInvalidSchema is wrapped by errors for schema text that does not parse.
var ErrInvalidSchema = errors.New("compat: invalid schema")

// Issue is one reason a schema is not compatible: a rule name in Confluent's
// spelling (READER_FIELD_MISSING_DEFAULT_VALUE, FIELD_KIND_CHANGED,
// PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, ...), where it applies and what it
// means.
type Issue struct {
	Kind    string
	Path    string
	Message string
}

func (i Issue) String() string {
	s := i.Kind + " at " + i.Path
	if i.Message != "" {
		s += ": " + i.Message
	}
	return s
}

// Result is a verdict with the reasons for it.
type Result struct {
	Compatible bool
	// Messages explain an incompatibility: which existing schema, which
	// direction, which rule.
	Messages []string
}

// Schema is a schema parsed once for any number of checks.
type Schema struct {
	typ   registry.SchemaType
	avro  *avroSchema
	proto *protoSchema
	json  *jsonNode
}

// Type is the schema's type.
func (s *Schema) Type() registry.SchemaType { return s.typ }

// Parse parses a schema and its dependencies. Text that does not parse gives
// an error wrapping ErrInvalidSchema; a type other than AVRO, PROTOBUF or JSON
// too.
func Parse(s registry.ResolvedSchema) (*Schema, error) {
	typ := s.Type.Normalized()
	if len(s.Text) > MaxSchemaSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrInvalidSchema, len(s.Text), MaxSchemaSize)
	}
	for _, d := range s.Deps {
		if len(d.Schema.Text) > MaxSchemaSize {
			return nil, fmt.Errorf("%w: reference %q is %d bytes, more than %d", ErrInvalidSchema, d.Name, len(d.Schema.Text), MaxSchemaSize)
		}
	}
	out := &Schema{typ: typ}
	var err error
	switch typ {
	case registry.TypeAvro:
		out.avro, err = parseAvro(s.Text, s.Deps)
	case registry.TypeProtobuf:
		out.proto, err = parseProtobuf(s.Text, s.Deps)
	case registry.TypeJSON:
		out.json, err = parseJSONSchema(s.Text, s.Deps)
	default:
		return nil, fmt.Errorf("%w: unknown schema type %q", ErrInvalidSchema, s.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidSchema, typ, err)
	}
	return out, nil
}

// Check reports whether newSchema may follow the existing versions of a
// subject (oldest first) under level, with no registry involved: the rules
// Confluent's registry applies, for Avro, Protobuf and JSON Schema. Each
// schema carries its references already resolved (ResolvedSchema.Deps).
// Errors are for schemas that do not parse and unknown levels; an
// incompatibility is a verdict, not an error.
func Check(newSchema registry.ResolvedSchema, existing []registry.ResolvedSchema, level registry.CompatibilityLevel) (Result, error) {
	if _, err := registry.ParseCompatibilityLevel(string(level)); err != nil {
		return Result{}, fmt.Errorf("compat: %w", err)
	}
	n, err := Parse(newSchema)
	if err != nil {
		return Result{}, fmt.Errorf("compat: new schema: %w", err)
	}
	olds := existing
	if !level.Transitive() && len(olds) > 1 {
		olds = olds[len(olds)-1:]
	}
	if level == registry.CompatNone {
		olds = nil
	}
	parsed := make([]*Schema, len(olds))
	for i, o := range olds {
		if parsed[i], err = Parse(o); err != nil {
			return Result{}, fmt.Errorf("compat: existing schema %s: %w", versionLabel(len(existing)-len(olds)+i, o.ID), err)
		}
	}
	return CheckParsed(n, parsed, level)
}

// CheckParsed is Check over schemas parsed with Parse, for callers that check
// the same schemas often (a registry server).
func CheckParsed(newSchema *Schema, existing []*Schema, level registry.CompatibilityLevel) (Result, error) {
	if _, err := registry.ParseCompatibilityLevel(string(level)); err != nil {
		return Result{}, fmt.Errorf("compat: %w", err)
	}
	res := Result{Compatible: true}
	if level == registry.CompatNone || len(existing) == 0 {
		return res, nil
	}
	first := 0
	if !level.Transitive() {
		first = len(existing) - 1
	}
	// Newest first: the latest version's problems are the ones users look
	// for first.
	for i := len(existing) - 1; i >= first; i-- {
		old := existing[i]
		who := "the latest schema"
		if i < len(existing)-1 {
			who = fmt.Sprintf("existing schema %d of %d", i+1, len(existing))
		}
		if old.typ != newSchema.typ {
			res.Compatible = false
			res.Messages = append(res.Messages, fmt.Sprintf("%s is %s, the new schema is %s: incompatible because of different schema type", who, old.typ, newSchema.typ))
			continue
		}
		if level.Backward() {
			for _, is := range issues(old, newSchema) {
				res.Compatible = false
				res.Messages = append(res.Messages, fmt.Sprintf("%s, BACKWARD (new schema reads old data): %s", who, is))
			}
		}
		if level.Forward() {
			for _, is := range issues(newSchema, old) {
				res.Compatible = false
				res.Messages = append(res.Messages, fmt.Sprintf("%s, FORWARD (old schema reads new data): %s", who, is))
			}
		}
	}
	return res, nil
}

// issues lists why update cannot take the place of original: update must
// read (accept) everything written with (valid under) original.
func issues(original, update *Schema) []Issue {
	switch original.typ {
	case registry.TypeAvro:
		return checkAvro(update.avro, original.avro)
	case registry.TypeProtobuf:
		return checkProtobuf(original.proto, update.proto)
	case registry.TypeJSON:
		return checkJSONSchema(original.json, update.json)
	}
	return []Issue{{Kind: "UNKNOWN_TYPE", Path: "/", Message: string(original.typ)}}
}

func versionLabel(i, id int) string {
	s := strconv.Itoa(i + 1)
	if id > 0 {
		s += " (id " + strconv.Itoa(id) + ")"
	}
	return s
}

// dedupe drops repeated issues, keeping the first of each.
func dedupe(in []Issue) []Issue {
	if len(in) < 2 {
		return in
	}
	seen := make(map[Issue]bool, len(in))
	out := in[:0:0]
	for _, is := range in {
		if !seen[is] {
			seen[is] = true
			out = append(out, is)
		}
	}
	return out
}

// joinPath joins JSON-pointer-like path segments.
func joinPath(parts []string) string {
	if len(parts) == 0 {
		return "/"
	}
	return "/" + strings.Join(parts, "/")
}
