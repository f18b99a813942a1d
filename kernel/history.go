package kernel

import (
	"sync"
)

// historySession is the session number of this kernel's history. History
// is kept in memory for the life of the kernel, so there is one session;
// 0 and negative numbers in requests are relative to it as in IPython.
const historySession = 1

// historyEntry is one stored cell.
type historyEntry struct {
	line   int
	input  string
	output string // text/plain of the result, "" for none
}

// history holds the cells run with store_history in this session.
type history struct {
	mu      sync.Mutex
	entries []historyEntry
}

func newHistory() *history { return &history{} }

func (h *history) add(line int, input, output string) {
	h.mu.Lock()
	h.entries = append(h.entries, historyEntry{line: line, input: input, output: output})
	h.mu.Unlock()
}

// historyRequest is the content of history_request.
type historyRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           *int   `json:"stop"`
	N              *int   `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// query answers a history_request: a list of [session, line, input] or,
// with output, [session, line, [input, output-or-null]].
func (h *history) query(r historyRequest) []any {
	h.mu.Lock()
	entries := append([]historyEntry(nil), h.entries...)
	h.mu.Unlock()

	var picked []historyEntry
	switch r.HistAccessType {
	case "tail":
		n := len(entries)
		if r.N != nil && *r.N >= 0 && *r.N < n {
			n = *r.N
		}
		picked = entries[len(entries)-n:]
	case "range":
		if r.Session > 0 && r.Session != historySession || r.Session < 0 {
			return []any{} // no earlier sessions are kept
		}
		for _, e := range entries {
			if e.line >= r.Start && (r.Stop == nil || e.line < *r.Stop) {
				picked = append(picked, e)
			}
		}
	case "search":
		pattern := r.Pattern
		if pattern == "" {
			pattern = "*"
		}
		seen := map[string]bool{}
		// Newest first so that unique keeps the latest run of a cell.
		for i := len(entries) - 1; i >= 0; i-- {
			e := entries[i]
			if !globMatch(pattern, e.input) {
				continue
			}
			if r.Unique {
				if seen[e.input] {
					continue
				}
				seen[e.input] = true
			}
			picked = append(picked, e)
			if r.N != nil && *r.N > 0 && len(picked) == *r.N {
				break
			}
		}
		for i, j := 0, len(picked)-1; i < j; i, j = i+1, j-1 {
			picked[i], picked[j] = picked[j], picked[i]
		}
	default:
		return []any{}
	}
	out := make([]any, 0, len(picked))
	for _, e := range picked {
		if r.Output {
			var o any
			if e.output != "" {
				o = e.output
			}
			out = append(out, []any{historySession, e.line, []any{e.input, o}})
		} else {
			out = append(out, []any{historySession, e.line, e.input})
		}
	}
	return out
}

// globMatch reports whether s matches the glob pattern as SQLite's GLOB
// (which IPython's history search uses) does: * any run of characters,
// ? one character, [...] a class (with ranges and ^ negation); case
// sensitive, the whole string.
func globMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Iterative matcher with backtracking to the last star.
	pi, ti := 0, 0
	starP, starT := -1, 0
	for ti < len(t) {
		if pi < len(p) {
			switch p[pi] {
			case '*':
				starP, starT = pi, ti
				pi++
				continue
			case '?':
				pi++
				ti++
				continue
			case '[':
				if end, ok := matchClass(p, pi, t[ti]); end > 0 {
					if ok {
						pi = end
						ti++
						continue
					}
				} else if t[ti] == '[' { // unterminated class: literal [
					pi++
					ti++
					continue
				}
			default:
				if p[pi] == t[ti] {
					pi++
					ti++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starT++
		pi, ti = starP+1, starT
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchClass matches c against the class starting at p[i] == '['. It
// returns the index after the closing ] (0 if unterminated) and whether c
// is in the class.
func matchClass(p []rune, i int, c rune) (int, bool) {
	j := i + 1
	negate := false
	if j < len(p) && p[j] == '^' {
		negate = true
		j++
	}
	in := false
	first := true
	for ; j < len(p); j++ {
		if p[j] == ']' && !first {
			return j + 1, in != negate
		}
		first = false
		lo := p[j]
		if j+2 < len(p) && p[j+1] == '-' && p[j+2] != ']' {
			if lo <= c && c <= p[j+2] {
				in = true
			}
			j += 2
			continue
		}
		if lo == c {
			in = true
		}
	}
	return 0, false
}
