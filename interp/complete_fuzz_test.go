package interp

import (
	"testing"
	"unicode/utf8"
)

// FuzzHelp feeds arbitrary cells and cursors to completion, inspection and
// is_complete, checking the cursor span and that nothing panics (they
// recover, so a panic shows up as an empty answer; the span check catches
// wrong offsets).
func FuzzHelp(f *testing.F) {
	for _, s := range []string{
		"fmt.Println(\"héllo\")", "x := mat.NewDense(2, 2, nil)\nx.", "type T struct{ A int }\nt := T{}\nt.",
		"for i, v := range xs {\n\tv.", "func (p *P) M() {", "s := `raw", "/* c", "a.b(1)[2].c", "}{)(", "日本語.",
		"import (\n\t\"str", "p := Point{La", "%time x := 1\nx.",
	} {
		f.Add("type P struct{ X int }\nvar q P", s, utf8.RuneCountInString(s))
	}
	f.Fuzz(func(t *testing.T, prior, code string, cursor int) {
		n := utf8.RuneCountInString(code)
		if cursor < 0 || cursor > n {
			cursor = n
		}
		res := helpComplete([]string{prior}, code, cursor)
		if res.CursorEnd != cursor || res.CursorStart > res.CursorEnd || res.CursorStart < 0 {
			t.Errorf("complete(%q, %d): span %d-%d", code, cursor, res.CursorStart, res.CursorEnd)
		}
		helpInspect([]string{prior}, code, cursor, 0)
		helpIsComplete(code)
		if n := helpPanics.Swap(0); n != 0 {
			t.Errorf("%d panics recovered for prior %q, code %q, cursor %d", n, prior, code, cursor)
		}
	})
}
