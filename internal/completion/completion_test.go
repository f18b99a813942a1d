package completion

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func texts(items []Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Text)
	}
	return out
}

func TestFilter(t *testing.T) {
	items := []Item{
		{Text: "Sprintf", Kind: "function"}, {Text: "Println", Kind: "function"},
		{Text: "Sprint", Kind: "function"}, {Text: "Stringer", Kind: "class"},
		{Text: "Sprint", Kind: "variable"}, // a duplicate: the first wins
		{Text: "x", Rank: 1}, {Text: "y"},
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"Println", "Sprint", "Sprintf", "Stringer", "y", "x"}},
		{"Spr", []string{"Sprint", "Sprintf"}},
		{"spr", []string{"Sprint", "Sprintf"}}, // any case when no exact match
		{"S", []string{"Sprint", "Sprintf", "Stringer"}},
		{"Sprintf", []string{"Sprintf"}},
		{"Q", []string{}},
	}
	for _, tt := range tests {
		got := Filter(items, tt.prefix)
		if !reflect.DeepEqual(texts(got), tt.want) {
			t.Errorf("Filter(%q) = %q, want %q", tt.prefix, texts(got), tt.want)
		}
		for _, it := range got {
			if it.Text == "Sprint" && it.Kind != "function" {
				t.Errorf("Filter(%q) kept the second Sprint", tt.prefix)
			}
		}
	}
	// Exact case wins over any case: "p" matches "p1" only.
	if got := texts(Filter([]Item{{Text: "P2"}, {Text: "p1"}}, "p")); !reflect.DeepEqual(got, []string{"p1"}) {
		t.Errorf("exact case: %q", got)
	}
}

func TestReply(t *testing.T) {
	items := []Item{{Text: "Sprintf", Kind: "function", Sig: "func Sprintf(format string, a ...any) string"}, {Text: "Sprint", Kind: "function"}, {Text: "Println", Kind: "function"}}
	tests := []struct {
		code       string
		cursor     int
		want       []string
		start, end int
	}{
		{"fmt.Sp", 6, []string{"Sprint", "Sprintf"}, 4, 6},
		{"fmt.", 4, []string{"Println", "Sprint", "Sprintf"}, 4, 4},
		{"fmt.Sp", 99, []string{"Sprint", "Sprintf"}, 4, 6},        // clamped
		{"fmt.Sprintf(x)", 6, []string{"Sprint", "Sprintf"}, 4, 6}, // mid-word: the name before the cursor
		{"é := 1; fmt.P", 13, []string{"Println"}, 12, 13},         // code points, not bytes
		{"fmt.pr", 6, []string{"Println"}, 4, 6},                   // any case
		{"x = fmt.Zz", 10, []string{}, 8, 10},
	}
	for _, tt := range tests {
		r := Reply(items, tt.code, tt.cursor)
		if !reflect.DeepEqual(r.Matches, tt.want) || r.CursorStart != tt.start || r.CursorEnd != tt.end {
			t.Errorf("Reply(%q, %d) = %q [%d,%d], want %q [%d,%d]", tt.code, tt.cursor, r.Matches, r.CursorStart, r.CursorEnd, tt.want, tt.start, tt.end)
		}
		types, _ := r.Metadata["_jupyter_types_experimental"].([]any)
		if len(types) != len(r.Matches) {
			t.Fatalf("Reply(%q): %d types for %d matches", tt.code, len(types), len(r.Matches))
		}
		for i, ty := range types {
			m := ty.(map[string]any)
			if m["text"] != r.Matches[i] || m["start"] != tt.start || m["end"] != tt.end || m["type"] != "function" {
				t.Errorf("Reply(%q): type %v", tt.code, m)
			}
			if _, has := m["signature"]; has != (m["text"] == "Sprintf") {
				t.Errorf("Reply(%q): signature in %v", tt.code, m)
			}
		}
	}
}

func TestIdentStart(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"fmt.Sp", 4}, {"fmt.", 4}, {"x1", 0}, {"1.5e", 3}, {"a.12", 4}, {"a.β", 2}, {"", 0},
	}
	for _, tt := range tests {
		if got := IdentStart(tt.s, len(tt.s)); got != tt.want {
			t.Errorf("IdentStart(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestReuse(t *testing.T) {
	var r Reuse
	if r.Seen("x := fmt.S\ny()", 10) || !r.Seen("x := fmt.Sp\ny()", 11) || r.Seen("x := fmt.Sp\ny(1)", 11) {
		t.Error("Seen: a place not remembered, or another place taken for it")
	}
	if _, ok := r.Lookup("x := fmt.S\ny()", 10); ok {
		t.Error("Lookup found candidates at a place only seen")
	}
	a := []Item{{Text: "A"}}
	r.Store("x := fmt.Sp\ny()", 11, a)
	tests := []struct {
		code   string
		cursor int
		hit    bool
	}{
		{"x := fmt.Sp\ny()", 11, true},
		{"x := fmt.S\ny()", 10, true},    // another name at the same place
		{"x := fmt.\ny()", 9, true},      // no name yet
		{"x := fmt.Spr\ny()", 12, true},  // a longer one
		{"x := fmt.Sp\ny()", 10, false},  // "p" is after the cursor: other text after
		{"x := fmt.Sp\ny(1)", 11, false}, // other text after
		{"y := fmt.Sp\ny()", 11, false},  // other text before
		{"x := fmt.Sp", 11, false},
	}
	for _, tt := range tests {
		got, ok := r.Lookup(tt.code, tt.cursor)
		if ok != tt.hit || (ok && !reflect.DeepEqual(got, a)) {
			t.Errorf("Lookup(%q, %d) = %v, %v; want hit %v", tt.code, tt.cursor, got, ok, tt.hit)
		}
	}
	// Storing again at the same place replaces; the oldest place goes first.
	b := []Item{{Text: "B"}}
	r.Store("x := fmt.P\ny()", 10, b)
	if got, _ := r.Lookup("x := fmt.\ny()", 9); !reflect.DeepEqual(got, b) {
		t.Errorf("after a second Store: %v", got)
	}
	for i := 0; i < reuseMax-1; i++ {
		code := fmt.Sprintf("v%d.", i)
		r.Store(code, len(code), a)
	}
	if _, ok := r.Lookup("x := fmt.\ny()", 9); !ok {
		t.Errorf("evicted while %d places are kept", reuseMax)
	}
	// The lookup made it the most recent: v0 is now the oldest.
	r.Store("w.", 2, a)
	if _, ok := r.Lookup("v0.", 3); ok {
		t.Error("the least recently used place was kept")
	}
	if _, ok := r.Lookup("x := fmt.\ny()", 9); !ok {
		t.Error("a recently used place was evicted")
	}
	r.Reset()
	if _, ok := r.Lookup("w.", 2); ok {
		t.Error("Reset kept a place")
	}
	if strings.Contains(fmt.Sprint(r.entries), "w.") {
		t.Error("Reset kept entries")
	}
}
