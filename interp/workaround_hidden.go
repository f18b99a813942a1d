package interp

import (
	"go/ast"
	"go/types"
	"strings"
)

// Containers of Stringer values in interfaces. yaegi v0.16.1 stores a
// value of a cell type without methods of its own (an unnamed []Temp,
// map[Temp]int, [2]S, struct{ T Temp }, or a named slice or map type
// without methods) in an interface as a value of its reflect type, in
// which every cell type is its underlying type: the elements' String
// and Error methods are gone (var a any = []Temp{1} printed [1], %T
// gave []float64, a.([]float64) was true). Nothing at print time can
// tell such a value from a []float64, so the conversion fails the cell
// with the workarounds instead of printing a wrong result later.
// Conversions to parameters of compiled functions (fmt.Println(temps),
// sort.Slice) are not checked: the print lowering boxes the elements
// by their static type, and other compiled code does not call String.

// hiddenStringers tells whether a value of type t (depth levels inside
// the converted value), put in an interface, loses String or Error
// methods of cell types inside it.
func hiddenStringers(t types.Type, depth int) bool {
	if depth > 8 {
		return false
	}
	t = types.Unalias(t)
	if nt, ok := t.(*types.Named); ok {
		if nt.Obj().Pkg() == nil || nt.Obj().Pkg().Path() != "main" || nt.TypeParams().Len() != 0 {
			return false
		}
		if types.NewMethodSet(nt).Len() > 0 || types.NewMethodSet(types.NewPointer(nt)).Len() > 0 {
			return false // a valueInterface keeps the type
		}
		if _, isStruct := nt.Underlying().(*types.Struct); isStruct {
			return false // withContainers prints it through its fields
		}
	}
	elem := func(e types.Type) bool {
		e = types.Unalias(e)
		if nt, ok := e.(*types.Named); ok && nt.Obj().Pkg() != nil && nt.Obj().Pkg().Path() == "main" && !types.IsInterface(nt) {
			if fmtMethodsStatic(nt) {
				return true
			}
		}
		return hiddenStringers(e, depth+1)
	}
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return elem(u.Elem())
	case *types.Array:
		return elem(u.Elem())
	case *types.Map:
		return elem(u.Key()) || elem(u.Elem())
	case *types.Struct:
		if _, named := t.(*types.Named); named {
			return false
		}
		for i := 0; i < u.NumFields(); i++ {
			if elem(u.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

// hiddenConversion fails the cell at e when Go converts it to the
// interface type target there and yaegi would drop the String or Error
// methods of cell types inside it.
func (lw *lowering) hiddenConversion(e ast.Expr, target types.Type) {
	if target == nil || !types.IsInterface(target) {
		return
	}
	if _, isParam := types.Unalias(target).(*types.TypeParam); isParam {
		return
	}
	tv, ok := lw.c.info.Types[e]
	if !ok || !tv.IsValue() || tv.Type == nil || types.IsInterface(tv.Type) || !hiddenStringers(tv.Type, 0) {
		return
	}
	ts := types.TypeString(tv.Type, func(p *types.Package) string {
		if p.Path() == "main" {
			return ""
		}
		return p.Name()
	})
	lw.errorf(e.Pos(), "a %s put in an interface loses its elements' String/Error methods in the Go interpreter (yaegi): it would print and type-switch as its underlying type; keep the value's static type (fmt.Println(x) prints it right), store the elements as fmt.Stringer or any, or give the container a named type with a String method", ts)
}

// indirectGeneric tells whether the cell may run generic code of the
// session without calling it itself: it calls a func or method declared
// in a cell (or a func value), and the session has generic funcs or
// types. genericStr then sets __godl_str, whose switch a generic body's
// print falls back to for types declared after it (ShowAny(v any) {
// Show(v) } printed 2 for an L2 of a later cell).
func (lw *lowering) indirectGeneric() bool {
	pkg := lw.c.pkg
	if pkg == nil {
		return false
	}
	generic := false
	// The check's scope has only the earlier cells' objects the cell
	// names: env has them all.
	objs := make([]types.Object, 0, len(lw.env)+pkg.Scope().Len())
	for _, name := range pkg.Scope().Names() {
		objs = append(objs, pkg.Scope().Lookup(name))
	}
	for _, o := range lw.env {
		objs = append(objs, o)
	}
	for _, o := range objs {
		if name := o.Name(); strings.HasPrefix(name, "_godl") || strings.HasPrefix(name, "__godl") {
			continue
		}
		switch o := o.(type) {
		case *types.Func:
			if sig, ok := o.Type().(*types.Signature); ok && sig.TypeParams().Len() > 0 {
				generic = true
			}
		case *types.TypeName:
			if nt, ok := o.Type().(*types.Named); ok && !o.IsAlias() && nt.TypeParams().Len() > 0 {
				generic = true
			}
		}
		if generic {
			break
		}
	}
	if !generic {
		return false
	}
	calls := false
	info := lw.c.info
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || calls {
			return !calls
		}
		if tv, ok := info.Types[call.Fun]; !ok || tv.IsType() || tv.IsBuiltin() {
			return true
		}
		id := calleeIdent(call)
		if id == nil {
			calls = true // a func value of some expression
			return false
		}
		switch o := info.Uses[id].(type) {
		case *types.Func:
			calls = o.Pkg() != nil && o.Pkg().Path() == "main"
		case *types.Var:
			calls = true // a func value
		}
		return !calls
	})
	return calls
}
