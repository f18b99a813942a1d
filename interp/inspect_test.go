package interp

import (
	"strings"
	"testing"
)

func TestInspect(t *testing.T) {
	prior := []string{
		`// Point is a point of the plane.
type Point struct {
	X, Y float64 // coordinates
	// Label names the point.
	Label string
}

// Norm returns the squared length.
func (p *Point) Norm() float64 {
	return p.X*p.X + p.Y*p.Y
}

// double doubles n.
func double(n int) int {
	return 2 * n
}
m := mat.NewDense(2, 2, nil)
count := 3
const limit = 10`,
	}
	for _, tc := range []struct {
		name, code string // | marks the cursor
		detail     int
		found      bool
		want       []string // substrings of text/plain
		absent     []string
		url        string // link in text/markdown
	}{
		{"std func", "fmt.Prin|tln(1)", 0, true, []string{"func Println(a ...any) (n int, err error)", "Spaces are always added"}, nil, "https://pkg.go.dev/fmt#Println"},
		{"std func cursor at end", "fmt.Println|", 0, true, []string{"func Println("}, nil, ""},
		{"cursor on package", "f|mt.Println(1)", 0, true, []string{`package fmt // import "fmt"`, "formatted I/O"}, nil, "https://pkg.go.dev/fmt"},
		{"preloaded func", "mat.NewDen|se(2, 2, nil)", 0, true, []string{"func NewDense(r, c int, data []float64) *Dense", "NewDense creates"}, nil, "https://pkg.go.dev/gonum.org/v1/gonum/mat#NewDense"},
		{"gorgonia", "gorgonia.NewGraph|()", 0, true, []string{"func NewGraph("}, nil, ""},
		{"std type", "strings.Buil|der", 0, true, []string{"type Builder struct", "func (b *Builder) WriteString(s string) (int, error)"}, nil, ""},
		{"interface type", "io.Rea|der", 0, true, []string{"type Reader interface", "Read(p []byte) (n int, err error)"}, []string{"func (Reader) Read"}, ""},
		{"call arguments", "fmt.Println(1, |)", 0, true, []string{"func Println("}, nil, ""},
		{"call arguments in string", "fmt.Println(\"abc|\")", 0, true, []string{"func Println("}, nil, ""},
		{"method of compiled var", "m.A|t(0, 0)", 0, true, []string{"func (m *Dense) At(i, j int) float64"}, nil, "https://pkg.go.dev/gonum.org/v1/gonum/mat#Dense.At"},
		{"user func header", "doub|le(2)", 0, true, []string{"func double(n int) int", "double doubles n."}, []string{"return 2 * n"}, ""},
		{"user func source", "doub|le(2)", 1, true, []string{"func double(n int) int {", "return 2 * n"}, nil, ""},
		{"user type", "Poi|nt{}", 0, true, []string{"type Point struct", "Label string", "Point is a point", "func (p *Point) Norm() float64"}, nil, ""},
		{"user method", "p := &Point{}\np.No|rm()", 0, true, []string{"func (p *Point) Norm() float64", "Norm returns the squared length."}, nil, ""},
		{"user field", "p := Point{}\np.Lab|el", 0, true, []string{"Label string", "Label names the point."}, nil, ""},
		{"user field comment", "p := Point{}\np.X|", 0, true, []string{"X, Y float64", "coordinates"}, nil, ""},
		{"variable type", "cou|nt + 1", 0, true, []string{"var count int", "count := 3"}, nil, ""},
		{"compiled variable", "m|", 0, true, []string{"var m *mat.Dense", "m := mat.NewDense(2, 2, nil)"}, nil, ""},
		{"const", "limit|", 0, true, []string{"const limit int", "const limit = 10"}, nil, ""},
		{"current cell var", "zz := \"s\"\nzz|", 0, true, []string{"var zz string"}, nil, ""},
		{"builtin", "appe|nd(xs, 1)", 0, true, []string{"func append(slice []Type, elems ...Type) []Type"}, nil, ""},
		{"non-ASCII before cursor", "s := \"日本語\" // ü\nfmt.Sprin|tf", 0, true, []string{"func Sprintf("}, nil, ""},
		{"non-ASCII name", "größe := 1.5\ngrö|ße", 0, true, []string{"var größe float64"}, nil, ""},
		{"unknown", "nosuch|", 0, false, nil, nil, ""},
		{"keyword", "fo|r", 0, false, nil, nil, ""},
		{"empty", "|", 0, false, nil, nil, ""},
		{"comment", "// fmt.Println|", 0, false, nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, cursor := cursorAt(tc.code)
			res := helpInspect(prior, code, cursor, tc.detail)
			if n := helpPanics.Swap(0); n != 0 {
				t.Errorf("%d panics recovered", n)
			}
			if res.Found != tc.found {
				t.Fatalf("found = %v, want %v (%v)", res.Found, tc.found, res.Data)
			}
			if !tc.found {
				return
			}
			text, _ := res.Data["text/plain"].(string)
			md, _ := res.Data["text/markdown"].(string)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text/plain lacks %q:\n%s", w, text)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(text, a) {
					t.Errorf("text/plain has %q:\n%s", a, text)
				}
			}
			if tc.url != "" && !strings.Contains(md, "("+tc.url+")") {
				t.Errorf("text/markdown lacks link %s:\n%s", tc.url, md)
			}
			if !strings.HasPrefix(md, "```go\n") {
				t.Errorf("text/markdown does not start with a Go block:\n%s", md)
			}
		})
	}
}
