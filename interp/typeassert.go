package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"
)

// Comma-ok type assertions. yaegi v0.16.1 gets `v, ok := x.(T)` wrong
// in many ways (TestTypeAssert* map them):
//
//   - at a cell's top level (a package-level variable for yaegi) it
//     fails to compile with "nil type";
//   - on an operand that is a conversion (`any(a).(fmt.Stringer)` with
//     a an int or a struct) it panics ("call of reflect.Value.Elem on
//     int Value");
//   - to an empty interface (`x.(any)`) it is always false;
//   - a pointer to a cell type never satisfies an interface;
//   - to a cell type it matches by structure: with `type S struct{A int}`
//     (with methods) and `type P struct{A int}`, an S value is a P and a
//     P value is an S.
//
// The lowering turns every comma-ok assertion in an assignment, a
// definition, a var spec or an if header into a call of a func literal
// that takes the operand as a parameter (which fixes the first two):
//
//	v, ok := x.(T)  ->  v, ok := func(__godl_y I) (__godl_v T, __godl_ok bool) { … }(x)
//
// whose body returns (y, y != nil) for an empty interface T, tries the
// pointer cell types that implement an interface T in a type switch
// first, and tells structurally identical cell types apart with a type
// switch without guard variable (which matches yaegi's interpreted
// value by its own type) before the plain assertion. The text stays on
// its line.
//
// Type switches whose cases name an interface or a cell type fail the
// same ways (and `case fmt.Stringer` never matched a cell value, a guard
// variable's `case S` missed S values): they become switches without
// tag whose cases call the same func literals (typeSwitch). On an
// operand that converts a concrete value (any(a)) every case is known
// statically.
//
// Single-valued assertions x.(T) fail the same ways (x.(any) and
// (&S{}).(fmt.Stringer) panicked): those to an interface or a cell type,
// or on a conversion, call the same func literal and panic as Go does
// when it fails, naming the value's cell type where a type switch finds
// it (singleAssert, AssertFail). Not in generic funcs (a host call
// there makes yaegi skip the whole body).
//
// Types of the same underlying type: yaegi matches a value of one as
// the other. A cell type with methods is told apart by a type switch
// without guard; two cell types without methods (type P struct{A int};
// type Q struct{A int}), or one with a basic underlying type and that
// type (type Celsius float64 and float64), cannot be: an assertion or
// switch case naming one of them fails to compile with a message that
// says to give the type a method.
//
// A value (not a pointer) of a cell type with methods in an interface
// of a compiled package (`return Oops{2}` from a func returning error)
// is yaegi's wrapper (interp._error), on which every assertion is
// false. When the target is a cell type with methods, or an interface
// such a type implements, a failed assertion on a wrapper panics with a
// message that says to use pointer receivers (Hidden). Left: errors.As
// with such a target stays false (workaround.go's loop).

// typeAsserts rewrites the comma-ok type assertions of the cell.
func (lw *lowering) typeAsserts() {
	commaOk := map[*ast.TypeAssertExpr]bool{}
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		var rhs ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
				rhs = n.Rhs[0]
			}
		case *ast.ValueSpec:
			if len(n.Names) == 2 && len(n.Values) == 1 {
				rhs = n.Values[0]
			}
		}
		if ta, ok := ast.Unparen(rhs).(*ast.TypeAssertExpr); ok && ta.Type != nil {
			commaOk[ta] = true
			lw.commaOk(ta)
			if vs, ok := n.(*ast.ValueSpec); ok {
				lw.splitTopVar(vs)
			}
		}
		if ta, ok := n.(*ast.TypeAssertExpr); ok && ta.Type != nil && !commaOk[ta] {
			lw.singleAssert(ta)
		}
		if ts, ok := n.(*ast.TypeSwitchStmt); ok {
			lw.typeSwitch(ts)
		}
		return true
	})
}

// hasTypeParam reports whether t mentions a type parameter.
func hasTypeParam(t types.Type) bool {
	found := false
	var visit func(t types.Type, depth int)
	visit = func(t types.Type, depth int) {
		if found || depth > 8 {
			return
		}
		switch t := t.(type) {
		case *types.TypeParam:
			found = true
		case *types.Pointer:
			visit(t.Elem(), depth+1)
		case *types.Slice:
			visit(t.Elem(), depth+1)
		case *types.Array:
			visit(t.Elem(), depth+1)
		case *types.Map:
			visit(t.Key(), depth+1)
			visit(t.Elem(), depth+1)
		case *types.Chan:
			visit(t.Elem(), depth+1)
		case *types.Named:
			if args := t.TypeArgs(); args != nil {
				for i := 0; i < args.Len(); i++ {
					visit(args.At(i), depth+1)
				}
			}
		case *types.Signature:
			for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
				for i := 0; i < tu.Len(); i++ {
					visit(tu.At(i).Type(), depth+1)
				}
			}
		}
	}
	visit(t, 0)
	return found
}

// cellTypeNames returns the package-level, non-generic, non-interface
// named types of the session and the cell, in name order (the cell's
// scope does not change while it is lowered: the list is made once).
// Callers must not modify it.
func (lw *lowering) cellTypeNames() []*types.TypeName {
	if lw.typeNames != nil {
		return lw.typeNames
	}
	out := []*types.TypeName{} // not nil: made
	scope := lw.c.pkg.Scope()
	for _, name := range scope.Names() {
		o, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || strings.HasPrefix(name, "_godl") || o.IsAlias() {
			continue
		}
		if nt, ok := o.Type().(*types.Named); ok && nt.TypeParams().Len() == 0 && !types.IsInterface(nt) {
			out = append(out, o)
		}
	}
	lw.typeNames = out
	return out
}

// commaOk rewrites one comma-ok assertion (see the top of this file).
func (lw *lowering) commaOk(ta *ast.TypeAssertExpr) {
	info := lw.c.info
	it, tt := info.TypeOf(ta.X), info.TypeOf(ta.Type)
	if it == nil || tt == nil || hasTypeParam(it) || hasTypeParam(tt) {
		return
	}
	tfs := lw.c.tf.Position(ta.Type.Pos())
	tfe := lw.c.tf.Position(ta.Type.End())
	if tfs.Line != tfe.Line {
		return
	}
	ts := lw.text(ta.Type)
	is, ok := lw.typeString(it, ta.Pos())
	if !ok {
		is = "any"
	}
	if e, et := lw.concreteOperand(ta.X); e != nil {
		// The operand converts a value of a concrete type: the answer
		// is known (and yaegi's conversion can drop the methods).
		if es, ok := lw.typeString(et, ta.Pos()); ok {
			body := "return __godl_v, false"
			if types.AssignableTo(et, tt) && (types.IsInterface(tt) || types.Identical(et, tt)) {
				body = "return __godl_y, true"
			}
			lw.markReplaced(ta.X, e)
			lw.add(ta.X.Pos(), e.Pos(), "func(__godl_y "+es+") (__godl_v "+ts+", __godl_ok bool) { "+body+" }(")
			lw.add(e.End(), ta.End(), ")")
			return
		}
	}
	if !types.IsInterface(tt) && !involvesCellType(tt) && !lw.topLevel(ta) && !lw.hasTwins(tt, ta.Pos()) {
		return // yaegi gets these right in a func
	}
	lw.insert(ta.X.Pos(), lw.assertFunc(ta, is, tt, ts)+"(")
	lw.add(ta.X.End(), ta.End(), ")")
}

// assertFunc returns a func literal that takes a value of the interface
// type spelt is and returns what x.(T) gives in Go (see the top of this
// file); tt is T, ts its spelling at pos.
func (lw *lowering) assertFunc(at ast.Node, is string, tt types.Type, ts string) string {
	pos := at.Pos()
	var body strings.Builder
	hidden := ""
	if lw.mayHide(tt) && !lw.inGeneric(at) {
		hidden = "__godl.Hidden(__godl_y, " + strconv.Quote(goTypeName(tt)) + "); "
	}
	plain := "__godl_w, __godl_k := __godl_y.(" + ts + "); if !__godl_k { " + hidden + "}; return __godl_w, __godl_k"
	if hidden == "" {
		plain = "__godl_w, __godl_k := __godl_y.(" + ts + "); return __godl_w, __godl_k"
	}
	ti, isIface := under(tt).(*types.Interface)
	switch {
	case isIface && ti.NumMethods() == 0:
		body.WriteString("return __godl_y, __godl_y != nil")
	case isIface:
		// A type switch panics on nil in yaegi.
		body.WriteString("if __godl_y == nil { return }; ")
		// Cell types: yaegi's assertion never matches pointers to them,
		// and fails on values of them to a cell interface. A type
		// switch without guard variable matches values of cell types
		// with methods by their own type; one with a guard matches
		// pointers.
		var vals, ptrs []string
		var ptrTypes []*types.Named
		for _, o := range lw.cellTypeNames() {
			if types.Implements(o.Type(), ti) {
				if s, ok := lw.typeString(o.Type(), pos); ok {
					vals = append(vals, "case "+s+": return __godl_y.("+s+"), true; ")
				}
			}
			if p := types.NewPointer(o.Type()); types.Implements(p, ti) {
				if s, ok := lw.typeString(p, pos); ok {
					for _, q := range ptrTypes {
						if types.Identical(q.Underlying(), o.Type().Underlying()) && !lw.ambiguous {
							// The guard matches pointers by structure.
							lw.ambiguous = true
							lw.errorf(pos, "yaegi cannot tell *%s from *%s (the same underlying type) in a type assertion or type switch to %s; give one of them a different field", q.Obj().Name(), o.Name(), goTypeName(tt))
						}
					}
					ptrTypes = append(ptrTypes, o.Type().(*types.Named))
					ptrs = append(ptrs, "case "+s+": return __godl_z, true; ")
				}
			}
		}
		if len(vals) > 0 {
			body.WriteString("switch __godl_y.(type) { " + strings.Join(vals, "") + "}; ")
		}
		if len(ptrs) > 0 {
			body.WriteString("switch __godl_z := __godl_y.(type) { " + strings.Join(ptrs, "") + "}; ")
		}
		body.WriteString(plain)
	default:
		body.WriteString("if __godl_y == nil { return }; ")
		// Types of the same underlying type: yaegi's assertion matches
		// any of them; a type switch without guard variable matches
		// values of cell types with methods by their own type.
		withMethods, without := lw.twins(tt, pos)
		switch {
		case isCellType(tt) && types.NewMethodSet(tt).Len() > 0 && (len(withMethods) > 0 || len(without) > 0 || isBasic(tt.Underlying())):
			// T has methods: only its own values match. (Not when
			// nothing else can match: a cell value used as a map key is
			// stored without its type, and only the plain assertion
			// matches it.)
			body.WriteString("switch __godl_y.(type) { case " + ts + ": " + plain + " }; " + hidden + "return")
		default:
			if len(without) > 0 || (isCellType(tt) && types.NewMethodSet(tt).Len() == 0 && isBasic(tt.Underlying())) {
				other := types.TypeString(tt.Underlying(), func(*types.Package) string { return "" })
				if len(without) > 0 {
					other = without[0]
				}
				name, cell := ts, ts
				if !isCellType(tt) {
					cell = other
				}
				lw.errorf(pos, "yaegi cannot tell %s from %s in a type assertion or type switch (a cell type without methods is its underlying type to it); give %s a method (func (%s) String() string, say)", name, other, cell, cell)
			}
			if len(withMethods) > 0 {
				body.WriteString("switch __godl_y.(type) { case " + strings.Join(withMethods, ", ") + ": return }; ")
			}
			body.WriteString(plain)
		}
	}
	return "func(__godl_y " + is + ") (__godl_v " + ts + ", __godl_ok bool) { " + body.String() + " }"
}

// concreteOperand returns the value of a concrete type that operand x
// converts to an interface type (`any(a)`, `fmt.Stringer(error(e))`
// with e concrete), or nil.
func (lw *lowering) concreteOperand(x ast.Expr) (ast.Expr, types.Type) {
	info := lw.c.info
	for {
		call, ok := ast.Unparen(x).(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || call.Ellipsis.IsValid() {
			return nil, nil
		}
		if tv, ok := info.Types[call.Fun]; !ok || !tv.IsType() || !types.IsInterface(tv.Type) {
			return nil, nil
		}
		x = call.Args[0]
		t := info.TypeOf(x)
		if t == nil || hasTypeParam(t) {
			return nil, nil
		}
		if !types.IsInterface(t) {
			if b, ok := t.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
				return nil, nil // any(3): its default type; keep yaegi's path
			}
			return x, t
		}
	}
}

// topLevel tells whether n is in a statement or declaration of a cell's
// top level (a cell variable: yaegi's package level), not in a block,
// func or func literal.
func (lw *lowering) topLevel(n ast.Node) bool {
	for p := lw.parents[n]; p != nil; p = lw.parents[p] {
		switch p := p.(type) {
		case *ast.FuncLit, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.CaseClause, *ast.CommClause:
			return false
		case *ast.BlockStmt:
			fd, ok := lw.parents[p].(*ast.FuncDecl)
			return ok && fd.Recv == nil && fd.Name.Name == "_godlCell"
		case *ast.FuncDecl:
			return false
		}
	}
	return true
}

// typeSwitch rewrites a type switch with an interface or cell type case
// into a switch without tag whose cases are the comma-ok assertions of
// assertFunc (yaegi's type switches fail as its assertions do, and
// more: `case fmt.Stringer` never matches a cell value, a guard
// variable's `case S` misses S values):
//
//	switch v := x.(type) { case T: …; case A, B: …; default: … }
//	->
//	switch _g1_1t := x; { case func() bool { _, k := F_T(_g1_1t); return k }(): v, _ := F_T(_g1_1t); _ = v; …
//	  case … || …: v := _g1_1t; _ = v; …; default: v := _g1_1t; _ = v; … }
func (lw *lowering) typeSwitch(sw *ast.TypeSwitchStmt) {
	if sw.Init != nil {
		return
	}
	info := lw.c.info
	var x ast.Expr
	var guard *ast.Ident
	switch a := sw.Assign.(type) {
	case *ast.AssignStmt:
		if len(a.Lhs) != 1 || len(a.Rhs) != 1 {
			return
		}
		guard, _ = a.Lhs[0].(*ast.Ident)
		if ta, ok := ast.Unparen(a.Rhs[0]).(*ast.TypeAssertExpr); ok {
			x = ta.X
		}
	case *ast.ExprStmt:
		if ta, ok := ast.Unparen(a.X).(*ast.TypeAssertExpr); ok {
			x = ta.X
		}
	}
	if x == nil {
		return
	}
	it := info.TypeOf(x)
	if it == nil || hasTypeParam(it) {
		return
	}
	needed := false
	for _, st := range sw.Body.List {
		cc := st.(*ast.CaseClause)
		for _, e := range cc.List {
			t := info.TypeOf(e)
			if t == nil || hasTypeParam(t) {
				return
			}
			if lw.c.tf.Position(e.Pos()).Line != lw.c.tf.Position(e.End()).Line {
				return
			}
			if isNilType(t) {
				continue
			}
			if types.IsInterface(t) || involvesCellType(t) || lw.hasTwins(t, e.Pos()) {
				needed = true
			}
		}
	}
	if !needed {
		return
	}
	is, ok := lw.typeString(it, sw.Pos())
	if !ok {
		is = "any"
	}
	tmp := lw.fresh("t")
	// The operand converts a value of a concrete type (any(a)): every
	// case is known (yaegi's conversion drops a cell value's methods).
	var et types.Type
	var es string
	if e, t := lw.concreteOperand(x); e != nil {
		if s, ok := lw.typeString(t, sw.Pos()); ok {
			lw.markReplaced(x, e)
			x, et, es = e, t, s
		}
	}
	lw.add(sw.Assign.Pos(), x.Pos(), tmp+" := ")
	lw.add(x.End(), sw.Assign.End(), ";")
	if et != nil {
		lw.staticSwitch(sw, guard, tmp, et, es, is)
		return
	}
	for _, st := range sw.Body.List {
		cc := st.(*ast.CaseClause)
		var bind string
		if guard != nil && guard.Name != "_" {
			bind = " " + guard.Name + " := " + tmp + "; _ = " + guard.Name + ";"
		}
		if len(cc.List) == 0 {
			if bind != "" {
				lw.insert(cc.Colon+1, bind)
			}
			continue
		}
		var conds []string
		for _, e := range cc.List {
			t := info.TypeOf(e)
			if isNilType(t) {
				conds = append(conds, tmp+" == nil")
				continue
			}
			f := lw.assertFunc(e, is, t, lw.text(e))
			conds = append(conds, "func() bool { _, __godl_k := "+f+"("+tmp+"); return __godl_k }()")
			if len(cc.List) == 1 && bind != "" {
				bind = " " + guard.Name + ", _ := " + f + "(" + tmp + "); _ = " + guard.Name + ";"
			}
		}
		lw.add(cc.List[0].Pos(), cc.List[len(cc.List)-1].End(), strings.Join(conds, " || "))
		if bind != "" {
			lw.insert(cc.Colon+1, bind)
		}
	}
}

// isNilType tells whether t is the type of nil.
func isNilType(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Kind() == types.UntypedNil
}

// markReplaced records the conversions from x down to e, which
// concreteOperand found, as replaced (ifaceCopies leaves them).
func (lw *lowering) markReplaced(x, e ast.Expr) {
	if lw.replaced == nil {
		lw.replaced = map[ast.Node]bool{}
	}
	for n := x; n != e; n = ast.Unparen(n).(*ast.CallExpr).Args[0] {
		lw.replaced[ast.Unparen(n)] = true
	}
}

// staticSwitch rewrites the cases of type switch sw whose operand,
// now in variable tmp, has concrete type et (spelt es); is spells the
// static type of the original operand.
func (lw *lowering) staticSwitch(sw *ast.TypeSwitchStmt, guard *ast.Ident, tmp string, et types.Type, es, is string) {
	info := lw.c.info
	bound := guard != nil && guard.Name != "_"
	for _, st := range sw.Body.List {
		cc := st.(*ast.CaseClause)
		cond := "func() bool { return false }()"
		// The guard variable: the value as the case's type, or as the
		// operand's interface type; returned from a func, which keeps
		// the methods of a cell value.
		bind := " " + guard.String() + " := func(__godl_y " + es + ") " + is + " { return __godl_y }(" + tmp + "); _ = " + guard.String() + ";"
		for _, e := range cc.List {
			t := info.TypeOf(e)
			if isNilType(t) {
				continue
			}
			if types.Identical(t, et) || (types.IsInterface(t) && types.Implements(et, t.Underlying().(*types.Interface))) {
				cond = "func() bool { return true }()"
				if len(cc.List) == 1 {
					bind = " " + guard.String() + " := func(__godl_y " + es + ") " + lw.text(e) + " { return __godl_y }(" + tmp + "); _ = " + guard.String() + ";"
				}
			}
		}
		if len(cc.List) > 0 {
			lw.add(cc.List[0].Pos(), cc.List[len(cc.List)-1].End(), cond)
		}
		if bound {
			lw.insert(cc.Colon+1, bind)
		}
	}
}

// singleAssert rewrites a single-valued type assertion x.(T) with an
// interface or cell type T, or on a conversion any(a), as a call of the
// comma-ok func literal that panics as Go does when it fails (yaegi's
// failed on the forms its comma-ok assertions fail on: x.(any) panicked,
// &S{} was no fmt.Stringer, any(3).(fmt.Stringer) a reflect panic).
func (lw *lowering) singleAssert(ta *ast.TypeAssertExpr) {
	info := lw.c.info
	it, tt := info.TypeOf(ta.X), info.TypeOf(ta.Type)
	if it == nil || tt == nil || hasTypeParam(it) || hasTypeParam(tt) || lw.inGeneric(ta) {
		return
	}
	if lw.c.tf.Position(ta.Type.Pos()).Line != lw.c.tf.Position(ta.Type.End()).Line {
		return
	}
	ts := lw.text(ta.Type)
	is, ok := lw.typeString(it, ta.Pos())
	if !ok {
		is = "any"
	}
	iname := goTypeName(it)
	if ti, ok := it.Underlying().(*types.Interface); ok && ti.Empty() && !isNamed(it) {
		iname = "interface {}"
	}
	if e, et := lw.concreteOperand(ta.X); e != nil {
		if es, ok := lw.typeString(et, ta.Pos()); ok {
			body := "return __godl_y"
			if !types.AssignableTo(et, tt) || !(types.IsInterface(tt) || types.Identical(et, tt)) {
				body = "var __godl_x " + is + " = __godl_y; __godl.AssertFail(__godl_x, " + strconv.Quote(iname) + ", " + strconv.Quote(goTypeName(tt)) + ", " + strconv.FormatBool(types.IsInterface(tt)) + ", " + strconv.Quote(goTypeName(et)) + "); panic(0)"
			}
			lw.markReplaced(ta.X, e)
			lw.add(ta.X.Pos(), e.Pos(), "func(__godl_y "+es+") "+ts+" { "+body+" }(")
			lw.add(e.End(), ta.End(), ")")
			return
		}
	}
	if !types.IsInterface(tt) && !involvesCellType(tt) && !lw.hasTwins(tt, ta.Pos()) {
		return // yaegi gets these right
	}
	fail := lw.dynName(ta.Pos()) + "__godl.AssertFail(__godl_y, " + strconv.Quote(iname) + ", " + strconv.Quote(goTypeName(tt)) + ", " + strconv.FormatBool(types.IsInterface(tt)) + ", __godl_n)"
	f := lw.assertFunc(ta, is, tt, ts)
	lw.insert(ta.X.Pos(), "func(__godl_y "+is+") "+ts+" { __godl_v, __godl_ok := "+f+"(__godl_y); if !__godl_ok { "+fail+" }; return __godl_v }(")
	lw.add(ta.X.End(), ta.End(), ")")
}

// isNamed tells whether t is a named type (not any).
func isNamed(t types.Type) bool {
	_, ok := t.(*types.Named)
	return ok
}

// inGeneric tells whether n is in the body of a generic func or of a
// method of a generic type (a host call there makes yaegi skip the
// whole body).
func (lw *lowering) inGeneric(n ast.Node) bool {
	for p := lw.parents[n]; p != nil; p = lw.parents[p] {
		if fd, ok := p.(*ast.FuncDecl); ok {
			return genericFunc(fd)
		}
	}
	return false
}

// dynName returns statements that set __godl_n to the name of the cell
// type of __godl_y's value, if it finds one: a type switch without
// guard for types with methods (it matches yaegi's value by its own
// type), with a guard for pointers.
func (lw *lowering) dynName(pos token.Pos) string {
	var vals, ptrs []string
	names := append([]*types.TypeName(nil), lw.cellTypeNames()...)
	// Pointers to types with methods first: the guard matches pointers
	// to types of the same structure too.
	sort.SliceStable(names, func(i, j int) bool {
		return types.NewMethodSet(names[i].Type()).Len() > 0 && types.NewMethodSet(names[j].Type()).Len() == 0
	})
	for _, o := range names {
		t := o.Type()
		if types.NewMethodSet(t).Len() > 0 {
			if s, ok := lw.typeString(t, pos); ok {
				vals = append(vals, "case "+s+": __godl_n = "+strconv.Quote(goTypeName(t))+"; ")
			}
		}
		p := types.NewPointer(t)
		if s, ok := lw.typeString(p, pos); ok {
			ptrs = append(ptrs, "case "+s+": _ = __godl_z; __godl_n = "+strconv.Quote(goTypeName(p))+"; ")
		}
	}
	code := "__godl_n := \"\"; "
	if len(vals) > 0 {
		code += "switch __godl_y.(type) { " + strings.Join(vals, "") + "}; "
	}
	if len(ptrs) > 0 {
		code += "if __godl_y != nil { switch __godl_z := __godl_y.(type) { " + strings.Join(ptrs, "") + "} }; "
	}
	return code
}

// twins returns the cell types other than tt whose underlying type is
// tt's (for a type that is not named: tt itself), spelt at pos: those
// with methods, and those without.
func (lw *lowering) twins(tt types.Type, pos token.Pos) (withMethods, without []string) {
	for _, o := range lw.cellTypeNames() {
		if types.Identical(o.Type(), tt) || !types.Identical(o.Type().Underlying(), tt.Underlying()) {
			continue
		}
		if _, named := tt.(*types.Named); named && !isCellType(tt) {
			continue // a compiled named type has its own reflect type
		}
		s, ok := lw.typeString(o.Type(), pos)
		if !ok {
			continue
		}
		if types.NewMethodSet(o.Type()).Len() > 0 {
			withMethods = append(withMethods, s)
		} else {
			without = append(without, s)
		}
	}
	return withMethods, without
}

// isCellType tells whether t is a named type of the cells.
func isCellType(t types.Type) bool {
	nt, ok := t.(*types.Named)
	return ok && nt.Obj().Pkg() != nil && nt.Obj().Pkg().Path() == "main"
}

// isBasic tells whether t is a basic type.
func isBasic(t types.Type) bool {
	_, ok := t.(*types.Basic)
	return ok
}

// hasTwins tells whether some cell type other than tt has tt's
// underlying type (yaegi's assertions confuse them).
func (lw *lowering) hasTwins(tt types.Type, pos token.Pos) bool {
	a, b := lw.twins(tt, pos)
	return len(a)+len(b) > 0
}

// mayHide tells whether a value that satisfies tt could be hidden by
// yaegi in a compiled interface's wrapper (a value, not a pointer, of a
// cell type with methods in an error or io.Reader: `return Oops{2}`
// from a func returning error). Assertions on such a wrapper fail
// whatever it holds, so the func literal calls Hidden when its plain
// assertion fails.
func (lw *lowering) mayHide(tt types.Type) bool {
	if ti, ok := tt.Underlying().(*types.Interface); ok {
		if ti.Empty() {
			return false
		}
		for _, o := range lw.cellTypeNames() {
			if types.NewMethodSet(o.Type()).Len() > 0 && types.Implements(o.Type(), ti) {
				return true
			}
		}
		return false
	}
	return isCellType(tt) && types.NewMethodSet(tt).Len() > 0
}

// splitTopVar turns a cell variable declaration by a comma-ok assertion
// (`v, ok := x.(T)` or `var v, ok = x.(T)` at a cell's top level) into
// declarations without value and an assignment on the same line:
// `var v T; var ok bool; v, ok = …`. yaegi compiles a cell variable's
// value at its package level together with the cell's types, where the
// func literal's cases for a type declared in the same cell failed
// ("cannot use (type structT) as type valueT") or never matched.
func (lw *lowering) splitTopVar(vs *ast.ValueSpec) {
	gd, ok := lw.parents[vs].(*ast.GenDecl)
	if !ok || len(gd.Specs) != 1 || gd.Lparen.IsValid() || vs.Type != nil {
		return
	}
	if _, ok := lw.parents[gd].(*ast.File); !ok {
		return
	}
	var decls []string
	for _, id := range vs.Names {
		obj := lw.c.info.Defs[id]
		if id.Name == "_" || obj == nil {
			continue // blank, or declared by an earlier statement of the cell
		}
		ts, ok := lw.typeString(obj.Type(), id.Pos())
		if !ok {
			return
		}
		decls = append(decls, "var "+id.Name+" "+ts+"; ")
	}
	head := strings.Join(decls, "")
	if di, ok := lw.c.m.defines[lw.off(gd.Pos())]; ok {
		// x, ok := v, whose "var" the model added: the names as typed.
		names := strings.TrimSpace(lw.c.m.src[di.start:di.assign])
		lw.editOrig(di.start, di.assign+2, head+names+" =")
		return
	}
	var names []string
	for _, id := range vs.Names {
		names = append(names, id.Name)
	}
	lw.add(gd.Pos(), vs.Values[0].Pos(), head+strings.Join(names, ", ")+" = ")
}
