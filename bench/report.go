package bench

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// Report is a set of summaries from one run of the harness, with the machine
// and settings they were measured on.
type Report struct {
	Title    string    `json:"title"`
	Machine  string    `json:"machine"`
	Broker   string    `json:"broker"`
	Settings string    `json:"settings"`
	Load     string    `json:"load,omitempty"` // load average before and after, for how noisy the machine was
	Results  []Summary `json:"results"`
	Notes    []string  `json:"notes,omitempty"` // scenarios not measured and why
}

// Ratio is one comparison of a Sabot result with another implementation of
// its group.
type Ratio struct {
	Impl  string  `json:"impl"`
	Role  string  `json:"role"`
	Ratio float64 `json:"ratio"` // Sabot's median records/s over the other's
}

// sameGroup reports whether a and b measure the same kind on the same data.
func sameGroup(a, b Summary) bool {
	return a.Kind == b.Kind && a.Format == b.Format && a.RecordBytes == b.RecordBytes && a.Compression == b.Compression
}

// Ratios compares a Sabot result with every other implementation in its
// group: the ceiling, the per-record libraries, confluent-kafka-go. It is
// empty for results that are not Sabot's.
func (r *Report) Ratios(s Summary) []Ratio {
	if s.Role != RoleSabot {
		return nil
	}
	var out []Ratio
	for _, o := range r.Results {
		if o.Role == RoleSabot || !sameGroup(s, o) || o.Median == 0 {
			continue
		}
		out = append(out, Ratio{Impl: o.Impl, Role: o.Role, Ratio: s.Median / o.Median})
	}
	return out
}

// ratioText renders Ratios: "×5.1 hamba · 62% of franz-go".
func ratioText(rs []Ratio) string {
	var parts []string
	for _, x := range rs {
		if x.Role == RoleCeiling {
			parts = append(parts, fmt.Sprintf("%.0f%% of %s", 100*x.Ratio, x.Impl))
			continue
		}
		parts = append(parts, fmt.Sprintf("%.1fx %s", x.Ratio, x.Impl))
	}
	return strings.Join(parts, ", ")
}

// WriteTable prints the report as an aligned table. For each Sabot row the
// last column gives its speed-up over each baseline of its group and the
// share of the raw franz-go ceiling it reaches.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder // strings.Builder writes cannot fail; w is written once
	fmt.Fprintf(&b, "%s\n%s\nbroker: %s\n%s\n", r.Title, r.Machine, r.Broker, r.Settings)
	if r.Load != "" {
		fmt.Fprintf(&b, "load average: %s\n", r.Load)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tsize\tcomp\trecords/s\tspread\tMB/s\tallocs/rec\tB/rec\tCPU s\tRSS MB\tSabot vs baseline")
	for _, s := range r.Results {
		size := ""
		if s.RecordBytes > 0 {
			size = fmt.Sprintf("%dB(%d)", s.RecordBytes, s.ValueBytes)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t±%.0f%%\t%.1f\t%.2f\t%.0f\t%.2f\t%.0f\t%s\n",
			s.Name, size, s.Compression, humanCount(s.Median), 50*s.Spread(), s.MBPerSec,
			s.AllocsPerRecord, s.BytesPerRecord, s.CPUSeconds, s.PeakRSSMB, ratioText(r.Ratios(s)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonReport is Report with each Sabot result's ratios spelled out.
type jsonReport struct {
	*Report
	Results []jsonSummary `json:"results"`
}

type jsonSummary struct {
	Summary
	Spread float64 `json:"spread"`
	Ratios []Ratio `json:"ratios,omitempty"`
}

// WriteJSON writes the report as indented JSON, each Sabot result with its
// ratios to the baselines of its group.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{Report: r}
	for _, s := range r.Results {
		out.Results = append(out.Results, jsonSummary{Summary: s, Spread: s.Spread(), Ratios: r.Ratios(s)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// ReadJSON reads a report written by WriteJSON.
func ReadJSON(rd io.Reader) (*Report, error) {
	var in struct {
		Report
		Results []jsonSummary `json:"results"`
	}
	if err := json.NewDecoder(rd).Decode(&in); err != nil {
		return nil, fmt.Errorf("bench: reading report: %w", err)
	}
	r := in.Report
	r.Results = nil
	for _, s := range in.Results {
		r.Results = append(r.Results, s.Summary)
	}
	return &r, nil
}

// WriteSVG draws a horizontal bar chart of median records/s with min–max
// whiskers, one bar per result; Sabot's bars are blue, baselines grey.
func (r *Report) WriteSVG(w io.Writer) error {
	const (
		rowH, labelW, barW, top = 22, 380, 460, 46
	)
	maxV := 0.0
	for _, s := range r.Results {
		maxV = max(maxV, s.Max, s.Median)
	}
	if maxV == 0 {
		maxV = 1
	}
	height := top + rowH*len(r.Results) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", labelW+barW+150, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", html.EscapeString(r.Title))
	fmt.Fprintf(&b, `<text x="10" y="36" fill="#555">%s · broker: %s</text>`+"\n", html.EscapeString(r.Machine), html.EscapeString(r.Broker))
	for i, s := range r.Results {
		y := top + i*rowH
		scale := func(v float64) float64 { return labelW + barW*v/maxV }
		color := "#4878a8"
		if s.Role != RoleSabot && s.Role != "" {
			color = "#b0b0b0"
		}
		label := s.Name
		if s.RecordBytes > 0 {
			label = fmt.Sprintf("%s %dB %s", s.Name, s.RecordBytes, s.Compression)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW-6, y+14, html.EscapeString(strings.TrimSpace(label)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", labelW, y+3, scale(s.Median)-labelW, rowH-6, color)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="black"/>`+"\n", scale(s.Min), scale(s.Max), y+rowH/2, y+rowH/2)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s/s</text>`+"\n", scale(max(s.Median, s.Max))+6, y+14, humanCount(s.Median))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// humanCount formats n as 1.23M, 456K or 789.
func humanCount(n float64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", n/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0fK", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}

// LoadAverage is the 1-minute load average from /proc/loadavg ("" where
// unavailable).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// cpuModel is the CPU's model name from /proc/cpuinfo ("" where unavailable).
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
