package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/codec"
	"github.com/sabot-kafka/sabot/services"
)

// specFromFlags parses args as a writing command's codec flags.
func specFromFlags(t *testing.T, args ...string) (codec.Spec, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	conn, cf := addConnFlags(fs), addCodecFlags(fs, true)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cf.spec(conn, "orders", 0)
}

func TestCodecFlagsBuildTheFormat(t *testing.T) {
	t.Setenv(services.EnvRegistry, "")
	dir := t.TempDir()
	schema := filepath.Join(dir, "s.txt")
	if err := os.WriteFile(schema, []byte("the schema"), 0o600); err != nil {
		t.Fatal(err)
	}
	const reg = "http://127.0.0.1:1"

	s, err := specFromFlags(t, "-codec", "AVRO", "-schema", schema, "-reader-schema", schema, "-registry", reg, "-subject", "orders-v")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := s.Format.(codec.Avro); !ok || f.Schema != "the schema" || f.ReaderSchema != "the schema" ||
		s.Registry == nil || s.Subject != "orders-v" || s.Strategy == nil || s.Topic != "orders" {
		t.Errorf("avro spec %+v", s)
	}
	s, err = specFromFlags(t, "-codec", "protobuf", "-schema", schema, "-message", "shop.Order")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := s.Format.(codec.Protobuf); !ok || f.Schema != "the schema" || f.Message != "shop.Order" || s.Registry != nil || s.Topic != "" {
		t.Errorf("protobuf spec %+v", s)
	}
	// A registry is not given to a format that uses none; -layout gives
	// the columns.
	layout := filepath.Join(dir, "layout.json")
	if err := os.WriteFile(layout, []byte(`{"type":"object","properties":{"n":{"type":"integer"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = specFromFlags(t, "-codec", "json", "-layout", layout, "-registry", reg)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := s.Format.(codec.JSON); !ok || f.ArrowSchema == nil || f.ArrowSchema.Field(0).Name != "n" ||
		s.Registry != nil || s.Strategy != nil || s.Topic != "" {
		t.Errorf("json spec %+v", s)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("json spec invalid: %v", err)
	}
	s, err = specFromFlags(t, "-codec", "bytes", "-column", "payload")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := s.Format.(codec.Bytes); !ok || f.Column != "payload" {
		t.Errorf("bytes spec %+v", s)
	}

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-codec", "yaml"}, []string{`unknown codec type "yaml"`}},
		{[]string{"-codec", "string", "-schema", schema, "-message", "M"}, []string{"-schema does not apply to -codec string", "-message does not apply"}},
		{[]string{"-codec", "json", "-reader-schema", schema, "-column", "c"}, []string{"-reader-schema does not apply to -codec json", "-column does not apply"}},
		{[]string{"-codec", "json", "-schema", schema}, []string{"-schema does not apply to -codec json", "give the columns as -layout"}},
		{[]string{"-codec", "avro", "-layout", schema}, []string{"-layout does not apply to -codec avro"}},
		{[]string{"-codec", "msgpack", "-layout", schema}, []string{"-layout", "neither an Arrow IPC file or stream nor a JSON object"}},
		{[]string{"-codec", "msgpack", "-subject", "s", "-subject-strategy", "record"}, []string{"-subject does not apply to -codec msgpack", "-subject-strategy does not apply"}},
		{[]string{"-codec", "avro", "-schema", schema, "-subject", "s"}, []string{"-subject needs -registry"}},
		{[]string{"-codec", "avro", "-registry", reg, "-subject-strategy", "bogus"}, []string{"bogus"}},
	} {
		_, err := specFromFlags(t, tc.args...)
		if err == nil {
			t.Errorf("%v accepted", tc.args)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not mention %q", tc.args, err, w)
			}
		}
	}
}
