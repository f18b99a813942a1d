package display

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// vgPoints converts CSS pixels to vg lengths.
func vgPoints(px int) vg.Length { return vg.Length(px) * vg.Inch / cssDPI }

// Default size of a chart in a notebook, in CSS pixels: about the width of
// a JupyterLab output area, in the 16:10 proportion of matplotlib's inline
// figures.
const (
	PlotWidth  = 640
	PlotHeight = 400
)

// pixelDensity is the number of image pixels per CSS pixel in the PNG
// form of a chart: 2 keeps it sharp on high-DPI ("retina") screens.
const pixelDensity = 2

// cssDPI is the number of CSS pixels per inch.
const cssDPI = 96

// Plot returns a bundle showing p as a chart of PlotWidth×PlotHeight CSS
// pixels: an SVG image, and a PNG drawn at twice that size whose metadata
// asks frontends to show it at that size, so that it is sharp on high-DPI
// screens.
func Plot(p *plot.Plot) Bundle { return PlotSize(p, PlotWidth, PlotHeight) }

// PlotSize is Plot with a size, in CSS pixels.
func PlotSize(p *plot.Plot, width, height int) Bundle {
	if width <= 0 || height <= 0 {
		return Text(fmt.Sprintf("display.PlotSize: invalid size %dx%d", width, height))
	}
	pngData, err := plotPNG(p, width, height)
	if err != nil {
		return Text(fmt.Sprintf("display.Plot: %v", err))
	}
	svgData, err := plotSVG(p, width, height)
	if err != nil {
		return Text(fmt.Sprintf("display.Plot: %v", err))
	}

	text := fmt.Sprintf("[plot %dx%d]", width, height)
	if t := p.Title.Text; t != "" {
		text = fmt.Sprintf("[plot %q %dx%d]", t, width, height)
	}
	b := PNG(pngData)
	b.Data[MIMEText] = text
	b.Data[MIMESVG] = svgData
	b.Metadata[MIMEPNG] = map[string]any{"width": width, "height": height}
	return b
}

// plotPNG draws p as a PNG of width×height CSS pixels at pixelDensity.
func plotPNG(p *plot.Plot, width, height int) ([]byte, error) {
	// Reuse the pixels of earlier charts of the same size: a live chart
	// is drawn several times a second, and each image is megabytes.
	size := image.Pt(width*pixelDensity, height*pixelDensity)
	img, _ := rgbaPool.Get().(*image.RGBA)
	if img == nil || img.Rect.Size() != size {
		img = image.NewRGBA(image.Rectangle{Max: size})
	}
	defer rgbaPool.Put(img)
	// vgimg.NewWith copies an image given without a context; with one it
	// draws in place, but leaves to us what it would set up itself.
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	c := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(cssDPI*pixelDensity))
	p.Draw(draw.New(&pieceStroker{Canvas: c}))
	return encodePNG(img)
}

// pieceStroker strokes long polylines in pieces. gonum's raster backend
// keeps, for every pixel row, a list of the cells the path crosses and
// searches it linearly, so one long path that crosses each row many times
// (a noisy loss curve, a plateau's zigzag) costs time quadratic in its
// length: seconds for a few hundred points. Pieces of a few segments keep
// those lists short, making drawing linear. Consecutive pieces of an
// opaque line share a segment, so every vertex keeps its join; those of a
// translucent line share a vertex only, as a segment drawn twice would
// show darker. Dashed lines and other paths are stroked whole.
type pieceStroker struct {
	*vgimg.Canvas
	opaque bool
	dashed bool
}

// strokePoints is the number of points of each stroked piece.
const strokePoints = 32

func (c *pieceStroker) SetColor(col color.Color) {
	c.opaque = false
	if col != nil {
		_, _, _, a := col.RGBA()
		c.opaque = a == 0xffff
	}
	c.Canvas.SetColor(col)
}

func (c *pieceStroker) SetLineDash(pattern []vg.Length, offset vg.Length) {
	c.dashed = len(pattern) > 0
	c.Canvas.SetLineDash(pattern, offset)
}

func (c *pieceStroker) Stroke(p vg.Path) {
	if len(p) <= strokePoints || c.dashed || !polyline(p) {
		c.Canvas.Stroke(p)
		return
	}
	step := strokePoints - 1
	if c.opaque {
		step = strokePoints - 2
	}
	for start := 0; start < len(p)-1; start += step {
		piece := make(vg.Path, 0, strokePoints)
		piece.Move(p[start].Pos)
		for _, pc := range p[start+1 : min(start+strokePoints, len(p))] {
			piece.Line(pc.Pos)
		}
		c.Canvas.Stroke(piece)
	}
}

// polyline tells whether p is one move followed by lines only.
func polyline(p vg.Path) bool {
	if len(p) == 0 || p[0].Type != vg.MoveComp {
		return false
	}
	for _, pc := range p[1:] {
		if pc.Type != vg.LineComp {
			return false
		}
	}
	return true
}

// rgbaPool holds images to draw charts in.
var rgbaPool sync.Pool

// plotSVG draws p as an SVG document of width×height CSS pixels.
func plotSVG(p *plot.Plot, width, height int) (string, error) {
	svg := vgsvg.New(vgPoints(width), vgPoints(height))
	p.Draw(draw.New(svg))
	var buf bytes.Buffer
	if _, err := svg.WriteTo(&buf); err != nil {
		return "", err
	}
	return svgFontFallbacks.Replace(buf.String()), nil
}

// svgFontFallbacks gives the fonts named in SVG charts generic fallbacks:
// fonts are not embedded (that would add hundreds of kilobytes), and a
// browser without the Liberation fonts would otherwise pick its default,
// usually a serif font, for every family.
var svgFontFallbacks = strings.NewReplacer(
	"font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;",
	"font-family:Liberation Serif;", "font-family:'Liberation Serif','Times New Roman',Times,serif;",
	"font-family:Liberation Mono;", "font-family:'Liberation Mono','Courier New',Courier,monospace;",
)
