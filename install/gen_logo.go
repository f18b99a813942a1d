//go:build ignore

// gen_logo draws godl's logo: a Go-blue tile with a gopher's eyes over the
// letters "dl". It writes logo-32x32.png, logo-64x64.png and logo-svg.svg
// from one list of shapes so that the three agree. Run by `go generate`.
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

// shape is a filled circle or rounded rectangle in a 64×64 design space.
type shape struct {
	circle     bool
	x, y, w, h float64 // circle: centre x, y and radius w; rect: corner, size
	r          float64 // rect corner radius
	c          color.NRGBA
}

var (
	goBlue = color.NRGBA{0x00, 0xAD, 0xD8, 0xFF}
	dark   = color.NRGBA{0x1D, 0x2B, 0x3A, 0xFF}
	white  = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	nose   = color.NRGBA{0xF6, 0xD2, 0xA2, 0xFF}
)

// logo lists the shapes, painted in order.
var logo = []shape{
	{x: 0, y: 0, w: 64, h: 64, r: 14, c: goBlue},
	// Eyes: white with dark pupils looking up and to the right, as the
	// gopher does.
	{circle: true, x: 21, y: 19, w: 10, c: white},
	{circle: true, x: 43, y: 19, w: 10, c: white},
	{circle: true, x: 24, y: 17, w: 4.2, c: dark},
	{circle: true, x: 46, y: 17, w: 4.2, c: dark},
	{circle: true, x: 25.4, y: 15.6, w: 1.3, c: white},
	{circle: true, x: 47.4, y: 15.6, w: 1.3, c: white},
	// Muzzle between the eyes.
	{x: 29, y: 26, w: 6, h: 4.5, r: 2.25, c: nose},
	// "d": a bowl (ring) and a stem.
	{circle: true, x: 26, y: 47, w: 9.5, c: white},
	{circle: true, x: 26, y: 47, w: 4.8, c: goBlue},
	{x: 31, y: 33, w: 4.8, h: 23.5, r: 2.4, c: white},
	// "l": a stem.
	{x: 40, y: 33, w: 4.8, h: 23.5, r: 2.4, c: white},
}

func (s shape) contains(px, py float64) bool {
	if s.circle {
		dx, dy := px-s.x, py-s.y
		return dx*dx+dy*dy <= s.w*s.w
	}
	if px < s.x || px > s.x+s.w || py < s.y || py > s.y+s.h {
		return false
	}
	// Distance to the nearest corner centre when in a corner region.
	cx := math.Max(s.x+s.r, math.Min(px, s.x+s.w-s.r))
	cy := math.Max(s.y+s.r, math.Min(py, s.y+s.h-s.r))
	dx, dy := px-cx, py-cy
	return dx*dx+dy*dy <= s.r*s.r
}

// render rasterises the logo at size×size with ss×ss samples per pixel,
// blending in linear light so that edges are smooth, not dark.
func render(size, ss int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	scale := 64 / float64(size)
	toLin := func(v uint8) float64 { return math.Pow(float64(v)/255, 2.2) }
	toSRGB := func(v float64) uint8 { return uint8(math.Round(math.Pow(v, 1/2.2) * 255)) }
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					px := (float64(x) + (float64(sx)+0.5)/float64(ss)) * scale
					py := (float64(y) + (float64(sy)+0.5)/float64(ss)) * scale
					for i := len(logo) - 1; i >= 0; i-- {
						if s := logo[i]; s.contains(px, py) {
							r += toLin(s.c.R)
							g += toLin(s.c.G)
							b += toLin(s.c.B)
							a++
							break
						}
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{toSRGB(r / a), toSRGB(g / a), toSRGB(b / a), uint8(math.Round(a / float64(ss*ss) * 255))})
		}
	}
	return img
}

func svg() []byte {
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` + "\n")
	hex := func(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	for _, s := range logo {
		if s.circle {
			fmt.Fprintf(&b, `<circle cx="%g" cy="%g" r="%g" fill="%s"/>`+"\n", s.x, s.y, s.w, hex(s.c))
		} else {
			fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="%s"/>`+"\n", s.x, s.y, s.w, s.h, s.r, hex(s.c))
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func main() {
	for _, size := range []int{32, 64} {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, render(size, 16)); err != nil {
			log.Fatal(err)
		}
		name := fmt.Sprintf("logo-%dx%d.png", size, size)
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.WriteFile("logo-svg.svg", svg(), 0o644); err != nil {
		log.Fatal(err)
	}
	// A large preview helps judging the design; it is not installed.
	if len(os.Args) > 1 && os.Args[1] == "-preview" {
		var buf bytes.Buffer
		png.Encode(&buf, render(256, 4))
		os.WriteFile("/tmp/godl-logo-256.png", buf.Bytes(), 0o644)
	}
}
