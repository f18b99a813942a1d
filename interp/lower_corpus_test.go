package interp

import (
	"strings"
	"testing"

	"github.com/traefik/yaegi/stdlib"

	"github.com/godl-kernel/godl/interp/symbols"
)

// TestLowerAcceptsNotebookCells: cells that are valid in a notebook must
// pass the type checker (a false error would make a valid cell unrunnable).
// Each sequence is lowered through lowerCell as the engine calls it.
func TestLowerAcceptsNotebookCells(t *testing.T) {
	seqs := []struct {
		name  string
		cells []string
	}{
		{"tour", []string{"import \"fmt\"\n\nname := \"gopher\"\nsteps := 3",
			"func greet(who string, times int) string {\n\ts := \"\"\n\tfor i := 0; i < times; i++ {\n\t\ts += \"hello, \" + who + \"! \"\n\t}\n\treturn s\n}",
			"fmt.Println(greet(name, 1))\nfor i := 1; i <= steps; i++ {\n\tfmt.Printf(\"step %d of %d\\n\", i, steps)\n}",
			"total := 0\nfor i := 1; i <= 10; i++ {\n\ttotal += i * i\n}\ntotal",
			`fmt.Sprintf("%s ran %d steps; the sum of squares to 10 is %d", name, steps, total)`}},
		{"method and final value", []string{"type C struct{ n int }\nfunc (c *C) Inc() { c.n++ }", "c := &C{}\nc.Inc()\nc.Inc()\nc.n"}},
		{"closure kept", []string{"n := 0\ninc := func() { n++ }", "inc()\ninc()", "n"}},
		{"global used by func", []string{"count := 10\nfunc bump() { count++ }", "bump()", "count"}},
		{"repeat import", []string{`import "sort"`, "import \"sort\"\nxs := []int{3,1,2}\nsort.Ints(xs)\nxs"}},
		{"String method", []string{"type Temp float64\nfunc (t Temp) String() string { return fmt.Sprintf(\"%.1f°C\", float64(t)) }", "Temp(21.5)"}},
		{"errors", []string{"func fails() error { return errors.New(\"bad\") }", "fails()"}},
		{"redefine func", []string{"func g1() int { return 1 }", "func g2() int { return g1() * 10 }", "func g1() int { return 2 }", "g2()"}},
		{"redefine var type", []string{"rv := 1", "rv := \"s\"\nrv"}},
		{"redefine type", []string{"type R struct{ A int }", "type R struct{ A, B int }", "R{1, 2}"}},
		{"redefine method", []string{"type M int\nfunc (m M) String() string { return \"one\" }", "func (m M) String() string { return \"two\" }", "M(0)"}},
		{"redefined type seen by an earlier func", []string{"type R struct{ A int }", "func mk() R { return R{A: 1} }", "type R struct{ A, B int }", "x := mk()\nx.B"}},
		{"redefined const seen by an earlier func", []string{"const Size = 2", "func grid() [Size]int { return [Size]int{} }", "const Size = 3", "g := grid()\ng[2]"}},
		{"redefine const", []string{"const K = 1\nfunc k() int { return K }", "const K = 2", "k()"}},
		{"func becomes var", []string{"func fv() int { return 1 }", "fv := 3\nfv"}},
		{"rerun same decl", []string{"func same() int { return 1 }\nsv := 1", "func same() int { return 1 }\nsv := 2", "same() + sv"}},
		{"magics", []string{"%time\nx := 1", "%who", "x + 1"}},
		{"mixed order", []string{"x := f()\nfunc f() int { return 2 }\nimport \"math\"\ny := math.Sqrt(float64(x))\ny"}},
		{"statements with if/switch/for headers", []string{"s := 0\nif v := 3; v > 2 { s = v }\nswitch w := s * 2; { case w > 1: s++ }\nfor i, j := 0, 10; i < j; i, j = i+1, j-1 { s += i }\ns"}},
		{"err declared again", []string{"a, err := strconv.Atoi(\"1\")\nb, err := strconv.Atoi(\"2\")\nif err != nil { panic(err) }\na + b"}},
		{"var then define", []string{"var err error\nn, err := strconv.Atoi(\"7\")\n_ = err\nn"}},
		{"goroutines and channels", []string{"ch := make(chan int)\ngo func() { ch <- 42 }()\nv := <-ch\nv"}},
		{"struct literal with unexported field of an earlier cell", []string{"type pt struct{ x, y int }", "p := pt{1, 2}\np.x + p.y", "q := pt{x: 3}\nq.x"}},
		{"generic type", []string{"type Stack[T any] struct{ items []T }\nfunc (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }", "st := &Stack[int]{}\nst.Push(1)\nlen(st.items)"}},
		{"labels and goto", []string{"func lab() int {\n\tn := 0\nouter:\n\tfor i := 0; i < 3; i++ {\n\t\tfor j := 0; j < 3; j++ {\n\t\t\tif j == 1 { continue outer }\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}"}},
		{"interfaces across packages", []string{"var w io.Writer = os.Stdout\nvar b bytes.Buffer\nw = &b\nfmt.Fprintf(w, \"%d\", 1)\nb.String()"}},
		{"time and constants", []string{"d := 3 * time.Second\nconst big = math.MaxInt64\nvar u uint64 = big\nd.Seconds() + float64(u%2)"}},
		{"gonum mat", []string{"a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})\nvar b mat.Dense\nb.Mul(a, a.T())\nmat.Formatted(&b)"}},
		{"gonum stat and floats", []string{"xs := []float64{1, 2, 3}\nm := stat.Mean(xs, nil)\nfloats.Sum(xs) + m"}},
		{"plot", []string{"p := plot.New()\np.Title.Text = \"loss\"\npts := make(plotter.XYs, 3)\nfor i := range pts { pts[i].X = float64(i); pts[i].Y = float64(i * i) }\nl, err := plotter.NewLine(pts)\nif err == nil { p.Add(l) }\np.Save(4*vg.Inch, 3*vg.Inch, \"/tmp/x.png\")"}},
		{"gorgonia", []string{"g := gorgonia.NewGraph()\nx := gorgonia.NewScalar(g, gorgonia.Float64, gorgonia.WithName(\"x\"))\ny := gorgonia.NewScalar(g, gorgonia.Float64, gorgonia.WithName(\"y\"))\nz, err := gorgonia.Add(x, y)\nif err != nil { panic(err) }\nmachine := gorgonia.NewTapeMachine(g)\ndefer machine.Close()\ngorgonia.Let(x, 2.0)\ngorgonia.Let(y, 2.5)\nmachine.RunAll()\nz.Value()"}},
		{"tensor", []string{"tt := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))\ntt.Shape()"}},
	}
	for _, sq := range seqs {
		t.Run(sq.name, func(t *testing.T) {
			l := newCellLowerer(autoImportPath, stdlib.Symbols, symbols.Symbols)
			var prior []string
			for i, c := range sq.cells {
				out, err := l.lowerCell(prior, blankMagics(c), i+1)
				if err != nil {
					t.Fatalf("cell %d %q: %v", i+1, c, err)
				}
				if strings.Count(out, "\n") != strings.Count(blankMagics(c), "\n") {
					t.Errorf("cell %d: lowering changed the line count:\n%s", i+1, out)
				}
				prior = append(prior, c)
			}
		})
	}
}
