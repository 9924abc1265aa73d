package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sabot-kafka/sabot/bench"
	"github.com/sabot-kafka/sabot/codec"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		kinds   []string
		formats []string
		sizes   []int
		comps   []string
		bad     string
	}{
		{args: nil, kinds: []string{"produce", "consume", "pipeline"}, formats: []string{codec.JSON{}.Name(), codec.Avro{}.Name(), codec.Protobuf{}.Name(), codec.MsgPack{}.Name()}, sizes: []int{100}, comps: []string{"none"}},
		{args: []string{"-kinds", "all", "-formats", "AVRO, msgpack", "-size", "100,4096", "-compression", "lz4,zstd"},
			kinds: bench.Kinds, formats: []string{codec.Avro{}.Name(), codec.MsgPack{}.Name()}, sizes: []int{100, 4096}, comps: []string{"lz4", "zstd"}},
		{args: []string{"-formats", "all"}, kinds: []string{"produce", "consume", "pipeline"}, formats: bench.Formats, sizes: []int{100}, comps: []string{"none"}},
		{args: []string{"-kinds", "shuffle"}, bad: `unknown scenario kind "shuffle"`},
		{args: []string{"-formats", "xml"}, bad: `unknown codec type "xml"`},
		{args: []string{"-size", "big"}, bad: `bad -size "big"`},
		{args: []string{"-compression", "brotli"}, bad: `unknown compression "brotli"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			o, err := parseFlags(tc.args, io.Discard)
			if tc.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tc.bad) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.cfg.Kinds, tc.kinds) || !slices.Equal(o.cfg.Formats, tc.formats) ||
				!slices.Equal(o.cfg.RecordBytes, tc.sizes) || !slices.Equal(o.cfg.Compression, tc.comps) {
				t.Fatalf("parsed %+v", o.cfg)
			}
		})
	}
}

// TestRunWritesEveryOutput runs a tiny benchmark end to end through the
// command: the table on stdout, the JSON report and the SVG chart.
func TestRunWritesEveryOutput(t *testing.T) {
	dir := t.TempDir()
	jsonPath, svgPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.svg")
	var out, errOut bytes.Buffer
	err := run([]string{"-kinds", "consume,decode", "-formats", "avro", "-records", "2000", "-reps", "2", "-warmup", "0",
		"-partitions", "2", "-json", jsonPath, "-svg", svgPath}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	for _, want := range []string{"consume/avro/sabot", "consume/avro/franz-go", "consume/avro/hamba", "decode/avro/sabot", "% of franz-go", "x hamba"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "rep 2") {
		t.Errorf("no progress lines on stderr: %q", errOut.String())
	}
	f, err := os.Open(jsonPath) // #nosec G304 -- test temp file
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var raw struct {
		Results []struct {
			Name    string `json:"name"`
			Records int64  `json:"records"`
			Samples int    `json:"samples"`
			Ratios  []struct {
				Impl string `json:"impl"`
			} `json:"ratios"`
		} `json:"results"`
	}
	if err := json.NewDecoder(f).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Results) != 5 {
		t.Fatalf("%d results in the JSON report, want 5", len(raw.Results))
	}
	for _, r := range raw.Results {
		if r.Samples != 2 {
			t.Errorf("%s: %d samples", r.Name, r.Samples)
		}
		if strings.HasSuffix(r.Name, "/sabot") && len(r.Ratios) == 0 {
			t.Errorf("%s: no ratios in the JSON", r.Name)
		}
	}
	svg, err := os.ReadFile(svgPath) // #nosec G304 -- test temp file
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(svg, []byte("<svg")) || bytes.Count(svg, []byte("<rect")) != 6 {
		t.Fatalf("chart has no bar per result:\n%s", svg)
	}
}
