package interp

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godl-kernel/godl/internal/testutil"
	"github.com/godl-kernel/godl/kernel"
)

// outQualifyCell lowers code as cell n of s would be, after the cells s
// ran, and reports whether its output would be buffered, and why not.
func outQualifyCell(t testing.TB, s *Session, code string, n int) (bool, string) {
	t.Helper()
	s.execMu.Lock()
	defer s.execMu.Unlock()
	s.histMu.Lock()
	prior := append([]string(nil), s.prior...)
	s.histMu.Unlock()
	if _, err := s.lowerSource(prior, code, n); err != nil {
		t.Fatalf("lowering %q: %v", code, err)
	}
	return s.outQualifies(code, n)
}

func TestOutbufQualifies(t *testing.T) {
	impureQ := "type Q struct{}\nfunc (Q) String() string { os.Stdout.WriteString(\"!\"); return \"q\" }"
	cases := []struct {
		name  string
		prior []string
		cell  string
		want  bool
	}{
		{"print loop", nil, "for i := 0; i < 10000; i++ {\n\tfmt.Println(i)\n}", true},
		{"Printf and Sprintf", nil, "s := fmt.Sprintf(\"%03d\", 7)\nfmt.Printf(\"%s %v\\n\", s, []int{1})", true},
		{"strings.Builder", nil, "var b strings.Builder\nb.WriteString(\"x\")\nfmt.Fprintln(&b, 1)\nfmt.Print(b.String())", true},
		{"strconv math sort slices", nil, "xs := []int{3, 1}\nsort.Ints(xs)\nfmt.Println(strconv.Itoa(xs[0]), math.Sqrt(2), slices.Max(xs))", true},
		{"time.Sleep", nil, "fmt.Println(\"a\")\ntime.Sleep(time.Millisecond)\nfmt.Println(\"b\", time.Since(time.Now()) < time.Hour)", true},
		{"println builtin", nil, "println(\"x\", 1)", true},
		{"log.Println", nil, "log.Println(\"x\")", true},
		{"same-cell func", nil, "func sq(x int) int { return x * x }\nfmt.Println(sq(3))", true},
		{"same-cell Stringer", nil, "type P struct{ X int }\nfunc (p P) String() string { return \"P\" }\nfmt.Println(P{1}, []P{{2}})", true},
		{"sort.Slice with a closure", nil, "xs := []int{3, 1}\nsort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })\nfmt.Println(xs)", true},
		{"error argument", nil, "_, err := strconv.Atoi(\"x\")\nfmt.Println(\"error:\", err, errors.New(\"e\"))", true},
		{"final value", nil, "type P struct{ X int }\nfunc (p P) String() string { return \"P\" }\nfmt.Println(\"a\")\nP{1}", true},
		{"final value of a call", nil, "fmt.Println(\"a\")\nstrings.Repeat(\"ab\", 3)", true},
		{"earlier pure func", []string{"func sq(x int) int { return x * x }"}, "fmt.Println(sq(3))", true},
		{"earlier pure func calling earlier pure func", []string{"func sq(x int) int { return x * x }", "func show(x int) { fmt.Println(sq(x)) }"}, "show(2)", true},
		{"diamond of earlier funcs", []string{"func a() int { return 1 }\nfunc b() int { return a() }\nfunc c() int { return a() }\nfunc d() int { return b() + c() }"}, "fmt.Println(d(), b())", true},
		{"recursive func not called", nil, "func f(n int) int { return f(n - 1) }\nfmt.Println(1)", true},
		{"earlier pure method", []string{"type C struct{ n int }\nfunc (c *C) Inc() { c.n++; fmt.Println(c.n) }"}, "c := &C{}\nc.Inc()", true},

		{"recursion", nil, "func fib(n int) int {\n\tif n < 2 {\n\t\treturn n\n\t}\n\treturn fib(n-1) + fib(n-2)\n}\nfmt.Println(fib(10))", false},
		{"mutual recursion", nil, "func even(n int) bool { return n == 0 || odd(n-1) }\nfunc odd(n int) bool { return n != 0 && even(n-1) }\nfmt.Println(even(4))", false},
		{"earlier recursive func", []string{"func down(n int) {\n\tfmt.Println(n)\n\tif n > 0 {\n\t\tdown(n - 1)\n\t}\n}"}, "down(3)", false},
		{"String printing its receiver", nil, "type T struct{ X int }\nfunc (t T) String() string { return fmt.Sprintf(\"%v\", t) }\nfmt.Println(1)", false},
		{"final value of an earlier impure Stringer", []string{impureQ}, "fmt.Println(\"a\")\nQ{}", false},
		{"final error value", nil, "fmt.Println(\"a\")\nerrors.New(\"x\")", false},
		{"same-cell func writing os.Stdout", nil, "func raw() { os.Stdout.WriteString(\"x\") }\nfmt.Println(1)", false},
		{"os.Stdout", nil, "fmt.Println(\"a\")\nos.Stdout.WriteString(\"b\\n\")", false},
		{"fmt.Fprintln(os.Stderr)", nil, "fmt.Fprintln(os.Stderr, \"x\")", false},
		{"bytes.Buffer.WriteTo(os.Stdout)", nil, "var b bytes.Buffer\nb.WriteString(\"x\")\nb.WriteTo(os.Stdout)", false},
		{"Fprintln to an io.Writer", []string{"var w io.Writer = os.Stdout"}, "fmt.Fprintln(w, 1)", false},
		{"runtime/debug.PrintStack", nil, "debug.PrintStack()", false},
		{"log.Default", nil, "log.Default().Println(1)", false},
		{"go statement", nil, "go fmt.Println(1)\nfmt.Println(2)", false},
		{"after a go statement", []string{"go func() {}()"}, "fmt.Println(1)", false},
		{"channel", nil, "ch := make(chan int, 1)\nch <- 1\nfmt.Println(<-ch)", false},
		{"display.Show", nil, "fmt.Println(1)\ndisplay.Show(display.Markdown(\"x\"))", false},
		{"gonum call", nil, "fmt.Println(floats.Sum([]float64{1, 2}))", false},
		{"fmt.Scanln", nil, "var x int\nfmt.Scanln(&x)", false},
		{"earlier func writing os.Stdout", []string{"func raw(s string) { os.Stdout.WriteString(s) }"}, "raw(\"x\")", false},
		{"earlier func calling one writing os.Stdout", []string{"func raw(s string) { os.Stdout.WriteString(s) }", "func wrap() { fmt.Println(1); raw(\"x\") }"}, "wrap()", false},
		{"earlier func whose callee was redeclared", []string{"func f() { fmt.Println(1) }", "func g() { f() }", "func f() { os.Stdout.WriteString(\"x\") }"}, "g()", false},
		{"earlier Stringer writing os.Stdout", []string{impureQ}, "fmt.Println(Q{})", false},
		{"interface argument with an impure earlier Stringer", []string{impureQ, "var v any = 1"}, "fmt.Println(v)", false},
		{"interface argument holding a value of a redeclared impure Stringer", []string{impureQ, "var v any = Q{}", "type Q struct{ X int }"}, "fmt.Println(v)", false},
		{"interface method call", nil, "var s fmt.Stringer = time.Second\nfmt.Println(s.String())", false},
		{"earlier json.Encoder on stdout", []string{"enc := json.NewEncoder(os.Stdout)"}, "enc.Encode(1)", false},
		{"earlier func using a json.Encoder of its cell", []string{"enc := json.NewEncoder(os.Stdout)\nfunc emit(x int) { enc.Encode(x) }"}, "emit(1)", false},
		{"earlier variable holding a func", []string{"var hook = func() { os.Stdout.WriteString(\"x\") }"}, "hook()", false},
		{"type assertion to a func type", []string{"var x any = func() { os.Stdout.WriteString(\"x\") }"}, "x.(func())()", false},
		{"earlier impure func as a value", []string{"func up(r rune) rune { os.Stdout.WriteString(\"x\"); return r }"}, "fmt.Println(strings.Map(up, \"ab\"))", false},
		{"compiled func with interface params as a value", nil, "f := sort.Sort\n_ = f", false},
		{"sort.Sort of an interface", []string{"type R []int\nfunc (r R) Len() int { os.Stdout.WriteString(\"x\"); return len(r) }\nfunc (r R) Less(i, j int) bool { return r[i] < r[j] }\nfunc (r R) Swap(i, j int) { r[i], r[j] = r[j], r[i] }"}, "sort.Sort(R{2, 1})", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSession(SessionOptions{Stdout: &testutil.LockedBuffer{}, Stderr: &testutil.LockedBuffer{}})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for i, p := range tc.prior {
				res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: p, ExecutionCount: i + 1}, &sessOutput{})
				if err != nil || res.Status != kernel.StatusOK {
					t.Fatalf("prior cell %q: %+v %v", p, res.Error, err)
				}
			}
			got, why := outQualifyCell(t, s, tc.cell, len(tc.prior)+1)
			if got != tc.want {
				t.Errorf("%q: qualifies %v (%s), want %v", tc.cell, got, why, tc.want)
			}
		})
	}
}

// TestOutBuffer checks the buffer alone: order, the size limit, the
// timer, and that turning it off flushes.
func TestOutBuffer(t *testing.T) {
	var w testutil.LockedBuffer
	b := newOutBuffer(&w)
	b.Write([]byte("a"))
	if w.String() != "a" {
		t.Fatalf("unbuffered write: %q", w.String())
	}
	b.setBuffering(true)
	b.Write([]byte("b"))
	if w.String() != "a" {
		t.Fatalf("buffered write went through at once: %q", w.String())
	}
	deadline := time.Now().Add(time.Second)
	for w.String() != "ab" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if w.String() != "ab" {
		t.Fatalf("the timer did not flush: %q", w.String())
	}
	big := strings.Repeat("x", outBufMax-10)
	b.Write([]byte(big))
	b.Write([]byte("0123456789y")) // over the limit: the first goes out
	if got := w.String(); got != "ab"+big {
		t.Fatalf("size flush: %d bytes", len(got))
	}
	b.Write([]byte("z"))
	b.setBuffering(false)
	if got := w.String(); got != "ab"+big+"0123456789yz" {
		t.Fatalf("turning off did not flush: ...%q", got[len(got)-12:])
	}
	b.Write([]byte("!"))
	if got := w.String(); !strings.HasSuffix(got, "yz!") {
		t.Fatalf("unbuffered after: ...%q", got[len(got)-5:])
	}
}

// TestOutbufRoutedPrinters checks the premise of the qualifying list:
// yaegi writes fmt.Print*, log.Print* and the print builtins of cells to
// the session's stream writers (in-process: to the cell's Output), not to
// fd 1 and 2.
func TestOutbufRoutedPrinters(t *testing.T) {
	s, err := NewSession(SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := &sessOutput{}
	res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: "fmt.Print(\"p \")\nfmt.Printf(\"%s \", \"f\")\nfmt.Println(\"l\")\nprint(\"b \")\nprintln(\"bl\")\nlog.Print(\"g1\")\nlog.Printf(\"g%d\", 2)\nlog.Println(\"g3\")", ExecutionCount: 1}, out)
	if err != nil || res.Status != kernel.StatusOK {
		t.Fatal(res.Error, err)
	}
	if got := out.out(); got != "p f l\nb bl\n" {
		t.Errorf("stdout %q", got)
	}
	if got := out.err(); !strings.Contains(got, "g1\n") || !strings.Contains(got, "g2\n") || !strings.Contains(got, "g3\n") {
		t.Errorf("stderr %q", got)
	}
}

// BenchmarkOutbufCheck measures deciding whether a cell's output may be
// buffered (done for every cell the worker runs).
func BenchmarkOutbufCheck(b *testing.B) {
	s, err := NewSession(SessionOptions{Stdout: &testutil.LockedBuffer{}, Stderr: &testutil.LockedBuffer{}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i, p := range []string{"func sq(x int) int { return x * x }", "type P struct{ X int }\nfunc (p P) String() string { return \"P\" }", "ps := []P{{1}}"} {
		if res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: p, ExecutionCount: i + 1}, &sessOutput{}); err != nil || res.Status != kernel.StatusOK {
			b.Fatal(p, res.Error, err)
		}
	}
	code := "for i := 0; i < 10; i++ {\n\tfmt.Println(sq(i), ps, errors.New(\"x\"))\n}"
	if ok, why := outQualifyCell(b, s, code, 4); !ok {
		b.Fatal(why)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ok, why := s.outQualifies(code, 4); !ok {
			b.Fatal(why)
		}
	}
}

// countingWriter counts the writes it gets.
type countingWriter struct {
	testutil.LockedBuffer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(1)
	return c.LockedBuffer.Write(p)
}

func (c *countingWriter) writes() int { return int(c.n.Load()) }

// TestOutbufWrites checks that a session with fixed writers (the
// worker's) writes a qualifying print loop in a few large writes, and a
// loop that does not qualify line by line, in order either way.
func TestOutbufWrites(t *testing.T) {
	cases := []struct {
		name     string
		code     string
		buffered bool
	}{
		{"print loop", "for i := 0; i < 2000; i++ {\n\tfmt.Println(i)\n}", true},
		{"print loop calling gonum", "for i := 0; i < 2000; i++ {\n\tfmt.Println(i + int(floats.Sum(nil)))\n}", false},
	}
	var want strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintln(&want, i)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := &countingWriter{}
			s, err := NewSession(SessionOptions{Stdout: w, Stderr: &testutil.LockedBuffer{}})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: tc.code, ExecutionCount: 1}, &sessOutput{})
			if err != nil || res.Status != kernel.StatusOK {
				t.Fatal(res.Error, err)
			}
			if w.String() != want.String() {
				t.Errorf("%d bytes written, want %d", len(w.String()), want.Len())
			}
			if n := w.writes(); tc.buffered != (n < 200) {
				t.Errorf("%d writes for 2000 lines (buffered: %v)", n, tc.buffered)
			}
		})
	}
}

// BenchmarkOutbufCheckManyTypes measures the check of a cell printing an
// interface value (every earlier type's String, Error… methods must be
// known not to print) after a number of cells declaring Stringer types.
func BenchmarkOutbufCheckManyTypes(b *testing.B) {
	for _, nTypes := range []int{0, 100, 300} {
		b.Run(fmt.Sprint(nTypes), func(b *testing.B) {
			s, err := NewSession(SessionOptions{Stdout: &testutil.LockedBuffer{}, Stderr: &testutil.LockedBuffer{}})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			cells := []string{"var e error = errors.New(\"x\")"}
			for i := 0; i < nTypes; i++ {
				cells = append(cells, fmt.Sprintf("type T%d struct{ X int }\nfunc (t T%d) String() string { return \"t\" }", i, i))
			}
			for i, c := range cells {
				if res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: c, ExecutionCount: i + 1}, &sessOutput{}); err != nil || res.Status != kernel.StatusOK {
					b.Fatal(c, res.Error, err)
				}
			}
			code, n := "fmt.Println(e)", len(cells)+1
			if ok, why := outQualifyCell(b, s, code, n); !ok {
				b.Fatal(why)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.outQualifies(code, n)
			}
		})
	}
}
