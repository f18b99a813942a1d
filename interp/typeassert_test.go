package interp

import (
	"fmt"
	"log"
	"strings"
	"testing"
)

// typeAssertDecls are the cell types of the type assertion tests: S has
// value methods, P has S's structure and no methods, Namer is a cell
// interface.
const typeAssertDecls = "type S struct{ A int }\nfunc (s S) String() string { return fmt.Sprint(\"S<\", s.A, \">\") }\nfunc (s S) Name() string { return \"n\" }\ntype P struct{ A int }\ntype Namer interface{ Name() string }"

// TestTypeAssertCommaOk checks every form of a comma-ok type assertion
// (top level, in a func, in a func literal, in an if header, assigned,
// in a var declaration; `_` or a named first result) and of a type
// switch case (with and without guard variable) for values of
// compiled and cell types, held in an `any` variable or converted in
// place (any(a)), asserted to compiled and cell interfaces, compiled
// and cell types and any. yaegi v0.16.1 failed on most (typeassert.go):
// "nil type" at the top level, a reflect panic on any(a), false for
// any and for pointers to cell types, true across cell types of the
// same structure.
func TestTypeAssertCommaOk(t *testing.T) {
	vals := []struct{ name, v, ok string }{
		// ok: the targets the value satisfies.
		{"int", "3", "int any"},
		{"S", "S{1}", "fmt.Stringer Namer S any"},
		{"*S", "&S{1}", "fmt.Stringer Namer *S any"},
		{"P", "P{1}", "P any"},
		{"buf", "bytes.NewBufferString(\"b\")", "fmt.Stringer *bytes.Buffer any"},
	}
	targets := []string{"fmt.Stringer", "Namer", "int", "S", "*S", "P", "*bytes.Buffer", "error", "any"}
	forms := []struct{ name, src string }{
		{"top blank", "_, okN := X.(T)\nokN"},
		{"top named", "vN, okN := X.(T)\n_ = vN\nokN"},
		{"func blank", "func fN() bool { _, ok := X.(T); return ok }\nfN()"},
		{"func named", "func fN() bool { v, ok := X.(T); _ = v; return ok }\nfN()"},
		{"func literal", "rN := func() bool { _, ok := X.(T); return ok }()\nrN"},
		{"top if blank", "rN := false\nif _, ok := X.(T); ok { rN = true }\nrN"},
		{"top if named", "rN := false\nif v, ok := X.(T); ok { _ = v; rN = true }\nrN"},
		{"func if", "func fN() bool { if v, ok := X.(T); ok { _ = v; return true }; return false }\nfN()"},
		{"top assign", "var vN T\nvar okN bool\nvN, okN = X.(T)\n_ = vN\nokN"},
		{"func assign", "func fN() bool { var v T; var ok bool; v, ok = X.(T); _ = v; return ok }\nfN()"},
		{"top var", "var vN, okN = X.(T)\n_ = vN\nokN"},
		{"func local", "func fN() bool { y := X; _, ok := y.(T); return ok }\nfN()"},
		{"top switch", "rN := false\nswitch X.(type) { case T: rN = true }\nrN"},
		{"top switch guard", "rN := false\nswitch v := X.(type) { case T: _ = v; rN = true }\nrN"},
		{"func switch", "func fN() bool { switch X.(type) { case chan int: return false; case T: return true }; return false }\nfN()"},
		{"func switch guard", "func fN() bool { switch v := X.(type) { case T: _ = v; return true; default: _ = v }; return false }\nfN()"},
	}
	n := 0
	for _, v := range vals {
		for _, x := range []string{"x", "any(a)"} {
			t.Run(v.name+" "+x, func(t *testing.T) {
				ts := newTestSession(t)
				for _, c := range []string{typeAssertDecls, "a := " + v.v + "\nvar x any = a"} {
					if r := ts.run(c); r.res.Error != nil {
						t.Fatal(r.errText())
					}
				}
				for _, target := range targets {
					want := fmt.Sprint(strings.Contains(" "+v.ok+" ", " "+target+" "))
					for _, f := range forms {
						n++
						src := strings.NewReplacer("fN", fmt.Sprintf("f%d", n), "rN", fmt.Sprintf("r%d", n), "okN", fmt.Sprintf("ok%d", n), "vN", fmt.Sprintf("v%d", n), "X", x, "T", target).Replace(f.src)
						r := ts.run(src)
						if r.res.Error != nil {
							t.Errorf("%s.(%s) %s: %s\n%s", x, target, f.name, r.errText(), src)
						} else if r.value() != want {
							t.Errorf("%s.(%s) %s: got %s, want %s\n%s", x, target, f.name, r.value(), want, src)
						}
					}
				}
			})
		}
	}
}

// TestTypeAssertValues checks the values comma-ok assertions give, and
// the cases of the bug report.
func TestTypeAssertValues(t *testing.T) {
	cells := []string{typeAssertDecls, "a := S{1}\nvar x any = a\nvar p any = &S{2}\nvar nothing any"}
	cases := []replCase{
		{name: "report: in a func", cells: []string{"a := 5"}, last: "func f() bool { _, ok := any(a).(fmt.Stringer); return ok }\nf()", value: "false"},
		{name: "report: top level int", last: "var x any = 3\n_, ok2 := x.(int)\nok2", value: "true"},
		{name: "report: top level conversion", cells: []string{"a := 5"}, last: "_, ok := any(a).(fmt.Stringer)\nok", value: "false"},
		{name: "stringer value", cells: cells, last: "s, ok := x.(fmt.Stringer)\nfmt.Sprint(ok, \" \", s.String())", value: `"true S<1>"`},
		{name: "cell interface value", cells: cells, last: "func f() string { if n, ok := x.(Namer); ok { return n.Name() }; return \"-\" }\nf()", value: `"n"`},
		{name: "pointer value", cells: cells, last: "s, ok := p.(fmt.Stringer)\nfmt.Sprint(ok, \" \", s.String())", value: `"true S<2>"`},
		{name: "cell type value", cells: cells, last: "s, ok := x.(S)\nfmt.Sprint(ok, \" \", s.A)", value: `"true 1"`},
		{name: "conversion value", cells: cells, last: "s, ok := any(a).(fmt.Stringer)\nfmt.Sprint(ok, \" \", s.String())", value: `"true S<1>"`},
		{name: "int value", last: "var y any = 7\nn, ok := y.(int)\nn*ok2i(ok)\nfunc ok2i(b bool) int { if b { return 1 }; return 0 }", value: "7"},
		{name: "zero value on failure", cells: cells, last: "n, ok := x.(int)\nfmt.Sprint(n, ok)", value: `"0 false"`},
		{name: "nil interface", cells: cells, last: "_, ok1 := nothing.(any)\n_, ok2 := nothing.(fmt.Stringer)\n_, ok3 := nothing.(int)\nfmt.Sprint(ok1, ok2, ok3)", value: `"false false false"`},
		{name: "any target keeps the value", cells: cells, last: "v, ok := x.(any)\nfmt.Sprint(ok, \" \", v.(S).A)", value: `"true 1"`},
		{name: "error from a compiled func", last: "_, err := os.Open(\"/nonexistent/x\")\npe, ok := err.(*fs.PathError)\nfmt.Sprint(ok, \" \", pe.Op)", value: `"true open"`},
		{name: "error interface of a compiled value", last: "var r io.Reader = strings.NewReader(\"abc\")\nw, ok := r.(io.WriterTo)\n_, ok2 := r.(io.Writer)\nfmt.Sprint(ok, ok2, w != nil)", value: `"true false true"`},
		{name: "anonymous interface target", cells: cells, last: "_, ok := x.(interface{ Name() string })\nok", value: "true"},
		{name: "parenthesized", cells: cells, last: "_, ok := (x).(S)\nok", value: "true"},
		{name: "switch guard values", cells: cells, last: "func kind(v any) string {\n\tswitch v := v.(type) {\n\tcase nil:\n\t\treturn \"nil\"\n\tcase int, string:\n\t\treturn fmt.Sprint(\"basic \", v)\n\tcase Namer:\n\t\treturn \"namer \" + v.Name()\n\tcase fmt.Stringer:\n\t\treturn \"stringer \" + v.String()\n\tdefault:\n\t\treturn fmt.Sprintf(\"other %T\", v)\n\t}\n}\nfmt.Sprint(kind(nil), \"|\", kind(3), \"|\", kind(x), \"|\", kind(p), \"|\", kind(bytes.NewBufferString(\"b\")), \"|\", kind(2.5))", value: `"nil|basic 3|namer n|namer n|stringer b|other float64"`},
		{name: "switch at top level", cells: cells, last: "r := \"\"\nswitch v := x.(type) {\ncase fmt.Stringer:\n\tr = v.String()\n}\nr", value: `"S<1>"`},
		{name: "switch on a conversion", cells: cells, last: "r := \"\"\nswitch v := any(a).(type) {\ncase int:\n\tr = \"int\"\ncase fmt.Stringer:\n\tr = v.String()\n}\nr", value: `"S<1>"`},
		{name: "switch break", cells: cells, last: "r := 0\nswitch x.(type) {\ncase S:\n\tr = 1\n\tif r == 1 {\n\t\tbreak\n\t}\n\tr = 2\n}\nr", value: "1"},
		{name: "switch in a loop", cells: cells, last: "n := 0\nfor _, v := range []any{1, S{2}, &S{3}, P{4}, \"s\"} {\n\tswitch v.(type) {\n\tcase fmt.Stringer:\n\t\tn += 10\n\tcase P:\n\t\tn += 100\n\t}\n}\nn", value: "120"},
	}
	runCases(t, cases)
}

// TestTypeAssertSingle checks single-valued type assertions: the value
// where it holds (yaegi panicked on x.(any), on &S{} to fmt.Stringer
// and on any(3).(fmt.Stringer) with a reflect message), and Go's panic
// message where it fails.
func TestTypeAssertSingle(t *testing.T) {
	vals := []struct{ name, v, ok string }{
		{"int", "3", "int any"},
		{"S", "S{1}", "fmt.Stringer Namer S any"},
		{"*S", "&S{1}", "fmt.Stringer Namer *S any"},
		{"P", "P{1}", "P any"},
		{"buf", "bytes.NewBufferString(\"b\")", "fmt.Stringer *bytes.Buffer any"},
	}
	targets := []string{"fmt.Stringer", "Namer", "int", "S", "*S", "P", "*bytes.Buffer", "error", "any"}
	forms := []string{"vN := X.(T)\n_ = vN\ntrue", "func fN() bool { v := X.(T); _ = v; return true }\nfN()", "fmt.Sprint(X.(T)) != \"\""}
	n := 0
	for _, v := range vals {
		for _, x := range []string{"x", "any(a)"} {
			t.Run(v.name+" "+x, func(t *testing.T) {
				ts := newTestSession(t)
				for _, c := range []string{typeAssertDecls, "a := " + v.v + "\nvar x any = a"} {
					if r := ts.run(c); r.res.Error != nil {
						t.Fatal(r.errText())
					}
				}
				for _, target := range targets {
					ok := strings.Contains(" "+v.ok+" ", " "+target+" ")
					for _, f := range forms {
						n++
						src := strings.NewReplacer("fN", fmt.Sprintf("f%d", n), "vN", fmt.Sprintf("v%d", n), "X", x, "T", target).Replace(f)
						r := ts.run(src)
						switch {
						case ok && r.res.Error != nil:
							t.Errorf("%s.(%s): %s\n%s", x, target, r.errText(), src)
						case ok && r.value() != "true":
							t.Errorf("%s.(%s): got %s, want true\n%s", x, target, r.value(), src)
						case !ok && !strings.Contains(r.errText(), "interface conversion: "):
							t.Errorf("%s.(%s): got %q (%s), want an interface conversion panic\n%s", x, target, r.value(), r.errText(), src)
						}
					}
				}
			})
		}
	}
	cells := []string{typeAssertDecls, "a := S{1}\nvar x any = a\nvar p any = &S{2}\nvar nothing any"}
	runCases(t, []replCase{
		{name: "message cell type", cells: cells, last: "x.(P)", err: "interface conversion: interface {} is main.S, not main.P"},
		{name: "message pointer", cells: cells, last: "p.(S)", err: "interface conversion: interface {} is *main.S, not main.S"},
		{name: "message interface", cells: cells, last: "x.(error)", err: "interface conversion: main.S is not error"},
		{name: "message nil", cells: cells, last: "nothing.(fmt.Stringer)", err: "interface conversion: interface is nil, not fmt.Stringer"},
		{name: "message conversion", cells: cells, last: "any(3).(fmt.Stringer)", err: "interface conversion: int is not fmt.Stringer"},
		{name: "message static", cells: cells, last: "any(a).(P)", err: "interface conversion: interface {} is main.S, not main.P"},
		{name: "method call on the result", cells: cells, last: "p.(fmt.Stringer).String() + x.(Namer).Name()", value: `"S<2>n"`},
		{name: "nested", cells: cells, last: "var y any = x\nany(y.(Namer)).(S).A", value: "1"},
	})
}

// TestTypeAssertTwins checks types of the same underlying type: yaegi
// matches a value of one as the other. Cell types with methods are told
// apart; a cell type without methods cannot be, and the cell fails with
// a message that names the workaround.
func TestTypeAssertTwins(t *testing.T) {
	decls := []string{"type P struct{ A int }\ntype Q struct{ A int }\ntype Celsius float64\ntype Temp float64\nfunc (t Temp) String() string { return fmt.Sprint(float64(t), \"°\") }"}
	temp := []string{"type Temp float64\nfunc (t Temp) String() string { return fmt.Sprint(float64(t), \"°\") }\ntype P struct{ A int }", "var z any = Temp(3.5)\nvar w any = 2.5"}
	runCases(t, []replCase{
		{name: "struct twins without methods", cells: decls, last: "var x any = P{1}\n_, ok := x.(Q)\nok", err: "yaegi cannot tell Q from P in a type assertion or type switch"},
		{name: "basic twin without methods", cells: decls, last: "var y any = 3.5\n_, ok := y.(Celsius)\nok", err: "give Celsius a method"},
		{name: "underlying type of a cell type without methods", cells: decls, last: "func f(v any) bool { switch v.(type) { case float64: return true }; return false }", err: "yaegi cannot tell float64 from Celsius"},
		{name: "cell type with methods and its underlying type", cells: temp, last: "_, ok3 := z.(float64)\n_, ok4 := z.(Temp)\n_, ok5 := w.(Temp)\n_, ok6 := w.(float64)\nfmt.Sprint(ok3, ok4, ok5, ok6)", value: `"false true false true"`},
		{name: "switch on a cell type with methods and its underlying type", cells: temp, last: "func f(v any) string { switch v := v.(type) { case Temp: return \"temp \" + v.String(); case float64: return \"float\"; case int: return \"int\" }; return \"?\" }\nf(z) + f(w) + f(3)", value: `"temp 3.5°floatint"`},
		{name: "plain assertion in a func stays", cells: temp, last: "func g(v any) bool { _, ok := v.(int); return ok }\ng(3)", value: "true"},
	})
}

// TestTypeAssertHidden checks assertions on an error that holds a value
// (not a pointer) of a cell type: yaegi hides it in a wrapper on which
// every assertion is false, so the cell fails with a message that says
// to use pointer receivers; pointers work.
func TestTypeAssertHidden(t *testing.T) {
	cells := []string{"type Oops struct{ N int }\nfunc (o Oops) Error() string { return fmt.Sprint(\"oops \", o.N) }\ntype PErr struct{ N int }\nfunc (o *PErr) Error() string { return fmt.Sprint(\"perr \", o.N) }\nfunc mk() error { return Oops{2} }\nfunc mkp() error { return &PErr{3} }", "err := mk()\nperr := mkp()"}
	runCases(t, []replCase{
		{name: "value error", cells: cells, last: "o, ok := err.(Oops)\nfmt.Sprint(ok, o.N)", err: "declare the type's methods on its pointer"},
		{name: "value error in a switch", cells: cells, last: "func f(e error) string { switch e.(type) { case *fs.PathError: return \"path\"; case Oops: return \"oops\" }; return \"?\" }\nf(err)", err: "godl cannot tell whether this error value holds main.Oops"},
		{name: "pointer error", cells: cells, last: "p, ok := perr.(*PErr)\nfmt.Sprint(ok, p.N)", value: `"true 3"`},
		{name: "pointer error in a func", cells: cells, last: "func chk() string { if e, ok := perr.(*PErr); ok { return fmt.Sprint(\"p\", e.N) }; return \"-\" }\nchk()", value: `"p3"`},
		{name: "compiled error type", cells: cells, last: "_, ok := perr.(*fs.PathError)\nok", value: "false"},
	})
}

// TestYaegiLogFilter checks that the lines yaegi's log.Panic prints
// (reported again as the cell's error) are dropped, and nothing else.
func TestYaegiLogFilter(t *testing.T) {
	cases := map[string]bool{
		"2026/11/28 18:32:47 nil type\n":         true,
		"nil type\n":                             true,
		"2026/11/28 18:32:47 nil reflect type\n": true,
		"2026/11/28 18:32:47 1:2: compositeGenerator not implemented for type kind: chan\n": true,
		"2026/11/28 18:32:47 hello\n":              false,
		"2026/11/28 18:32:47 the nil type is ok\n": false,
		"nil types\n": false,
	}
	if _, ok := log.Writer().(yaegiLogFilter); !ok {
		t.Errorf("the standard logger writes to %T, not through yaegiLogFilter", log.Writer())
	}
	for line, want := range cases {
		if got := isYaegiPanicLine(line); got != want {
			t.Errorf("isYaegiPanicLine(%q) = %v, want %v", line, got, want)
		}
	}
}

// TestTypeAssertSameCell checks assertions at a cell's top level on
// types the same cell declares (yaegi compiled the cell variable's value
// with the cell's types: "cannot use (type structT) as type valueT", or
// false), and pointers to twin cell types, which yaegi's type switch
// confuses.
func TestTypeAssertSameCell(t *testing.T) {
	runCases(t, []replCase{
		{name: "pointer", last: "type S struct{ A int }\nfunc (s S) String() string { return \"S\" }\np := &S{1}\nvar y any = p\ns, ok := y.(fmt.Stringer)\nfmt.Sprint(ok, \" \", s.String())", value: `"true S"`},
		{name: "pointer receiver of an earlier cell", cells: []string{"type S struct{ A int }\nfunc (s *S) String() string { return \"S\" }", "var y any = &S{1}"}, last: "s, ok := y.(fmt.Stringer)\n_, ok2 := y.(*S)\nfmt.Sprint(ok, ok2, \" \", s.String())", value: `"true true S"`},
		{name: "value", last: "type V struct{ A int }\nfunc (s V) String() string { return \"V\" }\nv := V{1}\nvar y any = v\ns, ok := y.(fmt.Stringer)\n_, ok2 := y.(V)\nfmt.Sprint(ok, ok2, \" \", s.String())", value: `"true true V"`},
		{name: "shapes", last: "type Shape interface{ Area() float64 }\ntype Sq struct{ S float64 }\nfunc (s Sq) Area() float64 { return s.S * s.S }\ntype Circle struct{ R float64 }\nfunc (c Circle) Area() float64 { return 3 * c.R * c.R }\nshapes := []Shape{Sq{1}, Circle{2}, Sq{3}}\nn := 0\nfor _, s := range shapes { if _, ok := s.(Sq); ok { n++ } }\nm := 0\nfor _, s := range shapes { switch s.(type) { case Circle: m++ } }\nfunc mk5() any { return Sq{1} }\n_, ok5 := mk5().(Sq)\nfmt.Sprint(n, m, ok5)", value: `"2 1 true"`},
		{name: "value in a func of the cell", last: "type V struct{ A int }\nfunc (s V) String() string { return \"V\" }\nv := V{1}\nvar y any = v\nfunc h() string { s, ok := y.(fmt.Stringer); _, ok2 := y.(V); return fmt.Sprint(ok, ok2, \" \", s.String()) }\nh()", value: `"true true V"`},
		{name: "var form", cells: []string{"type V struct{ A int }\nfunc (s V) String() string { return \"V\" }"}, last: "v := V{1}\nvar y any = v\nvar s, ok = y.(fmt.Stringer)\nfmt.Sprint(ok, \" \", s.String())", value: `"true V"`},
		{name: "redeclared names", cells: []string{"type V struct{ A int }\nfunc (s V) String() string { return \"V\" }"}, last: "w := V{1}\nvar y any = w\n_, ok := y.(fmt.Stringer)\nv, ok := y.(V)\nfmt.Sprint(ok, v.A)", value: `"true 1"`},
		{name: "pointer twins", cells: []string{"type S struct{ A int }\nfunc (s S) String() string { return \"S\" }\ntype T struct{ A int }\nfunc (s T) String() string { return \"T\" }"}, last: "var z any = &T{1}\n_, ok := z.(fmt.Stringer)\nok", err: "yaegi cannot tell *S from *T (the same underlying type)"},
	})
}
