package display

import (
	"fmt"
	"image"
	"reflect"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gorgonia.org/tensor"
)

// Renderer is implemented by types that build their own bundle. It is the
// only renderer interface that needs this package; the others use plain
// strings and bytes, so a library can be displayable without importing it.
type Renderer interface {
	Render() Bundle
}

// HTMLRenderer is implemented by types that show themselves as HTML.
type HTMLRenderer interface {
	HTML() string
}

// MarkdownRenderer is implemented by types that show themselves as Markdown.
type MarkdownRenderer interface {
	Markdown() string
}

// LatexRenderer is implemented by types that show themselves as LaTeX.
type LatexRenderer interface {
	Latex() string
}

// PNGRenderer is implemented by types that show themselves as a PNG image.
type PNGRenderer interface {
	PNG() []byte
}

// JPEGRenderer is implemented by types that show themselves as a JPEG image.
type JPEGRenderer interface {
	JPEG() []byte
}

// SVGRenderer is implemented by types that show themselves as an SVG image.
type SVGRenderer interface {
	SVG() string
}

// JSONRenderer is implemented by types that show themselves as a JSON tree.
// JSON returns a value encoding/json can marshal.
type JSONRenderer interface {
	JSON() any
}

// Render returns the richest bundle for v: the form a notebook shows for a
// cell's final value, and what Show and Handle.Update display. Every bundle
// has a text/plain entry. In order:
//
//   - a Bundle is itself;
//   - a Renderer gives its own bundle;
//   - a type with any of the methods HTML, Markdown, Latex, PNG, JPEG, SVG
//     or JSON of the renderer interfaces gives all of those forms, with
//     String (fmt.Stringer) or %v as text;
//   - a *plot.Plot is drawn as a chart (see Plot), an image.Image as PNG;
//   - a gonum mat.Matrix or a gorgonia tensor.Tensor is a table showing
//     shape and element type, abridged past 10 rows or columns;
//   - an error is its message;
//   - a string is quoted (%q), as Go source would write it;
//   - anything else is formatted with %v.
//
// A method that panics gives a text bundle saying so rather than a panic.
func Render(v any) (b Bundle) {
	defer func() {
		if r := recover(); r != nil {
			b = Text(fmt.Sprintf("display: rendering %T panicked: %v", v, r))
		}
	}()
	switch x := v.(type) {
	case Bundle:
		return x.withText(x.textOf)
	case *Bundle:
		if x != nil {
			return x.withText(x.textOf)
		}
	case Renderer:
		r := x.Render()
		return r.withText(func() string { return plainText(v) })
	}
	if b, ok := methodBundle(v); ok {
		return b
	}
	switch x := v.(type) {
	case *plot.Plot:
		if x != nil {
			return Plot(x)
		}
	case image.Image:
		return Image(x)
	case tensor.Tensor:
		return tensorBundle(x)
	case mat.Matrix:
		return matrixBundle(x)
	case error:
		return Text(x.Error())
	case string:
		return Text(fmt.Sprintf("%q", x))
	}
	return Text(plainText(v))
}

// methodBundle gathers the forms v renders itself as through the
// single-method renderer interfaces.
func methodBundle(v any) (Bundle, bool) {
	b := Bundle{Data: map[string]any{}, Metadata: map[string]any{}}
	add := func(o Bundle) {
		for k, d := range o.Data {
			if k != MIMEText {
				b.Data[k] = d
			}
		}
	}
	// A method returning nothing (nil, "") offers no form.
	if r, ok := v.(HTMLRenderer); ok {
		if s := r.HTML(); s != "" {
			add(HTML(s))
		}
	}
	if r, ok := v.(MarkdownRenderer); ok {
		if s := r.Markdown(); s != "" {
			add(Markdown(s))
		}
	}
	if r, ok := v.(LatexRenderer); ok {
		if s := r.Latex(); s != "" {
			add(Latex(s))
		}
	}
	if r, ok := v.(PNGRenderer); ok {
		if data := r.PNG(); len(data) > 0 {
			add(PNG(data))
		}
	}
	if r, ok := v.(JPEGRenderer); ok {
		if data := r.JPEG(); len(data) > 0 {
			add(JPEG(data))
		}
	}
	if r, ok := v.(SVGRenderer); ok {
		if s := r.SVG(); s != "" {
			add(SVG(s))
		}
	}
	if r, ok := v.(JSONRenderer); ok {
		if j := r.JSON(); j != nil {
			add(JSON(j))
		}
	}
	if len(b.Data) == 0 {
		return Bundle{}, false
	}
	b.Data[MIMEText] = plainText(v)
	return b, true
}

// plainText is the text/plain form of a value without a richer one.
func plainText(v any) string {
	v = unwrapInterpreted(v)
	switch x := v.(type) {
	case fmt.Stringer:
		return x.String()
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprintf("%v", v)
}

// Parts holds what a value's renderer methods returned, for code that
// calls those methods itself: the godl interpreter does so for types
// declared in cells, whose methods compiled code cannot find through an
// interface, and makes the cell's value
//
//	display.Parts{Text: fmt.Sprint(v), HTML: v.HTML()}
//
// Empty fields are left out. Parts renders itself (it is a Renderer).
type Parts struct {
	// Text is the text/plain form, usually from String or %v. When it
	// is empty, the text/plain form of the first other part is used
	// (such as the HTML source, or "[image/png 28x28]").
	Text     string
	HTML     string
	Markdown string
	Latex    string
	SVG      string
	PNG      []byte
	JPEG     []byte
	JSON     any
}

// Render returns the bundle holding every non-empty part.
func (p Parts) Render() Bundle {
	var b Bundle
	if p.Text != "" {
		b = Text(p.Text)
	}
	add := func(present bool, o func() Bundle) {
		if present {
			b = b.With(o())
		}
	}
	add(p.HTML != "", func() Bundle { return HTML(p.HTML) })
	add(p.Markdown != "", func() Bundle { return Markdown(p.Markdown) })
	add(p.Latex != "", func() Bundle { return Latex(p.Latex) })
	add(p.SVG != "", func() Bundle { return SVG(p.SVG) })
	add(len(p.PNG) > 0, func() Bundle { return PNG(p.PNG) })
	add(len(p.JPEG) > 0, func() Bundle { return JPEG(p.JPEG) })
	add(p.JSON != nil, func() Bundle { return JSON(p.JSON) })
	return b.withText(func() string { return "" })
}

// RendererTypes returns the renderer interfaces, richest first. An
// interpreter that can hand compiled code a value of an interpreted type
// as one interface only (yaegi wraps the argument of a compiled function
// in the first interface of its MapTypes the type implements) should try
// them in this order for Render and Show.
func RendererTypes() []reflect.Type {
	return []reflect.Type{
		reflect.TypeFor[Renderer](),
		reflect.TypeFor[HTMLRenderer](),
		reflect.TypeFor[SVGRenderer](),
		reflect.TypeFor[PNGRenderer](),
		reflect.TypeFor[JPEGRenderer](),
		reflect.TypeFor[MarkdownRenderer](),
		reflect.TypeFor[LatexRenderer](),
		reflect.TypeFor[JSONRenderer](),
	}
}

// unwrapInterpreted returns the value inside an interface wrapper of the
// yaegi interpreter (a struct whose first field, IValue, holds the
// interpreted value), so that its text is the value's, not the wrapper's.
// Other values are returned as they are.
func unwrapInterpreted(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct || rv.NumField() == 0 {
		return v
	}
	if f := rv.Type().Field(0); f.Name != "IValue" || f.Type.Kind() != reflect.Interface {
		return v
	}
	return rv.Field(0).Interface()
}
