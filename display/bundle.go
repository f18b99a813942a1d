package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of JPEG data
	_ "image/png"  // DecodeConfig of PNG data
	"strconv"
	"strings"
)

// MIME types of the representations this package produces.
const (
	MIMEText       = "text/plain"
	MIMEHTML       = "text/html"
	MIMEMarkdown   = "text/markdown"
	MIMELatex      = "text/latex"
	MIMEPNG        = "image/png"
	MIMEJPEG       = "image/jpeg"
	MIMESVG        = "image/svg+xml"
	MIMEJSON       = "application/json"
	MIMEJavascript = "application/javascript"
)

// newBundle returns a bundle holding data as mime, with text as its
// text/plain form.
func newBundle(mime string, data any, text string) Bundle {
	b := Bundle{Data: map[string]any{MIMEText: text}, Metadata: map[string]any{}}
	if mime != MIMEText {
		b.Data[mime] = data
	}
	return b
}

// Text returns a bundle showing s as plain text, as it is (Render quotes
// strings; Text does not).
func Text(s string) Bundle { return newBundle(MIMEText, s, s) }

// HTML returns a bundle showing s as HTML. Its text/plain form is s itself.
func HTML(s string) Bundle { return newBundle(MIMEHTML, s, s) }

// Markdown returns a bundle showing s as Markdown (with $…$ math in
// JupyterLab and Notebook). Its text/plain form is s itself.
func Markdown(s string) Bundle { return newBundle(MIMEMarkdown, s, s) }

// Latex returns a bundle showing s as LaTeX math, such as `$\frac{1}{2}$`
// or `\begin{equation}…\end{equation}`. Its text/plain form is s itself.
func Latex(s string) Bundle { return newBundle(MIMELatex, s, s) }

// Javascript returns a bundle holding JavaScript code; frontends run it
// in trusted notebooks only.
func Javascript(s string) Bundle {
	return newBundle(MIMEJavascript, s, fmt.Sprintf("[%s %d bytes]", MIMEJavascript, len(s)))
}

// PNG returns a bundle showing PNG image data. Its text/plain form names
// the size, as in "[image/png 640x480]".
func PNG(data []byte) Bundle { return imageBundle(MIMEPNG, data) }

// JPEG returns a bundle showing JPEG image data. Its text/plain form names
// the size, as in "[image/jpeg 640x480]".
func JPEG(data []byte) Bundle { return imageBundle(MIMEJPEG, data) }

func imageBundle(mime string, data []byte) Bundle {
	text := "[" + mime + " invalid data]"
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
		text = fmt.Sprintf("[%s %dx%d]", mime, cfg.Width, cfg.Height)
	}
	return newBundle(mime, base64.StdEncoding.EncodeToString(data), text)
}

// SVG returns a bundle showing an SVG document. Its text/plain form names
// the size when the root element declares one, as in "[image/svg+xml 640x400]".
func SVG(s string) Bundle {
	text := "[" + MIMESVG + "]"
	if w, h, ok := svgSize(s); ok {
		text = fmt.Sprintf("[%s %sx%s]", MIMESVG, w, h)
	}
	return newBundle(MIMESVG, s, text)
}

// svgSize returns the width and height attributes of the root element of
// an SVG document, without their units.
func svgSize(s string) (w, h string, ok bool) {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		tok, err := d.Token()
		if err != nil {
			return "", "", false
		}
		if se, isStart := tok.(xml.StartElement); isStart {
			for _, a := range se.Attr {
				v := strings.TrimRight(a.Value, "abcdefghijklmnopqrstuvwxyz%")
				switch a.Name.Local {
				case "width":
					w = v
				case "height":
					h = v
				}
			}
			return w, h, w != "" && h != ""
		}
	}
}

// JSON returns a bundle showing v as a JSON tree (application/json) with
// indented JSON as its text/plain form. v is anything encoding/json can
// marshal; when it cannot, the bundle holds the error as text.
func JSON(v any) Bundle {
	raw, err := json.Marshal(v)
	if err != nil {
		return Text(fmt.Sprintf("display.JSON: %v", err))
	}
	var tree any // plain maps and slices, so any encoder sends the same JSON
	if err := json.Unmarshal(raw, &tree); err != nil {
		return Text(fmt.Sprintf("display.JSON: %v", err))
	}
	var text bytes.Buffer
	if json.Indent(&text, raw, "", "  ") != nil {
		text.Reset()
		text.Write(raw)
	}
	return newBundle(MIMEJSON, tree, text.String())
}

// With returns a bundle holding the representations of b and, for MIME
// types b lacks, those of o. Metadata is merged the same way. Neither b
// nor o is modified.
//
//	display.HTML(table).With(display.Text("3 rows"))
func (b Bundle) With(o Bundle) Bundle {
	r := Bundle{
		Data:     make(map[string]any, len(b.Data)+len(o.Data)),
		Metadata: make(map[string]any, len(b.Metadata)+len(o.Metadata)),
	}
	for k, v := range o.Data {
		r.Data[k] = v
	}
	for k, v := range b.Data {
		r.Data[k] = v
	}
	for k, v := range o.Metadata {
		r.Metadata[k] = v
	}
	for k, v := range b.Metadata {
		r.Metadata[k] = v
	}
	return r
}

// WithSize returns b with metadata asking frontends to show its images
// (PNG, JPEG, SVG) at width×height CSS pixels, whatever their pixel size.
// A high-DPI image is made by drawing it at twice the size it is shown at.
func (b Bundle) WithSize(width, height int) Bundle {
	r := b.With(Bundle{})
	for _, mime := range []string{MIMEPNG, MIMEJPEG, MIMESVG} {
		if _, ok := r.Data[mime]; ok {
			r.Metadata[mime] = map[string]any{"width": width, "height": height}
		}
	}
	return r
}

// textOf returns the text/plain form of b, or a description of its
// richest representation when it has none.
func (b Bundle) textOf() string {
	if s, ok := b.Data[MIMEText].(string); ok {
		return s
	}
	for _, mime := range []string{MIMEHTML, MIMEMarkdown, MIMELatex, MIMESVG, MIMEPNG, MIMEJPEG, MIMEJSON, MIMEJavascript} {
		if _, ok := b.Data[mime]; ok {
			return "[" + mime + "]"
		}
	}
	return ""
}

// withText returns a copy of b with text/plain set to text() when b has
// none.
func (b Bundle) withText(text func() string) Bundle {
	r := b.With(Bundle{})
	if _, ok := r.Data[MIMEText]; !ok {
		r.Data[MIMEText] = text()
	}
	return r
}

// itoa is strconv.Itoa, short.
func itoa(i int) string { return strconv.Itoa(i) }
