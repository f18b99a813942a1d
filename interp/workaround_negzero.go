package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"
)

// Signed zeros passed to declared funcs. yaegi v0.16.1 does not copy an
// argument that reflect.Value.IsZero calls zero into the callee's frame
// (run.go, "Work around a recursive struct zero interface issue"), and
// IsZero calls -0.0 zero: a float argument -0.0 reached a func declared
// at top level as +0.0 (math.Signbit, 1/x, printing -0). A call through
// a func value goes through reflect, which copies every argument, but
// costs about three times a direct call (1.0 against 0.34 µs here).
// So a statement calling such a func with float or complex arguments is
// guarded: if an argument is zero, the same statement runs with the func
// converted to its own type (a func value; a local variable holding it
// made yaegi panic "reflect.Set: value of type *interp.node"):
//
//	s += f(x)  →  if x == 0 { s += (func(x float64) float64)(f)(x) } else { s += f(x) }
//
// (a comparison per call, nothing measurable). Only where that is a
// plain textual copy: the arguments are side-effect-free expressions of
// variables, fields, elements, constants and arithmetic without inner
// parentheses (evaluated twice: once in the guard),
// the statement is an expression statement, an assignment, a return or
// a definition inside a func, in a statement list, no other rewrite
// touches it, and every other such call inside it is guarded with it.
// An argument that calls (s = f(g(y)), f(math.Min(x, 1))) goes into a
// variable before the statement, guarded itself when it calls a declared
// func, when no call or receive of the statement comes before it but
// those around it (Go orders calls) and it has no func literal, && or ||:
//
//	var h float64; if y == 0 { h = (func…)(g)(y) } else { h = g(y) }; if h == 0 { s = (func…)(f)(h) } else { s = f(h) }
//
// An if condition (no init, not an else-if) whose calls take guardable
// arguments is computed before the if the same way into a bool.
// Every other call that may pass -0 (arguments that call or have
// parentheses, if/for/switch headers, top-level statements run once,
// structs and arrays holding floats, calls in a func literal inside a
// guarded statement) goes through the func value in place:
//
//	if f(g(x)) > 0 {  →  if (func(x float64) float64)(f)(g(x)) > 0 {
//
// In the left operand of && or || a func value's call made yaegi panic
// ("reflect: call of reflect.Value.Bool on int Value"); as the right
// operand of true && it works: (true && ((func…)(f)(x) < 0)) && ok.
// Generic funcs lost the sign as well: their instance goes through its
// func value, (func(v int, x float64) bool)(g[int])(1, x), when the
// lowering spells the type arguments (not type parameters).
// Left alone: calls inside text another rewrite replaces or copies.
// Methods need nothing (yaegi calls them through reflect).

// negZeroCalls guards the statements described above; every other call
// that may pass -0 goes through the func value in place.
func (lw *lowering) negZeroCalls() {
	info := lw.c.info
	type cand struct {
		call *ast.CallExpr
		id   *ast.Ident
		sig  *types.Signature
		st   ast.Stmt  // the statement to guard, or nil: in place
		left bool      // in the left operand of && or ||
		end  token.Pos // of call.Fun without parentheses
		gen  bool      // a generic func: f[int] as the lowering spells it
	}
	var cands []cand
	hoists := map[ast.Stmt][]ast.Expr{}
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		id, fn, targs := cellFuncCall(info, call)
		if fn == nil {
			return true
		}
		sig, ok := fn.Type().(*types.Signature)
		if !ok || sig.Recv() != nil {
			return true
		}
		generic := sig.TypeParams().Len() != 0
		if !generic && targs != nil {
			return true
		}
		if generic {
			// Its instance's func value: (func(x float64))(g[int]).
			in, ok := info.Instances[id]
			if !ok {
				return true
			}
			sig, ok = in.Type.(*types.Signature)
			if !ok {
				return true
			}
			// The lowering spells inferred type arguments out
			// (lower.go) when it can write them. Two or more as a
			// value (g[int, int]) crashed yaegi's compiler.
			if in.TypeArgs.Len() != 1 {
				return true
			}
			for i := 0; i < in.TypeArgs.Len(); i++ {
				if _, ok := lw.typeString(in.TypeArgs.At(i), id.Pos()); !ok || typeParamIn(in.TypeArgs.At(i), 0) {
					return true // (type parameters are renamed later)
				}
			}
		}
		may, twice := lw.negZeroArgs(call, sig)
		if !may {
			return true
		}
		st, _ := lw.negZeroStmt(call)
		// Behind && or || the guard's condition would evaluate the
		// arguments where Go does not (xs[i] out of range).
		left, right := lw.logicOperand(call)
		if !twice && st != nil && !left && !right && !generic && !lw.hasGoto(st) {
			// f(g(x)): g(x) goes into a variable before st.
			if hs := lw.negZeroHoists(call, sig, st, hoists[st]); hs != nil {
				hoists[st] = append(hoists[st], hs...)
				twice = true
			}
		}
		if !twice || left || right || generic {
			st = nil
		} else if st == nil {
			st = lw.negZeroIf(call)
		}
		cands = append(cands, cand{call, id, sig, st, left, ast.Unparen(call.Fun).End(), generic})
		return true
	})
	// A statement is guarded only if every call of the list inside it
	// is guarded with it (a copy of the statement would keep the others
	// direct); else all of them go through the func value.
	demoted := map[ast.Stmt]bool{}
	for _, c := range cands {
		for _, o := range cands {
			if o.st == nil || o.st == c.st {
				continue
			}
			reg := ast.Node(o.st)
			if is, ok := o.st.(*ast.IfStmt); ok {
				reg = is.Cond
			}
			if c.call.Pos() >= reg.Pos() && c.call.End() <= reg.End() {
				demoted[o.st] = true
			}
		}
	}
	guarded := map[ast.Stmt][]*ast.CallExpr{}
	wrapped := map[ast.Expr]bool{}
	var order []ast.Stmt
	for _, c := range cands {
		if c.st != nil && !demoted[c.st] {
			if guarded[c.st] == nil {
				order = append(order, c.st)
			}
			guarded[c.st] = append(guarded[c.st], c.call)
			continue
		}
		// In place: about three times a direct call.
		ts, ok := lw.typeString(c.sig, c.id.Pos())
		if !ok || lw.crossed(c.id.Pos(), c.id.End()) {
			continue
		}
		if c.left {
			// In the left operand of && or ||, a call of a func
			// value made yaegi panic "reflect: call of
			// reflect.Value.Bool on int Value"; as the right operand
			// of true && it does not: (true && (f(x) < 0)) && ok.
			l := lw.leftOperand(c.call)
			if l == nil || lw.crossed(l.Pos(), l.End()) {
				continue
			}
			if !wrapped[l] {
				wrapped[l] = true
				lw.insert(l.Pos(), "(true && (")
				lw.insert(l.End(), "))")
			}
		}
		if c.gen {
			lw.insert(c.id.Pos(), "("+ts+")(")
			lw.insert(c.end, ")")
			continue
		}
		lw.add(c.id.Pos(), c.id.End(), "("+ts+")("+c.id.Name+")")
	}
	for _, st := range order {
		if is, ok := st.(*ast.IfStmt); ok {
			lw.negZeroIfGuard(is, guarded[st])
			continue
		}
		lw.negZeroGuard(st, guarded[st], hoists[st])
	}
}

// cellFuncCall returns the func declared in a cell that call calls by
// its name (f(x), g[int](x)), with that name and the explicit type
// arguments; fn is nil for other calls.
func cellFuncCall(info *types.Info, call *ast.CallExpr) (id *ast.Ident, fn *types.Func, targs []ast.Expr) {
	fun := ast.Unparen(call.Fun)
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun, targs = f.X, []ast.Expr{f.Index}
	case *ast.IndexListExpr:
		fun, targs = f.X, f.Indices
	}
	id, ok := fun.(*ast.Ident)
	if !ok {
		return nil, nil, nil
	}
	fn, ok = info.Uses[id].(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "main" {
		return nil, nil, nil
	}
	return id, fn, targs
}

// hasGoto tells whether the func around st has a goto, which may not
// jump over the variables the guard declares.
func (lw *lowering) hasGoto(st ast.Stmt) bool {
	var body ast.Node
	for p := lw.parents[st]; p != nil && body == nil; p = lw.parents[p] {
		switch f := p.(type) {
		case *ast.FuncLit:
			body = f.Body
		case *ast.FuncDecl:
			body = f.Body
		}
	}
	if body == nil {
		return true
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.GOTO {
			found = true
		}
		return !found
	})
	return found
}

// negZeroHoists returns the float arguments of call that twiceSafe
// rejects when all of them can be computed into variables before st:
// only calls of declared funcs with guardable arguments, compiled
// funcs, methods and conversions in them, no func literal, && or ||,
// and no call or receive of st before them but those around them and
// those in earlier hoisted arguments (Go orders calls).
func (lw *lowering) negZeroHoists(call *ast.CallExpr, sig *types.Signature, st ast.Stmt, earlier []ast.Expr) []ast.Expr {
	info := lw.c.info
	var out []ast.Expr
	for i, a := range call.Args {
		if i >= sig.Params().Len() || !floatKind(sig.Params().At(i).Type()) || info.Types[a].Value != nil || lw.twiceSafe(ast.Unparen(a)) {
			continue
		}
		ok := true
		ast.Inspect(a, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				ok = false
			case *ast.BinaryExpr:
				if n.Op == token.LAND || n.Op == token.LOR {
					ok = false
				}
			case *ast.CallExpr:
				_, fn, _ := cellFuncCall(info, n)
				if fn == nil {
					return ok
				}
				isig := fn.Type().(*types.Signature)
				if isig.TypeParams().Len() != 0 {
					ok = false
					break
				}
				if may, twice := lw.negZeroArgs(n, isig); may && !twice {
					ok = false
				}
			}
			return ok
		})
		prior := append(append([]ast.Expr(nil), earlier...), out...)
		ast.Inspect(st, func(n ast.Node) bool {
			if !ok || n == nil || n.Pos() >= a.Pos() {
				return false
			}
			isCall := false
			switch n := n.(type) {
			case *ast.CallExpr:
				isCall = true
			case *ast.UnaryExpr:
				isCall = n.Op == token.ARROW
			}
			if !isCall || n.Pos() <= a.Pos() && n.End() >= a.End() {
				return true
			}
			for _, e := range prior {
				if n.Pos() >= e.Pos() && n.End() <= e.End() {
					return true
				}
			}
			ok = false
			return false
		})
		if !ok {
			return nil
		}
		out = append(out, a)
	}
	return out
}

// negZeroIf returns the if statement whose condition holds call when the
// condition can be computed before it (no init, not an else-if, in a
// statement list inside a func or a loop, no other rewrite in it).
func (lw *lowering) negZeroIf(call *ast.CallExpr) ast.Stmt {
	var child ast.Node = call
	for p := lw.parents[call]; p != nil; child, p = p, lw.parents[p] {
		if _, ok := p.(*ast.FuncLit); ok {
			return nil
		}
		st, ok := p.(ast.Stmt)
		if !ok {
			continue
		}
		is, ok := st.(*ast.IfStmt)
		if !ok || is.Cond != child || is.Init != nil {
			return nil
		}
		switch lw.parents[is].(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
		default:
			return nil
		}
		if lw.atCellTop(is) && !lw.inLoop(is) || len(lw.origEdits) > 0 || lw.edited(is.Cond.Pos(), is.Cond.End()) || lw.hasGoto(is) {
			return nil
		}
		return is
	}
	return nil
}

// negZeroIfGuard computes the condition of is before it:
//
//	if f(x) > 0 {  →  var c bool; if x == 0 { c = (func…)(f)(x) > 0 } else { c = f(x) > 0 }; if c {
func (lw *lowering) negZeroIfGuard(is *ast.IfStmt, calls []*ast.CallExpr) {
	info := lw.c.info
	var conds []string
	seen := map[string]bool{}
	from := lw.off(is.Cond.Pos())
	orig := lw.text(is.Cond)
	var subs []textSub
	for _, call := range calls {
		id := ast.Unparen(call.Fun).(*ast.Ident)
		sig := info.Uses[id].Type().(*types.Signature)
		for i, a := range call.Args {
			if i >= sig.Params().Len() || !floatKind(sig.Params().At(i).Type()) || info.Types[a].Value != nil {
				continue
			}
			c := lw.text(ast.Unparen(a))
			if !seen[c] {
				seen[c] = true
				conds = append(conds, c+" == 0")
			}
		}
		ts, ok := lw.typeString(sig, id.Pos())
		if !ok {
			return
		}
		subs = append(subs, textSub{lw.off(id.Pos()) - from, "(" + ts + ")(" + id.Name + ")", len(id.Name)})
	}
	v := lw.fresh("nz")
	lw.insert(is.Pos(), "var "+v+" bool; if "+strings.Join(conds, " || ")+" { "+v+" = "+applySubs(orig, subs)+" } else { "+v+" = "+orig+" }; ")
	lw.add(is.Cond.Pos(), is.Cond.End(), v)
}

// typeParamIn tells whether t may mention a type parameter.
func typeParamIn(t types.Type, depth int) bool {
	if depth > 8 {
		return true
	}
	switch t := t.(type) {
	case *types.TypeParam:
		return true
	case *types.Named:
		for i := 0; i < t.TypeArgs().Len(); i++ {
			if typeParamIn(t.TypeArgs().At(i), depth+1) {
				return true
			}
		}
		return false
	case *types.Basic:
		return false
	case *types.Alias:
		return typeParamIn(types.Unalias(t), depth+1)
	case *types.Pointer:
		return typeParamIn(t.Elem(), depth+1)
	case *types.Slice:
		return typeParamIn(t.Elem(), depth+1)
	case *types.Array:
		return typeParamIn(t.Elem(), depth+1)
	case *types.Map:
		return typeParamIn(t.Key(), depth+1) || typeParamIn(t.Elem(), depth+1)
	case *types.Chan:
		return typeParamIn(t.Elem(), depth+1)
	}
	return true // signatures, structs, interfaces: not looked into
}

// leftOperand returns the innermost left operand of && or || that holds
// call.
func (lw *lowering) leftOperand(call *ast.CallExpr) ast.Expr {
	var child ast.Node = call
	for p := lw.parents[call]; p != nil; child, p = p, lw.parents[p] {
		switch p := p.(type) {
		case ast.Stmt, *ast.FuncLit:
			return nil
		case *ast.BinaryExpr:
			if (p.Op == token.LAND || p.Op == token.LOR) && p.X == child {
				return p.X
			}
		}
	}
	return nil
}

// logicOperand tells whether call is inside the left (left) or right
// (right) operand of && or || within its statement.
func (lw *lowering) logicOperand(call *ast.CallExpr) (left, right bool) {
	var child ast.Node = call
	for p := lw.parents[call]; p != nil; child, p = p, lw.parents[p] {
		switch p := p.(type) {
		case ast.Stmt, *ast.FuncLit:
			return left, right
		case *ast.BinaryExpr:
			if p.Op == token.LAND || p.Op == token.LOR {
				left = left || p.X == child
				right = right || p.Y == child
			}
		}
	}
	return left, right
}

// negZeroArgs tells whether call passes a float or complex argument that
// may be -0 (may), and whether those can be evaluated twice (twice).
func (lw *lowering) negZeroArgs(call *ast.CallExpr, sig *types.Signature) (may, twice bool) {
	if call.Ellipsis.IsValid() {
		return false, false
	}
	twice = true
	n := sig.Params().Len()
	if sig.Variadic() {
		n-- // the variadic slice is copied
	}
	for i, a := range call.Args {
		if i >= n {
			break
		}
		if t := sig.Params().At(i).Type(); !floatKind(t) {
			if holdsFloat(t, 0) {
				may, twice = true, false // a struct or array: in place
			}
			continue
		}
		if tv := lw.c.info.Types[a]; tv.Value != nil {
			continue // a constant is never -0
		}
		may = true
		twice = twice && lw.twiceSafe(ast.Unparen(a))
	}
	return may, twice
}

// holdsFloat tells whether t is a struct or array holding a float or
// complex by value (IsZero looks into them).
func holdsFloat(t types.Type, depth int) bool {
	if depth > 8 {
		return false
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return depth > 0 && floatKind(u)
	case *types.Array:
		return holdsFloat(u.Elem(), depth+1)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if holdsFloat(u.Field(i).Type(), depth+1) {
				return true
			}
		}
	}
	return false
}

func floatKind(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsFloat|types.IsComplex) != 0
}

// twiceSafe tells whether e has no side effects and, evaluated twice,
// panics (index out of range, division by zero) only where the
// statement would: variables, constants, fields of struct variables,
// elements of slices, arrays and maps, and arithmetic of such.
func (lw *lowering) twiceSafe(e ast.Expr) bool {
	info := lw.c.info
	if tv := info.Types[e]; tv.Value != nil {
		return true
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		// Not in the guard: yaegi took if (s) == 0 || (x) == 0 { … }
		// else { s = f(s, x) } wrong ("call of reflect.Value.Bool on
		// float64 Value").
		return false
	case *ast.Ident:
		_, isVar := info.Uses[e].(*types.Var)
		return isVar
	case *ast.SelectorExpr:
		sel := info.Selections[e]
		if sel == nil || sel.Kind() != types.FieldVal || sel.Indirect() {
			return false
		}
		return lw.twiceSafe(e.X)
	case *ast.UnaryExpr:
		return (e.Op == token.SUB || e.Op == token.ADD) && lw.twiceSafe(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO:
		default:
			return false
		}
		b, ok := under(info.TypeOf(e)).(*types.Basic)
		return ok && b.Info()&types.IsNumeric != 0 && lw.twiceSafe(e.X) && lw.twiceSafe(e.Y)
	case *ast.CallExpr:
		// A numeric conversion (float64(i)) of such a value.
		if len(e.Args) != 1 || e.Ellipsis.IsValid() || !info.Types[e.Fun].IsType() {
			return false
		}
		to, ok1 := under(info.TypeOf(e)).(*types.Basic)
		from, ok2 := under(info.TypeOf(e.Args[0])).(*types.Basic)
		return ok1 && ok2 && to.Info()&types.IsNumeric != 0 && from.Info()&types.IsNumeric != 0 && lw.twiceSafe(e.Args[0])
	case *ast.IndexExpr:
		// An element of a slice, array or map (xs[i]): a panic of the
		// copy in the condition is the statement's own.
		switch under(info.TypeOf(e.X)).(type) {
		case *types.Slice, *types.Array, *types.Map:
			return lw.twiceSafe(e.X) && lw.twiceSafe(e.Index)
		}
	}
	return false
}

// negZeroStmt returns the statement of a statement list that holds call
// and can be guarded, or nil; inPlace: the statement runs once at the
// cell's top level where a guard cannot go (the cell's final
// expression, a definition), and the call can go through a func value.
func (lw *lowering) negZeroStmt(call *ast.CallExpr) (_ ast.Stmt, inPlace bool) {
	var st ast.Stmt
	for p := lw.parents[call]; p != nil; p = lw.parents[p] {
		if _, ok := p.(*ast.FuncLit); ok {
			return nil, false // a func literal's body: its own statement would be guarded
		}
		if s, ok := p.(ast.Stmt); ok {
			st = s
			break
		}
		if vs, ok := p.(*ast.ValueSpec); ok {
			// A top-level definition of a cell is a package-level var.
			_, top := lw.parents[lw.parents[vs]].(*ast.File)
			return nil, top
		}
	}
	if st == nil {
		return nil, false
	}
	top := lw.atCellTop(st) && !lw.inLoop(st)
	if es, ok := st.(*ast.ExprStmt); ok && es == cellFinalStmt(lw.c) {
		return nil, top
	}
	switch s := st.(type) {
	case *ast.ExprStmt, *ast.ReturnStmt:
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE && lw.atCellTop(s) {
			return nil, top
		}
		if s.Tok == token.DEFINE && !lw.newNames(s) {
			return nil, false
		}
	default:
		return nil, false
	}
	switch lw.parents[st].(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
	default:
		return nil, false
	}
	// No other rewrite inside or at the end of the statement: its text
	// is copied as the source has it.
	if lw.edited(st.Pos(), st.End()) || len(lw.origEdits) > 0 {
		return nil, false // (origEdits: in cell offsets, from fast loops)
	}
	return st, false
}

// edited tells whether an edit replaces text of [pos, end), inserts
// inside it, or puts braces around it.
func (lw *lowering) edited(pos, end token.Pos) bool {
	if lw.crossed(pos, end) {
		return true
	}
	from, to := lw.off(pos), lw.off(end)
	for _, e := range lw.edits {
		// Insertions at the ends: position markers (the next
		// statement's at the end) stay outside the guard; a block
		// around the statement would hide a definition.
		if e.start == e.end && (e.start == from || e.start == to) && strings.ContainsAny(e.text, "{}") {
			return true
		}
	}
	return false
}

// crossed tells whether an edit replaces text of [pos, end) or inserts
// strictly inside it: text around it can still be replaced.
func (lw *lowering) crossed(pos, end token.Pos) bool {
	from, to := lw.off(pos), lw.off(end)
	for _, e := range lw.edits {
		if e.start == e.end && e.start > from && e.start < to || e.start != e.end && e.start < to && e.end > from {
			return true
		}
	}
	return false
}

// newNames tells whether every name a := statement defines is new (or _).
func (lw *lowering) newNames(s *ast.AssignStmt) bool {
	for _, l := range s.Lhs {
		id, ok := l.(*ast.Ident)
		if !ok {
			return false
		}
		if id.Name != "_" && lw.c.info.Defs[id] == nil {
			return false
		}
	}
	return true
}

// negZeroGuard rewrites st, whose calls are calls, as described above.
func (lw *lowering) negZeroGuard(st ast.Stmt, calls []*ast.CallExpr, hoisted []ast.Expr) {
	info := lw.c.info
	// conds and subs (relative to from) of the calls within [from, to).
	guard := func(from, to token.Pos, skip []ast.Expr, hv map[ast.Expr]string) (conds []string, subs []textSub, ok bool) {
		seen := map[string]bool{}
		in := func(n ast.Node, es []ast.Expr) bool {
			for _, e := range es {
				if n.Pos() >= e.Pos() && n.End() <= e.End() {
					return true
				}
			}
			return false
		}
		for _, call := range calls {
			if call.Pos() < from || call.End() > to || in(call, skip) {
				continue
			}
			id := ast.Unparen(call.Fun).(*ast.Ident)
			sig := info.Uses[id].Type().(*types.Signature)
			for i, a := range call.Args {
				if i >= sig.Params().Len() || !floatKind(sig.Params().At(i).Type()) || info.Types[a].Value != nil {
					continue
				}
				c := lw.text(ast.Unparen(a)) // arithmetic binds tighter than ==
				if h, ok := hv[a]; ok {
					c = h
				}
				if !seen[c] {
					seen[c] = true
					conds = append(conds, c+" == 0")
				}
			}
			ts, ok := lw.typeString(sig, id.Pos())
			if !ok {
				return nil, nil, false
			}
			subs = append(subs, textSub{lw.off(id.Pos()) - lw.off(from), "(" + ts + ")(" + id.Name + ")", len(id.Name)})
		}
		for _, e := range skip {
			if h, ok := hv[e]; ok {
				subs = append(subs, textSub{lw.off(e.Pos()) - lw.off(from), h, lw.off(e.End()) - lw.off(e.Pos())})
			}
		}
		return conds, subs, true
	}
	// Hoisted arguments: var h T; if y == 0 { h = (func…)(g)(y) } else { h = g(y) };
	var hoist strings.Builder
	hv := map[ast.Expr]string{}
	sort.Slice(hoisted, func(i, j int) bool { return hoisted[i].Pos() < hoisted[j].Pos() })
	for _, a := range hoisted {
		h := lw.fresh("h")
		ts, ok := lw.typeString(info.TypeOf(a), a.Pos())
		if !ok {
			return
		}
		conds, subs, ok := guard(a.Pos(), a.End(), nil, nil)
		if !ok {
			return
		}
		text := lw.text(a)
		if len(conds) == 0 {
			hoist.WriteString("var " + h + " " + ts + " = " + text + "; ")
		} else {
			hoist.WriteString("var " + h + " " + ts + "; if " + strings.Join(conds, " || ") + " { " + h + " = " + applySubs(text, subs) + " } else { " + h + " = " + text + " }; ")
		}
		hv[a] = h
	}
	conds, subs, ok := guard(st.Pos(), st.End(), hoisted, hv)
	if !ok {
		return
	}
	from := lw.off(st.Pos())
	orig := lw.text(st)
	copyText := applySubs(orig, subs)
	cond := strings.Join(conds, " || ")
	if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
		// a, b := f(x) → var a A; var b B; if … { a, b = … } else { a, b = f(x) }
		var pre strings.Builder
		for _, l := range as.Lhs {
			id := l.(*ast.Ident)
			if id.Name == "_" {
				continue
			}
			ts, ok := lw.typeString(info.Defs[id].Type(), id.Pos())
			if !ok {
				return
			}
			pre.WriteString("var " + id.Name + " " + ts + "; ")
		}
		// The callees follow the :=, which the copy has where the
		// original has it.
		opAt := lw.off(as.TokPos) - from
		copyText = copyText[:opAt] + "=" + copyText[opAt+2:]
		for _, a := range hoisted {
			lw.add(a.Pos(), a.End(), hv[a])
		}
		lw.insert(st.Pos(), hoist.String()+pre.String()+"if "+cond+" { "+copyText+" } else { ")
		lw.add(as.TokPos, as.TokPos+2, "=")
		lw.closeGuard(st, orig)
		return
	}
	for _, a := range hoisted {
		lw.add(a.Pos(), a.End(), hv[a])
	}
	lw.insert(st.Pos(), hoist.String()+"if "+cond+" { "+copyText+" } else { ")
	lw.closeGuard(st, orig)
}

// closeGuard ends the else block of st's guard before any insertion at
// st's end (the next statement's position marker goes after it): it
// replaces st's last byte.
func (lw *lowering) closeGuard(st ast.Stmt, orig string) {
	lw.add(st.End()-1, st.End(), orig[len(orig)-1:]+" }")
}

// textSub replaces size bytes at offset at of a text by v.
type textSub struct {
	at   int
	v    string
	size int // of the text it replaces
}

// applySubs returns orig with subs (at offsets of orig, not overlapping)
// applied.
func applySubs(orig string, subs []textSub) string {
	sort.Slice(subs, func(i, j int) bool { return subs[i].at < subs[j].at })
	var b strings.Builder
	last := 0
	for _, s := range subs {
		b.WriteString(orig[last:s.at])
		b.WriteString(s.v)
		last = s.at + s.size
	}
	b.WriteString(orig[last:])
	return b.String()
}
