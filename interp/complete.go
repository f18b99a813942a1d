package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/godl-kernel/godl/internal/completion"
	"github.com/godl-kernel/godl/interp/symbols"
	"github.com/godl-kernel/godl/kernel"
)

// goKeywords are Go's keywords.
var goKeywords = []string{
	"break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface",
	"map", "package", "range", "return", "select", "struct", "switch", "type", "var",
}

// goBuiltins are the predeclared names, with their kind for completion.
var goBuiltins = map[string]string{
	"append": "function", "cap": "function", "clear": "function", "close": "function",
	"complex": "function", "copy": "function", "delete": "function", "imag": "function",
	"len": "function", "make": "function", "max": "function", "min": "function",
	"new": "function", "panic": "function", "print": "function", "println": "function",
	"real": "function", "recover": "function",
	"bool": "class", "byte": "class", "comparable": "class", "complex64": "class",
	"complex128": "class", "error": "class", "float32": "class", "float64": "class",
	"int": "class", "int8": "class", "int16": "class", "int32": "class", "int64": "class",
	"rune": "class", "string": "class", "uint": "class", "uint8": "class", "uint16": "class",
	"uint32": "class", "uint64": "class", "uintptr": "class", "any": "class",
	"true": "constant", "false": "constant", "iota": "constant", "nil": "constant",
}

// helpPanics counts the panics recovered in completion, inspection and
// is_complete (bugs; tests check it stays zero).
var helpPanics atomic.Int64

// identEnd returns where the identifier that contains byte offset start of s
// ends.
func identEnd(s string, start int) int {
	i := start
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !completion.IsIdentRune(r) {
			break
		}
		i += size
	}
	return i
}

// matchBack returns the offset of the bracket opening the one closing at
// s[end], skipping string and rune literals, or -1.
func matchBack(s string, end int) int {
	depth := 0
	for i := end; i >= 0; i-- {
		switch c := s[i]; c {
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			depth--
			if depth == 0 {
				return i
			}
		case '"', '\'', '`':
			j := i - 1
			for j >= 0 && !(s[j] == c && (c == '`' || j == 0 || s[j-1] != '\\')) {
				j--
			}
			if j < 0 {
				return -1
			}
			i = j
		case '\n':
			if depth == 0 {
				return -1
			}
		}
	}
	return -1
}

// operandBefore returns the start of the selector operand that ends just
// before the '.' at offset dot ("a.b(1)[2]" in "x := a.b(1)[2].Fo"), or
// -1 if there is none.
func operandBefore(s string, dot int) int {
	i := dot
	for {
		for i > 0 && (s[i-1] == ')' || s[i-1] == ']' || s[i-1] == '}') {
			j := matchBack(s, i-1)
			if j < 0 {
				return -1
			}
			i = j
		}
		k := completion.IdentStart(s, i)
		if k == i {
			break
		}
		i = k
		if i > 0 && s[i-1] == '.' {
			i--
			continue
		}
		break
	}
	if i == dot {
		return -1
	}
	return i
}

// inCommentOrString tells whether byte offset end of code is inside a
// comment or a string or rune literal; lit is the unterminated literal's
// text so far when in a string.
func inCommentOrString(code string, end int) (inside bool, lit string) {
	src := code[:end]
	var s scanner.Scanner
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(src))
	unterminatedAt := -1 // offset of the last unterminated literal's error
	s.Init(f, []byte(src), func(pos token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			unterminatedAt = pos.Offset
		}
	}, scanner.ScanComments)
	var lastTok token.Token
	var lastLit string
	lastStart, lastEnd := -1, -1
	for {
		pos, tok, l := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && l == "\n" {
			continue
		}
		lastTok, lastLit = tok, l
		lastStart = f.Offset(pos)
		lastEnd = lastStart + len(l)
	}
	if unterminatedAt >= lastStart && lastStart >= 0 && lastEnd == len(src) &&
		(lastTok == token.STRING || lastTok == token.CHAR || lastTok == token.COMMENT) {
		return true, lastLit
	}
	if lastTok == token.COMMENT && lastEnd == len(src) && strings.HasPrefix(lastLit, "//") {
		return true, ""
	}
	return false, ""
}

// helpComplete answers a complete_request for code with the cursor at
// cursor (in code points), given the sources of the cells that ran before.
// It completes package members after "pkg.", fields and methods after
// "x." (x's type inferred from its declaration), struct literal fields,
// import paths, and otherwise names in scope, packages, builtins and
// keywords. Safe for concurrent use; it never panics.
func helpComplete(prior []string, code string, cursor int) kernel.CompleteResult {
	res, cands, ok := helpCompleteCandidates(prior, code, cursor)
	if ok {
		return completion.Reply(cands, code, cursor)
	}
	return res
}

// helpCompleteCandidates is helpComplete for a caller that may reuse
// candidates: when the cursor ends the member name of a selector, it
// returns the candidates for any member name typed there, unfiltered, and
// ok; completion.Reply(cands, code, cursor) is then the answer, and so it
// is for any code that differs only in that name. Otherwise it returns
// the answer.
func helpCompleteCandidates(prior []string, code string, cursor int) (res kernel.CompleteResult, cands []completion.Item, ok bool) {
	res = kernel.CompleteResult{Matches: []string{}, CursorStart: cursor, CursorEnd: cursor, Metadata: map[string]any{}}
	if cursor < 0 {
		res.CursorStart, res.CursorEnd = 0, 0
		return res, nil, false
	}
	defer func() {
		if recover() != nil { // a bug here must not cost the user the kernel
			helpPanics.Add(1)
			res = kernel.CompleteResult{Matches: []string{}, CursorStart: cursor, CursorEnd: cursor, Metadata: map[string]any{}}
			cands, ok = nil, false
		}
	}()
	b := completion.RuneToByte(code, cursor)
	cursor = utf8.RuneCountInString(code[:b])
	res.CursorStart, res.CursorEnd = cursor, cursor

	if in, lit := inCommentOrString(code, b); in {
		if items, n := importPathMatches(code[:b], lit); items != nil {
			completion.Fill(&res, completion.Filter(items, ""), cursor-n, cursor)
		}
		return res, nil, false
	}
	start := completion.IdentStart(code, b)
	prefix := code[start:b]
	if start > 0 && code[start-1] == '.' {
		// The candidates must not depend on the member name typed so
		// far: they are computed with a placeholder in its place. A
		// number such as "1." has no members, nor does anything unknown.
		const placeholder = "_"
		cands = selectorCandidates(prior, code[:start]+placeholder+code[b:], start-1)
		return res, cands, true
	}
	env := newHelpEnv(prior, code, b)
	items := append(literalFieldMatches(env, code, start, prefix), nameMatches(env, prefix)...)
	completion.Fill(&res, items, cursor-utf8.RuneCountInString(prefix), cursor)
	return res, nil, false
}

// nameMatches completes a bare identifier: names in scope, keywords,
// builtins and package names, ranked in that order: the user's names (0),
// packages (1), builtins and keywords (2).
func nameMatches(env *helpEnv, prefix string) []completion.Item {
	var items []completion.Item
	addBinding := func(b *helpBinding) {
		kind := "variable"
		sig := ""
		switch b.kind {
		case bindFunc:
			kind, sig = "function", exprString(b.typ)
		case bindType:
			kind = "class"
		case bindConst:
			kind = "constant"
		case bindImport:
			kind = "module"
		}
		if strings.HasPrefix(b.name, prefix) || strings.HasPrefix(strings.ToLower(b.name), strings.ToLower(prefix)) {
			if kind == "variable" || kind == "constant" {
				if t := env.bindingType(b, 0); t.known() {
					sig = t.String()
				}
			}
		}
		rank := 0
		if b.kind == bindImport {
			rank = 1
		}
		items = append(items, completion.Item{Text: b.name, Kind: kind, Sig: sig, Rank: rank})
	}
	for i := len(env.locals) - 1; i >= 0; i-- {
		for _, name := range sortedKeys(env.locals[i]) {
			addBinding(env.locals[i][name])
		}
	}
	for _, name := range sortedKeys(env.globals.names) {
		addBinding(env.globals.names[name])
	}
	if prefix != "" { // keywords and the many package names only when typing
		for _, k := range goKeywords {
			items = append(items, completion.Item{Text: k, Kind: "keyword", Rank: 2})
		}
		loadHelpPkgs()
		for name := range helpPkgNames {
			items = append(items, completion.Item{Text: name, Kind: "module", Rank: 1})
		}
	} else {
		for _, p := range symbols.Preloaded {
			items = append(items, completion.Item{Text: importName(p), Kind: "module", Rank: 1})
		}
	}
	for name, kind := range goBuiltins {
		items = append(items, completion.Item{Text: name, Kind: kind, Rank: 2})
	}
	return completion.Filter(items, prefix)
}

// literalFieldMatches completes the field names of a struct composite
// literal when the name at start begins an element ("Point{La", "T{X: 1, L").
func literalFieldMatches(env *helpEnv, code string, start int, prefix string) []completion.Item {
	i := start
	for i > 0 && (code[i-1] == ' ' || code[i-1] == '\t' || code[i-1] == '\n') {
		i--
	}
	if i == 0 || (code[i-1] != '{' && code[i-1] != ',') {
		return nil
	}
	// The innermost open brace before the cursor.
	depth := 0
	open := -1
	for j := i - 1; j >= 0 && open < 0; j-- {
		switch code[j] {
		case ')', ']', '}':
			depth++
		case '(', '[':
			if depth == 0 {
				return nil
			}
			depth--
		case '{':
			if depth == 0 {
				open = j
			} else {
				depth--
			}
		}
	}
	if open <= 0 {
		return nil
	}
	ts := operandBefore(code+".", open)
	if ts < 0 {
		return nil
	}
	texpr, err := parser.ParseExpr(code[ts:open])
	if err != nil {
		return nil
	}
	t := env.underlying(env.resolveType(texpr, 0), 0)
	var items []completion.Item
	if t.rt != nil && t.rt.Kind() == reflect.Struct {
		for i := 0; i < t.rt.NumField(); i++ {
			if f := t.rt.Field(i); f.IsExported() {
				items = append(items, completion.Item{Text: f.Name, Kind: "property", Sig: f.Type.String()})
			}
		}
	}
	if st, ok := t.expr.(*ast.StructType); ok {
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				items = append(items, completion.Item{Text: n.Name, Kind: "property", Sig: exprString(f.Type)})
			}
			if len(f.Names) == 0 {
				items = append(items, completion.Item{Text: recvBase(f.Type), Kind: "property", Sig: exprString(f.Type)})
			}
		}
	}
	return completion.Filter(items, prefix)
}

// selectorCandidates lists the members of the operand that ends at byte
// offset dot of code (a package or a value), for any name after the dot.
func selectorCandidates(prior []string, code string, dot int) []completion.Item {
	start := operandBefore(code, dot)
	if start < 0 {
		return nil
	}
	expr, err := parser.ParseExpr(code[start:dot])
	if err != nil {
		return nil
	}
	env := newHelpEnv(prior, code, start)
	if id, ok := expr.(*ast.Ident); ok {
		if p := env.packagePath(id.Name); p != "" {
			return completion.Filter(packageMembers(p), "")
		}
	}
	t := env.typeOf(expr, 0)
	var items []completion.Item
	for _, m := range env.members(t, 0) {
		kind := "property"
		if m.method {
			kind = "method"
		}
		items = append(items, completion.Item{Text: m.name, Kind: kind, Sig: m.sig})
	}
	return completion.Filter(items, "")
}

// docOnlyPackages are the packages whose documented names missing from
// the yaegi tables still exist in cells: their generic functions come from
// yaegi's generic sources and our stdext. Elsewhere such a name (Go 1.24's
// strings.SplitSeq, sync.OnceValue) cannot be called, so it is not offered.
var docOnlyPackages = map[string]bool{"slices": true, "maps": true, "iter": true, "cmp": true}

// packageMembers lists the exported names of a package: those of its yaegi
// table and, for docOnlyPackages, of its documentation (generic functions
// appear only there).
func packageMembers(p string) []completion.Item {
	var items []completion.Item
	tbl := pkgTable(p)
	for _, d := range symbols.DocMembers(p) {
		if _, ok := tbl[d.Key[len(p)+1:]]; !ok && !docOnlyPackages[p] {
			continue
		}
		sig := d.Decl
		if i := strings.IndexByte(sig, '\n'); i >= 0 {
			sig = sig[:i]
		}
		items = append(items, completion.Item{Text: d.Key[len(p)+1:], Kind: d.Kind.String(), Sig: sig})
	}
	for name, v := range tbl {
		if strings.HasPrefix(name, "_") {
			continue
		}
		kind := "variable"
		switch {
		case v.Kind() == reflect.Pointer && v.IsNil():
			kind = "class"
		case v.Kind() == reflect.Func:
			kind = "function"
		case v.Type().Implements(constantValueType):
			kind = "constant"
		}
		items = append(items, completion.Item{Text: name, Kind: kind})
	}
	return items
}

// importPathMatches completes an import path inside the string literal of
// an import: lit is the literal so far (with its quote); n is the length
// in runes of the replaced text.
func importPathMatches(before, lit string) (items []completion.Item, n int) {
	if lit == "" || (lit[0] != '"' && lit[0] != '`') || !strings.HasSuffix(before, lit) {
		return nil, 0
	}
	head := before[:len(before)-len(lit)]
	line := head[strings.LastIndexByte(head, '\n')+1:]
	inImport := false
	switch f := strings.Fields(line); {
	case len(f) >= 1 && f[0] == "import" && len(f) <= 2:
		inImport = true
	case len(f) == 0 || (len(f) == 1 && isIdentLine(f[0])):
		// Inside an import ( ... ) block?
		i := strings.LastIndex(head, "import")
		inImport = i >= 0 && strings.HasPrefix(strings.TrimSpace(head[i+len("import"):]), "(") &&
			!strings.Contains(head[i:], ")")
	}
	if !inImport {
		return nil, 0
	}
	prefix := lit[1:]
	loadHelpPkgs()
	for p := range helpTables {
		if strings.HasPrefix(p, prefix) {
			items = append(items, completion.Item{Text: p, Kind: "module"})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Text < items[j].Text })
	return items, utf8.RuneCountInString(prefix)
}

func isIdentLine(s string) bool {
	for _, r := range s {
		if !completion.IsIdentRune(r) {
			return false
		}
	}
	return true
}
