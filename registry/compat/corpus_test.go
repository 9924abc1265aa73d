package compat_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/registry"
	"github.com/sabot-kafka/sabot/registry/compat"
)

// corpusCase is one entry of testdata/registry/compat/*.json.
type corpusCase struct {
	Name       string                      `json:"name"`
	Level      registry.CompatibilityLevel `json:"level"`
	Existing   []json.RawMessage           `json:"existing"`
	New        json.RawMessage             `json:"new"`
	Compatible bool                        `json:"compatible"`
	// Rule, when set, names the Confluent rule that gives the verdict
	// (documentation only).
	Rule string `json:"rule"`
	// Apicurio, when set, is Apicurio Registry's verdict where it differs
	// from Confluent's rule, and why.
	Apicurio *struct {
		Compatible bool   `json:"compatible"`
		Note       string `json:"note"`
	} `json:"apicurio"`
}

type corpus struct {
	Format registry.SchemaType `json:"format"`
	Cases  []corpusCase        `json:"cases"`
}

var corpusFiles = []string{"avro.json", "protobuf.json", "jsonschema.json"}

func loadCorpus(t testing.TB, file string) corpus {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "registry", "compat", file))
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(c.Cases) < 30 {
		t.Fatalf("%s holds %d cases, want at least 30", file, len(c.Cases))
	}
	return c
}

// schemaText turns a corpus entry into schema text: Protobuf entries are JSON
// strings holding the .proto text; Avro and JSON Schema entries are the
// schema itself.
func schemaText(t testing.TB, typ registry.SchemaType, raw json.RawMessage) string {
	t.Helper()
	if typ == registry.TypeProtobuf {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("protobuf entry is not a string: %v", err)
		}
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func (c corpusCase) schemas(t testing.TB, typ registry.SchemaType) (registry.ResolvedSchema, []registry.ResolvedSchema) {
	mk := func(raw json.RawMessage) registry.ResolvedSchema {
		return registry.ResolvedSchema{Schema: registry.Schema{Type: typ, Text: schemaText(t, typ, raw)}}
	}
	var existing []registry.ResolvedSchema
	for _, e := range c.Existing {
		existing = append(existing, mk(e))
	}
	return mk(c.New), existing
}

// TestCorpusLocal: the local checker gives Confluent's verdict on every case
// of the corpus, and explains every incompatibility.
func TestCorpusLocal(t *testing.T) {
	for _, file := range corpusFiles {
		c := loadCorpus(t, file)
		for _, tc := range c.Cases {
			t.Run(string(c.Format)+"/"+tc.Name, func(t *testing.T) {
				n, existing := tc.schemas(t, c.Format)
				for _, e := range existing {
					// A registry returns the id of a schema the subject
					// already holds without checking anything.
					if e.Text == n.Text {
						t.Fatal("the new schema equals an existing version: the case checks nothing on a server")
					}
				}
				res, err := compat.Check(n, existing, tc.Level)
				if err != nil {
					t.Fatal(err)
				}
				if res.Compatible != tc.Compatible {
					t.Fatalf("compatible = %v, want %v; messages:\n%s", res.Compatible, tc.Compatible, strings.Join(res.Messages, "\n"))
				}
				if !res.Compatible && len(res.Messages) == 0 {
					t.Fatal("incompatible without a message")
				}
				if res.Compatible && len(res.Messages) != 0 {
					t.Fatalf("compatible with messages: %v", res.Messages)
				}
			})
		}
	}
}
