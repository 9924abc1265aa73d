package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/compat"
)

func runSchema(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	subs := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"register": schemaRegister,
		"get":      schemaGet,
		"check":    schemaCheck,
	}
	if len(args) > 0 {
		if f, ok := subs[args[0]]; ok {
			return f(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, `usage: sabot schema <register|get|check> [flags]

  register  register a schema under a subject and print its id
  get       print a schema by id, or a subject's version (latest by default)
  check     check a schema's compatibility: against a subject on the registry,
            or locally (-local) against schema files, with no registry

Run 'sabot schema <command> -help' for flags and examples.`)
	if len(args) == 0 || args[0] == "-help" || args[0] == "-h" || args[0] == "help" {
		return nil
	}
	return errUsage
}

// schemaFlags are the flags naming a schema file, its type and references.
type schemaFlags struct {
	file, schemaType, refs *string
}

func addSchemaFlags(fs interface {
	String(name, value, usage string) *string
}) schemaFlags {
	return schemaFlags{
		file:       fs.String("file", "", "schema file (required)"),
		schemaType: fs.String("type", "", "AVRO, PROTOBUF or JSON (default: from the file extension, .avsc/.proto/.json)"),
		refs:       fs.String("refs", "", "references: name=subject:version,... (imports, named types, $refs)"),
	}
}

func (f schemaFlags) load() (registry.Schema, error) {
	if *f.file == "" {
		return registry.Schema{}, fmt.Errorf("-file is required")
	}
	text, err := os.ReadFile(*f.file)
	if err != nil {
		return registry.Schema{}, err
	}
	s := registry.Schema{Text: string(text), Type: registry.SchemaType(strings.ToUpper(*f.schemaType))}
	if s.Type == "" {
		s.Type = typeFromExt(*f.file)
	}
	refs, err := parseRefs(*f.refs)
	if err != nil {
		return s, err
	}
	s.References = refs
	return s, nil
}

func typeFromExt(path string) registry.SchemaType {
	switch {
	case strings.HasSuffix(path, ".proto"):
		return registry.TypeProtobuf
	case strings.HasSuffix(path, ".json"):
		return registry.TypeJSON
	}
	return registry.TypeAvro
}

func parseRefs(v string) ([]registry.Reference, error) {
	if v == "" {
		return nil, nil
	}
	var out []registry.Reference
	for _, item := range strings.Split(v, ",") {
		name, rest, ok1 := strings.Cut(item, "=")
		subject, version, ok2 := strings.Cut(rest, ":")
		n, err := strconv.Atoi(version)
		if !ok1 || !ok2 || err != nil {
			return nil, fmt.Errorf("bad reference %q (want name=subject:version)", item)
		}
		out = append(out, registry.Reference{Name: name, Subject: subject, Version: n})
	}
	return out, nil
}

func registryClient(conn connFlags) (*registry.Client, error) {
	if *conn.registry == "" {
		return nil, fmt.Errorf("-registry (or $SABOT_REGISTRY_URL) is required")
	}
	return registry.NewClient(*conn.registry)
}

func schemaRegister(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schema register", "Registers a schema under a subject (or finds it there) and prints its id.",
		`  sabot schema register -subject transactions-value -file transaction.avsc
  sabot schema register -subject orders-value -file order.proto -refs common.proto=common-value:1
`, stderr)
	conn := addConnFlags(fs)
	subject := fs.String("subject", "", "subject (required)")
	sf := addSchemaFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *subject == "" {
		return fmt.Errorf("-subject is required")
	}
	s, err := sf.load()
	if err != nil {
		return err
	}
	rc, err := registryClient(conn)
	if err != nil {
		return err
	}
	id, err := rc.Register(ctx, *subject, s)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, id)
	return nil
}

func schemaGet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schema get", "Prints a schema as JSON: by -id, or a -subject's -version (latest by default).",
		`  sabot schema get -id 7
  sabot schema get -subject transactions-value -version 2
`, stderr)
	conn := addConnFlags(fs)
	id := fs.Int("id", 0, "schema id")
	subject := fs.String("subject", "", "subject")
	version := fs.String("version", "latest", "version number or latest")
	if err := parse(fs, args); err != nil {
		return err
	}
	rc, err := registryClient(conn)
	if err != nil {
		return err
	}
	var out any
	switch {
	case *id > 0:
		s, err := rc.SchemaByID(ctx, *id)
		if err != nil {
			return err
		}
		out = s
	case *subject != "":
		v := -1
		if *version != "latest" {
			if v, err = strconv.Atoi(*version); err != nil {
				return fmt.Errorf("bad -version %q", *version)
			}
		}
		s, err := rc.SchemaVersion(ctx, *subject, v, false)
		if err != nil {
			return err
		}
		out = s
	default:
		return fmt.Errorf("give -id or -subject")
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func schemaCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schema check", "Checks whether a schema is compatible. With -local it applies the registry's\n"+
		"rules here, against the schema files given with -against (oldest first), at\n"+
		"-level; otherwise it asks the registry about -subject. Exits 1 when the schema\n"+
		"is not compatible.",
		`  sabot schema check -subject transactions-value -file transaction-v2.avsc
  sabot schema check -local -level BACKWARD_TRANSITIVE -file v3.avsc -against v1.avsc,v2.avsc
`, stderr)
	conn := addConnFlags(fs)
	subject := fs.String("subject", "", "subject to check against (registry mode)")
	version := fs.String("version", "all", "registry mode: a version number, latest, or all")
	local := fs.Bool("local", false, "check here, with no registry")
	level := fs.String("level", "BACKWARD", "local mode: NONE, BACKWARD, FORWARD, FULL, or a _TRANSITIVE one")
	against := fs.String("against", "", "local mode: existing schema files, oldest first")
	sf := addSchemaFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := sf.load()
	if err != nil {
		return err
	}
	var compatible bool
	var messages []string
	if *local {
		compatible, messages, err = checkLocal(s, *against, *level)
	} else {
		compatible, messages, err = checkRemote(ctx, conn, *subject, *version, s)
	}
	if err != nil {
		return err
	}
	if compatible {
		fmt.Fprintln(stdout, "compatible")
		return nil
	}
	fmt.Fprintln(stdout, "NOT compatible")
	for _, m := range messages {
		fmt.Fprintln(stdout, "  "+m)
	}
	return fmt.Errorf("schema is not compatible")
}

func checkLocal(s registry.Schema, against, levelName string) (bool, []string, error) {
	level, err := registry.ParseCompatibilityLevel(levelName)
	if err != nil {
		return false, nil, err
	}
	var existing []registry.ResolvedSchema
	if against != "" {
		for _, path := range strings.Split(against, ",") {
			text, err := os.ReadFile(path) // #nosec G304 -- the user names the schema files
			if err != nil {
				return false, nil, err
			}
			existing = append(existing, registry.ResolvedSchema{Schema: registry.Schema{Type: s.Type, Text: string(text)}})
		}
	}
	res, err := compat.Check(registry.ResolvedSchema{Schema: s}, existing, level)
	if err != nil {
		return false, nil, err
	}
	return res.Compatible, res.Messages, nil
}

func checkRemote(ctx context.Context, conn connFlags, subject, version string, s registry.Schema) (bool, []string, error) {
	if subject == "" {
		return false, nil, fmt.Errorf("-subject is required (or use -local)")
	}
	rc, err := registryClient(conn)
	if err != nil {
		return false, nil, err
	}
	var res registry.CompatibilityResult
	switch version {
	case "all":
		res, err = rc.CheckCompatibilityAll(ctx, subject, s, true)
	case "latest":
		res, err = rc.CheckCompatibility(ctx, subject, -1, s, true)
	default:
		v, aerr := strconv.Atoi(version)
		if aerr != nil {
			return false, nil, fmt.Errorf("bad -version %q", version)
		}
		res, err = rc.CheckCompatibility(ctx, subject, v, s, true)
	}
	return res.Compatible, res.Messages, err
}
