package interp

import (
	"strings"
	"testing"

	"github.com/godl-kernel/godl/kernel"
)

// TestFailedCompileKeepsSession: a compile that fails in yaegi can leave
// it unable to list its globals (Globals panicked with "index out of
// range"); the session must neither crash nor lose variables.
func TestFailedCompileKeepsSession(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string // stdout of the last cell
	}{
		{"a variable changes type next to a new one",
			[]string{"y := []any{1}\nkeep := 7", "e := 1\ny := map[string]any{\"d\": 1}\nfmt.Println(y, e, keep)"},
			"map[d:1] 1 7\n"},
		{"who after it",
			[]string{"y := []any{1}\nkeep := 7", "e := 1\ny := map[string]any{\"d\": 1}", "%who"},
			"keep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestSession(t)
			var r cellRun
			for _, c := range tt.cells {
				r = ts.run(c)
				if r.res.Status != kernel.StatusOK {
					t.Fatalf("cell %q: %s", c, r.errText())
				}
			}
			if !strings.Contains(r.stdout, tt.want) {
				t.Errorf("stdout %q, want it to contain %q", r.stdout, tt.want)
			}
		})
	}
}
