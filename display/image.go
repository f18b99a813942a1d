package display

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
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
