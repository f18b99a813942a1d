package interp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
	"github.com/traefik/yaegi/stdlib"
)

// TestPanicPositions checks that a runtime panic names, for each
// interpreted frame (innermost first), its function, its cell and the
// line and column of the statement it was running: yaegi alone reports
// a function's first statement.
func TestPanicPositions(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		msg   string   // in the first line of the traceback
		want  []string // the frame lines, innermost first
	}{
		{"index out of range in a func of the same cell",
			[]string{"func get(xs []int, i int) int {\n\tn := len(xs)\n\tfmt.Sprint(n)\n\treturn xs[i] + n\n}\nget([]int{1, 2, 3}, 5)"},
			"index out of range",
			[]string{"  in func get, in the statement at cell1:4:2", "  in cell 1, in the statement at cell1:6:1"}},
		{"nil map write in a method of an earlier cell",
			[]string{"type Reg struct{ m map[string]int }\n\nfunc (r *Reg) Add(k string) {\n\tn := len(k)\n\tr.m[k] = n\n}", "var r Reg\nr.Add(\"a\")"},
			"assignment to entry in nil map",
			[]string{"  in method (*Reg).Add, in the statement at cell1:5:2", "  in cell 2, in the statement at cell2:2:1"}},
		{"nil pointer dereference in a closure",
			[]string{"deref := func(p *int) int {\n\tx := 1\n\treturn *p + x\n}", "fmt.Sprint(1)\nderef(nil)"},
			"runtime error: invalid memory address or nil pointer dereference",
			[]string{"  in a func literal in cell 1, in the statement at cell1:3:2", "  in cell 2, in the statement at cell2:2:1"}},
		{"failed type assertion: no frame of the lowering's func literal",
			[]string{"type S struct{ n int }\nfunc (s S) String() string { return \"S\" }\nvar x any = 3", "func g() S {\n\tn := 1\n\treturn x.(S)\n}\ng()"},
			"interface conversion: interface {} is int, not main.S",
			[]string{"  in func g, in the statement at cell2:3:2", "  in cell 2, in the statement at cell2:5:1"}},
		{"integer divide by zero in a generic func",
			[]string{"func ratio[T int | int64](a, b T) T {\n\tif a < 0 {\n\t\treturn 0\n\t}\n\treturn a / b\n}", "ratio(3, 0)"},
			"integer divide by zero",
			[]string{"  in func ratio, in the statement at cell1:5:2", "  in cell 2, in the statement at cell2:1:1"}},
		{"a method of a generic type",
			[]string{"type Stack[T any] struct{ items []T }\nfunc (s *Stack[T]) Pop() T {\n\tn := len(s.items)\n\treturn s.items[n-1]\n}", "var s Stack[int]\ns.Pop()"},
			"index out of range",
			[]string{"  in method (*Stack).Pop, in the statement at cell1:4:2", "  in cell 2, in the statement at cell2:2:1"}},
		{"a callback called by a generic func",
			[]string{"func Map[T, U any](xs []T, f func(T) U) []U {\n\tout := make([]U, len(xs))\n\tfor i, x := range xs {\n\t\tout[i] = f(x)\n\t}\n\treturn out\n}", "Map([]int{1, 0}, func(x int) int {\n\treturn 10 / x\n})"},
			"integer divide by zero",
			[]string{"  in a func literal in cell 2, in the statement at cell2:2:2", "  in func Map, in the statement at cell1:4:3", "  in cell 2, in the statement at cell2:1:1"}},
		{"explicit panic two calls deep",
			[]string{"func inner() {\n\tpanic(\"x\")\n}\nfunc middle() {\n\tfmt.Sprint()\n\tinner()\n}", "func outer() {\n\tmiddle()\n}", "y := 2\nouter()"},
			"panic: x",
			[]string{"  in func inner, in the statement at cell1:2:2", "  in func middle, in the statement at cell1:6:2", "  in func outer, in the statement at cell2:2:2", "  in cell 3, in the statement at cell3:2:1"}},
		{"recursion: outer frames at the recursive call",
			[]string{"func fact(n int) int {\n\tif n == 0 {\n\t\tvar a []int\n\t\treturn a[3]\n\t}\n\treturn n * fact(n-1)\n}", "fact(2)"},
			"index out of range",
			[]string{"  in func fact, in the statement at cell1:4:3", "  in func fact, in the statement at cell1:6:2", "  in func fact, in the statement at cell1:6:2", "  in cell 2"}},
		{"a recursive func literal",
			[]string{"var walk func(n int) int\nwalk = func(n int) int {\n\tif n == 0 {\n\t\tvar a []int\n\t\treturn a[1]\n\t}\n\treturn walk(n - 1)\n}", "walk(1)"},
			"index out of range",
			[]string{"  in a func literal in cell 1, in the statement at cell1:5:3", "  in a func literal in cell 1, in the statement at cell1:7:2", "  in cell 2"}},
		{"a recursive func literal declared with :=",
			[]string{"var count func(n int) int\ncount = nil\nsteps := func(n int) int {\n\tif n > 2 {\n\t\tpanic(\"deep\")\n\t}\n\treturn count(n + 1)\n}\ncount = steps", "steps(1)"},
			"panic: deep",
			[]string{"  in a func literal in cell 1, in the statement at cell1:5:3", "  in a func literal in cell 1, in the statement at cell1:7:2", "  in a func literal in cell 1, in the statement at cell1:7:2", "  in cell 2"}},
		{"a panic after a recursive call returned within its statement: both candidates named",
			[]string{"func rec(xs []int, n int) int {\n\tif n == 0 {\n\t\treturn xs[0]\n\t}\n\treturn rec(xs, n-1) + xs[n]\n}", "rec([]int{1}, 1)"},
			"index out of range",
			[]string{"  in func rec, in the statement at cell1:3:3 (or at cell1:5:2, if it panicked after a recursive call there returned)", "  in cell 2"}},
		{"deep recursion: repeated frames elided",
			[]string{"func down(n int) int {\n\tif n == 0 {\n\t\tpanic(\"bottom\")\n\t}\n\treturn down(n - 1)\n}", "down(20)"},
			"panic: bottom",
			[]string{"  in func down, in the statement at cell1:3:3", "  in func down, in the statement at cell1:5:2", "  in func down, in the statement at cell1:5:2", "  ... (the line above repeats 18 more times)", "  in cell 2"}},
		{"a call followed by an index in one statement",
			[]string{"func one() int { return 1 }\nfunc f(xs []int) int {\n\tx := one() + xs[4]\n\treturn x\n}", "f(nil)"},
			"index out of range",
			[]string{"  in func f, in the statement at cell1:3:2", "  in cell 2"}},
		{"a loop with one indexing statement (marker before the loop)",
			[]string{"func sum(xs []int, n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += xs[i]\n\t}\n\treturn s\n}", "sum([]int{1, 2}, 3)"},
			"index out of range",
			[]string{"  in func sum, in the statement at cell1:4:3", "  in cell 2"}},
		{"a loop condition that panics after the body ran",
			[]string{"func scan(xs []int) int {\n\tn := 0\n\tfor i := 0; xs[i] > 0; i++ {\n\t\tn += xs[i]\n\t\tfmt.Sprint(n)\n\t}\n\treturn n\n}", "scan([]int{1, 2})"},
			"index out of range",
			[]string{"  in func scan, in the statement at cell1:3:2", "  in cell 2"}},
		{"an else-if condition",
			[]string{"func pick(xs []int, i int) int {\n\tif i < 0 {\n\t\treturn -1\n\t} else if xs[i] > 0 {\n\t\treturn 1\n\t}\n\treturn 0\n}", "pick(nil, 2)"},
			"index out of range",
			[]string{"  in func pick, in the statement at cell1:4:9", "  in cell 2"}},
		{"a type assertion in a switch case",
			[]string{"func kind(v any, n int) string {\n\tswitch {\n\tcase n > 0:\n\t\treturn v.(string)\n\t}\n\treturn \"\"\n}", "kind(3, 1)"},
			"interface conversion",
			[]string{"  in func kind, in the statement at cell1:4:3", "  in cell 2"}},
		{"a statement inside a top-level loop",
			[]string{"xs := []int{1, 2}\nfor i := 0; i < 5; i++ {\n\ty := i * 2\n\tfmt.Sprint(y)\n\t_ = xs[i]\n}"},
			"index out of range",
			[]string{"  in cell 1, in the statement at cell1:5:2"}},
		{"a deferred func literal",
			[]string{"func closeAll(m map[string]int) {\n\tdefer func() {\n\t\tn := len(m)\n\t\tm[\"closed\"] = n\n\t}()\n\tfmt.Sprint(len(m))\n}", "closeAll(nil)"},
			"assignment to entry in nil map",
			[]string{"  in a func literal in func closeAll, in the statement at cell1:4:3"}},
		{"a method with a value receiver through a nested literal",
			[]string{"type V []int\nfunc (v V) At(i int) int {\n\tget := func() int {\n\t\treturn v[i]\n\t}\n\treturn get()\n}", "V{1}.At(7)"},
			"index out of range",
			[]string{"  in a func literal in method V.At, in the statement at cell1:4:3", "  in method V.At, in the statement at cell1:6:2", "  in cell 2"}},
		{"a func of an earlier cell after the interpreter was rebuilt",
			[]string{"func g() int { return 1 }\nfunc h(xs []int) int {\n\tfmt.Sprint(g())\n\treturn xs[9]\n}", "x := 5", "func g() int { return 2 }", "h(nil)"},
			"index out of range",
			[]string{"  in func h, in the statement at cell1:4:2", "  in cell 4"}},
		{"func literals of two cells",
			[]string{"inc := func(x int) int {\n\tfmt.Sprint(x)\n\treturn x + 1\n}", "run := func(xs []int) int {\n\tfmt.Sprint()\n\treturn xs[inc(1)]\n}", "run(nil)"},
			"index out of range",
			[]string{"  in a func literal in cell 2, in the statement at cell2:3:2", "  in cell 3"}},
		{"a literal calling a literal of another cell before it panics",
			[]string{"inc := func(x int) int {\n\tfmt.Sprint(x)\n\treturn x + 1\n}", "run := func(xs []int) int {\n\treturn inc(1) + xs[5]\n}", "run(nil)"},
			"index out of range",
			[]string{"  in a func literal in cell 2, in the statement at cell2:2:2", "  in cell 3"}},
		{"a func literal made by a statement of an earlier cell",
			[]string{"var hs []func() int", "hs = append(hs, func() int {\n\tvar a []int\n\treturn a[2]\n})", "hs[0]()"},
			"index out of range",
			[]string{"  in a func literal in cell 2, in a statement of the body that starts at cell2:", "  in cell 3"}},
		{"a func re-run unchanged in a later cell keeps its first definition",
			[]string{"func k(xs []int) int {\n\treturn xs[1]\n}", "func k(xs []int) int {\n\treturn xs[1]\n}", "k(nil)"},
			"index out of range",
			[]string{"  in func k, in the statement at cell1:2:2", "  in cell 3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errText := posRun(t, tc.cells...)
			if errText == "" {
				t.Fatal("no error")
			}
			lines := strings.Split(errText, "\n")
			if !strings.Contains(lines[0], tc.msg) {
				t.Errorf("error %q, want it to contain %q", lines[0], tc.msg)
			}
			var frames []string
			for _, l := range lines {
				if strings.HasPrefix(l, "  in ") || strings.HasPrefix(l, "  ...") {
					frames = append(frames, l)
				}
			}
			if len(frames) < len(tc.want) {
				t.Fatalf("frames:\n%s\nwant:\n%s", strings.Join(frames, "\n"), strings.Join(tc.want, "\n"))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(frames[i], w) {
					t.Errorf("frame %d %q, want %q\n%s", i, frames[i], w, errText)
				}
			}
			checkPositions(t, errText, tc.cells)
		})
	}
}

// TestPositionMarkers checks where the lowering puts position markers:
// none in a pure arithmetic loop, one before a loop whose body has a
// single indexing statement, and never a shifted line or column.
func TestPositionMarkers(t *testing.T) {
	tests := []struct {
		src  string
		want string // the lowered source
	}{
		{"func s(n int) int { s := 0; for i := 0; i < n; i++ { s += i }; return s }",
			"func s(n int) int { s := 0; for i := 0; i < n; i++ { s += i }; return s }"},
		{"func s(a []int, n int) int {\n\ts := 0\n\tfor j := 0; j < n; j++ {\n\t\ts += a[j]\n\t}\n\treturn s\n}",
			"func s(a []int, n int) int {\n\ts := 0; __godl_pf1s = 196611\n\tfor j := 0; j < n; j++ {\n\t\ts += a[j]\n\t}\n\treturn s\n}"},
		// Indexes a loop keeps in bounds need none.
		{"func s(a, b []int) int {\n\ts := 0\n\tfor j := range a {\n\t\ts += a[j]\n\t}\n\tfor j := 0; j < len(b); j++ {\n\t\ts += b[j]\n\t}\n\treturn s\n}",
			"func s(a, b []int) int {\n\ts := 0\n\tfor j := range a {\n\t\ts += a[j]\n\t}\n\tfor j := 0; j < len(b); j++ {\n\t\ts += b[j]\n\t}\n\treturn s\n}"},
		{"func s(a []int) int {\n\ts := 0\n\tfor j := range len(a) {\n\t\ts += a[j]\n\t}\n\treturn s\n}",
			"func s(a []int) int {\n\ts := 0\n\tfor j, _g1_1n := 0, len(a); j < _g1_1n; j++ {\n\t\ts += a[j]\n\t}\n\treturn s\n}"},
		// ... not for a cell variable, which a call may change.
		{"xs := []int{1}\nfunc g() int {\n\ts := 0\n\tfor i := range xs {\n\t\ts += xs[i]\n\t}\n\treturn s\n}",
			"xs := []int{1}\nfunc g() int {\n\ts := 0; __godl_pf1g = 196611\n\tfor i := range xs {\n\t\ts += xs[i]\n\t}\n\treturn s\n}"},
		// n := len(a) bounds the loop: a[j] needs none, b[j] one, before the loop.
		{"func s(a, b []int) int {\n\ts := 0\n\tn := len(a)\n\tfor j := 0; j < n; j++ {\n\t\ts += a[j]\n\t\ts -= b[j]\n\t}\n\treturn s\n}",
			"func s(a, b []int) int {\n\ts := 0\n\tn := len(a); __godl_pf1s = 327683\n\tfor j := 0; j < n; j++ {\n\t\ts += a[j]\n\t\ts -= b[j]\n\t}\n\treturn s\n}"},
		// ... not when a changes after n := len(a).
		{"func s(a, b []int) int {\n\ts := 0\n\tn := len(a)\n\ta = b\n\tfor j := 0; j < n; j++ {\n\t\ts += a[j]\n\t\ts -= b[j]\n\t}\n\treturn s\n}",
			"func s(a, b []int) int {\n\ts := 0\n\tn := len(a)\n\ta = b\n\tfor j := 0; j < n; j++ {__godl_pf1s = 327683;\n\t\ts += a[j]; __godl_pf1s = 393219\n\t\ts -= b[j]\n\t}\n\treturn s\n}"},
		// ... unless the body changes the slice.
		{"func s(a []int) int {\n\ts := 0\n\tfor j := range a {\n\t\ts += a[j]\n\t\ta = a[:1]\n\t}\n\treturn s\n}",
			"func s(a []int) int {\n\ts := 0\n\tfor j := range a {__godl_pf1s = 196611;\n\t\ts += a[j]; __godl_pf1s = 262147\n\t\ta = a[:1]\n\t}\n\treturn s\n}"},
		{"func m(a []int) int {\n\tm := 0\n\tfor _, x := range a {\n\t\tif x > m {\n\t\t\tm = x\n\t\t}\n\t}\n\treturn m\n}",
			"func m(a []int) int {\n\tm := 0\n\tfor _, x := range a {\n\t\tif x > m {\n\t\t\tm = x\n\t\t}\n\t}\n\treturn m\n}"},
		{"type T struct{ N int }\nfunc (t *T) Inc() {\n\tt.N++\n}",
			"type T struct{ N int }\nfunc (t *T) Inc() {__godl_pm1T3Inc = 65538;\n\tt.N++\n}"},
		{"func q(a, b int) (int, bool) {\n\tif b == 0 {\n\t\treturn 0, false\n\t}\n\treturn a / b, true\n}",
			"func q(a, b int) (int, bool) {\n\tif b == 0 {\n\t\treturn 0, false\n\t}; __godl_pf1q = 262146\n\treturn a / b, true\n}"},
		{"func ok(v any) (string, bool) {\n\ts, ok := v.(string)\n\treturn s, ok\n}",
			"func ok(v any) (string, bool) {\n\ts, ok := v.(string)\n\treturn s, ok\n}"},
		// The assignment's xs[i] was evaluated by the condition: one
		// marker in the loop body, moved before the loop.
		{"func mx(xs []int, n int) int {\n\tm := 0\n\tfor i := 0; i < n; i++ {\n\t\tif xs[i] > m {\n\t\t\tm = xs[i]\n\t\t}\n\t}\n\treturn m\n}",
			"func mx(xs []int, n int) int {\n\tm := 0; __godl_pf2mx = 196611\n\tfor i := 0; i < n; i++ {\n\t\tif xs[i] > m {\n\t\t\tm = xs[i]\n\t\t}\n\t}\n\treturn m\n}"},
		// An index evaluated by an earlier statement of the block.
		{"func pm(xs []int, n int) int {\n\ts, t := 0, 0\n\tfor i := 0; i < n; i++ {\n\t\ts += xs[i]\n\t\tt -= xs[i] * 2\n\t}\n\treturn s + t\n}",
			"func pm(xs []int, n int) int {\n\ts, t := 0, 0; __godl_pf2pm = 196611\n\tfor i := 0; i < n; i++ {\n\t\ts += xs[i]\n\t\tt -= xs[i] * 2\n\t}\n\treturn s + t\n}"},
		// ... not when the body changes the index.
		{"func mx(xs []int, i int) int {\n\tif xs[i] > 0 {\n\t\ti++\n\t\treturn xs[i]\n\t}\n\treturn 0\n}",
			"func mx(xs []int, i int) int {__godl_pf2mx = 65538;\n\tif xs[i] > 0 {\n\t\ti++; __godl_pf2mx = 196611\n\t\treturn xs[i]\n\t}\n\treturn 0\n}"},
		// ... nor under ||.
		{"func mx(xs []int, i int) int {\n\tif i < 0 || xs[i] > 0 {\n\t\treturn xs[i]\n\t}\n\treturn 0\n}",
			"func mx(xs []int, i int) int {__godl_pf2mx = 65538;\n\tif i < 0 || xs[i] > 0 {__godl_pf2mx = 131075;\n\t\treturn xs[i]\n\t}\n\treturn 0\n}"},
		{"x := []int{1}\nfor i := 0; i < 1; i++ {\n\tx[i]++\n}",
			"x := []int{1}\nfor i := 0; i < 1; i++ {__godl_pc = 4295163906;\n\tx[i]++\n}"},
	}
	for _, tc := range tests {
		l := newCellLowerer(nil, stdlib.Symbols)
		got, err := l.lowerCell(nil, tc.src, 1)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if got != tc.want {
			t.Errorf("lowered\n%s\nwant\n%s", got, tc.want)
		}
		// Every line keeps its place and every statement its column.
		gl, sl := strings.Split(got, "\n"), strings.Split(tc.src, "\n")
		if len(gl) != len(sl) {
			t.Errorf("%q: %d lines, want %d", tc.src, len(gl), len(sl))
			continue
		}
		for i := range sl {
			if strings.Contains(gl[i], "_g1_") {
				continue // another rewrite's line (range over int)
			}
			if !strings.HasPrefix(strings.TrimSuffix(gl[i], "\n"), strings.TrimSpace(sl[i])) && !strings.HasPrefix(strings.TrimLeft(gl[i], "\t"), strings.TrimSpace(sl[i])) {
				t.Errorf("line %d %q does not start as %q", i+1, gl[i], sl[i])
			}
		}
	}
}

// TestPositionMarkersHidden checks that the marker variables do not show
// in %who, completion or a re-run's redefinition check.
func TestPositionMarkersHidden(t *testing.T) {
	s, err := NewSession(SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	run := func(n int, code string) string {
		t.Helper()
		out := &langOutput{}
		res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: code, ExecutionCount: n}, out)
		if err != nil || res.Error != nil {
			t.Fatalf("%q: %v %+v", code, err, res.Error)
		}
		return out.out.String()
	}
	def := "func at(xs []int, i int) int {\n\treturn xs[i]\n}\nv := at([]int{4}, 0)"
	run(1, def)
	if who := run(2, "%who"); strings.Contains(who, "__godl") || !strings.Contains(who, "v") {
		t.Errorf("%%who shows %q", who)
	}
	// Re-running the same declarations is not a redefinition (no rebuild
	// notice): the markers do not depend on the cell number.
	var notes strings.Builder
	out := &langOutput{}
	res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: def, ExecutionCount: 3}, out)
	if err != nil || res.Error != nil {
		t.Fatal(err, res.Error)
	}
	notes.WriteString(out.out.String())
	if strings.Contains(notes.String(), "rebuilt") {
		t.Errorf("re-running an unchanged func rebuilt the interpreter: %s", notes.String())
	}
	ir, err := s.Inspect(context.Background(), "at", 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if txt := fmt.Sprint(ir.Data["text/plain"]); !ir.Found || strings.Contains(txt, "__godl") {
		t.Errorf("inspect shows %q", txt)
	}
	cr, err := s.Complete(context.Background(), "__go", 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cr.Matches {
		if strings.HasPrefix(m, "__godl_p") {
			t.Errorf("completion offers %s", m)
		}
	}
}

// BenchmarkPanicPosLoops measures loops in funcs, where position markers
// go: a range loop indexing its slice (no marker: the index is in
// bounds), a range loop with an indexed comparison and assignment (none),
// a counted loop to n with two indexing statements (two markers per
// iteration) and a loop calling a func (one per iteration, next to a
// call). Each reports the best time of one cell.
func BenchmarkPanicPosLoops(b *testing.B) {
	ts := newTestSession(b)
	decl := "func sumIdx(xs []int) int {\n\ts := 0\n\tfor i := range xs {\n\t\ts += xs[i]\n\t}\n\treturn s\n}\n" +
		"func maxIdx(xs []int) int {\n\tm := 0\n\tfor i := range xs {\n\t\tif xs[i] > m {\n\t\t\tm = xs[i]\n\t\t}\n\t}\n\treturn m\n}\n" +
		"func twoIdx(xs, ys []int, n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += xs[i]\n\t\ts -= ys[i]\n\t}\n\treturn s\n}\n" +
		"func one(i int) int { return i & 1 }\n" +
		"func callLoop(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += one(i)\n\t}\n\treturn s\n}\n" +
		"xs := make([]int, 1000000)\nfor i := range xs { xs[i] = i }"
	if r := ts.run(decl); r.res.Error != nil {
		b.Fatal(r.res.Error)
	}
	for _, c := range []struct{ name, code, want string }{
		{"sumIdx", "sumIdx(xs)", "499999500000"},
		{"maxIdx", "maxIdx(xs)", "999999"},
		{"twoIdx", "twoIdx(xs, xs, len(xs))", "0"},
		{"callLoop", "callLoop(300000)", "150000"},
	} {
		b.Run(c.name, func(b *testing.B) {
			best := time.Duration(1 << 62)
			for b.Loop() {
				t0 := time.Now()
				r := ts.run(c.code)
				if r.res.Error != nil || r.res.Value == nil || r.res.Value.Data["text/plain"] != c.want {
					b.Fatal(r.res.Error, r.res.Value)
				}
				best = min(best, time.Since(t0))
			}
			b.ReportMetric(best.Seconds()*1e3, "best-ms")
		})
	}
}

// TestPosDecode checks marker values: lines relative to a func's line, or
// (cell level) the cell and absolute line, where another cell's value is
// no position.
func TestPosDecode(t *testing.T) {
	fn := &posBody{file: "cell4", base: 10}
	if got := fn.decode(2<<posShift | 5); got != "cell4:12:5" {
		t.Errorf("func-relative value: %s", got)
	}
	cell := &posBody{file: "cell4", base: 0}
	if got := cell.decode(4<<32 | 7<<posShift | 3); got != "cell4:7:3" {
		t.Errorf("cell value: %s", got)
	}
	if got := cell.decode(36<<32 | 7<<posShift | 3); got != "" {
		t.Errorf("another cell's value decoded as %s", got)
	}
}
