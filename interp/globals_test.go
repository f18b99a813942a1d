package interp

import "testing"

// TestFailedCompileKeepsSession: a compile that fails in yaegi can leave
// it unable to list its globals (Globals panicked with "index out of
// range"); the session must neither crash nor lose variables.
func TestFailedCompileKeepsSession(t *testing.T) {
	cells := []string{"y := []any{1}\nkeep := 7"}
	runREPLCases(t, []replCase{
		{name: "a variable changes type next to a new one", cells: cells,
			last: "e := 1\ny := map[string]any{\"d\": 1}\nfmt.Println(y, e, keep)", stdout: "map[d:1] 1 7\n"},
		{name: "who after it", cells: append(cells, "e := 1\ny := map[string]any{\"d\": 1}"),
			last: "%who", stdout: "keep"},
	}, false)
}
