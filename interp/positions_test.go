package interp

import (
	"context"
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
