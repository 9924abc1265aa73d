package bench

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/bench")

// fixedReport is a report with every role and two groups.
func fixedReport() *Report {
	row := func(kind, format, impl, role string, median, min, max float64) Summary {
		return Summary{
			Name: kind + "/" + format + "/" + impl, Kind: kind, Format: format, Impl: impl, Role: role,
			RecordBytes: 100, ValueBytes: 46, Compression: "none", Samples: 3,
			Median: median, Min: min, Max: max, MBPerSec: median * 46 / 1e6,
			AllocsPerRecord: 0.25, BytesPerRecord: 120, CPUSeconds: 1.5, PeakRSSMB: 200, Records: 1_000_000, Out: 900_000,
		}
	}
	return &Report{
		Title: "sabot-bench", Machine: "linux/amd64, 2 CPUs", Broker: "embedded <kfake> & co", Settings: "1000000 records/run",
		Load: "1.5 at start, 2.5 at end",
		Results: []Summary{
			row(KindPipeline, "avro", RoleSabot, RoleSabot, 1_200_000, 1_100_000, 1_300_000),
			row(KindPipeline, "avro", "franz-go", RoleCeiling, 1_500_000, 1_400_000, 1_600_000),
			row(KindPipeline, "avro", "hamba", RolePerRecord, 400_000, 390_000, 410_000),
			row(KindConsume, "avro", RoleSabot, RoleSabot, 2_000_000, 1_900_000, 2_100_000),
			row(KindConsume, "avro", "hamba", RolePerRecord, 500_000, 450_000, 550_000),
		},
		Notes: []string{"encode/json_schema: not measured: not available"},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "bench", name)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path) // #nosec G304 -- test golden file
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs (go test ./bench -run %s -update rewrites it):\n%s", name, t.Name(), got)
	}
}

func TestRatios(t *testing.T) {
	r := fixedReport()
	for _, tc := range []struct {
		row  int
		want []Ratio
	}{
		{0, []Ratio{{"franz-go", RoleCeiling, 0.8}, {"hamba", RolePerRecord, 3}}},
		{3, []Ratio{{"hamba", RolePerRecord, 4}}},
		{1, nil}, // baselines get no ratios
	} {
		got := r.Ratios(r.Results[tc.row])
		if len(got) != len(tc.want) {
			t.Fatalf("row %d: ratios %+v, want %+v", tc.row, got, tc.want)
		}
		for i := range got {
			if got[i].Impl != tc.want[i].Impl || got[i].Role != tc.want[i].Role || abs(got[i].Ratio-tc.want[i].Ratio) > 1e-9 {
				t.Errorf("row %d ratio %d: %+v, want %+v", tc.row, i, got[i], tc.want[i])
			}
		}
	}
	if got := ratioText(r.Ratios(r.Results[0])); got != "80% of franz-go, 3.0x hamba" {
		t.Errorf("ratio text %q", got)
	}
}

func abs(x float64) float64 { return max(x, -x) }

func TestWriteTableGolden(t *testing.T) {
	var b bytes.Buffer
	if err := fixedReport().WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.txt", b.Bytes())
}

func TestWriteJSONRoundTrip(t *testing.T) {
	var b bytes.Buffer
	r := fixedReport()
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", b.Bytes())
	back, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != len(r.Results) || back.Results[2] != r.Results[2] || back.Broker != r.Broker || len(back.Notes) != 1 {
		t.Fatalf("round trip changed the report:\n%+v\n%+v", back, r)
	}
	if _, err := ReadJSON(strings.NewReader("{")); err == nil {
		t.Fatal("truncated JSON accepted")
	}
}

func TestWriteSVG(t *testing.T) {
	var b bytes.Buffer
	if err := fixedReport().WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.svg", b.Bytes())
	// Well-formed XML with one bar per result, Sabot's blue and the rest grey.
	dec := xml.NewDecoder(&b)
	fills := map[string]int{}
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			for _, a := range se.Attr {
				if a.Name.Local == "fill" {
					fills[a.Value]++
				}
			}
		}
	}
	if fills["#4878a8"] != 2 || fills["#b0b0b0"] != 3 {
		t.Fatalf("bars by colour %v, want 2 Sabot and 3 baselines", fills)
	}
}

func TestHumanCount(t *testing.T) {
	for in, want := range map[float64]string{12: "12", 45_600: "46K", 1_234_567: "1.23M"} {
		if got := humanCount(in); got != want {
			t.Errorf("humanCount(%v) = %q, want %q", in, got, want)
		}
	}
}
