package interp

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/godl-kernel/godl/kernel"
)

// posRun runs cells in a fresh Session and returns the stdout and error
// text (name: value and traceback) of the last one; earlier cells must
// succeed.
func posRun(t *testing.T, cells ...string) (stdout, errText string) {
	t.Helper()
	s, err := NewSession(SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, c := range cells {
		out := &langOutput{}
		res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: c, ExecutionCount: i + 1}, out)
		if err != nil {
			t.Fatal(err)
		}
		if res.Error != nil {
			errText = res.Error.Name + ": " + res.Error.Value + "\n" + strings.Join(res.Error.Traceback, "\n")
			if i < len(cells)-1 {
				t.Fatalf("cell %d %q: %s", i+1, c, errText)
			}
		}
		stdout = out.out.String()
	}
	return stdout, errText
}

// TestDeferArguments checks that defer and go evaluate their arguments at
// the statement (yaegi alone reads them when the call runs).
func TestDeferArguments(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string // stdout
	}{
		{"range over int at top level", []string{"for i := range 3 { defer fmt.Println(i) }"}, "2\n1\n0\n"},
		{"three-clause loop at top level", []string{"for i := 0; i < 3; i++ { defer fmt.Println(i) }"}, "2\n1\n0\n"},
		{"later assignment at top level", []string{"x := 1\ndefer fmt.Println(x)\nx = 5"}, "1\n"},
		{"in a func", []string{"func f() {\n\tx := 1\n\tdefer fmt.Println(x)\n\tx = 5\n\tfor i := range 3 { defer fmt.Println(\"r\", i) }\n\tfor i := 0; i < 3; i++ { defer fmt.Println(\"c\", i) }\n}", "f()"},
			"c 2\nc 1\nc 0\nr 2\nr 1\nr 0\n1\n"},
		{"in a func of an earlier cell, interpreted callee", []string{"func show(a string, b int) { fmt.Println(a, b) }", "func g() { s := \"a\"; defer show(s, len(s)); s = \"bcd\" }", "g()"}, "a 1\n"},
		{"argument with rewrites of its own", []string{"for i := range 3 { defer fmt.Println(min(i, 1), i > 1) }"}, "1 true\n1 false\n0 false\n"},
		{"struct value", []string{"type P struct{ A int }", "p := P{1}\ndefer fmt.Println(p)\np.A = 2"}, "{1}\n"},
		{"func literal with arguments", []string{"x := 1\ndefer func(v int) { fmt.Println(v, x) }(x)\nx = 2"}, "1 2\n"},
		{"variadic spread", []string{"xs := []any{1, 2}\ndefer fmt.Println(xs...)\nxs = []any{3}"}, "1 2\n"},
		{"value receiver", []string{"type P struct{ A int }\nfunc (p P) M(s string) { fmt.Println(s, p.A) }", "p := P{1}\nfor i := range 2 { p.A = i; defer p.M(\"x\") }\np.A = 7"}, "x 1\nx 0\n"},
		{"pointer receiver variable", []string{"type Q struct{ A int }\nfunc (q *Q) M() { fmt.Println(q.A) }", "for i := range 3 { q := &Q{i}; defer q.M() }"}, "2\n1\n0\n"},
		{"interface receiver", []string{"type I interface{ M() }\ntype V int\nfunc (v V) M() { fmt.Println(int(v)) }", "var x I = V(1)\ndefer x.M()\nx = V(2)"}, "1\n"},
		{"pointer method of an addressable value", []string{"var wg sync.WaitGroup\nwg.Add(1)\nfunc() { defer wg.Done() }()\nwg.Wait()\nfmt.Println(\"done\")"}, "done\n"},
		{"builtin", []string{"m := map[string]int{\"a\": 1}\nk := \"a\"\nfunc() { defer delete(m, k); k = \"b\" }()\nfmt.Println(len(m))"}, "0\n"},
		{"deferred panic", []string{"func p() (r any) {\n\tdefer func() { r = recover() }()\n\tmsg := \"boom\"\n\tdefer panic(msg)\n\tmsg = \"other\"\n\treturn\n}", "fmt.Println(p())"}, "boom\n"},
		{"generic function of a package", []string{"xs := []int{3, 1, 2}\nys := xs\nfunc() { defer slices.Sort(xs); xs = []int{9, 8} }()\nfmt.Println(xs, ys)"}, "[9 8] [1 2 3]\n"},
		{"go arguments", []string{"ch := make(chan int, 3)\nfor i := 0; i < 3; i++ { go func(v int) { ch <- v }(i) }\ns := 0\nfor range 3 { s += 1 << (<-ch) }\nfmt.Println(s)"}, "7\n"},
		{"go arguments of a compiled call", []string{"var wg sync.WaitGroup\nvar mu sync.Mutex\nseen := map[int]bool{}\nadd := func(k int) { defer wg.Done(); mu.Lock(); seen[k] = true; mu.Unlock() }\nfor i := range 4 { wg.Add(1); go add(i) }\nwg.Wait()\nfmt.Println(len(seen))"}, "4\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, errText := posRun(t, tc.cells...)
			if errText != "" {
				t.Fatal(errText)
			}
			if got != tc.want {
				t.Errorf("stdout %q, want %q", got, tc.want)
			}
		})
	}
}

// cellPosRE matches the cell positions in error text.
var cellPosRE = regexp.MustCompile(`cell(\d+):(\d+):(\d+)`)

// checkPositions fails if a position in text is not inside the cells'
// own text (line and column of a character, or just after a line's end).
func checkPositions(t *testing.T, text string, cells []string) {
	t.Helper()
	for _, m := range cellPosRE.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		if n < 1 || n > len(cells) {
			t.Errorf("%s: no such cell", m[0])
			continue
		}
		lines := strings.Split(cells[n-1], "\n")
		if line < 1 || line > len(lines) || col < 1 || col > len(lines[line-1])+1 {
			t.Errorf("%s is outside cell %d %q", m[0], n, cells[n-1])
		}
	}
}

// TestSyntaxErrorPositions checks that errors name the cell's own line and
// column, also at the end of a cell, where the parser meets the text the
// engine wraps the cell in.
func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct {
		cells []string
		want  string // the first line of the error value
	}{
		{[]string{"x := 1\nx."}, "cell1:2:3: expected selector or type assertion, found 'EOF'"},
		{[]string{"x := 1\nx.\n\n"}, "cell1:2:3: expected selector or type assertion, found 'EOF'"},
		{[]string{"y := 0", "x := 1\nx."}, "cell2:2:3: expected selector or type assertion, found 'EOF'"},
		{[]string{"x :="}, "cell1:1:5: expected operand, found 'EOF'"},
		{[]string{"x := 1 +"}, "cell1:1:9: expected operand, found 'EOF'"},
		{[]string{"var x int ="}, "cell1:1:12: expected operand, found 'EOF'"},
		{[]string{"func f() {\n\tx := 1"}, "cell1:2:8: expected '}', found 'EOF'"},
		{[]string{"for i := 0; i < 3; i++ {\n\tfmt.Println(i)"}, "cell1:2:16: expected '}', found 'EOF'"},
		{[]string{"if true {\n"}, "cell1:1:10: expected '}', found 'EOF'"},
		{[]string{"import (\n\t\"fmt\""}, "cell1:2:7: expected ')', found 'EOF'"},
		{[]string{"import \"fmt"}, "cell1:1:8: string literal not terminated"},
		{[]string{"type T struct {\n\tA int"}, "cell1:2:7: expected '}', found 'EOF'"},
		{[]string{"func f() int { return 1 }\nf("}, "cell1:2:3: expected operand, found 'EOF'"},
		{[]string{"fmt.Println(\"a\""}, "cell1:1:16: missing ',' before newline in argument list"},
		{[]string{"x :=\nfmt.Println(x)"}, "cell1:2:1: multiple-value fmt.Println(x)"},
		{[]string{"x := 1\ny := x.\nz := 2"}, "cell1:3:"},
		{[]string{"func g() {\n\treturn 1\n}"}, "cell1:2:9: too many return values"},
		{[]string{"import \"fmt\"\nfunc g() int {\n\tfmt.Println()\n}"}, "cell1:4:1: missing return"},
		{[]string{"import (\n\t\"fmt\"\n\t\"nosuch/pkg\"\n)"}, "cell1:3:2: could not import nosuch/pkg"},
		{[]string{"x := 1\nimport \"strings\"\ny := strings.ToUpper(x)"}, "cell1:3:22: cannot use x"},
		{[]string{"type T struct{ A int }\nfunc (t T) M() string { return t.B }"}, "cell1:2:34: t.B undefined"},
		{[]string{"x := 1", "x.Foo()"}, "cell2:1:3: x.Foo undefined"},
		{[]string{"for i := range 3 {\n\tdefer fmt.Println(i, undefinedY)\n}\n"}, "cell1:2:23: undefined: undefinedY"},
	}
	for _, tc := range tests {
		t.Run(tc.cells[len(tc.cells)-1], func(t *testing.T) {
			_, errText := posRun(t, tc.cells...)
			if errText == "" {
				t.Fatal("no error")
			}
			value := strings.SplitN(errText, "\n", 2)[0]
			value = value[strings.Index(value, ": ")+2:] // drop the error name
			if !strings.HasPrefix(value, tc.want) {
				t.Errorf("error %q, want %q", value, tc.want)
			}
			checkPositions(t, errText, tc.cells)
		})
	}
}

// TestSyntaxErrorInWrappedParse checks parseCell's own error positions
// (the engine's parse of the lowered cell, inside a function body).
func TestSyntaxErrorInWrappedParse(t *testing.T) {
	for src, want := range map[string]string{
		"x := 1\nx.":     "cell4:2:3: expected selector or type assertion, found 'EOF'",
		"x := 1\nx.\n\n": "cell4:2:3: expected selector or type assertion, found 'EOF'",
		"if true {":      "cell4:1:10: expected '}', found 'EOF'",
	} {
		_, err := parseCell(src, 4)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("parseCell(%q): %v, want %q", src, err, want)
		}
	}
}

// TestLowerSyntaxFlag checks that the lowerer tells syntax errors from
// type errors, whatever their message.
func TestLowerSyntaxFlag(t *testing.T) {
	l := newCellLowerer(nil, stdlibExports())
	for src, syntax := range map[string]bool{
		"import \"fmt":       true,
		"s := []int{1, 2":    true,
		"x.":                 true,
		"var s string = 1":   false,
		"undefinedThing + 1": false,
	} {
		_, err := l.lowerCell(nil, src, 1)
		ce, ok := err.(*cellError)
		if !ok || ce.Syntax != syntax {
			t.Errorf("lowerCell(%q): %#v, want a cellError with Syntax %v", src, err, syntax)
		}
	}
}
