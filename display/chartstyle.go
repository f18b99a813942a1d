package display

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// niceTicks places about n labelled ticks at round numbers (multiples of
// 1, 2 or 5 times a power of ten), labelled with no more digits than they
// need: 0, 0.5, 1, 1.5 rather than gonum's default 0.25, 1.25, 2.25.
type niceTicks struct{ n int }

func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return []plot.Tick{{Value: lo, Label: formatTick(lo, 0)}}
	}
	want := float64(max(t.n-1, 1))
	raw := (hi - lo) / want
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{2, 5, 10} {
		// The step whose number of intervals is nearest to the one wanted.
		if math.Abs((hi-lo)/(m*mag)-want) < math.Abs((hi-lo)/step-want) {
			step = m * mag
		}
	}
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0 // not -0 or 1e-17
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, decimals)})
	}
	return ticks
}

// formatTick formats a tick value with the given decimals, switching to
// exponent notation for very large or small magnitudes.
func formatTick(v float64, decimals int) string {
	if a := math.Abs(v); a != 0 && (a >= 1e6 || a < 1e-4) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// niceLogTicks labels a logarithmic axis at powers of ten and, when the
// range spans few decades, at 2 and 5 times them too, so that a loss
// falling from 2.3 to 0.3 still gets several labels.
type niceLogTicks struct{}

func (niceLogTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || !(hi > lo) {
		return niceTicks{5}.Ticks(lo, hi)
	}
	decades := math.Log10(hi / lo)
	mult := []float64{1}
	switch {
	case decades < 1.2:
		mult = []float64{1, 2, 3, 5}
	case decades < 3:
		mult = []float64{1, 2, 5}
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for _, m := range mult {
			v := m * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		}
	}
	if len(ticks) < 2 {
		return niceTicks{5}.Ticks(lo, hi)
	}
	return ticks
}

// boxedLegend is a legend drawn as a plotter, over a translucent white box
// so that it stays readable where lines pass under it (gonum's own legend
// has no background).
type boxedLegend struct{ plot.Legend }

func (l *boxedLegend) Plot(c draw.Canvas, _ *plot.Plot) {
	// Legend.Rectangle ignores the offsets and mirrors Left, so compute
	// the extent the way Legend.Draw lays the entries out.
	r := l.Rectangle(c)
	w, h := r.Size().X, r.Size().Y
	if !l.Left {
		r.Max.X = c.Max.X + l.XOffs
		r.Min.X = r.Max.X - w
	} else {
		r.Min.X = c.Min.X + l.XOffs
		r.Max.X = r.Min.X + w
	}
	if l.Top {
		r.Max.Y = c.Max.Y - l.TextStyle.FontExtents().Descent + l.YOffs
		r.Min.Y = r.Max.Y - h
	} else {
		r.Min.Y = c.Min.Y + l.YOffs
		r.Max.Y = r.Min.Y + h
	}
	const pad = vg.Length(3)
	r.Min.X -= pad
	r.Min.Y -= pad
	r.Max.X += pad
	r.Max.Y += pad
	path := r.Path()
	c.SetColor(color.NRGBA{R: 255, G: 255, B: 255, A: 215})
	c.Fill(path)
	c.SetLineStyle(draw.LineStyle{Color: color.Gray{0xd0}, Width: 0.5})
	c.Stroke(path)
	l.Draw(c)
}
