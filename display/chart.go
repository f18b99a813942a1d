package display

import (
	"image/color"
	"math"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// LossChart is a line chart of named series of (step, value) points: the
// training and validation loss, an accuracy, a learning rate. It draws one
// line per series, in the order series were first added, with a legend,
// axis labels, a light grid and optionally a logarithmic y axis.
//
// A LossChart is safe for concurrent use: a training loop may Add points
// while the chart is being drawn. It renders itself (it is a Renderer), so
// Show, Handle.Update and a cell's final value all draw it; Live shows it
// and redraws it in place as points are added.
//
//	chart := display.NewLossChart("MNIST")
//	live := chart.Live()
//	defer live.Close()
//	for step := 0; step < steps; step++ {
//		...
//		chart.Add("train", float64(step), loss)
//	}
type LossChart struct {
	mu             sync.Mutex
	title          string
	xLabel, yLabel string
	logY           bool
	smoothing      float64
	width, height  int
	series         []*curve
	live           *Handle
}

// curve is one named series.
type curve struct {
	name string
	x, y []float64
}

// NewLossChart returns an empty chart with a title (which may be empty),
// axis labels "step" and "loss", a linear y axis and the default size
// PlotWidth×PlotHeight.
func NewLossChart(title string) *LossChart {
	return &LossChart{title: title, xLabel: "step", yLabel: "loss", width: PlotWidth, height: PlotHeight}
}

// SetLabels sets the labels of the x and y axes and returns c.
func (c *LossChart) SetLabels(x, y string) *LossChart {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.xLabel, c.yLabel = x, y
	return c
}

// SetLogY chooses a logarithmic (true) or linear y axis and returns c.
// On a logarithmic axis, values that are not positive are left out.
func (c *LossChart) SetLogY(logY bool) *LossChart {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logY = logY
	return c
}

// SetSmoothing draws each long series (more than 50 points, as per-step
// losses are) as an exponential moving average with the given weight of
// the past, over the raw values drawn faintly, as TensorBoard does: 0.6 is
// mild, 0.9 strong, 0 (the default) turns smoothing off. It returns c.
func (c *LossChart) SetSmoothing(weight float64) *LossChart {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.smoothing = min(max(weight, 0), 0.999)
	return c
}

// SetSize sets the size of the chart in CSS pixels and returns c.
func (c *LossChart) SetSize(width, height int) *LossChart {
	c.mu.Lock()
	defer c.mu.Unlock()
	if width > 0 && height > 0 {
		c.width, c.height = width, height
	}
	return c
}

// Add appends the point (step, value) to the named series, creating the
// series if needed. Values that are NaN or infinite are kept but not
// drawn. When the chart is live, Add redraws it (rate-limited).
func (c *LossChart) Add(series string, step, value float64) {
	c.mu.Lock()
	s := c.curve(series)
	s.x = append(s.x, step)
	s.y = append(s.y, value)
	live := c.live
	c.mu.Unlock()
	if live != nil {
		live.Update(c)
	}
}

// curve returns the named series, creating it. c.mu is held.
func (c *LossChart) curve(name string) *curve {
	for _, s := range c.series {
		if s.name == name {
			return s
		}
	}
	s := &curve{name: name}
	c.series = append(c.series, s)
	return s
}

// Points returns a copy of the steps and values of the named series.
func (c *LossChart) Points(series string) (steps, values []float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.series {
		if s.name == series {
			return append([]float64(nil), s.x...), append([]float64(nil), s.y...)
		}
	}
	return nil, nil
}

// Live shows the chart now and returns its handle: from then on, every
// Add redraws the chart in place, at most four times a second. Close the
// handle when done so the last points are drawn. Calling Live again shows
// the chart once more, under the same handle.
func (c *LossChart) Live() *Handle {
	c.mu.Lock()
	if c.live == nil {
		c.live = New()
	}
	live := c.live
	c.mu.Unlock()
	live.Show(c)
	return live
}

// Render draws the chart (see Plot), with the last value of each series
// as its text/plain form. It makes LossChart a Renderer.
func (c *LossChart) Render() Bundle {
	c.mu.Lock()
	w, h := c.width, c.height
	c.mu.Unlock()
	b := PlotSize(c.Plot(), w, h)
	b.Data[MIMEText] = c.String()
	return b
}

// String describes the chart, as its text/plain form.
func (c *LossChart) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := "LossChart"
	if c.title != "" {
		s += " " + `"` + c.title + `"`
	}
	for i, cv := range c.series {
		if i == 0 {
			s += ":"
		} else {
			s += ","
		}
		s += " " + cv.name
		if n := len(cv.y); n > 0 {
			s += " " + formatFloat(cv.y[n-1], 64) + " at step " + formatFloat(cv.x[n-1], 64)
		}
	}
	return s
}

// chartColors is the Tableau 10 palette (matplotlib's default), whose
// colours stay distinct for readers with the common colour deficiencies.
var chartColors = []color.Color{
	rgb(0x1f77b4), rgb(0xff7f0e), rgb(0x2ca02c), rgb(0xd62728), rgb(0x9467bd),
	rgb(0x8c564b), rgb(0xe377c2), rgb(0x7f7f7f), rgb(0xbcbd22), rgb(0x17becf),
}

func rgb(x uint32) color.Color {
	return color.RGBA{R: uint8(x >> 16), G: uint8(x >> 8), B: uint8(x), A: 0xff}
}

// maxDrawn is the number of points above which a series is thinned before
// drawing: a chart is at most about a thousand pixels wide, and drawing
// every point of a long run would make live updates slow.
const maxDrawn = 2000

// markerLimit is the number of points up to which a series also gets a
// dot per point (one validation loss per epoch, say).
const markerLimit = 50

// Plot returns a snapshot of the chart as a gonum plot, for further
// styling or saving (p.Save). Later Adds do not change it.
func (c *LossChart) Plot() *plot.Plot {
	c.mu.Lock()
	title, xl, yl, logY, smoothing := c.title, c.xLabel, c.yLabel, c.logY, c.smoothing
	type snap struct {
		name string
		xy   plotter.XYs // drawn solid
		raw  plotter.XYs // drawn faintly under a smoothed xy
	}
	series := make([]snap, len(c.series))
	for i, s := range c.series {
		xy := drawable(s.x, s.y, logY)
		if smoothing > 0 && len(xy) > markerLimit {
			series[i] = snap{name: s.name, xy: thin(ema(xy, smoothing)), raw: thin(xy)}
		} else {
			series[i] = snap{name: s.name, xy: thin(xy)}
		}
	}
	c.mu.Unlock()

	p := plot.New()
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 12)
	p.Title.Padding = 6
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 10)
		a.Tick.Label.Font = font.From(sans, 8.5)
		a.Tick.Label.Color = color.Gray{0x44}
		a.Label.TextStyle.Color = color.Gray{0x22}
		a.LineStyle.Color = color.Gray{0x88}
		a.LineStyle.Width = 0.6
		a.Tick.LineStyle.Color = color.Gray{0x88}
		a.Tick.LineStyle.Width = 0.6
		a.Tick.Length = 3
		a.Padding = 2
	}
	p.X.Label.Text, p.Y.Label.Text = xl, yl
	p.X.Tick.Marker = niceTicks{7}
	p.Y.Tick.Marker = niceTicks{6}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = niceLogTicks{}
	}
	legend := &boxedLegend{plot.NewLegend()}
	legend.TextStyle.Font = font.From(sans, 9)
	legend.ThumbnailWidth = 18
	legend.Padding = 2
	legend.Top = true
	legend.XOffs = -8
	legend.YOffs = -6

	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{0xe6}
	grid.Horizontal.Color = color.Gray{0xe6}
	grid.Vertical.Width = 0.5
	grid.Horizontal.Width = 0.5
	p.Add(grid)

	empty := true
	var high, count float64 // where the lines end, to keep the legend off them
	// The raw values of smoothed series go first, under every line, and
	// faint: the colour 30% over white, opaque, as the pieces a long line
	// is drawn in (see pieceStroker) would darken where they meet if
	// translucent.
	for i, s := range series {
		if len(s.raw) == 0 {
			continue
		}
		r, g, b, _ := chartColors[i%len(chartColors)].RGBA()
		tint := func(v uint32) uint8 { return uint8(0xff - (0xff-v>>8)*3/10) }
		if raw, err := plotter.NewLine(s.raw); err == nil {
			raw.LineStyle = draw.LineStyle{Color: color.RGBA{R: tint(r), G: tint(g), B: tint(b), A: 0xff}, Width: 1}
			p.Add(raw)
		}
	}
	for i, s := range series {
		col := chartColors[i%len(chartColors)]
		l, err := plotter.NewLine(s.xy)
		if err != nil {
			continue
		}
		l.LineStyle = draw.LineStyle{Color: col, Width: 1.25}
		p.Add(l)
		thumbs := []plot.Thumbnailer{l}
		if len(s.xy) <= markerLimit {
			sc, err := plotter.NewScatter(s.xy)
			if err == nil {
				sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: 2.2, Shape: draw.CircleGlyph{}}
				p.Add(sc)
				thumbs = append(thumbs, sc)
			}
		}
		legend.Add(s.name, thumbs...)
		if len(s.xy) > 0 {
			empty = false
		}
	}
	if empty {
		// An empty chart still shows sensible axes.
		p.X.Min, p.X.Max = 0, 1
		p.Y.Min, p.Y.Max = 0, 1
		if logY {
			p.Y.Min, p.Y.Max = 0.1, 1
		}
	} else {
		// Put the legend in the corner the lines do not end in: top right
		// for losses, which fall; bottom right for accuracies, which rise.
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range series {
			for _, pt := range s.xy {
				lo, hi = math.Min(lo, pt.Y), math.Max(hi, pt.Y)
			}
		}
		for _, s := range series {
			if n := len(s.xy); n > 0 && hi > lo {
				y, l, h := s.xy[n-1].Y, lo, hi
				if logY {
					y, l, h = math.Log(y), math.Log(l), math.Log(h)
				}
				high += (y - l) / (h - l)
				count++
			}
		}
		if count > 0 && high/count > 0.6 {
			legend.Top = false
			legend.YOffs = 6
		}
	}
	if len(series) > 0 {
		p.Add(legend)
	}
	return p
}

// points returns the drawable points of a series, thinned.
func points(x, y []float64, logY bool) plotter.XYs { return thin(drawable(x, y, logY)) }

// drawable returns the points of a series that can be drawn: finite, and
// positive on a logarithmic axis.
func drawable(x, y []float64, logY bool) plotter.XYs {
	xy := make(plotter.XYs, 0, len(x))
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsInf(x[i], 0) && !math.IsNaN(y[i]) && !math.IsInf(y[i], 0) && (!logY || y[i] > 0) {
			xy = append(xy, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	return xy
}

// ema returns the exponential moving average of xy with weight w of the
// past, debiased so that the first points are not pulled towards zero.
func ema(xy plotter.XYs, w float64) plotter.XYs {
	out := make(plotter.XYs, len(xy))
	avg, wt := 0.0, 1.0
	for i, p := range xy {
		avg = avg*w + (1-w)*p.Y
		wt *= w
		out[i] = plotter.XY{X: p.X, Y: avg / (1 - wt)}
	}
	return out
}

// thin returns xy thinned to about maxDrawn points by keeping the lowest
// and highest value of each stretch, so spikes stay visible, and the first
// and last points.
func thin(xy plotter.XYs) plotter.XYs {
	if len(xy) <= maxDrawn {
		return xy
	}
	out := make(plotter.XYs, 0, maxDrawn+2)
	out = append(out, xy[0])
	buckets := maxDrawn / 2
	size := float64(len(xy)) / float64(buckets)
	for b := 0; b < buckets; b++ {
		start, end := int(float64(b)*size), min(int(float64(b+1)*size), len(xy))
		if b == 0 {
			start = 1
		}
		if start >= end {
			continue
		}
		lo, hi := start, start
		for i := start; i < end; i++ {
			if xy[i].Y < xy[lo].Y {
				lo = i
			}
			if xy[i].Y > xy[hi].Y {
				hi = i
			}
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		out = append(out, xy[lo])
		if hi != lo {
			out = append(out, xy[hi])
		}
	}
	if last := xy[len(xy)-1]; out[len(out)-1] != last {
		out = append(out, last)
	}
	return out
}
