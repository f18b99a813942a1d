// Package completion holds what the Go worker and the kernel front share to
// answer complete_request: candidates, their filtering by the name being
// typed, and the reply built from them.
//
// The worker computes candidates (it knows the session's declarations);
// for a selector ("fmt.Sp", "x.Fi") the candidates do not depend on the
// member name typed so far, so the front keeps them and filters them
// itself while the user goes on typing in the same place, the way a
// language-server client filters a complete list. Both sides build their
// replies with Reply, so a reused answer is the answer the worker would
// have given.
package completion

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/godl-kernel/godl/kernel"
)

// Item is one completion candidate.
type Item struct {
	Text string `json:"t"`
	// Kind is ipykernel's experimental type: "function", "class",
	// "module", "variable", "constant", "keyword", "property", "method".
	Kind string `json:"k,omitempty"`
	// Sig is the declaration or type shown beside the name, if known.
	Sig string `json:"s,omitempty"`
	// Rank orders candidates before their text: lower first.
	Rank int `json:"r,omitempty"`
}

// Filter returns the items whose text starts with prefix — in exact case,
// or, when none does, in any case — sorted by rank and text, without
// duplicate texts (the first of each wins).
func Filter(items []Item, prefix string) []Item {
	pick := func(match func(string) bool) []Item {
		var out []Item
		seen := map[string]bool{}
		for _, it := range items {
			if match(it.Text) && !seen[it.Text] {
				seen[it.Text] = true
				out = append(out, it)
			}
		}
		return out
	}
	out := pick(func(s string) bool { return strings.HasPrefix(s, prefix) })
	if len(out) == 0 && prefix != "" {
		lp := strings.ToLower(prefix)
		out = pick(func(s string) bool { return strings.HasPrefix(strings.ToLower(s), lp) })
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rank != out[j].Rank {
			return out[i].Rank < out[j].Rank
		}
		return out[i].Text < out[j].Text
	})
	return out
}

// Fill sets res's matches to items, replacing the code points from start to
// end, with ipykernel's experimental types in the metadata.
func Fill(res *kernel.CompleteResult, items []Item, start, end int) {
	res.CursorStart, res.CursorEnd = start, end
	res.Matches = make([]string, 0, len(items))
	types := make([]any, 0, len(items))
	for _, it := range items {
		res.Matches = append(res.Matches, it.Text)
		m := map[string]any{"start": start, "end": end, "text": it.Text, "type": it.Kind}
		if it.Sig != "" {
			m["signature"] = it.Sig
		}
		types = append(types, m)
	}
	if res.Metadata == nil {
		res.Metadata = map[string]any{}
	}
	res.Metadata["_jupyter_types_experimental"] = types
}

// Word is the name being typed at a cursor: code[Start:End] in bytes, End
// being the cursor.
type Word struct{ Start, End int }

// WordAt locates the name that ends at cursor (in code points, clamped to
// code) in code.
func WordAt(code string, cursor int) Word {
	b := RuneToByte(code, cursor)
	return Word{IdentStart(code, b), b}
}

// Reply is the reply to a complete_request at cursor in code whose
// candidates, for any name typed at that place, are items: those starting
// with the name typed so far, replacing it.
func Reply(items []Item, code string, cursor int) kernel.CompleteResult {
	w := WordAt(code, cursor)
	start := utf8.RuneCountInString(code[:w.Start])
	res := kernel.CompleteResult{Metadata: map[string]any{}}
	Fill(&res, Filter(items, code[w.Start:w.End]), start, start+utf8.RuneCountInString(code[w.Start:w.End]))
	return res
}

// RuneToByte converts a cursor in code points to a byte offset in s,
// clamped to [0, len(s)].
func RuneToByte(s string, cursor int) int {
	if cursor <= 0 {
		return 0
	}
	n := 0
	for i := range s {
		if n == cursor {
			return i
		}
		n++
	}
	return len(s)
}

// IsIdentRune tells whether r may appear in a Go identifier.
func IsIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// IdentStart returns where the identifier that ends at byte offset end of s
// starts (end if none).
func IdentStart(s string, end int) int {
	i := end
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !IsIdentRune(r) {
			break
		}
		i -= size
	}
	// An identifier does not start with a digit.
	for i < end {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsDigit(r) {
			break
		}
		i += size
	}
	return i
}

// Reuse remembers the candidates of the last few places completed, keyed by
// the code before and after the name being typed, so that completing again
// at the same place (the next keystroke of the name, or the same request
// again) needs no worker. The caller must drop them (Reset) whenever the
// candidates may change: when cells run. Not safe for concurrent use.
//
// Candidates are worth fetching only for a place completed more than once:
// they can be many (a package's members), where the answer is a few, so
// Seen tells when a place comes again.
type Reuse struct {
	entries []reuseEntry // least recently used first
}

type reuseEntry struct {
	before, after string
	items         []Item
	filled        bool // items are the place's candidates
}

// reuseMax bounds the places remembered.
const reuseMax = 16

// find returns the index of the place of cursor in code, made the most
// recently used, or -1.
func (r *Reuse) find(code string, cursor int) int {
	w := WordAt(code, cursor)
	before, after := code[:w.Start], code[w.End:]
	for i := len(r.entries) - 1; i >= 0; i-- {
		if e := r.entries[i]; e.before == before && e.after == after {
			copy(r.entries[i:], r.entries[i+1:])
			r.entries[len(r.entries)-1] = e
			return len(r.entries) - 1
		}
	}
	return -1
}

// add remembers the place of cursor in code, without candidates, and
// returns its index.
func (r *Reuse) add(code string, cursor int) int {
	w := WordAt(code, cursor)
	if len(r.entries) == reuseMax {
		r.entries = append(r.entries[:0], r.entries[1:]...)
	}
	r.entries = append(r.entries, reuseEntry{before: code[:w.Start], after: code[w.End:]})
	return len(r.entries) - 1
}

// Lookup returns the candidates stored for the place of cursor in code.
func (r *Reuse) Lookup(code string, cursor int) ([]Item, bool) {
	if i := r.find(code, cursor); i >= 0 && r.entries[i].filled {
		return r.entries[i].items, true
	}
	return nil, false
}

// Seen remembers the place of cursor in code and tells whether it was
// remembered already.
func (r *Reuse) Seen(code string, cursor int) bool {
	if r.find(code, cursor) >= 0 {
		return true
	}
	r.add(code, cursor)
	return false
}

// Store remembers items as the candidates of the place of cursor in code.
func (r *Reuse) Store(code string, cursor int, items []Item) {
	i := r.find(code, cursor)
	if i < 0 {
		i = r.add(code, cursor)
	}
	r.entries[i].items, r.entries[i].filled = items, true
}

// Reset forgets every place.
func (r *Reuse) Reset() { r.entries = nil }
