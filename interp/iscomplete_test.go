package interp

import "testing"

func TestIsComplete(t *testing.T) {
	for _, tc := range []struct {
		code, status, indent string
	}{
		{"", "complete", ""},
		{"   \n", "complete", ""},
		{"x := 1", "complete", ""},
		{"fmt.Println(\"héllo, 世界\")", "complete", ""},
		{"import \"fmt\"\nfunc f() int { return 1 }\nx := f()\nfmt.Println(x)", "complete", ""},
		{"func (p *Point) Norm() float64 {\n\treturn p.X\n}", "complete", ""},
		{"for i := 0; i < 3; i++ {", "incomplete", "    "},
		{"func f() {\n\tif true {", "incomplete", "        "},
		{"func f() {\n\tif true {\n\t}", "incomplete", "    "},
		{"foo({", "incomplete", "    "},
		{"fmt.Println(1,", "incomplete", "    "},
		{"xs := []int{\n\t1, 2,", "incomplete", "    "},
		{"s := `raw\nstring", "incomplete", ""},
		{"/* a comment\n", "incomplete", ""},
		{"x := 1 +", "incomplete", "    "},
		{"ok := a &&", "incomplete", "    "},
		{"y :=", "incomplete", "    "},
		{"if x {\n} else", "incomplete", "    "},
		{"}", "invalid", ""},
		{"x := (1]", "invalid", ""},
		{"f())", "invalid", ""},
		{"s := \"unterminated\nx := 1", "invalid", ""},
		{"x := := 3", "invalid", ""},
		{"x := 1 2", "invalid", ""},
		{"func f( {", "incomplete", "    "},
		{"x := 1 // trailing comment (", "complete", ""},
		{"s := \"(\"", "complete", ""},
		{"%time\nfor i := 0; i < 3; i++ {", "incomplete", "    "},
		{"%who", "complete", ""},
		{"%time for {", "incomplete", "    "},
		{"%time x := 1", "complete", ""},
		{"!ls -l", "complete", ""},
		{"x++", "complete", ""},
		{"a != b", "complete", ""},
		{"go func() {\n\tfmt.Println(1)\n}()", "complete", ""},
	} {
		got := helpIsComplete(tc.code)
		if got.Status != tc.status || got.Indent != tc.indent {
			t.Errorf("isComplete(%q) = %q %q, want %q %q", tc.code, got.Status, got.Indent, tc.status, tc.indent)
		}
	}
}
