package interp

// The analysis shared by completion and inspection: a lenient parse of the
// cells (imports, declarations and statements mixed), the names they bind,
// and a small type inference over the Go source and the reflect types of
// the compiled packages' yaegi tables. It never runs code and never touches
// the interpreter, so it can run while a cell executes.

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/godl-kernel/godl/interp/symbols"
)

// helpCell is one parsed cell. Its source is split into top-level
// declarations and statements; each kind is parsed from a copy of the
// source with the other kind blanked out (bytes replaced by spaces, line
// breaks kept) after a fixed prefix, so that an offset in either file is
// the cell offset plus the prefix length.
type helpCell struct {
	src      string
	fset     *token.FileSet
	declFile *ast.File
	body     *ast.BlockStmt // the statements, wrapped in a func
	declBase int            // token.File bases of the two files
	stmtBase int
	// binds are the top-level names of the cell, in source order.
	binds []*helpBinding
}

const (
	// The prefixes end a line so that a comment at the start of the cell
	// is a doc comment, not a trailing comment of the prefix.
	helpDeclPrefix = "package p\n"
	helpStmtPrefix = "package p\nfunc _() {\n"
)

// Binding kinds.
const (
	bindVar    = 'v'
	bindConst  = 'c'
	bindFunc   = 'f'
	bindType   = 't'
	bindMethod = 'm'
	bindImport = 'p'
)

// helpBinding is a name bound by a declaration.
type helpBinding struct {
	name string
	kind byte
	typ  ast.Expr // declared type: var/const type, *ast.FuncType of a func, TypeSpec.Type
	val  ast.Expr // initializer
	idx  int      // index of the name in a multi-value initializer, or -1
	// rangeOf is set for range variables: the ranged expression; key
	// says whether the name is the key (else the value).
	rangeOf ast.Expr
	key     bool
	alias   bool   // type alias (type A = B)
	recv    string // receiver base type of a method
	path    string // import path of an import
	node    ast.Node
	doc     *ast.CommentGroup
	cell    *helpCell
}

// nodeSource returns the cell text of the binding's declaration, without
// its doc comment.
func (b *helpBinding) nodeSource() string {
	if b.cell == nil || b.node == nil {
		return ""
	}
	start, end := b.cell.offset(b.node.Pos()), b.cell.offset(b.node.End())
	if start < 0 || end > len(b.cell.src) || start > end {
		return ""
	}
	return strings.TrimSpace(b.cell.src[start:end])
}

// offset converts a position of either file to a cell offset (-1 if none).
func (c *helpCell) offset(p token.Pos) int {
	if !p.IsValid() {
		return -1
	}
	f := c.fset.File(p)
	if f == nil {
		return -1
	}
	o := f.Offset(p)
	if c.declFile != nil && f.Base() == c.declBase {
		o -= len(helpDeclPrefix)
	} else {
		o -= len(helpStmtPrefix)
	}
	if o > len(c.src) {
		o = len(c.src)
	}
	return o
}

// helpSegment is a top-level part of a cell: [start, end) bytes.
type helpSegment struct {
	start, end int
	decl       bool
}

// splitCell cuts src into top-level declarations and statements with a
// token scan; it tolerates any text (unbalanced brackets run to the end).
func splitCell(src string) []helpSegment {
	type tok struct {
		off int
		tok token.Token
	}
	var toks []tok
	var s scanner.Scanner
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(src))
	s.Init(f, []byte(src), func(token.Position, string) {}, 0)
	for {
		pos, t, _ := s.Scan()
		if t == token.EOF {
			break
		}
		toks = append(toks, tok{f.Offset(pos), t})
	}
	var segs []helpSegment
	depth := 0
	atStart := true
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if atStart && depth == 0 && t.tok != token.SEMICOLON {
			decl := false
			switch t.tok {
			case token.IMPORT, token.TYPE, token.VAR, token.CONST:
				decl = true
			case token.FUNC:
				if i+1 < len(toks) {
					switch toks[i+1].tok {
					case token.IDENT:
						decl = true
					case token.LPAREN: // method, or a func literal called?
						d := 0
						for j := i + 1; j < len(toks); j++ {
							if toks[j].tok == token.LPAREN {
								d++
							} else if toks[j].tok == token.RPAREN {
								d--
								if d == 0 {
									decl = j+1 < len(toks) && toks[j+1].tok == token.IDENT
									break
								}
							}
						}
					}
				}
			}
			if n := len(segs); n > 0 {
				segs[n-1].end = t.off
			}
			segs = append(segs, helpSegment{start: t.off, end: len(src), decl: decl})
			atStart = false
		}
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		case token.SEMICOLON:
			if depth == 0 {
				atStart = true
			}
		}
	}
	return segs
}

// blankOut returns src with the segments of the other kind than keep
// replaced by spaces (line breaks kept).
func blankOut(src string, segs []helpSegment, keepDecl bool) string {
	b := []byte(src)
	for _, sg := range segs {
		if sg.decl == keepDecl {
			continue
		}
		for i := sg.start; i < sg.end && i < len(b); i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// parseHelpCell parses src leniently: syntax errors leave a partial tree.
func parseHelpCell(src string) *helpCell {
	c := &helpCell{src: src, fset: token.NewFileSet()}
	src = blankMagicLines(src)
	segs := splitCell(src)
	hasDecl, hasStmt := false, false
	for _, s := range segs {
		if s.decl {
			hasDecl = true
		} else {
			hasStmt = true
		}
	}
	const mode = parser.ParseComments | parser.SkipObjectResolution | parser.AllErrors
	if hasDecl {
		base := c.fset.Base()
		c.declFile, _ = parser.ParseFile(c.fset, "", helpDeclPrefix+blankOut(src, segs, true), mode)
		c.declBase = base
	}
	if hasStmt {
		base := c.fset.Base()
		f, _ := parser.ParseFile(c.fset, "", helpStmtPrefix+blankOut(src, segs, false)+"\n}", mode)
		c.stmtBase = base
		if f != nil && len(f.Decls) > 0 {
			if fd, ok := f.Decls[0].(*ast.FuncDecl); ok {
				c.body = fd.Body
			}
		}
	}
	c.binds = c.topLevel()
	return c
}

// topLevel lists the names bound at the top level of the cell.
func (c *helpCell) topLevel() []*helpBinding {
	var out []*helpBinding
	if c.declFile != nil {
		for _, d := range c.declFile.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				b := &helpBinding{name: d.Name.Name, kind: bindFunc, typ: d.Type, node: d, doc: d.Doc, cell: c, idx: -1}
				if d.Recv != nil && len(d.Recv.List) == 1 {
					b.kind = bindMethod
					b.recv = recvBase(d.Recv.List[0].Type)
				}
				out = append(out, b)
			case *ast.GenDecl:
				out = append(out, genDeclBindings(d, c)...)
			}
		}
	}
	if c.body != nil {
		for _, st := range c.body.List {
			out = append(out, stmtBindings(st, c)...)
		}
	}
	return out
}

// recvBase returns T for a receiver or embedded field T, *T, T[K], *T[K],
// or "" for anything else.
func recvBase(e ast.Expr) string {
	if name := recvTypeName(e); name != "?" {
		return name
	}
	return ""
}

// genDeclBindings returns the names of an import, type, var or const
// declaration.
func genDeclBindings(d *ast.GenDecl, c *helpCell) []*helpBinding {
	var out []*helpBinding
	var lastTyp ast.Expr
	var lastVals []ast.Expr
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.ImportSpec:
			p := strings.Trim(s.Path.Value, "\"`")
			name := ""
			if s.Name != nil {
				name = s.Name.Name
			} else {
				name = importName(p)
			}
			if name == "_" || name == "." || name == "" {
				continue
			}
			out = append(out, &helpBinding{name: name, kind: bindImport, path: p, node: s, cell: c, idx: -1})
		case *ast.TypeSpec:
			doc := s.Doc
			if doc == nil && len(d.Specs) == 1 {
				doc = d.Doc
			}
			var node ast.Node = s
			if len(d.Specs) == 1 {
				node = d
			}
			out = append(out, &helpBinding{name: s.Name.Name, kind: bindType, typ: s.Type, alias: s.Assign.IsValid(),
				node: node, doc: doc, cell: c, idx: -1})
		case *ast.ValueSpec:
			kind := byte(bindVar)
			if d.Tok == token.CONST {
				kind = bindConst
			}
			typ, vals := s.Type, s.Values
			if kind == bindConst && typ == nil && len(vals) == 0 { // iota repetition
				typ, vals = lastTyp, lastVals
			}
			lastTyp, lastVals = typ, vals
			doc := s.Doc
			if doc == nil {
				doc = d.Doc
			}
			var node ast.Node = s
			if len(d.Specs) == 1 {
				node = d
			}
			for i, n := range s.Names {
				b := &helpBinding{name: n.Name, kind: kind, typ: typ, idx: -1, node: node, doc: doc, cell: c}
				if len(vals) == len(s.Names) {
					b.val = vals[i]
				} else if len(vals) == 1 {
					b.val, b.idx = vals[0], i
				}
				out = append(out, b)
			}
		}
	}
	return out
}

// stmtBindings returns the names a statement binds in its enclosing block.
func stmtBindings(st ast.Stmt, c *helpCell) []*helpBinding {
	switch s := st.(type) {
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE {
			return nil
		}
		var out []*helpBinding
		for i, l := range s.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok || id.Name == "_" {
				continue
			}
			b := &helpBinding{name: id.Name, kind: bindVar, idx: -1, node: s, cell: c}
			if len(s.Rhs) == len(s.Lhs) {
				b.val = s.Rhs[i]
			} else if len(s.Rhs) == 1 {
				b.val, b.idx = s.Rhs[0], i
			}
			out = append(out, b)
		}
		return out
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok {
			return genDeclBindings(g, c)
		}
	case *ast.LabeledStmt:
		return stmtBindings(s.Stmt, c)
	}
	return nil
}

// importName is the name an import path binds without an alias.
func importName(p string) string {
	loadHelpPkgs()
	if n, ok := helpPathNames[p]; ok {
		return n
	}
	n := path.Base(p)
	if strings.HasPrefix(n, "v") && len(n) > 1 && strings.Trim(n[1:], "0123456789") == "" {
		n = path.Base(path.Dir(p))
	}
	return n
}

// helpCache keeps parsed cells by source: prior cells do not change, so
// each is parsed once. Guarded by helpMu (completion and inspection may
// run concurrently with each other).
var (
	helpMu    sync.Mutex
	helpCache = map[string]*helpCell{}
	// helpPrior caches the globals of the last prior list seen.
	helpPriorSrc  []string
	helpPriorVals *helpGlobals
)

const helpCacheMax = 2000

func cachedCell(src string) *helpCell {
	if c, ok := helpCache[src]; ok {
		return c
	}
	c := parseHelpCell(src)
	if len(helpCache) >= helpCacheMax {
		helpCache = map[string]*helpCell{}
	}
	helpCache[src] = c
	return c
}

// helpGlobals are the package-level names of a sequence of cells, last
// declaration winning.
type helpGlobals struct {
	names   map[string]*helpBinding
	methods map[string]map[string]*helpBinding // receiver type -> method -> decl
}

func newHelpGlobals() *helpGlobals {
	return &helpGlobals{names: map[string]*helpBinding{}, methods: map[string]map[string]*helpBinding{}}
}

func (g *helpGlobals) add(b *helpBinding) {
	if b.name == "_" {
		return
	}
	if b.kind == bindMethod {
		m := g.methods[b.recv]
		if m == nil {
			m = map[string]*helpBinding{}
			g.methods[b.recv] = m
		}
		m[b.name] = b
		return
	}
	g.names[b.name] = b
}

func (g *helpGlobals) clone() *helpGlobals {
	n := newHelpGlobals()
	for k, v := range g.names {
		n.names[k] = v
	}
	for k, v := range g.methods {
		m := make(map[string]*helpBinding, len(v))
		for mk, mv := range v {
			m[mk] = mv
		}
		n.methods[k] = m
	}
	return n
}

// priorGlobals returns the globals of the prior cells (cached: the same
// prior list is usually asked for many times in a row).
func priorGlobals(prior []string) *helpGlobals {
	if helpPriorVals != nil && len(prior) == len(helpPriorSrc) {
		same := true
		for i := range prior {
			if prior[i] != helpPriorSrc[i] {
				same = false
				break
			}
		}
		if same {
			return helpPriorVals
		}
	}
	g := newHelpGlobals()
	for _, src := range prior {
		for _, b := range cachedCell(src).binds {
			g.add(b)
		}
	}
	helpPriorSrc, helpPriorVals = append([]string(nil), prior...), g
	return g
}

// helpEnv resolves names at the cursor of the current cell.
type helpEnv struct {
	globals *helpGlobals
	// locals are the scopes enclosing the cursor, outermost first.
	locals []map[string]*helpBinding
	cur    *helpCell
}

// newHelpEnv analyses the prior cells and code (cursor as a byte offset).
func newHelpEnv(prior []string, code string, cursor int) *helpEnv {
	helpMu.Lock()
	g := priorGlobals(prior)
	helpMu.Unlock()
	cur := parseHelpCell(code)
	env := &helpEnv{globals: g, cur: cur}
	if len(cur.binds) > 0 {
		env.globals = g.clone()
		for _, b := range cur.binds {
			// Statements after the cursor have not run when the cursor
			// code does; declarations are visible everywhere.
			if b.node != nil && b.kind == bindVar && cur.offset(b.node.Pos()) >= cursor {
				if _, isAssign := b.node.(*ast.AssignStmt); isAssign {
					continue
				}
			}
			env.globals.add(b)
		}
	}
	env.collectLocals(cursor)
	return env
}

// collectLocals records the scopes that enclose the cursor inside function
// bodies and blocks of the current cell, with the names declared in them
// before the cursor.
func (env *helpEnv) collectLocals(cursor int) {
	c := env.cur
	inside := func(n ast.Node) bool {
		if n == nil || !n.Pos().IsValid() {
			return false
		}
		s, e := c.offset(n.Pos()), c.offset(n.End())
		return s <= cursor && cursor <= e
	}
	before := func(n ast.Node) bool { return c.offset(n.Pos()) < cursor }
	push := func(bs []*helpBinding) {
		m := map[string]*helpBinding{}
		for _, b := range bs {
			m[b.name] = b
		}
		env.locals = append(env.locals, m)
	}
	fields := func(fl *ast.FieldList, c *helpCell) []*helpBinding {
		var out []*helpBinding
		if fl == nil {
			return nil
		}
		for _, f := range fl.List {
			for _, n := range f.Names {
				out = append(out, &helpBinding{name: n.Name, kind: bindVar, typ: f.Type, idx: -1, node: f, cell: c})
			}
		}
		return out
	}
	var walk func(n ast.Node)
	block := func(list []ast.Stmt) {
		var bs []*helpBinding
		for _, st := range list {
			if !before(st) {
				break
			}
			if inside(st) {
				push(bs)
				walk(st)
				return
			}
			bs = append(bs, stmtBindings(st, c)...)
		}
		push(bs)
	}
	walk = func(n ast.Node) {
		switch n := n.(type) {
		case *ast.FuncDecl:
			var bs []*helpBinding
			bs = append(bs, fields(n.Recv, c)...)
			bs = append(bs, fields(n.Type.Params, c)...)
			bs = append(bs, fields(n.Type.Results, c)...)
			push(bs)
			if n.Body != nil && inside(n.Body) {
				block(n.Body.List)
			}
			return
		case *ast.FuncLit:
			var bs []*helpBinding
			bs = append(bs, fields(n.Type.Params, c)...)
			bs = append(bs, fields(n.Type.Results, c)...)
			push(bs)
			if inside(n.Body) {
				block(n.Body.List)
			}
			return
		case *ast.BlockStmt:
			block(n.List)
			return
		case *ast.IfStmt:
			if n.Init != nil && before(n.Init) {
				push(stmtBindings(n.Init, c))
			}
		case *ast.ForStmt:
			if n.Init != nil && before(n.Init) {
				push(stmtBindings(n.Init, c))
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE && inside(n.Body) {
				var bs []*helpBinding
				if id, ok := n.Key.(*ast.Ident); ok {
					bs = append(bs, &helpBinding{name: id.Name, kind: bindVar, rangeOf: n.X, key: true, idx: -1, node: n, cell: c})
				}
				if id, ok := n.Value.(*ast.Ident); ok {
					bs = append(bs, &helpBinding{name: id.Name, kind: bindVar, rangeOf: n.X, idx: -1, node: n, cell: c})
				}
				push(bs)
			}
		case *ast.SwitchStmt:
			if n.Init != nil && before(n.Init) {
				push(stmtBindings(n.Init, c))
			}
		case *ast.TypeSwitchStmt:
			if n.Init != nil && before(n.Init) {
				push(stmtBindings(n.Init, c))
			}
			if as, ok := n.Assign.(*ast.AssignStmt); ok && len(as.Lhs) == 1 && len(as.Rhs) == 1 {
				if id, ok := as.Lhs[0].(*ast.Ident); ok {
					// In a clause with one type, the variable has that type.
					for _, cl := range n.Body.List {
						cc, ok := cl.(*ast.CaseClause)
						if !ok || !inside(cc) {
							continue
						}
						b := &helpBinding{name: id.Name, kind: bindVar, idx: -1, node: as, cell: c}
						if len(cc.List) == 1 {
							b.typ = cc.List[0]
						} else if ta, ok := as.Rhs[0].(*ast.TypeAssertExpr); ok {
							b.val = ta.X
						}
						push([]*helpBinding{b})
					}
				}
			}
		case *ast.CaseClause:
			block(n.Body)
			return
		case *ast.CommClause:
			if n.Comm != nil && before(n.Comm) {
				push(stmtBindings(n.Comm, c))
			}
			block(n.Body)
			return
		}
		// Descend into the child that holds the cursor.
		ast.Inspect(n, func(ch ast.Node) bool {
			if ch == n {
				return true
			}
			if ch == nil || !inside(ch) {
				return false
			}
			switch ch.(type) {
			case *ast.FuncLit, *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt,
				*ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.CaseClause, *ast.CommClause, *ast.SelectStmt:
				walk(ch)
				return false
			}
			return true
		})
	}
	if c.declFile != nil {
		for _, d := range c.declFile.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && inside(fd) {
				walk(fd)
			}
		}
	}
	if c.body != nil {
		for _, st := range c.body.List {
			if inside(st) && before(st) {
				walk(st)
			}
		}
	}
}

// lookup returns the binding of name at the cursor, or nil.
func (env *helpEnv) lookup(name string) *helpBinding {
	for i := len(env.locals) - 1; i >= 0; i-- {
		if b, ok := env.locals[i][name]; ok {
			return b
		}
	}
	if b, ok := env.globals.names[name]; ok {
		return b
	}
	return nil
}

// packagePath returns the import path name refers to as a package, or "".
func (env *helpEnv) packagePath(name string) string {
	if b := env.lookup(name); b != nil {
		if b.kind == bindImport {
			return b.path
		}
		return "" // shadowed by a user name
	}
	return autoPackage(name)
}

// helpPkgs indexes the importable packages: name -> import path (for
// bare names), and each package's members.
var (
	helpPkgOnce   sync.Once
	helpPkgNames  map[string]string
	helpTables    map[string]map[string]reflect.Value // import path -> symbols
	helpPathNames map[string]string                   // import path -> package name
)

func loadHelpPkgs() {
	helpPkgOnce.Do(func() {
		helpPkgNames = map[string]string{}
		helpTables = map[string]map[string]reflect.Value{}
		helpPathNames = map[string]string{}
		add := func(t yaegi.Exports, preloaded bool) {
			for key, syms := range t {
				p, name := path.Dir(key), path.Base(key)
				if p == "." || strings.Contains(p, "internal") || strings.HasPrefix(p, "github.com/traefik") {
					continue
				}
				helpTables[p] = syms
				helpPathNames[p] = name
				old, ok := helpPkgNames[name]
				if preloaded || !ok || len(p) < len(old) || (len(p) == len(old) && p < old) {
					helpPkgNames[name] = p
				}
			}
		}
		add(stdlib.Symbols, false)
		for name, p := range helpPreferred {
			if _, ok := helpTables[p]; ok {
				helpPkgNames[name] = p
			}
		}
		add(symbols.Symbols, true)
	})
}

// autoPackage returns the import path a bare package name refers to in
// cells without an import line, or "".
func autoPackage(name string) string {
	loadHelpPkgs()
	return helpPkgNames[name]
}

// helpPreferred settles the package names that several importable
// packages share, as the evaluator does (the shortest path wins
// otherwise, and the preloaded packages win over the standard library).
var helpPreferred = map[string]string{
	"rand": "math/rand", "template": "text/template", "scanner": "text/scanner",
	"pprof": "runtime/pprof", "constant": "go/constant", "parser": "go/parser",
	"token": "go/token", "ast": "go/ast", "format": "go/format", "types": "go/types",
	"build": "go/build", "doc": "go/doc", "printer": "go/printer",
}

// pkgTable returns the yaegi symbols of an import path.
func pkgTable(p string) map[string]reflect.Value {
	loadHelpPkgs()
	return helpTables[p]
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
