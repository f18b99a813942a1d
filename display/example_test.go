package display_test

import (
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/godl-kernel/godl/display"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// Outside a notebook, as here, displays print their text/plain form.
func ExampleShow() {
	display.Show(display.HTML("<b>bold</b>"))
	display.Show(display.Markdown("# Title"))
	display.Show(image.NewRGBA(image.Rect(0, 0, 640, 480)))
	display.Show(errors.New("file not found"))
	display.Show("a string")
	// Output:
	// <b>bold</b>
	// # Title
	// [image/png 640x480]
	// file not found
	// "a string"
}

// Render gives the bundle a notebook shows for a value.
func ExampleRender() {
	b := display.Render(mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	fmt.Println(b.Data["text/plain"])
	_, hasHTML := b.Data["text/html"]
	fmt.Println("HTML table:", hasHTML)
	// Output:
	// mat.Dense 2×2 float64
	// 1  2
	// 3  4
	// HTML table: true
}

// Celsius shows itself as LaTeX, without importing display.
type Celsius float64

func (c Celsius) Latex() string  { return fmt.Sprintf(`$%g\,^{\circ}\mathrm{C}$`, float64(c)) }
func (c Celsius) String() string { return fmt.Sprintf("%g°C", float64(c)) }

func ExampleLatexRenderer() {
	b := display.Render(Celsius(21.5))
	fmt.Println(b.Data["text/latex"])
	fmt.Println(b.Data["text/plain"])
	// Output:
	// $21.5\,^{\circ}\mathrm{C}$
	// 21.5°C
}

// A gonum plot shows as a chart: SVG, and PNG drawn at twice its displayed
// size so that it is sharp on high-DPI screens.
func ExamplePlot() {
	p := plot.New()
	p.Title.Text = "sine"
	xy := make(plotter.XYs, 50)
	for i := range xy {
		xy[i] = plotter.XY{X: float64(i), Y: math.Sin(float64(i) / 8)}
	}
	line, _ := plotter.NewLine(xy)
	p.Add(line)

	b := display.Plot(p)
	fmt.Println(b.Data["text/plain"])
	fmt.Println(b.Metadata["image/png"])
	// Output:
	// [plot "sine" 640x400]
	// map[height:400 width:640]
}

// A handle updates one display in place. (Outside a notebook it prints a
// value when its text changes; how many of the updates below print depends
// on timing, so this example shows no output.)
func ExampleHandle() {
	h := display.New()
	for epoch := 1; epoch <= 3; epoch++ {
		h.Update(display.Text(fmt.Sprintf("epoch %d/3", epoch)))
	}
	h.Close() // delivers the last update, held back by rate limiting
}

// A loss chart; its text form gives the last value of each series.
func ExampleLossChart() {
	chart := display.NewLossChart("training").SetLogY(true)
	for step := 0; step < 100; step++ {
		chart.Add("train", float64(step), 2/float64(step+1))
		if step%10 == 9 {
			chart.Add("validation", float64(step), 2.5/float64(step+1))
		}
	}
	display.Show(chart)
	// Output:
	// LossChart "training": train 0.02 at step 99, validation 0.025 at step 99
}

// A loss chart redrawn live as training goes: Live shows it, and every
// Add redraws it in place, at most four times a second.
func ExampleLossChart_Live() {
	chart := display.NewLossChart("training").SetSmoothing(0.6)
	live := chart.Live()
	defer live.Close() // draw the last points
	for step := 0; step < 1000; step++ {
		loss := 2 / float64(step+1) // a training step
		chart.Add("train", float64(step), loss)
	}
}
