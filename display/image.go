package display

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/png"
	"strings"
	"sync"
)

// Image returns a bundle showing img as PNG, at its pixel size.
func Image(img image.Image) Bundle {
	data, err := encodePNG(img)
	if err != nil {
		return Text(fmt.Sprintf("display.Image: %v", err))
	}
	return PNG(data)
}

// pngEncoder favours speed: live charts are encoded several times a
// second, and BestSpeed costs little in size for flat-coloured images.
var pngEncoder = &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngPool{}}

// pngPool reuses the encoder's buffers across images.
type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.p.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ImageGrid returns a bundle showing images side by side, cols to a row
// (all in one row when cols <= 0), each with the caption of the same index
// under it when captions has one: a batch of samples with their labels,
// say. Small images are enlarged by a whole factor, with their pixels kept
// sharp, so that a 28x28 digit is readable.
func ImageGrid(imgs []image.Image, captions []string, cols int) Bundle {
	if cols <= 0 {
		cols = max(len(imgs), 1)
	}
	var h strings.Builder
	h.WriteString(`<table style="border-collapse:collapse"><tbody>`)
	for i, img := range imgs {
		if i%cols == 0 {
			if i > 0 {
				h.WriteString(`</tr>`)
			}
			h.WriteString(`<tr>`)
		}
		data, err := encodePNG(img)
		if err != nil {
			return Text(fmt.Sprintf("display.ImageGrid: image %d: %v", i, err))
		}
		size := img.Bounds().Size()
		scale := max(1, 64/max(size.X, size.Y, 1))
		fmt.Fprintf(&h, `<td style="text-align:center;padding:2px 4px;vertical-align:top">`+
			`<img src="data:image/png;base64,%s" width="%d" height="%d" style="image-rendering:pixelated;image-rendering:crisp-edges"/>`,
			base64.StdEncoding.EncodeToString(data), size.X*scale, size.Y*scale)
		if i < len(captions) {
			fmt.Fprintf(&h, `<div style="font-family:monospace;font-size:90%%">%s</div>`, html.EscapeString(captions[i]))
		}
		h.WriteString(`</td>`)
	}
	if len(imgs) > 0 {
		h.WriteString(`</tr>`)
	}
	h.WriteString(`</tbody></table>`)
	text := fmt.Sprintf("[%d images]", len(imgs))
	if len(imgs) > 0 {
		s := imgs[0].Bounds().Size()
		text = fmt.Sprintf("[%d images %dx%d]", len(imgs), s.X, s.Y)
	}
	if len(captions) > 0 {
		text += " " + strings.Join(captions[:min(len(captions), len(imgs))], " ")
	}
	b := HTML(h.String())
	b.Data[MIMEText] = text
	return b
}
