package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// Assignments of several values at once that put a value into an
// interface variable. yaegi v0.16.1 assigns them through temporaries of
// the wrong type: a value of a cell type with methods lost them
// (q, r = V{1}, V{2} printed {1}), and an interface value holding one, or
// an untyped nil, panicked ("reflect.Set: value of type interface {} is
// not assignable to type interp.valueInterface" for q, r = r, q with two
// `any` variables; "New(nil)" for any untyped nil: s, k = nil, 1). The
// lowering assigns
// them one at a time from fresh variables that first take every value
// (Go evaluates all the values, then assigns):
//
//	q, r = V{1}, r      ->  { _g2_1t := V{1}; var _g2_2t any = r; q = _g2_1t; r = _g2_2t }
//	q, r = two()        ->  { _g2_1t, _g2_2t := two(); q = _g2_1t; r = _g2_2t }
//	var a, b any = x, nil  (a cell's top level)
//	                    ->  var a any; var b any; { _g2_1t := x; var _g2_2t any = nil; a = _g2_1t; b = _g2_2t }
//
// The assigned expressions move after the values: only when that keeps
// their meaning (identifiers, or selectors and indexes without calls that
// do not read a variable the statement assigns). Other such statements
// (and those in if/for/switch headers) fail with a message that says to
// assign the values one at a time.

// multiSplit is an assignment of several values to split.
type multiSplit struct {
	st    ast.Node   // *ast.AssignStmt, or a top-level *ast.GenDecl
	lhs   []ast.Expr // the assigned expressions (AssignStmt)
	lhsT  []types.Type
	rhs   []ast.Expr
	tuple bool // one call giving several values
}

// needsSplit tells whether assigning rhs (one value per target, or one
// call giving them all) to targets of types lhsT (nil: a new variable or
// _) goes wrong in yaegi (see above).
func (lw *lowering) needsSplit(lhsT []types.Type, rhs []ast.Expr) (tuple, ok bool) {
	if len(lhsT) < 2 {
		return false, false
	}
	var rts []types.Type
	switch {
	case len(rhs) == len(lhsT):
		for _, r := range rhs {
			tv, ok := lw.c.info.Types[r]
			if !ok || tv.Type == nil {
				return false, false
			}
			if tv.IsNil() {
				rts = append(rts, nil)
			} else {
				rts = append(rts, tv.Type)
			}
		}
	case len(rhs) == 1:
		tu, ok := lw.c.info.TypeOf(rhs[0]).(*types.Tuple)
		if !ok || tu.Len() != len(lhsT) {
			return false, false
		}
		tuple = true
		for i := 0; i < tu.Len(); i++ {
			rts = append(rts, tu.At(i).Type())
		}
	default:
		return false, false
	}
	for i, lt := range lhsT {
		if !tuple && lt != nil && rts[i] == nil {
			return false, true // a nil of any type: "New(nil)"
		}
		if lt == nil || !types.IsInterface(lt) {
			continue
		}
		if _, param := types.Unalias(lt).(*types.TypeParam); param {
			continue
		}
		rt := rts[i]
		switch {
		case tuple:
			if !types.Identical(rt, lt) && (aliasedInIface(rt) || cellPointer(rt)) {
				return true, true
			}
		case rt == nil || aliasedInIface(rt) || cellPointer(rt):
			// A pointer to a cell type with methods: "reflect.Set:
			// value of type interp.valueInterface is not assignable to
			// type *struct { X int }" (var a, b any = &A{1}, 2).

			return false, true
		case types.IsInterface(rt):
			if _, param := types.Unalias(rt).(*types.TypeParam); !param {
				return false, true
			}
		}
	}
	return false, false
}

// splitPrefixes returns the text that goes before each value of ms: the
// declaration of its fresh variable (or "_ = " for a blank target), and
// the fresh variables (""for a blank target).
func (lw *lowering) splitPrefixes(ms *multiSplit, names []string) (prefixes, temps []string, ok bool) {
	if ms.tuple {
		var ts []string
		for _, n := range names {
			if n == "_" {
				ts = append(ts, "_")
				temps = append(temps, "")
				continue
			}
			t := lw.fresh("t")
			ts = append(ts, t)
			temps = append(temps, t)
		}
		return []string{strings.Join(ts, ", ") + " := "}, temps, true
	}
	for i, r := range ms.rhs {
		if names[i] == "_" {
			prefixes = append(prefixes, "_ = ")
			temps = append(temps, "")
			continue
		}
		t := lw.fresh("t")
		temps = append(temps, t)
		tv := lw.c.info.Types[r]
		lt := ms.lhsT[i]
		if lt == nil || !tv.IsNil() && !isUntyped(tv.Type) && (!types.IsInterface(lt) || aliasedInIface(tv.Type)) {
			prefixes = append(prefixes, t+" := ")
			continue
		}
		ts, ok := lw.typeString(lt, r.Pos())
		if !ok {
			return nil, nil, false
		}
		prefixes = append(prefixes, "var "+t+" "+ts+" = ")
	}
	return prefixes, temps, true
}

// commaBefore returns the position of the comma between values a and b.
func (lw *lowering) commaBefore(a, b ast.Expr) (token.Pos, bool) {
	from, to := lw.off(a.End()), lw.off(b.Pos())
	i := strings.IndexByte(lw.c.m.text[from:to], ',')
	if i < 0 {
		return token.NoPos, false
	}
	return a.End() + token.Pos(i), true
}

// splitValues writes the prefixes before ms's values (in place of the
// commas between them) and returns the assignments from the fresh
// variables to targets (their spellings).
func (lw *lowering) splitValues(ms *multiSplit, prefixes, temps, targets []string) (string, bool) {
	for i := 1; i < len(prefixes); i++ {
		c, ok := lw.commaBefore(ms.rhs[i-1], ms.rhs[i])
		if !ok {
			return "", false
		}
		lw.add(c, c+1, "; "+prefixes[i])
	}
	var as []string
	for i, t := range temps {
		if t != "" {
			as = append(as, targets[i]+" = "+t)
		}
	}
	return "; " + strings.Join(as, "; "), true
}

// splitAssign splits an assignment statement (see above); ok is false
// when it cannot.
func (lw *lowering) splitAssign(ms *multiSplit) bool {
	st := ms.st.(*ast.AssignStmt)
	switch lw.parents[st].(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
	default:
		return false // an if/for/switch header or a select's case
	}
	if cc, ok := lw.parents[st].(*ast.CommClause); ok && cc.Comm == st {
		return false
	}
	if !lw.movableTargets(ms.lhs) {
		return false
	}
	var names, targets []string
	for _, l := range ms.lhs {
		names = append(names, lw.text(l))
	}
	prefixes, temps, ok := lw.splitPrefixes(ms, names)
	if !ok {
		return false
	}
	open := "{ "
	if st.Tok == token.DEFINE {
		// New variables are declared where the statement was.
		open = ""
		for _, l := range ms.lhs {
			id := l.(*ast.Ident)
			if o := lw.c.info.Defs[id]; o != nil && id.Name != "_" {
				ts, ok := lw.typeString(o.Type(), id.Pos())
				if !ok {
					return false
				}
				open += "var " + id.Name + " " + ts + "; "
			}
		}
	}
	for _, l := range ms.lhs {
		text, ok := lw.takeText(l)
		if !ok {
			return false
		}
		targets = append(targets, text)
	}
	tail, ok := lw.splitValues(ms, prefixes, temps, targets)
	if !ok {
		return false
	}
	lw.add(st.Pos(), st.Rhs[0].Pos(), open+prefixes[0])
	if st.Tok != token.DEFINE {
		tail += " }"
	}
	lw.insert(st.End(), tail)
	return true
}

// movableTargets tells whether assigning to lhs after evaluating the
// values keeps the statement's meaning.
func (lw *lowering) movableTargets(lhs []ast.Expr) bool {
	assigned := map[types.Object]bool{}
	for _, l := range lhs {
		if id, ok := ast.Unparen(l).(*ast.Ident); ok {
			if o := lw.c.info.Uses[id]; o != nil {
				assigned[o] = true
			}
		}
	}
	for _, l := range lhs {
		if strings.Contains(lw.text(l), "\n") {
			return false
		}
		if _, ok := ast.Unparen(l).(*ast.Ident); ok {
			continue
		}
		ok := true
		ast.Inspect(l, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr, *ast.FuncLit:
				ok = false
			case *ast.UnaryExpr:
				if n.Op == token.ARROW {
					ok = false
				}
			case *ast.Ident:
				if assigned[lw.c.info.Uses[n]] {
					ok = false
				}
			}
			return ok
		})
		if !ok {
			return false
		}
	}
	return true
}

// splitTop writes a split top-level declaration: head declares its
// variables and opens the block, decls are the declarations of the
// values hoist moved.
func (lw *lowering) splitTop(ms *multiSplit, names []string, head, decls string) (string, bool) {
	prefixes, temps, ok := lw.splitPrefixes(ms, names)
	if !ok {
		return "", false
	}
	tail, ok := lw.splitValues(ms, prefixes, temps, names)
	if !ok {
		return "", false
	}
	lw.insert(ms.rhs[len(ms.rhs)-1].End(), tail+" }")
	return head + "{ " + decls + prefixes[0], true
}

// definedNames returns the names of the cell's top-level "a, b := v"
// di as the cell spells them (the model has _ for those declared before
// in the cell).
func definedNames(src string, di defineItem) []string {
	names := strings.Split(src[di.start:di.assign], ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return names
}

// splitError reports a statement that assigns several values yaegi would
// get wrong and that cannot be split.
func (lw *lowering) splitError(st ast.Node) {
	lw.errorf(st.Pos(), "the Go interpreter (yaegi) gets this assignment of several values wrong (a value put in an interface loses its methods, or it panics): assign the values one at a time")
}

// topSplit records a declaration of several variables at a cell's top
// level whose values yaegi would assign wrong (it assigns them in one
// statement); it tells whether it did.
func (cs *convSites) topSplit(vs *ast.ValueSpec) bool {
	lw := cs.lw
	gd, ok := lw.parents[vs].(*ast.GenDecl)
	if !ok || len(vs.Names) < 2 || gd.Tok != token.VAR || gd.Lparen.IsValid() || len(gd.Specs) != 1 {
		return false
	}
	if _, top := lw.parents[gd].(*ast.File); !top {
		return false
	}
	di, isDefine := lw.c.m.defines[lw.off(gd.Pos())]
	var orig []string
	if isDefine {
		if orig = definedNames(lw.c.m.src, di); len(orig) != len(vs.Names) {
			return false
		}
	}
	lhsT := make([]types.Type, len(vs.Names))
	for i, id := range vs.Names {
		switch {
		case isDefine && di.redeclared[orig[i]]:
			// Assigned, not declared: the model has _ in its place.
			if o, ok := lw.c.pkg.Scope().Lookup(orig[i]).(*types.Var); ok {
				lhsT[i] = o.Type()
			}
		case id.Name != "_":
			if o := lw.c.info.Defs[id]; o != nil {
				lhsT[i] = o.Type()
			}
		}
	}
	tuple, split := lw.needsSplit(lhsT, vs.Values)
	if !split {
		return false
	}
	if lw.hasGenericCall(vs.Values) {
		lw.splitError(gd) // genericInits rewrites it already
		return false
	}
	cs.splits = append(cs.splits, &multiSplit{st: gd, lhsT: lhsT, rhs: vs.Values, tuple: tuple})
	return true
}
