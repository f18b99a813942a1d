package interp

import (
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Workarounds for yaegi v0.16.1 bugs that give silent wrong results,
// done in the lowering (we may not patch yaegi).
//
// Interface conversions that alias their source. When yaegi puts a value
// of an interpreted type with methods into an interface (an `any` or
// other interface variable, map value or key, slice element, struct
// field, channel, argument or result), it keeps a reference to the
// value's storage instead of a copy (genValueInterface wraps the frame
// slot in its valueInterface). Later writes to that storage show through
// the interface:
//
//	x := T{1}; var a any = x; x.A = 9         // a holds T{9}
//	for k := range ms { r[k] = ms[k] }        // every r[k] is the last value
//
// (a map index, call result or composite literal in a loop reuses one
// slot). An explicit conversion any(x) copies, but drops the methods
// (a.(fmt.Stringer) fails). A variable made by := gets new storage at
// each execution, so the lowering moves each such value into a fresh
// variable declared just before the statement, which nothing else
// writes:
//
//	r[k] = ms[k]        ->  { _g2_1c := ms[k]; r[k] = _g2_1c }
//	var a any = x       ->  _g2_2c := x; var a any = _g2_2c
//	b := any(x)         ->  _g2_3c := x; var _g2_4c any = _g2_3c; b := _g2_4c
//
// (A func literal returning the copy does not do: yaegi's valueInterface
// returned through an `any` result prints as <nil> in compiled fmt.)
//
// Conversions of values of cell types with methods (not pointers: a
// pointer is copied) to an interface type are rewritten where Go converts
// implicitly (assignments, var declarations with a type, composite
// literal elements, keys and fields, channel sends, append, return
// values, arguments of interpreted funcs and func values) and explicit
// conversions to an interface type. Arguments of compiled functions and
// methods stay: yaegi copies those when it converts them to Go values.
// A value is moved only when that keeps Go's order of evaluation (nothing
// before it in its statement calls or receives, or the value calls
// nothing: Go leaves the order of variable reads and calls unspecified),
// from a statement of a block or the part of an if/for/switch header
// evaluated once and first, from behind && or || only when it cannot
// panic, not from a defer or go statement (whose arguments callArgs
// copies anyway). Others (a loop's condition or post statement, an
// else-if header, a case list, a final expression) go through a func
// literal that copies the value and returns it from a variable of the
// interface type (see unmoved).
//
// The same moves fix values that lost their methods outright: a
// composite literal, arithmetic or a conversion stored straight into an
// `any` variable (var y any = V{1} printed {1}), and a value returned
// as an empty interface (through a variable of that type).

// convSites collects the conversions of a cell.
type convSites struct {
	lw       *lowering
	sites    []convSite
	inReturn bool
	splits   []*multiSplit // assignments of several values to split
}

// convSite is a value converted to an interface type.
type convSite struct {
	e        ast.Expr
	iface    string // the interface type's spelling
	explicit ast.Expr
	// viaVar: the copy goes through a variable of the interface type
	// (a return value of an empty interface result: see ifaceCopy).
	viaVar bool
}

// ifaceCopies rewrites the interface conversions that yaegi would make
// alias their source (see the comment at the top of this file).
func (lw *lowering) ifaceCopies() {
	info := lw.c.info
	cs := &convSites{lw: lw}
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				cs.mapKeyCopy(l)
			}
			if n.Tok != token.ASSIGN && n.Tok != token.DEFINE {
				break
			}
			lhsT := make([]types.Type, len(n.Lhs))
			for i, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && (id.Name == "_" || info.Defs[id] != nil) {
					continue // a new variable takes the value's own type
				}
				lhsT[i] = info.TypeOf(l)
			}
			tuple, split := lw.needsSplit(lhsT, n.Rhs)
			if split {
				cs.splits = append(cs.splits, &multiSplit{st: n, lhs: n.Lhs, lhsT: lhsT, rhs: n.Rhs, tuple: tuple})
			}
			if len(n.Lhs) != len(n.Rhs) {
				break
			}
			for i := range n.Lhs {
				if lhsT[i] != nil && (!split || compiledIface(lhsT[i])) {
					// Split: the values are moved by the split.
					cs.ifaceCopy(n.Rhs[i], lhsT[i])
				}
			}
		case *ast.IncDecStmt:
			cs.mapKeyCopy(n.X)
		case *ast.ValueSpec:
			split := cs.topSplit(n)
			if n.Type != nil && len(n.Values) == len(n.Names) {
				t := info.TypeOf(n.Type)
				for _, v := range n.Values {
					if !split || compiledIface(t) {
						cs.ifaceCopy(v, t)
					}
				}
			}
		case *ast.ReturnStmt:
			if res, ok := lw.enclosingResults(n); ok && res.Len() == len(n.Results) {
				cs.inReturn = true // returning as error works (see ifaceConv)
				for i, r := range n.Results {
					cs.ifaceCopy(r, res.At(i).Type())
				}
				cs.inReturn = false
			}
		case *ast.SendStmt:
			if ch, ok := under(info.TypeOf(n.Chan)).(*types.Chan); ok {
				cs.ifaceCopy(n.Value, ch.Elem())
			}
		case *ast.CompositeLit:
			cs.compositeCopies(n)
		case *ast.CallExpr:
			cs.callCopies(n)
			lw.errorsCall(n)
		}
		return true
	})
	sites := cs.sites
	// Inner values first (their copies come first), then in source order.
	sort.SliceStable(sites, func(i, j int) bool {
		a, b := sites[i].node(), sites[j].node()
		if a.End() != b.End() {
			return a.End() < b.End()
		}
		return a.Pos() > b.Pos()
	})
	h := &hoister{lw: lw, tops: map[*ast.GenDecl][]string{}, stmtEdits: map[int]bool{}, splits: map[*ast.GenDecl]*multiSplit{}}
	for _, ms := range cs.splits {
		if gd, top := ms.st.(*ast.GenDecl); top {
			h.gds = append(h.gds, gd)
			h.tops[gd] = []string{}
			h.splits[gd] = ms
		} else if !lw.splitAssign(ms) {
			lw.splitError(ms.st)
		}
	}
	for _, s := range sites {
		h.hoist(s)
	}
	h.hoistTops()
}

func (s convSite) node() ast.Node {
	if s.explicit != nil {
		return s.explicit
	}
	return s.e
}

// ifaceCopy records e when Go converts it to the interface type target
// there and yaegi would alias it.
func (cs *convSites) ifaceCopy(e ast.Expr, target types.Type) {
	cs.lw.hiddenConversion(e, target) // workaround_hidden.go
	if is, ok := cs.lw.aliasingConversion(e, target); ok {
		if !cs.inReturn && compiledIface(target) {
			cs.lw.ifaceConv(e, nil, target)
			return
		}
		// A value returned as an empty interface lost its methods
		// (yaegi returns the bare value for such a result: chk(f())
		// printed {1}); returned from a variable of that type it keeps
		// them.
		cs.sites = append(cs.sites, convSite{e: e, iface: is, viaVar: cs.inReturn && isEmptyIface(target)})
	}
}

// isErrorType tells whether t is the predeclared error type.
func isErrorType(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// compiledIface tells whether t is an interface type with methods of a
// compiled package (error, fmt.Stringer, io.Reader, sort.Interface):
// yaegi puts a cell value in it as a wrapper of the interface (see
// ifaceConv).
func compiledIface(t types.Type) bool {
	if isErrorType(t) {
		return true
	}
	nt, ok := types.Unalias(t).(*types.Named)
	if !ok || nt.Obj().Pkg() == nil || nt.Obj().Pkg().Path() == "main" {
		return false
	}
	it, ok := nt.Underlying().(*types.Interface)
	return ok && !it.Empty()
}

// ifaceConv converts e, a value of a cell type with methods, to error
// by returning it from a func literal. yaegi's direct conversion to
// error (var e error = Oops{2}, errs = append(errs, Oops{1})) made a
// value compiled code sees without its Error method (fmt printed {2}),
// whose Error() failed ("Method index out of range") and which could
// not be passed to an interpreted func ("Call using struct { N int } as
// type error"); a func returning it as error gives what a Go func
// returning an error gives (the parameter is also a fresh copy). A type
// assertion back to the cell type fails on it, as on any error a func
// returned. explicit is the conversion error(e), replaced, if any.
//
// The same holds for the other interfaces of compiled packages
// (fmt.Stringer, io.Reader …): their wrapper of a cell value, made by a
// conversion, calls the methods on the variable it was made from, so
// that values stored in a loop all answered as the last one
// (vs = append(vs, V{i}) gave [V<1> V<1>], pointers too); made by a
// return, each is its own.
func (lw *lowering) ifaceConv(e ast.Expr, explicit *ast.CallExpr, target types.Type) {
	ts, ok := lw.typeString(lw.c.info.TypeOf(e), e.Pos())
	if !ok {
		return
	}
	is, ok := lw.typeString(target, e.Pos())
	if !ok {
		return
	}
	pre := "func(__godl_v " + ts + ") " + is + " { return __godl_v }("
	if explicit != nil {
		lw.add(explicit.Fun.Pos(), explicit.Lparen+1, pre)
		return
	}
	lw.insert(e.Pos(), pre)
	lw.insertInner(e.End(), ")")
}

// insertInner inserts text at the end of a value, before the position
// marker panicpos.go may have put there for the next statement
// (`var e error = Oops{5}; return …` on one line): edits at one place
// apply in the order they were made, and the markers come first.
func (lw *lowering) insertInner(at token.Pos, text string) {
	seq := lw.nedit + 1
	if lw.posTo >= lw.posFrom && lw.posFrom > 0 {
		seq = lw.posFrom - 1
	}
	lw.nedit++
	lw.edits = append(lw.edits, edit{lw.off(at), lw.off(at), text, seq})
}

// hoister moves values into fresh variables (ifaceCopies).
type hoister struct {
	lw *lowering
	// tops: the declarations of the fresh variables of each top-level
	// declaration whose values moved, in order (gds), for hoistTops.
	tops map[*ast.GenDecl][]string
	gds  []*ast.GenDecl
	// stmtEdits: the seqs of the block ends hoist inserted after
	// statements, which a value ending there leaves in place.
	stmtEdits map[int]bool
	// splits: the top-level declarations of several values to split
	// (workaround_multi.go).
	splits map[*ast.GenDecl]*multiSplit
}

// hoist moves the value of s into a fresh variable declared before its
// statement, when that keeps the statement's meaning.
func (h *hoister) hoist(s convSite) {
	lw := h.lw
	st, ok := lw.siteStmt(s.node())
	if !ok {
		h.unmoved(s)
		return
	}
	// Calls its statement makes before the value move first, in order
	// (m[key(i)] = mk(i) in a loop).
	pre := ""
	if !lw.pureValue(s.e) && lw.evaluatesBefore(st, s.node()) {
		calls, ok := lw.precedingCalls(st, s.node())
		if !ok {
			return
		}
		for _, c := range calls {
			text, ok := h.takeValue(c)
			if !ok {
				return
			}
			name := lw.fresh("p")
			pre += name + " := " + text + "; "
			lw.add(c.Pos(), c.End(), name)
		}
	}
	text, ok := h.takeValue(s.e)
	if !ok {
		return
	}
	name := lw.fresh("c")
	decl := pre + name + " := " + text + "; "
	use := name
	_, inSelect := st.(*ast.SelectStmt) // a select's send lost the methods too
	if s.explicit != nil || s.viaVar || inSelect {
		v := lw.fresh("c")
		decl += "var " + v + " " + s.iface + " = " + name + "; "
		use = v
	}
	if s.explicit != nil {
		lw.add(s.explicit.Pos(), s.e.Pos(), "")
		lw.add(s.e.End(), s.explicit.End(), "")
	}
	lw.add(s.e.Pos(), s.e.End(), use)
	if gd, top := st.(*ast.GenDecl); top {
		if h.tops[gd] == nil {
			h.gds = append(h.gds, gd)
		}
		h.tops[gd] = append(h.tops[gd], decl)
		return
	}
	if declaring(st) {
		lw.insert(st.Pos(), decl)
		return
	}
	lw.insert(st.Pos(), "{ "+decl)
	lw.insert(st.End(), " }")
	h.stmtEdits[lw.nedit] = true
}

// hoistTops rewrites the top-level declarations whose values hoist
// moved. Cell variables are declared without a value and assigned in a block that holds the
// fresh variables (not cell variables):
//
//	var a, b any = x, V{1}  ->  var a any; var b any; { _g2_1c := x; _g2_2c := V{1}; a, b = _g2_1c, _g2_2c }
func (h *hoister) hoistTops() {
	lw := h.lw
	m := lw.c.m
	for _, gd := range h.gds {
		vs := gd.Specs[0].(*ast.ValueSpec)
		di, isDefine := m.defines[lw.off(gd.Pos())]
		var names []string
		if isDefine {
			names = definedNames(m.src, di)
		} else {
			for _, id := range vs.Names {
				names = append(names, id.Name)
			}
		}
		if len(names) != len(vs.Names) {
			continue // cannot happen: the model keeps the names
		}
		head, bad := "", false
		for k, id := range vs.Names {
			if names[k] == "_" || di.redeclared[names[k]] {
				continue
			}
			obj := lw.c.info.Defs[id]
			if obj == nil {
				bad = true
				break
			}
			ts, ok := lw.typeString(obj.Type(), id.Pos())
			if !ok {
				bad = true
				break
			}
			head += "var " + names[k] + " " + ts + "; "
		}
		if bad {
			// The values already moved: the cell cannot run as it is.
			lw.errorf(gd.Pos(), "the Go interpreter (yaegi) would lose the methods of a value stored here, and the type of %s cannot be written in this cell: declare the variables with their types first (var x T), then assign them", strings.Join(names, ", "))
			continue
		}
		if ms := h.splits[gd]; ms != nil {
			var ok bool
			if head, ok = lw.splitTop(ms, names, head, strings.Join(h.tops[gd], "")); !ok {
				lw.splitError(gd)
				continue
			}
		} else {
			head += "{ " + strings.Join(h.tops[gd], "") + strings.Join(names, ", ") + " = "
		}
		if isDefine {
			lw.editOrig(di.start, di.assign+2, head)
		} else {
			lw.add(gd.Pos(), vs.Values[0].Pos(), head)
		}
		if h.splits[gd] == nil {
			lw.insert(vs.Values[len(vs.Values)-1].End(), " }")
		}
	}
}

// takeValue is takeText for a value moved out of its statement: text
// inserted at the value's end by the position markers or by the moves of
// other values of the statement belongs to the statement, and stays.
func (h *hoister) takeValue(e ast.Expr) (string, bool) {
	lw := h.lw
	end := lw.off(e.End())
	var keep []edit
	rest := lw.edits[:0:0]
	for _, ed := range lw.edits {
		if ed.start == end && ed.end == end && (ed.seq >= lw.posFrom && ed.seq <= lw.posTo || h.stmtEdits[ed.seq]) {
			keep = append(keep, ed)
			continue
		}
		rest = append(rest, ed)
	}
	lw.edits = rest
	text, ok := lw.takeText(e)
	lw.edits = append(lw.edits, keep...)
	return text, ok
}

// callResult tells whether the value n (a site's node) is the result of
// a call (not a conversion). At a cell's top level, which runs once per
// cell run, such a value is not reused and keeps its methods: it stays
// where it is. Other values are moved there too: a variable, field or
// element that later code may write, and composite literals, arithmetic
// and conversions, which yaegi stored in an interface variable without
// their methods (var y any = V{1} printed {1}).
func (lw *lowering) callResult(n ast.Node) bool {
	if call, ok := n.(*ast.CallExpr); ok && len(call.Args) == 1 {
		if tv, ok := lw.c.info.Types[call.Fun]; ok && tv.IsType() {
			n = call.Args[0] // an explicit conversion
		}
	}
	call, ok := ast.Unparen(n.(ast.Expr)).(*ast.CallExpr)
	if !ok {
		return false
	}
	tv, ok := lw.c.info.Types[call.Fun]
	return !ok || !tv.IsType()
}

// declaring tells whether st declares names in its scope.
func declaring(st ast.Node) bool {
	switch st := st.(type) {
	case *ast.DeclStmt:
		return true
	case *ast.AssignStmt:
		return st.Tok == token.DEFINE
	}
	return false
}

// siteStmt returns the statement of a block whose evaluation starts with
// n's when n is moved before it; ok is false when moving n would change
// what the statement does. A value that reads only variables (pure) may
// move before calls of its statement: Go leaves the order of variable
// reads and calls unspecified. In a header, a value moves before its
// if/for/switch statement when the header evaluates it once, first (the
// init statement; an if condition or switch tag without one; the range
// expression); behind && or ||, when evaluating it cannot panic.
func (lw *lowering) siteStmt(n ast.Node) (ast.Node, bool) {
	child := n
	for p := lw.parents[n]; p != nil; child, p = p, lw.parents[p] {
		switch p := p.(type) {
		case *ast.FuncLit:
			return nil, false
		case *ast.BinaryExpr:
			if (p.Op == token.LAND || p.Op == token.LOR) && child == p.Y && !lw.safeValue(n) {
				return nil, false
			}
		case *ast.IfStmt:
			if child != p.Init && (child != p.Cond || p.Init != nil) {
				return nil, false
			}
		case *ast.ForStmt:
			if child != p.Init {
				return nil, false
			}
		case *ast.RangeStmt:
			if child != p.X {
				return nil, false
			}
		case *ast.SwitchStmt:
			if child != p.Init && (child != p.Tag || p.Init != nil) {
				return nil, false
			}
		case *ast.TypeSwitchStmt:
			if child != p.Init && (child != p.Assign || p.Init != nil) {
				return nil, false
			}
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			st, ok := child.(ast.Stmt)
			if !ok {
				return nil, false
			}
			if cc, ok := p.(*ast.CommClause); ok && cc.Comm == st {
				// A send of a select: its value is evaluated when the
				// select starts, in source order with the other cases'
				// channels and values; a pure value moves before the
				// select.
				send, isSend := st.(*ast.SendStmt)
				sel, _ := lw.parents[lw.parents[cc]].(*ast.SelectStmt)
				if !isSend || sel == nil || !lw.pureValue(n) || !lw.pureValue(send.Chan) {
					return nil, false
				}
				switch lw.parents[sel].(type) {
				case *ast.BlockStmt, *ast.CaseClause:
					return sel, true
				}
				return nil, false
			}
			if cc, ok := p.(*ast.CaseClause); ok {
				for _, e := range cc.List {
					if e == child {
						return nil, false
					}
				}
			}
			switch st.(type) {
			case *ast.AssignStmt, *ast.ExprStmt, *ast.SendStmt, *ast.ReturnStmt, *ast.DeclStmt, *ast.IncDecStmt:
			case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt:
				// From its header (checked above).
			case *ast.DeferStmt, *ast.GoStmt:
				// An argument: evaluated at the statement (callArgs
				// then moves what is left); defer fmt.Println(any(x))
				// lost the methods.
			default:
				return nil, false
			}
			if lw.evaluatesBefore(st, n) && !lw.pureValue(n) {
				if _, ok := lw.precedingCalls(st, n); !ok {
					return nil, false
				}
				// The calls before it move too (hoist).
			}
			if fd, ok := lw.parents[p].(*ast.FuncDecl); ok && fd.Name.Name == "_godlCell" {
				// The cell's top level: a fresh variable declared
				// there would be a cell variable (shown by %who, kept
				// across cells), and the final expression must stay
				// last. Top-level code runs once per cell run, so only
				// later writes to a named source show through.
				b := p.(*ast.BlockStmt)
				if _, expr := st.(*ast.ExprStmt); declaring(st) || expr && st == b.List[len(b.List)-1] || lw.callResult(n) {
					return nil, false
				}
			}
			return st, true
		case *ast.GenDecl:
			if _, local := lw.parents[p].(*ast.DeclStmt); local {
				continue // a var declaration in a func: its DeclStmt
			}
			// A variable of the cell's top level (a package-level
			// declaration in the checked model): see hoistTop.
			if _, top := lw.parents[p].(*ast.File); !top || p.Tok != token.VAR || p.Lparen.IsValid() || len(p.Specs) != 1 {
				return nil, false
			}
			vs, ok := p.Specs[0].(*ast.ValueSpec)
			if !ok || len(vs.Values) != len(vs.Names) || lw.callResult(n) || lw.evaluatesBefore(p, n) && !lw.pureValue(n) || lw.hasGenericCall(vs.Values) {
				return nil, false
			}
			return p, true
		case *ast.LabeledStmt:
			return nil, false
		}
	}
	return nil, false
}

// precedingCalls returns the outermost calls and receives of st
// evaluated before n, in order, when each can move into a variable
// before st: evaluated unconditionally (not behind && or ||), one value
// each. ok is false otherwise.
func (lw *lowering) precedingCalls(st, n ast.Node) (calls []ast.Expr, ok bool) {
	ok = true
	ast.Inspect(st, func(m ast.Node) bool {
		if !ok || m == nil || m.Pos() >= n.Pos() {
			return false
		}
		switch m := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BinaryExpr:
			if (m.Op == token.LAND || m.Op == token.LOR) && m.Y.Pos() < n.Pos() && m.Y.End() <= n.Pos() && !lw.pureValue(m.Y) {
				ok = false // a conditional call before n
			}
		case *ast.CallExpr:
			if tv, found := lw.c.info.Types[m.Fun]; found && (tv.IsType() || tv.IsBuiltin()) {
				return true
			}
			if m.End() <= n.Pos() {
				if _, tuple := lw.c.info.TypeOf(m).(*types.Tuple); tuple || lw.c.info.TypeOf(m) == nil {
					ok = false
				} else {
					calls = append(calls, m)
				}
				return false
			}
		case *ast.UnaryExpr:
			if m.Op == token.ARROW && m.End() <= n.Pos() {
				if _, commaOk := lw.parents[m].(*ast.AssignStmt); commaOk {
					ok = false
				} else {
					calls = append(calls, m)
				}
				return false
			}
		}
		return true
	})
	return calls, ok
}

// pureValue tells whether evaluating n calls nothing and receives
// nothing (conversions and len/cap aside).
func (lw *lowering) pureValue(n ast.Node) bool {
	pure := true
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.CallExpr:
			tv, ok := lw.c.info.Types[m.Fun]
			switch {
			case ok && tv.IsType():
			case ok && tv.IsBuiltin():
				if id, isID := ast.Unparen(m.Fun).(*ast.Ident); !isID || id.Name != "len" && id.Name != "cap" {
					pure = false
				}
			default:
				pure = false
			}
		case *ast.UnaryExpr:
			if m.Op == token.ARROW {
				pure = false
			}
		case *ast.FuncLit:
			pure = false
		}
		return pure
	})
	return pure
}

// safeValue tells whether n is pure and cannot panic: variables, fields
// of struct values (not through pointers), map elements, constants and
// composite literals of those.
func (lw *lowering) safeValue(n ast.Node) bool {
	if !lw.pureValue(n) {
		return false
	}
	info := lw.c.info
	safe := true
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.StarExpr, *ast.SliceExpr, *ast.TypeAssertExpr:
			safe = false
		case *ast.IndexExpr:
			if _, isMap := under(info.TypeOf(m.X)).(*types.Map); !isMap {
				safe = false
			}
		case *ast.SelectorExpr:
			if sel := info.Selections[m]; sel != nil && sel.Indirect() {
				safe = false
			}
		case *ast.BinaryExpr:
			switch m.Op {
			case token.QUO, token.REM, token.SHL, token.SHR:
				safe = false
			}
		case *ast.CallExpr:
			// A conversion (pure): of an interface to a concrete type
			// it does not panic either; len and cap do not.
		}
		return safe
	})
	return safe
}

// evaluatesBefore tells whether st calls a function or receives from a
// channel before n (textually), other than conversions and builtins.
func (lw *lowering) evaluatesBefore(st, n ast.Node) bool {
	found := false
	ast.Inspect(st, func(m ast.Node) bool {
		if found || m == nil || m.Pos() >= n.Pos() {
			return false
		}
		switch m := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if tv, ok := lw.c.info.Types[m.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
				return true
			}
			// Called before n. (When n is one of its arguments, n is
			// evaluated before the call, after its function value:
			// only a func value expression could tell.)
			if m.End() <= n.Pos() {
				found = true
			}
		case *ast.UnaryExpr:
			if m.Op == token.ARROW && m.End() <= n.Pos() {
				found = true
			}
		}
		return true
	})
	return found
}

// aliasingConversion tells whether converting e to target makes yaegi
// alias e's storage, with the spellings of e's type and of target.
func (lw *lowering) aliasingConversion(e ast.Expr, target types.Type) (iface string, ok bool) {
	if target == nil || !types.IsInterface(target) {
		return "", false
	}
	if _, isParam := types.Unalias(target).(*types.TypeParam); isParam {
		return "", false
	}
	tv, ok := lw.c.info.Types[e]
	if !ok || !tv.IsValue() || tv.Type == nil {
		return "", false
	}
	if !aliasedInIface(tv.Type) && !(compiledIface(target) && cellPointer(tv.Type)) {
		return "", false
	}
	return lw.typeString(target, e.Pos())
}

// aliasedInIface tells whether yaegi keeps a reference to a value of
// type t that it puts in an interface: a type declared in a cell that
// has methods (its interpreted method table is what yaegi's
// valueInterface carries), other than an interface or a pointer.
func aliasedInIface(t types.Type) bool {
	nt, ok := types.Unalias(t).(*types.Named)
	if !ok || nt.Obj().Pkg() == nil || nt.Obj().Pkg().Path() != "main" {
		return false
	}
	switch nt.Underlying().(type) {
	case *types.Interface, *types.Pointer:
		return false
	}
	return types.NewMethodSet(nt).Len() > 0 || types.NewMethodSet(types.NewPointer(nt)).Len() > 0
}

// mapKeyCopy copies the key of an assigned map entry m[k] whose key type
// is an interface: the map stores it.
func (cs *convSites) mapKeyCopy(l ast.Expr) {
	ix, ok := ast.Unparen(l).(*ast.IndexExpr)
	if !ok {
		return
	}
	if m, ok := under(cs.lw.c.info.TypeOf(ix.X)).(*types.Map); ok {
		cs.ifaceCopy(ix.Index, m.Key())
	}
}

// compositeCopies copies the elements, keys and fields of a composite
// literal that go into interface slots.
func (cs *convSites) compositeCopies(lit *ast.CompositeLit) {
	t := under(cs.lw.c.info.TypeOf(lit))
	if p, ok := t.(*types.Pointer); ok { // an elided &T{…}
		t = under(p.Elem())
	}
	switch u := t.(type) {
	case *types.Slice, *types.Array:
		elem := u.(interface{ Elem() types.Type }).Elem()
		for _, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				e = kv.Value
			}
			cs.ifaceCopy(e, elem)
		}
	case *types.Map:
		for _, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				cs.ifaceCopy(kv.Key, u.Key())
				cs.ifaceCopy(kv.Value, u.Elem())
			}
		}
	case *types.Struct:
		for i, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					if f, ok := cs.lw.c.info.Uses[id].(*types.Var); ok {
						cs.ifaceCopy(kv.Value, f.Type())
					}
				}
				continue
			}
			if i < u.NumFields() {
				cs.ifaceCopy(e, u.Field(i).Type())
			}
		}
	}
}

// callCopies copies the arguments of a call that go into interface
// parameters of an interpreted function (or func value), the appended
// values of append, and the operand of an explicit conversion to an
// interface type (whose own copy drops the methods: the conversion is
// replaced by the copying func literal).
func (cs *convSites) callCopies(call *ast.CallExpr) {
	info := cs.lw.c.info
	ftv, ok := info.Types[call.Fun]
	if !ok {
		return
	}
	if ftv.IsType() {
		if len(call.Args) == 1 && !call.Ellipsis.IsValid() {
			cs.lw.hiddenConversion(call.Args[0], ftv.Type)
		}
		if len(call.Args) == 1 && !call.Ellipsis.IsValid() && !cs.lw.replaced[call] {
			if is, ok := cs.lw.aliasingConversion(call.Args[0], ftv.Type); ok {
				if compiledIface(ftv.Type) {
					cs.lw.ifaceConv(call.Args[0], call, ftv.Type)
					return
				}
				cs.sites = append(cs.sites, convSite{e: call.Args[0], iface: is, explicit: call})
			}
		}
		return
	}
	if ftv.IsBuiltin() {
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "append" && !call.Ellipsis.IsValid() {
			if s, ok := under(info.TypeOf(call)).(*types.Slice); ok {
				for _, a := range call.Args[1:] {
					cs.ifaceCopy(a, s.Elem())
				}
			}
		}
		return
	}
	if id := calleeIdent(call); id != nil {
		if fn, ok := info.Uses[id].(*types.Func); ok && (fn.Pkg() == nil || fn.Pkg().Path() != "main") {
			return // compiled: yaegi copies the arguments it converts
		}
	}
	sig, ok := under(ftv.Type).(*types.Signature)
	if !ok {
		return
	}
	for i, a := range call.Args {
		if call.Ellipsis.IsValid() && i == len(call.Args)-1 {
			break
		}
		cs.ifaceCopy(a, paramType(sig, i, false))
	}
}

// Print arguments of static type any. yaegi's compiled-interface wrapper
// for an interpreted value in an `any` (a valueInterface) reads the
// String or Error receiver through the node that stored the value, in
// the frame of the call: values a loop or another function stored in a
// map or slice print as the last one, or fail ("call of
// reflect.Value.Type on zero Value", "reflect.Set: value of type int is
// not assignable"). When the session has cell types with String or
// Error methods, such arguments go through UnwrapWith, whose type switch
// calls the method in the interpreter on the value itself.

// anyPrintArgCode returns the texts to insert around a print argument of
// type any at pos; ok is false when no cell type has String or Error.
func anyPrintArgCode(lw *lowering, pos token.Pos) (pre, post string, ok bool) {
	any := []types.Type{types.NewInterfaceType(nil, nil)}
	cb := withContainers(lw, stringerSwitch(lw.c.pkg, any, pos), any, pos)
	if cb == "" {
		return "", "", false
	}
	return "__godl.UnwrapWith([]any{", "}, " + unwrapSite(cb) + ")", true
}

// stringVerbs tells whether fmt formats an argument with verbs through
// its String or Error method (and verbs is not empty).
func stringVerbs(verbs string) bool {
	if verbs == "" {
		return false
	}
	for _, v := range verbs {
		if !strings.ContainsRune("vsqxX", v) {
			return false
		}
	}
	return true
}

// Type parameter names. yaegi v0.16.1 puts the type parameter names of a
// generic func in the package scope: a type of the same name, declared
// before or after (type T int next to func g[T any]), crashes its
// compiler where the type is used ("nil pointer dereference"). The
// lowering renames the type parameters of generic funcs (not methods,
// whose receiver's parameters stay local) to _godl-prefixed names:
//
//	func g[T any](x T) T  ->  func g[_godlT any](x _godlT) _godlT
//
// Rewrites made earlier inside the func that spell a type parameter
// (explicit type arguments, moved text) get the new name too.
func (lw *lowering) typeParamNames() {
	info := lw.c.info
	var top map[string]bool // cellTopNames, for methods of generic types
	for _, d := range lw.c.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		rename := map[types.Object]string{}
		switch {
		case fd.Recv == nil && fd.Type.TypeParams != nil:
			for _, f := range fd.Type.TypeParams.List {
				for _, id := range f.Names {
					if o := info.Defs[id]; o != nil && id.Name != "_" {
						rename[o] = "_godl" + id.Name
					}
				}
			}
		case fd.Recv != nil && genericRecv(fd):
			// yaegi instantiates a generic type's methods in the
			// package scope too: a parameter or local named like a
			// variable of the cell's top level resolved to that
			// variable ("undefined selector" on the method's
			// callers). Such names get a _godl prefix.
			if top == nil {
				top = lw.cellTopNames()
			}
			ast.Inspect(fd, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && top[id.Name] {
					if o, ok := info.Defs[id].(*types.Var); ok && o != nil && !o.IsField() {
						rename[o] = "_godl" + id.Name
					}
				}
				return true
			})
		}
		if len(rename) > 0 {
			lw.renameIn(fd, rename)
		}
	}
}

// genericRecv tells whether fd is a method of a generic type.
func genericRecv(fd *ast.FuncDecl) bool {
	if len(fd.Recv.List) == 0 {
		return false
	}
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	switch ast.Unparen(t).(type) {
	case *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}

// cellTopNames returns the names the cell defines outside funcs: its
// top-level variables and the package-level declarations of its model.
func (lw *lowering) cellTopNames() map[string]bool {
	names := map[string]bool{}
	for id, o := range lw.c.info.Defs {
		if o == nil || id.Name == "_" {
			continue
		}
		if _, ok := o.(*types.Var); !ok {
			continue
		}
		if o.Parent() == lw.c.pkg.Scope() || lw.atCellTop(id) {
			names[id.Name] = true
		}
	}
	return names
}

// atCellTop tells whether n is in the cell's top-level code (the body of
// _godlCell, outside func literals).
func (lw *lowering) atCellTop(n ast.Node) bool {
	for p := lw.parents[n]; p != nil; p = lw.parents[p] {
		switch x := p.(type) {
		case *ast.FuncLit:
			return false
		case *ast.FuncDecl:
			return x.Name.Name == "_godlCell" && x.Recv == nil
		}
	}
	return false
}

// renameIn renames the objects of rename everywhere in fd, including
// inside text that earlier rewrites put there (which spells them as the
// source does).
func (lw *lowering) renameIn(fd *ast.FuncDecl, rename map[types.Object]string) {
	info := lw.c.info
	from, to := lw.off(fd.Pos()), lw.off(fd.End())
	var covered [][2]int
	for i := range lw.edits {
		e := &lw.edits[i]
		if e.start < from || e.end > to {
			continue
		}
		for o, nn := range rename {
			e.text = renameWord(e.text, o.Name(), nn)
		}
		if e.end > e.start {
			covered = append(covered, [2]int{e.start, e.end})
		}
	}
	ast.Inspect(fd, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		o := info.Uses[id]
		if o == nil {
			o = info.Defs[id]
		}
		nn, ok := rename[o]
		if !ok {
			return true
		}
		s, e := lw.off(id.Pos()), lw.off(id.End())
		for _, c := range covered {
			if s < c[1] && e > c[0] {
				return true // inside replaced text, renamed above
			}
		}
		lw.add(id.Pos(), id.End(), nn)
		return true
	})
}

// renameWord replaces the identifier old by new in Go source text.
func renameWord(text, old, new string) string {
	if !strings.Contains(text, old) {
		return text
	}
	// Identifiers only: not in string literals (a rewrite's
	// fmt.Sprintf("%T", …) kept its T) or comments, and not selected
	// names (a field x.v of a renamed local v).
	var sc scanner.Scanner
	file := token.NewFileSet().AddFile("", -1, len(text))
	sc.Init(file, []byte(text), func(token.Position, string) {}, 0)
	var b strings.Builder
	last := 0
	prev := token.ILLEGAL
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		selector := prev == token.PERIOD // x.v: a field or method
		prev = tok
		if tok == token.IDENT && lit == old && !selector {
			off := file.Offset(pos)
			b.WriteString(text[last:off])
			b.WriteString(new)
			last = off + len(old)
		}
	}
	b.WriteString(text[last:])
	return b.String()
}

// wrapErrorArg passes a %w argument of a cell type with an Error method
// as a compiled error that calls it (see workaround_host.go).
func (lw *lowering) wrapErrorArg(a ast.Expr) {
	tv, ok := lw.c.info.Types[a]
	if !ok || !tv.IsValue() || tv.Type == nil || types.IsInterface(tv.Type) || !involvesCellType(tv.Type) {
		return
	}
	ms := types.NewMethodSet(tv.Type)
	if niladic(ms, "Error") != "string" {
		return
	}
	ts, ok := lw.typeString(tv.Type, a.Pos())
	if !ok {
		return
	}
	unwrap := "nil"
	if niladic(ms, "Unwrap") == "error" {
		unwrap = "__godl_e.Unwrap"
	}
	lw.insert(a.Pos(), "func(__godl_e "+ts+") error { return __godl.WrapError(__godl_e, __godl_e.Error, "+unwrap+") }(")
	lw.insert(a.End(), ")")
}

// errorsCall rewrites errors.Is and errors.As for targets of cell types
// with an Error method: errors.Is gets its target as WrapError does (so
// that interpError.Is compares like values; yaegi's own wrapper of the
// target holds only its last field), errors.As (which panicked: "*target
// must be interface or implement error") becomes a loop in the
// interpreter over the chain errors.Unwrap gives.
func (lw *lowering) errorsCall(call *ast.CallExpr) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || len(call.Args) != 2 || call.Ellipsis.IsValid() {
		return
	}
	fn, ok := lw.c.info.Uses[sel.Sel].(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "errors" {
		return
	}
	if lw.inGeneric(call) {
		// The rewrites below call the host, which makes yaegi skip
		// the whole generic body; the call as it is gets a cell
		// error target wrong (errors.As panics).
		t := lw.c.info.TypeOf(call.Args[1])
		if pt, ok := under(t).(*types.Pointer); ok && fn.Name() == "As" {
			t = pt.Elem()
		}
		if t != nil && !types.IsInterface(t) && involvesCellType(t) && niladic(types.NewMethodSet(t), "Error") == "string" {
			lw.errorf(call.Pos(), "errors.%s with a target of a cell error type does not work in a generic function in the Go interpreter (yaegi); call it in a non-generic function (func isOops(err error) bool { … }) and call that", fn.Name())
		}
		return
	}
	switch fn.Name() {
	case "Is":
		lw.wrapErrorArg(call.Args[1])
	case "As":
		pt, ok := under(lw.c.info.TypeOf(call.Args[1])).(*types.Pointer)
		if !ok || types.IsInterface(pt.Elem()) || !involvesCellType(pt.Elem()) || niladic(types.NewMethodSet(pt.Elem()), "Error") != "string" {
			return
		}
		ts, ok := lw.typeString(pt.Elem(), call.Pos())
		if !ok || strings.Contains(lw.text(call), "\n") {
			return
		}
		pkg := lw.text(sel.X)
		lw.add(call.Pos(), call.Lparen+1, "func(__godl_err error, __godl_t *"+ts+") bool { for __godl_err != nil { if __godl_v, ok := __godl_err.("+ts+"); ok { *__godl_t = __godl_v; return true }; if __godl_v, ok := __godl.ErrorValue(__godl_err).("+ts+"); ok { *__godl_t = __godl_v; return true }; __godl_err = "+pkg+".Unwrap(__godl_err) }; return false }(")
	}
}

// Field names of cell structs in %+v and %#v. yaegi builds a cell
// struct's reflect type with each unexported field renamed X+name
// (exportName in its type.go): compiled fmt printed {Xs:2} for
// struct{ s float64 } and struct { Xs float64 }{Xs:2} for %#v. Print
// arguments formatted with %+v or %#v in a constant format whose type
// has such fields go through __godl.GoFields, a fmt.Formatter that
// prints them with fmt and restores the names (and, for %#v, the
// main.T name of the argument's own named type).

// printfFlagged returns, for a constant Printf format, the indexes of
// the arguments formatted with %+v or %#v.
func printfFlagged(format string) map[int]string {
	out := map[int]string{}
	for _, d := range scanPrintf(format) {
		if d.verb == 'v' && strings.ContainsAny(d.flags, "+#") {
			f := "+"
			if strings.Contains(d.flags, "#") {
				f = "#"
			}
			if prev, seen := out[d.arg]; seen && prev != f {
				f = "+" // used both ways: the field names only
			}
			out[d.arg] = f
		}
	}
	return out
}

// goSyntaxCode returns the texts to insert around a %#v print argument
// of static type t: __godl.GoSyntax with zero values of the cell struct
// types it may hold (all of them for an interface), whose reflect types
// (struct { Xs float64 }: yaegi's) it names as Go does (main.SS), and
// the unexported field names yaegi renamed. ok is false when t holds no
// cell struct type.
func (lw *lowering) goSyntaxCode(t types.Type, pos token.Pos) (pre, post string, ok bool) {
	if t == nil || fmtMethodsStatic(t) {
		return "", "", false
	}
	var structs []*types.Named
	if _, nested := nestedIfaces(t); types.IsInterface(t) || nested {
		structs = cellTypesAt(lw.c.pkg, pos) // any cell type may be inside
	} else {
		eachPart(t, func(t types.Type) {
			if nt, ok := types.Unalias(t).(*types.Named); ok && nt.Obj().Pkg() != nil && nt.Obj().Pkg().Path() == "main" {
				structs = append(structs, nt)
			}
		})
	}
	var samples, names []string
	var fields []string
	for _, nt := range structs {
		if nt.TypeParams().Len() > 0 || nt.TypeArgs().Len() > 0 || lw.c.pkg.Scope().Lookup(nt.Obj().Name()) != nt.Obj() {
			continue
		}
		if _, isStruct := nt.Underlying().(*types.Struct); !isStruct {
			continue // other kinds print as their underlying type (no way to tell)
		}
		if _, o := lw.c.pkg.Scope().Innermost(pos).LookupParent(nt.Obj().Name(), pos); o != nt.Obj() {
			continue
		}
		samples = append(samples, nt.Obj().Name()+"{}")
		names = append(names, strconv.Quote("main."+nt.Obj().Name()))
		fields = append(fields, renamedFields(nt)...)
	}
	if len(samples) == 0 {
		return "", "", false
	}
	// A renamed field s prints as Xs: not restored where a type has an
	// exported field Xs (the text cannot tell them apart).
	exported := map[string]bool{}
	for _, nt := range structs {
		if st, ok := nt.Underlying().(*types.Struct); ok {
			for i := 0; i < st.NumFields(); i++ {
				if st.Field(i).Exported() {
					exported[st.Field(i).Name()] = true
				}
			}
		}
	}
	kept := fields[:0]
	for _, f := range fields {
		if !exported["X"+f] {
			kept = append(kept, strconv.Quote(f))
		}
	}
	fields = kept
	return "__godl.GoSyntax(", fmt.Sprintf(", []any{%s}, []string{%s}, []string{%s})", strings.Join(samples, ", "), strings.Join(names, ", "), strings.Join(fields, ", ")), true
}

// renamedFields returns the unexported field names of the cell structs
// (and struct literal types of cells) inside t, as yaegi renames them.
func renamedFields(t types.Type) []string {
	names := map[string]bool{}
	eachPart(t, func(t types.Type) {
		if st, ok := t.Underlying().(*types.Struct); ok {
			for i := 0; i < st.NumFields(); i++ {
				if f := st.Field(i); !f.Exported() && f.Pkg() != nil && f.Pkg().Path() == "main" {
					names[f.Name()] = true
				}
			}
		}
	})
	var out []string
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// eachPart calls visit for t and, once each, for the types a value of
// type t holds through pointers, slices, arrays, maps and struct fields
// (of named types too), down to 6 levels.
func eachPart(t types.Type, visit func(types.Type)) {
	seen := map[types.Type]bool{}
	var walk func(t types.Type, depth int)
	walk = func(t types.Type, depth int) {
		if t == nil || depth > 6 || seen[t] {
			return
		}
		seen[t] = true
		visit(t)
		switch u := t.Underlying().(type) {
		case *types.Pointer:
			walk(u.Elem(), depth+1)
		case *types.Slice:
			walk(u.Elem(), depth+1)
		case *types.Array:
			walk(u.Elem(), depth+1)
		case *types.Map:
			walk(u.Key(), depth+1)
			walk(u.Elem(), depth+1)
		case *types.Struct:
			for i := 0; i < u.NumFields(); i++ {
				walk(u.Field(i).Type(), depth+1)
			}
		}
	}
	walk(t, 0)
}

// goFieldsCode returns the texts to insert around a %+v or %#v print
// argument of static type t; ok is false when t has no renamed fields.
func goFieldsCode(t types.Type) (pre, post string, ok bool) {
	if t == nil || types.IsInterface(t) || fmtMethodsStatic(t) {
		return "", "", false
	}
	names := renamedFields(t)
	if len(names) == 0 {
		return "", "", false
	}
	goName := ""
	nt := t
	if p, ok := t.(*types.Pointer); ok {
		nt = p.Elem()
	}
	if n, ok := types.Unalias(nt).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "main" && n.TypeArgs().Len() == 0 {
		goName = "main." + n.Obj().Name()
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	return "__godl.GoFields(", fmt.Sprintf(", []string{%s}, %q)", strings.Join(quoted, ", "), goName), true
}

// compiledIfaceCode returns the texts to insert around a print argument
// of static type t, a compiled interface without String or Error whose
// dynamic value may be a cell value in yaegi's wrapper (see IfaceValue).
func compiledIfaceCode(pkg *types.Package, t types.Type) (pre, post string, ok bool) {
	it, isIface := t.Underlying().(*types.Interface)
	if !isIface || it.Empty() || cellInterface(t) || fmtMethodsStatic(t) || pkg == nil {
		return "", "", false
	}
	// Only when a cell type implements it.
	for _, name := range pkg.Scope().Names() {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || types.IsInterface(tn.Type()) {
			continue
		}
		if types.Implements(tn.Type(), it) || types.Implements(types.NewPointer(tn.Type()), it) {
			return "__godl.IfaceValue(", ")", true
		}
	}
	return "", "", false
}

// finalIfaceValue passes a cell's final value of a compiled interface
// type that a cell type implements through IfaceValue: the Out value of
// var r io.Reader = R{3} showed 3, yaegi's wrapper's only field.
func (lw *lowering) finalIfaceValue() {
	es := cellFinalStmt(lw.c)
	if es == nil {
		return
	}
	tv, ok := lw.c.info.Types[es.X]
	if !ok || !tv.IsValue() || tv.Type == nil {
		return
	}
	pre, post, ok := compiledIfaceCode(lw.c.pkg, tv.Type)
	if _, ident := ast.Unparen(es.X).(*ast.Ident); !ok && !ident && isEmptyIface(tv.Type) {
		// An element of a map or slice of any (r[1]) showed
		// without String ({1 }): the show code's type switch
		// does not match it. Variables work (and keep their
		// renderer methods).
		pre, post, ok = anyPrintArgCode(lw, es.X.Pos())
		// Not a call: a final call's nil result shows nothing
		// (<nil> before).
		if _, call := ast.Unparen(es.X).(*ast.CallExpr); !call {
			pre = "*__godl.UnwrapPtr(" + strings.TrimPrefix(pre, "__godl.UnwrapWith(")
		}
	}
	if ok {
		lw.insert(es.X.Pos(), pre)
		lw.insert(es.X.End(), post)
	}
}

// %T of cell types. fmt prints the reflect type of an interpreted value
// (struct { Xs float64 } for main.SS), and no wrapper can change what %T
// prints. When the format is a string literal and the argument, used by
// that %T only, has a static cell type (not an interface), the verb
// becomes %s and the argument the Go type name, still evaluated:
//
//	fmt.Printf("%T\n", x)  ->  fmt.Printf("%s\n", func(SS) string { return "main.SS" }(x))

// typeVerb rewrites the %T of argument i (call.Args[i]; the format is
// call.Args[fixed-1]) as above, if it can.
func (lw *lowering) typeVerb(call *ast.CallExpr, fixed, i int) {
	lit, ok := ast.Unparen(call.Args[fixed-1]).(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING || call.Ellipsis.IsValid() {
		return
	}
	t := lw.c.info.TypeOf(call.Args[i])
	if t == nil {
		return
	}
	fn := ""
	if _, param := types.Unalias(t).(*types.TypeParam); types.IsInterface(t) || param {
		// The dynamic type, found by a type switch in the
		// interpreter (see typeNameSwitch).
		if param {
			t = types.NewInterfaceType(nil, nil)
		}
		generic := lw.inGeneric(call)
		if generic {
			lw.needImports["fmt"] = true
		}
		if fn = typeNameSwitch(lw.c.pkg, t, call.Args[i].Pos(), generic); fn == "" {
			return
		}
	} else {
		name, ok := staticTypeName(t)
		if !ok {
			return
		}
		ts, ok := lw.typeString(t, call.Args[i].Pos())
		if !ok {
			return
		}
		fn = "func(" + ts + ") string { return " + strconv.Quote(name) + " }"
	}
	at, uses := -1, 0
	for off, arg := range printfVerbOffsets(lit.Value) {
		if arg == i-fixed {
			at, uses = off, uses+1
		}
	}
	if uses != 1 || at < 0 || lit.Value[at] != 'T' {
		return
	}
	lw.add(lit.Pos()+token.Pos(at), lit.Pos()+token.Pos(at+1), "s")
	lw.insert(call.Args[i].Pos(), fn+"(")
	lw.insert(call.Args[i].End(), ")")
}

// sharedTypeVerbs handles %T of arguments of static cell types that
// other verbs use too (%T|%v of x, x via %[1]T): the argument cannot be
// replaced by its type name, so the name is appended as a constant
// argument, the %T becomes %[k]s of it, and the verbs after it get
// explicit indexes (fmt continues after an explicit one). Not with *
// widths (their arguments would need indexes too).
func (lw *lowering) sharedTypeVerbs(call *ast.CallExpr, fixed int, verbs map[int]string) {
	lit, ok := ast.Unparen(call.Args[fixed-1]).(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING || call.Ellipsis.IsValid() {
		return
	}
	names := map[int]string{}
	for arg, vs := range verbs {
		if !strings.Contains(vs, "T") || vs == "T" || fixed+arg >= len(call.Args) {
			continue
		}
		if name, ok := staticTypeName(lw.c.info.TypeOf(call.Args[fixed+arg])); ok {
			names[arg] = name
		}
	}
	if len(names) == 0 {
		return
	}
	dirs := scanPrintf(lit.Value)
	for _, d := range dirs {
		if len(d.stars) > 0 {
			return
		}
	}
	n := len(call.Args) - fixed // arguments after the format
	extra := map[int]int{}      // argument -> index of its appended name
	var tail strings.Builder
	explicit := false
	for _, d := range dirs {
		if d.verb == '%' {
			continue
		}
		at := lit.Pos() + token.Pos(d.off)
		if name, ok := names[d.arg]; ok && d.verb == 'T' {
			k, seen := extra[d.arg]
			if !seen {
				n++
				k = n
				extra[d.arg] = k
				tail.WriteString(", " + strconv.Quote(name))
			}
			if lit.Value[d.off-1] == ']' {
				// Its own explicit index: replace it.
				if j := strings.LastIndexByte(lit.Value[:d.off], '['); j >= 0 {
					at = lit.Pos() + token.Pos(j)
				}
			}
			lw.add(at, lit.Pos()+token.Pos(d.off+1), fmt.Sprintf("[%d]s", k))
			explicit = true
			continue
		}
		if explicit && lit.Value[d.off-1] != ']' {
			lw.insert(at, fmt.Sprintf("[%d]", d.arg+1))
		}
	}
	lw.insert(call.Args[len(call.Args)-1].End(), tail.String())
}

// staticTypeName returns the Go name %T prints for a value of static
// type t, which involves cell types, when the %T rewrites can write it:
// not an interface nor holding one (left to the print-argument
// rewrites, fmtargs.go), simply spelt.
func staticTypeName(t types.Type) (string, bool) {
	if t == nil || types.IsInterface(t) || !involvesCellType(t) {
		return "", false
	}
	if _, ok := nestedIfaces(t); ok {
		return "", false
	}
	if _, ok := simpleSpelling(t); !ok {
		return "", false
	}
	return goTypeName(t), true
}

// goTypeName spells t as %T prints it: qualified by package names.
func goTypeName(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

// typeNameSwitch returns a func literal giving the Go name of the
// dynamic type of a value of interface type iface at pos: comma-ok type
// assertions to the cell types that implement iface (fmt's %T printed
// reflect's struct { Xs float64 } for a main.SS in an any; a type switch
// there missed methodless types), else __godl.TypeName (fmt in a
// generic body, where a host call makes yaegi skip the body). "" when no
// cell type implements iface.
func typeNameSwitch(pkg *types.Package, iface types.Type, pos token.Pos, generic bool) string {
	if pkg == nil {
		return ""
	}
	cands := cellTypesAt(pkg, pos)
	// yaegi cannot tell methodless types of the same underlying type
	// apart (P and Q struct{ A int }; Celsius and float64): such a value
	// gets a name that says so.
	twins := func(nt *types.Named) []string {
		if types.NewMethodSet(nt).Len() > 0 || types.NewMethodSet(types.NewPointer(nt)).Len() > 0 {
			return nil
		}
		var out []string
		if b, ok := nt.Underlying().(*types.Basic); ok {
			out = append(out, b.Name())
		}
		for _, o := range cands {
			if o != nt && types.NewMethodSet(types.NewPointer(o)).Len() == 0 && types.Identical(o.Underlying(), nt.Underlying()) {
				out = append(out, "main."+o.Obj().Name())
			}
		}
		return out
	}
	// Values of types with methods: a type switch without guard
	// variable matches them by their own type. Others and pointers:
	// comma-ok assertions (the switch missed methodless types).
	var switched, cases []string
	for _, nt := range cands {
		name := nt.Obj().Name()
		for _, c := range []types.Type{nt, types.NewPointer(nt)} {
			if !types.AssignableTo(c, iface) {
				continue
			}
			spell := name
			_, ptr := c.(*types.Pointer)
			if ptr {
				spell = "*" + name
			}
			goName := strings.Replace(spell, name, "main."+name, 1)
			switch tw := twins(nt); {
			case !ptr && types.NewMethodSet(nt).Len() > 0:
				switched = append(switched, "case "+spell+": return "+strconv.Quote(goName))
				continue
			case !ptr && len(tw) > 0:
				goName = "<main." + name + " or " + strings.Join(tw, " or ") + ": the Go interpreter (yaegi) cannot tell types of the same structure without methods apart; give the type a method>"
			case ptr && len(structTwins(cands, nt)) > 0:
				goName = pointerTwinsNote(name, structTwins(cands, nt))
			}
			cases = append(cases, "if _, __godl_ok := __godl_t.("+spell+"); __godl_ok { return "+strconv.Quote(goName)+" }; ")
		}
	}
	if len(switched) == 0 && len(cases) == 0 {
		return ""
	}
	sw := ""
	if len(switched) > 0 {
		sw = "switch __godl_t.(type) { " + strings.Join(switched, "; ") + " }; "
	}
	fallback := "__godl.TypeName(__godl_t)"
	if generic {
		// Not __godl_fmt: yaegi skips a generic body that names the
		// session's imports (as one that calls the host).
		fallback = "fmt.Sprintf(\"%T\", __godl_t)"
	}
	return "func(__godl_t any) string { if __godl_t == nil { return \"<nil>\" }; " + sw + strings.Join(cases, "") + "return " + fallback + " }"
}

// printfVerbOffsets maps the offset of each verb in format (a format's
// source text) to the index of its argument; a * width or precision, which
// takes an argument too, is keyed by -1-offset.
func printfVerbOffsets(format string) map[int]int {
	out := map[int]int{}
	for _, d := range scanPrintf(format) {
		for _, st := range d.stars {
			out[-1-st.off] = st.arg
		}
		if d.verb != '%' {
			out[d.off] = d.arg
		}
	}
	return out
}

// unmoved converts a value hoist could not move in place, through a
// func literal whose parameter is the copy and which returns it from a
// variable of the interface type (a value returned straight as an
// empty interface lost its methods; from a variable it keeps them):
//
//	for i := 0; i < n; q = v { … }  ->  … q = func(__godl_v V) any { var __godl_w any = __godl_v; return __godl_w }(v) …
//
// (a call per evaluation, ~1 µs, where a moved value costs a variable).
func (h *hoister) unmoved(s convSite) {
	lw := h.lw
	ts, ok := lw.typeString(lw.c.info.TypeOf(s.e), s.e.Pos())
	if !ok || s.iface == "" {
		return
	}
	pre := "func(__godl_v " + ts + ") " + s.iface + " { var __godl_w " + s.iface + " = __godl_v; return __godl_w }("
	if call, ok := s.explicit.(*ast.CallExpr); ok {
		lw.add(call.Fun.Pos(), call.Lparen+1, pre)
		return
	}
	lw.insert(s.e.Pos(), pre)
	lw.insertInner(s.e.End(), ")")
}

// inLoop tells whether n is in the body, condition or post statement of
// a loop of its function.
func (lw *lowering) inLoop(n ast.Node) bool {
	child := n
	for p := lw.parents[n]; p != nil; child, p = p, lw.parents[p] {
		switch p := p.(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return false
		case *ast.ForStmt:
			if child != p.Init {
				return true
			}
		case *ast.RangeStmt:
			if child == p.Body {
				return true
			}
		}
	}
	return false
}

// genericHostCalls fails the cell when a rewrite put a call of the
// session's own packages (__godl, __godl_fmt) in a generic body: yaegi
// v0.16.1 silently skips such a body (the func returns zero values,
// its callers fail with "index out of range"). The rewrites avoid
// them there; this is the net for one that does not.
func (lw *lowering) genericHostCalls() {
	for _, d := range lw.c.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil || !genericFunc(fd) {
			continue
		}
		from, to := lw.off(fd.Body.Pos()), lw.off(fd.Body.End())
		for _, e := range lw.edits {
			if e.start >= from && e.end <= to && (strings.Contains(e.text, "__godl.") || strings.Contains(e.text, "__godl_fmt.")) {
				lw.errorf(fd.Name.Pos(), "godl cannot run this generic function in the Go interpreter (yaegi): a rewrite godl needs here would make yaegi skip its body; please report it, and move the body's work to a non-generic function")
				break
			}
		}
	}
}

// structTwins returns the names (main.X) of the types of cands other
// than nt with nt's underlying type.
func structTwins(cands []*types.Named, nt *types.Named) []string {
	var out []string
	for _, o := range cands {
		if o != nt && types.Identical(o.Underlying(), nt.Underlying()) {
			out = append(out, "main."+o.Obj().Name())
		}
	}
	return out
}

// pointerTwinsNote is what prints for a pointer to the cell type name
// whose structure the cell types twins (main.X) share.
func pointerTwinsNote(name string, twins []string) string {
	return "<*main." + name + " or *" + strings.Join(twins, " or *") + ": the Go interpreter (yaegi) cannot tell pointers to types of the same structure apart; give one of them a different field>"
}

// genericStringer returns a func literal for a print argument in a
// generic body (no host calls there) that gives the String or Error
// result of a value of a cell type with one, the value itself
// otherwise: a type switch without guard variable, and comma-ok
// assertions for pointers (the switch missed a *V converted from a
// type parameter), but not to pointers to types whose structure another
// cell type shares (the assertion matches either). "" when no cell type
// has String or Error.
func genericStringer(pkg *types.Package, pos token.Pos) string {
	if pkg == nil {
		return ""
	}
	cands := cellTypesAt(pkg, pos)
	var cases, ptrs []string
	for _, nt := range cands {
		name := nt.Obj().Name()
		for _, c := range []types.Type{nt, types.NewPointer(nt)} {
			method := textMethod(c)
			if method == "" {
				continue
			}
			if _, ptr := c.(*types.Pointer); ptr {
				cases = append(cases, "case *"+name+": return __godl_sv.(*"+name+")."+method+"()")
				if twins := structTwins(cands, nt); len(twins) == 0 {
					ptrs = append(ptrs, "if __godl_p, __godl_ok := __godl_sv.(*"+name+"); __godl_ok { return __godl_p."+method+"() }; ")
				} else {
					// The assertion matches a pointer to any twin: say so
					// rather than print &{…} (workaround_hidden.go).
					note := pointerTwinsNote(name, twins)
					ptrs = append(ptrs, "if _, __godl_ok := __godl_sv.(*"+name+"); __godl_ok { return "+strconv.Quote(note)+" }; ")
				}
				continue
			}
			cases = append(cases, "case "+name+": return __godl_sv.("+name+")."+method+"()")
		}
	}
	// Types of later cells: the session's __godl_str, which cells that
	// call generic code set (genericStr); its text may hold %+v's after
	// a NUL (withContainers).
	sw := ""
	if len(cases) > 0 {
		sw = "switch __godl_sv.(type) { " + strings.Join(cases, "; ") + " }; "
	}
	return "func(__godl_sv any) any { " + sw + strings.Join(ptrs, "") + "if __godl_str != nil { if __godl_s, __godl_ok := __godl_str(__godl_sv); __godl_ok { for __godl_i := 0; __godl_i < len(__godl_s); __godl_i++ { if __godl_s[__godl_i] == 0 { return __godl_s[:__godl_i] } }; return __godl_s } }; return __godl_sv }"
}

// genericStr sets the session's __godl_str to the type switch over every
// cell type with String or Error before the first top-level statement
// of a cell that calls generic code: a generic body's print arguments
// fall back to it (genericStringer) for types declared after the body's
// cell (Show[T] of cell 1 printed {2} for an Oops of cell 2; a print of
// such a value in a generic method made yaegi fail "index out of
// range").
func (lw *lowering) genericStr() {
	calls := false
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if _, inst := lw.c.info.Instances[n]; inst {
				calls = true
			}
		case *ast.SelectorExpr:
			if genericMethod(lw.c.info.Selections[n]) {
				calls = true
			}
		}
		return !calls
	})
	if !calls && !lw.indirectGeneric() { // workaround_hidden.go
		return
	}
	var first ast.Node
	for _, d := range lw.c.file.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			for _, sp := range d.Specs {
				if vs, ok := sp.(*ast.ValueSpec); ok && len(vs.Values) > 0 && (first == nil || d.Pos() < first.Pos()) {
					first = d
				}
			}
		case *ast.FuncDecl:
			if d.Name.Name == "_godlCell" && d.Recv == nil && d.Body != nil && len(d.Body.List) > 0 && (first == nil || d.Body.List[0].Pos() < first.Pos()) {
				first = d.Body.List[0]
			}
		}
	}
	if first == nil {
		return
	}
	any := []types.Type{types.NewInterfaceType(nil, nil)}
	cb := withContainers(lw, stringerSwitch(lw.c.pkg, any, first.Pos()), any, first.Pos())
	if cb == "" {
		return
	}
	if gd, ok := first.(*ast.GenDecl); ok {
		if di, ok := lw.c.m.defines[lw.off(gd.Pos())]; ok {
			lw.editOrig(di.start, di.start, "__godl_str = "+cb+"; ")
			return
		}
	}
	lw.insert(first.Pos(), "__godl_str = "+cb+"; ")
}

// genericMethod tells whether sel selects a method of an instance of a
// generic type.
func genericMethod(sel *types.Selection) bool {
	if sel == nil || sel.Kind() == types.FieldVal {
		return false
	}
	recv := sel.Recv()
	if p, ok := recv.(*types.Pointer); ok {
		recv = p.Elem()
	}
	nt, ok := types.Unalias(recv).(*types.Named)
	return ok && nt.TypeArgs().Len() > 0
}

// numericVerbArg passes a print argument of a cell type with a String
// or Error method, formatted only with verbs fmt does not format through
// those methods (%d, %.2f, %e …), as its underlying type: yaegi hands
// compiled fmt such a value as a wrapper struct with the methods as
// func fields (%.2f of a Temp printed {5.00 %!f(func() string=0x535b20)},
// %d of a Level {1 5462816}), where Go formats the value itself. It
// tells whether it did.
func (lw *lowering) numericVerbArg(a ast.Expr, verbs string) bool {
	if strings.Trim(verbs, "vsqxX") == "" || strings.ContainsAny(verbs, "Tpw") {
		return false
	}
	// Used with string verbs too (%[1]v %[1]d): a host value that
	// formats the method's text for those, the underlying value for
	// the others (textValue in unwrap.go).
	mixed := strings.ContainsAny(verbs, "vsqxX")
	tv, ok := lw.c.info.Types[a]
	if !ok || !tv.IsValue() || tv.Type == nil || types.IsInterface(tv.Type) {
		return false
	}
	t := tv.Type
	ptr := false
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t, ptr = p.Elem(), true
	}
	nt, ok := types.Unalias(t).(*types.Named)
	if !ok || nt.Obj().Pkg() == nil || nt.Obj().Pkg().Path() != "main" || types.IsInterface(nt) {
		return false
	}
	// yaegi wraps a value whose pointer has the methods too.
	ms := types.NewMethodSet(types.NewPointer(nt))
	if niladic(ms, "String") != "string" && niladic(ms, "Error") != "string" || ms.Lookup(nil, "Format") != nil {
		return false
	}
	u := nt.Underlying()
	if _, isPtr := u.(*types.Pointer); isPtr {
		return false
	}
	us, ok := lw.typeString(u, a.Pos())
	if !ok {
		return false
	}
	if ptr {
		us = "*" + us
	}
	if mixed {
		own := types.NewMethodSet(tv.Type)
		method := "String"
		if niladic(own, "Error") == "string" {
			method = "Error"
		} else if niladic(own, "String") != "string" {
			return false
		}
		ts, ok := lw.typeString(tv.Type, a.Pos())
		if !ok {
			return false
		}
		lw.insert(a.Pos(), "func(__godl_v "+ts+") any { return __godl.TextValue(("+us+")(__godl_v), __godl_v."+method+"()) }(")
		lw.insert(a.End(), ")")
		return true
	}
	lw.insert(a.Pos(), "("+us+")(")
	lw.insert(a.End(), ")")
	return true
}

// Unexported fields of cell structs are exported in yaegi's reflect
// type (s becomes Xs, see GoFields): encoding/json and encoding/xml
// wrote them ({"Xsecret":7}) and filled them from such keys. The
// lowering tags each unexported field of a cell's struct types
// `json:"-" xml:"-"` (added to a tag it has, unless that names json or
// xml already), which those packages skip, as Go skips the field.
func (lw *lowering) unexportedTags() {
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		st, ok := n.(*ast.StructType)
		if !ok || st.Fields == nil {
			return true
		}
		for _, f := range st.Fields.List {
			if len(f.Names) == 0 {
				continue // embedded
			}
			unexported := false
			for _, id := range f.Names {
				if !id.IsExported() && id.Name != "_" {
					unexported = true
				}
			}
			if !unexported {
				continue
			}
			const add = `json:"-" xml:"-"`
			if mixed := len(f.Names) > 1 && mixedNames(f); mixed {
				// A, b int: one field per name, the tag on b's.
				typ, ok := lw.takeText(f.Type)
				if !ok || f.Tag != nil || strings.Contains(typ, "\n") {
					continue
				}
				var parts []string
				for _, id := range f.Names {
					part := id.Name + " " + typ
					if !id.IsExported() && id.Name != "_" {
						part += " `" + add + "`"
					}
					parts = append(parts, part)
				}
				lw.add(f.Names[0].Pos(), f.Type.End(), strings.Join(parts, "; "))
				continue
			}
			if f.Tag == nil {
				lw.insert(f.Type.End(), " `"+add+"`")
				continue
			}
			tag, err := strconv.Unquote(f.Tag.Value)
			if err != nil || strings.Contains(tag, "`") {
				continue
			}
			rt := reflect.StructTag(tag)
			if _, ok := rt.Lookup("json"); ok {
				continue
			}
			if _, ok := rt.Lookup("xml"); ok {
				continue
			}
			lw.add(f.Tag.Pos(), f.Tag.End(), "`"+strings.TrimSpace(tag+" "+add)+"`")
		}
		return true
	})
}

// mixedNames tells whether the names of field f are some exported, some
// not.
func mixedNames(f *ast.Field) bool {
	exp, unexp := false, false
	for _, id := range f.Names {
		if id.IsExported() {
			exp = true
		} else if id.Name != "_" {
			unexp = true
		}
	}
	return exp && unexp
}

// cellPointer tells whether t is a pointer to a cell type with methods
// (yaegi's wrapper for a compiled interface aliases those too).
func cellPointer(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return false
	}
	nt, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && nt.Obj().Pkg() != nil && nt.Obj().Pkg().Path() == "main" && types.NewMethodSet(t).Len() > 0
}

// genericClash fails a cell that declares a generic func and a method
// of a generic type of the same name (or one of them when the session
// has the other): yaegi v0.16.1 resolves the func to the method once
// the method is instantiated (Box[int]{}.Show() then Show(xs) failed
// with "too many arguments" or "index out of range").
func (lw *lowering) genericClash() {
	declares := false
	for _, d := range lw.c.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name != "_godlCell" && genericFunc(fd) {
			declares = true
		}
	}
	if !declares {
		return // the clash needs a generic func or method of this cell
	}
	funcs, methods := genericNames(lw.c.pkg.Scope())
	// Earlier cells' funcs (the check's scope has only those the cell
	// names).
	for name, o := range lw.env {
		if f, ok := o.(*types.Func); ok && lw.c.pkg.Scope().Lookup(name) == nil {
			if sig, ok := f.Type().(*types.Signature); ok && sig.TypeParams().Len() > 0 {
				funcs[name] = true
			}
		}
	}
	lw.reportClash(funcs, methods)
}

// genericNames returns the names of the generic funcs of scope, and of
// the methods of its generic types (with their type's name).
func genericNames(scope *types.Scope) (funcs map[string]bool, methods map[string]string) {
	funcs, methods = map[string]bool{}, map[string]string{}
	for _, name := range scope.Names() {
		switch o := scope.Lookup(name).(type) {
		case *types.Func:
			if sig, ok := o.Type().(*types.Signature); ok && sig.TypeParams().Len() > 0 {
				funcs[name] = true
			}
		case *types.TypeName:
			if nt, ok := o.Type().(*types.Named); ok && nt.TypeParams().Len() > 0 {
				for i := 0; i < nt.NumMethods(); i++ {
					methods[nt.Method(i).Name()] = name
				}
			}
		}
	}
	return funcs, methods
}

// reportClash reports the cell's declarations that clash (genericClash).
func (lw *lowering) reportClash(funcs map[string]bool, methods map[string]string) {
	for _, d := range lw.c.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name == "_godlCell" {
			continue
		}
		name := fd.Name.Name
		switch {
		case fd.Recv == nil && funcs[name] && methods[name] != "":
			lw.errorf(fd.Name.Pos(), "the Go interpreter (yaegi) confuses the generic function %s with the method %s of the generic type %s: give one of them another name", name, name, methods[name])
		case fd.Recv != nil && genericRecv(fd) && funcs[name]:
			lw.errorf(fd.Name.Pos(), "the Go interpreter (yaegi) confuses the method %s of a generic type with the generic function %s: give one of them another name", name, name)
		}
	}
}

// emptySwitches gives a switch without clauses a default clause: yaegi
// v0.16.1 evaluated neither the init statement nor the tag of
// `switch f() {}` (Go calls f).
func (lw *lowering) emptySwitches() {
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		if sw, ok := n.(*ast.SwitchStmt); ok && len(sw.Body.List) == 0 && (sw.Init != nil || sw.Tag != nil) {
			lw.insert(sw.Body.Lbrace+1, "default:")
		}
		return true
	})
}

// methodValues binds a copy of the receiver when a method value is
// made (g := v.Get): yaegi read the receiver when the method value was
// called, so g() after v.A = 5 saw 5 (Go binds a copy for a value
// receiver, and the interface value for an interface's method). The
// receiver goes through a func literal's parameter:
//
//	g := v.Get  ->  g := func(__godl_r P) func() int { return __godl_r.Get }(v)
func (lw *lowering) methodValues() {
	info := lw.c.info
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		s := info.Selections[sel]
		if s == nil || s.Kind() != types.MethodVal {
			return true
		}
		if call, ok := lw.parents[sel].(*ast.CallExpr); ok && ast.Unparen(call.Fun) == sel {
			return true // called at once
		}
		if p, ok := lw.parents[sel].(*ast.ParenExpr); ok {
			if call, ok := lw.parents[p].(*ast.CallExpr); ok && call.Fun == p {
				return true
			}
		}
		rt := info.TypeOf(sel.X)
		if rt == nil || lw.inGeneric(sel) {
			return true
		}
		if _, ptr := rt.Underlying().(*types.Pointer); ptr {
			return true
		}
		sig, ok := s.Obj().Type().(*types.Signature)
		if !ok || sig.Recv() == nil {
			return true
		}
		if _, ptrRecv := sig.Recv().Type().(*types.Pointer); ptrRecv && !types.IsInterface(rt) {
			return true // bound to &v: later changes show, as in Go
		}
		rs, ok1 := lw.typeString(rt, sel.Pos())
		ms, ok2 := lw.typeString(info.TypeOf(sel), sel.Pos())
		if !ok1 || !ok2 || strings.Contains(lw.text(sel.X), "\n") {
			return true
		}
		from, to := lw.off(sel.Pos()), lw.off(sel.End())
		for _, e := range lw.edits {
			if e.end > e.start && e.start < to && e.end > from {
				return true // text another rewrite replaced or moved
			}
		}
		lw.insert(sel.Pos(), "func(__godl_r "+rs+") "+ms+" { return __godl_r."+sel.Sel.Name+" }(")
		lw.add(sel.X.End(), sel.End(), ")")
		return true
	})
}

// ifaceEquality compares interface values that may hold cell values
// with methods by their dynamic types and values: yaegi compared the
// valueInterfaces it keeps for them by the expression that made each,
// so two any holding V{1} were unequal (var a, b any = V{1}, V{1};
// a == b was false). A type switch without guard variable finds each
// operand's own type:
//
//	a == b  ->  func(__godl_a, __godl_b any) bool { switch __godl_a.(type) { case V: switch __godl_b.(type) { case V: return __godl_a.(V) == __godl_b.(V) }; return false }; return __godl_a == __godl_b }(a, b)
//
// Only for empty interfaces and interfaces of cells (error and other
// compiled interfaces hold yaegi's wrappers), not for comparisons with
// nil, and for the comparable cell types that may be inside.
func (lw *lowering) ifaceEquality() {
	info := lw.c.info
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		be, ok := n.(*ast.BinaryExpr)
		if !ok || be.Op != token.EQL && be.Op != token.NEQ || lw.inGeneric(be) {
			return true
		}
		xt, yt := info.Types[be.X], info.Types[be.Y]
		if xt.Type == nil || yt.Type == nil || xt.IsNil() || yt.IsNil() {
			return true
		}
		if !types.IsInterface(xt.Type) || !types.IsInterface(yt.Type) || compiledIface(xt.Type) || compiledIface(yt.Type) {
			return true
		}
		for _, t := range []types.Type{xt.Type, yt.Type} {
			if _, param := types.Unalias(t).(*types.TypeParam); param {
				return true
			}
		}
		var cases []string
		for _, nt := range cellTypesAt(lw.c.pkg, be.Pos()) {
			if types.NewMethodSet(nt).Len() == 0 || !types.Comparable(nt) || !types.AssignableTo(nt, xt.Type) || !types.AssignableTo(nt, yt.Type) {
				continue
			}
			name := nt.Obj().Name()
			cases = append(cases, "case "+name+": switch __godl_b.(type) { case "+name+": return __godl_a.("+name+") == __godl_b.("+name+") }; return false")
		}
		if len(cases) == 0 {
			return true
		}
		if strings.Contains(lw.text(be), "\n") {
			return true
		}
		from, to := lw.off(be.Pos()), lw.off(be.End())
		for _, e := range lw.edits {
			if e.end > e.start && e.start < to && e.end > from && !(e.start >= from && e.end <= to) {
				return true // straddles another rewrite
			}
		}
		not := ""
		if be.Op == token.NEQ {
			not = "!"
		}
		lw.insert(be.Pos(), not+"func(__godl_a, __godl_b any) bool { switch __godl_a.(type) { "+strings.Join(cases, "; ")+" }; return __godl_a == __godl_b }(")
		lw.add(be.OpPos, be.OpPos+token.Pos(len(be.Op.String())), ",")
		lw.insertInner(be.End(), ")")
		return true
	})
}

// cellTypesAt returns the cell's named types usable at pos, by name: not
// generic, not interfaces, not aliases, not the lowering's own (_godl…),
// and not shadowed there.
func cellTypesAt(pkg *types.Package, pos token.Pos) []*types.Named {
	scope := pkg.Scope().Innermost(pos)
	if scope == nil {
		scope = pkg.Scope()
	}
	var named []*types.Named
	for _, name := range pkg.Scope().Names() { // sorted
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || strings.HasPrefix(name, "_godl") || strings.HasPrefix(name, "__godl") {
			continue
		}
		nt, ok := tn.Type().(*types.Named)
		if !ok || nt.TypeParams().Len() != 0 || types.IsInterface(nt) {
			continue
		}
		if _, o := scope.LookupParent(name, pos); o == tn {
			named = append(named, nt)
		}
	}
	return named
}

// textMethod names the method fmt prints a value of type t with: "Error"
// or "String" (niladic, returning string), or "".
func textMethod(t types.Type) string {
	ms := types.NewMethodSet(t)
	switch {
	case niladic(ms, "Error") == "string":
		return "Error"
	case niladic(ms, "String") == "string":
		return "String"
	}
	return ""
}
