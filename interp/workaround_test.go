package interp

import (
	"strings"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// runCases runs REPL cases as TestREPL does, with exact Out values.
func runCases(t *testing.T, cases []replCase) {
	t.Helper()
	runREPLCases(t, cases, true)
}

// TestWorkaroundIfaceAlias checks that values of cell types with methods
// put in interfaces are copies (yaegi keeps a reference to their
// storage; see workaround.go).
func TestWorkaroundIfaceAlias(t *testing.T) {
	const s3 = "type S3 struct{ A int; B string }\nfunc (s S3) String() string { return fmt.Sprint(\"S3<\", s.A, \">\") }"
	cells := []string{s3, "ms := map[string]S3{\"a\": {1, \"x\"}, \"b\": {2, \"y\"}}\nx := S3{A: 1}"}
	cases := []replCase{
		{name: "map index in a range loop", cells: cells, last: "r := map[string]any{}\nfor k := range ms { r[k] = ms[k] }\nfmt.Sprint(r[\"a\"].(S3).A, r[\"b\"].(S3).A, \" \", r[\"a\"], r[\"b\"])", value: `"1 2 S3<1> S3<2>"`},
		{name: "range value into a slice", cells: cells, last: "var l []any\nfor _, v := range []S3{{A: 1}, {A: 2}} { l = append(l, v) }\nl", value: "[S3<1> S3<2>]"},
		{name: "variable changed later", cells: cells, last: "var a any = x\nx.A = 9\na.(S3).A", value: "1"},
		{name: "append in a loop", cells: cells, last: "var l []any\nfor i := 0; i < 3; i++ { x.A = i; l = append(l, x) }\nl", value: "[S3<0> S3<1> S3<2>]"},
		{name: "in a func", cells: cells, last: "func collect(ms map[string]S3) map[string]any {\n\tr := map[string]any{}\n\tfor k := range ms {\n\t\tr[k] = ms[k]\n\t}\n\treturn r\n}\nr := collect(ms)\nfmt.Sprint(r[\"a\"].(S3).A, r[\"b\"].(S3).A)", value: `"1 2"`},
		{name: "composite literal and field", cells: cells, last: "type Box struct{ V any }\nl := []any{x}\nb := Box{V: x}\nx.A = 5\nfmt.Sprint(l[0].(S3).A, b.V.(S3).A)", value: `"1 1"`},
		{name: "call result in a loop", cells: cells, last: "mk := func(i int) S3 { return S3{A: i} }\nm := map[int]any{}\nfor i := 0; i < 2; i++ { m[i] = mk(i) }\nfmt.Sprint(m[0].(S3).A, m[1].(S3).A)", value: `"0 1"`},
		{name: "argument and channel", cells: cells, last: "keep := func(v any) any { return v }\nch := make(chan any, 1)\nk := keep(x)\nch <- x\nx.A = 7\nfmt.Sprint(k.(S3).A, (<-ch).(S3).A)", value: `"1 1"`},
		{name: "map key", cells: cells, last: "m := map[any]int{}\nm[x] = 1\nx.A = 3\nn := 0\nfor k := range m { n = k.(S3).A }\nn", value: "1"},
		// Compiled fmt read the String receiver through the node that
		// stored the value: S3<1> S3<1>, or a reflect panic.
		{name: "print any values stored by a func", cells: cells, last: "func put(r map[int]any, i int) { v := S3{A: i}; r[i] = v }\nr := map[int]any{}\nput(r, 1)\nput(r, 2)\nfmt.Sprint(r[1], r[2])", value: `"S3<1> S3<2>"`},
		{name: "out element of a map of any", cells: cells, last: "r := map[int]any{1: S3{A: 1}}\nr[1]", value: "S3<1>"},
		{name: "out nil element", cells: cells, last: "l := []any{nil, 2}\nl[0]", value: "<nil>"},
		{name: "out nil call result", cells: cells, last: "func none() any { return nil }\nnone()", value: ""},
		{name: "explicit conversion keeps methods", cells: cells, last: "ok := func() bool { b := any(x); x.A = 4; _, ok := b.(fmt.Stringer); return ok && b.(S3).A == 1 }()\nok", value: "true"},
	}
	runCases(t, cases)
}

// TestWorkaroundIfaceAliasLowering checks what the alias workaround
// rewrites, and what it leaves (pointers, types without methods,
// arguments of compiled functions, headers of if statements).
func TestWorkaroundIfaceAliasLowering(t *testing.T) {
	const decls = "type S struct{ A int }\nfunc (s S) M() {}\ntype P struct{ A int }\nvar x S\nvar p P\nvar r map[string]any\n"
	cases := []struct{ src, want string }{
		{src: "r[\"a\"] = x", want: "{ _g2_1c := x; r[\"a\"] = _g2_1c }"},
		{src: "var a any = x", want: "var a any; { _g2_1c := x; a = _g2_1c }"},
		{src: "b := []any{x}", want: "var b []any; { _g2_1c := x; b =  []any{_g2_1c} }"},
		{src: "x", want: "x"}, // a final expression stays last
		{src: "func f() any { return x }", want: "{ _g2_1c := x; var _g2_2c any = _g2_1c; return _g2_2c }"},
		{src: "r[\"a\"] = p"},
		{src: "r[\"a\"] = &x"},
		{src: "fmt.Println(x)"},
		{src: "l := list.New()\nl.PushBack(x)"},
		{src: "if a := any(x); a != nil {}", want: "{ _g2_1c := x; var _g2_2c any = _g2_1c; if a := _g2_2c; a != nil {} }"},
		{src: "if a := 1; any(x) != a {}"}, // after the header's init: stays
		// A variable read may move before a call (Go leaves their
		// order unspecified), a call may not.
		{src: "r[fmt.Sprint(1)] = x", want: "{ _g2_1c := x; r[fmt.Sprint(1)] = _g2_1c }"},
		{src: "r[fmt.Sprint(1)] = func() S { return x }()"},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			l := newCellLowerer(autoImportPath, append([]yaegi.Exports{stdlib.Symbols}, extraSymbols()...)...)
			if _, err := l.lowerCell(nil, decls, 1); err != nil {
				t.Fatal(err)
			}
			out, err := l.lowerCell([]string{decls}, tc.src, 2)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(out, "\n") != strings.Count(tc.src, "\n") {
				t.Errorf("lines changed: %q", out)
			}
			if tc.want == "" && strings.Contains(out, "_g2_") {
				t.Errorf("lowered %q, want it unchanged", out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("lowered %q, want %q", out, tc.want)
			}
		})
	}
}

// TestWorkaroundTypeParamNames checks that a cell type may have the name
// of a type parameter of a generic func (yaegi v0.16.1 puts those in the
// package scope: a later type T crashed its compiler with a nil pointer
// dereference).
func TestWorkaroundTypeParamNames(t *testing.T) {
	cases := []replCase{
		// The prelude's _godlZero[T any].
		{name: "type T", cells: []string{"type T int"}, last: "m := map[string]T{\"b\": 3}\nm", value: "map[b:3]"},
		{name: "type T in one cell", last: "type T int\nvar z T = 4\nz", value: "4"},
		// The cells' own generic funcs (their type parameters are renamed).
		{name: "generic func then type T", cells: []string{"func g[T any](x T) T { return x }", "type T int"}, last: "var m []T\nfmt.Sprint(g(3), g(T(2)), len(m))", value: `"3 2 0"`},
		{name: "type T then generic funcs", cells: []string{"type T int", "func wrap[T any](x T) []T { return []T{x} }\nfunc h[T any](x T) []T {\n\tfor i := range 1 {\n\t\t_ = i\n\t}\n\treturn wrap(x)\n}"}, last: "fmt.Sprint(wrap(T(5)), h(6))", value: `"[5] [6]"`},
	}
	runCases(t, cases)
}

// TestWorkaroundWrapError checks %w, errors.Is and errors.As with errors
// of cell types (yaegi gave fmt.Errorf a value without its Error method:
// "%!w(struct {}={})"; errors.As panicked).
func TestWorkaroundWrapError(t *testing.T) {
	decls := []string{"type Oops struct{ N int }\nfunc (o Oops) Error() string { return fmt.Sprint(\"oops \", o.N) }\ntype PErr struct{ Msg string; Err error }\nfunc (p *PErr) Error() string { return \"p: \" + p.Msg }\nfunc (p *PErr) Unwrap() error { return p.Err }"}
	cases := []replCase{
		{name: "message", cells: decls, last: "fmt.Errorf(\"wrapped: %w\", Oops{1}).Error()", value: `"wrapped: oops 1"`},
		{name: "errors.Is", cells: decls, last: "e := fmt.Errorf(\"outer: %w\", fmt.Errorf(\"wrapped: %w\", Oops{1}))\nfmt.Sprint(errors.Is(e, Oops{1}), errors.Is(e, Oops{2}))", value: `"true false"`},
		{name: "errors.As", cells: decls, last: "e := fmt.Errorf(\"outer: %w\", fmt.Errorf(\"wrapped: %w\", Oops{3}))\nvar o Oops\nvar o2 Oops\nfmt.Sprint(errors.As(e, &o), o.N, errors.As(io.EOF, &o2))", value: `"true 3 false"`},
		{name: "pointer error with Unwrap", cells: decls, last: "e := fmt.Errorf(\"ctx: %w\", &PErr{\"bad\", io.EOF})\nvar p *PErr\nfmt.Sprint(e, \" \", errors.Is(e, io.EOF), errors.As(e, &p), p.Msg)", value: `"ctx: p: bad true truebad"`},
	}
	runCases(t, cases)
}

// TestWorkaroundErrorConversions checks values of cell types converted
// to error (yaegi's direct conversion lost the Error method: fmt printed
// {2}, Error() failed, passing the error to a func failed).
func TestWorkaroundErrorConversions(t *testing.T) {
	decls := []string{"type Oops struct{ N int }\nfunc (o Oops) Error() string { return fmt.Sprint(\"oops \", o.N) }"}
	cases := []replCase{
		{name: "in a func", cells: decls, last: "func run() string {\n\tvar e error = Oops{2}\n\tf := func(x error) string { return x.Error() }\n\treturn fmt.Sprint(e, \" \", f(e), \" \", fmt.Errorf(\"w: %w\", e))\n}\nrun()", value: `"oops 2 oops 2 w: oops 2"`},
		{name: "append in a loop", cells: decls, last: "var errs []error\nfor i := 0; i < 2; i++ { errs = append(errs, Oops{i}) }\nfmt.Sprint(errs)", value: `"[oops 0 oops 1]"`},
		{name: "explicit and assigned", cells: decls, last: "var e error\ne = Oops{3}\nfmt.Sprint(e, \" \", error(Oops{4}))", value: `"oops 3 oops 4"`},
	}
	runCases(t, cases)
}

// TestWorkaroundFieldNames checks %+v and %#v of cell structs with
// unexported fields (yaegi names them X+name: {Xs:2}).
func TestWorkaroundFieldNames(t *testing.T) {
	decls := []string{"type SS struct{ s float64; T int }\ntype Outer struct{ in SS; xs []SS }"}
	cases := []replCase{
		{name: "plus v", cells: decls, last: "fmt.Sprintf(\"%+v %v\", SS{2, 1}, SS{2, 1})", value: `"{s:2 T:1} {2 1}"`},
		{name: "sharp v", cells: decls, last: "fmt.Sprintf(\"%#v\", SS{2, 1})", value: `"main.SS{s:2, T:1}"`},
		{name: "pointer and nested", cells: decls, last: "fmt.Sprintf(\"%+v|%-6v|%+v\", &SS{s: 3}, SS{}, Outer{SS{1, 2}, []SS{{s: 4}}})", value: `"&{s:3 T:0}|{0      0     }|{in:{s:1 T:2} xs:[{s:4 T:0}]}"`},
		{name: "type verb", cells: decls, last: "x := SS{2, 1}\nfmt.Sprintf(\"%T|%v|%-10T|%T|%T|%[1]T|%v %%\", x, x, &x, []SS{}, 3, 4)", value: `"main.SS|{2 1}|*main.SS  |[]main.SS|int|main.SS|{2 1} %"`}, // x with two verbs: its name is appended (after %[1]T, %v is argument 2, as in Go)
		{name: "type verb alone", cells: decls, last: "fmt.Sprintf(`%T`, SS{})", value: `"main.SS"`},
		{name: "struct literal type", last: "fmt.Sprintf(\"%+v\", struct{ a, b int }{1, 2})", value: `"{a:1 b:2}"`},
	}
	runCases(t, cases)
}

// TestWorkaroundCompiledIface checks that a cell value in a compiled
// interface does not print as a plausible wrong value (yaegi's wrapper
// keeps only its last field: R{3} showed 3).
func TestWorkaroundCompiledIface(t *testing.T) {
	const stand = "<a cell value in io.Reader: yaegi v0.16.1 cannot show it here; print it from a variable of its own type>"
	decls := []string{"type R struct{ n int }\nfunc (r R) Read(p []byte) (int, error) { return 0, io.EOF }", "var rr io.Reader = R{3}"}
	cases := []replCase{
		{name: "out value", cells: decls, last: "rr", value: stand},
		{name: "print", cells: decls, last: "fmt.Println(rr)", stdout: stand + "\n"},
		{name: "compiled value unchanged", cells: decls, last: "var f io.Reader = strings.NewReader(\"a\")\nfmt.Sprint(f)", value: `"&{a 0 -1}"`},
	}
	runCases(t, cases)
}

// TestGenericMethodLocals: yaegi resolves a generic type's method's
// parameter or local named like a variable of the same cell's top level
// to that variable; the lowering renames them.
func TestGenericMethodLocals(t *testing.T) {
	stack := "type Stack[T any] struct{ items []T }\nfunc (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }\nfunc (s *Stack[T]) Pop() (T, bool) {\n\tvar zero T\n\tif len(s.items) == 0 { return zero, false }\n\tv := s.items[len(s.items)-1]\n\ts.items = s.items[:len(s.items)-1]\n\treturn v, true\n}\n"
	runCases(t, []replCase{
		{name: "local and top-level v in one cell", last: stack + "st := &Stack[string]{}\nst.Push(\"a\"); st.Push(\"b\")\nv, _ := st.Pop()\nv", value: `"b"`},
		{name: "separate cells", cells: []string{stack}, last: "st := &Stack[int]{}\nst.Push(7)\nv, ok := st.Pop()\nfmt.Sprint(v, ok)", value: `"7 true"`},
		// A field named like the variable, and an earlier rewrite
		// (the defer) that moved text naming the field.
		{name: "field named like the variable", last: "type K[T any] struct{ items []T; v T }\nfunc (s *K[T]) Pop() T {\n\tdefer fmt.Println(\"popped\", s.v)\n\tv := s.items[0]\n\ts.items = s.items[1:]\n\ts.v = v\n\treturn v\n}\nk := &K[int]{items: []int{4, 5}}\nv := k.Pop()\nv", value: "4", stdout: "popped 0\n"},
		{name: "field only", last: "type G[T any] struct{ v T }\nfunc (s *G[T]) Get() T { return s.v }\ng := &G[int]{v: 3}\nv := g.Get()\nv", value: "3"},
		{name: "panic position in a renamed method", last: "type B[T any] struct{ items []T }\nfunc (s *B[T]) At(i int) T {\n\tv := s.items[i]\n\treturn v\n}\nb := &B[int]{}\nv := b.At(5)\nv", err: "in the statement at cell1:3:2"},
	})
}
