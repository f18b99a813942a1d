// Package display shows rich output — HTML, Markdown, LaTeX, images,
// charts, tables — from Go code running in a godl notebook, and degrades to
// plain text in any other program.
//
// # Values and showing them
//
// The helpers HTML, Markdown, Latex, PNG, JPEG, SVG, JSON, Javascript,
// Text, Image, ImageGrid and Plot return a Bundle: a value holding one or more MIME
// representations, always with a text/plain one. A Bundle shows nothing by
// itself. A cell whose last expression is a bundle (or any value) shows it
// as the cell's result, and Show displays it at once, anywhere in a cell:
//
//	display.HTML("<b>bold</b>")               // as a cell's last line: its result
//	display.Show(display.Markdown("# Title")) // shown right away
//	display.Show(img)                         // an image.Image, as PNG
//	display.Show(p)                           // a *plot.Plot, as a chart
//
// Show and a cell's result both use Render, which picks the richest form
// of any value: images, gonum plots, gonum matrices and gorgonia tensors
// (as tables), errors, and types that render themselves.
//
// # Types that render themselves
//
// A type shows itself richly by having one or more of the methods
//
//	HTML() string         Markdown() string    Latex() string
//	PNG() []byte          JPEG() []byte        SVG() string
//	JSON() any            Render() display.Bundle
//
// (the interfaces HTMLRenderer … Renderer). Only Render needs this package:
// a library makes its types displayable without importing it.
//
// # Updating a display in place
//
// A Handle (from New) names a display: its first Update shows a value,
// later Updates replace it in place, in this cell or an earlier one.
// Updates are rate-limited to four a second, the last one always shown, so
// a training loop may update on every step. Close the handle at the end.
// Clear clears the cell's output.
//
// # Loss curves
//
// LossChart draws named series of (step, value) points as a multi-line
// chart with legend, axis labels, an optional logarithmic y axis and
// optional smoothing, and redraws itself live while a model trains (see
// LossChart.Live):
//
//	chart := display.NewLossChart("MNIST").SetLogY(true).SetSmoothing(0.6)
//	live := chart.Live()
//	for step := 0; step < steps; step++ {
//		...
//		chart.Add("train", float64(step), loss)
//	}
//	live.Close()
//
// # Outside a notebook
//
// In a godl kernel, the worker installs a Publisher (SetPublisher) that
// forwards displays to Jupyter, and calls FlushAll when a cell ends. Without one — in a plain Go program or a
// test — Show prints the text/plain form to standard output ("<b>bold</b>",
// "[image/png 640x480]"), a Handle prints a value only when its text
// changes, and Clear does nothing.
package display
