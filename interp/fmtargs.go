package interp

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"hash/fnv"
	"strings"
	"unicode/utf8"
)

// Arguments of fmt's and log's print functions.
//
// yaegi hands compiled fmt an interpreted interface value nested in a
// slice, array, map or struct as its internal valueInterface struct (see
// unwrap.go), so the lowering wraps each argument of fmt.Print*,
// Sprint*, Fprint*, Errorf, Append* and log's Print*, Fatal*, Panic*
// (functions and *log.Logger methods) whose static type may hold one:
//
//	fmt.Println(shapes)  ->  fmt.Println(__godl.Unwrap(shapes))
//
// Only such arguments change: a composite type with an interface inside
// it (not behind a pointer below the top level, where fmt prints an
// address), or an interface type declared in a cell, without String or
// Error methods (its dynamic value may be such a composite, or have a
// String method). Arguments fmt formats
// through their String, Error or Format methods, and arguments of %T, %p
// and %w in a constant format, stay as they are, as does everything else
// (fmt.Println of a []int costs what it did).
//
// When cell types with a String or Error method can be held by one of
// those interfaces, the argument is boxed in a []any (which keeps
// yaegi's valueInterface, hence the interpreted type) and passed with a
// type switch that calls the method in the interpreter:
//
//	__godl.UnwrapWith([]any{shapes}, 12345, func(__godl_sv any) (string, bool) { switch __godl_sv.(type) { case Circle: return __godl_sv.(Circle).String(), true }; return "", false })
//
// (A switch with a guard variable would match by structure only in
// yaegi; one without matches the valueInterface's own type.) The number
// identifies the switch: the host remembers which values' types it has
// no text for. A spread
// argument (fmt.Println(xs...)) goes through __godl.UnwrapAll.
//
// Values of cell types with String or Error that are not in interfaces
// (elements of a []Temp, a map[string]Temp, exported fields of type Temp)
// reach compiled fmt without their methods too: such arguments are first
// copied in the interpreter with those values in interface slots (see
// boxer), as are the final values a cell shows (sprintCode). The argument
// of display.Show, display.Render and a Handle's Show and Update is
// treated as a print argument when its type has no methods. Every
// rewrite stays on its line.

// printPkgs are the packages whose variadic ...any functions and methods
// named with one of printPrefixes format their arguments as fmt does.
// (yaegi's stdlib gives log.New and log.Default its own logger type.)
var printPkgs = map[string]bool{"fmt": true, "log": true, "github.com/traefik/yaegi/stdlib": true}

var printPrefixes = []string{"Print", "Sprint", "Fprint", "Errorf", "Append", "Fatal", "Panic"}

// calleeIdent returns the identifier a call names its function by (f in
// f(x), pkg.f(x), v.m(x) and g[T](x)), or nil.
func calleeIdent(call *ast.CallExpr) *ast.Ident {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return f
	case *ast.SelectorExpr:
		return f.Sel
	case *ast.IndexExpr: // an instantiated generic func
		if x, ok := f.X.(*ast.Ident); ok {
			return x
		}
	}
	return nil
}

// printCallee returns the signature of the fmt/log print function or
// method call calls, or nil.
func printCallee(info *types.Info, call *ast.CallExpr) *types.Signature {
	id := calleeIdent(call)
	if id == nil {
		return nil
	}
	fn, ok := info.Uses[id].(*types.Func)
	if !ok || fn.Pkg() == nil || !printPkgs[fn.Pkg().Path()] {
		return nil
	}
	printer := false
	for _, p := range printPrefixes {
		if strings.HasPrefix(fn.Name(), p) {
			printer = true
		}
	}
	sig, ok := fn.Type().(*types.Signature)
	if !printer || !ok || !sig.Variadic() {
		return nil
	}
	last, ok := sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice)
	if !ok {
		return nil
	}
	if it, ok := last.Elem().Underlying().(*types.Interface); !ok || !it.Empty() {
		return nil
	}
	return sig
}

// genericFunc tells whether fd is a generic function or a method of a
// generic type.
func genericFunc(fd *ast.FuncDecl) bool {
	return fd.Type.TypeParams.NumFields() > 0 || fd.Recv != nil && genericRecv(fd)
}

// displayCallee tells whether call is display.Show, display.Render or a
// Handle's Show or Update: they format their argument as fmt does when it
// has no renderer method.
func displayCallee(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || !displayTakers[sel.Sel.Name] || len(call.Args) != 1 || call.Ellipsis.IsValid() {
		return false
	}
	fn, ok := info.Uses[sel.Sel].(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != displayPkg {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	return ok && sig.Params().Len() == 1 && !sig.Variadic() && isEmptyIface(sig.Params().At(0).Type())
}

// displayArg wraps the argument a of a display call (see displayCallee)
// as a print argument, unless its type has methods (rewriteDisplayArgs
// handles cell types with String, Error or renderer methods; a compiled
// type's renderer methods must reach display).
func (lw *lowering) displayArg(a ast.Expr) {
	tv, ok := lw.c.info.Types[a]
	if !ok || tv.Type == nil || tv.Value != nil || !tv.IsValue() || types.IsInterface(tv.Type) {
		return
	}
	if types.NewMethodSet(tv.Type).Len() > 0 || types.NewMethodSet(types.NewPointer(tv.Type)).Len() > 0 {
		return
	}
	pre, post, ok := elemMethodsCode(lw, tv.Type, a.Pos())
	if !ok {
		pre, post, ok = unwrapCode(lw, tv.Type, a.Pos(), false)
	}
	if ok {
		lw.insert(a.Pos(), pre)
		lw.insert(a.End(), post)
	}
}

// isEmptyIface tells whether t is an interface without methods.
func isEmptyIface(t types.Type) bool {
	it, ok := t.Underlying().(*types.Interface)
	return ok && it.Empty()
}

// printfLike tells whether the print call takes a format (Printf,
// Errorf, Logger.Fatalf …): its name ends in f and its last fixed
// parameter is a string. (The symbol tables' signatures have no
// parameter names.)
func printfLike(call *ast.CallExpr, sig *types.Signature) bool {
	name := ""
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
	}
	p := sig.Params().At(sig.Params().Len() - 2).Type()
	b, ok := p.Underlying().(*types.Basic)
	return strings.HasSuffix(name, "f") && ok && b.Kind() == types.String
}

// fmtArgs wraps the arguments of print calls that may hold interpreted
// interface values (see the comment at the top of this file).
func (lw *lowering) fmtArgs() {
	info := lw.c.info
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok && genericFunc(fd) {
			// yaegi v0.16.1 silently skips a call of the host package
			// in a generic body (nothing printed): only the rewrites
			// that stay in the interpreter.
			lw.genericFmtArgs(fd)
			return false
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if displayCallee(info, call) {
			lw.displayArg(call.Args[0])
			return true
		}
		sig := printCallee(info, call)
		if sig == nil {
			return true
		}
		fixed := sig.Params().Len() - 1
		if len(call.Args) <= fixed {
			return true
		}
		if call.Ellipsis.IsValid() {
			a := call.Args[len(call.Args)-1]
			if t := info.TypeOf(a); t != nil && len(call.Args) == fixed+1 {
				st, _ := t.Underlying().(*types.Slice)
				if st != nil {
					if pre, post, ok := unwrapCode(lw, st.Elem(), a.Pos(), true); ok {
						lw.insert(a.Pos(), pre)
						lw.insert(a.End(), post)
					}
				}
			}
			return true
		}
		var verbs map[int]string
		var flagged map[int]string // %+v, %#v: "+" or "#" (workaround.go)
		if fixed > 0 && printfLike(call, sig) {
			if tv := info.Types[call.Args[fixed-1]]; tv.Value != nil && tv.Value.Kind() == constant.String {
				verbs = printfVerbs(constant.StringVal(tv.Value))
				flagged = printfFlagged(constant.StringVal(tv.Value))
			}
		}
		if verbs != nil {
			lw.sharedTypeVerbs(call, fixed, verbs) // workaround.go
		}
		for i := fixed; i < len(call.Args); i++ {
			if strings.Contains(verbs[i-fixed], "w") {
				lw.wrapErrorArg(call.Args[i]) // workaround.go
			}
			if verbs[i-fixed] == "T" {
				lw.typeVerb(call, fixed, i) // workaround.go
			}
			if strings.ContainsAny(verbs[i-fixed], "Tpw") {
				continue
			}
			if lw.numericVerbArg(call.Args[i], verbs[i-fixed]) { // workaround.go
				continue
			}
			a := call.Args[i]
			tv, ok := info.Types[a]
			if !ok || tv.Type == nil || tv.Value != nil || !tv.IsValue() {
				continue
			}
			pre, post, ok := elemMethodsCode(lw, tv.Type, a.Pos())
			if !ok {
				pre, post, ok = unwrapCode(lw, tv.Type, a.Pos(), false)
			}
			if !ok && isEmptyIface(tv.Type) && (verbs == nil || stringVerbs(verbs[i-fixed])) {
				pre, post, ok = anyPrintArgCode(lw, a.Pos()) // workaround.go
			}
			if !ok && (verbs == nil || stringVerbs(verbs[i-fixed])) {
				pre, post, ok = compiledIfaceCode(lw.c.pkg, tv.Type) // workaround.go
			}
			if flagged[i-fixed] == "#" {
				// Go syntax: names of nested cell types too (workaround.go).
				if fpre, fpost, fok := lw.goSyntaxCode(tv.Type, a.Pos()); fok {
					pre, post, ok = fpre+pre, post+fpost, true
				}
			} else if fpre, fpost, fok := goFieldsCode(tv.Type); fok && flagged[i-fixed] != "" {
				pre, post, ok = fpre+pre, post+fpost, true
			}
			if ok {
				lw.insert(a.Pos(), pre)
				lw.insert(a.End(), post)
			}
		}
		return true
	})
}

// unwrapCode returns the texts to insert before and after a value of
// static type t at pos so that fmt prints it as Go does; ok is false
// when the value needs nothing. spread: the value is the []any of a
// spread call and t its element type.
func unwrapCode(lw *lowering, t types.Type, pos token.Pos, spread bool) (pre, post string, ok bool) {
	ifaces, need := nestedIfaces(t)
	if spread {
		// Each element is an argument of its own, of static type any:
		// the spread slice is one compiled call whatever its length.
		ifaces, need = []types.Type{t}, true
	}
	if !need {
		return "", "", false
	}
	cb := withContainers(lw, stringerSwitch(lw.c.pkg, ifaces, pos), ifaces, pos)
	site := "0, nil"
	if cb != "" {
		site = unwrapSite(cb)
	}
	switch {
	case spread:
		return "__godl.UnwrapAll(", ", " + site + ")", true
	case cb == "":
		return "__godl.Unwrap(", ")", true
	}
	return "__godl.UnwrapWith([]any{", "}, " + site + ")", true
}

// elemMethodsCode returns the texts to insert around a print argument of
// static type t holding, where fmt would call their String or Error
// method, values of cell types with one: elements of slices, arrays and
// maps, exported struct fields (yaegi hands compiled fmt such values
// without their methods: []Temp printed [21.5 19] for [21.5°C 19°C]).
// The value is copied in the interpreter with those values in interface
// slots, which makes them valueInterfaces (boxCode), and UnwrapWith gets
// the type switch for them. ok is false for any other t.
func elemMethodsCode(lw *lowering, t types.Type, pos token.Pos) (pre, post string, ok bool) {
	spell := func(t types.Type) (string, bool) { return lw.typeString(t, pos) }
	cellType := func(t types.Type) bool {
		_, ok := cellTypeSpelling(lw.c.pkg, t)
		return ok
	}
	b := &boxer{spell: spell, cellType: cellType}
	code, ok := b.box("__godl_x0", t, 0)
	if !ok {
		return "", "", false
	}
	cb := stringerSwitch(lw.c.pkg, []types.Type{types.NewInterfaceType(nil, nil)}, pos)
	st, ok1 := spell(t)
	if cb == "" || !ok1 {
		return "", "", false
	}
	return "__godl.UnwrapWith([]any{func(__godl_x0 " + st + ") any { return " + code + " }(", ")}, " + unwrapSite(cb) + ")", true
}

// unwrapSite returns the site and str arguments of UnwrapWith and
// UnwrapAll for the callback code cb: the site is a hash of cb, odd (0
// stands for no callback), so that calls passing the same switch share
// what the host remembers for it.
func unwrapSite(cb string) string {
	h := fnv.New32a()
	h.Write([]byte(cb))
	return fmt.Sprintf("%d, %s", h.Sum32()>>1|1, cb)
}

// boxer writes interpreted code that copies a value so that the values
// of cell types with String or Error methods inside it, where fmt calls
// those methods, sit in interface slots (yaegi's valueInterface keeps
// their type there, for UnwrapWith's type switch).
type boxer struct {
	spell    func(types.Type) (string, bool) // how the cell writes a type
	cellType func(types.Type) bool           // a cell type (or pointer to one) the cell can name
	leaves   []types.Type                    // the boxed types with methods
}

// boxKeys boxes a map whose keys are of a cell type with String or
// Error and an ordered basic underlying type (map[Level]int printed
// map[0:1 1:2] for map[low:1 high:2]): its entries go to __godl.MapOf
// as slices (keys boxed, with their underlying values to sort them as
// fmt sorts the original keys), which Unwrap prints as fmt prints a map.
func (b *boxer) boxKeys(x, xs, i string, t types.Type, u *types.Map, depth int) (string, bool) {
	key := u.Key()
	kb, ok := key.Underlying().(*types.Basic)
	if !ok || kb.Info()&(types.IsInteger|types.IsFloat|types.IsString) == 0 || !fmtMethodsStatic(key) || !b.cellType(key) {
		return "", false
	}
	st, ok := b.spell(t)
	ks, ok2 := b.spell(kb)
	if !ok || !ok2 {
		return "", false
	}
	b.leaves = append(b.leaves, key)
	d := fmt.Sprint(depth + 1)
	inner, ok := b.box(xs+"["+i+"]", u.Elem(), depth+1)
	if !ok {
		inner = xs + "[" + i + "]"
	}
	sk, kk, vk, kv, vv := "__godl_sk"+d, "__godl_kk"+d, "__godl_vk"+d, "__godl_kv"+d, "__godl_vv"+d
	// Each slot through a fresh variable (yaegi reuses a slot assigned
	// an index expression or a composite literal in a loop).
	return "func(" + xs + " " + st + ") any { if " + xs + " == nil { return " + xs + " }; " +
		sk + ", " + kk + ", " + vk + " := make([]any, 0, len(" + xs + ")), make([]any, 0, len(" + xs + ")), make([]any, 0, len(" + xs + ")); " +
		"for " + i + " := range " + xs + " { " + kv + " := " + i + "; " + vv + " := " + inner + "; " +
		sk + " = append(" + sk + ", " + ks + "(" + i + ")); " + kk + " = append(" + kk + ", " + kv + "); " + vk + " = append(" + vk + ", " + vv + ") }; " +
		"return __godl.MapOf(" + sk + ", " + kk + ", " + vk + ") }(" + x + ")", true
}

// box returns an expression of the copy of x (static type t), and
// whether anything is boxed. At depth 0 a value with its own method is
// left to yaegi, which passes it to fmt with its methods.
func (b *boxer) box(x string, t types.Type, depth int) (string, bool) {
	if depth > 4 {
		return "", false
	}
	if fmtMethodsStatic(t) {
		if depth > 0 && b.cellType(t) {
			b.leaves = append(b.leaves, t)
			return x, true // the caller puts it in an interface slot
		}
		return "", false
	}
	d := fmt.Sprint(depth + 1)
	xs, i, r, v := "__godl_x"+d, "__godl_i"+d, "__godl_r"+d, "__godl_v"+d
	switch u := t.Underlying().(type) {
	case *types.Slice, *types.Array:
		elem := u.(interface{ Elem() types.Type }).Elem()
		inner, ok := b.box(xs+"["+i+"]", elem, depth+1)
		st, ok2 := b.spell(t)
		if !ok || !ok2 {
			return "", false
		}
		// Each slot through a fresh variable: yaegi can make slots
		// assigned an index expression share one temporary.
		return "func(" + xs + " " + st + ") []any { " + r + " := make([]any, len(" + xs + ")); for " + i + " := range " + xs + " { " + v + " := " + inner + "; " + r + "[" + i + "] = " + v + " }; return " + r + " }(" + x + ")", true
	case *types.Map:
		if code, ok := b.boxKeys(x, xs, i, t, u, depth); ok {
			return code, true
		}
		inner, ok := b.box(xs+"["+i+"]", u.Elem(), depth+1)
		st, ok2 := b.spell(t)
		ks, ok3 := b.spell(u.Key())
		if !ok || !ok2 || !ok3 {
			return "", false
		}
		return "func(" + xs + " " + st + ") map[" + ks + "]any { if " + xs + " == nil { return nil }; " + r + " := make(map[" + ks + "]any, len(" + xs + ")); for " + i + " := range " + xs + " { " + v + " := " + inner + "; " + r + "[" + i + "] = " + v + " }; return " + r + " }(" + x + ")", true
	case *types.Struct:
		var idx, vals, lets []string
		for k := 0; k < u.NumFields(); k++ {
			f := u.Field(k)
			if !f.Exported() || f.Embedded() {
				continue // fmt calls no method of an unexported field
			}
			inner, ok := b.box(xs+"."+f.Name(), f.Type(), depth+1)
			if !ok {
				continue
			}
			fv := fmt.Sprintf("%s_%d", v, k)
			lets = append(lets, fv+" := "+inner+"; ")
			idx = append(idx, fmt.Sprint(k))
			vals = append(vals, fv)
		}
		st, ok := b.spell(t)
		if len(idx) == 0 || !ok {
			return "", false
		}
		return "func(" + xs + " " + st + ") any { " + strings.Join(lets, "") + "return __godl.Fields(" + xs + ", []int{" + strings.Join(idx, ", ") + "}, []any{" + strings.Join(vals, ", ") + "}) }(" + x + ")", true
	case *types.Pointer:
		if depth > 0 {
			return "", false // fmt prints an address
		}
		switch u.Elem().Underlying().(type) {
		case *types.Struct, *types.Slice, *types.Array, *types.Map:
		default:
			return "", false
		}
		inner, ok := b.box("(*"+xs+")", u.Elem(), depth+1)
		st, ok2 := b.spell(t)
		if !ok || !ok2 {
			return "", false
		}
		return "func(" + xs + " " + st + ") any { if " + xs + " == nil { return " + xs + " }; return __godl.Ptr(" + inner + ") }(" + x + ")", true
	}
	return "", false
}

// nestedIfaces returns the interface types (without String or Error
// methods) whose dynamic values fmt prints inside a value of type t, and
// whether there is any: t itself if it is an interface declared in a
// cell (a compiled call on an `any` costs microseconds in yaegi, and its
// value is rarely a composite holding interpreted interfaces), or those
// inside the elements, keys and fields of a composite t (and of what a
// pointer t points to: fmt prints &{…}; deeper pointers print as
// addresses).
// Types with String, Error or Format methods are printed by those and
// need nothing.
func nestedIfaces(t types.Type) ([]types.Type, bool) {
	var out []types.Type
	seen := map[types.Type]bool{}
	var walk func(t types.Type, top bool)
	walk = func(t types.Type, top bool) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		if _, ok := t.(*types.TypeParam); ok {
			return
		}
		if _, ok := t.Underlying().(*types.Interface); ok {
			if !fmtMethodsStatic(t) && (!top || cellInterface(t)) {
				out = append(out, t)
			}
			return
		}
		if fmtMethodsStatic(t) {
			return
		}
		switch u := t.Underlying().(type) {
		case *types.Pointer:
			if !top {
				return
			}
			switch u.Elem().Underlying().(type) {
			case *types.Struct, *types.Array, *types.Slice, *types.Map:
				walk(u.Elem(), false)
			}
		case *types.Slice:
			walk(u.Elem(), false)
		case *types.Array:
			walk(u.Elem(), false)
		case *types.Map:
			walk(u.Key(), false)
			walk(u.Elem(), false)
		case *types.Struct:
			for i := 0; i < u.NumFields(); i++ {
				walk(u.Field(i).Type(), false)
			}
		}
	}
	walk(t, true)
	return out, len(out) > 0
}

// cellInterface tells whether t is an interface type declared in a cell
// (whose values are interpreted ones).
func cellInterface(t types.Type) bool {
	return types.IsInterface(t) && isCellType(types.Unalias(t))
}

// fmtMethodsStatic tells whether fmt prints a value of type t through
// its String, Error, Format or GoString method.
func fmtMethodsStatic(t types.Type) bool {
	ms := types.NewMethodSet(t)
	if niladic(ms, "String") == "string" || niladic(ms, "Error") == "string" || niladic(ms, "GoString") == "string" {
		return true
	}
	return ms.Lookup(nil, "Format") != nil
}

// stringerSwitch returns a func literal for UnwrapWith that gives the
// String or Error text of the cell types (T or *T) held by one of ifaces
// (types usable at pos), or "" when there are none.
func stringerSwitch(pkg *types.Package, ifaces []types.Type, pos token.Pos) string {
	if pkg == nil || len(ifaces) == 0 {
		return "" // no interface can hold a cell type: skip the session's method sets
	}
	var cases, ptrs []string
	for _, nt := range cellTypesAt(pkg, pos) {
		name := nt.Obj().Name()
		for _, c := range []types.Type{nt, types.NewPointer(nt)} {
			method := textMethod(c)
			if method == "" {
				continue
			}
			if !heldBy(c, ifaces) {
				continue
			}
			spell := name
			if _, ok := c.(*types.Pointer); ok {
				spell = "*" + name
				if !structTwin(pkg, nt) {
					ptrs = append(ptrs, "case "+spell+": return __godl_z."+method+"(), true")
				}
			}
			cases = append(cases, "case "+spell+": return __godl_sv.("+spell+")."+method+"(), true")
		}
	}
	if len(cases) == 0 {
		return ""
	}
	// A pointer comes from the host as a plain pointer (rawPointer in
	// unwrap.go), which only a guarded switch matches, by structure:
	// not for types whose structure another cell type shares.
	guarded := ""
	if len(ptrs) > 0 {
		guarded = "switch __godl_z := __godl_sv.(type) { " + strings.Join(ptrs, "; ") + " }; "
	}
	return "func(__godl_sv any) (string, bool) { switch __godl_sv.(type) { " + strings.Join(cases, "; ") + " }; " + guarded + "return \"\", false }"
}

// heldBy tells whether one of ifaces can hold a value of type t.
func heldBy(t types.Type, ifaces []types.Type) bool {
	for _, it := range ifaces {
		if types.AssignableTo(t, it) {
			return true
		}
	}
	return false
}

// structTwin tells whether another named type of pkg has nt's
// underlying type (yaegi's guarded type switch cannot tell them apart).
func structTwin(pkg *types.Package, nt *types.Named) bool {
	for _, name := range pkg.Scope().Names() {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || tn == nt.Obj() {
			continue
		}
		if o, ok := tn.Type().(*types.Named); ok && o.TypeParams().Len() == 0 && types.Identical(o.Underlying(), nt.Underlying()) {
			return true
		}
	}
	return false
}

// printfDirective is one verb of a constant Printf format.
type printfDirective struct {
	off   int    // offset of the verb in the format
	arg   int    // index (from 0) of the argument it formats
	verb  rune   // '%' for a literal percent sign, which takes no argument
	flags string // those of "+-# 0" it has
	stars []printfStar
}

// printfStar is a * width or precision: it takes an argument too.
type printfStar struct{ off, arg int }

// scanPrintf returns the directives of a constant Printf format,
// following fmt's rules for flags, explicit argument indexes ([n]) and *
// widths and precisions. Offsets are into format (a format's source text:
// an escape such as \x25 is not a % sign there and is not handled).
func scanPrintf(format string) []printfDirective {
	var out []printfDirective
	arg := 0
	// index parses "[n]" at format[i:], setting the next argument, and
	// returns the position after it.
	index := func(i int) int {
		if i < len(format) && format[i] == '[' {
			j := strings.IndexByte(format[i:], ']')
			if j < 0 {
				return i
			}
			n := 0
			for _, c := range format[i+1 : i+j] {
				if c < '0' || c > '9' {
					return i + j + 1
				}
				n = n*10 + int(c-'0')
			}
			if n > 0 {
				arg = n - 1
			}
			return i + j + 1
		}
		return i
	}
	for i := 0; i < len(format); {
		if format[i] != '%' {
			i++
			continue
		}
		i++
		var d printfDirective
		start := i
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		d.flags = format[start:i]
		// Width, then precision: a number, or * taking an argument.
		for part := 0; part < 2; part++ {
			if part == 1 {
				if i >= len(format) || format[i] != '.' {
					break
				}
				i++
			}
			i = index(i)
			if i < len(format) && format[i] == '*' {
				d.stars = append(d.stars, printfStar{off: i, arg: arg})
				arg++
				i++
				continue
			}
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
		}
		i = index(i)
		if i >= len(format) {
			break
		}
		verb, size := utf8.DecodeRuneInString(format[i:])
		d.off, d.verb, d.arg = i, verb, arg
		i += size
		out = append(out, d)
		if verb != '%' {
			arg++
		}
	}
	return out
}

// printfVerbs returns, for a constant Printf format, the verbs applied to
// each argument (by index from 0).
func printfVerbs(format string) map[int]string {
	verbs := map[int]string{}
	for _, d := range scanPrintf(format) {
		if d.verb != '%' {
			verbs[d.arg] += string(d.verb)
		}
	}
	return verbs
}

// sprintCode returns the expression the code showing a final value uses
// for the %v text of x, of static type t: fmt.Sprint of x unwrapped, with
// the String and Error methods of cell types held in interfaces inside
// it (finalStringer) and, when the types can be written without the
// lowering's help, of cell-type values in elements and exported fields
// (boxer).
func sprintCode(x string, t types.Type) string {
	b := &boxer{spell: simpleSpelling, cellType: func(t types.Type) bool {
		_, ok := simpleSpelling(t)
		return ok && involvesCellType(t)
	}}
	if t != nil {
		if code, ok := b.box("__godl_x0", t, 0); ok {
			if st, ok := simpleSpelling(t); ok {
				return fmt.Sprintf("__godl_fmt.Sprint(__godl.UnwrapWith([]any{func(__godl_x0 %s) any { return %s }(%s)}, %s))", st, code, x, unwrapSite(leafSwitch(b.leaves)))
			}
		}
	}
	return "__godl_fmt.Sprint(__godl.UnwrapWith([]any{" + x + "}, 0, __godl_str))"
}

// leafSwitch returns the UnwrapWith callback for the cell types boxed
// (T or *T, spelled by name), falling back to __godl_str.
func leafSwitch(leaves []types.Type) string {
	var cases []string
	seen := map[string]bool{}
	for _, t := range leaves {
		st, ok := simpleSpelling(t)
		if !ok || seen[st] {
			continue
		}
		seen[st] = true
		ms := types.NewMethodSet(t)
		method := "String"
		if niladic(ms, "Error") == "string" {
			method = "Error"
		}
		cases = append(cases, "case "+st+": return __godl_sv.("+st+")."+method+"(), true")
	}
	return "func(__godl_sv any) (string, bool) { switch __godl_sv.(type) { " + strings.Join(cases, "; ") + " }; if __godl_str != nil { return __godl_str(__godl_sv) }; return \"\", false }"
}

// simpleSpelling writes t as code in a cell's function can, without the
// lowering's scope: basic types and the top-level types of the cells
// (package main), and slices, arrays, maps and pointers of those.
func simpleSpelling(t types.Type) (string, bool) {
	switch t := types.Unalias(t).(type) {
	case *types.Basic:
		if t.Info()&types.IsUntyped != 0 || t.Kind() == types.UnsafePointer || t.Kind() == types.Invalid {
			return "", false
		}
		return t.Name(), true
	case *types.Named:
		o := t.Obj()
		if o.Pkg() == nil || o.Pkg().Path() != "main" || o.Parent() != o.Pkg().Scope() || t.TypeArgs().Len() > 0 || t.TypeParams().Len() > 0 {
			return "", false
		}
		return o.Name(), true
	case *types.Slice:
		e, ok := simpleSpelling(t.Elem())
		return "[]" + e, ok
	case *types.Array:
		e, ok := simpleSpelling(t.Elem())
		return fmt.Sprintf("[%d]%s", t.Len(), e), ok
	case *types.Pointer:
		e, ok := simpleSpelling(t.Elem())
		return "*" + e, ok
	case *types.Map:
		k, ok1 := simpleSpelling(t.Key())
		e, ok2 := simpleSpelling(t.Elem())
		return "map[" + k + "]" + e, ok1 && ok2
	}
	return "", false
}

// finalStringer sets the interpreter's __godl_str, the type switch that
// sprintCode and the prelude's __godl_show pass to UnwrapWith, before a
// cell's final expression whose value may hold cell types with String or
// Error methods in interfaces inside it (the statement goes on the
// expression's line).
func (lw *lowering) finalStringer() {
	es := cellFinalStmt(lw.c)
	if es == nil {
		return
	}
	tv, ok := lw.c.info.Types[es.X]
	if !ok || tv.Type == nil || !tv.IsValue() {
		return
	}
	var ifaces []types.Type
	add := func(t types.Type) {
		if is, ok := nestedIfaces(t); ok {
			ifaces = append(ifaces, is...)
		}
	}
	if tu, ok := tv.Type.(*types.Tuple); ok {
		for i := 0; i < tu.Len(); i++ {
			add(tu.At(i).Type())
		}
	} else {
		add(tv.Type)
	}
	if cb := withContainers(lw, stringerSwitch(lw.c.pkg, ifaces, es.Pos()), ifaces, es.Pos()); cb != "" {
		lw.insert(es.Pos(), "__godl_str = "+cb+"; ")
	}
}

// genericFmtArgs rewrites the print calls of a generic body without
// host calls: arguments of a type parameter type or any printed with
// %v (or Print) go through a type switch that gives the String or Error
// result of the cell types the cell knows (fmt printed {3} for T = Oops),
// %T of them through typeNameSwitch with fmt as fallback, %w arguments
// of cell error types through the interpreted conversion to error
// (ifaceConv's func literal), which fmt.Errorf wraps with their Error
// method (it printed %!w(struct { N int }={4})). Cell types declared in
// later cells are not in the switches.
func (lw *lowering) genericFmtArgs(fd *ast.FuncDecl) {
	info := lw.c.info
	ast.Inspect(fd, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sig := printCallee(info, call)
		if sig == nil || call.Ellipsis.IsValid() {
			return true
		}
		fixed := sig.Params().Len() - 1
		if len(call.Args) <= fixed {
			return true
		}
		var verbs map[int]string
		if fixed > 0 && printfLike(call, sig) {
			if tv := info.Types[call.Args[fixed-1]]; tv.Value != nil && tv.Value.Kind() == constant.String {
				verbs = printfVerbs(constant.StringVal(tv.Value))
			} else {
				return true
			}
		}
		for i := fixed; i < len(call.Args); i++ {
			a := call.Args[i]
			at := info.TypeOf(a)
			if at == nil {
				continue
			}
			_, param := types.Unalias(at).(*types.TypeParam)
			switch {
			case verbs[i-fixed] == "T" && (param || types.IsInterface(at)):
				lw.typeVerb(call, fixed, i) // workaround.go
				continue
			case (param || isEmptyIface(at)) && (verbs == nil || stringVerbs(verbs[i-fixed])):
				// A value of a cell type with String or Error: the
				// method's result (fmt printed {3} for a T = Oops).
				if cb := genericStringer(lw.c.pkg, a.Pos()); cb != "" { // workaround.go
					// Also without cell types yet: a later cell's type
					// through __godl_str.
					lw.insert(a.Pos(), cb+"(")
					lw.insert(a.End(), ")")
				}
				continue
			}
			if !strings.Contains(verbs[i-fixed], "w") || types.IsInterface(at) || !involvesCellType(at) {
				continue
			}
			if niladic(types.NewMethodSet(at), "Error") != "string" {
				continue
			}
			if ts, ok := lw.typeString(at, a.Pos()); ok {
				lw.insert(a.Pos(), "func(__godl_v "+ts+") error { return __godl_v }(")
				lw.insert(a.End(), ")")
			}
		}
		return true
	})
}

// withContainers adds to cb (a stringerSwitch callback) the named cell
// types without String or Error whose elements or exported fields have
// them (type Pair struct{ A Temp }): yaegi stores such a value in an
// interface without the inner methods ([]any{Pair{…}} printed [{1 2}]
// for [{1.0°C 2}]). A comma-ok assertion finds the value (by structure:
// not for types whose layout another cell type shares), and the case
// gives fmt's texts of its boxed copy (elemMethodsCode) for %v and %+v,
// separated by a NUL (textValue).
func withContainers(lw *lowering, cb string, ifaces []types.Type, pos token.Pos) string {
	const tail = `return "", false }`
	if cb == "" || !strings.HasSuffix(cb, tail) || lw.c.pkg == nil {
		return cb
	}
	var checks []string
	for _, nt := range cellTypesAt(lw.c.pkg, pos) {
		if fmtMethodsStatic(nt) || fmtMethodsStatic(types.NewPointer(nt)) || structTwin(lw.c.pkg, nt) {
			continue
		}
		if _, isStruct := nt.Underlying().(*types.Struct); !isStruct {
			continue // other kinds match plain values of their underlying type
		}
		if !heldBy(nt, ifaces) {
			continue
		}
		name := nt.Obj().Name()
		pre, post, ok := elemMethodsCode(lw, nt, pos)
		if !ok {
			continue
		}
		// Both %v's and %+v's text (textValue picks one).
		checks = append(checks, "if __godl_c, __godl_ok := __godl_sv.("+name+"); __godl_ok { return func(__godl_b any) string { return __godl_fmt.Sprint(__godl_b) + \"\\x00\" + __godl_fmt.Sprintf(\"%+v\", __godl_b) }("+pre+"__godl_c"+post+"), true }; ")
	}
	if len(checks) == 0 {
		return cb
	}
	return strings.TrimSuffix(cb, tail) + strings.Join(checks, "") + tail
}
