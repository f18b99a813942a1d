package interp

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
)

// historyCells returns n cells declaring funcs, types, methods and
// variables, the kind of state a session has after a while.
func historyCells(n int) []string {
	cells := make([]string, 0, n)
	for i := 0; len(cells) < n; i++ {
		switch i % 5 {
		case 0:
			cells = append(cells, fmt.Sprintf("func f%d(x int) int { return x + %d }", i, i))
		case 1:
			cells = append(cells, fmt.Sprintf("type T%d struct{ A, B int }\nfunc (t T%d) String() string { return fmt.Sprint(t.A) }", i, i))
		case 2:
			cells = append(cells, fmt.Sprintf("v%d := f%d(%d)\nw%d := []float64{1, 2, 3}", i, i-2, i, i))
		case 3:
			cells = append(cells, fmt.Sprintf("const c%d = %d\nvar s%d = map[string]int{\"a\": c%d}", i, i, i, i))
		case 4:
			cells = append(cells, fmt.Sprintf("fmt.Println(v%d, len(w%d))", i-2, i-2))
		}
	}
	return cells
}

// benchTrivial times `1+1` cells on a session after setup cells: the
// mean (ns/op) and the best single cell.
func benchTrivial(b *testing.B, setup []string) {
	ts := newTestSession(b)
	for _, c := range setup {
		if r := ts.run(c); r.res.Status != kernel.StatusOK {
			b.Fatalf("setup cell %q: %v", c, r.res.Error)
		}
	}
	out := &sessOutput{}
	best := time.Duration(1 << 62)
	n := ts.n
	for b.Loop() {
		n++
		t0 := time.Now()
		res, err := ts.s.Execute(context.Background(), kernel.ExecuteRequest{Code: "1+1", ExecutionCount: n}, out)
		if err != nil || res.Status != kernel.StatusOK {
			b.Fatal(err, res.Error)
		}
		best = min(best, time.Since(t0))
		if res.Value == nil || res.Value.Data["text/plain"] != "2" {
			b.Fatalf("Out = %v", res.Value)
		}
	}
	b.ReportMetric(float64(best.Nanoseconds())/1e3, "best-µs")
}

// BenchmarkTrivialCellFmt is kernelbench's trivial execute: `1+1` after
// a cell importing fmt.
func BenchmarkTrivialCellFmt(b *testing.B) {
	benchTrivial(b, []string{`import "fmt"`})
}

// BenchmarkTrivialCellHistory is `1+1` after 50 cells declaring funcs,
// types, methods, constants and variables: its time must not grow with
// the session's history.
func BenchmarkTrivialCellHistory(b *testing.B) {
	benchTrivial(b, append([]string{`import "fmt"`}, historyCells(50)...))
}

// BenchmarkVarCellHistory is a cheap non-constant expression cell
// (`len(w2) + v2`, run by the interpreter) after 50 declaring cells.
func BenchmarkVarCellHistory(b *testing.B) {
	benchCell(b, 50, "len(w2) + v2", "5")
}

// BenchmarkVarCellLongHistory is BenchmarkVarCellHistory after 500
// declaring cells.
func BenchmarkVarCellLongHistory(b *testing.B) {
	benchCell(b, 500, "len(w2) + v2", "5")
}

// BenchmarkVarNameCellHistory shows a variable (`w2`, read from the
// interpreter's globals) after 50 declaring cells.
func BenchmarkVarNameCellHistory(b *testing.B) {
	benchCell(b, 50, "w2", "[1 2 3]")
}

// BenchmarkVarNameCellLongHistory is BenchmarkVarNameCellHistory after
// 500 declaring cells.
func BenchmarkVarNameCellLongHistory(b *testing.B) {
	benchCell(b, 500, "w2", "[1 2 3]")
}

// benchCell times cell code, whose Out text is want, after history
// declaring cells: the mean and the best time of one cell.
func benchCell(b *testing.B, history int, code, want string) {
	ts := newTestSession(b)
	for _, c := range append([]string{`import "fmt"`}, historyCells(history)...) {
		if r := ts.run(c); r.res.Status != kernel.StatusOK {
			b.Fatalf("setup cell %q: %v", c, r.res.Error)
		}
	}
	out := &sessOutput{}
	n := ts.n
	best := time.Duration(1 << 62)
	for b.Loop() {
		n++
		t0 := time.Now()
		res, err := ts.s.Execute(context.Background(), kernel.ExecuteRequest{Code: code, ExecutionCount: n}, out)
		if err != nil || res.Status != kernel.StatusOK {
			b.Fatal(err, res.Error)
		}
		best = min(best, time.Since(t0))
		if (want == "") != (res.Value == nil) || res.Value != nil && res.Value.Data["text/plain"] != want {
			b.Fatalf("Out = %v", res.Value)
		}
	}
	b.ReportMetric(float64(best.Nanoseconds())/1e3, "best-µs")
}

// BenchmarkAssignCellHistory sets a variable to a constant again
// (`v2 := 7`, stored into the interpreter's global) after 50 declaring
// cells.
func BenchmarkAssignCellHistory(b *testing.B) {
	benchCell(b, 50, "v2 := 7", "")
}

// BenchmarkCallCellHistory is a cell the interpreter must run
// (`fmt.Sprint(f0(1))`) after 50 declaring cells.
func BenchmarkCallCellHistory(b *testing.B) {
	benchCell(b, 50, "fmt.Sprint(f0(1))", `"1"`)
}
