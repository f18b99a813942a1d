package interp

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/godl-kernel/godl/internal/completion"
)

// cursorAt splits code marked with "|" into the code and the cursor in
// code points.
func cursorAt(marked string) (string, int) {
	i := strings.Index(marked, "|")
	if i < 0 {
		return marked, utf8.RuneCountInString(marked)
	}
	return marked[:i] + marked[i+1:], utf8.RuneCountInString(marked[:i])
}

func TestComplete(t *testing.T) {
	prior := []string{
		`import "strings"
type Point struct {
	X, Y float64
	Label string
}
func (p *Point) Norm() float64 { return p.X*p.X + p.Y*p.Y }
func (p Point) Scale(k float64) Point { return Point{p.X * k, p.Y * k, p.Label} }
var sb strings.Builder
m := mat.NewDense(2, 2, nil)
count := 3
pts := []Point{{1, 2, "a"}}
func helper(n int) (*Point, error) { return nil, nil }`,
		`g := gorgonia.NewGraph()
x := gorgonia.NewMatrix(g, gorgonia.Float64, gorgonia.WithShape(2, 2))
type Model struct {
	*Point
	W *gorgonia.Node
}
net := &Model{}
ch := make(chan Point)
var total float64
const greeting = "héllo"`,
	}
	for _, tc := range []struct {
		name   string
		code   string // | marks the cursor (default: end)
		want   []string
		absent []string
		// start is the expected cursor_start in code points (-1: cursor
		// minus the length of the last identifier).
		start int
	}{
		{"package member", "fmt.Prin|", []string{"Print", "Printf", "Println"}, []string{"Sprint"}, -1},
		{"package members all", "strings.|", []string{"Builder", "Contains", "ToUpper"}, nil, -1},
		{"preloaded package", "mat.NewD|", []string{"NewDense", "NewDiagDense"}, []string{"NewVecDense"}, -1},
		{"gorgonia", "gorgonia.NewG|", []string{"NewGraph"}, nil, -1},
		{"generic std from docs", "slices.So|", []string{"Sort", "SortFunc"}, nil, -1},
		{"documented but not in the interpreter", "strings.SplitS|", nil, []string{"SplitSeq"}, -1},
		{"plot subpackage", "plotter.NewL|", []string{"NewLine", "NewLinePoints"}, nil, -1},
		{"method of compiled var", "m.|", []string{"At", "Set", "Mul", "Dims", "T"}, []string{"mat"}, -1},
		{"method prefix", "m.Se|", []string{"Set", "SetCol", "SetRow"}, []string{"At"}, -1},
		{"strings.Builder var", "sb.Wr|", []string{"WriteString", "WriteByte"}, nil, -1},
		{"user struct fields and methods", "p := Point{}\np.|", []string{"X", "Y", "Label", "Norm", "Scale"}, nil, -1},
		{"pointer composite literal", "q := &Point{X: 1}\nq.N|", []string{"Norm"}, nil, -1},
		{"method call result", "p := Point{}\np.Scale(2).|", []string{"X", "Norm"}, nil, -1},
		{"func result tuple", "r, err := helper(1)\nr.|", []string{"X", "Norm"}, nil, -1},
		{"error result", "r, err := helper(1)\nerr.|", []string{"Error"}, nil, -1},
		{"slice index", "pts[0].|", []string{"Label", "X"}, nil, -1},
		{"range value", "for i, pt := range pts {\n\tpt.L|\n}", []string{"Label"}, nil, -1},
		{"range key", "for i, pt := range pts {\n\ti.|\n}", nil, []string{"Label"}, -1},
		{"gorgonia node method", "x.Sha|", []string{"Shape"}, nil, -1},
		{"embedded pointer promotes", "net.|", []string{"W", "Point", "X", "Norm"}, nil, -1},
		{"channel receive", "v := <-ch\nv.|", []string{"X"}, nil, -1},
		{"new builtin", "n := new(Point)\nn.|", []string{"Norm", "Y"}, nil, -1},
		{"conversion", "f := float64(count)\nf.|", nil, []string{"X"}, -1},
		{"chained compiled", "m.T().|", []string{"At", "Dims"}, []string{"Set"}, -1},
		{"package var", "os.Std|", []string{"Stdin", "Stdout", "Stderr"}, nil, -1},
		{"type assertion", "var a any\nb := a.(*Point)\nb.|", []string{"Norm"}, nil, -1},
		{"local in func", "func f(w *Model, k int) {\n\tw.|\n}", []string{"W"}, nil, -1},
		{"func literal param", "h := func(pp Point) float64 {\n\treturn pp.|\n}", []string{"X"}, nil, -1},
		{"if init", "if s := (Point{}); s.X > 0 {\n\ts.|\n}", []string{"Label"}, nil, -1},
		{"global names", "cou|", []string{"count"}, nil, -1},
		{"user func", "hel|", []string{"helper"}, nil, -1},
		{"user type", "Poi|", []string{"Point"}, nil, -1},
		{"current cell decl", "var later int\nlat|", []string{"later"}, nil, -1},
		{"keyword", "ret|", []string{"return"}, nil, -1},
		{"builtin", "app|", []string{"append"}, nil, -1},
		{"package name", "strc|", []string{"strconv"}, nil, -1},
		{"preloaded package name", "plott|", []string{"plotter"}, nil, -1},
		{"case-insensitive fallback", "POI|", []string{"Point"}, nil, -1},
		{"non-ASCII before cursor", "s := \"日本語\"\nfmt.Prin|", []string{"Println"}, nil, -1},
		{"non-ASCII identifier", "größe := Point{}\ngröße.La|", []string{"Label"}, nil, -1},
		{"non-ASCII prefix", "größe := 1\ngrö|", []string{"größe"}, nil, -1},
		{"cursor mid-code", "fmt.Prin| + 1\nx := 2", []string{"Println"}, nil, -1},
		{"in string", "s := \"fmt.Pri|", nil, []string{"Println"}, -1},
		{"in comment", "// fmt.Pri|", nil, []string{"Println"}, -1},
		{"after broken string", "\"abc\nfmt.Pri|", []string{"Println"}, nil, -1},
		{"after broken string line", "\"abc\n|00", nil, nil, -1},
		{"raw string with newline", "`\n|", nil, nil, -1},
		{"after block comment", "/* c */ fmt.Pri|", []string{"Println"}, nil, -1},
		{"import path", "import \"gonum.org/v1/gonum/ma|", []string{"gonum.org/v1/gonum/mat"}, nil, 8},
		{"import block path", "import (\n\t\"str|", []string{"strings", "strconv"}, nil, 11},
		{"number has no members", "1.|", nil, []string{"Println"}, -1},
		{"unknown operand", "nosuch.|", nil, nil, -1},
		{"shadowed package", "fmt := Point{}\nfmt.|", []string{"X"}, []string{"Println"}, -1},
		{"explicit import alias", "import G \"gorgonia.org/gorgonia\"\nG.NewGr|", []string{"NewGraph"}, nil, -1},
		{"const type", "greeting.|", nil, nil, -1},
		{"magic line before", "%time\nq := Point{}\nq.La|", []string{"Label"}, nil, -1},
		{"struct literal field", "p := Point{La|", []string{"Label"}, nil, -1},
		{"struct literal second field", "p := &Point{X: 1, |}", []string{"Y", "Label", "count"}, nil, -1},
		{"compiled struct literal field", "xy := plotter.XY{|", []string{"X", "Y"}, nil, -1},
		{"not a literal", "if count > 1 {\n\tLa|", nil, []string{"Label"}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, cursor := cursorAt(tc.code)
			res := helpComplete(prior, code, cursor)
			if n := helpPanics.Swap(0); n != 0 {
				t.Errorf("%d panics recovered", n)
			}
			got := map[string]bool{}
			for _, m := range res.Matches {
				got[m] = true
			}
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("matches lack %q: %v", w, trunc(res.Matches))
				}
			}
			for _, a := range tc.absent {
				if got[a] {
					t.Errorf("matches have %q: %v", a, trunc(res.Matches))
				}
			}
			if tc.want != nil {
				start := tc.start
				if start < 0 {
					b := completion.RuneToByte(code, cursor)
					start = cursor - utf8.RuneCountInString(code[completion.IdentStart(code, b):b])
				}
				if res.CursorStart != start || res.CursorEnd != cursor {
					t.Errorf("cursor_start, cursor_end = %d, %d, want %d, %d", res.CursorStart, res.CursorEnd, start, cursor)
				}
				types, _ := res.Metadata["_jupyter_types_experimental"].([]any)
				if len(types) != len(res.Matches) {
					t.Errorf("%d experimental types for %d matches", len(types), len(res.Matches))
				}
			}
		})
	}
}

func trunc(s []string) []string {
	if len(s) > 30 {
		return append(s[:30:30], "...")
	}
	return s
}

// TestCompleteKinds checks the types reported to the frontend.
func TestCompleteKinds(t *testing.T) {
	prior := []string{"func myFunc() {}\nmyVar := 1\ntype MyType int"}
	res := helpComplete(prior, "my", 2)
	kinds := map[string]string{}
	for _, m := range res.Metadata["_jupyter_types_experimental"].([]any) {
		mm := m.(map[string]any)
		kinds[mm["text"].(string)] = mm["type"].(string)
	}
	want := map[string]string{"myFunc": "function", "myVar": "variable", "MyType": "class"}
	for k, v := range want {
		if kinds[k] != v && !(k == "MyType" && kinds[k] == "") {
			t.Errorf("type of %s = %q, want %q", k, kinds[k], v)
		}
	}
	res = helpComplete(nil, "fmt.Sprin", 9)
	for _, m := range res.Metadata["_jupyter_types_experimental"].([]any) {
		mm := m.(map[string]any)
		if mm["text"] == "Sprintf" && (mm["type"] != "function" || !strings.HasPrefix(mm["signature"].(string), "func Sprintf(")) {
			t.Errorf("Sprintf metadata = %v", mm)
		}
	}
}

func BenchmarkComplete(b *testing.B) {
	prior := []string{
		"type Point struct{ X, Y float64 }\nfunc (p *Point) Norm() float64 { return p.X*p.X + p.Y*p.Y }",
		"m := mat.NewDense(3, 3, nil)\ncount := 0\nfor i := 0; i < 10; i++ { count += i }",
		"g := gorgonia.NewGraph()\nx := gorgonia.NewMatrix(g, gorgonia.Float64, gorgonia.WithShape(2, 2))",
	}
	for _, bc := range []struct{ name, code string }{
		{"package", "fmt.Pr"},
		{"method", "y := m.T()\ny.D"},
		{"name", "p := Point{}\nfmt.Println(p)\nco"},
		{"struct", "p := &Point{}\np.N"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cursor := utf8.RuneCountInString(bc.code)
			helpComplete(prior, bc.code, cursor) // warm the caches and the docs
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				helpComplete(prior, bc.code, cursor)
			}
		})
	}
}

// TestHelpConcurrent runs completions and inspections with changing prior
// cells from several goroutines, as the kernel does while a cell runs (run
// with -race).
func TestHelpConcurrent(t *testing.T) {
	priors := [][]string{
		{"a := mat.NewDense(1, 1, nil)"},
		{"a := mat.NewDense(1, 1, nil)", "type T struct{ Field int }\nb := T{}"},
		{"b := strings.Builder{}"},
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			defer func() { done <- true }()
			for i := 0; i < 50; i++ {
				p := priors[(g+i)%len(priors)]
				res := helpComplete(p, "a.A", 3)
				if len(p) < 3 && len(p[0]) > 0 && p[0][0] == 'a' && len(res.Matches) == 0 {
					t.Errorf("no completion of a.A with prior %q", p)
					return
				}
				helpInspect(p, "b.Field", 4, 0)
				helpIsComplete("for {")
			}
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

// TestCompleteOrder checks that the user's names come before packages,
// builtins and keywords.
func TestCompleteOrder(t *testing.T) {
	res := helpComplete([]string{"zeta := 1\nfunc alpha() {}"}, "", 0)
	if len(res.Matches) < 3 || res.Matches[0] != "alpha" || res.Matches[1] != "zeta" {
		t.Errorf("matches start %v, want alpha, zeta first", trunc(res.Matches))
	}
}

// TestCompleteCandidates checks what lets the kernel reuse a selector's
// candidates while the member name is typed: they are the same whatever
// the name, and the answer is completion.Reply of them.
func TestCompleteCandidates(t *testing.T) {
	prior := []string{`type Point struct {
	X, Y float64
	Label string
}
func (p *Point) Norm() float64 { return p.X*p.X + p.Y*p.Y }
type Model struct {
	*Point
	Name string
}
net := &Model{}`}
	contexts := []string{ // @ marks the member name
		"fmt.@",
		"strings.@",
		"mat.@",
		"p := Point{}\np.@",
		"func f(q *Point) {\n\tq.@\n}",
		"net.@",
		"net.Point.@",
		"x := 1\nfmt.@\ny := 2",
		"fmt.@rintln(\"a\")",
		"fmt := 3\nfmt.@",
		"é := fmt.@",
		"net.Name.@",
		"undefinedThing.@",
	}
	names := []string{"", "S", "Sp", "P", "Label", "zz", "x1", "N", "é", "func", "range", "go"}
	for _, ctx := range contexts {
		t.Run(ctx, func(t *testing.T) {
			var first []completion.Item
			for i, name := range names {
				at := strings.Index(ctx, "@")
				code := ctx[:at] + name + ctx[at+1:]
				cursor := utf8.RuneCountInString(ctx[:at] + name)
				_, cands, ok := helpCompleteCandidates(prior, code, cursor)
				if !ok {
					t.Fatalf("%q: no candidates", code)
				}
				if i == 0 {
					first = cands
					if len(cands) == 0 && !strings.Contains(ctx, "fmt :=") && !strings.Contains(ctx, "undefined") && !strings.Contains(ctx, "Name.") {
						t.Errorf("%q: no members", code)
					}
				} else if !reflect.DeepEqual(cands, first) {
					t.Errorf("%q: candidates differ from those with no name:\n%v\n%v", code, cands, first)
				}
				if got, want := helpComplete(prior, code, cursor), completion.Reply(cands, code, cursor); !reflect.DeepEqual(got, want) {
					t.Errorf("%q: answer %v, Reply %v", code, got, want)
				}
			}
		})
	}
	for _, code := range []string{"fm", "// fmt.", `s := "fmt.`, "fmt.Println(x", "p := Point{La", ""} {
		if _, _, ok := helpCompleteCandidates(prior, code, utf8.RuneCountInString(code)); ok {
			t.Errorf("%q: candidates offered for reuse", code)
		}
	}
}
