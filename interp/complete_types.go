package interp

// Type inference for completion and inspection: enough to know the type of
// a variable from its declaration (explicit types, composite literals,
// calls of compiled functions and methods through their reflect types,
// user funcs and struct types), without type-checking.

import (
	"go/ast"
	"go/constant"
	"go/printer"
	"go/token"
	"reflect"
	"sort"
	"strings"
)

// hType is an inferred type: a compiled type (rt), a user named type
// (named, possibly behind a pointer), or another user type expression
// (expr: slices, maps, funcs ... of user types). The zero hType is unknown.
type hType struct {
	rt    reflect.Type
	named *helpBinding
	ptr   bool
	expr  ast.Expr
	tuple []hType // results of a call with several
}

func (t hType) known() bool { return t.rt != nil || t.named != nil || t.expr != nil || t.tuple != nil }

// String returns the type as Go source would write it.
func (t hType) String() string {
	switch {
	case t.rt != nil:
		return t.rt.String()
	case t.named != nil:
		if t.ptr {
			return "*" + t.named.name
		}
		return t.named.name
	case t.expr != nil:
		return exprString(t.expr)
	case t.tuple != nil:
		parts := make([]string, len(t.tuple))
		for i, e := range t.tuple {
			parts[i] = e.String()
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return ""
}

func exprString(e ast.Node) string {
	var b strings.Builder
	printer.Fprint(&b, token.NewFileSet(), e)
	return b.String()
}

var basicTypes = map[string]reflect.Type{
	"bool": reflect.TypeOf(false), "string": reflect.TypeOf(""),
	"int": reflect.TypeOf(0), "int8": reflect.TypeOf(int8(0)), "int16": reflect.TypeOf(int16(0)),
	"int32": reflect.TypeOf(int32(0)), "int64": reflect.TypeOf(int64(0)),
	"uint": reflect.TypeOf(uint(0)), "uint8": reflect.TypeOf(uint8(0)), "uint16": reflect.TypeOf(uint16(0)),
	"uint32": reflect.TypeOf(uint32(0)), "uint64": reflect.TypeOf(uint64(0)), "uintptr": reflect.TypeOf(uintptr(0)),
	"float32": reflect.TypeOf(float32(0)), "float64": reflect.TypeOf(float64(0)),
	"complex64": reflect.TypeOf(complex64(0)), "complex128": reflect.TypeOf(complex128(0)),
	"byte": reflect.TypeOf(byte(0)), "rune": reflect.TypeOf(rune(0)),
	"error": reflect.TypeOf((*error)(nil)).Elem(), "any": reflect.TypeOf((*any)(nil)).Elem(),
}

var constantValueType = reflect.TypeOf((*constant.Value)(nil)).Elem()

// maxInferDepth bounds the recursion of inference through declarations
// (x := y; y := x in broken code must not loop).
const maxInferDepth = 24

// resolveType returns the type a type expression denotes.
func (env *helpEnv) resolveType(e ast.Expr, depth int) hType {
	if depth > maxInferDepth || e == nil {
		return hType{}
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return env.resolveType(x.X, depth+1)
	case *ast.Ident:
		if b := env.lookup(x.Name); b != nil {
			if b.kind != bindType {
				return hType{}
			}
			if b.alias {
				return env.resolveType(b.typ, depth+1)
			}
			return hType{named: b}
		}
		if rt, ok := basicTypes[x.Name]; ok {
			return hType{rt: rt}
		}
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			if p := env.packagePath(id.Name); p != "" {
				if v, ok := pkgTable(p)[x.Sel.Name]; ok && v.Kind() == reflect.Pointer && v.IsNil() {
					return hType{rt: v.Type().Elem()}
				}
			}
		}
	case *ast.StarExpr:
		in := env.resolveType(x.X, depth+1)
		switch {
		case in.rt != nil:
			return hType{rt: reflect.PointerTo(in.rt)}
		case in.named != nil && !in.ptr:
			return hType{named: in.named, ptr: true}
		case in.known():
			return hType{expr: x}
		}
	case *ast.IndexExpr, *ast.IndexListExpr:
		return hType{} // generic instantiation
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.StructType, *ast.InterfaceType:
		// Prefer a compiled type when every part is one.
		if rt := env.reflectOf(x, depth+1); rt != nil {
			return hType{rt: rt}
		}
		return hType{expr: x}
	}
	return hType{}
}

// reflectOf builds the compiled type of a composite type expression whose
// parts are all compiled, or returns nil.
func (env *helpEnv) reflectOf(e ast.Expr, depth int) reflect.Type {
	elem := func(e ast.Expr) reflect.Type {
		t := env.resolveType(e, depth+1)
		return t.rt
	}
	switch x := e.(type) {
	case *ast.ArrayType:
		el := elem(x.Elt)
		if el == nil {
			return nil
		}
		if x.Len == nil {
			return reflect.SliceOf(el)
		}
		if bl, ok := x.Len.(*ast.BasicLit); ok && bl.Kind == token.INT {
			var n int
			for _, ch := range bl.Value {
				if ch < '0' || ch > '9' || n > 1<<20 {
					return nil
				}
				n = n*10 + int(ch-'0')
			}
			return reflect.ArrayOf(n, el)
		}
	case *ast.MapType:
		k, v := elem(x.Key), elem(x.Value)
		if k != nil && v != nil && k.Comparable() {
			return reflect.MapOf(k, v)
		}
	case *ast.ChanType:
		if el := elem(x.Value); el != nil {
			dir := reflect.BothDir
			if x.Dir == ast.SEND {
				dir = reflect.SendDir
			} else if x.Dir == ast.RECV {
				dir = reflect.RecvDir
			}
			return reflect.ChanOf(dir, el)
		}
	case *ast.InterfaceType:
		if x.Methods == nil || len(x.Methods.List) == 0 {
			return basicTypes["any"]
		}
	}
	return nil
}

// underlying returns the type a user named type is defined as.
func (env *helpEnv) underlying(t hType, depth int) hType {
	for i := 0; t.named != nil && !t.ptr && i < maxInferDepth; i++ {
		t = env.resolveType(t.named.typ, depth+1)
	}
	return t
}

// typeOf infers the type of an expression.
func (env *helpEnv) typeOf(e ast.Expr, depth int) hType {
	if depth > maxInferDepth || e == nil {
		return hType{}
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return env.typeOf(x.X, depth+1)
	case *ast.Ident:
		switch x.Name {
		case "true", "false":
			if env.lookup(x.Name) == nil {
				return hType{rt: basicTypes["bool"]}
			}
		}
		if b := env.lookup(x.Name); b != nil {
			return env.bindingType(b, depth+1)
		}
	case *ast.BasicLit:
		switch x.Kind {
		case token.INT:
			return hType{rt: basicTypes["int"]}
		case token.FLOAT:
			return hType{rt: basicTypes["float64"]}
		case token.IMAG:
			return hType{rt: basicTypes["complex128"]}
		case token.CHAR:
			return hType{rt: basicTypes["rune"]}
		case token.STRING:
			return hType{rt: basicTypes["string"]}
		}
	case *ast.CompositeLit:
		if x.Type != nil {
			return env.resolveType(x.Type, depth+1)
		}
	case *ast.FuncLit:
		return env.resolveType(x.Type, depth+1)
	case *ast.UnaryExpr:
		in := env.typeOf(x.X, depth+1)
		switch x.Op {
		case token.AND:
			switch {
			case in.rt != nil:
				return hType{rt: reflect.PointerTo(in.rt)}
			case in.named != nil && !in.ptr:
				return hType{named: in.named, ptr: true}
			}
			return hType{}
		case token.ARROW:
			return env.elemType(in, depth+1)
		case token.NOT:
			return hType{rt: basicTypes["bool"]}
		}
		return in
	case *ast.StarExpr:
		return env.elemType(env.typeOf(x.X, depth+1), depth+1)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return hType{rt: basicTypes["bool"]}
		case token.SHL, token.SHR:
			return env.typeOf(x.X, depth+1)
		}
		if _, lit := x.X.(*ast.BasicLit); lit {
			if t := env.typeOf(x.Y, depth+1); t.known() {
				return t
			}
		}
		return env.typeOf(x.X, depth+1)
	case *ast.CallExpr:
		return env.callType(x, depth+1)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			if p := env.packagePath(id.Name); p != "" {
				return pkgValueType(p, x.Sel.Name)
			}
		}
		return env.memberType(env.typeOf(x.X, depth+1), x.Sel.Name, depth+1)
	case *ast.IndexExpr:
		t := env.typeOf(x.X, depth+1)
		if t.rt != nil && t.rt.Kind() == reflect.String {
			return hType{rt: basicTypes["byte"]}
		}
		return env.elemType(t, depth+1)
	case *ast.SliceExpr:
		t := env.typeOf(x.X, depth+1)
		if t.rt != nil && t.rt.Kind() == reflect.Pointer && t.rt.Elem().Kind() == reflect.Array {
			return hType{rt: reflect.SliceOf(t.rt.Elem().Elem())}
		}
		if t.rt != nil && t.rt.Kind() == reflect.Array {
			return hType{rt: reflect.SliceOf(t.rt.Elem())}
		}
		return t
	case *ast.TypeAssertExpr:
		return env.resolveType(x.Type, depth+1)
	}
	return hType{}
}

// pkgValueType is the type of a package-level value of a compiled package.
func pkgValueType(p, name string) hType {
	v, ok := pkgTable(p)[name]
	if !ok || !v.IsValid() {
		return hType{}
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return hType{} // a type, not a value
	}
	if v.Type().Implements(constantValueType) {
		if c, ok := v.Interface().(constant.Value); ok {
			switch c.Kind() {
			case constant.Int:
				return hType{rt: basicTypes["int"]}
			case constant.Float:
				return hType{rt: basicTypes["float64"]}
			case constant.String:
				return hType{rt: basicTypes["string"]}
			case constant.Bool:
				return hType{rt: basicTypes["bool"]}
			case constant.Complex:
				return hType{rt: basicTypes["complex128"]}
			}
		}
	}
	return hType{rt: v.Type()}
}

// bindingType is the type of the value a binding names.
func (env *helpEnv) bindingType(b *helpBinding, depth int) hType {
	switch b.kind {
	case bindFunc:
		return env.resolveType(b.typ, depth+1)
	case bindType, bindImport:
		return hType{}
	}
	if b.rangeOf != nil {
		t := env.underlying(env.typeOf(b.rangeOf, depth+1), depth+1)
		if t.rt != nil {
			rt := t.rt
			if rt.Kind() == reflect.Pointer && rt.Elem().Kind() == reflect.Array {
				rt = rt.Elem()
			}
			switch rt.Kind() {
			case reflect.Slice, reflect.Array:
				if b.key {
					return hType{rt: basicTypes["int"]}
				}
				return hType{rt: rt.Elem()}
			case reflect.String:
				if b.key {
					return hType{rt: basicTypes["int"]}
				}
				return hType{rt: basicTypes["rune"]}
			case reflect.Map:
				if b.key {
					return hType{rt: rt.Key()}
				}
				return hType{rt: rt.Elem()}
			case reflect.Chan:
				return hType{rt: rt.Elem()}
			case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64:
				return hType{rt: rt}
			}
			return hType{}
		}
		switch x := t.expr.(type) {
		case *ast.ArrayType:
			if b.key {
				return hType{rt: basicTypes["int"]}
			}
			return env.resolveType(x.Elt, depth+1)
		case *ast.MapType:
			if b.key {
				return env.resolveType(x.Key, depth+1)
			}
			return env.resolveType(x.Value, depth+1)
		case *ast.ChanType:
			return env.resolveType(x.Value, depth+1)
		}
		return hType{}
	}
	if b.typ != nil {
		return env.resolveType(b.typ, depth+1)
	}
	if b.val == nil {
		return hType{}
	}
	if b.idx < 0 {
		return env.typeOf(b.val, depth+1)
	}
	// One of several values of a single expression.
	switch v := b.val.(type) {
	case *ast.IndexExpr, *ast.TypeAssertExpr, *ast.UnaryExpr: // v, ok := m[k] / x.(T) / <-ch
		if b.idx == 1 {
			return hType{rt: basicTypes["bool"]}
		}
		return env.typeOf(v, depth+1)
	}
	t := env.typeOf(b.val, depth+1)
	if b.idx < len(t.tuple) {
		return t.tuple[b.idx]
	}
	return hType{}
}

// elemType is the element type of a pointer, slice, array, map or channel.
func (env *helpEnv) elemType(t hType, depth int) hType {
	if t.named != nil && t.ptr {
		return hType{named: t.named}
	}
	t = env.underlying(t, depth+1)
	if t.rt != nil {
		switch t.rt.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map, reflect.Chan:
			return hType{rt: t.rt.Elem()}
		}
		return hType{}
	}
	switch x := t.expr.(type) {
	case *ast.StarExpr:
		return env.resolveType(x.X, depth+1)
	case *ast.ArrayType:
		return env.resolveType(x.Elt, depth+1)
	case *ast.MapType:
		return env.resolveType(x.Value, depth+1)
	case *ast.ChanType:
		return env.resolveType(x.Value, depth+1)
	}
	return hType{}
}

// callType infers the type of a call: a conversion, a builtin, or a call
// of a func value (its results).
func (env *helpEnv) callType(x *ast.CallExpr, depth int) hType {
	if id, ok := x.Fun.(*ast.Ident); ok && env.lookup(id.Name) == nil {
		switch id.Name {
		case "new":
			if len(x.Args) == 1 {
				in := env.resolveType(x.Args[0], depth+1)
				switch {
				case in.rt != nil:
					return hType{rt: reflect.PointerTo(in.rt)}
				case in.named != nil && !in.ptr:
					return hType{named: in.named, ptr: true}
				}
			}
			return hType{}
		case "make":
			if len(x.Args) > 0 {
				return env.resolveType(x.Args[0], depth+1)
			}
			return hType{}
		case "append", "min", "max":
			if len(x.Args) > 0 {
				return env.typeOf(x.Args[0], depth+1)
			}
			return hType{}
		case "len", "cap", "copy":
			return hType{rt: basicTypes["int"]}
		case "real", "imag":
			return hType{rt: basicTypes["float64"]}
		case "complex":
			return hType{rt: basicTypes["complex128"]}
		case "recover":
			return hType{rt: basicTypes["any"]}
		}
	}
	// A conversion T(x)?
	if conv := env.resolveType(x.Fun, depth+1); conv.known() {
		return conv
	}
	ft := env.underlying(env.typeOf(x.Fun, depth+1), depth+1)
	if ft.rt != nil && ft.rt.Kind() == reflect.Func {
		switch n := ft.rt.NumOut(); n {
		case 0:
			return hType{}
		case 1:
			return hType{rt: ft.rt.Out(0)}
		default:
			tuple := make([]hType, n)
			for i := range tuple {
				tuple[i] = hType{rt: ft.rt.Out(i)}
			}
			return hType{tuple: tuple}
		}
	}
	if f, ok := ft.expr.(*ast.FuncType); ok && f.Results != nil {
		var tuple []hType
		for _, r := range f.Results.List {
			n := len(r.Names)
			if n == 0 {
				n = 1
			}
			rt := env.resolveType(r.Type, depth+1)
			for i := 0; i < n; i++ {
				tuple = append(tuple, rt)
			}
		}
		if len(tuple) == 1 {
			return tuple[0]
		}
		return hType{tuple: tuple}
	}
	return hType{}
}

// helpMember is a field or method of a type.
type helpMember struct {
	name   string
	method bool
	sig    string // "func(i, j int) float64" or the field type
	typ    hType  // field type, or the method's func type
	// owner is the compiled type declaring the member (for docs), or nil.
	owner reflect.Type
	// decl is the user declaration (method FuncDecl or struct field).
	decl *helpBinding
	fld  *ast.Field
}

// memberType is the type of t.name (field, or method value).
func (env *helpEnv) memberType(t hType, name string, depth int) hType {
	for _, m := range env.members(t, depth+1) {
		if m.name == name {
			return m.typ
		}
	}
	return hType{}
}

// members returns the fields and methods of a value of type t, sorted by
// name (a variable is addressable: pointer methods are included).
func (env *helpEnv) members(t hType, depth int) []helpMember {
	if depth > maxInferDepth || !t.known() {
		return nil
	}
	seen := map[string]bool{}
	var out []helpMember
	add := func(m helpMember) {
		if !seen[m.name] {
			seen[m.name] = true
			out = append(out, m)
		}
	}
	if t.rt != nil {
		for _, m := range reflectMembers(t.rt) {
			add(m)
		}
	}
	if t.named != nil {
		for _, name := range sortedKeys(env.globals.methods[t.named.name]) {
			mb := env.globals.methods[t.named.name][name]
			ft, _ := mb.typ.(*ast.FuncType)
			sig := "func"
			if ft != nil {
				sig = exprString(ft)
			}
			add(helpMember{name: name, method: true, sig: sig, typ: hType{expr: mb.typ}, decl: mb})
		}
		under := env.resolveType(t.named.typ, depth+1)
		switch st := under.expr.(type) {
		case *ast.StructType:
			var embedded []hType
			for _, f := range st.Fields.List {
				ft := env.resolveType(f.Type, depth+1)
				if len(f.Names) == 0 { // embedded
					name := recvBase(f.Type)
					if sel, ok := f.Type.(*ast.SelectorExpr); ok {
						name = sel.Sel.Name
					} else if st, ok := f.Type.(*ast.StarExpr); ok {
						if sel, ok := st.X.(*ast.SelectorExpr); ok {
							name = sel.Sel.Name
						}
					}
					add(helpMember{name: name, sig: exprString(f.Type), typ: ft, decl: t.named, fld: f})
					embedded = append(embedded, ft)
					continue
				}
				for _, n := range f.Names {
					add(helpMember{name: n.Name, sig: exprString(f.Type), typ: ft, decl: t.named, fld: f})
				}
			}
			for _, et := range embedded {
				for _, m := range env.members(et, depth+1) {
					add(m)
				}
			}
		case *ast.InterfaceType:
			for _, f := range st.Methods.List {
				for _, n := range f.Names {
					add(helpMember{name: n.Name, method: true, sig: exprString(f.Type), typ: hType{expr: f.Type}, decl: t.named, fld: f})
				}
			}
		default:
			if under.rt != nil && under.rt.Kind() == reflect.Struct {
				for _, m := range reflectMembers(under.rt) {
					if !m.method {
						add(m)
					}
				}
			}
		}
	}
	if st, ok := t.expr.(*ast.StructType); ok {
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				add(helpMember{name: n.Name, sig: exprString(f.Type), typ: env.resolveType(f.Type, depth+1), fld: f})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// reflectMembers lists the exported methods and fields of a compiled type.
func reflectMembers(rt reflect.Type) []helpMember {
	var out []helpMember
	mt := rt
	if rt.Kind() != reflect.Pointer && rt.Kind() != reflect.Interface {
		mt = reflect.PointerTo(rt)
	}
	iface := mt.Kind() == reflect.Interface
	for i := 0; i < mt.NumMethod(); i++ {
		m := mt.Method(i)
		if !m.IsExported() {
			continue
		}
		ft := m.Type
		if !iface {
			// Drop the receiver.
			in := make([]reflect.Type, 0, ft.NumIn())
			for j := 1; j < ft.NumIn(); j++ {
				in = append(in, ft.In(j))
			}
			out := make([]reflect.Type, ft.NumOut())
			for j := range out {
				out[j] = ft.Out(j)
			}
			ft = reflect.FuncOf(in, out, ft.IsVariadic())
		}
		owner := rt
		for owner.Kind() == reflect.Pointer {
			owner = owner.Elem()
		}
		out = append(out, helpMember{name: m.Name, method: true, sig: ft.String(), typ: hType{rt: ft}, owner: owner})
	}
	st := rt
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		for _, f := range reflect.VisibleFields(st) {
			if !f.IsExported() {
				continue
			}
			owner := st
			if len(f.Index) > 1 {
				owner = st.FieldByIndex(f.Index[:len(f.Index)-1]).Type
				for owner.Kind() == reflect.Pointer {
					owner = owner.Elem()
				}
			}
			out = append(out, helpMember{name: f.Name, sig: f.Type.String(), typ: hType{rt: f.Type}, owner: owner})
		}
	}
	return out
}
