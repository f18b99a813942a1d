package display

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gorgonia.org/tensor"
)

// recorder is a Publisher that remembers what it receives.
type recorder struct {
	mu     sync.Mutex
	pubs   []published
	clears []bool
}

type published struct {
	b      Bundle
	id     string
	update bool
}

func (r *recorder) Publish(b Bundle, id string, update bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pubs = append(r.pubs, published{b, id, update})
}

func (r *recorder) Clear(wait bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clears = append(r.clears, wait)
}

func (r *recorder) all() []published {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]published(nil), r.pubs...)
}

// record installs a recorder as the publisher for the test.
func record(t *testing.T) *recorder {
	r := &recorder{}
	prev := SetPublisher(r)
	t.Cleanup(func() { SetPublisher(prev) })
	return r
}

// captureStdout runs f with no publisher and returns what it printed.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	prev := SetPublisher(nil)
	defer SetPublisher(prev)
	rd, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(rd)
		done <- string(b)
	}()
	f()
	os.Stdout = old
	w.Close()
	return <-done
}

// decodeImage decodes base64 image data of a bundle and checks its size.
func decodeImage(t *testing.T, b Bundle, mime string, width, height int) {
	t.Helper()
	s, ok := b.Data[mime].(string)
	if !ok {
		t.Fatalf("bundle has no %s string: %v", mime, keys(b))
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("%s is not base64: %v", mime, err)
	}
	var img image.Image
	if mime == MIMEPNG {
		img, err = png.Decode(bytes.NewReader(raw))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(raw))
	}
	if err != nil {
		t.Fatalf("decoding %s: %v", mime, err)
	}
	if got := img.Bounds().Size(); got.X != width || got.Y != height {
		t.Errorf("%s is %dx%d, want %dx%d", mime, got.X, got.Y, width, height)
	}
}

// checkXML parses s as XML (SVG, or the XHTML-compatible HTML this package
// writes) and returns the root element's name and attributes.
func checkXML(t *testing.T, s string) xml.StartElement {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var root xml.StartElement
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%.300s", err, s)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth == 0 && root.Name.Local == "" {
				root = e
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 || root.Name.Local == "" {
		t.Fatalf("unbalanced document (depth %d, root %q)", depth, root.Name.Local)
	}
	return root
}

func keys(b Bundle) []string {
	var k []string
	for m := range b.Data {
		k = append(k, m)
	}
	return k
}

func pngBytes(t *testing.T, w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHelpers(t *testing.T) {
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 8, 6)), nil); err != nil {
		t.Fatal(err)
	}
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="30px" height="20px"><rect width="5" height="5"/></svg>`
	tests := []struct {
		name string
		b    Bundle
		mime string
		data any
		text string
	}{
		{"text", Text("a\nb"), MIMEText, "a\nb", "a\nb"},
		{"html", HTML("<b>x</b>"), MIMEHTML, "<b>x</b>", "<b>x</b>"},
		{"markdown", Markdown("# T"), MIMEMarkdown, "# T", "# T"},
		{"latex", Latex(`$x^2$`), MIMELatex, `$x^2$`, `$x^2$`},
		{"javascript", Javascript("alert(1)"), MIMEJavascript, "alert(1)", "[application/javascript 8 bytes]"},
		{"svg", SVG(svg), MIMESVG, svg, "[image/svg+xml 30x20]"},
		{"svg without size", SVG(`<svg/>`), MIMESVG, `<svg/>`, "[image/svg+xml]"},
		{"png", PNG(pngBytes(t, 7, 5)), MIMEPNG, nil, "[image/png 7x5]"},
		{"jpeg", JPEG(jpg.Bytes()), MIMEJPEG, nil, "[image/jpeg 8x6]"},
		{"bad png", PNG([]byte("nope")), MIMEPNG, nil, "[image/png invalid data]"},
		{"json", JSON(map[string]any{"a": 1, "b": []int{2}}), MIMEJSON, map[string]any{"a": 1.0, "b": []any{2.0}}, "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}"},
		{"json error", JSON(make(chan int)), MIMEText, nil, "display.JSON: json: unsupported type: chan int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Data[MIMEText]; got != tt.text {
				t.Errorf("text/plain = %q, want %q", got, tt.text)
			}
			if _, ok := tt.b.Data[tt.mime]; !ok {
				t.Fatalf("no %s in %v", tt.mime, keys(tt.b))
			}
			if tt.data != nil && fmt.Sprint(tt.b.Data[tt.mime]) != fmt.Sprint(tt.data) {
				t.Errorf("%s = %v, want %v", tt.mime, tt.b.Data[tt.mime], tt.data)
			}
			if tt.b.Metadata == nil {
				t.Error("nil metadata")
			}
		})
	}
	decodeImage(t, PNG(pngBytes(t, 7, 5)), MIMEPNG, 7, 5)
	decodeImage(t, JPEG(jpg.Bytes()), MIMEJPEG, 8, 6)
}

func TestBundleWith(t *testing.T) {
	a := HTML("<i>a</i>")
	b := a.With(Markdown("*b*")).With(Text("ignored"))
	if b.Data[MIMEHTML] != "<i>a</i>" || b.Data[MIMEMarkdown] != "*b*" || b.Data[MIMEText] != "<i>a</i>" {
		t.Errorf("With = %v", b.Data)
	}
	if _, ok := a.Data[MIMEMarkdown]; ok {
		t.Error("With modified its receiver")
	}
	s := PNG(pngBytes(t, 4, 4)).WithSize(2, 3)
	if m, _ := s.Metadata[MIMEPNG].(map[string]any); m["width"] != 2 || m["height"] != 3 {
		t.Errorf("WithSize metadata = %v", s.Metadata)
	}
}

// Types rendering themselves through the renderer interfaces.
type (
	htmlThing     struct{}
	allThing      struct{ n int }
	bundleThing   struct{}
	noTextBundle  struct{}
	panicThing    struct{}
	stringerThing struct{}
)

func (htmlThing) HTML() string               { return "<p>h</p>" }
func (allThing) Markdown() string            { return "**m**" }
func (allThing) Latex() string               { return "$l$" }
func (allThing) SVG() string                 { return "<svg/>" }
func (allThing) JSON() any                   { return []int{1} }
func (allThing) JPEG() []byte                { return nil }
func (a allThing) String() string            { return fmt.Sprintf("all(%d)", a.n) }
func (bundleThing) Render() Bundle           { return HTML("<hr/>").With(Text("rule")) }
func (noTextBundle) Render() Bundle          { return Bundle{Data: map[string]any{MIMEHTML: "<br/>"}} }
func (panicThing) HTML() string              { panic("boom") }
func (stringerThing) String() string         { return "I am a stringer" }
func (t *pngThing) PNG() []byte              { return t.data }
func (*pngThing) Format(f fmt.State, _ rune) { fmt.Fprint(f, "pngThing") }

type pngThing struct{ data []byte }

func TestRender(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(0, 0, 12, 9))
	rgba.Set(1, 1, color.RGBA{R: 255, A: 255})
	tests := []struct {
		name  string
		v     any
		text  string
		mimes []string
	}{
		{"string", "a\"b", `"a\"b"`, nil},
		{"int", 42, "42", nil},
		{"slice", []int{1, 2}, "[1 2]", nil},
		{"nil", nil, "<nil>", nil},
		{"error", errors.New("file not found"), "file not found", nil},
		{"wrapped error", fmt.Errorf("open x: %w", os.ErrNotExist), "open x: file does not exist", nil},
		{"stringer", stringerThing{}, "I am a stringer", nil},
		{"bundle", HTML("<b/>"), "<b/>", []string{MIMEHTML}},
		{"bundle pointer", &Bundle{Data: map[string]any{MIMEHTML: "<b/>"}}, "[text/html]", []string{MIMEHTML}},
		{"renderer", bundleThing{}, "<hr/>", []string{MIMEHTML}},
		{"renderer without text", noTextBundle{}, "{}", []string{MIMEHTML}},
		{"html method", htmlThing{}, "{}", []string{MIMEHTML}},
		{"many methods", allThing{3}, "all(3)", []string{MIMEMarkdown, MIMELatex, MIMESVG, MIMEJSON}}, // JPEG returns nil: left out
		{"png method", &pngThing{pngBytes(t, 3, 2)}, "pngThing", []string{MIMEPNG}},
		{"panicking method", panicThing{}, "display: rendering display.panicThing panicked: boom", nil},
		{"image", rgba, "[image/png 12x9]", []string{MIMEPNG}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Render(tt.v)
			if got := b.Data[MIMEText]; got != tt.text {
				t.Errorf("text/plain = %q, want %q", got, tt.text)
			}
			for _, m := range tt.mimes {
				if _, ok := b.Data[m]; !ok {
					t.Errorf("no %s in %v", m, keys(b))
				}
			}
			if len(b.Data) != len(tt.mimes)+1 {
				t.Errorf("MIME types %v, want %v and text/plain", keys(b), tt.mimes)
			}
		})
	}
	decodeImage(t, Render(rgba), MIMEPNG, 12, 9)
}

func TestPlot(t *testing.T) {
	p := plot.New()
	p.Title.Text = "sine"
	xy := make(plotter.XYs, 100)
	for i := range xy {
		xy[i] = plotter.XY{X: float64(i), Y: math.Sin(float64(i) / 10)}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		t.Fatal(err)
	}
	p.Add(l)
	for _, tt := range []struct {
		b    Bundle
		w, h int
	}{{Plot(p), PlotWidth, PlotHeight}, {PlotSize(p, 300, 200), 300, 200}, {Render(p), PlotWidth, PlotHeight}} {
		checkPlotBundle(t, tt.b, tt.w, tt.h)
	}
	if got := Plot(p).Data[MIMEText]; got != `[plot "sine" 640x400]` {
		t.Errorf("text/plain = %q", got)
	}
	if b := PlotSize(p, 0, 10); !strings.Contains(b.Data[MIMEText].(string), "invalid size") {
		t.Errorf("PlotSize(0, 10) = %v", b.Data)
	}
}

// checkPlotBundle checks that b holds a PNG at twice width×height with
// metadata to show it at width×height, and an SVG of that size.
func checkPlotBundle(t *testing.T, b Bundle, width, height int) {
	t.Helper()
	decodeImage(t, b, MIMEPNG, width*pixelDensity, height*pixelDensity)
	if m, _ := b.Metadata[MIMEPNG].(map[string]any); m["width"] != width || m["height"] != height {
		t.Errorf("PNG metadata = %v, want width %d height %d", b.Metadata[MIMEPNG], width, height)
	}
	svg, _ := b.Data[MIMESVG].(string)
	root := checkXML(t, svg)
	if root.Name.Local != "svg" {
		t.Fatalf("SVG root is %q", root.Name.Local)
	}
	want := map[string]string{"width": fmt.Sprintf("%gpt", float64(width)*0.75), "height": fmt.Sprintf("%gpt", float64(height)*0.75)}
	for _, a := range root.Attr {
		if w, ok := want[a.Name.Local]; ok && a.Value != w {
			t.Errorf("SVG %s = %q, want %q", a.Name.Local, a.Value, w)
		}
	}
	if strings.Contains(svg, "font-family:Liberation") {
		t.Error("SVG names a font without a generic fallback")
	}
}

func TestLossChart(t *testing.T) {
	c := NewLossChart("training").SetLabels("epoch", "cross-entropy")
	for i := 0; i < 5000; i++ {
		c.Add("train", float64(i), 2*math.Exp(-float64(i)/1000)+0.1)
		if i%500 == 0 {
			c.Add("val", float64(i), 2*math.Exp(-float64(i)/1000)+0.2)
		}
	}
	c.Add("train", 5000, math.NaN()) // skipped when drawing
	b := Render(c)
	checkPlotBundle(t, b, PlotWidth, PlotHeight)
	if !strings.Contains(b.Data[MIMESVG].(string), "cross-entropy") {
		t.Error("SVG lacks the y label")
	}
	if got := b.Data[MIMEText]; got != "LossChart \"training\": train NaN at step 5000, val 0.222218 at step 4500" {
		t.Errorf("text/plain = %q", got)
	}
	steps, values := c.Points("val")
	if len(steps) != 10 || len(values) != 10 || steps[9] != 4500 {
		t.Errorf("Points(val) = %v, %v", steps, values)
	}

	// Log scale, non-positive values, an empty series, other sizes.
	c2 := NewLossChart("").SetLogY(true).SetSize(400, 300)
	for i := 0; i < 100; i++ {
		c2.Add("lr", float64(i), 0.1*math.Pow(0.95, float64(i)))
		c2.Add("diff", float64(i), float64(i-50)/10)
	}
	checkPlotBundle(t, Render(c2), 400, 300)
	checkPlotBundle(t, Render(NewLossChart("empty")), PlotWidth, PlotHeight)
	checkPlotBundle(t, Render(NewLossChart("empty log").SetLogY(true)), PlotWidth, PlotHeight)
}

func TestThinning(t *testing.T) {
	n := 100000
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = float64(i), math.Sin(float64(i))
	}
	y[77777] = 50 // a spike must survive
	xy := points(x, y, false)
	if len(xy) > maxDrawn+2 || len(xy) < maxDrawn/2 {
		t.Errorf("%d points drawn of %d", len(xy), n)
	}
	if xy[0].X != 0 || xy[len(xy)-1].X != float64(n-1) {
		t.Errorf("first and last drawn are %v, %v", xy[0], xy[len(xy)-1])
	}
	spike := false
	for i, p := range xy {
		spike = spike || p.Y == 50
		if i > 0 && p.X < xy[i-1].X {
			t.Fatalf("points out of order at %d", i)
		}
	}
	if !spike {
		t.Error("spike lost")
	}
	if got := points([]float64{1, 2, 3}, []float64{-1, math.Inf(1), 2}, true); len(got) != 1 || got[0].Y != 2 {
		t.Errorf("log points = %v", got)
	}
}

func TestTicks(t *testing.T) {
	tests := []struct {
		ticks plot.Ticker
		lo    float64
		hi    float64
		want  string
	}{
		{niceTicks{7}, 0, 2999, "0 500 1000 1500 2000 2500"},
		{niceTicks{6}, 0.05, 2.45, "0.5 1.0 1.5 2.0"},
		{niceTicks{6}, -1, 1, "-1.0 -0.5 0.0 0.5 1.0"},
		{niceTicks{5}, 3, 3, "3"},
		{niceLogTicks{}, 0.05, 2.45, "0.05 0.1 0.2 0.5 1 2"},
		{niceLogTicks{}, 0.001, 2.45, "0.001 0.01 0.1 1"},
	}
	for _, tt := range tests {
		var labels []string
		for _, tk := range tt.ticks.Ticks(tt.lo, tt.hi) {
			labels = append(labels, tk.Label)
		}
		if got := strings.Join(labels, " "); got != tt.want {
			t.Errorf("%T.Ticks(%g, %g) = %q, want %q", tt.ticks, tt.lo, tt.hi, got, tt.want)
		}
	}
}

func TestMatrix(t *testing.T) {
	small := mat.NewDense(2, 3, []float64{1, 2.5, 3, 4, 5, 1e-7})
	b := Render(small)
	html := b.Data[MIMEHTML].(string)
	checkXML(t, html)
	for _, s := range []string{"mat.Dense 2×3 float64", ">2.5<", ">1e-07<"} {
		if !strings.Contains(html, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	if strings.ContainsAny(html, "⋯⋮⋱") {
		t.Error("small matrix abridged")
	}
	wantText := "mat.Dense 2×3 float64\n1  2.5      3\n4    5  1e-07"
	if b.Data[MIMEText] != wantText {
		t.Errorf("text/plain =\n%s\nwant\n%s", b.Data[MIMEText], wantText)
	}

	big := mat.NewDense(100, 30, nil)
	big.Set(99, 29, 7)
	b = Render(big)
	html = b.Data[MIMEHTML].(string)
	checkXML(t, html)
	if got := strings.Count(html, "<tr>"); got != 1+maxRows+1 {
		t.Errorf("%d rows, want header + %d + ellipsis", got, maxRows)
	}
	if got := strings.Count(html, "<td"); got != (maxRows+1)*(maxCols+1) {
		t.Errorf("%d cells", got)
	}
	for _, s := range []string{"⋯", "⋮", "⋱", ">99<", ">29<", ">7<", "100×30"} {
		if !strings.Contains(html, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	if lines := strings.Split(b.Data[MIMEText].(string), "\n"); len(lines) != maxRows+2 {
		t.Errorf("text has %d lines", len(lines))
	}
	// A vector is a Matrix too.
	checkXML(t, Render(mat.NewVecDense(3, []float64{1, 2, 3})).Data[MIMEHTML].(string))
}

func TestTensor(t *testing.T) {
	tests := []struct {
		name   string
		t      tensor.Tensor
		head   string
		tables int
		has    []string
	}{
		{"matrix", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6.5})), "tensor.Dense (2, 3) float32", 1, []string{">6.5<"}},
		{"vector", tensor.New(tensor.WithShape(50), tensor.WithBacking(tensor.Range(tensor.Int, 0, 50))), "tensor.Dense (50) int", 1, []string{">49<", "⋯"}},
		{"rank 3", tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(tensor.Range(tensor.Float64, 0, 24))), "tensor.Dense (2, 3, 4) float64", 2, []string{"[1, :, :]", ">23<"}},
		{"rank 4 abridged", tensor.New(tensor.WithShape(3, 2, 12, 12), tensor.WithBacking(tensor.Range(tensor.Float64, 0, 3*2*144))), "tensor.Dense (3, 2, 12, 12) float64", maxSlices, []string{"[0, 0, :, :]", "[2, 1, :, :]", "⋮ (2 more slices)", ">863<", "⋱"}},
		{"bool", tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]bool{true, false})), "tensor.Dense (1, 2) bool", 1, []string{">true<"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Render(tt.t)
			html := b.Data[MIMEHTML].(string)
			checkXML(t, html)
			text := b.Data[MIMEText].(string)
			if !strings.HasPrefix(text, tt.head+"\n") || !strings.Contains(html, tt.head) {
				t.Errorf("heading is not %q:\n%s", tt.head, text)
			}
			if got := strings.Count(html, "<table"); got != tt.tables {
				t.Errorf("%d tables, want %d", got, tt.tables)
			}
			for _, s := range tt.has {
				if !strings.Contains(html, s) {
					t.Errorf("HTML lacks %q", s)
				}
			}
		})
	}
	if got := Render(tensor.New(tensor.FromScalar(2.5))).Data[MIMEText]; got != "tensor.Dense () float64\n2.5" {
		t.Errorf("scalar text = %q", got)
	}
}

func TestShowAndClear(t *testing.T) {
	r := record(t)
	Show(HTML("<b>x</b>"))
	Show(42)
	Clear(true)
	Clear(false)
	pubs := r.all()
	if len(pubs) != 2 || pubs[0].b.Data[MIMEHTML] != "<b>x</b>" || pubs[1].b.Data[MIMEText] != "42" {
		t.Fatalf("published %v", pubs)
	}
	for _, p := range pubs {
		if p.id != "" || p.update {
			t.Errorf("Show published id %q update %v", p.id, p.update)
		}
	}
	if fmt.Sprint(r.clears) != "[true false]" {
		t.Errorf("clears = %v", r.clears)
	}
}

func TestFallback(t *testing.T) {
	out := captureStdout(t, func() {
		Show(HTML("<b>x</b>"))
		Show(image.NewRGBA(image.Rect(0, 0, 640, 480)))
		Show("quoted")
		Clear(false) // nothing to clear in a terminal
		h := New()
		h.Update(Text("same"))
		h.Update(Text("same"))
		h.Flush()
		h.Update(Text("changed"))
		h.Close()
	})
	want := "<b>x</b>\n[image/png 640x480]\n\"quoted\"\nsame\nchanged\n"
	if out != want {
		t.Errorf("printed %q, want %q", out, want)
	}
}

func TestHandleSequence(t *testing.T) {
	r := record(t)
	h := New()
	if len(h.ID()) != 32 || New().ID() == h.ID() {
		t.Fatalf("ids %q", h.ID())
	}
	const n = 1000
	for i := 1; i <= n; i++ {
		h.Update(i)
	}
	h.Close()
	pubs := r.all()
	// The first Update shows, the later ones within the same quarter
	// second are coalesced, and Close delivers the last.
	if len(pubs) < 2 || len(pubs) > 10 {
		t.Fatalf("%d publishes for %d updates", len(pubs), n)
	}
	for i, p := range pubs {
		if p.id != h.ID() {
			t.Errorf("publish %d has id %q, want %q", i, p.id, h.ID())
		}
		if p.update != (i > 0) {
			t.Errorf("publish %d update = %v", i, p.update)
		}
	}
	if got := pubs[0].b.Data[MIMEText]; got != "1" {
		t.Errorf("first publish %v", got)
	}
	if got := pubs[len(pubs)-1].b.Data[MIMEText]; got != fmt.Sprint(n) {
		t.Errorf("last publish %v, want %d", got, n)
	}
	// Show makes a new output under the same id.
	h.Show("again")
	if p := r.all()[len(r.all())-1]; p.update || p.id != h.ID() {
		t.Errorf("Show published %+v", p)
	}
}

func TestHandleTrailingUpdate(t *testing.T) {
	r := record(t)
	h := New()
	h.Update("a")
	h.Update("b") // held back: sent by the timer, with no Flush
	deadline := time.Now().Add(5 * time.Second)
	for len(r.all()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	pubs := r.all()
	if len(pubs) != 2 || pubs[1].b.Data[MIMEText] != `"b"` || !pubs[1].update {
		t.Fatalf("published %+v", pubs)
	}
	h.Flush() // nothing pending: nothing sent
	if len(r.all()) != 2 {
		t.Errorf("Flush sent again")
	}
}

func TestHandleConcurrent(t *testing.T) {
	r := record(t)
	h := New()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				h.Update(i)
			}
		}()
	}
	wg.Wait()
	h.Update("final")
	h.Close()
	pubs := r.all()
	if got := pubs[len(pubs)-1].b.Data[MIMEText]; got != `"final"` {
		t.Errorf("last publish %v", got)
	}
	if len(pubs) > 10 {
		t.Errorf("%d publishes for 1601 updates", len(pubs))
	}
}

func TestLossChartLive(t *testing.T) {
	r := record(t)
	c := NewLossChart("live")
	h := c.Live()
	for i := 0; i < 100; i++ {
		c.Add("train", float64(i), 1/float64(i+1))
	}
	h.Close()
	pubs := r.all()
	if len(pubs) < 2 || pubs[0].update || !pubs[len(pubs)-1].update {
		t.Fatalf("%d publishes", len(pubs))
	}
	for _, p := range pubs {
		if p.id != h.ID() {
			t.Errorf("id %q, want %q", p.id, h.ID())
		}
	}
	last := pubs[len(pubs)-1].b
	if got := last.Data[MIMEText]; got != `LossChart "live": train 0.01 at step 99` {
		t.Errorf("last text %q", got)
	}
	checkPlotBundle(t, last, PlotWidth, PlotHeight)
}

// blocker renders only when released.
type blocker struct{ release chan struct{} }

func (b blocker) Render() Bundle {
	<-b.release
	return Text("released")
}

func TestHandleUpdateDoesNotRender(t *testing.T) {
	r := record(t)
	h := New()
	h.Show(1)
	b := blocker{make(chan struct{})}
	returned := make(chan struct{})
	go func() {
		h.Update(b) // rendered later, on the timer's goroutine
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Update blocked on rendering")
	}
	close(b.release)
	h.Close()
	pubs := r.all()
	if got := pubs[len(pubs)-1].b.Data[MIMEText]; got != "released" {
		t.Errorf("last publish %v", got)
	}
}

func TestParts(t *testing.T) {
	tests := []struct {
		p     Parts
		text  string
		mimes []string
	}{
		{Parts{Text: "T{3}", HTML: "<b>3</b>"}, "T{3}", []string{MIMEHTML}},
		{Parts{HTML: "<b>3</b>", Latex: "$3$"}, "<b>3</b>", []string{MIMEHTML, MIMELatex}},
		{Parts{PNG: pngBytes(t, 28, 28), JSON: map[string]int{"a": 1}}, "[image/png 28x28]", []string{MIMEPNG, MIMEJSON}},
		{Parts{}, "", nil},
	}
	for _, tt := range tests {
		b := Render(tt.p)
		if b.Data[MIMEText] != tt.text {
			t.Errorf("Render(%+v) text = %q, want %q", tt.p, b.Data[MIMEText], tt.text)
		}
		if len(b.Data) != len(tt.mimes)+1 {
			t.Errorf("Render(%+v) has %v, want %v and text/plain", tt.p, keys(b), tt.mimes)
		}
	}
}

// interpWrapper is shaped like the interface wrappers yaegi generates: the
// interpreted value, then one func field per method.
type interpWrapper struct {
	IValue interface{}
	WHTML  func() string
}

func (w interpWrapper) HTML() string { return w.WHTML() }

func TestInterpretedWrapper(t *testing.T) {
	w := interpWrapper{IValue: struct{ N int }{3}, WHTML: func() string { return "<b>3</b>" }}
	b := Render(w)
	if b.Data[MIMEHTML] != "<b>3</b>" || b.Data[MIMEText] != "{3}" {
		t.Errorf("Render(wrapper) = %v", b.Data)
	}
	for _, rt := range RendererTypes() {
		if rt.Kind() != reflect.Interface || rt.NumMethod() != 1 {
			t.Errorf("%v is not a single-method interface", rt)
		}
	}
}

func TestFlushAll(t *testing.T) {
	r := record(t)
	a, b := New(), New()
	a.Update("a1")
	b.Update("b1")
	a.Update("a2") // held back
	b.Update("b2") // held back
	FlushAll()
	last := map[string]any{}
	for _, p := range r.all() {
		last[p.id] = p.b.Data[MIMEText]
	}
	if last[a.ID()] != `"a2"` || last[b.ID()] != `"b2"` {
		t.Errorf("after FlushAll: %v", last)
	}
	FlushAll() // nothing held back: nothing sent
	if n := len(r.all()); n != 4 {
		t.Errorf("%d publishes, want 4", n)
	}
	if l := busy.list(); len(l) != 0 {
		t.Errorf("%d handles still busy", len(l))
	}
}

func TestSmoothing(t *testing.T) {
	flat := ema(plotter.XYs{{X: 0, Y: 2}, {X: 1, Y: 2}, {X: 2, Y: 2}}, 0.9)
	for _, p := range flat {
		if math.Abs(p.Y-2) > 1e-12 {
			t.Fatalf("EMA of a constant is %v", flat)
		}
	}
	steps := ema(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 10}}, 0.5)
	if steps[0].Y != 0 || math.Abs(steps[1].Y-10.0/1.5) > 1e-12 {
		t.Errorf("EMA = %v", steps)
	}
	c := NewLossChart("smooth").SetSmoothing(0.9)
	for i := 0; i < 3000; i++ {
		c.Add("train", float64(i), 1+math.Sin(float64(i)))
	}
	for i := 0; i < 10; i++ {
		c.Add("val", float64(i*300), 1) // too short to smooth
	}
	p := c.Plot()
	b := Render(c)
	checkPlotBundle(t, b, PlotWidth, PlotHeight)
	if p.Title.Text != "smooth" {
		t.Errorf("title %q", p.Title.Text)
	}
}

func TestImageGrid(t *testing.T) {
	var imgs []image.Image
	for i := 0; i < 5; i++ {
		imgs = append(imgs, image.NewGray(image.Rect(0, 0, 28, 28)))
	}
	b := ImageGrid(imgs, []string{"0", "1", "2", "<3>"}, 2)
	h := b.Data[MIMEHTML].(string)
	checkXML(t, h)
	if got := strings.Count(h, "<tr>"); got != 3 {
		t.Errorf("%d rows, want 3", got)
	}
	if got := strings.Count(h, `<img src="data:image/png;base64,`); got != 5 {
		t.Errorf("%d images", got)
	}
	if !strings.Contains(h, `width="56" height="56"`) || !strings.Contains(h, "&lt;3&gt;") {
		t.Errorf("no enlarged image or escaped caption in %.400s", h)
	}
	if got := b.Data[MIMEText]; got != "[5 images 28x28] 0 1 2 <3>" {
		t.Errorf("text/plain = %q", got)
	}
	// The embedded PNGs decode at the images' size.
	src := h[strings.Index(h, "base64,")+len("base64,"):]
	decodeImage(t, PNG(mustBase64(t, src[:strings.Index(src, `"`)])), MIMEPNG, 28, 28)
	checkXML(t, ImageGrid(nil, nil, 0).Data[MIMEHTML].(string))
}

func mustBase64(t *testing.T, s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPieceStroker checks that stroking a long line in pieces draws what
// stroking it whole does, bar antialiasing noise at the joins.
func TestPieceStroker(t *testing.T) {
	p := plot.New()
	xy := make(plotter.XYs, 500)
	for i := range xy {
		xy[i] = plotter.XY{X: float64(i), Y: math.Sin(float64(i)/15) + 0.3*math.Sin(float64(i)*1.7)}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		t.Fatal(err)
	}
	l.Width = 2
	p.Add(l)
	draw := func(split bool) *image.RGBA {
		w, h := vgPoints(300), vgPoints(200)
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(cssDPI))
		if split {
			p.Draw(vgdraw.New(&pieceStroker{Canvas: c}))
		} else {
			p.Draw(vgdraw.New(c))
		}
		return c.Image().(*image.RGBA)
	}
	whole, pieces := draw(false), draw(true)
	differ, inked := 0, 0
	for i := 0; i < len(whole.Pix); i += 4 {
		if whole.Pix[i] != 0xff || whole.Pix[i+1] != 0xff || whole.Pix[i+2] != 0xff {
			inked++
		}
		for k := 0; k < 3; k++ {
			if d := int(whole.Pix[i+k]) - int(pieces.Pix[i+k]); d > 40 || d < -40 {
				differ++
				break
			}
		}
	}
	t.Logf("%d of %d inked pixels differ", differ, inked)
	if inked == 0 || differ > inked/100 {
		t.Errorf("%d of %d inked pixels differ", differ, inked)
	}
}
