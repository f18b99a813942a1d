package interp

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/godl-kernel/godl/kernel"
)

// sessOutput is a kernel.Output that records what a cell produces.
type sessOutput struct {
	mu       sync.Mutex
	displays []kernel.Display
	stdout   strings.Builder
	stderr   strings.Builder
	inputs   []string // answers to Input, in order
	prompts  int
}

func (o *sessOutput) Stream(name, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if name == "stdout" {
		o.stdout.WriteString(text)
	} else {
		o.stderr.WriteString(text)
	}
}
func (o *sessOutput) Display(d kernel.Display) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.displays = append(o.displays, d)
}
func (o *sessOutput) ClearOutput(wait bool) {}
func (o *sessOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.inputs) == 0 {
		return "", errors.New("no more input")
	}
	o.prompts++
	s := o.inputs[0]
	o.inputs = o.inputs[1:]
	return s, nil
}

func (o *sessOutput) out() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stdout.String()
}

func (o *sessOutput) err() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stderr.String()
}

// cellRun is the outcome of one cell in a test.
type cellRun struct {
	res      kernel.ExecuteResult
	stdout   string
	stderr   string
	displays []kernel.Display
}

func (r cellRun) value() string {
	if r.res.Value == nil {
		return ""
	}
	s, _ := r.res.Value.Data["text/plain"].(string)
	return s
}

func (r cellRun) errText() string {
	if r.res.Error == nil {
		return ""
	}
	return r.res.Error.Name + ": " + r.res.Error.Value + "\n" + strings.Join(r.res.Error.Traceback, "\n")
}

type testSession struct {
	t testing.TB
	s *Session
	n int
}

func newTestSession(t testing.TB) *testSession {
	s, err := NewSession(SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &testSession{t: t, s: s}
}

func (ts *testSession) run(code string, inputs ...string) cellRun {
	ts.n++
	out := &sessOutput{inputs: inputs}
	res, err := ts.s.Execute(context.Background(), kernel.ExecuteRequest{Code: code, ExecutionCount: ts.n, AllowStdin: inputs != nil}, out)
	if err != nil {
		ts.t.Fatalf("Execute(%q): evaluator error %v", code, err)
	}
	out.mu.Lock()
	displays := append([]kernel.Display(nil), out.displays...)
	out.mu.Unlock()
	return cellRun{res, out.out(), out.err(), displays}
}

// replCase is a sequence of cells and what the last one must produce.
type replCase struct {
	name   string
	cells  []string // all but the last must succeed
	last   string
	value  string // expected Out text ("" = no value)
	stdout string // substring expected in stdout
	stderr string // substring expected in stderr
	err    string // substring expected in the error (ename: evalue + traceback)
	noOut  bool   // the last cell must show no value
	inputs []string
}

func TestREPL(t *testing.T) {
	cases := []replCase{
		// 1. Cells: any mix in any order.
		{name: "expression", last: "1+1", value: "2"},
		{name: "string quoted", last: `"hi"`, value: `"hi"`},
		{name: "mixed cell", last: "import \"strings\"\nfunc up(s string) string { return strings.ToUpper(s) }\nx := up(\"go\")\ntype P struct{ X int }\np := P{2}\nx + fmt.Sprint(p.X)", value: `"GO2"`},
		{name: "decl after use", last: "y := twice(4)\nfunc twice(n int) int { return 2 * n }\ny", value: "8"},
		// Package types in declarations: yaegi resolves them through the
		// position's file name (importForCells).
		{name: "var of a package type", last: "var b strings.Builder\nb.WriteString(\"hi\")\nb.String()", value: `"hi"`},
		{name: "package type in a later cell", cells: []string{`fmt.Println(1)`}, last: "var wg sync.WaitGroup\nwg.Add(1)\ngo func() { defer wg.Done() }()\nwg.Wait()\nbuf := bytes.Buffer{}\nbuf.Len()", value: "0"},
		{name: "preloaded package type", cells: []string{`import "gonum.org/v1/plot/plotter"`}, last: "var xs plotter.XYs\nxs = append(xs, plotter.XY{X: 1, Y: 2})\nlen(xs)", value: "1"},
		{name: "struct field of package type", last: "type Acc struct{ B strings.Builder; M mat.Dense }\nvar acc Acc\nacc.B.WriteString(\"ab\")\nacc.B.Len()", value: "2"},
		// Interface values of compiled types after a cell declared a type
		// (the typed show path; yaegi's default-only type switch gave nil).
		{name: "compiled error after a type decl", cells: []string{"type Pt struct{ X int }"}, last: `errors.New("boom")`, value: "boom"},
		{name: "tensor interface after a type decl", cells: []string{"type Pt2 struct{ X int }", "x := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))"}, last: "y, _ := tensor.Add(x, x)\ny", value: "tensor.Dense (2) float64\n2  4"},
		// Compiled interfaces with unexported methods (tensor.Tensor).
		{name: "compiled type to interface with unexported methods", last: "x := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 4}))\nvar z tensor.Tensor = x\nz.Shape()", value: "(2)"},
		{name: "import after statement", last: "a := 3\nimport \"math\"\nmath.Sqrt(float64(a*a))", value: "3"},
		{name: "persist vars", cells: []string{"v := 41"}, last: "v + 1", value: "42"},
		{name: "persist funcs", cells: []string{"func sq(x int) int { return x * x }"}, last: "sq(7)", value: "49"},
		{name: "method", cells: []string{"type C struct{ n int }\nfunc (c *C) Inc() { c.n++ }"}, last: "c := &C{}\nc.Inc()\nc.Inc()\nc.n", value: "2"},
		{name: "var decl statement", last: "var z int = 5\nvar w = z * 2\nw", value: "10"},
		{name: "multi assign", last: "q, r := 7/2, 7%2\nq*10 + r", value: "31"},
		{name: "loop", last: "s := 0\nfor i := 0; i < 10; i++ { s += i }\ns", value: "45"},
		{name: "closure kept", cells: []string{"n := 0\ninc := func() { n++ }", "inc()\ninc()"}, last: "n", value: "2"},
		{name: "global used by func", cells: []string{"count := 10\nfunc bump() { count++ }", "bump()"}, last: "count", value: "11"},
		{name: "undefined error position", cells: []string{"ok := 1"}, last: "ok2 := 1\nfmt.Println(nope)", err: "cell2:2:13: undefined: nope"},
		{name: "syntax error position", last: "x := 1\ny := (", err: "SyntaxError"},
		{name: "unterminated import is a syntax error", last: "import \"fmt", err: "SyntaxError"},
		{name: "syntax error line", last: "a := 1\nb := 2 +* 3", err: "cell1:2:"},
		{name: "panic", last: "panic(\"boom\")", err: "panic: boom"},
		{name: "panic position in earlier cell", cells: []string{"func bad(i int) int {\n\tvar a []int\n\treturn a[i]\n}"}, last: "bad(3)", err: "cell1:"},
		{name: "panic traceback", cells: []string{"func bad2(i int) int {\n\tvar a []int\n\treturn a[i]\n}"}, last: "x := 1\nbad2(x)", err: "in func bad2, in the statement at cell1:3:2\n  in cell 2, in the statement at cell2:2:1"},
		{name: "panic names cell", last: "x := 1\nif x == 1 {\n\tpanic(fmt.Sprintf(\"x=%d\", x))\n}", err: "x=1"},
		// Go 1.22+ (the language helper's lowering).
		{name: "range over int", last: "t := 0\nfor i := range 5 { t += i }\nt", value: "10"},
		{name: "slices sort", last: "xs := []int{3, 1, 2}\nslices.Sort(xs)\nxs", value: "[1 2 3]"},
		{name: "maps keys sorted", last: "m := map[string]int{\"b\": 1, \"a\": 2}\nslices.Sorted(maps.Keys(m))", value: "[a b]"},
		{name: "min max vars", last: "a, b := 3, 7\nmin(a, b) * max(a, b)", value: "21"},
		{name: "min max", last: "min(3, 1, 2) + max(4, 9)", value: "10"},
		{name: "loop var per iteration", last: "var fs []func() int\nfor i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }\nfs[0]() + fs[1]() + fs[2]()", value: "3"},
		{name: "type error from go/types", last: "var n int = \"s\"", err: "cell1:1:13"},
		// 2. Auto-import.
		{name: "auto import std", last: `strings.Repeat("ab", 2)`, value: `"abab"`},
		{name: "auto import in func", cells: []string{"func j(xs []string) string { return strings.Join(xs, \"-\") }"}, last: `j([]string{"a","b"})`, value: `"a-b"`},
		{name: "repeat import", cells: []string{`import "sort"`}, last: "import \"sort\"\nxs := []int{3,1,2}\nsort.Ints(xs)\nxs", value: "[1 2 3]"},
		{name: "unused import", last: "import \"bytes\"\n1", value: "1"},
		{name: "alias import", last: "import str \"strings\"\nstr.ToLower(\"A\")", value: `"a"`},
		{name: "unknown import", last: `import "no/such/pkg"`, err: "no/such/pkg"},
		{name: "auto import preloaded", last: "m := mat.NewDense(2, 2, []float64{1, 2, 3, 4})\nm.At(1, 0)", value: "3"},
		{name: "auto import preloaded stat", last: "stat.Mean([]float64{1, 2, 3}, nil)", value: "2"},
		{name: "local shadows package", last: "strings := []string{\"x\"}\nlen(strings)", value: "1"},
		// 3. Out values.
		{name: "println shows nothing", last: `fmt.Println("hello")`, stdout: "hello\n", noOut: true},
		{name: "printf shows nothing", last: `fmt.Printf("%d\n", 3)`, stdout: "3\n", noOut: true},
		{name: "call returning nothing", cells: []string{"func nothing() {}"}, last: "nothing()", noOut: true},
		{name: "call returning value", cells: []string{"func f3(x int) int { return x * 3 }"}, last: "f3(3)", value: "9"},
		{name: "multiple results", last: `strconv.Atoi("12")`, value: "(12, <nil>)"},
		{name: "String method honoured", cells: []string{"type Temp float64\nfunc (t Temp) String() string { return fmt.Sprintf(\"%.1f°C\", float64(t)) }"}, last: "Temp(21.5)", value: "21.5°C"},
		{name: "slice of any", last: "[]any{1, \"a\"}", value: "[1 a]"},
		{name: "slice of any var", last: "xs := []any{1, 2}\nxs", value: "[1 2]"},
		{name: "struct value", last: "type Pt struct{ X, Y int }\nPt{1, 2}", value: "{1 2}"},
		{name: "slice value", last: "[]string{\"a\"}", value: "[a]"},
		{name: "assignment shows nothing", last: "zz := 3", noOut: true},
		{name: "nil error call shows nothing", cells: []string{"func mayFail() error { return nil }"}, last: "mayFail()", noOut: true},
		{name: "error value shown", cells: []string{"func fails() error { return errors.New(\"bad\") }"}, last: "fails()", value: "bad"},
		// 4. Redefinition.
		{name: "redefine func old callers", cells: []string{"func g1() int { return 1 }", "func g2() int { return g1() * 10 }", "func g1() int { return 2 }"}, last: "g2()", value: "20"},
		{name: "redefine var type", cells: []string{"rv := 1"}, last: "rv := \"s\"\nrv", value: `"s"`},
		{name: "redefine var type used by func", cells: []string{"tv := 1", "func show() string { return fmt.Sprint(tv) }", "tv := 2"}, last: "show()", value: `"2"`},
		{name: "redefine type", cells: []string{"type R struct{ A int }", "type R struct{ A, B int }"}, last: "R{1, 2}", value: "{1 2}"},
		{name: "redefine method", cells: []string{"type M int\nfunc (m M) String() string { return \"one\" }", "func (m M) String() string { return \"two\" }"}, last: "M(0)", value: "two"},
		{name: "redefine const", cells: []string{"const K = 1\nfunc k() int { return K }", "const K = 2"}, last: "k()", value: "2"},
		{name: "rebuild keeps vars", cells: []string{"keepme := []int{1, 2}", "func h1() int { return 1 }", "func h1() int { return 2 }"}, last: "keepme", value: "[1 2]"},
		{name: "rebuild notes", cells: []string{"kk := 1", "func h2() int { return 1 }"}, last: "func h2() int { return 2 }", stderr: "variables kept: kk"},
		{name: "rebuild keeps error var", cells: []string{"type E struct{}\nfunc (E) Error() string { return \"custom err\" }", "var e error = E{}", "func h3() int { return 1 }", "func h3() int { return 2 }"}, last: "fmt.Println(e)\ne.Error()", stdout: "custom err\n", value: `"custom err"`},
		{name: "func becomes var", cells: []string{"func fv() int { return 1 }"}, last: "fv := 3\nfv", value: "3"},
		{name: "rerun same decl", cells: []string{"func same() int { return 1 }\nsv := 1", "func same() int { return 1 }\nsv := 2"}, last: "same() + sv", value: "3"},
		// 6. Output and input.
		{name: "stdout stderr", last: "fmt.Println(\"out\")\nfmt.Fprintln(os.Stderr, \"err\")\nprintln(\"builtin\")", stdout: "out\n"},
		{name: "log to stderr", last: `log.Print("logged")`, stderr: "logged"},
		{name: "scan stdin", last: "var name string\nfmt.Scanln(&name)\nname", inputs: []string{"Ada"}, value: `"Ada"`},
		{name: "bufio stdin", last: "func readLine() string {\n\tline, _ := bufio.NewReader(os.Stdin).ReadString('\\n')\n\treturn line\n}\nreadLine()", inputs: []string{"hello"}, value: `"hello\n"`},
		{name: "bufio stdin top level", last: "r := bufio.NewReader(os.Stdin)\nline, _ := r.ReadString('\\n')\nline", inputs: []string{"hi"}, value: `"hi\n"`},
		{name: "scan top level", last: "var who string\nn, err := fmt.Scanln(&who)\nfmt.Sprint(n, err, who)", inputs: []string{"Bob"}, value: `"1 <nil>Bob"`},
		{name: "var from compiled call", last: "rd := strings.NewReader(\"abc\")\nrd.Len()", value: "3"},
		{name: "var error position", last: "a := 1\nb := a + nope\nb", err: "cell1:2:"},
		{name: "stdin not allowed", last: "func scanName() error {\n\tvar nm string\n\t_, err := fmt.Scanln(&nm)\n\treturn err\n}\nscanName()", value: "allow_stdin"},
		{name: "os exit", last: "os.Exit(3)", err: "os.Exit(3)"},
		// 8. Magics.
		{name: "help", last: "%help", stdout: "%who"},
		{name: "who", cells: []string{"wa := 1\nwb := \"x\""}, last: "%who", stdout: "wb        string  x"},
		{name: "who user type", cells: []string{"type Pt struct{ X int }\nwp := Pt{1}"}, last: "%who", stdout: "wp        Pt"},
		{name: "time", last: "%time\nx := 2\nx * 3", value: "6", stdout: "Wall time"},
		{name: "env set get", cells: []string{"%env GODL_TEST_X=42"}, last: "%env GODL_TEST_X", stdout: "42"},
		{name: "env from go", cells: []string{"%env GODL_TEST_Y=abc"}, last: `os.Getenv("GODL_TEST_Y")`, value: `"abc"`},
		{name: "shell", last: "!echo from-shell", stdout: "from-shell"},
		{name: "shell and go", last: "!echo one\nfmt.Println(\"two\")", stdout: "one\ntwo\n"},
		{name: "shell failure", last: "!exit 3", err: "exit status 3"},
		{name: "reset", cells: []string{"gone := 1", "%reset"}, last: "gone", err: "undefined: gone"},
		{name: "magic keeps go lines", last: "%time\nx := 1\ny := nope", err: "cell1:3:"},
	}
	runREPLCases(t, cases, false)
}

// runREPLCases runs each case in a fresh session: its cells must
// succeed, and its last cell must give what the case says. With
// exactValue the Out text must equal value, also when value is "" (no
// Out); otherwise an empty value is not checked (noOut checks that), and
// a value must be contained in the Out text, and equal it unless it is a
// tuple "(…)" or the case is "stdin not allowed".
func runREPLCases(t *testing.T, cases []replCase, exactValue bool) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestSession(t)
			for _, c := range tc.cells {
				r := ts.run(c)
				if r.res.Status != kernel.StatusOK {
					t.Fatalf("cell %q failed: %s", c, r.errText())
				}
			}
			r := ts.run(tc.last, tc.inputs...)
			if tc.err != "" {
				if r.res.Status != kernel.StatusError {
					t.Fatalf("want error containing %q, got ok (value %q, stdout %q)", tc.err, r.value(), r.stdout)
				}
				if !strings.Contains(r.errText(), tc.err) {
					t.Fatalf("error %q does not contain %q", r.errText(), tc.err)
				}
				return
			}
			if r.res.Status != kernel.StatusOK {
				t.Fatalf("unexpected error: %s\nstderr: %s", r.errText(), r.stderr)
			}
			switch {
			case exactValue:
				if r.value() != tc.value {
					t.Errorf("value %q, want %q", r.value(), tc.value)
				}
			case tc.value != "":
				if !strings.Contains(r.value(), tc.value) {
					t.Errorf("value %q, want %q", r.value(), tc.value)
				}
				if !strings.HasPrefix(tc.value, "(") && tc.name != "stdin not allowed" && r.value() != tc.value {
					t.Errorf("value %q, want exactly %q", r.value(), tc.value)
				}
			}
			if tc.noOut && r.res.Value != nil {
				t.Errorf("want no value, got %q", r.value())
			}
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout %q does not contain %q", r.stdout, tc.stdout)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.stderr)
			}
		})
	}
}

// TestInterrupt checks that a busy loop, a sleep and a channel wait stop
// within a second and keep the variables.
func TestInterrupt(t *testing.T) {
	cells := map[string]string{
		"busy loop":    "for { kept++ }",
		"sleep":        "time.Sleep(time.Hour)",
		"channel wait": "ch := make(chan int)\n<-ch",
		"select":       "select {}",
	}
	for name, code := range cells {
		t.Run(name, func(t *testing.T) {
			ts := newTestSession(t)
			if r := ts.run("kept := 7"); r.res.Status != kernel.StatusOK {
				t.Fatal(r.errText())
			}
			r := runInterrupted(t, ts, code)
			if !strings.Contains(r.res.Error.Value, "interrupted by the user") {
				t.Errorf("evalue %q", r.res.Error.Value)
			}
			// Only a compiled call (time.Sleep) outlives the interrupt,
			// and the error says so.
			if stuck := strings.Contains(r.res.Error.Value, "compiled call"); stuck != (name == "sleep") {
				t.Errorf("evalue %q: compiled call mentioned = %v", r.res.Error.Value, stuck)
			}
			r = ts.run("kept >= 7")
			if r.value() != "true" {
				t.Fatalf("variable lost after interrupt: %q %s", r.value(), r.errText())
			}
		})
	}
}

// TestInterruptStopsBackground documents yaegi's cancellation: an
// interrupt also stops goroutines started by earlier cells (at their next
// interpreted step); their variables are kept.
func TestInterruptStopsBackground(t *testing.T) {
	ts := newTestSession(t)
	if r := ts.run("ticks := 0\ngo func() {\n\tfor {\n\t\tticks++\n\t\ttime.Sleep(time.Millisecond)\n\t}\n}()"); r.res.Status != kernel.StatusOK {
		t.Fatal(r.errText())
	}
	checkInterruptStops(t, ts, "ticks")
}

// runInterrupted runs code and interrupts it 300 ms later; the cell must
// end as Interrupted within a second of the interrupt.
func runInterrupted(t *testing.T, ts *testSession, code string) cellRun {
	t.Helper()
	go func() {
		time.Sleep(300 * time.Millisecond)
		ts.s.Interrupt()
	}()
	start := time.Now()
	r := ts.run(code)
	if d := time.Since(start); d > 1300*time.Millisecond {
		t.Errorf("interrupt took %v", d)
	}
	if r.res.Status != kernel.StatusError || r.res.Error.Name != "Interrupted" {
		t.Fatalf("want Interrupted, got %s", r.errText())
	}
	return r
}

// checkInterruptStops interrupts a cell that blocks forever, 150 ms after
// a background goroutine started counting in the variable name, and
// checks that the goroutine counted and then stopped.
func checkInterruptStops(t *testing.T, ts *testSession, name string) {
	t.Helper()
	time.Sleep(50 * time.Millisecond)
	go func() {
		time.Sleep(100 * time.Millisecond)
		ts.s.Interrupt()
	}()
	if r := ts.run("select {}"); r.res.Status != kernel.StatusError {
		t.Fatal("not interrupted")
	}
	time.Sleep(50 * time.Millisecond)
	a := ts.run(name).value()
	time.Sleep(100 * time.Millisecond)
	b := ts.run(name).value()
	if a != b || a == "0" {
		t.Fatalf("background goroutine: %s %s then %s; want it stopped after counting", name, a, b)
	}
}

// TestShellInterrupt checks that !command stops on interrupt.
func TestShellInterrupt(t *testing.T) {
	ts := newTestSession(t)
	go func() {
		time.Sleep(200 * time.Millisecond)
		ts.s.Interrupt()
	}()
	start := time.Now()
	r := ts.run("!sleep 30")
	if time.Since(start) > 2*time.Second || r.res.Status != kernel.StatusError {
		t.Fatalf("shell not interrupted: %v %s", time.Since(start), r.errText())
	}
}

// TestDisplayInProcess checks that display.Show reaches the cell's
// Output when the session runs in-process.
func TestDisplayInProcess(t *testing.T) {
	ts := newTestSession(t)
	out := &sessOutput{}
	res, err := ts.s.Execute(context.Background(), kernel.ExecuteRequest{Code: "display.Show(display.HTML(\"<b>hi</b>\"))", ExecutionCount: 1}, out)
	if err != nil || res.Status != kernel.StatusOK {
		t.Fatal(err, res.Error)
	}
	if len(out.displays) != 1 || out.displays[0].Data["text/html"] != "<b>hi</b>" {
		t.Fatalf("displays %+v", out.displays)
	}
}

// TestRestart checks that Restart gives a fresh state.
func TestRestart(t *testing.T) {
	ts := newTestSession(t)
	ts.run("before := 1")
	if err := ts.s.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := ts.run("before"); r.res.Status != kernel.StatusError {
		t.Fatalf("variable survived restart: %q", r.value())
	}
	if r := ts.run("1+2"); r.value() != "3" {
		t.Fatalf("after restart: %s", r.errText())
	}
}

// TestPrior checks the sources kept for completion and inspection.
func TestPrior(t *testing.T) {
	ts := newTestSession(t)
	ts.run("a := 1")
	ts.run("nope(")
	ts.run("b := 2")
	got := ts.s.priorCells()
	if fmt.Sprint(got) != "[a := 1 b := 2]" {
		t.Fatalf("prior = %q", got)
	}
}

// TestHelpDelegation checks that Complete, Inspect and IsComplete see
// the cells that ran.
func TestHelpDelegation(t *testing.T) {
	ts := newTestSession(t)
	ts.run("myVariable := 42")
	ctx := context.Background()
	cr, err := ts.s.Complete(ctx, "myVa", 4)
	if err != nil || !slicesContains(cr.Matches, "myVariable") || cr.CursorStart != 0 || cr.CursorEnd != 4 {
		t.Fatalf("Complete: %+v %v", cr, err)
	}
	ir, err := ts.s.Inspect(ctx, "myVariable", 3, 0)
	if err != nil || !ir.Found {
		t.Fatalf("Inspect: %+v %v", ir, err)
	}
	for code, want := range map[string]string{"for {": "incomplete", "x := 1": "complete", "%who": "complete"} {
		r, err := ts.s.IsComplete(ctx, code)
		if err != nil || r.Status != want {
			t.Errorf("IsComplete(%q) = %+v %v, want %s", code, r, err, want)
		}
	}
}

func slicesContains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestWriters checks that with fixed writers output goes there.
func TestWriters(t *testing.T) {
	var so, se strings.Builder
	s, err := NewSession(SessionOptions{Stdout: &so, Stderr: &se})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := &sessOutput{}
	res, _ := s.Execute(context.Background(), kernel.ExecuteRequest{Code: "fmt.Println(\"x\")\nlog.Print(\"y\")", ExecutionCount: 1}, out)
	if res.Status != kernel.StatusOK || so.String() != "x\n" || !strings.Contains(se.String(), "y") || out.out() != "" {
		t.Fatalf("status %s stdout %q stderr %q out %q", res.Status, so.String(), se.String(), out.out())
	}
}

// BenchmarkTrivialCell measures the session's overhead on `1+1`: the
// mean, the best time of one cell, and bare yaegi's best on Eval("1+1")
// in the same run (the machine is shared and noisy).
func BenchmarkTrivialCell(b *testing.B) {
	ts := newTestSession(b)
	out := &sessOutput{}
	yi := yaegi.New(yaegi.Options{})
	if err := yi.Use(stdlib.Symbols); err != nil {
		b.Fatal(err)
	}
	bestS, bestY := time.Duration(1<<62), time.Duration(1<<62)
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		res, err := ts.s.Execute(context.Background(), kernel.ExecuteRequest{Code: "1+1", ExecutionCount: i + 1}, out)
		if err != nil || res.Status != kernel.StatusOK {
			b.Fatal(err, res.Error)
		}
		bestS = min(bestS, time.Since(t0))
		b.StopTimer()
		t0 = time.Now()
		if _, err := yi.Eval("1+1"); err != nil {
			b.Fatal(err)
		}
		bestY = min(bestY, time.Since(t0))
		b.StartTimer()
	}
	b.ReportMetric(float64(bestS.Microseconds()), "session-best-µs")
	b.ReportMetric(float64(bestY.Microseconds()), "bare-yaegi-best-µs")
}

// BenchmarkCPULoop is the CPU-loop row of kernelbench: sum i below 1e7.
// Each iteration also runs the loop on a bare yaegi interpreter (top
// level, as yaegi's REPL does), the peer in the same run; the metrics are
// the best times of both and their ratio (the machine is shared and
// noisy).
func BenchmarkCPULoop(b *testing.B) {
	const code = "s := 0\nfor i := 0; i < 10000000; i++ {\n\ts += i\n}\ns"
	ts := newTestSession(b)
	out := &sessOutput{}
	yi := yaegi.New(yaegi.Options{})
	if err := yi.Use(stdlib.Symbols); err != nil {
		b.Fatal(err)
	}
	bestS, bestY := time.Duration(1<<62), time.Duration(1<<62)
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		res, err := ts.s.Execute(context.Background(), kernel.ExecuteRequest{Code: code, ExecutionCount: i + 1}, out)
		if err != nil || res.Status != kernel.StatusOK {
			b.Fatal(err, res.Error)
		}
		if v := res.Value.Data["text/plain"]; v != "49999995000000" {
			b.Fatalf("value %v", v)
		}
		bestS = min(bestS, time.Since(t0))
		t0 = time.Now()
		v, err := yi.Eval(code)
		if err != nil || v.Interface() != 49999995000000 {
			b.Fatal(err, v)
		}
		bestY = min(bestY, time.Since(t0))
	}
	b.ReportMetric(bestS.Seconds(), "session-best-s")
	b.ReportMetric(bestY.Seconds(), "bare-yaegi-best-s")
	b.ReportMetric(float64(bestS)/float64(bestY), "session/bare")
}

// TestMemoryRerun checks that re-running a cell that allocates 50 MB
// does not pile up: the variable is reassigned, temporaries die with the
// cell function.
func TestMemoryRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 1 GB in total")
	}
	ts := newTestSession(t)
	cell := "big := make([]byte, 50<<20)\nbig[len(big)-1] = 1\ntmp := make([]byte, 50<<20)\nlen(big) + len(tmp) + len(make([]byte, 10<<20))"
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	ts.run(cell)
	base := heap()
	for i := 0; i < 20; i++ {
		if r := ts.run(cell); r.res.Status != kernel.StatusOK {
			t.Fatal(r.errText())
		}
	}
	if grown := int64(heap()) - int64(base); grown > 150<<20 {
		t.Fatalf("heap grew by %d MB over 20 re-runs of a 100 MB cell", grown>>20)
	}
}

// typedCase is a sequence of cells and the exact text/plain and
// text/html of the last one's value.
type typedCase struct {
	name  string
	cells []string
	last  string
	text  string // exact text/plain
	html  string // exact text/html ("" = none)
	extra map[string]string
}

// TestTypedValues checks values of types declared in cells: their
// String, Error and renderer methods are honoured, also through
// interfaces, across cells and across a rebuild.
func TestTypedValues(t *testing.T) {
	const tHTML = "type T struct{ N int }\nfunc (t T) HTML() string { return fmt.Sprintf(\"<b>%d</b>\", t.N) }"
	const eDecl = "type E struct{}\nfunc (E) Error() string { return \"custom err\" }"
	cases := []typedCase{
		{name: "html method", last: tHTML + "\nT{3}", text: "{3}", html: "<b>3</b>"},
		{name: "html method later cell", cells: []string{tHTML}, last: "T{3}", text: "{3}", html: "<b>3</b>"},
		{name: "string method added later", cells: []string{tHTML, "T{3}"}, last: "func (t T) String() string { return \"T!\" }\nT{4}", text: "T!", html: "<b>4</b>"},
		{name: "error var", last: eDecl + "\nvar e error = E{}\ne", text: "custom err"},
		{name: "error var later cell", cells: []string{eDecl, "var e error = E{}"}, last: "e", text: "custom err"},
		{name: "error var short", cells: []string{eDecl}, last: "var e error\ne = E{}\ne", text: "custom err"},
		{name: "any var", cells: []string{tHTML}, last: "var a any = T{5}\na", text: "{5}", html: "<b>5</b>"},
		{name: "any var later cell", cells: []string{tHTML, "var a any = T{5}"}, last: "a", text: "{5}", html: "<b>5</b>"},
		{name: "stringer var", cells: []string{"type S int\nfunc (s S) String() string { return fmt.Sprintf(\"S%d\", int(s)) }", "var st fmt.Stringer = S(2)"}, last: "st", text: "S2"},
		{name: "slice of stringers", cells: []string{"type S int\nfunc (s S) String() string { return fmt.Sprintf(\"S%d\", int(s)) }"}, last: "[]S{1, 2}", text: "[S1 S2]"},
		{name: "pointer receiver", cells: []string{"type P struct{ N int }\nfunc (p *P) String() string { return fmt.Sprintf(\"P(%d)\", p.N) }"}, last: "&P{7}", text: "P(7)"},
		{name: "pointer receiver html", cells: []string{"type P struct{ N int }\nfunc (p *P) HTML() string { return fmt.Sprintf(\"<i>%d</i>\", p.N) }"}, last: "&P{7}", text: "&{7}", html: "<i>7</i>"},
		{name: "user interface var", cells: []string{"type Shape interface{ Area() float64 }\ntype Sq struct{ S float64 }\nfunc (q Sq) Area() float64 { return q.S * q.S }\nfunc (q Sq) String() string { return fmt.Sprintf(\"Sq(%g)\", q.S) }", "var sh Shape = Sq{2}"}, last: "sh", text: "Sq(2)"},
		{name: "func result", cells: []string{tHTML, "func mk(n int) T { return T{n} }"}, last: "mk(9)", text: "{9}", html: "<b>9</b>"},
		{name: "func result error", cells: []string{eDecl, "func fail() error { return E{} }"}, last: "fail()", text: "custom err"},
		{name: "kept var", cells: []string{tHTML, "v := T{6}"}, last: "v", text: "{6}", html: "<b>6</b>"},
		{name: "kept across rebuild", cells: []string{tHTML, "v := T{6}\nvar a any = T{8}\nvar e error", "func h1() int { return 1 }", "func h1() int { return 2 }"}, last: "v", text: "{6}", html: "<b>6</b>"},
		{name: "any kept across rebuild", cells: []string{tHTML, "var a any = T{8}", "func h1() int { return 1 }", "func h1() int { return 2 }"}, last: "a", text: "{8}", html: "<b>8</b>"},
		{name: "redefined method", cells: []string{tHTML, "v := T{6}"}, last: "func (t T) HTML() string { return \"<u>new</u>\" }\nv", text: "{6}", html: "<u>new</u>"},
		{name: "markdown and latex", cells: []string{"type D struct{}\nfunc (D) Markdown() string { return \"*md*\" }\nfunc (D) Latex() string { return \"$x$\" }"}, last: "D{}", text: "{}", extra: map[string]string{"text/markdown": "*md*", "text/latex": "$x$"}},
		// A method of a cell type with a compiled result type
		// (display.Bundle) crashes yaegi's compiler (v0.16.1), so
		// Render is exercised through an interface only by display's
		// own tests.
		{name: "compiled error in error", cells: []string{eDecl}, last: "var e2 error = errors.New(\"plain\")\ne2", text: "plain"},
		{name: "compiled value in any", cells: []string{tHTML}, last: "var a any = 3\na", text: "3"},
		{name: "nil error result", cells: []string{eDecl, "func ok() error { return nil }"}, last: "ok()", text: ""},
		{name: "two results", cells: []string{tHTML, "func two() (T, error) { return T{1}, nil }"}, last: "two()", text: "({1}, <nil>)"},
		{name: "two results error", cells: []string{tHTML, eDecl, "func two() (T, error) { return T{}, E{} }"}, last: "two()", text: "({0}, custom err)"},
		{name: "nil pointer", cells: []string{"type P struct{ N int }\nfunc (p *P) String() string { return fmt.Sprint(p.N) }"}, last: "var np *P\nnp", text: "<nil>"},
		{name: "method panics", cells: []string{"type B struct{}\nfunc (B) HTML() string { panic(\"no html\") }"}, last: "B{}", text: "display: rendering B panicked: no html"},
		{name: "stringer slice kept", cells: []string{"type S int\nfunc (s S) String() string { return fmt.Sprintf(\"S%d\", int(s)) }", "ss := []S{3, 4}"}, last: "ss", text: "[S3 S4]"},
		{name: "stringer across rebuild", cells: []string{"type S int\nfunc (s S) String() string { return fmt.Sprintf(\"S%d\", int(s)) }", "var st fmt.Stringer = S(5)", "func h1() int { return 1 }", "func h1() int { return 2 }"}, last: "st", text: "S5"},
		{name: "type redefined value", cells: []string{tHTML, "T{6}"}, last: "type T struct{ N, M int }\nfunc (t T) HTML() string { return fmt.Sprintf(\"<b>%d</b>\", t.M) }\nT{1, 2}", text: "{1 2}", html: "<b>2</b>"},
		{name: "sprint after method added", cells: []string{tHTML, "T{3}", "func (t T) String() string { return \"T!\" }"}, last: "fmt.Sprint(T{4})", text: `"T!"`},
		{name: "println after method added", cells: []string{tHTML, "T{3}", "func (t T) String() string { return \"T!\" }"}, last: "x := T{4}\nfmt.Sprintln(x)", text: `"T!\n"`},
		{name: "any slice is one value", cells: []string{tHTML}, last: "[]any{1, \"a\"}", text: "[1 a]"},
		{name: "user interface with html", cells: []string{tHTML, "type Viz interface{ HTML() string }"}, last: "var z Viz = T{2}\nz", text: "{2}", html: "<b>2</b>"},
		{name: "pointer in any", cells: []string{"type P struct{ N int }\nfunc (p *P) String() string { return fmt.Sprintf(\"P(%d)\", p.N) }"}, last: "var a any = &P{3}\na", text: "P(3)"}, // a type switch without guard variable finds *P in an any (the guarded one missed it)
		{name: "func returning user interface", cells: []string{"type Shape interface{ Area() float64 }\ntype Sq struct{ S float64 }\nfunc (q Sq) Area() float64 { return q.S * q.S }\nfunc (q Sq) HTML() string { return \"<i>sq</i>\" }", "func mkShape() Shape { return Sq{3} }"}, last: "mkShape()", text: "{3}", html: "<i>sq</i>"},
		{name: "user interface across rebuild", cells: []string{"type Shape interface{ Area() float64 }\ntype Sq struct{ S float64 }\nfunc (q Sq) Area() float64 { return q.S * q.S }\nfunc (q Sq) String() string { return fmt.Sprintf(\"Sq(%g)\", q.S) }", "var sh Shape = Sq{2}", "func h1() int { return 1 }", "func h1() int { return 2 }"}, last: "sh", text: "Sq(2)"},
		{name: "generic type", cells: []string{"type Box[V any] struct{ X V }\nfunc (b Box[V]) String() string { return \"box\" }"}, last: "Box[int]{3}", text: "box"},
		{name: "json method", cells: []string{"type J struct{}\nfunc (J) JSON() any { return map[string]any{\"a\": 1} }"}, last: "J{}", text: "{}"},
		{name: "stringer var kept", cells: []string{"type S int\nfunc (s S) String() string { return fmt.Sprintf(\"S%d\", int(s)) }", "var st fmt.Stringer = S(2)"}, last: "st.String()", text: `"S2"`},
		{name: "compiled types unchanged", last: "display.HTML(\"<b>x</b>\")", text: "<b>x</b>", html: "<b>x</b>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestSession(t)
			for _, c := range tc.cells {
				if r := ts.run(c); r.res.Status != kernel.StatusOK {
					t.Fatalf("cell %q failed: %s", c, r.errText())
				}
			}
			r := ts.run(tc.last)
			if r.res.Status != kernel.StatusOK {
				t.Fatalf("unexpected error: %s\nstderr: %s", r.errText(), r.stderr)
			}
			if r.res.Value == nil {
				if tc.text != "" {
					t.Fatalf("no value")
				}
				return
			}
			if got := r.value(); got != tc.text {
				t.Errorf("text/plain %q, want %q", got, tc.text)
			}
			html, _ := r.res.Value.Data["text/html"].(string)
			if html != tc.html {
				t.Errorf("text/html %q, want %q", html, tc.html)
			}
			for k, want := range tc.extra {
				if got, _ := r.res.Value.Data[k].(string); got != want {
					t.Errorf("%s %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestDisplayCellTypes checks display.Show, display.Render and a
// Handle's Show and Update of values of types declared in cells: their
// String, Error and renderer methods are honoured (yaegi would pass the
// value to compiled code without them), with the cell's lines unchanged.
func TestDisplayCellTypes(t *testing.T) {
	const tHTML = "type T struct{ N int }\nfunc (t T) HTML() string { return fmt.Sprintf(\"<b>%d</b>\", t.N) }"
	const sDecl = "type S int\nfunc (s S) String() string { return fmt.Sprintf(\"S%d\", int(s)) }"
	const pDecl = "type P struct{ N int }\nfunc (p *P) HTML() string { return fmt.Sprintf(\"<i>%d</i>\", p.N) }\nfunc (p *P) String() string { return fmt.Sprintf(\"P(%d)\", p.N) }"
	type want struct {
		text, html string
		update     bool // an update_display_data of the display before
	}
	cases := []struct {
		name  string
		cells []string
		last  string
		want  []want
		value string // the cell's Out text, if any
	}{
		{name: "show html", cells: []string{tHTML}, last: "display.Show(T{3})", want: []want{{text: "{3}", html: "<b>3</b>"}}},
		{name: "show same cell", last: tHTML + "\ndisplay.Show(T{3})", want: []want{{text: "{3}", html: "<b>3</b>"}}},
		{name: "show stringer", cells: []string{sDecl}, last: "display.Show(S(4))", want: []want{{text: "S4"}}},
		{name: "show var", cells: []string{tHTML, "v := T{5}"}, last: "display.Show(v)", want: []want{{text: "{5}", html: "<b>5</b>"}}},
		{name: "show pointer", cells: []string{pDecl}, last: "display.Show(&P{7})", want: []want{{text: "P(7)", html: "<i>7</i>"}}},
		{name: "show nil pointer", cells: []string{pDecl}, last: "var np *P\ndisplay.Show(np)", want: []want{{text: "<nil>"}}},
		{name: "show error type", cells: []string{"type E struct{}\nfunc (E) Error() string { return \"custom err\" }"}, last: "display.Show(E{})", want: []want{{text: "custom err"}}},
		{name: "show in loop and func", cells: []string{sDecl, "func showAll(n int) {\n\tfor i := 0; i < n; i++ { display.Show(S(i)) }\n}"}, last: "showAll(2)", want: []want{{text: "S0"}, {text: "S1"}}},
		{name: "two on one line", cells: []string{sDecl}, last: "display.Show(S(1)); display.Show(S(1)); display.Show(S(2))", want: []want{{text: "S1"}, {text: "S1"}, {text: "S2"}}},
		{name: "handle show update", cells: []string{tHTML}, last: "h := display.New()\nh.Show(T{1})\nh.Update(T{2})\nh.Flush()", want: []want{{text: "{1}", html: "<b>1</b>"}, {text: "{2}", html: "<b>2</b>", update: true}}},
		{name: "handle update method added later", cells: []string{tHTML, "h := display.New()\nh.Show(T{1})", "func (t T) String() string { return \"T!\" }"}, last: "h.Update(T{2})\nh.Flush()", want: []want{{text: "T!", html: "<b>2</b>", update: true}}},
		{name: "render", cells: []string{tHTML}, last: "b := display.Render(T{6})\nb.Data[\"text/html\"]", value: `"<b>6</b>"`},
		{name: "lowered line", cells: []string{sDecl}, last: "for i := range 2 { display.Show(S(i)) }", want: []want{{text: "S0"}, {text: "S1"}}},
		{name: "method panics", cells: []string{"type B struct{}\nfunc (B) HTML() string { panic(\"no html\") }"}, last: "display.Show(B{})", want: []want{{text: "display: rendering B panicked: no html"}}},
		{name: "line numbers kept", cells: []string{tHTML}, last: "display.Show(T{1})\nvar n []int\n_ = n[3]", want: []want{{text: "{1}", html: "<b>1</b>"}}},
		{name: "compiled value unchanged", last: "display.Show(display.HTML(\"<u>x</u>\"))", want: []want{{text: "<u>x</u>", html: "<u>x</u>"}}},
		{name: "plain type unchanged", cells: []string{"type Q struct{ N int }"}, last: "display.Show(Q{2})", want: []want{{text: "{2}"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestSession(t)
			for _, c := range tc.cells {
				if r := ts.run(c); r.res.Status != kernel.StatusOK {
					t.Fatalf("cell %q failed: %s", c, r.errText())
				}
			}
			r := ts.run(tc.last)
			if tc.name == "line numbers kept" {
				if r.res.Status == kernel.StatusOK || !strings.Contains(r.errText(), "cell2:3:") {
					t.Errorf("want a panic at cell2:3, got status %v: %s", r.res.Status, r.errText())
				}
			} else if r.res.Status != kernel.StatusOK {
				t.Fatalf("unexpected error: %s\nstderr: %s", r.errText(), r.stderr)
			}
			if got := r.value(); got != tc.value {
				t.Errorf("value %q, want %q", got, tc.value)
			}
			if len(r.displays) != len(tc.want) {
				t.Fatalf("%d displays %+v, want %d", len(r.displays), r.displays, len(tc.want))
			}
			for i, w := range tc.want {
				d := r.displays[i]
				if got, _ := d.Data["text/plain"].(string); got != w.text {
					t.Errorf("display %d: text/plain %q, want %q", i, got, w.text)
				}
				if got, _ := d.Data["text/html"].(string); got != w.html {
					t.Errorf("display %d: text/html %q, want %q", i, got, w.html)
				}
				if d.Update != w.update {
					t.Errorf("display %d: update %v, want %v", i, d.Update, w.update)
				}
			}
		})
	}
}
