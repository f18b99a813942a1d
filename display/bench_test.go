package display

import (
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// linePlot is a 1,000-point line chart.
func linePlot(b *testing.B) *plot.Plot {
	p := plot.New()
	p.Title.Text = "loss"
	xy := make(plotter.XYs, 1000)
	for i := range xy {
		xy[i] = plotter.XY{X: float64(i), Y: math.Exp(-float64(i)/300) + 0.1*math.Sin(float64(i))}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		b.Fatal(err)
	}
	p.Add(l)
	return p
}

// BenchmarkPlotPNG is the time to draw a 1,000-point line chart as the
// PNG of a notebook chart (640x400 CSS pixels at 2x: 1280x800 pixels).
func BenchmarkPlotPNG(b *testing.B) {
	p := linePlot(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plotPNG(p, PlotWidth, PlotHeight); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlotSVG is the same chart as SVG.
func BenchmarkPlotSVG(b *testing.B) {
	p := linePlot(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plotSVG(p, PlotWidth, PlotHeight); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlot is the whole bundle of the chart (PNG and SVG): the cost
// of one live update.
func BenchmarkPlot(b *testing.B) {
	p := linePlot(b)
	b.ReportAllocs()
	for b.Loop() {
		Plot(p)
	}
}

// BenchmarkLossChart renders a chart of two 1,000-point series and one of
// 100 points (the validation loss, with markers).
func BenchmarkLossChart(b *testing.B) {
	c := NewLossChart("training")
	for i := 0; i < 1000; i++ {
		c.Add("train", float64(i), math.Exp(-float64(i)/300)+0.1*math.Sin(float64(i)))
		c.Add("aux", float64(i), math.Exp(-float64(i)/500))
		if i%10 == 0 {
			c.Add("val", float64(i), math.Exp(-float64(i)/300)+0.05)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Render()
	}
}

// BenchmarkHandleUpdate is the cost of an update that rate limiting holds
// back: what a training loop pays per step.
func BenchmarkHandleUpdate(b *testing.B) {
	prev := SetPublisher(&recorder{})
	defer SetPublisher(prev)
	h := New()
	h.Show(1)
	b.ReportAllocs()
	for b.Loop() {
		h.Update(2)
	}
	h.Close()
}

// BenchmarkLossChartNoisy draws a 1,000-point series that zigzags across
// the whole height of the chart: the worst case for the raster backend.
func BenchmarkLossChartNoisy(b *testing.B) {
	c := NewLossChart("plateau")
	for i := 0; i < 1000; i++ {
		c.Add("train", float64(i), float64(i%2))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plotPNG(c.Plot(), PlotWidth, PlotHeight); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlotPNGNoisy draws a gonum plot of a 1,000-point line that
// zigzags across its whole height: without pieceStroker, seconds.
func BenchmarkPlotPNGNoisy(b *testing.B) {
	p := plot.New()
	xy := make(plotter.XYs, 1000)
	for i := range xy {
		xy[i] = plotter.XY{X: float64(i), Y: float64(i % 2)}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		b.Fatal(err)
	}
	p.Add(l)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plotPNG(p, PlotWidth, PlotHeight); err != nil {
			b.Fatal(err)
		}
	}
}
