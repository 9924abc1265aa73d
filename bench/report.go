package bench

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
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
	Results  []Summary `json:"results"`
}

// find returns the summary named name.
func (r *Report) find(name string) (Summary, bool) {
	for _, s := range r.Results {
		if s.Name == name {
			return s, true
		}
	}
	return Summary{}, false
}

// Ratio is a result's median records/s over its baseline's, 0 when either is
// missing.
func (r *Report) Ratio(s Summary) float64 {
	if s.Baseline == "" {
		return 0
	}
	b, ok := r.find(s.Baseline)
	if !ok || b.Median == 0 {
		return 0
	}
	return s.Median / b.Median
}

// WriteTable prints the report as an aligned table.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder // strings.Builder writes cannot fail; w is written once
	fmt.Fprintf(&b, "%s\n%s | broker: %s | %s\n\n", r.Title, r.Machine, r.Broker, r.Settings)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trecords/s\tspread\tMB/s\tallocs/rec\tB/rec\tCPU s\tpeak RSS MB\tvs baseline\t")
	for _, s := range r.Results {
		ratio := ""
		if x := r.Ratio(s); x > 0 {
			ratio = fmt.Sprintf("%.2fx %s", x, s.Baseline)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t±%.0f%%\t%.1f\t%.2f\t%.0f\t%.2f\t%.0f\t%s\t\n",
			s.Name, s.Median, 50*s.Spread(), s.MBPerSec, s.AllocsPerRecord, s.BytesPerRecord, s.CPUSeconds, s.PeakRSSMB, ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteSVG draws a horizontal bar chart of median records/s with min–max
// whiskers, one bar per result.
func (r *Report) WriteSVG(w io.Writer) error {
	const (
		rowH, labelW, barW, top = 22, 300, 460, 46
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
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", labelW+barW+140, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", html.EscapeString(r.Title))
	fmt.Fprintf(&b, `<text x="10" y="36" fill="#555">%s · broker: %s</text>`+"\n", html.EscapeString(r.Machine), html.EscapeString(r.Broker))
	for i, s := range r.Results {
		y := top + i*rowH
		scale := func(v float64) float64 { return labelW + barW*v/maxV }
		color := "#4878a8"
		if strings.HasPrefix(s.Name, "baseline") || strings.Contains(s.Name, "/baseline") {
			color = "#b0b0b0"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW-6, y+14, html.EscapeString(s.Name))
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
