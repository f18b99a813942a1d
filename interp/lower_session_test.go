package interp

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/godl-kernel/godl/interp/stdext"
	"github.com/godl-kernel/godl/kernel"
)

// langOutput collects a cell's streams.
type langOutput struct {
	mu  sync.Mutex
	out strings.Builder
}

func (o *langOutput) Stream(name, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.out.WriteString(text)
}
func (o *langOutput) Display(kernel.Display) {}
func (o *langOutput) ClearOutput(bool)       {}
func (o *langOutput) Input(context.Context, string, bool) (string, error) {
	return "", context.Canceled
}

// TestSessionLanguageLevel runs Go 1.22+ cells through the real Session
// (the engine's cell handling, then lowerCell, then yaegi).
func TestSessionLanguageLevel(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		value string // text/plain of the last cell
		err   string // substring of the last cell's error
	}{
		{name: "range over int", cells: []string{"s := 0\nfor i := range 10 { s += i }\ns"}, value: "45"},
		{name: "loop variable per iteration", cells: []string{"var fs []func() int\nfor i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }\nfs[0]() + 10*fs[1]() + 100*fs[2]()"}, value: "210"},
		{name: "max", cells: []string{"a, b := 3, 7\nmax(a, b, 5)"}, value: "7"},
		{name: "min of strings", cells: []string{`w := "pear"`, `min(w, "apple", "zoo")`}, value: `"apple"`},
		{name: "clear", cells: []string{"m := map[int]int{1: 1}\nclear(m)\nlen(m)"}, value: "0"},
		{name: "slices.Sort", cells: []string{"xs := []int{3, 1, 2}\nslices.Sort(xs)\nxs"}, value: "[1 2 3]"},
		{name: "generic call in a cell variable", cells: []string{"xs := []float64{1, 5, 2}\nbest := slices.Max(xs)\ni, found := slices.BinarySearch([]int{1, 3}, 3)", "best + float64(i)"}, value: "6"},
		{name: "maps.Keys sorted", cells: []string{`m := map[string]int{"b": 1, "a": 2}`, "slices.Sorted(maps.Keys(m))"}, value: "[a b]"},
		{name: "generic inference with a callback", cells: []string{"func Map[T, U any](xs []T, f func(T) U) []U { var r []U; for _, x := range xs { r = append(r, f(x)) }; return r }",
			"Map([]int{1, 2}, func(x int) string { return fmt.Sprint(x * 2) })"}, value: `[2 4]`},
		{name: "cmp", cells: []string{"cmp.Compare(1, 2)"}, value: "-1"},
		{name: "type error", cells: []string{"x := 1", "y := 2\nvar s string = x + y"}, err: "cell2:2:16: cannot use x + y (value of type int) as string value"},
		{name: "range over an iterator", cells: []string{"m := map[int]int{1: 1, 2: 2}\ns := 0\nfor k := range maps.Keys(m) { s += k }\ns"}, value: "3"},
		{name: "range over an iterator that returns", cells: []string{"func first(m map[int]int) int { for k := range maps.Keys(m) { return k }; return 0 }", "first(map[int]int{7: 1})"}, value: "7"},
		{name: "range over an iterator with goto", cells: []string{"func g(m map[int]int) { for k := range maps.Keys(m) { if k > 0 { goto end } }\nend:\n}"}, err: "slices.Collect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSession(SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var res kernel.ExecuteResult
			for i, c := range tc.cells {
				if i == 0 {
					// Until the engine installs them itself (idempotent).
					if err := stdext.Install(s.yi); err != nil {
						t.Fatal(err)
					}
				}
				res, err = s.Execute(context.Background(), kernel.ExecuteRequest{Code: c, ExecutionCount: i + 1}, &langOutput{})
				if err != nil {
					t.Fatal(err)
				}
				if i < len(tc.cells)-1 && res.Error != nil {
					t.Fatalf("cell %d: %s: %s", i+1, res.Error.Name, res.Error.Value)
				}
			}
			if tc.err != "" {
				if res.Error == nil || !strings.Contains(res.Error.Value+strings.Join(res.Error.Traceback, "\n"), tc.err) {
					t.Fatalf("got error %+v, want %q", res.Error, tc.err)
				}
				return
			}
			if res.Error != nil {
				t.Fatalf("%s: %s", res.Error.Name, res.Error.Value)
			}
			got := ""
			if res.Value != nil {
				got, _ = res.Value.Data["text/plain"].(string)
			}
			if got != tc.value {
				t.Errorf("got %q, want %q", got, tc.value)
			}
		})
	}
}
