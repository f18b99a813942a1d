package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"
)

// lowerCell is the engine's entry point. prior are the sources of the
// cells that ran successfully so far (as typed, magics included), src the
// Go source of cell number cell (magic lines blanked), as raw cell text:
// imports, declarations and statements in any order (a whole Go file
// starting with a package clause is accepted too and stays a file). It
// returns src rewritten for yaegi with every line kept in place (see
// lower), or a *cellError listing Go's syntax or type errors as
// "cellN:line:col: msg". Other failures (a go/types crash) return src
// unchanged, for yaegi to judge.
//
// The lowerer is incremental: cells of prior that it has not yet committed
// are checked once and added to its environment (normally only the cell it
// lowered last time, which it reuses); when prior no longer extends what it
// has seen (%reset, restart), it starts over.
func (l *cellLowerer) lowerCell(prior []string, src string, cell int) (string, error) {
	if len(prior) < len(l.seen) {
		l.reset()
	}
	for i, p := range l.seen {
		if prior[i] != p {
			l.reset()
			break
		}
	}
	for i := len(l.seen); i < len(prior); i++ {
		key := cellKey(prior[i])
		lc := l.last
		if lc == nil || l.lastKey != key {
			var err error
			if lc, err = l.lower(blankMagics(prior[i]), i+1); err != nil {
				lc = nil // it ran, so yaegi accepted it; keep going without its declarations
			}
		}
		l.commit(lc)
		l.seen = append(l.seen, prior[i])
	}
	if l.dirty {
		l.dirty = false
		l.rebuildEnv(prior)
	}
	l.last, l.lastKey = nil, ""
	lc, err := l.lower(src, cell)
	if err != nil {
		return "", err
	}
	l.last, l.lastKey = lc, cellKey(src)
	return lc.Source, nil
}

// cellKey identifies a cell's Go source regardless of its magic lines.
func cellKey(src string) string {
	lines := strings.Split(blankMagics(src), "\n")
	var b strings.Builder
	for _, ln := range lines {
		if ln = strings.TrimSpace(ln); ln != "" {
			b.WriteString(ln)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// blankMagics empties the lines that are magics (%time, !ls), keeping
// line numbers.
func blankMagics(src string) string {
	if !strings.ContainsAny(src, "%!") {
		return src
	}
	lines := strings.Split(src, "\n")
	for i, ln := range lines {
		if t := strings.TrimSpace(ln); strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// lower type-checks cell number cell (src: raw cell text, or a whole Go
// file starting with a package clause) against the committed environment
// and rewrites it into Go that yaegi v0.16.1 runs with Go 1.22+ semantics:
//
//   - range over an integer becomes a counted loop (evaluating the bound
//     once; the loop variable gets the bound's type);
//   - loop variables captured by a closure or whose address is taken get a
//     fresh copy per iteration (Go 1.22 semantics, including when the body
//     assigns the variable or continues); other loops are left alone;
//   - min and max become calls of the prelude's _godlMin_T/_godlMax_T (or
//     the constant they evaluate to), clear(m) and clear(s) become loops;
//   - calls of generic functions get explicit type arguments from go/types'
//     inference, since yaegi infers only simple cases.
//
// Ranging over a function (Go 1.23 iterators) becomes a call of the
// iterator with the body as yield function when the body has no return,
// defer, goto or labels; otherwise it is reported as an error that names
// the workaround. Errors are *cellError values.
func (l *cellLowerer) lower(src string, cell int) (*loweredCell, error) {
	c, err := l.check(src, cell)
	if err == errUnchecked {
		return &loweredCell{Source: src, objs: map[string]types.Object{}, imports: map[string]string{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var lw *lowering
	var out string
	// Without compiled loops (fastloop.go) if the rewrites clash.
	for _, loops := range []*loopRegistry{l.loops, nil} {
		lw = &lowering{c: c, cell: cell, parents: map[ast.Node]ast.Node{}, needImports: map[string]bool{}, loops: loops, fastWhy: l.fastWhy, env: l.env}
		if err := lw.run(); err != nil {
			return nil, err
		}
		saved := append([]edit(nil), lw.edits...)
		out, err = lw.apply()
		if err != nil && lw.posTo >= lw.posFrom {
			// Without the position markers, rather than without any rewrite.
			lw.edits = saved
			lw.dropPositions()
			out, err = lw.apply()
		}
		if err == nil || lw.fastDone == 0 {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	lc := &loweredCell{Source: out, Changed: out != src, objs: map[string]types.Object{}, imports: map[string]string{}}
	for p := range c.autoUsed {
		lw.needImports[p] = true
	}
	for p := range lw.needImports {
		lc.Imports = append(lc.Imports, p)
	}
	sort.Strings(lc.Imports)
	for n, o := range l.declaredBy(c) {
		lc.objs[n] = o
		if v, isVar := o.(*types.Var); isVar {
			if ts, ok := lw.typeString(v.Type(), v.Pos()); ok {
				if lc.VarTypes == nil {
					lc.VarTypes = map[string]string{}
				}
				lc.VarTypes[n] = ts
			}
		}
	}
	for n, p := range c.pkgNames {
		lc.imports[n] = p
	}
	return lc, nil
}

// edit replaces model text [start, end) with text (an insertion if start == end).
type edit struct {
	start, end int
	text       string
	seq        int
}

type lowering struct {
	c           *checked
	cell        int
	edits       []edit
	parents     map[ast.Node]ast.Node
	seq         int
	needImports map[string]bool
	errs        []string
	origEdits   []edit // in cell offsets already
	nedit       int    // edits made: the seq of the last one
	// posFrom, posTo: the seq range of the position markers' edits
	// (panicpos.go), dropped if the cell cannot be rewritten with them.
	posFrom, posTo int
	// replaced: explicit conversions another rewrite replaced, which
	// ifaceCopies leaves alone (typeassert.go).
	replaced map[ast.Node]bool
	// ambiguous: a type assertion reported cell types yaegi confuses
	// (typeassert.go), once per cell.
	ambiguous bool
	// byPath: the name the cell spells each package path with (the
	// first in order), built by typeString's first call.
	byPath map[string]string
	// typeNames: cellTypeNames's answer, once asked (typeassert.go).
	typeNames []*types.TypeName
	// env: the committed cells' top-level objects (genericClash).
	env map[string]types.Object
	// loops: the session's compiled loops, nil to leave every loop to
	// yaegi; fast: this cell's loops that compile (fastloop.go).
	loops      *loopRegistry
	fast       []*fastLoop
	fastBodies map[*ast.BlockStmt]bool
	fastDone   int                             // loops replaced
	fastWhy    func(loop ast.Stmt, why string) // tests: why a loop stays with yaegi
}

func (lw *lowering) off(p token.Pos) int { return lw.c.tf.Offset(p) }

func (lw *lowering) add(start, end token.Pos, text string) {
	lw.nedit++
	lw.edits = append(lw.edits, edit{lw.off(start), lw.off(end), text, lw.nedit})
}

func (lw *lowering) insert(at token.Pos, text string) { lw.add(at, at, text) }

func (lw *lowering) fresh(base string) string {
	lw.seq++
	return fmt.Sprintf("_g%d_%d%s", lw.cell, lw.seq, base)
}

func (lw *lowering) text(n ast.Node) string {
	return lw.c.m.text[lw.off(n.Pos()):lw.off(n.End())]
}

func (lw *lowering) errorf(p token.Pos, format string, args ...any) {
	lw.errs = append(lw.errs, fmt.Sprintf("%s: %s", lw.c.tf.Position(p), fmt.Sprintf(format, args...)))
}

func (lw *lowering) run() error {
	var stack []ast.Node
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if len(stack) > 0 {
			lw.parents[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		return true
	})
	// Numeric loops compiled to closures (fastloop.go), replaced after
	// the position markers.
	lw.fastLoops()
	var deferred []ast.Stmt // defer and go statements, lowered last
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.RangeStmt:
			lw.rangeStmt(n)
		case *ast.ForStmt:
			lw.forStmt(n)
		case *ast.CallExpr:
			lw.builtinCall(n)
		case *ast.DeferStmt, *ast.GoStmt:
			deferred = append(deferred, n.(ast.Stmt))
		}
		return true
	})
	// Print arguments holding interpreted interface values (fmtargs.go).
	lw.fmtArgs()
	lw.finalStringer()
	lw.instances()
	lw.genericInits()
	// Comma-ok type assertions yaegi gets wrong (typeassert.go).
	lw.typeAsserts()
	// Position markers before the defer/go rewrites, which move argument
	// text (and the markers of func literals in it) along.
	lw.posFrom = lw.nedit + 1
	lw.markPositions()
	lw.posTo = lw.nedit
	lw.replaceFastLoops()
	// Interface conversions yaegi would make alias their source
	// (workaround.go): they move rewritten text, like the defer/go rewrites.
	lw.ifaceCopies()
	lw.finalIfaceValue() // workaround.go
	lw.unexportedTags()  // workaround.go
	lw.genericStr()      // workaround.go
	lw.genericClash()    // workaround.go
	lw.emptySwitches()   // workaround.go
	lw.methodValues()    // workaround.go
	lw.ifaceEquality()   // workaround.go
	// After every other rewrite: the arguments moved out of a defer or go
	// call take their own rewrites with them.
	for _, st := range deferred {
		switch st := st.(type) {
		case *ast.DeferStmt:
			lw.callArgs(st, st.Call)
		case *ast.GoStmt:
			lw.callArgs(st, st.Call)
		}
	}
	// Receives that are results get parentheses (recvparen.go).
	lw.recvParens()
	// Last: it renames inside every rewrite of a generic func
	// (workaround.go).
	lw.typeParamNames()
	lw.genericHostCalls() // workaround.go
	lw.negZeroCalls()     // workaround_negzero.go: needs every other edit
	if len(lw.errs) > 0 {
		return &cellError{Errors: lw.errs}
	}
	return nil
}

// apply maps the edits back to the cell source and applies them.
func (lw *lowering) apply() (string, error) {
	m := lw.c.m
	internal := errors.New("godl: internal error lowering the cell (overlapping rewrites); please report it with the cell's source")
	// To cell offsets first: the model reorders a raw cell's parts.
	for i := range lw.edits {
		e := &lw.edits[i]
		s, ok1 := m.origOffset(e.start)
		t, ok2 := m.origOffset(e.end)
		if !ok1 || !ok2 || t-s != e.end-e.start {
			return "", internal
		}
		e.start, e.end = s, t
	}
	lw.edits = append(lw.edits, lw.origEdits...)
	sortEdits(lw.edits)
	var b strings.Builder
	last := 0
	for _, e := range lw.edits {
		if e.start < last {
			return "", internal
		}
		b.WriteString(m.src[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.WriteString(m.src[last:])
	return b.String(), nil
}

// typeString writes t as the cell can spell it; ok is false if it cannot
// (an unexported type of another package, or a local type out of scope).
func (lw *lowering) typeString(t types.Type, at token.Pos) (string, bool) {
	ok := true
	if lw.byPath == nil {
		lw.byPath = map[string]string{}
		for n, p := range lw.c.pkgNames {
			if cur, dup := lw.byPath[p]; !dup || n < cur {
				lw.byPath[p] = n
			}
		}
	}
	byPath := lw.byPath
	var scope *types.Scope
	if s := lw.c.pkg.Scope().Innermost(at); s != nil {
		scope = s
	} else {
		scope = lw.c.pkg.Scope()
	}
	var visit func(t types.Type)
	seen := map[types.Type]bool{}
	visit = func(t types.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.Named:
			obj := t.Obj()
			if obj.Pkg() == nil {
				break
			}
			if obj.Pkg().Path() == "main" {
				if _, o := scope.LookupParent(obj.Name(), at); o != obj {
					ok = false
				}
			} else if !obj.Exported() {
				ok = false
			}
			if args := t.TypeArgs(); args != nil {
				for i := 0; i < args.Len(); i++ {
					visit(args.At(i))
				}
			}
		case *types.Alias:
			visit(types.Unalias(t))
		case *types.TypeParam:
			if _, o := scope.LookupParent(t.Obj().Name(), at); o != t.Obj() {
				ok = false
			}
		case *types.Pointer:
			visit(t.Elem())
		case *types.Slice:
			visit(t.Elem())
		case *types.Array:
			visit(t.Elem())
		case *types.Map:
			visit(t.Key())
			visit(t.Elem())
		case *types.Chan:
			visit(t.Elem())
		case *types.Signature:
			for i := 0; i < t.Params().Len(); i++ {
				visit(t.Params().At(i).Type())
			}
			for i := 0; i < t.Results().Len(); i++ {
				visit(t.Results().At(i).Type())
			}
		case *types.Struct:
			for i := 0; i < t.NumFields(); i++ {
				if !t.Field(i).Exported() && t.Field(i).Pkg() != nil && t.Field(i).Pkg().Path() != "main" {
					ok = false
				}
				visit(t.Field(i).Type())
			}
		case *types.Interface:
			for i := 0; i < t.NumMethods(); i++ {
				visit(t.Method(i).Type())
			}
		}
	}
	visit(t)
	if !ok {
		return "", false
	}
	s := types.TypeString(t, func(p *types.Package) string {
		if p.Path() == "main" {
			return ""
		}
		if n, ok := byPath[p.Path()]; ok {
			return n
		}
		lw.needImports[p.Path()] = true
		return p.Name()
	})
	return s, true
}

// captured reports whether obj is captured in body: used inside a function
// literal, or its address taken (explicitly, by slicing an array, or by a
// pointer-receiver method call).
func (lw *lowering) captured(obj types.Object, body ast.Node) bool {
	info := lw.c.info
	found := false
	isObj := func(e ast.Expr) bool {
		for {
			switch x := e.(type) {
			case *ast.ParenExpr:
				e = x.X
			case *ast.SelectorExpr:
				if s := info.Selections[x]; s != nil && s.Indirect() {
					return false
				}
				e = x.X
			case *ast.IndexExpr:
				if _, isArr := under(info.TypeOf(x.X)).(*types.Array); !isArr {
					return false
				}
				e = x.X
			case *ast.Ident:
				return info.Uses[x] == obj
			default:
				return false
			}
		}
	}
	var walk func(n ast.Node, inLit bool)
	walk = func(n ast.Node, inLit bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			if found {
				return false
			}
			switch x := n.(type) {
			case *ast.FuncLit:
				if !inLit {
					walk(x.Body, true)
					return false
				}
			case *ast.Ident:
				if inLit && info.Uses[x] == obj {
					found = true
				}
			case *ast.UnaryExpr:
				if x.Op == token.AND && isObj(x.X) {
					found = true
				}
			case *ast.SliceExpr:
				if _, isArr := under(info.TypeOf(x.X)).(*types.Array); isArr && isObj(x.X) {
					found = true
				}
			case *ast.SelectorExpr:
				if s := info.Selections[x]; s != nil && s.Kind() != types.FieldVal {
					if sig, ok := s.Obj().Type().(*types.Signature); ok && sig.Recv() != nil {
						if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
							if _, isPtr := under(info.TypeOf(x.X)).(*types.Pointer); !isPtr && isObj(x.X) {
								found = true
							}
						}
					}
				}
			}
			return true
		})
	}
	walk(body, false)
	return found
}

// assigned reports whether obj is assigned (or incremented) in body.
func (lw *lowering) assigned(obj types.Object, body ast.Node) bool {
	info := lw.c.info
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for _, e := range x.Lhs {
				if id, ok := ast.Unparen(e).(*ast.Ident); ok && info.Uses[id] == obj {
					found = true
				}
			}
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(x.X).(*ast.Ident); ok && info.Uses[id] == obj {
				found = true
			}
		}
		return !found
	})
	return found
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

func (lw *lowering) rangeStmt(r *ast.RangeStmt) {
	info := lw.c.info
	xt := info.TypeOf(r.X)
	if xt == nil {
		return
	}
	switch u := xt.Underlying().(type) {
	case *types.Signature:
		if why := lw.rangeFunc(r, u); why != "" {
			lw.errorf(r.X.Pos(), "cannot range over %s in the interpreter: %s; "+
				"range over a slice instead, e.g. `for _, v := range slices.Collect(seq)` (maps.Keys/Values: slices.Sorted(maps.Keys(m)))", lw.text(r.X), why)
		}
		return
	case *types.Basic:
		if u.Info()&types.IsInteger != 0 {
			lw.rangeInt(r, xt)
			return
		}
	}
	if r.Tok != token.DEFINE {
		return
	}
	// Per-iteration copies of captured key/value variables.
	var names []string
	for _, e := range []ast.Expr{r.Key, r.Value} {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			if obj := info.Defs[id]; obj != nil && lw.captured(obj, r.Body) {
				names = append(names, id.Name)
			}
		}
	}
	if len(names) == 0 {
		return
	}
	list := strings.Join(names, ", ")
	lw.insert(r.Body.Lbrace+1, fmt.Sprintf(" %s := %s; {", list, list))
	lw.insert(r.Body.Rbrace, "}")
}

func (lw *lowering) rangeInt(r *ast.RangeStmt, xt types.Type) {
	info := lw.c.info
	tv := info.Types[r.X]
	if b, ok := xt.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		xt = types.Typ[types.Int]
	}
	zero := "0"
	if !types.Identical(xt, types.Typ[types.Int]) {
		ts, ok := lw.typeString(xt, r.Pos())
		if !ok {
			lw.errorf(r.X.Pos(), "cannot range over %s of type %s in the interpreter: write a counted loop `for i := ...; i < n; i++`", lw.text(r.X), xt)
			return
		}
		zero = ts + "(0)"
	}
	var key *ast.Ident
	keyExpr := ""
	if r.Key != nil {
		if id, ok := r.Key.(*ast.Ident); ok && id.Name == "_" {
			// no key
		} else if r.Tok == token.DEFINE {
			key = r.Key.(*ast.Ident)
		} else {
			keyExpr = lw.text(r.Key)
		}
	}
	// The bound expression stays in place (it may have rewrites of its
	// own); the header is written around it.
	header := func(v string) {
		if tv.Value != nil {
			lw.add(r.For, r.X.Pos(), fmt.Sprintf("for %s := %s; %s < ", v, zero, v))
			lw.add(r.X.End(), r.Body.Lbrace, fmt.Sprintf("; %s++ ", v))
			return
		}
		n := lw.fresh("n")
		lw.add(r.For, r.X.Pos(), fmt.Sprintf("for %s, %s := %s, ", v, n, zero))
		lw.add(r.X.End(), r.Body.Lbrace, fmt.Sprintf("; %s < %s; %s++ ", v, n, v))
	}
	switch {
	case key != nil && !lw.assigned(info.Defs[key], r.Body) && !lw.captured(info.Defs[key], r.Body):
		header(key.Name) // plain fast loop
	case key != nil:
		ctr := lw.fresh("i")
		header(ctr)
		lw.insert(r.Body.Lbrace+1, fmt.Sprintf(" %s := %s; {", key.Name, ctr))
		lw.insert(r.Body.Rbrace, "}")
	case keyExpr != "":
		ctr := lw.fresh("i")
		header(ctr)
		lw.insert(r.Body.Lbrace+1, fmt.Sprintf(" %s = %s;", keyExpr, ctr))
	default:
		header(lw.fresh("i"))
	}
}

// forStmt gives per-iteration loop variables (Go 1.22) to a three-clause
// loop whose variables are captured: the header runs on hidden variables,
// the body on a copy that is copied back before the post statement (also
// at each continue).
func (lw *lowering) forStmt(f *ast.ForStmt) {
	info := lw.c.info
	as, ok := f.Init.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE {
		return
	}
	var objs []types.Object
	any := false
	for _, e := range as.Lhs {
		id, ok := e.(*ast.Ident)
		if !ok || id.Name == "_" || info.Defs[id] == nil {
			continue
		}
		obj := info.Defs[id]
		objs = append(objs, obj)
		if lw.captured(obj, f.Body) {
			any = true
		}
	}
	if !any {
		return
	}
	outer := map[types.Object]string{}
	inner := map[types.Object]string{}
	for _, o := range objs {
		outer[o] = lw.fresh(o.Name())
		inner[o] = o.Name()
	}
	// The continues that target this loop.
	var label string
	if ls, ok := lw.parents[f].(*ast.LabeledStmt); ok {
		label = ls.Label.Name
	}
	conts := loopContinues(f, label)
	// If a continue site shadows a loop variable, rename the body's uses.
	shadowed := false
	for _, br := range conts {
		s := lw.c.pkg.Scope().Innermost(br.Pos())
		for _, o := range objs {
			if s == nil {
				shadowed = true
				break
			}
			if _, found := s.LookupParent(o.Name(), br.Pos()); found != o {
				shadowed = true
			}
		}
	}
	// Rename the header's uses to the hidden variables.
	rename := func(n ast.Node, names map[types.Object]string) {
		if n == nil {
			return
		}
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				o := info.Uses[id]
				if o == nil {
					o = info.Defs[id]
				}
				if nm, ok := names[o]; ok {
					lw.add(id.Pos(), id.End(), nm)
				}
			}
			return true
		})
	}
	rename(f.Init, outer)
	rename(f.Cond, outer)
	rename(f.Post, outer)
	if shadowed {
		for _, o := range objs {
			inner[o] = lw.fresh(o.Name() + "b")
		}
		rename(f.Body, inner)
	}
	var ins, outs []string
	for _, o := range objs {
		ins = append(ins, inner[o])
		outs = append(outs, outer[o])
	}
	in, out := strings.Join(ins, ", "), strings.Join(outs, ", ")
	lw.insert(f.Body.Lbrace+1, fmt.Sprintf(" %s := %s; {", in, out))
	lw.insert(f.Body.Rbrace, fmt.Sprintf("}; %s = %s ", out, in))
	for _, br := range conts {
		lw.insert(br.Pos(), fmt.Sprintf("{ %s = %s; ", out, in))
		lw.insert(br.End(), " }")
	}
}

// builtinCall lowers min, max and clear.
func (lw *lowering) builtinCall(call *ast.CallExpr) {
	info := lw.c.info
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return
	}
	b, ok := info.Uses[id].(*types.Builtin)
	if !ok {
		return
	}
	switch b.Name() {
	case "min", "max":
		lw.minMax(call, id, b.Name())
	case "clear":
		lw.clear(call)
	}
}

func (lw *lowering) minMax(call *ast.CallExpr, fun *ast.Ident, name string) {
	info := lw.c.info
	tv := info.Types[call]
	if tv.Value != nil {
		lw.add(call.Pos(), call.End(), lw.constText(call, tv))
		return
	}
	t := tv.Type
	basic, ok := t.Underlying().(*types.Basic)
	if !ok {
		lw.errorf(call.Pos(), "%s of type %s is not supported by the interpreter", name, t)
		return
	}
	u := basic.Name()
	switch basic.Kind() { // byte and rune are aliases
	case types.Uint8:
		u = "uint8"
	case types.Int32:
		u = "int32"
	}
	helper := "_godlMin_" + u
	if name == "max" {
		helper = "_godlMax_" + u
	}
	named := !types.Identical(t, basic)
	if named {
		ts, ok := lw.typeString(t, call.Pos())
		if !ok {
			lw.errorf(call.Pos(), "%s of type %s is not supported by the interpreter: convert the arguments to %s", name, t, u)
			return
		}
		lw.insert(call.Pos(), ts+"(")
		lw.insert(call.End(), ")")
		for _, a := range call.Args {
			if atv := info.Types[a]; atv.Value == nil || !isUntyped(atv.Type) {
				lw.insert(a.Pos(), u+"(")
				lw.insert(a.End(), ")")
			}
		}
	}
	lw.add(fun.Pos(), fun.End(), helper)
}

func isUntyped(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Info()&types.IsUntyped != 0
}

// constText writes the constant result of min/max: the source of the
// argument it equals when that has the right kind, else the value.
func (lw *lowering) constText(call *ast.CallExpr, tv types.TypeAndValue) string {
	info := lw.c.info
	for _, a := range call.Args {
		atv := info.Types[a]
		if atv.Value == nil || constant.Compare(atv.Value, token.NEQ, tv.Value) {
			continue
		}
		if types.Identical(atv.Type, tv.Type) {
			return "(" + lw.text(a) + ")"
		}
		if !isUntyped(tv.Type) && isUntyped(atv.Type) {
			if ts, ok := lw.typeString(tv.Type, call.Pos()); ok {
				return ts + "(" + lw.text(a) + ")"
			}
		}
	}
	v := tv.Value
	var s string
	switch v.Kind() {
	case constant.Float:
		f, _ := constant.Float64Val(v)
		s = strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
	default:
		s = v.ExactString()
	}
	if !isUntyped(tv.Type) {
		if ts, ok := lw.typeString(tv.Type, call.Pos()); ok {
			return ts + "(" + s + ")"
		}
	}
	return "(" + s + ")"
}

func (lw *lowering) clear(call *ast.CallExpr) {
	info := lw.c.info
	if _, ok := lw.parents[call].(*ast.ExprStmt); !ok || len(call.Args) != 1 {
		lw.errorf(call.Pos(), "clear is supported by the interpreter only as a statement: write `clear(x)` on its own (not in go or defer)")
		return
	}
	arg := call.Args[0]
	x := lw.text(arg)
	v := lw.fresh("c")
	k := lw.fresh("k")
	switch u := under(info.TypeOf(arg)).(type) {
	case *types.Map:
		lw.add(call.Pos(), arg.Pos(), fmt.Sprintf("{ %s := ", v))
		lw.add(arg.End(), call.End(), fmt.Sprintf("; for %s := range %s { delete(%s, %s) } }", k, v, v, k))
	case *types.Slice:
		zero := ""
		switch e := u.Elem().Underlying().(type) {
		case *types.Basic:
			switch {
			case e.Info()&types.IsNumeric != 0:
				zero = "0"
			case e.Info()&types.IsString != 0:
				zero = `""`
			case e.Info()&types.IsBoolean != 0:
				zero = "false"
			case e.Kind() == types.UnsafePointer:
				zero = "nil"
			}
		case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
			zero = "nil"
		}
		if zero == "" {
			if ts, ok := lw.typeString(u.Elem(), call.Pos()); ok {
				zero = "*new(" + ts + ")"
			} else {
				zero = fmt.Sprintf("_godlZero(%s[%s])", v, k)
			}
		}
		lw.add(call.Pos(), arg.Pos(), fmt.Sprintf("{ %s := ", v))
		lw.add(arg.End(), call.End(), fmt.Sprintf("; for %s := range %s { %s[%s] = %s } }", k, v, v, k, zero))
	default:
		lw.errorf(call.Pos(), "clear of %s (type %s) is not supported by the interpreter", x, info.TypeOf(arg))
	}
}

// instances adds explicit type arguments to generic function uses whose
// type arguments go/types inferred.
func (lw *lowering) instances() {
	info := lw.c.info
	ids := make([]*ast.Ident, 0, len(info.Instances))
	for id := range info.Instances {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].Pos() < ids[j].Pos() })
	for _, id := range ids {
		inst := info.Instances[id]
		if _, ok := info.Uses[id].(*types.Func); !ok {
			continue // generic types always carry their arguments
		}
		var expr ast.Node = id
		if sel, ok := lw.parents[id].(*ast.SelectorExpr); ok && sel.Sel == id {
			expr = sel
		}
		explicit := 0
		var lb, rb token.Pos
		switch p := lw.parents[expr].(type) {
		case *ast.IndexExpr:
			if p.X == expr {
				explicit, lb, rb = 1, p.Lbrack, p.Rbrack
			}
		case *ast.IndexListExpr:
			if p.X == expr {
				explicit, lb, rb = len(p.Indices), p.Lbrack, p.Rbrack
			}
		}
		n := inst.TypeArgs.Len()
		if n >= 2 {
			lw.shortCircuitOperand(expr)
		}
		if explicit == n {
			continue
		}
		args := make([]string, n)
		ok := true
		for i := 0; i < n; i++ {
			args[i], ok = lw.typeString(inst.TypeArgs.At(i), id.Pos())
			if !ok {
				break
			}
		}
		if !ok {
			continue // leave it to yaegi's inference
		}
		list := "[" + strings.Join(args, ", ") + "]"
		if explicit > 0 {
			lw.add(lb, rb+1, list)
		} else {
			lw.insert(expr.End(), list)
		}
	}
}

// shortCircuitOperand works around a yaegi v0.16.1 bug: a call of a
// generic function with two or more type parameters inside an operand of
// && or || yields a wrong value (slices.IsSorted(s) && ok is false). The
// call is wrapped in a function literal, which yaegi evaluates correctly.
func (lw *lowering) shortCircuitOperand(fun ast.Node) {
	call, ok := lw.parents[fun].(*ast.CallExpr)
	if !ok {
		if ix, isIx := lw.parents[fun].(*ast.IndexExpr); isIx {
			call, ok = lw.parents[ix].(*ast.CallExpr)
		} else if ix, isIx := lw.parents[fun].(*ast.IndexListExpr); isIx {
			call, ok = lw.parents[ix].(*ast.CallExpr)
		}
	}
	if !ok {
		return
	}
	inside := false
	for n := lw.parents[call]; n != nil; n = lw.parents[n] {
		if b, isBin := n.(*ast.BinaryExpr); isBin && (b.Op == token.LAND || b.Op == token.LOR) {
			inside = true
			break
		}
		if _, isExpr := n.(ast.Expr); !isExpr {
			break
		}
	}
	if !inside {
		return
	}
	t := lw.c.info.TypeOf(call)
	if t == nil {
		return
	}
	if _, multi := t.(*types.Tuple); multi {
		return
	}
	ts, ok := lw.typeString(t, call.Pos())
	if !ok {
		return
	}
	lw.insert(call.Pos(), "func() "+ts+" { return ")
	lw.insert(call.End(), " }()")
}

// genericInits works around yaegi v0.16.1 failing on generic calls in
// package-level variable initialisers ("not a generic type", "constant
// definition loop"), which is where the engine puts a cell's top-level
// variables: `best := slices.Max(xs)` becomes
// `var best float64; best = slices.Max[[]float64, float64](xs)` (a typed
// declaration and an assignment statement, on the same line).
func (lw *lowering) genericInits() {
	m := lw.c.m
	info := lw.c.info
	for _, d := range lw.c.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR || gd.Lparen.IsValid() || len(gd.Specs) != 1 {
			continue
		}
		spec := gd.Specs[0].(*ast.ValueSpec)
		if len(spec.Values) == 0 || !lw.hasGenericCall(spec.Values) {
			continue
		}
		di, isDefine := m.defines[lw.off(gd.TokPos)]
		var decls []string
		var lhs []string
		for _, id := range spec.Names {
			lhs = append(lhs, id.Name)
			if id.Name == "_" || di.redeclared[id.Name] {
				continue
			}
			obj := info.Defs[id]
			if obj == nil {
				return
			}
			ts, ok := lw.typeString(obj.Type(), id.Pos())
			if !ok {
				return
			}
			decls = append(decls, fmt.Sprintf("var %s %s; ", id.Name, ts))
		}
		if isDefine {
			// Cell text "a, b := v": replace "a, b :=".
			names := definedNames(m.src, di) // workaround_multi.go
			if len(names) != len(spec.Names) {
				continue
			}
			lw.editOrig(di.start, di.assign+2, strings.Join(decls, "")+strings.Join(names, ", ")+" =")
			continue
		}
		// Cell text "var a, b [T] = v": replace up to the value.
		if spec.Type != nil || len(spec.Names) != 1 {
			continue // a typed declaration: the engine declares it typed already
		}
		lw.add(gd.TokPos, spec.Values[0].Pos(), strings.Join(decls, "")+lhs[0]+" = ")
	}
}

// editOrig adds an edit given in cell offsets (for text that is not in the
// model verbatim).
func (lw *lowering) editOrig(start, end int, text string) {
	lw.nedit++
	lw.origEdits = append(lw.origEdits, edit{start, end, text, lw.nedit})
}

func (lw *lowering) hasGenericCall(es []ast.Expr) bool {
	found := false
	for _, e := range es {
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if _, inst := lw.c.info.Instances[id]; inst {
					if _, fn := lw.c.info.Uses[id].(*types.Func); fn {
						found = true
					}
				}
			}
			if sel, ok := n.(*ast.SelectorExpr); ok && genericMethod(lw.c.info.Selections[sel]) {
				// A method of a generic type: yaegi resolved its body's
				// names (s.v) to the variable being declared (v :=
				// k.Get() failed: "undefined selector Get").
				found = true
			}
			return !found
		})
	}
	return found
}

// rangeFunc lowers a range over a function iterator (Go 1.23) whose body
// the interpreter can run as the yield function:
//
//	for k, v := range seq { body }  ->  seq(func(k K, v V) bool { body; return true })
//
// with continue as `return true` and break as `return false`. It returns
// why it cannot (a return, goto, defer or labelled branch in the body,
// which would need the full desugaring), or "".
func (lw *lowering) rangeFunc(r *ast.RangeStmt, sig *types.Signature) string {
	if sig.Params().Len() != 1 || sig.Results().Len() != 0 {
		return "not an iterator function"
	}
	yield, ok := sig.Params().At(0).Type().Underlying().(*types.Signature)
	if !ok {
		return "not an iterator function"
	}
	var why string
	var branches []*ast.BranchStmt
	var returns []*ast.ReturnStmt
	var walk func(n ast.Node, loops, switches int)
	walk = func(n ast.Node, loops, switches int) {
		ast.Inspect(n, func(n ast.Node) bool {
			if why != "" {
				return false
			}
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				returns = append(returns, x)
			case *ast.DeferStmt:
				why = "the loop body defers"
			case *ast.LabeledStmt:
				why = "the loop body has labels"
			case *ast.ForStmt:
				walk(x.Body, loops+1, switches)
				return false
			case *ast.RangeStmt:
				if _, isFn := under(lw.c.info.TypeOf(x.X)).(*types.Signature); isFn {
					ast.Inspect(x.Body, func(n ast.Node) bool {
						if _, isRet := n.(*ast.ReturnStmt); isRet {
							why = "a nested loop over an iterator returns"
						}
						_, isLit := n.(*ast.FuncLit)
						return !isLit
					})
				}
				walk(x.Body, loops+1, switches)
				return false
			case *ast.SwitchStmt:
				walk(x.Body, loops, switches+1)
				return false
			case *ast.TypeSwitchStmt:
				walk(x.Body, loops, switches+1)
				return false
			case *ast.SelectStmt:
				walk(x.Body, loops, switches+1)
				return false
			case *ast.BranchStmt:
				switch {
				case x.Label != nil || x.Tok == token.GOTO:
					why = "the loop body has labelled branches or goto"
				case x.Tok == token.CONTINUE && loops == 0:
					branches = append(branches, x)
				case x.Tok == token.BREAK && loops == 0 && switches == 0:
					branches = append(branches, x)
				}
			}
			return true
		})
	}
	if _, labelled := lw.parents[r].(*ast.LabeledStmt); labelled {
		return "the loop is labelled"
	}
	walk(r.Body, 0, 0)
	if why != "" {
		return why
	}
	vars := []ast.Expr{r.Key, r.Value}
	var params []string
	var assigns []string
	for i := 0; i < yield.Params().Len(); i++ {
		ts, ok := lw.typeString(yield.Params().At(i).Type(), r.Pos())
		if !ok {
			return "its element type cannot be written in the cell"
		}
		name := "_"
		if i < len(vars) && vars[i] != nil {
			if r.Tok == token.DEFINE {
				name = vars[i].(*ast.Ident).Name
			} else if id, isID := vars[i].(*ast.Ident); !isID || id.Name != "_" {
				name = lw.fresh("v")
				assigns = append(assigns, fmt.Sprintf("%s = %s; ", lw.text(vars[i]), name))
			}
		}
		params = append(params, name+" "+ts)
	}
	// A return in the body stops the iteration and returns from the
	// enclosing function after it: results go through fresh variables.
	prefix, suffix := "", ""
	if len(returns) > 0 {
		res, ok := lw.enclosingResults(r)
		if !ok {
			return "the loop body returns"
		}
		flag := lw.fresh("ret")
		prefix = fmt.Sprintf("{ var %s bool; ", flag)
		var rvars []string
		named := res != nil && res.Len() > 0 && res.At(0).Name() != ""
		for i := 0; named && i < res.Len(); i++ {
			if res.At(i).Name() == "_" {
				named = false
			}
		}
		for i := 0; named && i < res.Len(); i++ {
			rvars = append(rvars, res.At(i).Name()) // results are set in place
		}
		for i := 0; !named && res != nil && i < res.Len(); i++ {
			ts, ok := lw.typeString(res.At(i).Type(), r.Pos())
			if !ok {
				return "the loop body returns a value whose type cannot be written in the cell"
			}
			v := lw.fresh("r")
			rvars = append(rvars, v)
			prefix += fmt.Sprintf("var %s %s; ", v, ts)
		}
		for _, ret := range returns {
			if len(ret.Results) == 0 {
				lw.add(ret.Pos(), ret.End(), fmt.Sprintf("{ %s = true; return false }", flag))
				continue
			}
			lw.add(ret.Pos(), ret.Results[0].Pos(), fmt.Sprintf("{ %s = true; %s = ", flag, strings.Join(rvars, ", ")))
			lw.insert(ret.End(), "; return false }")
		}
		suffix = fmt.Sprintf("; if %s { return %s } }", flag, strings.Join(rvars, ", "))
		if len(rvars) == 0 || named {
			suffix = fmt.Sprintf("; if %s { return } }", flag)
		}
	}
	// Keep the iterator expression in place (it may have rewrites of its own).
	lw.add(r.For, r.X.Pos(), prefix)
	lw.add(r.X.End(), r.Body.Lbrace+1, fmt.Sprintf("(func(%s) bool {%s", strings.Join(params, ", "), strings.Join(assigns, "")))
	for _, br := range branches {
		if br.Tok == token.CONTINUE {
			lw.add(br.Pos(), br.End(), "return true")
		} else {
			lw.add(br.Pos(), br.End(), "return false")
		}
	}
	lw.add(r.Body.Rbrace, r.Body.Rbrace+1, "; return true })"+suffix)
	return ""
}

// enclosingResults returns the results of the function around n; ok is
// false outside a function or in the cell's own statement function.
func (lw *lowering) enclosingResults(n ast.Node) (*types.Tuple, bool) {
	for p := lw.parents[n]; p != nil; p = lw.parents[p] {
		switch f := p.(type) {
		case *ast.FuncLit:
			if sig, ok := lw.c.info.TypeOf(f).(*types.Signature); ok {
				return sig.Results(), true
			}
			return nil, false
		case *ast.FuncDecl:
			if f.Name.Name == "_godlCell" {
				return nil, false
			}
			if fn, ok := lw.c.info.Defs[f.Name].(*types.Func); ok {
				return fn.Type().(*types.Signature).Results(), true
			}
			return nil, false
		}
	}
	return nil, false
}

// callArgs evaluates the arguments of a defer or go statement at the
// statement, as Go does: yaegi v0.16.1 keeps a reference to each
// argument's variable and reads it when the deferred call runs (or the
// goroutine starts), so `for i := range 3 { defer fmt.Println(i) }` would
// print 3 3 3 and `defer fmt.Println(x); x = 5` would print 5. Each
// argument moves into a fresh variable declared in a block around the
// statement, which yaegi gives a new value per execution:
//
//	defer f(x, y+1)  ->  { a1 := x; a2 := y+1; defer f(a1, a2) }
//
// Constants, nil, func literals and funcs need no copy. Arguments that
// span lines stay (moving them would move lines), as do multi-value
// calls f(g()). The receiver of a method call (defer v.M()) is still read
// late: yaegi reads it late even from a fresh variable.
func (lw *lowering) callArgs(st ast.Stmt, call *ast.CallExpr) {
	info := lw.c.info
	if tv, ok := info.Types[call.Fun]; !ok || tv.IsType() {
		return
	}
	sig, _ := under(info.TypeOf(call.Fun)).(*types.Signature)
	var decls []string
	// A spread call runs inside a func literal taking the copies as
	// parameters: yaegi v0.16.1 ignores the spread of a deferred call
	// (defer fmt.Println(xs...) prints [1 2]). (Wrapping does not help
	// its other defer bugs: defer close(ch) fails to compile, "nil type",
	// a deferred generic call crashes its compiler, and a deferred panic
	// in a func literal skips the remaining deferred calls.)
	var params, names []string // the wrapper's parameters; nil: no wrapper
	_, lit := ast.Unparen(call.Fun).(*ast.FuncLit)
	wrap := call.Ellipsis.IsValid() && !lit
	if wrap {
		params = []string{}
	}
	// The receiver of a method call is evaluated at the statement too:
	// yaegi reads it when the call runs, even from a fresh variable
	// (for _, n := range names { f, _ := os.Open(n); defer f.Close() }
	// would close the last file each time), unless the call is wrapped.
	// A pointer method of an addressable value takes its address, which
	// later assignments do not change: that receiver stays.
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && !strings.Contains(lw.text(sel.X), "\n") {
			xt := info.TypeOf(sel.X)
			_, xPtr := under(xt).(*types.Pointer)
			_, xIface := under(xt).(*types.Interface)
			mPtr := false
			if sig, ok := s.Obj().Type().(*types.Signature); ok && sig.Recv() != nil {
				_, mPtr = sig.Recv().Type().(*types.Pointer)
			}
			if ts, ok := lw.typeString(xt, sel.Pos()); ok && (xPtr || xIface || !mPtr) {
				if text, ok := lw.takeText(sel.X); ok {
					name := lw.fresh("r")
					decls = append(decls, name+" := "+text+"; ")
					lw.add(sel.X.Pos(), sel.X.End(), name)
					params = append(params, name+" "+ts)
					names = append(names, name)
				}
			}
		}
	}
	for i, a := range call.Args {
		tv, ok := info.Types[a]
		if !ok || tv.Value != nil || tv.IsNil() || tv.IsType() || tv.Type == nil {
			continue
		}
		if _, multi := tv.Type.(*types.Tuple); multi {
			return
		}
		switch x := ast.Unparen(a).(type) {
		case *ast.FuncLit:
			continue
		case *ast.Ident:
			if _, isFunc := info.Uses[x].(*types.Func); isFunc {
				continue
			}
		}
		if strings.Contains(lw.text(a), "\n") {
			continue
		}
		text, ok := lw.takeText(a)
		if !ok {
			continue
		}
		if isUntyped(tv.Type) {
			// An untyped non-constant (a comparison, a shift): give the
			// copy the parameter's type.
			pt := paramType(sig, i, call.Ellipsis.IsValid())
			if pt == nil {
				continue
			}
			if _, isIface := pt.Underlying().(*types.Interface); isIface {
				pt = types.Default(tv.Type)
			}
			ts, ok := lw.typeString(pt, a.Pos())
			if !ok {
				continue
			}
			text = "(" + ts + ")(" + text + ")"
		}
		name := lw.fresh("a")
		decls = append(decls, name+" := "+text+"; ")
		lw.add(a.Pos(), a.End(), name)
		if params != nil {
			t := tv.Type
			if isUntyped(t) {
				t = paramType(sig, i, false)
			}
			if ts, ok := lw.typeString(t, a.Pos()); ok {
				params = append(params, name+" "+ts)
				names = append(names, name)
			} else {
				params = nil
			}
		}
	}
	if params != nil {
		lw.insert(call.Pos(), "func("+strings.Join(params, ", ")+") { ")
		lw.insert(call.End(), " }("+strings.Join(names, ", ")+")")
	}
	if len(decls) == 0 {
		return
	}
	lw.insert(st.Pos(), "{ "+strings.Join(decls, ""))
	lw.insert(st.End(), " }")
}

// paramType returns the type of the i-th argument's parameter of sig.
func paramType(sig *types.Signature, i int, ellipsis bool) types.Type {
	if sig == nil {
		return nil
	}
	ps := sig.Params()
	if sig.Variadic() && i >= ps.Len()-1 {
		t := ps.At(ps.Len() - 1).Type()
		if ellipsis {
			return t
		}
		if s, ok := t.Underlying().(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	}
	if i < ps.Len() {
		return ps.At(i).Type()
	}
	return nil
}

// takeText returns the source of n with the rewrites already made inside
// it, and drops those rewrites (n's text is about to move); ok is false if
// a rewrite straddles n's bounds.
func (lw *lowering) takeText(n ast.Node) (string, bool) {
	s, e := lw.off(n.Pos()), lw.off(n.End())
	var inner, rest []edit
	for _, ed := range lw.edits {
		switch {
		case ed.start >= s && ed.end <= e:
			inner = append(inner, ed)
		case ed.start < e && ed.end > s:
			return "", false
		default:
			rest = append(rest, ed)
		}
	}
	sortEdits(inner)
	src := lw.c.m.text
	var b strings.Builder
	last := s
	for _, ed := range inner {
		if ed.start < last {
			return "", false
		}
		b.WriteString(src[last:ed.start])
		b.WriteString(ed.text)
		last = ed.end
	}
	b.WriteString(src[last:e])
	lw.edits = rest
	return b.String(), true
}

// sortEdits orders edits by position, insertions before a replacement at
// the same place, then in the order they were made.
func sortEdits(edits []edit) {
	sort.SliceStable(edits, func(i, j int) bool {
		a, b := edits[i], edits[j]
		if a.start != b.start {
			return a.start < b.start
		}
		if (a.start == a.end) != (b.start == b.end) {
			return a.start == a.end
		}
		return a.seq < b.seq
	})
}

// loopContinues returns the continue statements that target the loop f
// (labelled label, or ""): unlabelled ones in its body outside nested
// loops, and those naming its label; func literals are not entered.
func loopContinues(f *ast.ForStmt, label string) []*ast.BranchStmt {
	var conts []*ast.BranchStmt
	var walk func(n ast.Node, depth int)
	walk = func(n ast.Node, depth int) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt:
				if x != f {
					walk(x.Body, depth+1)
					return false
				}
			case *ast.RangeStmt:
				walk(x.Body, depth+1)
				return false
			case *ast.BranchStmt:
				if x.Tok == token.CONTINUE && ((x.Label == nil && depth == 0) || (x.Label != nil && label != "" && x.Label.Name == label)) {
					conts = append(conts, x)
				}
			}
			return true
		})
	}
	walk(f.Body, 0)
	return conts
}
