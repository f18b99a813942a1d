package interp

import (
	"context"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
)

// benchLoopCell times cell code (iters loop iterations, Out value want)
// on a session with compiled loops and on one without, in the same run:
// the best ns per iteration of each and their ratio.
func benchLoopCell(b *testing.B, setup []string, code, want string, iters float64) {
	sessions := [2]*testSession{newTestSession(b), newTestSession(b)}
	sessions[1].s.noFastLoop = true
	var best [2]time.Duration
	for k, ts := range sessions {
		best[k] = time.Duration(1 << 62)
		for _, c := range setup {
			if r := ts.run(c); r.res.Status != kernel.StatusOK {
				b.Fatalf("setup %q: %s", c, r.errText())
			}
		}
	}
	out := &sessOutput{}
	for b.Loop() {
		for k, ts := range sessions {
			ts.n++
			t0 := time.Now()
			res, err := ts.s.Execute(context.Background(), kernel.ExecuteRequest{Code: code, ExecutionCount: ts.n}, out)
			if err != nil || res.Status != kernel.StatusOK {
				b.Fatal(err, res.Error)
			}
			best[k] = min(best[k], time.Since(t0))
			if res.Value == nil || res.Value.Data["text/plain"] != want {
				b.Fatalf("noFastLoop=%v: Out = %v, want %s", k == 1, res.Value, want)
			}
		}
	}
	b.ReportMetric(float64(best[0].Nanoseconds())/iters, "compiled-ns/iter")
	b.ReportMetric(float64(best[1].Nanoseconds())/iters, "yaegi-ns/iter")
	b.ReportMetric(float64(best[0])/float64(best[1]), "compiled/yaegi")
}

// BenchmarkFastLoop times typical notebook loops compiled and on yaegi.
func BenchmarkFastLoop(b *testing.B) {
	b.Run("sum", func(b *testing.B) {
		benchLoopCell(b, nil, "s := 0\nfor i := 0; i < 10000000; i++ {\n\ts += i\n}\ns", "49999995000000", 1e7)
	})
	b.Run("dot", func(b *testing.B) {
		setup := []string{"xs, ys := make([]float64, 1000000), make([]float64, 1000000)\nfor i := range xs {\n\txs[i], ys[i] = float64(i%7), float64(i%5)\n}"}
		benchLoopCell(b, setup, "d := 0.0\nfor i := range xs {\n\td += xs[i] * ys[i]\n}\nd", "5.999989e+06", 1e6)
	})
	b.Run("nested", func(b *testing.B) {
		benchLoopCell(b, nil, "c := 0\nfor i := 0; i < 1000; i++ {\n\tfor j := 0; j < 1000; j++ {\n\t\tif (i^j)&3 == 0 {\n\t\t\tc++\n\t\t}\n\t}\n}\nc", "250000", 1e6)
	})
	b.Run("math", func(b *testing.B) {
		benchLoopCell(b, nil, "acc := 0.0\nfor i := 1; i <= 1000000; i++ {\n\tacc += math.Sqrt(float64(i))\n}\nacc > 0", "true", 1e6)
	})
	b.Run("matmul", func(b *testing.B) {
		setup := []string{"const N = 100\nA, B := make([][]float64, N), make([][]float64, N)\nfor i := range A {\n\tA[i], B[i] = make([]float64, N), make([]float64, N)\n\tfor j := range A[i] {\n\t\tA[i][j], B[i][j] = float64(i+j), float64(i-j)\n\t}\n}"}
		benchLoopCell(b, setup, "tr := 0.0\nfor i := 0; i < N; i++ {\n\tfor j := 0; j < N; j++ {\n\t\ts := 0.0\n\t\tfor k := 0; k < N; k++ {\n\t\t\ts += A[i][k] * B[k][j]\n\t\t}\n\t\ttr += s\n\t}\n}\ntr", "8.3325e+08", 1e6)
	})
	// A func with a 3-element loop, called from a loop yaegi runs: its
	// guard leaves the loop to yaegi (a host call costs ~1 µs); what is
	// left is the cost of the guard and of the rewritten body.
	b.Run("short-loop-calls", func(b *testing.B) {
		setup := []string{"func dot3(a, b []float64) float64 {\n\ts := 0.0\n\tfor i := range a {\n\t\ts += a[i] * b[i]\n\t}\n\treturn s\n}", "va, vb := []float64{1, 2, 3}, []float64{4, 5, 6}"}
		benchLoopCell(b, setup, "t := 0.0\nfor i := 0; i < 100000; i++ {\n\tt += dot3(va, vb)\n}\nt", "3.2e+06", 1e5)
	})
}
