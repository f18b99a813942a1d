package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// A cell is parsed once into the pieces yaegi is fed separately, because
// yaegi cannot evaluate imports followed by statements in one source and
// keeps every top-level temporary of a statement forever:
//
//   - imports (explicit ones; missing ones are added by auto-import),
//   - declarations: funcs, methods, types and consts, which become
//     package-level and are compiled and executed once,
//   - variables: top-level `x := e` and `var x = e`, declared as
//     package-level vars so that later cells see them; their declaration
//     is only compiled (yaegi infers the type), never run,
//   - statements, which run inside one generated function so that their
//     temporaries die with it; a top-level `x := e` there becomes the
//     assignment `x = e` to the package-level variable.
//
// Every piece carries a /*line cellN:L:C*/ directive, so that errors and
// panics name the cell's own line and column.

// parsedCell is one Go cell, split.
type parsedCell struct {
	n       int    // execution count: positions read "cellN:L:C"
	src     string // the cell's Go source (magic lines blanked)
	imports []importSpec
	decls   []declPiece
	vars    []varPiece
	stmts   []stmtPiece
	// final is the last top-level statement when it is an expression
	// whose value becomes Out[n]; finalCall tells it is a call, which
	// may return nothing.
	final     ast.Expr
	finalCall bool
	// pkgRefs are identifiers used as package qualifiers (x in x.Sel)
	// that the cell itself does not declare: candidates for auto-import.
	pkgRefs map[string]bool
	lines   []int // offsets of line starts in src
	// captured are the names used inside func literals or under &: such
	// variables must stay globals (a closure or pointer would keep a
	// local copy alive).
	captured map[string]bool
	// loops tells that the cell's statements loop (for, range, goto):
	// only then do its variables gain from living as locals of the cell
	// function.
	loops bool
	// varTypes are the Go types of the top-level variables, as go/types
	// spells them (from the lowering), for %who.
	varTypes map[string]string
}

// importSpec is one import: Name is the alias ("" for none).
type importSpec struct {
	Name, Path string
	off        int // offset in the cell; -1 for auto-imports
}

// declPiece is one package-level func, method, type or const declaration.
type declPiece struct {
	kind  string   // "func", "method", "type", "const"
	names []string // declared names; "T.M" for a method
	text  string   // the source, without position directive
	off   int
	refs  map[string]bool // identifiers the declaration uses
}

// varPiece is one top-level variable declaration (`x := e`, `var x T = e`).
type varPiece struct {
	names  []string
	typ    string // type expression source, or ""
	rhs    string // initializer list source, or ""
	off    int    // offset of the names
	rhsOff int
	typOff int
	refs   map[string]bool // identifiers the initializer and type use
}

// stmtPiece is one top-level statement as it runs in the cell function.
type stmtPiece struct {
	text string
	off  int
	// assign is set for a variable declaration: the statement becomes
	// "names = rhs" (nothing when there is no initializer).
	assign *varPiece
	// local is the declaration as it stands in the cell ("x := e",
	// "var x T = e"), used when the variable can live as a local of the
	// cell function (faster in yaegi) and be copied to the global at
	// the end.
	local    string
	localOff int
}

// evalError is a Go-style error at a cell position.
type evalError struct {
	kind string // "SyntaxError", "CompileError"
	msg  string
}

func (e *evalError) Error() string { return e.msg }

// pos returns "cellN:L:C" for offset off of the cell.
func (c *parsedCell) pos(off int) string {
	l, col := c.lineCol(off)
	return fmt.Sprintf("cell%d:%d:%d", c.n, l, col)
}

func (c *parsedCell) lineCol(off int) (line, col int) {
	i := sort.SearchInts(c.lines, off+1) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - c.lines[i] + 1
}

// directive returns the position directive for offset off.
func (c *parsedCell) directive(off int) string {
	l, col := c.lineCol(off)
	return fmt.Sprintf("/*line cell%d:%d:%d*/", c.n, l, col)
}

type tokInfo struct {
	off int
	tok token.Token
	lit string
}

// tokenize scans src into tokens (comments skipped, semicolons inserted).
func tokenize(src string) []tokInfo {
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(f, []byte(src), func(token.Position, string) {}, 0)
	var toks []tokInfo
	for {
		p, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		toks = append(toks, tokInfo{f.Offset(p), t, lit})
	}
	return toks
}

// topSegments finds the top-level import declarations and func/method
// declarations of src: they cannot stand inside a function body.
func topSegments(src string) (imports, funcs [][2]int) {
	toks := tokenize(src)
	depth := 0
	atStart := true
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if depth == 0 && atStart && (t.tok == token.IMPORT || (t.tok == token.FUNC && isFuncDecl(toks, i))) {
			start := t.off
			end := len(src)
			d := 0
			j := i + 1
			for ; j < len(toks); j++ {
				switch toks[j].tok {
				case token.LPAREN, token.LBRACE, token.LBRACK:
					d++
				case token.RPAREN, token.RBRACE, token.RBRACK:
					d--
				case token.SEMICOLON:
					if d == 0 {
						end = toks[j].off
						if toks[j].lit == ";" {
							end++
						}
					}
				}
				if toks[j].tok == token.SEMICOLON && d == 0 {
					break
				}
			}
			if end > len(src) {
				end = len(src)
			}
			if t.tok == token.IMPORT {
				imports = append(imports, [2]int{start, end})
			} else {
				funcs = append(funcs, [2]int{start, end})
			}
			i = j
			atStart = true
			continue
		}
		switch t.tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
		atStart = depth == 0 && t.tok == token.SEMICOLON
	}
	return imports, funcs
}

// isFuncDecl tells whether the func keyword at toks[i] starts a
// declaration (func f..., func (r T) M(...)) rather than a func literal.
func isFuncDecl(toks []tokInfo, i int) bool {
	if i+1 >= len(toks) {
		return false
	}
	switch toks[i+1].tok {
	case token.IDENT:
		return true
	case token.LPAREN:
		d := 0
		for j := i + 1; j < len(toks); j++ {
			switch toks[j].tok {
			case token.LPAREN, token.LBRACK, token.LBRACE:
				d++
			case token.RPAREN, token.RBRACK, token.RBRACE:
				d--
				if d == 0 {
					// A method: ") Name (".
					return j+2 < len(toks) && toks[j+1].tok == token.IDENT && toks[j+2].tok == token.LPAREN
				}
			}
		}
	}
	return false
}

// blankExcept returns src with every byte outside the given segments
// (or, with invert, inside them) replaced by a space, newlines kept, so
// that offsets and lines stay those of src.
func blankExcept(src string, segs [][2]int, invert bool) string {
	b := []byte(src)
	in := make([]bool, len(b))
	for _, s := range segs {
		for k := s[0]; k < s[1] && k < len(b); k++ {
			in[k] = true
		}
	}
	for k := range b {
		if in[k] == invert && b[k] != '\n' {
			b[k] = ' '
		}
	}
	return string(b)
}

const (
	filePrefix = "package p\n"
	bodyPrefix = "package p\nfunc _() {\n"
)

// parseCell splits the Go source of cell n.
func parseCell(src string, n int) (*parsedCell, error) {
	c := &parsedCell{n: n, src: src, pkgRefs: map[string]bool{}, captured: map[string]bool{}}
	c.lines = []int{0}
	for i, r := range src {
		if r == '\n' {
			c.lines = append(c.lines, i+1)
		}
	}
	impSegs, funcSegs := topSegments(src)
	var all [][2]int
	all = append(all, impSegs...)
	all = append(all, funcSegs...)

	fset := token.NewFileSet()
	parse := func(prefix, text, suffix string) (*ast.File, error) {
		f, err := parser.ParseFile(fset, "", prefix+text+suffix, 0)
		if err != nil {
			return nil, c.syntaxError(err, len(prefix))
		}
		return f, nil
	}
	off := func(p token.Pos, prefix string) int { return fset.Position(p).Offset - len(prefix) }

	if len(impSegs) > 0 {
		f, err := parse(filePrefix, blankExcept(src, impSegs, false), "")
		if err != nil {
			return nil, err
		}
		for _, is := range f.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return nil, &evalError{"SyntaxError", c.pos(off(is.Pos(), filePrefix)) + ": bad import path " + is.Path.Value}
			}
			spec := importSpec{Path: p, off: off(is.Pos(), filePrefix)}
			if is.Name != nil {
				spec.Name = is.Name.Name
			}
			c.imports = append(c.imports, spec)
		}
	}
	declared := map[string]bool{}
	text := func(from, to int) string { return src[from:to] }
	if len(funcSegs) > 0 {
		f, err := parse(filePrefix, blankExcept(src, funcSegs, false), "")
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			kind, name := "func", fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) > 0 {
				kind, name = "method", recvTypeName(fd.Recv.List[0].Type)+"."+fd.Name.Name
			} else {
				declared[name] = true
			}
			from, to := off(fd.Pos(), filePrefix), off(fd.End(), filePrefix)
			c.decls = append(c.decls, declPiece{kind: kind, names: []string{name}, text: text(from, to), off: from, refs: identRefs(fd)})
			c.collectRefs(fd)
		}
	}
	body, err := parse(bodyPrefix, blankExcept(src, all, true), "\n}")
	if err != nil {
		return nil, err
	}
	stmts := body.Decls[0].(*ast.FuncDecl).Body.List
	for i, st := range stmts {
		from, to := off(st.Pos(), bodyPrefix), off(st.End(), bodyPrefix)
		switch st := st.(type) {
		case *ast.DeclStmt:
			gd := st.Decl.(*ast.GenDecl)
			switch gd.Tok {
			case token.TYPE, token.CONST:
				// One piece per declaration: a group keeps iota and
				// implicit repetition working.
				var names []string
				for _, sp := range gd.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						names = append(names, sp.Name.Name)
					case *ast.ValueSpec:
						for _, nm := range sp.Names {
							names = append(names, nm.Name)
						}
					}
				}
				for _, nm := range names {
					declared[nm] = true
				}
				c.decls = append(c.decls, declPiece{kind: gd.Tok.String(), names: names, text: text(from, to), off: from, refs: identRefs(gd)})
			case token.VAR:
				for _, sp := range gd.Specs {
					vs := sp.(*ast.ValueSpec)
					vp := varPiece{off: off(vs.Names[0].Pos(), bodyPrefix), refs: map[string]bool{}}
					if vs.Type != nil {
						addRefs(vp.refs, vs.Type)
					}
					for _, e := range vs.Values {
						addRefs(vp.refs, e)
					}
					for _, nm := range vs.Names {
						vp.names = append(vp.names, nm.Name)
						declared[nm.Name] = true
					}
					if vs.Type != nil {
						vp.typOff = off(vs.Type.Pos(), bodyPrefix)
						vp.typ = text(vp.typOff, off(vs.Type.End(), bodyPrefix))
					}
					if len(vs.Values) > 0 {
						vp.rhsOff = off(vs.Values[0].Pos(), bodyPrefix)
						vp.rhs = text(vp.rhsOff, off(vs.Values[len(vs.Values)-1].End(), bodyPrefix))
					}
					c.vars = append(c.vars, vp)
					v := vp
					sfrom := off(vs.Pos(), bodyPrefix)
					c.stmts = append(c.stmts, stmtPiece{off: vp.off, assign: &v, local: text(sfrom, off(vs.End(), bodyPrefix)), localOff: sfrom})
				}
			}
		case *ast.AssignStmt:
			if st.Tok != token.DEFINE {
				c.stmts = append(c.stmts, stmtPiece{text: text(from, to), off: from})
				break
			}
			vp := varPiece{off: from, refs: map[string]bool{}}
			for _, e := range st.Rhs {
				addRefs(vp.refs, e)
			}
			for _, l := range st.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok {
					return nil, &evalError{"SyntaxError", c.pos(off(l.Pos(), bodyPrefix)) + ": non-name on left side of :="}
				}
				vp.names = append(vp.names, id.Name)
				declared[id.Name] = true
			}
			vp.rhsOff = off(st.Rhs[0].Pos(), bodyPrefix)
			vp.rhs = text(vp.rhsOff, off(st.Rhs[len(st.Rhs)-1].End(), bodyPrefix))
			c.vars = append(c.vars, vp)
			v := vp
			c.stmts = append(c.stmts, stmtPiece{off: from, assign: &v, local: text(from, to), localOff: from})
		case *ast.ExprStmt:
			if i == len(stmts)-1 {
				c.final = st.X
				_, c.finalCall = ast.Unparen(st.X).(*ast.CallExpr)
				c.stmts = append(c.stmts, stmtPiece{text: text(from, to), off: from})
				if c.finalCall && suppressedCall(st.X) {
					c.final = nil
				}
				break
			}
			c.stmts = append(c.stmts, stmtPiece{text: text(from, to), off: from})
		case *ast.EmptyStmt:
		default:
			c.stmts = append(c.stmts, stmtPiece{text: text(from, to), off: from})
		}
	}
	c.collectRefs(body)
	c.captured = map[string]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			addRefs(c.captured, n)
			return false
		case *ast.ForStmt, *ast.RangeStmt:
			c.loops = true
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				c.loops = true
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				addRefs(c.captured, n.X)
			}
		}
		return true
	})
	for name := range declared {
		delete(c.pkgRefs, name)
	}
	return c, nil
}

// collectRefs records the unresolved qualifiers x of x.Sel in n.
func (c *parsedCell) collectRefs(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		if se, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := se.X.(*ast.Ident); ok && id.Obj == nil {
				c.pkgRefs[id.Name] = true
			}
		}
		return true
	})
}

// identRefs returns the identifiers used in n.
func identRefs(n ast.Node) map[string]bool {
	m := map[string]bool{}
	addRefs(m, n)
	return m
}

func addRefs(m map[string]bool, n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			m[id.Name] = true
		}
		return true
	})
}

// recvTypeName returns T for receivers T, *T, T[K], *T[K].
func recvTypeName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return "?"
		}
	}
}

// suppressedCall tells whether a final call's results are conventionally
// ignored, such as fmt.Println's (n, err): they are not shown as Out[n].
func suppressedCall(e ast.Expr) bool {
	call := ast.Unparen(e).(*ast.CallExpr)
	se, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	name := se.Sel.Name
	if id, ok := se.X.(*ast.Ident); ok {
		switch id.Name {
		case "fmt":
			return strings.HasPrefix(name, "Print") || strings.HasPrefix(name, "Fprint") ||
				strings.Contains(name, "scan") || strings.Contains(name, "Scan")
		case "io":
			return strings.HasPrefix(name, "Copy") || name == "WriteString" || name == "ReadFull"
		case "log":
			return true
		case "os":
			return name == "WriteFile" || name == "Setenv" || name == "Unsetenv" || name == "Chdir" ||
				name == "Remove" || name == "RemoveAll" || name == "Mkdir" || name == "MkdirAll" || name == "Rename"
		}
	}
	// Writer-style methods: w.Write, b.WriteString, l.Printf, ...
	return strings.HasPrefix(name, "Write") || strings.HasPrefix(name, "Print") ||
		strings.HasPrefix(name, "Fprint")
}

// syntaxError turns a parser error into "cellN:L:C: msg" errors.
func (c *parsedCell) syntaxError(err error, prefixLen int) error {
	el, ok := err.(scanner.ErrorList)
	if !ok || len(el) == 0 {
		return &evalError{"SyntaxError", fmt.Sprintf("cell%d: %v", c.n, err)}
	}
	var msgs []string
	for i, e := range el {
		if i == 3 {
			msgs = append(msgs, fmt.Sprintf("(and %d more errors)", len(el)-3))
			break
		}
		o := e.Pos.Offset - prefixLen
		if o < 0 {
			o = 0
		}
		msg := e.Msg
		if end := len(strings.TrimRight(c.src, " \t\r\n")); o > end {
			// In the text around the cell (the closing brace of the
			// function the statements are parsed in): the error is at
			// the end of the cell.
			o = end
			if i := strings.LastIndex(msg, ", found "); i >= 0 {
				msg = msg[:i] + ", found 'EOF'"
			}
		}
		msgs = append(msgs, c.pos(o)+": "+msg)
	}
	return &evalError{"SyntaxError", strings.Join(msgs, "\n")}
}
