package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/godl-kernel/godl/interp/stdext"
)

// cellLowerer type-checks notebook cells with go/types and lowers them to
// the Go that yaegi v0.16.1 runs (see lower.go). It holds the type-checking
// environment of one interpreter: the top-level objects and imports of the
// cells committed so far, so a cell is checked against earlier cells
// without re-checking them (after a type or constant is redefined, the
// latest declarations are re-checked together once). Not safe for
// concurrent use (one per Session).
//
// The engine calls lowerCell (lower.go) for each cell; lower and commit
// are the finer-grained steps it is built on.
type cellLowerer struct {
	imp        *symbolImporter
	autoImport func(string) (string, bool) // package name -> import path, for cells that use fmt without importing it
	fset       *token.FileSet
	env        map[string]types.Object // top-level objects of committed cells, last wins
	imports    map[string]string       // import name -> path, from committed cells
	base       map[string]types.Object // the prelude's declarations (_godlMin, ...)

	dirty   bool         // a type or constant was redefined: rebuild env from the latest declarations
	seen    []string     // the prior cells committed by lowerCell
	last    *loweredCell // the cell lowered last, committed when it shows up in prior
	lastKey string

	// gen counts changes of env and imports; lastCheck is the result of
	// the last check, valid while gen is unchanged: the engine asks for
	// the types of the cell it just lowered (typesOf, rewriteDisplayArgs)
	// without checking it again. The lowering only reads the checked
	// AST and types, never changes them.
	gen       int
	lastCheck checkMemo
	types     []types.Object // typeNames, for typesGen
	typesGen  int

	// loops receives the compiled loops (fastloop.go); nil: none.
	loops   *loopRegistry
	fastWhy func(loop ast.Stmt, why string) // tests
}

// typeNames returns the type names of env and base (env first).
func (l *cellLowerer) typeNames() []types.Object {
	if l.typesGen == l.gen && l.types != nil {
		return l.types
	}
	l.types = l.types[:0]
	for _, env := range []map[string]types.Object{l.env, l.base} {
		for _, o := range env {
			if _, ok := o.(*types.TypeName); ok {
				l.types = append(l.types, o)
			}
		}
	}
	if l.types == nil {
		l.types = []types.Object{}
	}
	l.typesGen = l.gen
	return l.types
}

// checkMemo is one result of check.
type checkMemo struct {
	src  string
	cell int
	gen  int
	c    *checked
	err  error
}

// newCellLowerer returns a lowerer that resolves imports from the given
// yaegi symbol tables (pass stdlib.Symbols and symbols.Symbols, the same
// tables the interpreter Uses).
// autoImport, when not nil, resolves a bare package name to its import
// path (the engine's autoImportPath, so both agree); by default the shortest
// path with that name wins.
func newCellLowerer(autoImport func(name string) (string, bool), exports ...yaegi.Exports) *cellLowerer {
	imp := newSymbolImporter(exports...)
	if autoImport == nil {
		names := imp.packageNames()
		autoImport = func(n string) (string, bool) { p, ok := names[n]; return p, ok }
	}
	l := &cellLowerer{
		imp:        imp,
		autoImport: autoImport,
		fset:       token.NewFileSet(),
		env:        map[string]types.Object{},
		imports:    map[string]string{},
	}
	l.base = l.preludeObjects()
	return l
}

// preludeObjects type-checks stdext.Prelude: lowered cells that were
// committed as written by the engine may call its helpers.
func (l *cellLowerer) preludeObjects() map[string]types.Object {
	objs := map[string]types.Object{}
	f, err := parser.ParseFile(l.fset, "godl-prelude", "package main\n"+stdext.Prelude, 0)
	if err != nil {
		return objs
	}
	pkg := types.NewPackage("main", "main")
	if err := types.NewChecker(&types.Config{Importer: l.imp}, l.fset, pkg, nil).Files([]*ast.File{f}); err != nil {
		return objs
	}
	for _, n := range pkg.Scope().Names() {
		objs[n] = pkg.Scope().Lookup(n)
	}
	return objs
}

// reset forgets all committed cells (after %reset or a worker restart) but
// keeps the converted packages.
func (l *cellLowerer) reset() {
	l.gen++
	l.env = map[string]types.Object{}
	l.imports = map[string]string{}
	l.seen, l.last, l.lastKey = nil, nil, ""
}

// loweredCell is the result of lowering one cell.
type loweredCell struct {
	// Source is the cell rewritten for yaegi, in the same shape as the input
	// (a whole file stays a file; raw cell text stays raw cell text), with
	// every original line on the same line so positions stay cell-relative.
	Source string
	// Imports lists the import paths the cell (or its lowering) uses without
	// an import line in the cell; the engine must import them (auto-import).
	Imports []string
	// Changed reports whether Source differs from the input.
	Changed bool
	// VarTypes holds the Go type, as the cell can spell it, of each
	// top-level variable the cell declares (x := ..., var x = ...), for
	// declaring them as `var x T` and assigning in the cell function:
	// yaegi v0.16.1 cannot call generic functions in package-level
	// initialisers. Variables whose type cannot be spelled are absent.
	VarTypes map[string]string

	objs    map[string]types.Object
	imports map[string]string
}

// lastVarTypes returns VarTypes of the cell lowerCell lowered last.
func (l *cellLowerer) lastVarTypes() map[string]string {
	if l.last == nil {
		return nil
	}
	return l.last.VarTypes
}

// commit adds the cell's top-level declarations and imports to the
// environment later cells are checked against.
func (l *cellLowerer) commit(c *loweredCell) {
	if c == nil {
		return
	}
	l.gen++
	for n, o := range c.objs {
		switch l.env[n].(type) {
		case *types.TypeName, *types.Const:
			// A redefined type or constant: declarations of earlier cells
			// that use it now see the new one (the engine replays them).
			l.dirty = true
		}
		l.env[n] = o
	}
	for n, p := range c.imports {
		l.imports[n] = p
	}
}

// cellError lists the syntax or type errors of a cell, each formatted as
// "cellN:line:col: message" with Go's own message.
type cellError struct {
	Errors []string
	// Syntax tells that the cell does not parse (a SyntaxError), rather
	// than failing to type-check.
	Syntax bool
}

func (e *cellError) Error() string { return strings.Join(e.Errors, "\n") }

// segment maps a range of the model file (what go/types checks) back to
// the cell source.
type segment struct{ model, orig, n int }

// cellModel is a cell made into a Go file for go/types.
type cellModel struct {
	name     string // "cellN"
	src      string // the cell as given
	text     string // the model file
	segs     []segment
	lastStmt [2]int             // original offsets of the last top-level statement (its value is shown, not "unused")
	defines  map[int]defineItem // by model offset of the "var" it became
}

func (m *cellModel) origOffset(modelOff int) (int, bool) {
	i := sort.Search(len(m.segs), func(i int) bool { return m.segs[i].model+m.segs[i].n >= modelOff }) // first seg ending at/after
	for ; i < len(m.segs); i++ {
		s := m.segs[i]
		if modelOff >= s.model && modelOff <= s.model+s.n {
			return s.orig + modelOff - s.model, true
		}
		if s.model > modelOff {
			break
		}
	}
	return 0, false
}

// cellPos returns the cell position ("cellN:L:C") of a model offset. An
// offset in text the model added (the function around the statements, the
// "var" of a top-level :=) maps to the end of the cell text before it:
// generated is then true, and atEnd tells that only space follows in the
// cell, so that an error there is at the end of the cell.
func (m *cellModel) cellPos(modelOff int) (pos string, atEnd, generated bool) {
	orig, ok := m.origOffset(modelOff)
	if !ok {
		generated = true
		orig = 0
		for _, s := range m.segs {
			if s.model+s.n <= modelOff {
				orig = s.orig + s.n
			}
		}
	}
	atEnd = strings.TrimSpace(m.src[orig:]) == ""
	line, col := lineCol(lineStarts(m.src), orig)
	return fmt.Sprintf("%s:%d:%d", m.name, line, col), atEnd, generated
}

// syntaxError formats a parse error of the model at its cell position.
// An error in the text the model added reads as Go reads the cell: the
// token found is the end of the cell ('EOF') or a newline, not the
// model's closing brace.
func (m *cellModel) syntaxError(e *scanner.Error) string {
	if m.segs == nil {
		return e.Error()
	}
	pos, atEnd, generated := m.cellPos(e.Pos.Offset)
	msg := e.Msg
	if generated {
		found := "newline"
		if atEnd {
			found = "'EOF'"
		}
		if i := strings.LastIndex(msg, ", found "); i >= 0 {
			msg = msg[:i] + ", found " + found
		} else if strings.HasPrefix(msg, "expected ") && !strings.Contains(msg, "found") {
			msg += ", found " + found
		}
	}
	return pos + ": " + msg
}

// defineItem is a top-level "a, b := v" of a raw cell.
type defineItem struct {
	start, assign int             // cell offsets of the item and of its ":="
	redeclared    map[string]bool // names declared before in the cell (assigned, not declared)
}

// item is one top-level chunk of raw cell text.
type item struct {
	start, end int
	decl       bool
	define     bool // a top-level "a, b := ..." statement
}

// buildModel makes raw cell text (imports, declarations and statements in
// any order, as a notebook user writes them) into a Go file: declarations
// stay at file level, top-level `x := v` become `var x = v` (cell variables
// are globals of the notebook), other statements go into one function.
// /*line cellN:L:C*/ directives keep go/types positions cell-relative.
func buildModel(src, name string) (*cellModel, error) {
	m := &cellModel{name: name, src: src, lastStmt: [2]int{-1, -1}}
	if isFile(src) {
		m.text = src
		m.segs = []segment{{0, 0, len(src)}}
		return m, nil
	}
	items := splitTopLevel(src)
	var b strings.Builder
	b.WriteString("package main;")
	lines := lineStarts(src)
	emit := func(from, to int) {
		line, col := lineCol(lines, from)
		fmt.Fprintf(&b, "/*line %s:%d:%d*/", name, line, col)
		m.segs = append(m.segs, segment{b.Len(), from, to - from})
		b.WriteString(src[from:to])
	}
	var stmts []item
	defined := map[string]bool{} // names declared by the cell's top-level statements so far
	for _, it := range items {
		if it.decl && strings.HasPrefix(src[it.start:it.end], "var") {
			if f, err := parser.ParseFile(token.NewFileSet(), "", "package p;"+src[it.start:it.end], parser.SkipObjectResolution); err == nil {
				for _, d := range f.Decls {
					for _, sp := range d.(*ast.GenDecl).Specs {
						for _, n := range sp.(*ast.ValueSpec).Names {
							defined[n.Name] = true
						}
					}
				}
			}
		}
	}
	// Imports first: a notebook user may import after other code.
	for _, it := range items {
		if it.decl && strings.HasPrefix(src[it.start:it.end], "import") {
			b.WriteString("\n")
			emit(it.start, it.end)
			b.WriteString("\n")
		}
	}
	for _, it := range items {
		if it.decl && strings.HasPrefix(src[it.start:it.end], "import") {
			continue
		}
		switch {
		case it.define:
			// "a, b := f()" -> "var a, b = f()"; names an earlier
			// statement of the cell declared are assigned, not declared
			// (x, err := f(); y, err := g()), so they become _ here.
			i := strings.Index(src[it.start:it.end], ":=") + it.start
			b.WriteString("\n")
			di := defineItem{start: it.start, assign: i, redeclared: map[string]bool{}}
			for _, nm := range strings.Split(src[it.start:i], ",") {
				if id := strings.TrimSpace(nm); defined[id] {
					di.redeclared[id] = true
				}
			}
			if m.defines == nil {
				m.defines = map[int]defineItem{}
			}
			m.defines[b.Len()] = di
			b.WriteString("var ")
			for k, nm := range strings.Split(src[it.start:i], ",") {
				if k > 0 {
					b.WriteString(",")
				}
				lead := len(nm) - len(strings.TrimLeft(nm, " \t"))
				id := strings.TrimSpace(nm)
				if defined[id] {
					b.WriteString("_")
					continue
				}
				defined[id] = true
				start := offsetOfField(src, it.start, i, k) + lead
				emit(start, start+len(id))
			}
			b.WriteString(" = ")
			emit(i+2, it.end)
			b.WriteString("\n")
		case it.decl:
			b.WriteString("\n")
			emit(it.start, it.end)
			b.WriteString("\n")
		default:
			stmts = append(stmts, it)
		}
	}
	if len(stmts) > 0 {
		b.WriteString("\nfunc _godlCell() {\n")
		for _, it := range stmts {
			emit(it.start, it.end)
			b.WriteString("\n")
		}
		b.WriteString("}\n")
		last := stmts[len(stmts)-1]
		m.lastStmt = [2]int{last.start, last.end}
	}
	m.text = b.String()
	return m, nil
}

// isFile reports whether src is a whole Go file (starts with a package clause).
func isFile(src string) bool {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	_, tok, _ := s.Scan()
	return tok == token.PACKAGE
}

// splitTopLevel splits raw cell text into top-level items at semicolons
// (explicit or automatic) outside brackets.
func splitTopLevel(src string) []item {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	type tok struct {
		off int
		tok token.Token
		lit string
	}
	var toks []tok
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		toks = append(toks, tok{int(pos) - 1, t, lit})
	}
	var items []item
	depth := 0
	start := -1
	var first []tok
	flush := func(end int) {
		if start < 0 {
			return
		}
		it := item{start: start, end: end}
		switch first[0].tok {
		case token.IMPORT, token.TYPE, token.VAR, token.CONST:
			it.decl = true
		case token.FUNC:
			if len(first) > 1 && first[1].tok == token.IDENT {
				it.decl = true
			} else if len(first) > 1 && first[1].tok == token.LPAREN {
				// method declaration: func (r T) Name(...) — the receiver
				// list is followed by an identifier.
				d := 0
				for k := 1; k < len(first); k++ {
					switch first[k].tok {
					case token.LPAREN:
						d++
					case token.RPAREN:
						d--
					}
					if d == 0 {
						it.decl = k+1 < len(first) && first[k+1].tok == token.IDENT
						break
					}
				}
			}
		}
		if !it.decl {
			d := 0
			for _, t := range first {
				switch t.tok {
				case token.LPAREN, token.LBRACK, token.LBRACE:
					d++
				case token.RPAREN, token.RBRACK, token.RBRACE:
					d--
				case token.DEFINE:
					if d == 0 {
						it.define = true
					}
				}
				if it.define || (d == 0 && t.tok != token.IDENT && t.tok != token.COMMA && t.tok != token.DEFINE) {
					break
				}
			}
		}
		items = append(items, it)
		start = -1
		first = first[:0]
	}
	sawBrace := false // a for/if/switch header's semicolons do not end the statement
	for _, t := range toks {
		switch t.tok {
		case token.SEMICOLON:
			header := len(first) > 0 && !sawBrace && t.lit == ";" &&
				(first[0].tok == token.FOR || first[0].tok == token.IF || first[0].tok == token.SWITCH)
			if depth == 0 && !header {
				sawBrace = false
				flush(t.off)
				continue
			}
		case token.LPAREN, token.LBRACK, token.LBRACE:
			if t.tok == token.LBRACE && depth == 0 {
				sawBrace = true
			}
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		if start < 0 {
			start = t.off
		}
		if len(first) < 64 {
			first = append(first, t)
		}
	}
	flush(len(src))
	// The scanner reports an automatic semicolon at EOF at len(src); trim
	// trailing space of each item.
	for i := range items {
		for items[i].end > items[i].start && strings.ContainsRune(" \t\r\n", rune(src[items[i].end-1])) {
			items[i].end--
		}
	}
	return items
}

func lineStarts(src string) []int {
	ls := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			ls = append(ls, i+1)
		}
	}
	return ls
}

func lineCol(lines []int, off int) (int, int) {
	i := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
	return i + 1, off - lines[i] + 1
}

// checked is a type-checked cell.
type checked struct {
	m    *cellModel
	file *ast.File
	tf   *token.File
	pkg  *types.Package
	info *types.Info
	// pkgNames: name -> path of every package usable in the cell
	pkgNames map[string]string
	autoUsed map[string]bool // auto-imported paths
}

// check parses and type-checks a cell against the environment. Checking
// the same cell again against the same environment returns the same
// result.
func (l *cellLowerer) check(src string, cell int) (*checked, error) {
	if m := &l.lastCheck; m.c != nil && m.gen == l.gen && m.cell == cell && m.src == src {
		return m.c, m.err
	}
	c, err := l.checkNew(src, cell)
	if c != nil {
		l.lastCheck = checkMemo{src: src, cell: cell, gen: l.gen, c: c, err: err}
	}
	return c, err
}

// checkNew parses and type-checks a cell against the environment.
func (l *cellLowerer) checkNew(src string, cell int) (*checked, error) {
	name := "cell" + strconv.Itoa(cell)
	m, err := buildModel(src, name)
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(l.fset, name, m.text, parser.ParseComments)
	if err != nil {
		var errs []string
		if list, ok := err.(scanner.ErrorList); ok {
			for i, e := range list {
				if i == 10 {
					errs = append(errs, fmt.Sprintf("(and %d more errors)", len(list)-10))
					break
				}
				errs = append(errs, m.syntaxError(e))
			}
		} else {
			errs = append(errs, err.Error())
		}
		return nil, &cellError{Errors: errs, Syntax: true}
	}
	c := &checked{m: m, file: f, tf: l.fset.File(f.Pos()), pkgNames: map[string]string{}, autoUsed: map[string]bool{}}

	// Names this cell declares at top level replace earlier ones.
	own := map[string]bool{}
	fileImports := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				own[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					for _, n := range s.Names {
						own[n.Name] = true
					}
				case *ast.TypeSpec:
					own[s.Name.Name] = true
				case *ast.ImportSpec:
					p, _ := strconv.Unquote(s.Path.Value)
					n := ""
					if s.Name != nil {
						n = s.Name.Name
					} else if sp := l.imp.byPath[p]; sp != nil {
						n = sp.name
					} else {
						n = p[strings.LastIndex(p, "/")+1:]
					}
					fileImports[n] = true
					c.pkgNames[n] = p
				}
			}
		}
	}
	// Packages used without an import in this cell: imported by an earlier
	// cell, or auto-imported by name.
	extraPkgs := map[string]*types.Package{}
	for _, id := range f.Unresolved {
		n := id.Name
		if own[n] || fileImports[n] || l.env[n] != nil || l.base[n] != nil || types.Universe.Lookup(n) != nil || extraPkgs[n] != nil {
			continue
		}
		p, ok := l.imports[n]
		auto := false
		if !ok {
			p, ok = l.autoImport(n)
			auto = true
		}
		if !ok {
			continue
		}
		ip, err := l.imp.Import(p)
		if err != nil {
			continue
		}
		if auto {
			c.autoUsed[p] = true
		}
		extraPkgs[n] = ip
		c.pkgNames[n] = p
	}
	moved := l.moveMethods(f, own)

	var errs []types.Error
	var pkg *types.Package
	var info *types.Info
	for attempt := 0; attempt < 2; attempt++ {
		pkg = types.NewPackage("main", "main")
		scope := pkg.Scope()
		insert := func(n string, o types.Object) {
			if o != nil && !own[n] && !fileImports[n] && scope.Lookup(n) == nil {
				scope.Insert(o)
			}
		}
		// Only the earlier cells' objects the cell names (the parser
		// leaves them unresolved), so that a check costs the same after
		// a thousand cells; and every type, which the lowering and the
		// engine look up by name to spell types (typeString,
		// cellTypeSpelling, cellTypes.namedTypes).
		for _, id := range f.Unresolved {
			insert(id.Name, l.env[id.Name])
			insert(id.Name, l.base[id.Name])
		}
		for _, o := range l.typeNames() {
			insert(o.Name(), o)
		}
		for n, ip := range extraPkgs {
			scope.Insert(types.NewPkgName(token.NoPos, pkg, n, ip))
		}
		errs = errs[:0]
		conf := types.Config{
			Importer: l.imp,
			Error: func(err error) {
				if te, ok := err.(types.Error); ok {
					errs = append(errs, te)
				}
			},
		}
		info = &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Instances:  map[*ast.Ident]types.Instance{},
			Scopes:     map[ast.Node]*types.Scope{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
		}
		if perr := safeCheck(types.NewChecker(&conf, l.fset, pkg, info), f); perr != nil {
			return nil, perr
		}
		// Methods declared on earlier cells' types were checked as funcs;
		// attach them, and check again if the cell itself calls them.
		if !attachMethods(pkg, info, moved) || len(errs) == 0 {
			break
		}
	}
	c.pkg, c.info = pkg, info

	var msgs []string
	for _, e := range errs {
		if l.ignorable(c, e) {
			continue
		}
		if len(msgs) == 10 {
			msgs = append(msgs, "(too many errors)")
			break
		}
		msg := e.Msg
		pos := l.fset.Position(e.Pos)
		if raw := l.fset.PositionFor(e.Pos, false); e.Pos.IsValid() && c.m.segs != nil {
			if p, _, generated := c.m.cellPos(raw.Offset); generated {
				msgs = append(msgs, fmt.Sprintf("%s: %s", p, msg))
				continue
			}
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", pos, msg))
	}
	if len(msgs) > 0 {
		return c, &cellError{Errors: msgs}
	}
	return c, nil
}

// ignorable drops what a notebook does not treat as an error: unused
// imports and variables, and the unused value of the cell's last
// expression (it becomes Out[n]).
func (l *cellLowerer) ignorable(c *checked, e types.Error) bool {
	switch {
	case strings.Contains(e.Msg, " imported") && strings.HasSuffix(e.Msg, "not used"),
		strings.Contains(e.Msg, "declared and not used"),
		strings.HasPrefix(e.Msg, "label ") && strings.HasSuffix(e.Msg, "declared and not used"):
		return true
	case strings.HasPrefix(e.Msg, "implicit assignment to unexported field") && strings.Contains(e.Msg, "of type main."):
		// A struct type of an earlier cell: same package for the user.
		return true
	case strings.HasPrefix(e.Msg, "initialization cycle"):
		// Cell variables are modelled as package variables; their
		// initialisation order is the engine's (statement order).
		return true
	case strings.HasSuffix(e.Msg, "is not used"):
		if c.m.lastStmt[0] < 0 || !e.Pos.IsValid() {
			return false
		}
		off, ok := c.m.origOffset(c.tf.Offset(e.Pos))
		return ok && off >= c.m.lastStmt[0] && off <= c.m.lastStmt[1]
	}
	return false
}

// movedMethod is a method declared on a type of an earlier cell. go/types
// cannot add methods to a type of another check, so the declaration is
// checked as a function taking the receiver first and then attached to
// the type (attachMethods).
type movedMethod struct {
	decl  *ast.FuncDecl
	named *types.Named
	name  string
	ptr   bool
}

// moveMethods rewrites, in the AST only (yaegi gets the source unchanged),
// methods on types declared in earlier cells into plain functions.
func (l *cellLowerer) moveMethods(f *ast.File, own map[string]bool) []movedMethod {
	var moved []movedMethod
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
			continue
		}
		recv := fd.Recv.List[0]
		rt, ptr := recv.Type, false
		if st, ok := rt.(*ast.StarExpr); ok {
			rt, ptr = st.X, true
		}
		id, ok := rt.(*ast.Ident) // generic receivers are left to yaegi
		if !ok || own[id.Name] {
			continue
		}
		tn, ok := l.env[id.Name].(*types.TypeName)
		if !ok {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok || named.TypeParams() != nil {
			continue
		}
		named = types.Unalias(named).(*types.Named)
		params := fd.Type.Params
		namedParams := len(params.List) > 0 && len(params.List[0].Names) > 0
		if namedParams && len(recv.Names) == 0 {
			recv.Names = []*ast.Ident{{NamePos: recv.Type.Pos(), Name: "_"}}
		}
		if !namedParams && len(recv.Names) > 0 {
			for _, p := range params.List {
				p.Names = []*ast.Ident{{NamePos: p.Type.Pos(), Name: "_"}}
			}
		}
		params.List = append([]*ast.Field{recv}, params.List...)
		moved = append(moved, movedMethod{decl: fd, named: named, name: fd.Name.Name, ptr: ptr})
		fd.Recv = nil
		fd.Name = &ast.Ident{NamePos: fd.Name.NamePos, Name: "_godlMethod_" + id.Name + "_" + fd.Name.Name}
	}
	return moved
}

// attachMethods adds the moved methods to their types; it reports whether
// it added any.
func attachMethods(pkg *types.Package, info *types.Info, moved []movedMethod) bool {
	added := false
	for _, m := range moved {
		fn, ok := info.Defs[m.decl.Name].(*types.Func)
		if !ok {
			continue
		}
		if obj, _, _ := types.LookupFieldOrMethod(m.named, true, pkg, m.name); obj != nil {
			continue // an existing method keeps its signature
		}
		sig := fn.Type().(*types.Signature)
		ps := sig.Params()
		if ps.Len() == 0 {
			continue
		}
		rest := make([]*types.Var, 0, ps.Len()-1)
		for i := 1; i < ps.Len(); i++ {
			rest = append(rest, ps.At(i))
		}
		recv := types.NewVar(ps.At(0).Pos(), pkg, ps.At(0).Name(), ps.At(0).Type())
		msig := types.NewSignatureType(recv, nil, nil, types.NewTuple(rest...), sig.Results(), sig.Variadic())
		m.named.AddMethod(types.NewFunc(m.decl.Name.Pos(), pkg, m.name, msig))
		added = true
	}
	return added
}

// errUnchecked means go/types could not check the cell: it is passed to
// yaegi as written, which reports what it cannot run.
var errUnchecked = errors.New("godl: the cell could not be type-checked")

// safeCheck runs the checker, turning a go/types panic (it has a few on
// unusual input) into an error instead of a dead worker.
func safeCheck(chk *types.Checker, f *ast.File) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errUnchecked
		}
	}()
	_ = chk.Files([]*ast.File{f})
	return nil
}

// offsetOfField returns the offset of the k-th comma-separated field of
// src[from:to].
func offsetOfField(src string, from, to, k int) int {
	off := from
	for ; k > 0; k-- {
		off += strings.IndexByte(src[off:to], ',') + 1
	}
	return off
}

// rebuildEnv re-checks the latest version of every top-level declaration
// of the prior cells together (statements left out), so that after a type
// or constant is redefined, the functions and variables of earlier cells
// that use it are typed with the new one, as the engine replays them.
func (l *cellLowerer) rebuildEnv(prior []string) {
	type decl struct {
		key, text string
	}
	var decls []decl
	latest := map[string]int{}
	for _, p := range prior {
		src := blankMagics(p)
		for _, it := range splitTopLevel(src) {
			text := src[it.start:it.end]
			if !it.decl && !it.define {
				continue
			}
			key := declKey(text, it.define)
			if key == "" {
				continue
			}
			latest[key] = len(decls)
			decls = append(decls, decl{key, text})
		}
	}
	var b strings.Builder
	for i, d := range decls {
		if latest[d.key] == i {
			b.WriteString(d.text)
			b.WriteString("\n")
		}
	}
	l.gen++
	l.env = map[string]types.Object{}
	c, _ := l.check(b.String(), 0)
	if c == nil || c.pkg == nil {
		return
	}
	for n, o := range l.declaredBy(c) {
		l.env[n] = o
	}
	l.gen++ // the check above saw an empty env
}

// declaredBy returns the package-level objects the checked cell itself
// declares, by name, leaving out imports and the lowering's _godl helpers.
//
// It walks the cell's own definitions, not the package scope, which also
// holds every object of the earlier cells.
func (l *cellLowerer) declaredBy(c *checked) map[string]types.Object {
	objs := map[string]types.Object{}
	scope := c.pkg.Scope()
	for id, o := range c.info.Defs {
		if o == nil || o.Parent() != scope {
			continue
		}
		n := id.Name
		if _, isPkg := o.(*types.PkgName); isPkg || strings.HasPrefix(n, "_godl") || scope.Lookup(n) != o {
			continue
		}
		if o.Pos().IsValid() && l.fset.File(o.Pos()) == c.tf {
			objs[n] = o
		}
	}
	return objs
}

// declKey names what a top-level item declares ("type T", "method T.M",
// "var a,b"); later items with the same key replace earlier ones.
func declKey(text string, define bool) string {
	if define {
		i := strings.Index(text, ":=")
		if i < 0 {
			return ""
		}
		return "var " + strings.Join(strings.Fields(strings.ReplaceAll(text[:i], ",", " ")), ",")
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p;"+text, parser.SkipObjectResolution)
	if err != nil || len(f.Decls) != 1 {
		return ""
	}
	switch d := f.Decls[0].(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) == 1 {
			t := d.Recv.List[0].Type
			if st, ok := t.(*ast.StarExpr); ok {
				t = st.X
			}
			for {
				switch x := t.(type) {
				case *ast.IndexExpr:
					t = x.X
					continue
				case *ast.IndexListExpr:
					t = x.X
					continue
				}
				break
			}
			if id, ok := t.(*ast.Ident); ok {
				return "method " + id.Name + "." + d.Name.Name
			}
			return ""
		}
		return "func " + d.Name.Name
	case *ast.GenDecl:
		var names []string
		for _, sp := range d.Specs {
			switch sp := sp.(type) {
			case *ast.ImportSpec:
				return "" // imports are tracked separately
			case *ast.TypeSpec:
				names = append(names, sp.Name.Name)
			case *ast.ValueSpec:
				for _, n := range sp.Names {
					names = append(names, n.Name)
				}
			}
		}
		return d.Tok.String() + " " + strings.Join(names, ",")
	}
	return ""
}
