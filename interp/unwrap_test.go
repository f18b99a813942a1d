package interp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/godl-kernel/godl/kernel"
)

// unwrapDecls declares an interpreted interface with implementations with
// and without String/Error methods, and structs holding it.
const unwrapDecls = `type Shape interface{ Area() float64 }
type Sq struct{ S float64 }
func (q Sq) Area() float64 { return q.S * q.S }
type Priv struct{ s float64 }
func (p Priv) Area() float64 { return p.s }
type Circ struct{ R float64 }
func (c Circ) Area() float64 { return 3 * c.R * c.R }
func (c Circ) String() string { return fmt.Sprintf("Circ(%g)", c.R) }
type Tri struct{ B float64 }
func (t *Tri) Area() float64 { return t.B }
func (t *Tri) String() string { return fmt.Sprintf("Tri(%g)", t.B) }
type Oops struct{}
func (Oops) Area() float64 { return 0 }
func (Oops) Error() string { return "oops" }
type Bad struct{}
func (Bad) Area() float64 { return 0 }
func (Bad) String() string { panic("no") }
type Box struct{ In Shape }
type Scene struct {
	Name  string
	Items []Shape
	N     int
}
shapes := []Shape{Sq{2}, Sq{1}}`

// TestUnwrap checks that interpreted interface values nested in slices,
// arrays, maps and struct fields print as Go prints them, as a cell's Out
// value and through fmt and log (yaegi showed its internal
// valueInterface struct: [{0xc000… {0xc000… 0xc000… 409}} …]).
func TestUnwrap(t *testing.T) {
	cases := []struct {
		name   string
		cells  []string // after unwrapDecls
		last   string
		value  string // exact Out text ("" = none)
		stdout string // exact stdout
		stderr string // substring of stderr
	}{
		// Out values.
		{name: "out slice literal", last: "[]Shape{Sq{2}, Sq{1}}", value: "[{2} {1}]"},
		{name: "out slice var", last: "shapes", value: "[{2} {1}]"},
		{name: "out unexported fields", last: "[]Shape{Priv{3}}", value: "[{3}]"},
		{name: "out array with nil", last: "[3]Shape{Sq{1}, nil, Sq{3}}", value: "[{1} <nil> {3}]"},
		{name: "out nil elements", last: "[]Shape{nil, Sq{1}, nil}", value: "[<nil> {1} <nil>]"},
		{name: "out map sorted", last: `map[string]Shape{"b": Sq{2}, "a": Sq{1}, "c": nil}`, value: "map[a:{1} b:{2} c:<nil>]"},
		{name: "out map interface keys", last: "map[Shape]int{Sq{2}: 1, Sq{1}: 2}", value: "map[{1}:2 {2}:1]"},
		{name: "out struct field", last: "Box{Sq{5}}", value: "{{5}}"},
		{name: "out pointer to struct", last: "&Box{Sq{5}}", value: "&{{5}}"},
		{name: "out nested struct", last: `Scene{"s", []Shape{Sq{1}, nil}, 2}`, value: "{s [{1} <nil>] 2}"},
		{name: "out slice of slices", last: "[][]Shape{{Sq{1}}, {Sq{2}, Sq{3}}}", value: "[[{1}] [{2} {3}]]"},
		{name: "out any mixing", last: `[]any{Sq{1}, 2, "x", nil, []int{3}}`, value: "[{1} 2 x <nil> [3]]"},
		{name: "out any holding slice", last: "var x any = shapes\nx", value: "[{2} {1}]"},
		{name: "out stringer elements", last: "[]Shape{Circ{1}, Sq{2}, &Tri{3}}", value: "[Circ(1) {2} Tri(3)]"},
		{name: "out error element", last: "[]any{Oops{}, 1}", value: "[oops 1]"},
		{name: "out stringer map value", last: `map[string]any{"c": Circ{2}, "n": 1}`, value: "map[c:Circ(2) n:1]"},
		{name: "out stringer struct field", last: "Box{Circ{4}}", value: "{Circ(4)}"},
		{name: "out two results", cells: []string{"func two() ([]Shape, error) { return []Shape{Sq{1}}, nil }"}, last: "two()", value: "([{1}], <nil>)"},
		{name: "out compiled values unchanged", last: `[]any{time.Second, errors.New("e"), 1.5}`, value: "[1s e 1.5]"},

		// fmt and log.
		{name: "println", last: "fmt.Println(shapes)", stdout: "[{2} {1}]\n"},
		{name: "printf v and +v", last: `fmt.Printf("%v|%+v|%+v\n", Box{Sq{5}}, Box{Sq{5}}, &Box{Sq{6}})`, stdout: "{{5}}|{In:{S:5}}|&{In:{S:6}}\n"},
		{name: "printf width and index", last: `fmt.Printf("%[2]v %[1]*[3]d|\n", 3, shapes, 7)`, stdout: "[{2} {1}]   7|\n"},
		{name: "sprint", last: "fmt.Sprint(shapes, 1)", value: `"[{2} {1}] 1"`},
		{name: "sprintln map", last: `fmt.Sprintln(map[string]Shape{"b": Sq{2}, "a": Sq{1}})`, value: `"map[a:{1} b:{2}]\n"`},
		{name: "errorf", last: `fmt.Errorf("bad %v", shapes).Error()`, value: `"bad [{2} {1}]"`},
		{name: "fprintln", last: "var sb strings.Builder\nfmt.Fprintln(&sb, []any{Sq{1}, 2})\nsb.String()", value: `"[{1} 2]\n"`},
		{name: "append", last: `string(fmt.Appendf(nil, "%v", shapes))`, value: `"[{2} {1}]"`},
		{name: "log print", last: "log.Println(shapes)", stderr: "[{2} {1}]\n"},
		{name: "logger printf", last: "var sb strings.Builder\nl := log.New(&sb, \"\", 0)\nl.Printf(\"%v\", shapes)\nsb.String()", value: `"[{2} {1}]\n"`},
		{name: "array and nil", last: "fmt.Println([2]Shape{nil, Sq{1}})", stdout: "[<nil> {1}]\n"},
		{name: "nested pointer stays an address", last: "fmt.Println(len(fmt.Sprint([]*Box{{Sq{1}}})) > 4, strings.HasPrefix(fmt.Sprint([]*Box{{Sq{1}}}), \"[0x\"))", stdout: "true true\n"},
		{name: "spread", cells: []string{"func pr(xs ...any) { fmt.Println(xs...) }"}, last: "pr(Sq{1}, shapes, Circ{2})", stdout: "{1} [{2} {1}] Circ(2)\n"},
		{name: "in a func of an earlier cell", cells: []string{"func desc(ss []Shape) string { return fmt.Sprint(ss) }"}, last: "desc(shapes)", value: `"[{2} {1}]"`},
		{name: "in a loop", last: "for _, s := range [][]Shape{{Sq{1}}, {Sq{2}}} { fmt.Print(s) }", stdout: "[{1}][{2}]"},
		{name: "deferred", last: "func() { defer fmt.Println(shapes) }()", stdout: "[{2} {1}]\n"},
		{name: "interface var with String", last: "var sh Shape = Circ{5}\nfmt.Println(sh)", stdout: "Circ(5)\n"},
		{name: "stringers in container", last: `fmt.Printf("%v %s %q\n", []Shape{Circ{1}, &Tri{2}}, []Shape{Circ{1}}, []Shape{Circ{1}})`, stdout: "[Circ(1) Tri(2)] [Circ(1)] [\"Circ(1)\"]\n"},
		{name: "stringer with number verb", last: `fmt.Printf("%d\n", []Shape{Circ{1}})`, stdout: "[{%!d(float64=1)}]\n"},
		{name: "error method in container", last: "fmt.Println([]any{Oops{}})", stdout: "[oops]\n"},
		{name: "panicking String", last: "fmt.Println([]Shape{Bad{}})", stdout: "[%!v(PANIC=String method: no)]\n"},
		{name: "nil pointer String", last: "var tp *Tri\nfmt.Println([]Shape{tp})", stdout: "[<nil>]\n"},
		// Elements of cell types with String/Error (no interface in the
		// static type; yaegi dropped the methods: [{1}] for [Circ(1)]).
		{name: "stringer elements", last: `fmt.Println([]Circ{{1}, {2}}, [1]Circ{{3}}, map[string]Circ{"b": {5}, "a": {4}, "c": {6}}, []*Tri{{7}, nil}, []Oops{{}})`, stdout: "[Circ(1) Circ(2)] [Circ(3)] map[a:Circ(4) b:Circ(5) c:Circ(6)] [Tri(7) <nil>] [oops]\n"},
		{name: "stringer fields", cells: []string{"type Pair struct{ A, B Circ; n Circ; S Shape; T *Tri }"}, last: `fmt.Println(Pair{Circ{1}, Circ{2}, Circ{3}, Circ{4}, &Tri{5}}, &Pair{A: Circ{6}}, [][]Circ{{{7}}}, map[string][]Circ{"a": {{8}}})`, stdout: "{Circ(1) Circ(2) {3} Circ(4) Tri(5)} &{Circ(6) Circ(0) {0} <nil> <nil>} [[Circ(7)]] map[a:[Circ(8)]]\n"},
		{name: "out stringer fields", cells: []string{"type Pair struct{ A, B Circ; n Circ; S Shape; T *Tri }"}, last: "Pair{Circ{1}, Circ{2}, Circ{3}, Circ{4}, &Tri{5}}", value: "{Circ(1) Circ(2) {3} Circ(4) Tri(5)}"},
		{name: "out stringer map", last: `map[string]Circ{"b": {2}, "a": {1}}`, value: "map[a:Circ(1) b:Circ(2)]"},
		{name: "out slice of structs", cells: []string{"type Pair struct{ A Circ }"}, last: "[]Pair{{Circ{1}}}", value: "[{Circ(1)}]"},
		{name: "elements without methods", last: "fmt.Println([]Sq{{1}}, []Tri{{2}})", stdout: "[{1}] [{2}]\n"},
		{name: "blank and embedded fields", cells: []string{"type Bl struct{ _ int; Shape; n int }"}, last: "fmt.Printf(\"%v %v\\n\", Bl{Shape: Sq{1}, n: 2}, Bl{Shape: Circ{3}})", stdout: "{0 {1} 2} {0 Circ(3) 0}\n"},
		{name: "recursive type", cells: []string{"type Node struct{ Kids []Node; V Shape }"}, last: "fmt.Println(Node{[]Node{{nil, Sq{1}}}, Circ{2}})", stdout: "{[{[] {1}}] Circ(2)}\n"},
		{name: "named map of slices", cells: []string{"type M map[string][]Shape"}, last: `fmt.Printf("%v %d\n", M{"a": {Sq{1}, Circ{2}}}, 1)`, stdout: "map[a:[{1} Circ(2)]] 1\n"},
		{name: "width applies to elements", last: `fmt.Sprintf("%-8v|", []Shape{Circ{1}})`, value: `"[Circ(1) ]|"`},
		// Generic bodies are left alone (yaegi skips a host call there
		// silently): they print, as before.
		{name: "generic body prints", cells: []string{"func showAll[T any](xs []T) { fmt.Println(xs) }"}, last: "showAll([]int{1})", stdout: "[1]\n"},
		{name: "compiled stringers unchanged", last: `fmt.Println([]any{time.Second, errors.New("e")}, []fmt.Stringer{time.Minute})`, stdout: "[1s e] [1m0s]\n"},
		{name: "plain values unchanged", last: `fmt.Println([]int{1, 2}, map[string]int{"a": 1}, struct{ A []int }{[]int{3}})`, stdout: "[1 2] map[a:1] {[3]}\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestSession(t)
			for _, c := range append([]string{unwrapDecls}, tc.cells...) {
				if r := ts.run(c); r.res.Status != kernel.StatusOK {
					t.Fatalf("cell %q failed: %s", c, r.errText())
				}
			}
			r := ts.run(tc.last)
			if r.res.Status != kernel.StatusOK {
				t.Fatalf("unexpected error: %s\nstderr: %s", r.errText(), r.stderr)
			}
			if got := r.value(); got != tc.value {
				t.Errorf("value %q, want %q", got, tc.value)
			}
			if r.stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tc.stdout)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.stderr)
			}
		})
	}
}

// TestUnwrapLowering checks which print arguments the lowering wraps:
// only those whose static type may hold an interpreted interface value
// where fmt prints it, and never the arguments of %T, %p or %w.
func TestUnwrapLowering(t *testing.T) {
	const decls = "type Shape interface{ Area() float64 }\ntype Sq struct{ S float64 }\nfunc (q Sq) Area() float64 { return q.S }\nvar shapes []Shape\nvar xs []int\nvar err error\nvar v any\n"
	cases := []struct {
		src  string
		want string // the lowered last line; "" = unchanged
	}{
		{src: "fmt.Println(xs)"},
		{src: "fmt.Println(xs, 1, \"a\", Sq{1}, &Sq{2})"},
		{src: "fmt.Println(err)"},
		{src: "fmt.Println([]error{err}, []fmt.Stringer{time.Second})"},
		{src: "fmt.Printf(\"%T %p %d\\n\", shapes, shapes, len(shapes))"},
		{src: "fmt.Errorf(\"%w\", err)"},
		{src: "var n int\nfmt.Sscan(\"1\", &n)"},
		{src: "fmt.Println([]*Sq{{1}}, map[string]*Sq{})"},
		{src: "fmt.Println(&[]int{1})"},
		{src: "p := fmt.Println\np(shapes)"},
		{src: "fmt.Println([]Sq{{1}}, map[int]Sq{})"},
		{src: "func g[T any](x T) { fmt.Println(shapes) }"},
		{src: "type G[T any] struct{}\nfunc (G[T]) m() { fmt.Println(shapes) }"},
		{src: "l := log.New(nil, \"\", 0)\nl.Printf(\"%v\", shapes)", want: "l.Printf(\"%v\", __godl.Unwrap(shapes))"},
		{src: "fmt.Println(shapes)", want: "fmt.Println(__godl.Unwrap(shapes))"},
		{src: "fmt.Println(v)"}, // any: see nestedIfaces
		{src: "var sh Shape\nfmt.Println(sh)", want: "fmt.Println(__godl.Unwrap(sh))"},
		{src: "fmt.Printf(\"%T %v\\n\", shapes, shapes)", want: "fmt.Printf(\"%T %v\\n\", shapes, __godl.Unwrap(shapes))"},
		{src: "fmt.Printf(\"%[2]v %[1]T\\n\", shapes, shapes)", want: "fmt.Printf(\"%[2]v %[1]T\\n\", shapes, __godl.Unwrap(shapes))"},
		{src: "log.Print(map[string]Shape{})", want: "log.Print(__godl.Unwrap(map[string]Shape{}))"},
		{src: "fmt.Println(&struct{ S Shape }{})", want: "fmt.Println(__godl.Unwrap(&struct{ S Shape }{}))"},
		{src: "func f(a ...any) { fmt.Println(a...) }", want: "fmt.Println(__godl.UnwrapAll(a, 0, nil)...) }"},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			l := newCellLowerer(autoImportPath, append([]yaegi.Exports{stdlib.Symbols}, extraSymbols()...)...)
			prior := []string{decls}
			if _, err := l.lowerCell(nil, decls, 1); err != nil {
				t.Fatal(err)
			}
			out, err := l.lowerCell(prior, tc.src, 2)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(out, "\n") != strings.Count(tc.src, "\n") {
				t.Errorf("lines changed: %q", out)
			}
			lines := strings.Split(out, "\n")
			last := lines[len(lines)-1]
			if tc.want == "" && strings.Contains(out, "Unwrap") {
				t.Errorf("lowered %q, want no Unwrap", last)
			}
			if !strings.Contains(last, tc.want) {
				t.Errorf("lowered %q, want %q", last, tc.want)
			}
		})
	}
}

// TestUnwrapStringerSwitch checks the type switch passed for cell types
// with String or Error methods: only types the interfaces can hold, T or
// *T as their method sets say.
func TestUnwrapStringerSwitch(t *testing.T) {
	const decls = "type Shape interface{ Area() float64 }\ntype Circ struct{ R float64 }\nfunc (c Circ) Area() float64 { return c.R }\nfunc (c Circ) String() string { return \"c\" }\ntype Tri struct{}\nfunc (t *Tri) Area() float64 { return 0 }\nfunc (t *Tri) String() string { return \"t\" }\ntype Lone int\nfunc (Lone) String() string { return \"lone\" }\nvar shapes []Shape\n"
	l := newCellLowerer(autoImportPath, append([]yaegi.Exports{stdlib.Symbols}, extraSymbols()...)...)
	if _, err := l.lowerCell(nil, decls, 1); err != nil {
		t.Fatal(err)
	}
	out, err := l.lowerCell([]string{decls}, "fmt.Println(shapes)", 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"__godl.UnwrapWith([]any{shapes}, ", "case Circ: return __godl_sv.(Circ).String(), true", "case *Circ: return __godl_sv.(*Circ).String(), true", "case *Tri: return __godl_sv.(*Tri).String(), true"} {
		if !strings.Contains(out, want) {
			t.Errorf("lowered %q lacks %q", out, want)
		}
	}
	for _, bad := range []string{"case Tri:", "Lone"} {
		if strings.Contains(out, bad) {
			t.Errorf("lowered %q has %q", out, bad)
		}
	}
}

func TestPrintfVerbs(t *testing.T) {
	cases := []struct {
		format string
		want   map[int]string
	}{
		{"%v %T", map[int]string{0: "v", 1: "T"}},
		{"100%% %p", map[int]string{0: "p"}},
		{"%*d %-8.*f", map[int]string{1: "d", 3: "f"}},
		{"%[2]T %[1]v %v", map[int]string{1: "Tv", 0: "v"}},
		{"%+#v %x", map[int]string{0: "v", 1: "x"}},
		{"%[3]*.[2]*[1]f", map[int]string{0: "f"}},
		{"%w", map[int]string{0: "w"}},
		{"end %", map[int]string{}},
	}
	for _, tc := range cases {
		got := printfVerbs(tc.format)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("printfVerbs(%q) = %v, want %v", tc.format, got, tc.want)
		}
	}
}

// TestUnwrapCompiled checks that values with no valueInterface inside
// come back unchanged (same type, same contents).
func TestUnwrapCompiled(t *testing.T) {
	type holder struct {
		A any
		b []any
	}
	vals := []any{
		nil, 1, "s", []int{1}, map[string]any{"a": 1}, []any{1, errors.New("e")},
		holder{A: time.Second, b: []any{2}}, &holder{A: 1}, [2]any{1, nil}, []*holder{{A: 3}},
	}
	for _, v := range vals {
		got := Unwrap(v)
		if fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", v, v) {
			t.Errorf("Unwrap(%T %v) = %T %v", v, v, got, got)
		}
	}
	xs := []any{1, "a"}
	if got := (&unwrapHost{}).UnwrapAll(xs, 0, nil); &got[0] != &xs[0] {
		t.Errorf("UnwrapAll copied a slice with nothing to unwrap")
	}
}

// BenchmarkUnwrapPrint measures fmt.Fprintln in a cell: a []int argument
// is not rewritten, so calling fmt directly costs what calling it through
// a func value (never rewritten) does; a []Shape argument pays for the
// copy that prints it right.
func BenchmarkUnwrapPrint(b *testing.B) {
	ts := newTestSession(b)
	if r := ts.run(unwrapDecls + "\nxs := []int{1, 2, 3, 4}\nvar sink = io.Discard\np := fmt.Fprintln"); r.res.Status != kernel.StatusOK {
		b.Fatal(r.errText())
	}
	for _, bc := range []struct{ name, cell string }{
		{"ints/direct", "for i := 0; i < 1000; i++ { fmt.Fprintln(sink, xs) }"},
		{"ints/func-value", "for i := 0; i < 1000; i++ { p(sink, xs) }"},
		{"shapes/direct", "for i := 0; i < 1000; i++ { fmt.Fprintln(sink, shapes) }"},
		{"shapes/func-value", "for i := 0; i < 1000; i++ { p(sink, shapes) }"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if r := ts.run(bc.cell); r.res.Status != kernel.StatusOK {
					b.Fatal(r.errText())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/print")
		})
	}
}

// TestUnwrapDisplay checks display.Show of values without methods that
// hold interpreted interface values or cell-type values with String.
func TestUnwrapDisplay(t *testing.T) {
	cases := []struct{ cell, text string }{
		{"display.Show(Box{Sq{5}})", "{{5}}"},
		{"display.Show([]Shape{Circ{1}, nil})", "[Circ(1) <nil>]"},
		{"display.Show(map[string]Circ{\"a\": {2}})", "map[a:Circ(2)]"},
		{"display.Show(display.HTML(\"<b>x</b>\"))", "<b>x</b>"},
	}
	ts := newTestSession(t)
	if r := ts.run(unwrapDecls); r.res.Status != kernel.StatusOK {
		t.Fatal(r.errText())
	}
	for _, tc := range cases {
		r := ts.run(tc.cell)
		if r.res.Status != kernel.StatusOK {
			t.Fatalf("%s: %s", tc.cell, r.errText())
		}
		if len(r.displays) != 1 {
			t.Fatalf("%s: %d displays", tc.cell, len(r.displays))
		}
		if got, _ := r.displays[0].Data["text/plain"].(string); got != tc.text {
			t.Errorf("%s: text/plain %q, want %q", tc.cell, got, tc.text)
		}
	}
}
