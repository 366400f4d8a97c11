package components

import "fmt"

// BarPoint is one bar of a bar chart.
type BarPoint struct {
	Label string // under the bar (e.g. "Mon 23")
	Short string // under the bar on phones (e.g. "23")
	Value int64
	Title string // tooltip
}

// barGeometry lays bars out in a 100-unit-high box, 28 units per bar.
type barGeometry struct {
	X, Y, W, H float64
	LabelX     float64
	Point      BarPoint
}

// The box keeps roughly the proportions it is drawn at on a desktop card, so
// the SVG scales evenly (text is not stretched) at every width.
const (
	chartBarStep   = 60.0
	chartBarWidth  = 38.0
	chartPlotH     = 130.0
	chartLabelRoom = 26.0
)

func bars(points []BarPoint) []barGeometry {
	var top int64 = 1
	for _, p := range points {
		top = max(top, p.Value)
	}
	out := make([]barGeometry, len(points))
	for i, p := range points {
		h := float64(p.Value) / float64(top) * (chartPlotH - 22)
		if p.Value > 0 && h < 2 {
			h = 2
		}
		x := float64(i)*chartBarStep + (chartBarStep-chartBarWidth)/2
		out[i] = barGeometry{X: x, Y: chartPlotH - h, W: chartBarWidth, H: h, LabelX: x + chartBarWidth/2, Point: p}
	}
	return out
}

func chartViewBox(n int) string {
	return fmt.Sprintf("0 0 %g %g", float64(n)*chartBarStep, chartPlotH+chartLabelRoom)
}

func f(v float64) string { return fmt.Sprintf("%.1f", v) }
