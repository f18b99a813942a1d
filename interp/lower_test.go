package interp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/godl-kernel/godl/interp/stdext"
)

// lowerEnv is a yaegi interpreter with our std additions and a lowerer, as
// the engine wires them.
type lowerEnv struct {
	t        *testing.T
	l        *cellLowerer
	yi       *yaegi.Interpreter
	imported map[string]bool
}

var (
	testImporterOnce sync.Once
	testImporter     *symbolImporter
)

func newLowerEnv(t *testing.T) *lowerEnv {
	t.Helper()
	yi := yaegi.New(yaegi.Options{})
	if err := yi.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := stdext.Install(yi); err != nil {
		t.Fatal(err)
	}
	l := newCellLowerer(nil, stdlib.Symbols)
	// Share the converted packages between tests (they are immutable).
	testImporterOnce.Do(func() { testImporter = l.imp })
	l.imp = testImporter
	return &lowerEnv{t: t, l: l, yi: yi, imported: map[string]bool{}}
}

// run lowers and evaluates one cell and commits it; it returns the value
// of the cell's last expression formatted with %v.
func (e *lowerEnv) run(src string, cell int) (string, error) {
	lc, err := e.l.lower(src, cell)
	if err != nil {
		return "", err
	}
	for _, p := range lc.Imports {
		if e.imported[p] {
			continue
		}
		if _, err := e.yi.Eval(fmt.Sprintf("import %q", p)); err != nil {
			return "", fmt.Errorf("import %s: %v", p, err)
		}
		e.imported[p] = true
	}
	if err := declarePosVarsIn(e.yi, map[string]bool{}, lc.Source); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := e.yi.EvalWithContext(ctx, lc.Source)
	if err != nil {
		return "", fmt.Errorf("yaegi: %v\nlowered:\n%s", err, lc.Source)
	}
	e.l.commit(lc)
	if !v.IsValid() || !v.CanInterface() {
		return "", nil
	}
	return fmt.Sprint(v.Interface()), nil
}

func TestLowerCells(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string // the value of the last cell
	}{
		{"range over int", []string{
			`func f() int { s := 0; for i := range 10 { s += i }; return s }`, `f()`}, "45"},
		{"range over int at top level", []string{`s := 0; for i := range 5 { s += i }`, `s`}, "10"},
		{"range over typed int", []string{
			`func f() string { var n int64 = 3; r := ""; for i := range n { r += fmt.Sprintf("%T%d ", i, i) }; return r }`, `f()`},
			"int640 int641 int642 "},
		{"range over int without key", []string{`func f() int { c := 0; for range 4 { c++ }; return c }`, `f()`}, "4"},
		{"range over int, body assigns the key", []string{
			`func f() string { r := ""; for i := range 5 { r += fmt.Sprint(i); i += 10 }; return r }`, `f()`}, "01234"},
		{"range over int evaluates the bound once", []string{
			`func f() int { n := 3; c := 0; for range n { n++; c++ }; return c }`, `f()`}, "3"},
		{"range over int into an existing variable", []string{
			`func f() int { var i int; s := 0; for i = range 4 { s += i }; return s*10 + i }`, `f()`}, "63"},
		{"range over named int type", []string{
			`func f() string { var n time.Duration = 2; r := ""; for i := range n { r += fmt.Sprintf("%T ", i) }; return r }`, `f()`},
			"time.Duration time.Duration "},
		{"range over int, closures see their own key", []string{
			`func f() int { var fs []func() int; for i := range 3 { fs = append(fs, func() int { return i }) }; return fs[0]() + 10*fs[1]() + 100*fs[2]() }`,
			`f()`}, "210"},
		{"for loop variable per iteration", []string{
			`func f() int { var fs []func() int; for i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }; return fs[0]() + 10*fs[1]() + 100*fs[2]() }`,
			`f()`}, "210"},
		{"for loop variable modified after capture, with continue", []string{
			`func f() string {
	var fs []func() int
	for i := 0; i < 6; i++ {
		fs = append(fs, func() int { return i })
		if i == 2 {
			continue
		}
		i++
	}
	r := ""
	for _, g := range fs {
		r += fmt.Sprint(g())
	}
	return r
}`, `f()`}, "1246"},
		{"for loop, continue under a shadowing variable", []string{
			`func f() string {
	var fs []func() int
	for i := 0; i < 3; i++ {
		fs = append(fs, func() int { return i })
		{
			i := 100
			if i > 0 {
				continue
			}
		}
	}
	return fmt.Sprint(fs[0](), fs[1](), fs[2]())
}`, `f()`}, "0 1 2"},
		{"labeled continue from an inner loop", []string{
			`func f() string {
	var fs []func() int
outer:
	for i := 0; i < 3; i++ {
		fs = append(fs, func() int { return i })
		for j := 0; j < 2; j++ {
			continue outer
		}
	}
	return fmt.Sprint(fs[0](), fs[1](), fs[2]())
}`, `f()`}, "0 1 2"},
		{"address of loop variable", []string{
			`func f() string { var ps []*int; for i := 0; i < 3; i++ { ps = append(ps, &i) }; return fmt.Sprint(*ps[0], *ps[1], *ps[2]) }`, `f()`}, "0 1 2"},
		{"goroutines capture the loop variable", []string{
			`func f() []int { var wg sync.WaitGroup; res := make([]int, 3); for i := 0; i < 3; i++ { wg.Add(1); go func() { defer wg.Done(); res[i] = i * i }() }; wg.Wait(); return res }`,
			`f()`}, "[0 1 4]"},
		{"range over slice, closures see their own value", []string{
			`func f() string { var fs []func() string; for _, v := range []string{"a", "b", "c"} { fs = append(fs, func() string { return v }) }; return fs[0]() + fs[1]() + fs[2]() }`,
			`f()`}, "abc"},
		{"range over map key and value captured", []string{
			`func f() int { var fs []func() int; for k, v := range map[int]int{1: 10, 2: 20} { fs = append(fs, func() int { return k + v }) }; return fs[0]() + fs[1]() }`,
			`f()`}, "33"},
		{"min and max", []string{
			`func f() string { a, b := 3, 7; x := 2.5; s := "b"; return fmt.Sprint(min(a, b), max(a, b, 10), min(x, 1), max(1, x), min(s, "a", "c"), max("x", s)) }`,
			`f()`}, "3 10 1 2.5ax"},
		{"min and max of bytes and runes", []string{`func f() string { b := []byte("az"); r := []rune("é!"); return string(max(b[0], b[1])) + string(min(r[0], r[1])) }`, `f()`}, "z!"},
		{"max in a package-level variable", []string{`var k = max(strings.Count("aaa", "a"), 2)`, `k`}, "3"},
		{"min of constants", []string{`const c = min(3, 1.5, 2)`, `var d = max(2, 1)`, `fmt.Sprintf("%v %T %v %T", c, c, d, d)`}, "1.5 float64 2 int"},
		{"min of a NaN", []string{`func f() float64 { x := 1.0; return min(x, math.NaN()) }`, `math.IsNaN(f())`}, "true"},
		{"max of a named type", []string{`func f() time.Duration { d := 3 * time.Second; return max(d, time.Second, 2*time.Second) }`, `f().String()`}, "3s"},
		{"max of a local named type", []string{`type Score float64
func (s Score) String() string { return fmt.Sprintf("score %.1f", float64(s)) }`,
			`func f() Score { a, b := Score(1.5), Score(2.5); return max(a, b, 2) }`, `f().String()`}, "score 2.5"},
		{"generic call with two type parameters in &&", []string{
			`func f() bool { s := []int{1, 2}; return slices.IsSorted(s) && slices.Contains(s, 2) && len(s) == 2 }`, `f()`}, "true"},
		{"clear a map", []string{`func f() int { m := map[string]int{"a": 1, "b": 2}; clear(m); m["c"] = 3; return len(m) }`, `f()`}, "1"},
		{"clear slices", []string{`type P struct{ X int }`,
			`func f() string { s := []int{1, 2}; t := []string{"a"}; p := []P{{1}, {2}}; q := []*P{{1}}; clear(s); clear(t); clear(p); clear(q); return fmt.Sprint(s, len(t[0]), p, q) }`,
			`f()`}, "[0 0] 0 [{0} {0}] [<nil>]"},
		{"generic callback returning another type parameter", []string{
			`func Map[T, U any](xs []T, f func(T) U) []U { var r []U; for _, x := range xs { r = append(r, f(x)) }; return r }`,
			`func f() []string { return Map([]int{1, 2}, func(x int) string { return fmt.Sprint(x * 2) }) }`, `f()`}, "[2 4]"},
		{"generic reduce with inferred accumulator", []string{
			`func Reduce[T, A any](xs []T, init A, f func(A, T) A) A { acc := init; for _, x := range xs { acc = f(acc, x) }; return acc }`,
			`Reduce([]int{1, 2, 3}, "", func(a string, x int) string { return a + fmt.Sprint(x) })`}, "123"},
		{"slices.Sort, Max, Min, Index, Clone", []string{
			`func f() string { s := []int{3, 1, 2}; c := slices.Clone(s); slices.Sort(s); return fmt.Sprint(s, c, slices.Max(s), slices.Min(c), slices.Index(c, 2), slices.Contains(s, 5)) }`,
			`f()`}, "[1 2 3] [3 1 2] 3 1 2 false"},
		{"slices.Sort of a named slice type", []string{`type V []float64`,
			`func f() V { v := V{2.5, -1, 3, 0}; slices.Sort(v); return v }`, `f()`}, "[-1 0 2.5 3]"},
		{"slices.Sort of many values", []string{
			`func f() bool { s := make([]int32, 1000); for i := range s { s[i] = int32((i * 7919) % 1000) }; slices.Sort(s); return slices.IsSorted(s) && s[0] == 0 && s[999] == 999 }`,
			`f()`}, "true"},
		{"slices.SortFunc and SortStableFunc", []string{`type P struct{ Name string; Age int }`,
			`func f() string { ps := []P{{"a", 3}, {"b", 1}, {"c", 3}, {"d", 1}}; slices.SortStableFunc(ps, func(x, y P) int { return cmp.Compare(x.Age, y.Age) }); s := fmt.Sprint(ps); slices.SortFunc(ps, func(x, y P) int { return strings.Compare(y.Name, x.Name) }); return s + fmt.Sprint(ps) }`,
			`f()`}, "[{b 1} {d 1} {a 3} {c 3}][{d 1} {c 3} {b 1} {a 3}]"},
		{"slices.BinarySearch and Reverse", []string{
			`func f() string { s := []string{"a", "c", "e"}; i, ok := slices.BinarySearch(s, "c"); j, ok2 := slices.BinarySearch(s, "d"); slices.Reverse(s); return fmt.Sprint(i, ok, j, ok2, s) }`,
			`f()`}, "1 true 2 false [e c a]"},
		{"maps.Keys through slices.Sorted and Collect", []string{
			`func f() string { m := map[string]int{"b": 2, "a": 1, "c": 3}; vs := slices.Collect(maps.Values(m)); slices.Sort(vs); return fmt.Sprint(slices.Sorted(maps.Keys(m)), vs) }`,
			`f()`}, "[a b c] [1 2 3]"},
		{"cmp.Compare and cmp.Less", []string{`fmt.Sprint(cmp.Compare(1, 2), cmp.Compare("b", "a"), cmp.Less(1.5, 2.5))`}, "-1 1 true"},
		{"declarations of earlier cells", []string{`type P struct{ x int }`, `func mk(v int) P { return P{x: v} }`, `mk(4).x`}, "4"},
		{"variable changes type", []string{`v := 1`, `v := "s"`, `v + "t"`}, "st"},
		{"auto import", []string{`strings.ToUpper("go")`}, "GO"},
		{"imports carry over", []string{`import str "strings"`, `str.Repeat("a", 3)`}, "aaa"},
		{"range over a function iterator", []string{
			`func f() string { m := map[string]int{"a": 1, "b": 2, "c": 3}; n := 0; var ks []string; for k, v := range maps.All(m) { if v == 2 { continue }; n += v; ks = append(ks, k) }; slices.Sort(ks); for i, v := range slices.All([]int{5, 6, 7}) { if i == 2 { break }; n += v }; return fmt.Sprint(n, ks) }`,
			`f()`}, "15 [a c]"},
		{"range over a user iterator with break inside a switch", []string{
			`func count(n int) iter.Seq[int] { return func(yield func(int) bool) { for i := 0; i < n; i++ { if !yield(i) { return } } } }`,
			`func f() []int { var r []int; for x := range count(10) { switch { case x == 1: continue; case x > 4: break }; if x > 6 { break }; r = append(r, x) }; return r }`,
			`f()`}, "[0 2 3 4 5 6]"},
		{"range over a function iterator that returns", []string{
			`func find(xs []string, w string) (int, bool) { for i, x := range slices.All(xs) { if x == w { return i, true } }; return -1, false }`,
			`func none() { for range slices.Values([]int{1}) { return } }`,
			`func named() (n int) { for v := range slices.Values([]int{4, 5, 6}) { n = v; if v == 4 { continue }; if v == 5 { return }; return 7 }; return 9 }`,
			`i, ok := find([]string{"a", "b"}, "b"); j, ok2 := find(nil, "x"); none(); fmt.Sprint(i, ok, j, ok2, named())`}, "1 true -1 false 5"},
		{"rewrites inside rewrites", []string{
			`func f() string { xs := []int{2, 3}; n := 0; for i := range slices.Max(xs) { n += min(i, 1) }; m := map[int][]int{1: {1}}; clear(slices.Clone(m[1])); clear(m); return fmt.Sprint(n, len(m)) }`,
			`f()`}, "2 0"},
		{"slices and maps functions that yaegi's copies get wrong", []string{`type P struct{ N string; A int }`,
			`func f() string { ps := []P{{"a", 3}, {"b", 1}, {"b", 1}}; d := slices.Delete(slices.Clone(ps), 0, 1); c := slices.Compact(slices.Clone(ps)); r := slices.Replace([]int{1, 2, 3}, 0, 2, 9); m := maps.Clone(map[P]int{{"x", 1}: 2}); df := slices.DeleteFunc([]int{1, 2, 3}, func(x int) bool { return x == 2 }); return fmt.Sprint(d, c, r, len(m), df) }`,
			`f()`}, "[{b 1} {b 1}] [{a 3} {b 1}] [9 3] 1 [1 3]"},
		{"slices.Concat, Grow, Insert", []string{`func f() string { g := slices.Grow([]int{1}, 10); return fmt.Sprint(slices.Concat([]int{1}, []int{2, 3}), cap(g) >= 11, slices.Insert([]int{1, 3}, 1, 2)) }`, `f()`}, "[1 2 3] true [1 2 3]"},
		{"plain loops are untouched", []string{`func f() int { s := 0; for i := 0; i < 10; i++ { s += i }; for _, v := range []int{1, 2} { s += v }; return s }`, `f()`}, "48"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newLowerEnv(t)
			var got string
			for i, c := range tc.cells {
				var err error
				if got, err = e.run(c, i+1); err != nil {
					t.Fatalf("cell %d: %v", i+1, err)
				}
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLowerErrors(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string // substring of the last cell's error
	}{
		{"type error with cell position", []string{`x := 1`, `y := 2
var s string = x + y`}, "cell2:2:16: cannot use x + y (value of type int) as string value in variable declaration"},
		{"undefined name", []string{`func f() int { return undefinedThing }`}, "cell1:1:23: undefined: undefinedThing"},
		{"syntax error", []string{`func f( {`}, "cell1:1:"},
		{"wrong generic use", []string{`slices.Sort([]func(){})`}, "does not satisfy"},
		{"range over a function iterator with defer", []string{`func f() { m := map[int]int{}; for k := range maps.Keys(m) { defer fmt.Println(k) } }`}, "slices.Collect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newLowerEnv(t)
			var err error
			for i, c := range tc.cells {
				_, err = e.run(c, i+1)
				if i < len(tc.cells)-1 && err != nil {
					t.Fatalf("cell %d: %v", i+1, err)
				}
			}
			var ce *cellError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *cellError containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestLowerCellIncremental checks the engine's entry point: prior cells
// as typed (with magics), the last lowered cell reused.
func TestLowerCellIncremental(t *testing.T) {
	l := newCellLowerer(nil, stdlib.Symbols)
	src1 := "%time\nx := 3"
	if _, err := l.lowerCell(nil, blankMagics(src1), 1); err != nil {
		t.Fatal(err)
	}
	out, err := l.lowerCell([]string{src1}, "for i := range x { _ = i }", 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := "for i := 0; i < _g2_1n; i++ "; !strings.Contains(out, "i < _g2_1n") {
		t.Errorf("lowered %q, want it to contain %q", out, want)
	}
	if _, err := l.lowerCell([]string{src1}, "var s string = x", 2); err == nil || !strings.Contains(err.Error(), "cell2:1:16") {
		t.Errorf("got %v, want a type error at cell2:1:16", err)
	}
	// %reset: prior starts over.
	if _, err := l.lowerCell(nil, "x", 1); err == nil {
		t.Errorf("x still defined after a reset")
	}
}

// TestLowerRawCellText checks the exact output for a raw cell mixing
// variables, statements and declarations (its parts are reordered in the
// model go/types checks; the output keeps the cell's order and lines).
func TestLowerRawCellText(t *testing.T) {
	l := newCellLowerer(nil, stdlib.Symbols)
	src := "m := map[string]int{\"a\": 1}\nclear(m)\nn := len(m)\nfor i := range 3 { n += i }\nk := max(n, 2)\n" +
		"func f(xs []float64) float64 { return slices.Max(xs) }\nfor i := range 2 { go func() { _ = i }() }\nk"
	want := "m := map[string]int{\"a\": 1}\n{ _g1_1c := m; for _g1_2k := range _g1_1c { delete(_g1_1c, _g1_2k) } }\nn := len(m)\n" +
		"for i := 0; i < 3; i++ { n += i }\nk := _godlMax_int(n, 2)\n" +
		"func f(xs []float64) float64 {__godl_pf1f = 32; return slices.Max[[]float64, float64](xs) }\n" +
		"for _g1_3i := 0; _g1_3i < 2; _g1_3i++ { i := _g1_3i; { go func() { _ = i }() }}\nk"
	got, err := l.lowerCell(nil, src, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if vt := fmt.Sprint(l.lastVarTypes()); vt != "map[k:int m:map[string]int n:int]" {
		t.Errorf("var types %s", vt)
	}
}

// TestLowerMethodOnEarlierType: go/types cannot add methods to a type of
// an earlier check; the lowerer attaches them itself.
func TestLowerMethodOnEarlierType(t *testing.T) {
	l := newCellLowerer(nil, stdlib.Symbols)
	prior := []string{"type T int", "func (t T) Double() T { return t * 2 }\nvar x = T(1).Double()"}
	for i, src := range prior {
		if _, err := l.lowerCell(prior[:i], src, i+1); err != nil {
			t.Fatalf("cell %d: %v", i+1, err)
		}
	}
	if _, err := l.lowerCell(prior, "y := T(4).Double() + x", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := l.lowerCell(prior, "T(4).Triple()", 3); err == nil || !strings.Contains(err.Error(), "Triple") {
		t.Errorf("got %v, want an undefined method error", err)
	}
}

func BenchmarkLowerCell(b *testing.B) {
	l := newCellLowerer(nil, stdlib.Symbols)
	prior := []string{`type P struct{ X, Y float64 }`, `ps := []P{{1, 2}, {3, 4}}`}
	src := `sum := 0.0
for i := range len(ps) {
	sum += max(ps[i].X, ps[i].Y)
}
fmt.Println(strings.Repeat("=", 3), sum)
sum`
	if _, err := l.lowerCell(prior, src, 3); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.lowerCell(prior, src, 3); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLowerFirstCell is the first cell of a session: a fresh lowerer
// that converts fmt, strings and their dependencies from the symbol tables.
func BenchmarkLowerFirstCell(b *testing.B) {
	for i := 0; i < b.N; i++ {
		l := newCellLowerer(nil, stdlib.Symbols)
		if _, err := l.lowerCell(nil, `fmt.Println(strings.Repeat("=", 3))`, 1); err != nil {
			b.Fatal(err)
		}
	}
}
