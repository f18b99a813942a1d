package interp

import (
	"reflect"
	"strings"
	"testing"

	"github.com/godl-kernel/godl/kernel"
)

// TestConstCellSameAsInterpreter checks that constant cells shown by the
// fast path (fastpath.go) get the Out value and status the interpreter
// gives them, and that cells the fast path must not take still run.
func TestConstCellSameAsInterpreter(t *testing.T) {
	fast, slow := newTestSession(t), newTestSession(t)
	slow.s.noFastPath = true
	cases := []struct {
		code string
		fast bool // the fast path takes it
		// yaegiFails: the interpreter fails on it (a yaegi bug); the
		// fast path gives Go's value.
		yaegiFails string
	}{
		{"1+1", true, ""},
		{"  1 + 1\n", true, ""},
		{"2.5*4", true, ""},
		{"0.1+0.2", true, ""},
		{`"a" + "b"`, true, ""},
		{"`raw\\n`", true, ""},
		{`"tab\there"`, true, ""},
		{"1<<62", true, ""},
		{"-1 << 63", true, ""},
		{"'a'", true, ""},
		{"'a' + 1", true, ""},
		{"1/3.0", true, ""},
		{"7/2", true, ""},
		{"-7 % 3", true, ""},
		{"float64(7)/2", true, ""},
		{"float32(0.1)", true, ""},
		{"3+4i", true, ""},
		{"complex(1, 2)", true, ""},
		{"real(3+4i)", true, "3"},
		{"true && !false", true, ""},
		{"1 < 2", true, ""},
		{"uint8(255)", true, ""},
		{"int8(-128)", true, ""},
		{"^uint32(0)", true, ""},
		{`len("héllo")`, true, ""},
		{"string(rune(65))", true, ""},
		{"1e20", true, ""},
		{"1e-7", true, ""},
		{"123456789.0", true, ""},
		{"0x10 + 0b101 + 0o17 + 1_000", true, ""},
		{"// a comment\n1 + 2 // another", true, ""},
		{"1<<70", false, ""},
		{"1e400", false, ""},
		{"1/0", false, ""},
		{"int8(200)", false, ""},
		{"x", false, ""},
		{"nil", false, ""},
		{"len([]int{1})", false, ""},
		{"fmt.Sprint(1)", false, ""},
	}
	for _, c := range cases {
		_, took := fast.s.constCell(c.code)
		if took != c.fast {
			t.Errorf("constCell(%q) taken = %v, want %v", c.code, took, c.fast)
		}
		f, s := fast.run(c.code), slow.run(c.code)
		if c.yaegiFails != "" {
			if f.res.Status != kernel.StatusOK || f.res.Value == nil || f.res.Value.Data["text/plain"] != c.yaegiFails {
				t.Errorf("%q: status %s Out %v, want %s", c.code, f.res.Status, f.res.Value, c.yaegiFails)
			}
			continue
		}
		if f.res.Status != s.res.Status {
			t.Errorf("%q: status %s (fast path), %s (interpreter) %v", c.code, f.res.Status, s.res.Status, s.res.Error)
			continue
		}
		if !reflect.DeepEqual(f.res.Value, s.res.Value) {
			t.Errorf("%q: Out %v (fast path), %v (interpreter)", c.code, f.res.Value, s.res.Value)
		}
		if c.fast && f.res.Value == nil {
			t.Errorf("%q: no Out value", c.code)
		}
	}
}

// TestConstCellRedeclaredNames checks that names a cell redeclared are
// not taken for the universe's, and that %time still times a constant
// cell.
func TestConstCellRedeclaredNames(t *testing.T) {
	ts := newTestSession(t)
	for _, c := range []struct{ code, want string }{
		{"var true = 5", ""},
		{"true", "5"},
		{"func len(s string) int { return 42 }", ""},
		{`len("ab")`, "42"},
		{"type float64 int", ""},
		{"float64(7)", "7"},
		{"const c = 3", ""},
		{"c * 2", "6"},
	} {
		if c.want != "" {
			if _, took := ts.s.constCell(c.code); took {
				t.Errorf("%q: taken by the fast path after a redeclaration", c.code)
			}
		}
		r := ts.run(c.code)
		if r.res.Status != kernel.StatusOK {
			t.Fatalf("%q: %v", c.code, r.res.Error)
		}
		got := ""
		if r.res.Value != nil {
			got, _ = r.res.Value.Data["text/plain"].(string)
		}
		if got != c.want {
			t.Errorf("%q: Out %q, want %q", c.code, got, c.want)
		}
	}
	r := ts.run("%time\n40 + 2")
	if r.res.Status != kernel.StatusOK || r.res.Value == nil || r.res.Value.Data["text/plain"] != "42" || !strings.Contains(r.stdout, "Wall time") {
		t.Errorf("%%time 40 + 2: status %s Out %v stdout %q", r.res.Status, r.res.Value, r.stdout)
	}
}

// TestCheckedValueSameAsInterpreter checks that expression cells shown
// from go/types' constants or the interpreter's globals (checkedValue)
// get the Out value the interpreter gives them, in the same session, and
// which cells take that path.
func TestCheckedValueSameAsInterpreter(t *testing.T) {
	ts := newTestSession(t)
	setup := []string{
		`import "math"`,
		"x := 42\nf := 2.5\ns := \"hi\"\nxs := []int{1, 2, 3}\nm := map[string]int{\"b\": 2, \"a\": 1}",
		"arr := [3]float64{1, 2, 3}\np := &x\nst := struct {\n\tA int\n\tB string\n}{1, \"b\"}",
		"d := 1500 * time.Millisecond\nvar e error\nconst k = 7\nbs := []byte(\"hi\")",
		"var r rune = 'x'",
		"u8 := uint8(3)",
		"c := 1 + 2i",
		"type T struct{ A int }\nfunc (t T) String() string { return \"T!\" }\ntv := T{1}\ntvs := []T{{1}}\nvar a any = 5\nvar a2 any = T{2}",
		"fn := func() {}\nch := make(chan int)\nmd := mat.NewDense(2, 2, []float64{1, 2, 3, 4})\nvar ip *int\nnested := map[string][]float64{\"a\": {1}}",
		"type C float64\nconst cc C = 3\nvar cv C = 4",
		"hc := http.Client{}",
	}
	for _, c := range setup {
		if r := ts.run(c); r.res.Status != kernel.StatusOK {
			t.Fatalf("%q: %v", c, r.res.Error)
		}
	}
	cases := []struct {
		code string
		fast bool
	}{
		{"x", true}, {"(x)", true}, {"f", true}, {"s", true}, {"xs", true}, {"m", true}, {"arr", true},
		{"p", true}, {"st", true}, {"d", true}, {"bs", true}, {"r", true}, {"u8", true}, {"c", true},
		{"md", true}, {"ip", true}, {"nested", true},
		{"k", true}, {"k * 2", true}, {"math.Pi", true}, {"math.Pi * 2", true}, {"math.MaxInt64", true},
		{"e", false}, {"tv", false}, {"tvs", false}, {"a", false}, {"a2", false}, {"fn", false}, {"ch", false},
		{"cc", false}, {"cv", false}, {"hc", false}, {"time.Second", false}, {"len(xs)", false}, {"x + 1", false}, {"-x", false},
	}
	for _, c := range cases {
		before := ts.s.fastCells
		f := ts.run(c.code)
		if took := ts.s.fastCells > before; took != c.fast {
			t.Errorf("%q: fast path taken = %v, want %v", c.code, took, c.fast)
		}
		ts.s.noFastPath = true
		s := ts.run(c.code)
		ts.s.noFastPath = false
		if f.res.Status != s.res.Status || f.res.Status != kernel.StatusOK {
			t.Errorf("%q: status %s (fast path), %s (interpreter) %v %v", c.code, f.res.Status, s.res.Status, f.res.Error, s.res.Error)
			continue
		}
		if !reflect.DeepEqual(f.res.Value, s.res.Value) {
			t.Errorf("%q: Out %v (fast path), %v (interpreter)", c.code, f.res.Value, s.res.Value)
		}
	}
}

// TestTypesAfterRedefinition checks that a cell right after a type was
// redefined sees the session's types by name though it does not name
// them (the checker's scope holds only the objects a cell names, plus
// every type).
func TestTypesAfterRedefinition(t *testing.T) {
	ts := newTestSession(t)
	for _, c := range []string{
		"type T struct{ A int }\nfunc (t T) String() string { return \"T1\" }",
		"type T struct{ A, B int }\nfunc (t T) String() string { return \"T2\" }\nvar a any = T{1, 2}",
	} {
		if r := ts.run(c); r.res.Status != kernel.StatusOK {
			t.Fatalf("%q: %v", c, r.res.Error)
		}
	}
	if r := ts.run("a"); r.res.Status != kernel.StatusOK || r.value() != "T2" {
		t.Errorf("a: status %s Out %q %v, want T2", r.res.Status, r.value(), r.res.Error)
	}
}

// TestConstAssign checks cells that set an existing variable to a
// constant of its type: the fast path stores the value where the
// session's funcs and later cells read it; other assignments run as
// before.
func TestConstAssign(t *testing.T) {
	ts := newTestSession(t)
	steps := []struct {
		code, want string
		fast       bool
	}{
		{"lr := 0.5\nepochs := 3\nname := \"a\"\nfunc getLR() float64 { return lr }", "", false},
		{"lr := 0.01", "", true},
		{"lr", "0.01", true},
		{"getLR()", "0.01", false},
		{"var epochs int = 20", "", true},
		{"epochs * 2", "40", false},
		{"name := \"b\" + \"c\"", "", true},
		{"name", `"bc"`, true},
		{"lr := 1", "", false}, // int now: the interpreter is rebuilt
		{"lr", "1", true},
		{"name", `"bc"`, true}, // carried into the rebuilt interpreter
		{"epochs", "20", true},
		{"epochs := 1 << 70", "", false},
		{"x, y := 1, 2", "", false},
		{"x := 5", "", true},
		{"x + y", "7", false},
	}
	for _, st := range steps {
		before := ts.s.fastCells
		r := ts.run(st.code)
		if st.code == "epochs := 1 << 70" {
			if r.res.Status != kernel.StatusError {
				t.Errorf("%q: status %s, want an error", st.code, r.res.Status)
			}
			continue
		}
		if r.res.Status != kernel.StatusOK || r.value() != st.want {
			t.Errorf("%q: status %s Out %q %v, want %q", st.code, r.res.Status, r.value(), r.res.Error, st.want)
		}
		if took := ts.s.fastCells > before; took != st.fast {
			t.Errorf("%q: fast path taken = %v, want %v", st.code, took, st.fast)
		}
	}
}
