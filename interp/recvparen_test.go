package interp

import "testing"

// TestReceiveResults: receives that are function results (yaegi failed
// with "reflect.Value.Set using unaddressable value", or left a named
// result zero) work as in Go.
func TestReceiveResults(t *testing.T) {
	tests := []struct {
		name, decl, call, want string
	}{
		{"return receive", "func rr1(x int) int { c := make(chan int, 1); c <- x; return <-c }", "rr1(4)", "4"},
		{"return receive of a string", "func rr2() string { c := make(chan string, 1); c <- \"a\"; return <-c }", "rr2()", `"a"`},
		{"return receive among results", "func rr3(x int) (int, error) { c := make(chan int, 1); c <- x; return <-c, nil }", "v, _ := rr3(5)\nv", "5"},
		{"named result then bare return", "func rr4(x int) (r int) { c := make(chan int, 1); c <- x; r = <-c; return }", "rr4(6)", "6"},
		{"named result returned", "func rr5(x int) (r int) { c := make(chan int, 1); c <- x; r = <-c; return r }", "rr5(7)", "7"},
		{"func literal", "rr6 := func(x int) int { c := make(chan int, 1); c <- x; return <-c }", "rr6(8)", "8"},
		{"goroutine result", "func rr7(x int) int { c := make(chan int); go func() { c <- x * 2 }(); return <-c }", "rr7(9)", "18"},
		{"interface result", "func rr8(x int) any { c := make(chan int, 1); c <- x; return <-c }", "rr8(3)", "3"},
		{"comma-ok receive untouched", "func rr9(x int) (int, bool) { c := make(chan int, 1); c <- x; var v int; var ok bool; v, ok = <-c; return v, ok }", "a, b := rr9(2)\n[]any{a, b}", "[2 true]"},
	}
	ts := newTestSession(t)
	for _, tt := range tests {
		if r := ts.run(tt.decl); r.errText() != "" {
			t.Fatalf("%s: %s", tt.name, r.errText())
		}
		r := ts.run(tt.call)
		if got := r.value(); got != tt.want || r.errText() != "" {
			t.Errorf("%s: %s = %s %s, want %s", tt.name, tt.call, got, r.errText(), tt.want)
		}
	}
}
