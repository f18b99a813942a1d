package interp

import (
	"go/ast"
	"strings"
	"testing"

	"github.com/godl-kernel/godl/kernel"
)

// lowerFor returns the lowered source of code as the session's next cell.
func (ts *testSession) lowerFor(code string) string {
	ts.t.Helper()
	out, err := ts.s.lowerSource(ts.s.priorCells(), code, ts.n+1)
	if err != nil {
		ts.t.Fatalf("lowering %q: %v", code, err)
	}
	return out
}

// fastLoopCase is a loop cell run after setup cells, with and without
// compiled loops: everything must come out the same.
type fastLoopCase struct {
	name  string
	setup []string
	code  string
	fast  bool     // the cell (or a func its setup declares) compiles a loop
	after []string // expressions compared afterwards
	want  string   // if set, the Out value of code (when yaegi is wrong)
}

var fastLoopCases = []fastLoopCase{
	{name: "kernelbench sum", code: "s := 0\nfor i := 0; i < 10000000; i++ {\n\ts += i\n}\ns", fast: true},
	{name: "float accumulate", code: "x := 0.0\nfor i := 0; i < 1000; i++ {\n\tx += float64(i) * 0.5\n}\nx", fast: true},
	{name: "int wraps around", code: "h := 1\nfor i := 0; i < 100; i++ {\n\th = h*31 + i\n}\nh", fast: true},
	{name: "int64 wraps around", code: "var a int64 = 1\nfor i := 0; i < 70; i++ {\n\ta = a*3 + int64(i)\n}\na", fast: true},
	{name: "nested loops", code: "c := 0\nfor i := 0; i < 100; i++ {\n\tfor j := 0; j < i; j++ {\n\t\tc += i ^ j\n\t}\n}\nc", fast: true},
	{name: "break and continue", code: "n := 0\nfor i := 0; ; i++ {\n\tif i%3 == 0 {\n\t\tcontinue\n\t}\n\tif i > 50 {\n\t\tbreak\n\t}\n\tn += i\n}\nn", fast: true},
	{name: "if else chain", code: "f, b, fb, o := 0, 0, 0, 0\nfor i := 1; i <= 100; i++ {\n\tif i%15 == 0 {\n\t\tfb++\n\t} else if i%3 == 0 {\n\t\tf++\n\t} else if i%5 == 0 {\n\t\tb++\n\t} else {\n\t\to++\n\t}\n}\n[]int{f, b, fb, o}", fast: true},
	{name: "shifts", code: "x, y := 1, -1000\nfor i := 0; i < 70; i++ {\n\tx = x<<1 | x>>60\n\ty = y >> (i % 5)\n\tx ^= 1 << (i % 64)\n}\n[]int{x, y}", fast: true},
	{name: "shift counts of 64 and more", code: "u, v := 0, 0\nfor i := 40; i < 80; i++ {\n\tu += 3 << i\n\tv += -7 >> i\n}\n[]int{u, v}", fast: true},
	{name: "conversions", code: "t := 0\nvar g int64\nfor i := 0; i < 100; i++ {\n\tt += int(float64(i) * 1.7)\n\tg += int64(-float64(i) / 3)\n}\n[]int64{int64(t), g}", fast: true},
	{name: "math functions", code: "acc := 0.0\nfor i := 1; i <= 100; i++ {\n\tfi := float64(i)\n\tacc += math.Sqrt(fi) + math.Sin(fi) + math.Log(fi) + math.Pow(fi, 0.3) + math.Floor(fi/7) + math.Max(fi, 50) + math.Abs(-fi) + math.Exp(-fi)\n}\nacc", fast: true},
	{name: "min and max builtins", code: "lo, hi := 1000, -1000\nflo := 1e9\nfor i := 0; i < 50; i++ {\n\tv := (i*37)%101 - 50\n\tlo = min(lo, v)\n\thi = max(hi, v, 3)\n\tflo = min(flo, float64(v)*0.5)\n}\n[]float64{float64(lo), float64(hi), flo}", fast: true},
	{name: "loop in a func of an earlier cell", setup: []string{"func sumTo(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i * i\n\t}\n\treturn s\n}"}, code: "sumTo(1000) + sumTo(10)", fast: true},
	{name: "variables of earlier cells", setup: []string{"base := 7", "acc := 0", "scale := 0.5"}, code: "for i := 0; i < 40; i++ {\n\tacc += base * i\n\tscale *= 1.5\n}", fast: true, after: []string{"acc", "scale", "base"}},
	{name: "range over int", code: "r := 0\nfor i := range 100 {\n\tr += i * i\n}\nr", fast: true},
	{name: "range over int assigns an outer variable", code: "k, k2 := -1, -1\nfor k = range 30 {\n}\nfor k2 = range 0 {\n}\n[]int{k, k2}", fast: true},
	{name: "range over int: the body changes the key", code: "cnt := 0\nfor i := range 25 {\n\ti += 10\n\tcnt += i\n}\ncnt", fast: true},
	{name: "range over a float slice", setup: []string{"xs := []float64{1, 2.5, 3, 4}"}, code: "sum := 0.0\nfor _, x := range xs {\n\tsum += x\n}\nsum", fast: true},
	{name: "slice element writes", setup: []string{"ys := make([]float64, 6)"}, code: "for i := range ys {\n\tys[i] = float64(i * i)\n\tys[i] += 0.5\n}\nys", fast: true, after: []string{"ys"}},
	{name: "int slice max", setup: []string{"zs := []int{5, 3, 8, -1, 8, 2}"}, code: "m, at := 0, -1\nfor i := 0; i < len(zs); i++ {\n\tif zs[i] > m {\n\t\tm, at = zs[i], i\n\t}\n}\n[]int{m, at}", fast: true},
	{name: "bubble sort with swaps", setup: []string{"ws := []int{9, 4, 7, 1, 8, 2, 2, 0}"}, code: "for i := 0; i < len(ws); i++ {\n\tfor j := 0; j+1 < len(ws)-i; j++ {\n\t\tif ws[j] > ws[j+1] {\n\t\t\tws[j], ws[j+1] = ws[j+1], ws[j]\n\t\t}\n\t}\n}\nws", fast: true, after: []string{"ws"}},
	{name: "int64 slice", setup: []string{"ls := []int64{1, 2, 3}"}, code: "for i := range ls {\n\tls[i] *= 1 << 40\n\tls[i]++\n}\nls", fast: true},
	{name: "matrix product on [][]float64", setup: []string{"A := [][]float64{{1, 2, 3}, {4, 5, 6}}\nB := [][]float64{{7, 8}, {9, 10}, {11, 12}}\nC := [][]float64{{0, 0}, {0, 0}}"}, code: "for i := 0; i < len(A); i++ {\n\tfor j := 0; j < len(B[0]); j++ {\n\t\tsum := 0.0\n\t\tfor k := range B {\n\t\t\tsum += A[i][k] * B[k][j]\n\t\t}\n\t\tC[i][j] = sum\n\t}\n}\nC", fast: true, after: []string{"C"}},
	{name: "rows of [][]int", setup: []string{"grid := [][]int{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}"}, code: "total := 0\nfor _, row := range grid {\n\tfor j := range row {\n\t\trow[j] *= 2\n\t\ttotal += row[j]\n\t}\n}\nfor i := range grid {\n\tr := grid[i]\n\tr[0]++\n\tgrid[i][2] += r[1]\n}\n[]int{total, len(grid[1])}", fast: true, after: []string{"grid"}},
	{name: "return in a search loop", setup: []string{"func find(xs []int, t int) int {\n\tfor i, x := range xs {\n\t\tif x == t {\n\t\t\treturn i\n\t\t}\n\t}\n\treturn -1\n}"}, code: "ys := []int{4, 8, 15, 16, 23, 42}\n[]int{find(ys, 15), find(ys, 42), find(ys, 5), find(nil, 1)}", fast: true},
	{name: "return from nested loops with two results", setup: []string{"func pair(n, target int) (int, int) {\n\tfor a := 1; a < n; a++ {\n\t\tfor b := a; b < n; b++ {\n\t\t\tif a*a+b*b == target {\n\t\t\t\treturn a, b\n\t\t\t}\n\t\t}\n\t}\n\treturn 0, 0\n}"}, code: "a, b := pair(100, 1105)\nc, d := pair(10, 7)\n[]int{a, b, c, d}", fast: true},
	{name: "bare return of named results", setup: []string{"func firstNeg(xs []float64) (idx int, val float64) {\n\tidx = -1\n\tfor i, x := range xs {\n\t\tif x < 0 {\n\t\t\tidx, val = i, x\n\t\t\treturn\n\t\t}\n\t}\n\treturn\n}"}, code: "i1, v1 := firstNeg([]float64{3, 1, -2.5, -7})\ni2, _ := firstNeg([]float64{1})\n[]float64{float64(i1), v1, float64(i2)}", fast: true},
	{name: "primes: a bool result", setup: []string{"func prime(n int) bool {\n\tif n < 2 {\n\t\treturn false\n\t}\n\tfor d := 2; d*d <= n; d++ {\n\t\tif n%d == 0 {\n\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}"}, code: "np := 0\nfor n := 0; n < 2000; n++ {\n\tif prime(n) {\n\t\tnp++\n\t}\n}\nnp", fast: true},
	{name: "return in a func literal", code: "idx := func(xs []float64, v float64) int {\n\tfor i := range xs {\n\t\tif xs[i] >= v {\n\t\t\treturn i\n\t\t}\n\t}\n\treturn len(xs)\n}\nidx([]float64{0.5, 1.5, 2.5}, 1) + 10*idx(nil, 3)", fast: true},
	{name: "switch with a tag, break in a case", code: "a, b, c, d, e := 0, 0, 0, 0, 0\nfor i := 0; i < 100; i++ {\n\tswitch r := i % 7; r {\n\tcase 0:\n\t\ta++\n\tcase 1, 2:\n\t\tb += r\n\t\tif i > 50 {\n\t\t\tbreak\n\t\t}\n\t\tb++\n\tdefault:\n\t\tc++\n\t\tif c > 40 {\n\t\t\tcontinue\n\t\t}\n\t\td++\n\tcase 6:\n\t\te++\n\t}\n}\n[]int{a, b, c, d, e}", fast: true},
	{name: "tagless switch on floats, labelled break out of the loop", code: "neg, small, big, at := 0, 0, 0, -1\nloop:\nfor i := 0; i < 200; i++ {\n\tx := math.Sin(float64(i)) * 10\n\tswitch {\n\tcase x < 0:\n\t\tneg++\n\tcase x < 5:\n\t\tsmall++\n\tcase i > 150 && x > 9.9:\n\t\tat = i\n\t\tbreak loop\n\tdefault:\n\t\tbig++\n\t}\n}\n[]int{neg, small, big, at}", fast: true},
	{name: "a local a closure also captures", setup: []string{"func shared() int {\n\ts := 0\n\tbump := func() { s += 1000 }\n\tbump()\n\tfor i := 0; i < 100; i++ {\n\t\ts += i\n\t}\n\tbump()\n\treturn s\n}"}, code: "shared()", fast: true},
	{name: "a variable whose type changed", setup: []string{"acc := 0", "acc := 0.5"}, code: "for i := 0; i < 100; i++ {\n\tacc *= 1.01\n}\nacc", fast: true},
	{name: "dot product shapes", setup: []string{"u := []float64{1.5, -2, 3.25, 4}\nw := []float64{0.5, 8, -1, 2}"}, code: "d, e, g, k := 0.0, 0.0, 0.0, 1.5\nfor i := range u {\n\tj := len(u) - 1 - i\n\td += u[i] * w[i]\n\te += u[i] - w[j] + u[j] + w[i]\n\tg += u[i]*k - w[j]*k\n}\n[]float64{d, e, g}", fast: true},
	{name: "fields through a pointer receiver the loop dereferences first", setup: []string{"type Net struct {\n\tW     []float64\n\tB     float64\n\tSteps int\n}\nfunc (n *Net) Forward(x []float64) float64 {\n\ts := 0.0\n\tfor i := range n.W {\n\t\ts += n.W[i]*x[i] + n.B\n\t}\n\treturn s\n}\nfunc (n *Net) Train(x []float64, lr float64) {\n\tfor i := 0; i < len(n.W); i++ {\n\t\tn.W[i] += lr * x[i]\n\t\tn.B -= lr\n\t\tn.Steps++\n\t}\n}", "net := &Net{W: []float64{1, 2, 3}}"}, code: "for k := 0; k < 3; k++ {\n\tnet.Train([]float64{1, -1, 0.5}, 0.1)\n}\n[]float64{net.Forward([]float64{2, 2, 2}), net.B, float64(net.Steps)}", fast: true, after: []string{"net.W", "net.Steps"}},
	{name: "fields of a struct variable", setup: []string{"type Config struct {\n\tLR    float64\n\tN     int\n\tTrace []float64\n}", "cfg := Config{LR: 0.5, N: 40, Trace: make([]float64, 40)}"}, code: "x := 10.0\nfor i := 0; i < cfg.N; i++ {\n\tx -= cfg.LR * x\n\tcfg.Trace[i] = x\n\tcfg.LR *= 0.99\n}\n[]float64{x, cfg.LR, cfg.Trace[39]}", fast: true, after: []string{"cfg.LR", "cfg.Trace[5]"}},
	{name: "gradient descent: the inner loop compiles, the outer appends and prints", setup: []string{"gx := make([]float64, 50)\ngy := make([]float64, 50)\nfor i := range gx {\n\tgx[i] = float64(i) / 10\n\tgy[i] = 3*gx[i] + 1\n}"}, code: "w, b, lr := 0.0, 0.0, 0.05\nvar losses []float64\nfor epoch := 0; epoch < 200; epoch++ {\n\tgw, gb, loss := 0.0, 0.0, 0.0\n\tfor i := range gx {\n\t\td := w*gx[i] + b - gy[i]\n\t\tgw += 2 * d * gx[i]\n\t\tgb += 2 * d\n\t\tloss += d * d\n\t}\n\tw -= lr * gw / float64(len(gx))\n\tb -= lr * gb / float64(len(gx))\n\tlosses = append(losses, loss)\n\tif epoch%50 == 0 {\n\t\tfmt.Printf(\"%d %.6f\\n\", epoch, loss)\n\t}\n}\n[]float64{w, b, losses[199]}", fast: true},
	{name: "a func of an earlier cell after the interpreter was rebuilt", setup: []string{"func tot(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i\n\t}\n\treturn s\n}", "v := 1", "v := 2.5"}, code: "tot(100) + int(v)", fast: true},
	{name: "bytes: pixels normalised, thresholded, inverted, their max", setup: []string{"img := make([]byte, 784)\nfor i := range img {\n\timg[i] = byte(i * 7)\n}\nvar mx byte"}, code: "x := make([]float64, len(img))\nfor i, p := range img {\n\tx[i] = float64(p) / 255\n}\nbright := 0\nfor _, p := range img {\n\tif p > 128 && p != mx {\n\t\tbright++\n\t}\n\tif p > mx {\n\t\tmx = p\n\t}\n}\nfor i := range img {\n\timg[i] = uint8(255 - int(img[i]))\n}\n[]float64{x[10], x[783], float64(bright), float64(mx), float64(img[3]), float64(len(img))}", fast: true, after: []string{"mx", "img[100]"}},
	{name: "fibonacci, parallel assignment", code: "a, b := 0, 1\nfor i := 0; i < 90; i++ {\n\ta, b = b, a+b\n}\na", fast: true},
	{name: "parallel assignment of rows' elements", setup: []string{"pm := [][]float64{{1, 2}, {3, 4}, {5, 6}}\npi := [][]int{{1, 2}, {3, 4}}"}, code: "for i := range pm {\n\tpm[i][0], pm[i][1] = pm[i][1]*2, pm[i][0]\n}\nfor k := 0; k < 20; k++ {\n\tpi[k%2][0], pi[k%2][1] = pi[k%2][1], pi[k%2][0]+k\n}\n[]float64{pm[0][0], pm[0][1], pm[2][0], float64(pi[0][1]), float64(pi[1][1])}", fast: true, after: []string{"pm", "pi"}},
	{name: "bool variables", code: "found, first := false, -1\nfor i := 0; i < 100 && !found; i++ {\n\tif i*i > 500 {\n\t\tfound = true\n\t\tfirst = i\n\t}\n}\n[]any{found, first}", fast: true},
	{name: "labelled continue", code: "pairs := 0\nouter:\nfor i := 0; i < 20; i++ {\n\tfor j := 0; j < 20; j++ {\n\t\tif j > i {\n\t\t\tcontinue outer\n\t\t}\n\t\tpairs++\n\t}\n}\npairs", fast: true},
	{name: "labelled break", code: "hit := -1\nsearch:\nfor i := 1; i < 50; i++ {\n\tfor j := 1; j < 50; j++ {\n\t\tif i*j == 391 {\n\t\t\thit = i*100 + j\n\t\t\tbreak search\n\t\t}\n\t}\n}\nhit", fast: true},
	{name: "var declarations in the body", code: "tot := 0.0\nfor i := 0; i < 30; i++ {\n\tvar w float64 = float64(i) / 2\n\tvar z int\n\tz += i\n\tvar q = 2\n\ttot += w + float64(z*q)\n}\ntot", fast: true},
	{name: "float division by zero", code: "q, d := 0.0, 0.0\nfor i := 0; i < 30; i++ {\n\tq = float64(i) / d\n}\n[]float64{q, -q}", fast: true},
	{name: "negative division and remainder", code: "r := 0\nfor i := -10; i < 10; i++ {\n\tr = r*7 + i/3 + i%3 + (i &^ 5) + -i + ^i\n}\nr", fast: true},
	{name: "MinInt64 / -1 wraps", code: "m, dd, one := math.MinInt64, -1, 1\nfor i := 0; i < one; i++ {\n\tm = m / dd\n}\nm", fast: true, want: "-9223372036854775808"},
	{name: "loop in a func literal", setup: []string{"tri := func(n int) float64 {\n\tt := 0.0\n\tfor i := 0; i <= n; i++ {\n\t\tt += float64(i)\n\t}\n\treturn t\n}"}, code: "tri(100)", fast: true},
	{name: "loop in a method", setup: []string{"type Acc struct{ k int }\nfunc (a Acc) Sum(xs []float64) float64 {\n\ts, k := 0.0, float64(a.k)\n\tfor _, x := range xs {\n\t\ts += x * k\n\t}\n\treturn s\n}"}, code: "Acc{3}.Sum([]float64{1, 2, 3})", fast: true},
	{name: "inner loop compiles, outer prints", code: "for i := 0; i < 3; i++ {\n\tsq := 0\n\tfor j := 0; j < 100; j++ {\n\t\tsq += j * i\n\t}\n\tfmt.Println(i, sq)\n}", fast: true},
	{name: "collatz", code: "n, steps := 27, 0\nfor n != 1 {\n\tif n%2 == 0 {\n\t\tn /= 2\n\t} else {\n\t\tn = 3*n + 1\n\t}\n\tsteps++\n}\nsteps", fast: true},
	{name: "for with an outer counter", code: "i, j := 0, 0\nfor i < 10 {\n\ti += 3\n}\nfor j = 0; j < 5; j++ {\n}\n[]int{i, j}", fast: true},
	{name: "float loop variable", code: "cnt, f := 0, 0.0\nfor x := 0.0; x < 1; x += 0.1 {\n\tcnt++\n\tf++\n}\n[]float64{float64(cnt), f}", fast: true},
	{name: "infinities and NaN", code: "inf, nan := 0, 0\nfor i := -2; i < 30; i++ {\n\tv := math.Log(float64(i))\n\tif math.IsInf(v, 0) {\n\t\tinf++\n\t}\n\tif math.IsNaN(v) || math.IsInf(v, -1) {\n\t\tnan++\n\t}\n}\n[]int{inf, nan}", fast: true},
	{name: "shadowed variable in the body", code: "s, last := 5, 0\nfor i := 0; i < 30; i++ {\n\ts := i * 10\n\tlast = s\n}\n[]int{s, last}", fast: true},
	{name: "monte carlo pi shape", code: "rand.Seed(1)\nhits := 0\nfor i := 0; i < 1000; i++ {\n\trand.Float64()\n\tx, y := rand.Float64(), rand.Float64()\n\tif x*x+y*y < 1 {\n\t\thits++\n\t}\n}\nhits > 600 && hits < 900", fast: true},
	{name: "loop in a function using a constant of an earlier cell", setup: []string{"const N = 120", "func tab() int {\n\tt := 0\n\tfor i := 0; i < N; i++ {\n\t\tt += i\n\t}\n\treturn t\n}"}, code: "tab()", fast: true},
	{name: "inside a yaegi loop whose variable a closure captures", code: "var fs []func() int\ntot := 0\nfor i := 0; i < 3; i++ {\n\tfs = append(fs, func() int { return i })\n\tt := 0\n\tfor j := 0; j < 100; j++ {\n\t\tt += i * j\n\t}\n\ttot += t\n}\ntot + fs[0]() + fs[2]()", fast: true},
	{name: "goroutines running the same compiled loop", setup: []string{"func spin2(n int) int {\n\tc := 0\n\tfor i := 0; i < n; i++ {\n\t\tc += i % 7\n\t}\n\treturn c\n}"}, code: "var wg sync.WaitGroup\nres := make([]int, 4)\nfor g := 0; g < 4; g++ {\n\twg.Add(1)\n\tgo func(g int) {\n\t\tdefer wg.Done()\n\t\tres[g] = spin2(100000 + g)\n\t}(g)\n}\nwg.Wait()\nres", fast: true},

	// Loops that stay with yaegi.
	{name: "print in the loop", code: "for i := 0; i < 3; i++ {\n\tfmt.Println(i)\n}", fast: false},
	{name: "strings", code: "w := \"\"\nfor i := 0; i < 3; i++ {\n\tw += \"ab\"\n}\nw", fast: false},
	{name: "call of a user func", setup: []string{"func sq(x int) int { return x * x }"}, code: "t := 0\nfor i := 0; i < 5; i++ {\n\tt += sq(i)\n}\nt", fast: false},
	{name: "closure in the loop", code: "var fs []func() int\nfor i := 0; i < 3; i++ {\n\tfs = append(fs, func() int { return i })\n}\nfs[0]() + fs[2]()", fast: false},
	{name: "int32 variable", code: "var h32 int32 = 1\nfor i := 0; i < 40; i++ {\n\th32 = h32*31 + 7\n}\nh32", fast: false},
	{name: "a short constant loop (the host call costs more)", code: "e := 0\nfor i := 0; i < 16; i++ {\n\te += i\n}\ne", fast: false},
	{name: "append", code: "var out []int\nfor i := 0; i < 4; i++ {\n\tout = append(out, i)\n}\nout", fast: false},
	{name: "loop in a generic func", setup: []string{"func total[T int | float64](xs []T) T {\n\tvar t T\n\tfor i := 0; i < len(xs); i++ {\n\t\tt += xs[i]\n\t}\n\treturn t\n}"}, code: "total([]int{1, 2, 3})", fast: false},
}

// runFastLoopCase runs c on ts and returns what is compared.
func runFastLoopCase(t *testing.T, ts *testSession, c fastLoopCase) []string {
	t.Helper()
	for _, s := range c.setup {
		if r := ts.run(s); r.res.Status != kernel.StatusOK {
			t.Fatalf("setup %q: %s", s, r.errText())
		}
	}
	r := ts.run(c.code)
	out := []string{string(r.res.Status), r.value(), r.stdout, r.errText()}
	for _, a := range c.after {
		out = append(out, ts.run(a).value())
	}
	return out
}

// TestFastLoopDifferential runs each loop with and without compiled loops.
func TestFastLoopDifferential(t *testing.T) {
	for _, c := range fastLoopCases {
		t.Run(c.name, func(t *testing.T) {
			fast := newTestSession(t)
			slow := newTestSession(t)
			slow.s.noFastLoop = true
			// Which path: the lowered cell, or the funcs of its setup.
			lowered := ""
			for _, s := range c.setup {
				lowered += fast.lowerFor(s)
				fast.run(s)
			}
			lowered += fast.lowerFor(c.code)
			fast2 := newTestSession(t)
			// Every guarded loop compiled, however short: the cases test
			// the compiled path (TestFastLoopGuard tests the guard).
			fast2.s.loops.guardTrips = -1
			if got := strings.Contains(lowered, "__godl.Loop("); got != c.fast {
				t.Errorf("compiled = %v, want %v; lowered:\n%s", got, c.fast, lowered)
			}
			got := runFastLoopCase(t, fast2, c)
			if got[0] != string(kernel.StatusOK) {
				t.Fatalf("fast path: %s", got[3])
			}
			if c.want != "" {
				if got[1] != c.want {
					t.Fatalf("Out = %s, want %s", got[1], c.want)
				}
				return
			}
			want := runFastLoopCase(t, slow, c)
			if sl := slow.lowerFor(c.code); strings.Contains(sl, "__godl.Loop") {
				t.Errorf("noFastLoop session compiled a loop:\n%s", sl)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("item %d: compiled loop gives %q, yaegi %q", i, got[i], want[i])
				}
			}
		})
	}
}

// TestFastLoopPanics checks runtime panics in compiled loops: Go's
// message, the statement's cell position (as yaegi's path reports it),
// and variables keep what the loop assigned before.
func TestFastLoopPanics(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		msg   string
		want  []string // frame lines
		after string   // expression whose value must be the same on both paths
		// yaegiWrong: yaegi does not panic (a negative shift count).
		yaegiWrong bool
	}{
		{"integer division by zero at top level",
			[]string{"z, t := 0, 0\nfor i := 0; i < 100; i++ {\n\tt += 100 / (z + i - 5)\n}"},
			"integer divide by zero",
			[]string{"  in cell 1, in the statement at cell1:3:2"}, "t", false},
		{"index out of range in a func of an earlier cell",
			[]string{"func sum(xs []float64, n int) float64 {\n\ts := 0.0\n\tfor i := 0; i < n; i++ {\n\t\ts += xs[i]\n\t}\n\treturn s\n}", "fmt.Sprint()\nsum(make([]float64, 20), 30)"},
			"index out of range",
			[]string{"  in func sum, in the statement at cell1:4:3", "  in cell 2, in the statement at cell2:2:1"}, "", false},
		{"negative shift count in a nested if",
			[]string{"acc, sh := 1, 3\nfor i := 0; i < 100; i++ {\n\tif i > 2 {\n\t\tacc += 1 << (sh - i)\n\t}\n}"},
			"negative shift amount",
			[]string{"  in cell 1, in the statement at cell1:4:3"}, "acc", true},
		{"a condition that panics",
			[]string{"vs := []int{3, 2, 1}\nk := 0\nfor k = 0; vs[k] > 0; k++ {\n}"},
			"index out of range",
			[]string{"  in cell 1, in the statement at cell1:3:1"}, "k", false},
		{"a row out of range",
			[]string{"grid := [][]float64{{1, 2}, {3, 4}}\ntot := 0.0\nfor i := 0; i < 30; i++ {\n\ttot += grid[i/2][i%2]\n}"},
			"index out of range",
			[]string{"  in cell 1, in the statement at cell1:4:2"}, "tot", false},
		{"a nil receiver",
			[]string{"type Vec struct{ xs []float64 }\nfunc (v *Vec) Sum() float64 {\n\tt := 0.0\n\tfor _, x := range v.xs {\n\t\tt += x\n\t}\n\treturn t\n}", "var vp *Vec\nvp.Sum()"},
			"nil pointer dereference",
			[]string{"  in method (*Vec).Sum, in the statement at cell1:4:2", "  in cell 2, in the statement at cell2:2:1"}, "", false},
		{"a row assigned out of range",
			[]string{"grid := [][]float64{{1, 2}, {3, 4}}\ntot := 0.0\nfor i := 0; i < 30; i++ {\n\ttot += grid[0][i%2]\n\trow := grid[i]\n\ttot += row[0]\n}"},
			"index out of range",
			[]string{"  in cell 1, in the statement at cell1:5:2"}, "tot", false},
		{"a byte assigned out of range",
			[]string{"img := make([]byte, 20)\nvar px byte\nfor i := 0; i < 30; i++ {\n\tpx = img[i%20]\n\tpx = img[i]\n}"},
			"index out of range",
			[]string{"  in cell 1, in the statement at cell1:5:2"}, "px", false},
		{"a func literal",
			[]string{"div := func(a, b int) int {\n\tq := 0\n\tfor i := 0; i < 30; i++ {\n\t\tq += a / b\n\t}\n\treturn q\n}", "div(1, 0)"},
			"integer divide by zero",
			[]string{"  in a func literal in cell 1, in the statement at cell1:4:3", "  in cell 2, in the statement at cell2:1:1"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs [2]string
			var afters [2]string
			for k, noFast := range []bool{false, true} {
				ts := newTestSession(t)
				ts.s.noFastLoop = noFast
				var r cellRun
				for _, c := range tt.cells {
					r = ts.run(c)
				}
				if r.res.Status != kernel.StatusError {
					if noFast && tt.yaegiWrong {
						return
					}
					t.Fatalf("noFastLoop=%v: no panic: %s", noFast, r.value())
				}
				errs[k] = r.errText()
				if tt.after != "" {
					afters[k] = ts.run(tt.after).value()
				}
			}
			got := errs[0]
			if !strings.Contains(strings.SplitN(got, "\n", 2)[0], tt.msg) {
				t.Errorf("message: %s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w+"\n") && !strings.HasSuffix(got, w) {
					t.Errorf("want frame %q in\n%s", w, got)
				}
			}
			// The frames are the same as on yaegi's path (the message
			// is Go's own: "index out of range [3] with length 3" where
			// yaegi says "slice index out of range").
			frames := func(s string) string { _, f, _ := strings.Cut(s, "Traceback"); return f }
			if !tt.yaegiWrong && frames(got) != frames(errs[1]) {
				t.Errorf("traceback differs from yaegi's path:\ncompiled:\n%s\nyaegi:\n%s", got, errs[1])
			}
			if afters[0] != afters[1] {
				t.Errorf("%s after the panic: compiled %q, yaegi %q", tt.after, afters[0], afters[1])
			}
		})
	}
}

// TestFastLoopInterrupt interrupts compiled loops of 10^12 iterations:
// the cell stops within a second, variables keep what the loop did.
func TestFastLoopInterrupt(t *testing.T) {
	cells := map[string][]string{
		"top level":          {"n := 0", "for i := 0; i < 1000000000000; i++ {\n\tn += i & 1\n}"},
		"nested short loops": {"n := 0", "for {\n\tfor j := 0; j < 3; j++ {\n\t\tn += j\n\t}\n}"},
		"in a func":          {"n := 0", "func spin(k int) int {\n\tc := 0\n\tfor i := 0; i < k; i++ {\n\t\tc += i & 1\n\t}\n\treturn c\n}", "n = spin(1000000000000)"},
	}
	for name, cs := range cells {
		t.Run(name, func(t *testing.T) {
			ts := newTestSession(t)
			for _, c := range cs[:len(cs)-1] {
				if r := ts.run(c); r.res.Status != kernel.StatusOK {
					t.Fatal(r.errText())
				}
			}
			last := cs[len(cs)-1]
			if !strings.Contains(ts.lowerFor(last)+ts.lowerFor(cs[len(cs)-2]), "__godl.Loop") {
				t.Fatal("the loop is not compiled")
			}
			r := runInterrupted(t, ts, last)
			if strings.Contains(r.res.Error.Value, "compiled call") {
				t.Fatalf("want Interrupted without a compiled call, got %s", r.errText())
			}
			if r.stderr != "" || r.stdout != "" {
				t.Errorf("output of the interrupted cell: %q %q", r.stdout, r.stderr)
			}
			if name != "in a func" {
				if v := ts.run("n > 1000").value(); v != "true" {
					t.Errorf("n > 1000 = %q: the loop's work was lost", v)
				}
			}
			// The session goes on, compiled loops too.
			if r := ts.run("m := 0\nfor i := 0; i < 1000; i++ {\n\tm += i\n}\nm"); r.value() != "499500" {
				t.Fatalf("after the interrupt: %q %s", r.value(), r.errText())
			}
		})
	}
}

// TestFastLoopInterruptBackground interrupts a cell while a goroutine of
// an earlier cell runs a compiled loop: the goroutine stops quietly (as
// yaegi stops interpreted goroutines), keeping what its loop assigned;
// the kernel lives on.
func TestFastLoopInterruptBackground(t *testing.T) {
	ts := newTestSession(t)
	code := "bg := 0\ngo func() {\n\tfor {\n\t\tbg++\n\t}\n}()"
	if !strings.Contains(ts.lowerFor(code), "__godl.Loop") {
		t.Fatal("the goroutine's loop is not compiled")
	}
	if r := ts.run(code); r.res.Status != kernel.StatusOK {
		t.Fatal(r.errText())
	}
	checkInterruptStops(t, ts, "bg")
}

// TestFastLoopStableText checks that a func with a compiled loop lowers to
// the same text each time (the same program id): re-running its cell does
// not redefine it.
func TestFastLoopStableText(t *testing.T) {
	ts := newTestSession(t)
	cell := "func tot(n int) int {\n\ts := 0\n\tfor i := 0; i < n; i++ {\n\t\ts += i\n\t}\n\treturn s\n}"
	first := ts.lowerFor(cell)
	ts.run(cell)
	ts.run("x := tot(100)")
	if again := ts.lowerFor(cell); again != first || !strings.Contains(first, "__godl.Loop") {
		t.Fatalf("lowered twice:\n%s\n%s", first, again)
	}
	if r := ts.run(cell); r.stderr != "" || r.res.Status != kernel.StatusOK {
		t.Fatalf("re-run: %s %s", r.stderr, r.errText())
	}
	if v := ts.run("tot(10) + x").value(); v != "4995" {
		t.Fatalf("tot(10) + x = %s", v)
	}
}

// TestFastLoopRejects checks why loops stay with yaegi.
func TestFastLoopRejects(t *testing.T) {
	ts := newTestSession(t)
	for _, c := range []string{"xs := []float64{1, 2}", "var h32 int32", "type P struct{ X float64 }\nvar p P\npp := &p", "m := map[int]int{}"} {
		if r := ts.run(c); r.res.Status != kernel.StatusOK {
			t.Fatal(r.errText())
		}
	}
	tests := []struct{ code, why string }{
		{"for i := 0; i < 100; i++ {\n\tfmt.Println(i)\n}", "fmt.Println"},
		{"for i := 0; i < 100; i++ {\n\th32 += 1\n}", "type int32"},
		{"for i := 0; i < 100; i++ {\n\tpp.X += 1\n}", "pp.X through a pointer not dereferenced first"},
		{"for i := 0; i < 100; i++ {\n\tm[i] = i\n}", "m has type map[int]int"},
		{"for i := 0; i < 100; i++ {\n\txs = nil\n}", "nil"},
		{"for i := 0; i < 100; i++ {\n\txs = append(xs, 1)\n}", "append"},
		{"for i := 0; i < 8; i++ {\n\txs[0]++\n}", "8 iterations"},
		{"for i := 0; i < 100; i++ {\n\tgo func() {}()\n}", "statement *ast.GoStmt"},
		{"bs := []byte{1, 2}\nfor i := 0; i < 100; i++ {\n\tbs[i%2] += 1\n}", "bs[i%2] += 1"},
		{"func (q *P) Twice(k int) float64 {\n\tt := 0.0\n\tfor i := 0; i < k; i++ {\n\t\tt += q.X\n\t}\n\treturn t\n}", "q.X through a pointer not dereferenced first"},
	}
	ts.lowerFor("1") // creates the lowerer
	for _, tt := range tests {
		var whys []string
		ts.s.lowerer.fastWhy = func(_ ast.Stmt, why string) { whys = append(whys, why) }
		src := ts.lowerFor(tt.code)
		if strings.Contains(src, "__godl.Loop") {
			t.Errorf("%q compiled", tt.code)
			continue
		}
		if !strings.Contains(strings.Join(whys, "; "), tt.why) {
			t.Errorf("%q: reasons %q, want %q", tt.code, whys, tt.why)
		}
	}
}

// TestFastLoopEnvOff checks GODL_NOFASTLOOP: every loop stays with yaegi.
func TestFastLoopEnvOff(t *testing.T) {
	t.Setenv("GODL_NOFASTLOOP", "1")
	ts := newTestSession(t)
	code := "s := 0\nfor i := 0; i < 100; i++ {\n\ts += i\n}\ns"
	if src := ts.lowerFor(code); strings.Contains(src, "__godl.Loop") {
		t.Fatalf("compiled with GODL_NOFASTLOOP set:\n%s", src)
	}
	if r := ts.run(code); r.value() != "4950" {
		t.Fatal(r.errText())
	}
}

// TestFastLoopGuard checks that a loop whose trip count is known when it
// starts runs compiled only when it is long: both ways give the same
// results, and short loops skip the host call.
func TestFastLoopGuard(t *testing.T) {
	ts := newTestSession(t)
	fn := "func dot(a, b []float64) float64 {\n\ts := 0.0\n\tfor i := range a {\n\t\ts += a[i] * b[i]\n\t}\n\treturn s\n}"
	if src := ts.lowerFor(fn); !strings.Contains(src, "if len(a) > 16 {") || !strings.Contains(src, "} else {for i := range a {") {
		t.Fatalf("no guard:\n%s", src)
	}
	ts.run(fn)
	for _, c := range []struct{ code, want string }{
		{"dot([]float64{1, 2, 3}, []float64{4, 5, 6})", "32"},
		{"xs := make([]float64, 100)\nfor i := range xs {\n\txs[i] = 1\n}\ndot(xs, xs)", "100"},
	} {
		if r := ts.run(c.code); r.value() != c.want {
			t.Errorf("%s = %q, want %s; %s", c.code, r.value(), c.want, r.errText())
		}
	}
	if src := ts.lowerFor("n := 5\nk := 0\nfor i := 1; i <= n; i++ {\n\tk += i\n}"); !strings.Contains(src, "if (n)-(1) >= 16 {") {
		t.Errorf("no guard on a counted loop:\n%s", src)
	}
	// A statement with a position marker after the loop: the marker
	// goes after the block, so that both ways set it.
	ts.run("func scan(xs []int, k int) int {\n\tt := 0\n\tfor i := 0; i < k; i++ {\n\t\tt += xs[i]\n\t}\n\treturn xs[t]\n}")
	src := ts.lowerFor("func scan(xs []int, k int) int {\n\tt := 0\n\tfor i := 0; i < k; i++ {\n\t\tt += xs[i]\n\t}\n\treturn xs[t]\n}")
	if !strings.Contains(src, "}}}; __godl_pf4scan = ") {
		t.Errorf("the next statement's marker is not after the block:\n%s", src)
	}
	for _, c := range []struct{ code, frame string }{
		{"scan([]int{1, 2, 3}, 3)", "cell4:6:2"},
		{"scan(make([]int, 20), 30)", "cell4:4:3"},
		{"scan(make([]int, 40), 30)", ""},
	} {
		r := ts.run(c.code)
		if c.frame == "" {
			if r.value() != "0" {
				t.Errorf("%s: %s", c.code, r.errText())
			}
			continue
		}
		if !strings.Contains(r.errText(), "in func scan, in the statement at "+c.frame) {
			t.Errorf("%s: want the statement at %s:\n%s", c.code, c.frame, r.errText())
		}
	}
}
