package interp

import "testing"

// Cases where yaegi v0.16.1 gave a silent wrong result that the lowering
// now fixes or turns into a clear error (issue 3: never a crash or a
// silent wrong result).

const semV = "type V struct{ A int }\nfunc (v V) String() string { return fmt.Sprint(\"V<\", v.A, \">\") }\ntype N int\nfunc (n N) String() string { return fmt.Sprint(\"N<\", int(n), \">\") }\nfunc chk(q any) string { _, ok := q.(fmt.Stringer); return fmt.Sprint(q, \" \", ok) }"

// TestSemanticsIfaceValues: a composite literal, an arithmetic result or
// a conversion stored straight into an interface variable lost its
// methods in yaegi (var y any = V{1} printed {1}, y.(fmt.Stringer) was
// false); a variable in between keeps them.
func TestSemanticsIfaceValues(t *testing.T) {
	decls := []string{semV}
	cases := []replCase{
		{name: "top-level var any", cells: decls, last: "var y any = V{1}\nchk(y)", value: `"V<1> true"`},
		{name: "top-level var any, next cell", cells: append(decls, "var y any = V{1}"), last: "chk(y)", value: `"V<1> true"`},
		{name: "top-level var Stringer", cells: append(decls, "var s fmt.Stringer = V{2}"), last: "chk(s) + \" \" + s.String()", value: `"V<2> true V<2>"`},
		{name: "top-level multi-name var", cells: append(decls, "var a, b any = V{3}, V{4}"), last: "chk(a) + \" \" + chk(b)", value: `"V<3> true V<4> true"`},
		{name: "top-level multi-name define", cells: append(decls, "a, b := any(V{3}), any(N(4))"), last: "chk(a) + \" \" + chk(b)", value: `"V<3> true N<4> true"`},
		{name: "top-level define conversion", cells: append(decls, "q := any(V{5})"), last: "chk(q)", value: `"V<5> true"`},
		{name: "top-level assignment", cells: append(decls, "var q any\nq = V{6}"), last: "chk(q)", value: `"V<6> true"`},
		{name: "top-level multi assignment", cells: append(decls, "var q, r any\nq, r = V{6}, V{7}"), last: "chk(q) + \" \" + chk(r)", value: `"V<6> true V<7> true"`},
		{name: "top-level arithmetic", cells: append(decls, "n := N(4)\nvar q any = n + 1"), last: "chk(q)", value: `"N<5> true"`},
		{name: "top-level with other values", cells: append(decls, "k, q := 2, any(V{8})"), last: "fmt.Sprint(k, \" \", chk(q))", value: `"2 V<8> true"`},
		{name: "local var any", cells: decls, last: "func f() string {\n\tvar q any = V{9}\n\treturn chk(q)\n}\nf()", value: `"V<9> true"`},
		{name: "local multi-name var", cells: decls, last: "func f() string {\n\tvar q, r any = V{1}, V{2}\n\treturn chk(q) + chk(r)\n}\nf()", value: `"V<1> trueV<2> true"`},
		{name: "local multi assignment", cells: decls, last: "func f() string {\n\tvar q, r any\n\tq, r = V{1}, V{2}\n\treturn chk(q) + chk(r)\n}\nf()", value: `"V<1> trueV<2> true"`},
		{name: "local arithmetic", cells: decls, last: "func f() string {\n\tn := N(4)\n\tvar q any = n + 1\n\treturn chk(q)\n}\nf()", value: `"N<5> true"`},
		{name: "rebuild keeps any var", cells: append(decls, "var y any = V{1}", "func h3() int { return 1 }", "func h3() int { return 2 }"), last: "chk(y)", value: `"V<1> true"`},
		{name: "returned as any", cells: append(decls, "func anyOne() any { v := V{1}; return v }\nfunc anyLit() any { return V{2} }\nfunc anyTwo() (any, error) { return V{3}, nil }"), last: "q := anyOne()\nq3, _ := anyTwo()\nchk(anyOne()) + chk(anyLit()) + chk(q) + chk(q3) + fmt.Sprint(anyLit())", value: `"V<1> trueV<2> trueV<1> trueV<3> trueV<2>"`},
		{name: "returned as any from a func literal", cells: decls, last: "f := func() any { return V{4} }\nchk(f())", value: `"V<4> true"`},
		{name: "redefined type", cells: append(decls, "var y any = V{1}"), last: "type V struct{ A, B int }\nfunc (v V) String() string { return fmt.Sprint(\"V2<\", v.A, \">\") }\nvar y2 any = V{1, 2}\nchk(y2)", value: `"V2<1> true"`},
	}
	runCases(t, cases)
}

// TestSemanticsAnyVarOut: the Out value of a variable of type any that
// holds an element read from a map or slice of any (x := r[1]; x) showed
// the value without its String method ({1 }).
func TestSemanticsAnyVarOut(t *testing.T) {
	decls := []string{"type S3 struct{ A int; B string }\nfunc (s S3) String() string { return fmt.Sprint(\"S3<\", s.A, \">\") }"}
	cases := []replCase{
		{name: "same cell", cells: decls, last: "r := map[int]any{1: S3{A: 1}}\nx := r[1]\nx", value: "S3<1>"},
		{name: "next cell", cells: append(decls, "r := []any{S3{A: 2}}\nx := r[0]"), last: "x", value: "S3<2>"},
		{name: "plain value", cells: decls, last: "x := any(3)\nx", value: "3"},
		{name: "nil", cells: decls, last: "var x any\nx", value: "<nil>"},
		{name: "pointer", cells: decls, last: "r := []any{&S3{A: 4}}\nx := r[0]\nx", value: "S3<4>"},
		{name: "Stringer var", cells: decls, last: "r := []fmt.Stringer{S3{A: 5}}\nx := r[0]\nx", value: "S3<5>"},
	}
	runCases(t, cases)
}

// TestSemanticsMultiAssign: yaegi v0.16.1 assigns several values at once
// through wrongly typed temporaries when one goes into an interface: a
// cell value lost its methods, an interface value or a nil panicked
// ("reflect.Set: value of type interface {} is not assignable to type
// interp.valueInterface", "New(nil)").
func TestSemanticsMultiAssign(t *testing.T) {
	decls := []string{semV, "func two() (V, V) { return V{1}, V{2} }"}
	cases := []replCase{
		{name: "swap anys", cells: decls, last: "func f() string { var q, r any = 1, \"a\"; q, r = r, q; return fmt.Sprint(q, r) }\nf()", value: `"a1"`},
		{name: "nil and value", cells: decls, last: "func f() string { var q any; var e error; q, e = 1, nil; return fmt.Sprint(q, e) }\nf()", value: `"1 <nil>"`},
		{name: "nil slice", cells: decls, last: "func f() string { var q any; var s []int; s, q = nil, 3; return fmt.Sprint(q, s) }\nf()", value: `"3 []"`},
		{name: "tuple", cells: decls, last: "func f() string { var q, r any; q, r = two(); return chk(q) + chk(r) }\nf()", value: `"V<1> trueV<2> true"`},
		{name: "top-level tuple", cells: decls, last: "var q, r any = two()\nchk(q) + chk(r)", value: `"V<1> trueV<2> true"`},
		{name: "top-level swap", cells: append(decls, "var q, r any = 1, V{2}"), last: "q, r = r, q\nchk(q) + chk(r)", value: `"V<2> true1 false"`},
		{name: "define with an existing any", cells: decls, last: "func f() string { var q any; q, k := V{5}, 2; return chk(q) + fmt.Sprint(k) }\nf()", value: `"V<5> true2"`},
		{name: "fields and elements", cells: decls, last: "type B struct{ X any }\nfunc f() string { var b B; l := []any{0, 0}; b.X, l[1] = V{6}, V{7}; return chk(b.X) + chk(l[1]) }\nf()", value: `"V<6> trueV<7> true"`},
		{name: "blank", cells: decls, last: "func f() string { var q any; _, q = 1, V{8}; return chk(q) }\nf()", value: `"V<8> true"`},
		{name: "multi-line values", cells: decls, last: "func f() string {\n\tvar q, r any\n\tq, r = V{1},\n\t\tV{2}\n\treturn chk(q) + chk(r)\n}\nf()", value: `"V<1> trueV<2> true"`},
		{name: "in an if header", cells: decls, last: "func f() string {\n\tvar q, r any\n\tif q, r = (V{1}), (V{2}); q != nil {\n\t}\n\treturn chk(q) + chk(r)\n}\nf()", err: "cell3:3:5: the Go interpreter (yaegi) gets this assignment of several values wrong"},
		{name: "ordinary values stay", cells: decls, last: "func f() string { a, b := 1, 2; a, b = b, a; var s, t string; s, t = \"x\", \"y\"; return fmt.Sprint(a, b, s, t) }\nf()", value: `"2 1xy"`},
	}
	runCases(t, cases)
}

// TestSemanticsAliasForms: values of cell types with methods put into
// interfaces where the alias workaround did not move them (after a call
// in the same statement, in headers, behind && and ||, multi-line
// values); those it cannot move fail when stored in a loop.
func TestSemanticsAliasForms(t *testing.T) {
	decls := []string{semV, "func id(s string) string { return s }\nvar kept []any\nfunc keep(x any) bool { kept = append(kept, x); return true }"}
	cases := []replCase{
		{name: "after a call", cells: decls, last: "func f() string { v := V{1}; l := []any{}; for i := 0; i < 2; i++ { v.A = i; l = append(l, id(\"x\"), v) }; return fmt.Sprint(l) }\nf()", value: `"[x V<0> x V<1>]"`},
		{name: "call result after a call", cells: decls, last: "var order string\nfunc key(i int) string { order += \"k\"; return fmt.Sprint(i) }\nfunc mk(i int) V { order += \"v\"; return V{i} }\nfunc f() string { m := map[string]any{}; for i := 0; i < 2; i++ { m[key(i)] = mk(i) }; return fmt.Sprint(m, order) }\nf()", value: `"map[0:V<0> 1:V<1>]kvkv"`},
		{name: "if init", cells: decls, last: "func f() string { v := V{1}; m := map[int]any{}; for i := 0; i < 2; i++ { v.A = i; if m[i] = v; true {} }; return fmt.Sprint(m) }\nf()", value: `"map[0:V<0> 1:V<1>]"`},
		{name: "if condition", cells: decls, last: "func f() string { v := V{1}; for i := 0; i < 2; i++ { v.A = i; if keep(v) {} }; return fmt.Sprint(kept) }\nf()", value: `"[V<0> V<1>]"`},
		{name: "switch tag", cells: decls, last: "func f() string { v := V{1}; for i := 0; i < 2; i++ { v.A = i; switch keep(v) { case true: } }; return fmt.Sprint(kept) }\nf()", value: `"[V<0> V<1>]"`},
		{name: "behind &&", cells: decls, last: "func f() string { v := V{1}; b := true; for i := 0; i < 2; i++ { v.A = i; _ = b && keep(v) }; return fmt.Sprint(kept) }\nf()", value: `"[V<0> V<1>]"`},
		{name: "multi-line value", cells: decls, last: "func f() string {\n\tv := V{1}\n\tvar l []any\n\tfor i := 0; i < 2; i++ {\n\t\tv.A = i\n\t\tl = append(l,\n\t\t\tv)\n\t}\n\tvar q any = V{\n\t\tA: 7,\n\t}\n\treturn fmt.Sprint(l, q)\n}\nf()", value: `"[V<0> V<1>] V<7>"`},
		{name: "multi-line top level", cells: decls, last: "var q any = V{\n\tA: 8,\n}\nchk(q)", value: `"V<8> true"`},
		{name: "select send", cells: decls, last: "func f() string {\n\tch := make(chan any, 3)\n\tx := V{1}\n\tfor i := 0; i < 2; i++ {\n\t\tx.A = i\n\t\tselect {\n\t\tcase ch <- x:\n\t\tdefault:\n\t\t}\n\t}\n\treturn fmt.Sprint(<-ch, <-ch)\n}\nf()", value: `"V<0> V<1>"`},
		{name: "defer argument", cells: decls, last: "func f() {\n\tx := V{3}\n\tdefer fmt.Println(\"deferred\", any(x), chk(x))\n\tx.A = 9\n}\nf()", stdout: "deferred V<3> V<3> true\n"},
		{name: "loop post stores", cells: decls, last: "func f() string {\n\tvar l []any\n\tvar q any\n\tv := V{1}\n\tfor i := 0; i < 3; q = v {\n\t\tif q != nil {\n\t\t\tl = append(l, q)\n\t\t}\n\t\ti++\n\t\tv.A = i\n\t}\n\treturn fmt.Sprint(l)\n}\nf()", value: `"[V<1> V<2>]"`},
		{name: "else-if init stores", cells: decls, last: "func f() string {\n\tm := map[int]any{}\n\tv := V{1}\n\tfor i := 0; i < 2; i++ {\n\t\tv.A = i\n\t\tif i < 0 {\n\t\t} else if m[i] = v; true {\n\t\t}\n\t}\n\treturn fmt.Sprint(m)\n}\nf()", value: `"map[0:V<0> 1:V<1>]"`},
		{name: "final expression", cells: decls, last: "m := map[string]any{\"x\": V{3}}\nchk(any(V{3})) + fmt.Sprint(m[\"x\"] == any(V{3}))", value: `"V<3> truetrue"`},
		{name: "loop condition argument stays", cells: decls, last: "func f() int {\n\tv := V{1}\n\tn := 0\n\tfor i := 0; i < 2 && keep(v); i++ {\n\t\tn++\n\t}\n\treturn n\n}\nf()", value: "2"},
	}
	runCases(t, cases)
}

// TestSemanticsTypeVerb: %T of a value of interface type printed
// reflect's type of an interpreted value (struct { Xs float64 } for
// main.SS) or yaegi's wrapper (stdlib._fmt_Stringer).
func TestSemanticsTypeVerb(t *testing.T) {
	decls := []string{semV + "\ntype SS struct{ Xs float64 }\ntype Shape interface{ Area() float64 }\ntype Sq struct{ S float64 }\nfunc (q Sq) Area() float64 { return q.S * q.S }"}
	cases := []replCase{
		{name: "any", cells: decls, last: "var a any = SS{1}\nvar b any = V{2}\nvar c any = &V{3}\nvar d any\nfmt.Sprintf(\"%T|%T|%T|%T|%T|%-8T|\", a, b, c, d, any(4), a)", value: `"main.SS|main.V|*main.V|<nil>|int|main.SS |"`},
		{name: "elements", cells: decls, last: "l := []any{SS{1}, N(2), \"s\"}\nfmt.Sprintf(\"%T %T %T %T\", l[0], l[1], l[2], l)", value: `"main.SS main.N string []interface {}"`},
		{name: "cell interface", cells: decls, last: "var sh Shape = Sq{2}\nfmt.Sprintf(\"%T\", sh)", value: `"main.Sq"`},
		{name: "compiled interface", cells: decls, last: "var s fmt.Stringer = V{1}\nfmt.Sprintf(\"%T\", s)", value: `"<the type of a cell value in fmt.Stringer: yaegi v0.16.1 hides it; print %T of a variable of its own type>"`},
		{name: "twins", cells: append(decls, "type P struct{ A int }\ntype Q struct{ A int }"), last: "var a any = P{1}\nfmt.Sprintf(\"%T\", a)", value: `"<main.P or main.Q: the Go interpreter (yaegi) cannot tell types of the same structure without methods apart; give the type a method>"`},
		{name: "in a func", cells: decls, last: "func f(x any) string { return fmt.Sprintf(\"%T\", x) }\nf(SS{}) + f(V{}) + f(1.5)", value: `"main.SSmain.Vfloat64"`},
		{name: "basic twin", cells: append(decls, "type Celsius float64"), last: "var a any = Celsius(1)\nfmt.Sprintf(\"%T %T\", a, \"s\")", value: `"<main.Celsius or float64: the Go interpreter (yaegi) cannot tell types of the same structure without methods apart; give the type a method> string"`},
	}
	runCases(t, cases)
}

// TestSemanticsGenericBodies: print calls in generic bodies are
// rewritten without host calls (a host call made yaegi skip the whole
// body: its callers failed with "index out of range"); errors.Is/As
// with cell error targets there fail with a message.
func TestSemanticsGenericBodies(t *testing.T) {
	decls := []string{semV + "\ntype Oops struct{ N int }\nfunc (o Oops) Error() string { return fmt.Sprint(\"oops \", o.N) }\ntype P struct{ A int }"}
	cases := []replCase{
		{name: "generic method prints", cells: decls, last: "type Box[T any] struct{ v T }\nfunc (b Box[T]) Show() string { return fmt.Sprintf(\"box %v %T\", b.v, b.v) }\nBox[Oops]{Oops{3}}.Show() + \"|\" + Box[P]{P{4}}.Show() + \"|\" + Box[int]{5}.Show() + \"|\" + Box[*Oops]{&Oops{6}}.Show()", value: `"box oops 3 main.Oops|box {4} main.P|box 5 int|box oops 6 *main.Oops"`},
		{name: "generic method prints a pointer to a twin type", cells: decls, last: "type Box[T any] struct{ v T }\nfunc (b Box[T]) Show() string { return fmt.Sprintf(\"%T\", b.v) }\nBox[*V]{&V{6}}.Show()", value: `"<*main.P or *main.V: the Go interpreter (yaegi) cannot tell pointers to types of the same structure apart; give one of them a different field>"`},
		{name: "generic func prints", cells: decls, last: "func g[T any](xs []T) string { out := \"\"; for _, x := range xs { out += fmt.Sprint(x) + fmt.Sprintf(\"%T;\", x) }; return out }\ng([]V{{1}, {2}}) + g([]any{N(3), 4})", value: `"V<1>main.V;V<2>main.V;N<3>main.N;4int;"`},
		{name: "println in a generic func", cells: decls, last: "func say[T any](x T) { fmt.Println(\"say\", x) }\nsay(Oops{7})", stdout: "say oops 7\n"},
		{name: "wrap in a generic func", cells: decls, last: "func wrap[T any](x T) error { return fmt.Errorf(\"w: %w\", Oops{8}) }\nwrap(1).Error()", value: `"w: oops 8"`},
		{name: "errors.Is in a generic func", cells: decls, last: "func is[T any](x T, err error) bool { return errors.Is(err, Oops{1}) }\nis(1, nil)", err: "cell2:1:46: errors.Is with a target of a cell error type does not work in a generic function in the Go interpreter (yaegi); call it in a non-generic function"},
		{name: "types of later cells", cells: []string{"type Box[T any] struct{ v T }\nfunc (b Box[T]) Show() string { return fmt.Sprintf(\"box %v\", b.v) }\nfunc ShowAll[T any](xs []T) string { return fmt.Sprint(xs[0]) }", semV + "\ntype Oops struct{ N int }\nfunc (o Oops) Error() string { return fmt.Sprint(\"oops \", o.N) }"}, last: "Box[V]{V{3}}.Show() + \" \" + Box[Oops]{Oops{4}}.Show() + \" \" + ShowAll([]Oops{{5}}) + \" \" + Box[int]{6}.Show()", value: `"box V<3> box oops 4 oops 5 box 6"`},
		{name: "method and func of one name", last: "type Box[T any] struct{ v T }\nfunc (b Box[T]) Show() string { return \"box\" }\nfunc Show[T any](xs []T) string { return \"show\" }", err: "cell1:3:6: the Go interpreter (yaegi) confuses the generic function Show with the method Show of the generic type Box: give one of them another name"},
		{name: "method and func of one name, two cells", cells: []string{"func Show[T any](xs []T) string { return \"show\" }"}, last: "type Box[T any] struct{ v T }\nfunc (b Box[T]) Show() string { return \"box\" }", err: "cell2:2:17: the Go interpreter (yaegi) confuses the method Show of a generic type with the generic function Show"},
		{name: "error var in a generic func", cells: decls, last: "func ev[T any](x T) string { var e error = Oops{5}; return e.Error() }\nev(1)", value: `"oops 5"`},
	}
	runCases(t, cases)
}

// TestSemanticsPointerPrint: a pointer to a cell type with String (value
// receiver) held in an any printed &{4 } (an address inside a slice):
// yaegi hands it to compiled code as a plain pointer.
func TestSemanticsPointerPrint(t *testing.T) {
	decls := []string{"type S3 struct{ A int; B string }\nfunc (s S3) String() string { return fmt.Sprint(\"S3<\", s.A, \">\") }\ntype Plain struct{ A int; C float64 }"}
	cases := []replCase{
		{name: "elements and variables", cells: decls, last: "r := []any{&S3{A: 4}}\nx := r[0]\nfmt.Sprint(x, r[0], r)", value: `"S3<4> S3<4> [S3<4>]"`},
		{name: "println", cells: decls, last: "p := &S3{A: 5}\nvar y any = p\nfmt.Println(y, []any{p, 1})", stdout: "S3<5> [S3<5> 1]\n"},
		{name: "pointer without String", cells: decls, last: "p := &Plain{A: 6}\nvar y any = p\nfmt.Sprint(y)", value: `"&{6 0}"`},
	}
	runCases(t, cases)
}

// TestSemanticsGoSyntax: %#v named nested cell struct types and those in
// interfaces by yaegi's reflect types (struct { Xs float64 }{Xs:1}).
func TestSemanticsGoSyntax(t *testing.T) {
	decls := []string{"type SS struct{ Xs float64 }\ntype Outer struct{ In SS; p *SS }\ntype V struct{ A int }\nfunc (v V) String() string { return \"v\" }\ntype Priv struct{ s string }"}
	cases := []replCase{
		{name: "nested and in any", cells: decls, last: "var a any = SS{1}\nfmt.Sprintf(\"%#v|%#v|%#v|%#v\", a, []SS{{2}}, Outer{}, map[string]any{\"k\": V{3}})", value: `"main.SS{Xs:1}|[]main.SS{main.SS{Xs:2}}|main.Outer{In:main.SS{Xs:0}, p:(*main.SS)(nil)}|map[string]interface {}{\"k\":main.V{A:3}}"`},
		{name: "renamed fields", cells: decls, last: "fmt.Sprintf(\"%#v %+v\", []Priv{{\"x\"}}, Priv{\"y\"})", value: `"[]main.Priv{main.Priv{s:\"x\"}} {s:y}"`},
	}
	runCases(t, cases)
}

// TestSemanticsNumericVerbs: a value of a cell type with String formatted
// with %d or %f reached fmt as yaegi's wrapper struct ({5.00
// %!f(func() string=0x535b20)}, {1 5462816} for %d of an enum).
func TestSemanticsNumericVerbs(t *testing.T) {
	decls := []string{"type Temp float64\nfunc (t Temp) String() string { return fmt.Sprintf(\"%.1f°C\", float64(t)) }\ntype Level int\nfunc (l Level) String() string { return [...]string{\"low\", \"high\"}[l] }\ntype P struct{ X, Y float64 }\nfunc (p P) String() string { return \"p\" }\ntype E struct{ N int }\nfunc (e *E) String() string { return \"e\" }"}
	cases := []replCase{
		{name: "verbs", cells: decls, last: "fmt.Sprintf(\"%.2f|%d|%5d|%.1f|%d|%d|%v|%s|%x\", Temp(5), Level(1), Level(0), P{1, 2}, E{3}, &E{4}, Level(1), Temp(2), Level(1))", value: `"5.00|1|    0|{1.0 2.0}|{3}|&{4}|high|2.0°C|68696768"`},
		{name: "printf", cells: decls, last: "t := Temp(21.456)\nfmt.Printf(\"%6.2f %v\\n\", t, t)", stdout: " 21.46 21.5°C\n"},
		{name: "mixed verbs", cells: decls, last: "fmt.Sprintf(\"%[1]v %[1]d\", Level(1))", value: `"high 1"`},
	}
	runCases(t, cases)
}

// TestSemanticsJSONUnexported: yaegi exports unexported fields in its
// reflect types (secret becomes Xsecret): encoding/json wrote and read
// them.
func TestSemanticsJSONUnexported(t *testing.T) {
	decls := []string{"type Rec struct {\n\tName   string `json:\"name\"`\n\tScore  float64\n\tsecret int\n\tnote   string `yaml:\"n\"`\n}"}
	cases := []replCase{
		{name: "marshal", cells: decls, last: "b, _ := json.Marshal(Rec{\"a\", 1.5, 7, \"x\"})\nstring(b)", value: `"{\"name\":\"a\",\"Score\":1.5}"`},
		{name: "unmarshal", cells: decls, last: "var r Rec\nerr := json.Unmarshal([]byte(`{\"name\":\"z\",\"Score\":2,\"Xsecret\":4}`), &r)\nfmt.Sprint(r.Name, r.Score, r.secret, err)", value: `"z2 0 <nil>"`},
		{name: "struct literal type", last: "b, _ := json.Marshal(struct{ A, b int }{1, 2})\nstring(b)", value: `"{\"A\":1}"`},
	}
	runCases(t, cases)
}

// TestSemanticsCompiledIfaces: cell values stored into interfaces of
// compiled packages (fmt.Stringer, sort.Interface …) in a loop all
// answered as the last one ([V<1> V<1>]), pointers too: yaegi's wrapper
// calls the methods on the variable it was made from.
func TestSemanticsCompiledIfaces(t *testing.T) {
	decls := []string{semV}
	cases := []replCase{
		{name: "append in a loop", cells: decls, last: "var vs []fmt.Stringer\nfor i := 0; i < 2; i++ { vs = append(vs, V{i}) }\nfmt.Sprint(vs[0].String(), vs[1].String(), vs)", value: `"V<0>V<1>[V<0> V<1>]"`},
		{name: "variable in a loop", cells: decls, last: "func f() string { var vs []fmt.Stringer; for i := 0; i < 2; i++ { v := V{i}; vs = append(vs, v) }; return vs[0].String() + vs[1].String() }\nf()", value: `"V<0>V<1>"`},
		{name: "pointers", cells: decls, last: "func f() string { var vs []fmt.Stringer; for i := 0; i < 2; i++ { vs = append(vs, &V{i}) }; return vs[0].String() + vs[1].String() }\nf()", value: `"V<0>V<1>"`},
		{name: "index and explicit", cells: decls, last: "func f() string { vs := make([]fmt.Stringer, 2); for i := 0; i < 2; i++ { vs[i] = fmt.Stringer(V{i}) }; return vs[0].String() + vs[1].String() }\nf()", value: `"V<0>V<1>"`},
		{name: "top level", cells: append(decls, "var s fmt.Stringer = V{2}"), last: "s.String() + fmt.Sprint(s)", value: `"V<2>V<2>"`},
	}
	runCases(t, cases)
}

// TestSemanticsHiddenAssert: an assertion to a cell value type on a cell
// value in a compiled interface other than error (fmt.Stringer) was
// silently false.
func TestSemanticsHiddenAssert(t *testing.T) {
	decls := []string{semV}
	cases := []replCase{
		{name: "value type", cells: append(decls, "var s fmt.Stringer = V{2}"), last: "v, ok := s.(V)\nfmt.Sprint(v, ok)", err: "godl cannot tell whether this fmt.Stringer value holds main.V"},
		{name: "pointer", cells: append(decls, "var s fmt.Stringer = &V{3}"), last: "p, ok := s.(*V)\nfmt.Sprint(p.A, ok)", value: `"3 true"`},
		{name: "pointer, other type", cells: append(decls, "var s fmt.Stringer = &V{3}"), last: "_, ok := s.(N)\nok", value: "false"},
	}
	runCases(t, cases)
}

// TestSemanticsMapKeys: keys of a cell type with String printed without
// it (map[0:1 1:2] for map[low:1 high:2]).
func TestSemanticsMapKeys(t *testing.T) {
	decls := []string{"type Level int\nfunc (l Level) String() string { return [...]string{\"low\", \"high\", \"max\"}[l] }\ntype Temp float64\nfunc (t Temp) String() string { return fmt.Sprintf(\"%.1f°C\", float64(t)) }"}
	cases := []replCase{
		{name: "print", cells: decls, last: "m := map[Level]int{2: 3, 0: 1, 1: 2}\nfmt.Sprint(m)", value: `"map[low:1 high:2 max:3]"`},
		{name: "out value", cells: decls, last: "map[Level]int{1: 2, 0: 1}", value: "map[low:1 high:2]"},
		{name: "keys and values", cells: decls, last: "fmt.Sprintf(\"%v|%+v\", map[Level]Temp{1: 20, 0: 10}, map[Level]Temp{2: 1})", value: `"map[low:10.0°C high:20.0°C]|map[max:1.0°C]"`},
		{name: "field", cells: decls, last: "type Stats struct{ Counts map[Level]int }\nfmt.Sprint(Stats{Counts: map[Level]int{1: 5}})", value: `"{map[high:5]}"`},
		{name: "nil", cells: decls, last: "var nm map[Level]int\nfmt.Sprint(nm)", value: `"map[]"`},
	}
	runCases(t, cases)
}

// TestSemanticsEmptySwitch: yaegi skipped the init and tag of a switch
// without clauses.
func TestSemanticsEmptySwitch(t *testing.T) {
	runCases(t, []replCase{
		{name: "tag and init", last: "n := 0\nf := func() int { n++; return n }\nswitch f() {}\nswitch x := f(); x {}\nswitch f(); {}\nn", value: "3"},
	})
}

// TestSemanticsMethodValues: a method value read its receiver when
// called (g := v.Get; v.A = 5; g() gave 5, Go gives 1).
func TestSemanticsMethodValues(t *testing.T) {
	decls := []string{"type P struct{ A int }\nfunc (p P) Get() int { return p.A }\nfunc (p *P) Inc() { p.A++ }\ntype Getter interface{ Get() int }"}
	cases := []replCase{
		{name: "value receiver", cells: decls, last: "v := P{1}\ng := v.Get\nv.A = 5\ng()", value: "1"},
		{name: "in a func", cells: decls, last: "func f() int { v := P{1}; g := v.Get; v.A = 5; return g() }\nf()", value: "1"},
		{name: "interface", cells: decls, last: "func f() int { var i Getter = P{1}; g := i.Get; i = P{7}; return g() + i.Get() }\nf()", value: "8"},
		{name: "pointer receiver stays bound to the variable", cells: decls, last: "v := P{1}\ninc := v.Inc\ninc()\nv.A", value: "2"},
		{name: "in a slice of funcs", cells: decls, last: "var fs []func() int\nfor i := 0; i < 2; i++ { v := P{i}; fs = append(fs, v.Get) }\nfmt.Sprint(fs[0](), fs[1]())", value: `"0 1"`},
	}
	runCases(t, cases)
}

// TestSemanticsIfaceEquality: interface values holding equal cell values
// with methods compared unequal (yaegi compared its valueInterfaces).
func TestSemanticsIfaceEquality(t *testing.T) {
	decls := []string{semV + "\ntype W struct{ B string }\nfunc (w W) String() string { return \"w\" }\ntype Shape interface{ String() string }"}
	cases := []replCase{
		{name: "any", cells: decls, last: "var a, b any = V{1}, V{1}\nvar c any = W{\"1\"}\nfmt.Sprint(a == b, a != b, a == c, a == nil, any(1) == any(1))", value: `"true false false false true"`},
		{name: "cell interface in a func", cells: decls, last: "func f() bool { var s1, s2 Shape = V{2}, V{2}; return s1 == s2 }\nf()", value: "true"},
		{name: "map of any values", cells: decls, last: "m := map[string]any{\"x\": V{3}}\nm[\"x\"] == any(V{3})", value: "true"},
	}
	runCases(t, cases)
}

// TestSemanticsContainersInAny: a value of a cell type without String
// whose fields have it, held in an any, printed without the fields'
// method ({6 7} for {6.0°C 7}).
func TestSemanticsContainersInAny(t *testing.T) {
	decls := []string{"type Temp float64\nfunc (t Temp) String() string { return fmt.Sprintf(\"%.1f°C\", float64(t)) }\ntype Pair struct{ A Temp; B int }"}
	cases := []replCase{
		{name: "print", cells: decls, last: "var b any = Pair{6, 7}\nfmt.Sprintf(\"%v|%+v|%v\", b, b, []any{Pair{8, 9}, 3})", value: `"{6.0°C 7}|{A:6.0°C B:7}|[{8.0°C 9} 3]"`},
		{name: "out value", cells: decls, last: "ps := []any{Pair{8, 9}, 3}\nps", value: "[{8.0°C 9} 3]"},
		{name: "generic body", cells: decls, last: "func show[T any](x T) string { return fmt.Sprint(x) }\nvar b any = Pair{1, 2}\nshow(b)", value: `"{1.0°C 2}"`},
	}
	runCases(t, cases)
}
