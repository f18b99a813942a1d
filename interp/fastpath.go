package interp

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"math"
	"reflect"
	"strings"

	"github.com/godl-kernel/godl/kernel"
)

// Cells the session runs without yaegi's compile and execute (each
// yaegi compile costs tens of microseconds and grows its global frame,
// which every later execute copies):
//
//   - constCell: one constant expression (`1+1`, `2.5*4`, `"a" + "b"`,
//     `1<<10`, `float64(7)/2`) of universe names only. go/types computes
//     its exact value; its Out value is that constant converted to its
//     default type (int, float64, rune, string, ...), as Go prints it.
//     Not even lowered, and not kept as an earlier cell for the lowerer
//     (it declares nothing).
//   - globalCell: one name of a session variable (`x`) of a plain type:
//     its value is read from the interpreter's globals, the lowerer only
//     synced. Not kept as an earlier cell either.
//   - checkedValue: after lowering, one expression whose value go/types
//     knows (a constant such as `math.Pi * 2` or an earlier cell's const)
//     or a parenthesized variable.
//   - constAssign: after lowering, `x := c` or `var x T = c` setting an
//     existing variable to a constant of its basic type.
//
// Anything else, including every constant expression whose value does
// not fit its type (`1<<70`) or that is invalid (`1/0`), takes the
// ordinary path, which reports errors at cell positions. Tests compare
// each fast path's Out value with the interpreter's (fastpath_test.go).

// constFastNames are the universe names a constant cell may use: the
// boolean constants, the basic types (as conversions) and the builtins
// whose results on constants are constant.
var constFastNames = map[string]bool{
	"true": true, "false": true,
	"bool": true, "string": true, "byte": true, "rune": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"float32": true, "float64": true, "complex64": true, "complex128": true,
	"len": true, "real": true, "imag": true, "complex": true,
}

// maxConstCell bounds the source of a cell tried as a constant: longer
// cells are programs, not arithmetic.
const maxConstCell = 512

// constCell returns the Out value of src when it is a single constant
// expression of a basic type whose names all mean what the universe says
// (the session has not redeclared them), and whether it is one.
func (s *Session) constCell(src string) (*kernel.Bundle, bool) {
	if s.noFastPath || len(src) > maxConstCell {
		return nil, false
	}
	fset := token.NewFileSet()
	x, err := parser.ParseExprFrom(fset, "", src, parser.SkipObjectResolution)
	if err != nil || !s.constShaped(x) {
		return nil, false
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	if err := types.CheckExpr(fset, nil, token.NoPos, x, info); err != nil {
		return nil, false
	}
	tv, ok := info.Types[x]
	if !ok || tv.Value == nil {
		return nil, false
	}
	v, ok := constGoValue(tv.Type, tv.Value)
	if !ok {
		return nil, false
	}
	s.fastCells++
	return outBundle([]any{v}, []string{fmt.Sprint(v)}, nil, false), true
}

// constShaped tells whether x is built only of literals, operators,
// parentheses and the names in constFastNames that the session has not
// redeclared.
func (s *Session) constShaped(x ast.Expr) bool {
	ok := true
	ast.Inspect(x, func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case nil, *ast.BasicLit, *ast.ParenExpr, *ast.BinaryExpr:
		case *ast.UnaryExpr:
			ok = n.Op != token.AND && n.Op != token.ARROW
		case *ast.CallExpr:
			_, isIdent := n.Fun.(*ast.Ident)
			ok = isIdent && !n.Ellipsis.IsValid()
		case *ast.Ident:
			ok = constFastNames[n.Name] && s.decls[n.Name] == nil && s.vars[n.Name] == nil
			if _, imported := s.imports[n.Name]; imported {
				ok = false
			}
		default:
			ok = false
		}
		return ok
	})
	return ok
}

// basicReflect are the reflect types of the basic Go types by go/types
// kind.
var basicReflect = map[types.BasicKind]reflect.Type{
	types.Bool: reflect.TypeFor[bool](), types.String: reflect.TypeFor[string](),
	types.Int: reflect.TypeFor[int](), types.Int8: reflect.TypeFor[int8](), types.Int16: reflect.TypeFor[int16](),
	types.Int32: reflect.TypeFor[int32](), types.Int64: reflect.TypeFor[int64](),
	types.Uint: reflect.TypeFor[uint](), types.Uint8: reflect.TypeFor[uint8](), types.Uint16: reflect.TypeFor[uint16](),
	types.Uint32: reflect.TypeFor[uint32](), types.Uint64: reflect.TypeFor[uint64](), types.Uintptr: reflect.TypeFor[uintptr](),
	types.Float32: reflect.TypeFor[float32](), types.Float64: reflect.TypeFor[float64](),
	types.Complex64: reflect.TypeFor[complex64](), types.Complex128: reflect.TypeFor[complex128](),
}

// constGoValue converts constant v of type t (untyped: its default type)
// to a Go value, or reports that it cannot: t is not a basic type, or v
// does not fit.
func constGoValue(t types.Type, v constant.Value) (any, bool) {
	b, ok := types.Default(t).(*types.Basic)
	if !ok {
		return nil, false
	}
	rt, ok := basicReflect[b.Kind()]
	if !ok {
		return nil, false
	}
	rv := reflect.New(rt).Elem()
	switch {
	case b.Info()&types.IsBoolean != 0:
		if v.Kind() != constant.Bool {
			return nil, false
		}
		rv.SetBool(constant.BoolVal(v))
	case b.Info()&types.IsString != 0:
		if v.Kind() != constant.String {
			return nil, false
		}
		rv.SetString(constant.StringVal(v))
	case b.Info()&types.IsUnsigned != 0:
		u, exact := constant.Uint64Val(constant.ToInt(v))
		if !exact || rv.OverflowUint(u) {
			return nil, false
		}
		rv.SetUint(u)
	case b.Info()&types.IsInteger != 0:
		i, exact := constant.Int64Val(constant.ToInt(v))
		if !exact || rv.OverflowInt(i) {
			return nil, false
		}
		rv.SetInt(i)
	case b.Info()&types.IsFloat != 0:
		f, ok := constFloat(v, b.Kind() == types.Float32)
		if !ok {
			return nil, false
		}
		rv.SetFloat(f)
	case b.Info()&types.IsComplex != 0:
		f32 := b.Kind() == types.Complex64
		re, ok1 := constFloat(constant.Real(v), f32)
		im, ok2 := constFloat(constant.Imag(v), f32)
		if !ok1 || !ok2 {
			return nil, false
		}
		rv.SetComplex(complex(re, im))
	default:
		return nil, false
	}
	return rv.Interface(), true
}

// constFloat rounds a real constant to float64 (or float32), failing on
// overflow.
func constFloat(v constant.Value, f32 bool) (float64, bool) {
	v = constant.ToFloat(v)
	if v.Kind() != constant.Float && v.Kind() != constant.Int {
		return 0, false
	}
	if f32 {
		f, _ := constant.Float32Val(v)
		if math.IsInf(float64(f), 0) {
			return 0, false
		}
		return float64(f), true
	}
	f, _ := constant.Float64Val(v)
	if math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// checkedValue returns the Out value of cell c (orig: its source as
// type-checked) without running the interpreter when the cell is one
// expression whose value go/types or the session already knows: a
// constant of a basic type (math.Pi * 2, a constant of an earlier cell),
// or a variable of the session whose type holds no cell type, interface,
// func or channel, read from the interpreter's globals. Such a value
// reaches the display code exactly as the interpreter would hand it
// over.
func (s *Session) checkedValue(orig string, n int, c *parsedCell) (*kernel.Bundle, bool) {
	if s.noFastPath || s.lowerer == nil || c.final == nil || c.finalCall || len(c.stmts) != 1 || len(c.decls) != 0 || len(c.vars) != 0 || len(c.imports) != 0 {
		return nil, false
	}
	ck, err := s.lowerer.check(orig, n)
	if err != nil || ck == nil || ck.info == nil || ck.pkg == nil {
		return nil, false
	}
	x := cellFinalExpr(ck)
	if x == nil {
		return nil, false
	}
	tv, found := ck.info.Types[x]
	if !found || tv.Type == nil || !tv.IsValue() {
		return nil, false
	}
	if tv.Value != nil {
		v, ok := constGoValue(tv.Type, tv.Value)
		if !ok {
			return nil, false
		}
		s.fastCells++
		return outBundle([]any{v}, []string{fmt.Sprint(v)}, nil, false), true
	}
	id, isIdent := ast.Unparen(x).(*ast.Ident)
	if !isIdent {
		return nil, false
	}
	obj, isVar := ck.info.Uses[id].(*types.Var)
	if !isVar || obj.Pkg() == nil || obj.Parent() != obj.Pkg().Scope() || s.vars[id.Name] == nil || !plainType(obj.Type(), 0) {
		return nil, false
	}
	return s.globalValue(id.Name)
}

// cellFinalExpr returns the final expression of the checked cell's
// statements, or nil.
func cellFinalExpr(ck *checked) ast.Expr {
	if es := cellFinalStmt(ck); es != nil {
		return es.X
	}
	return nil
}

// cellFinalStmt returns the final statement of the checked cell's
// statements (the body of _godlCell in the model) when it is an
// expression statement, or nil.
func cellFinalStmt(ck *checked) *ast.ExprStmt {
	for _, d := range ck.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || fd.Name.Name != "_godlCell" || fd.Body == nil || len(fd.Body.List) == 0 {
			continue
		}
		es, _ := fd.Body.List[len(fd.Body.List)-1].(*ast.ExprStmt)
		return es
	}
	return nil
}

// plainType tells whether values of static type t reach compiled code
// the same way from the interpreter's globals as through a call: no cell
// type, interface, func, channel or unsafe pointer anywhere in it.
// Named types of compiled packages are taken whole.
func plainType(t types.Type, depth int) bool {
	if depth > 8 {
		return false
	}
	switch t := t.(type) {
	case *types.Basic:
		return t.Kind() != types.UnsafePointer && t.Info()&types.IsUntyped == 0
	case *types.Alias:
		return plainType(types.Unalias(t), depth+1)
	case *types.Named:
		o := t.Obj()
		switch t.Underlying().(type) {
		case *types.Interface, *types.Signature, *types.Chan:
			return false
		}
		return o.Pkg() != nil && o.Pkg().Path() != "main" && !involvesCellType(t)
	case *types.Pointer:
		return plainType(t.Elem(), depth+1)
	case *types.Slice:
		return plainType(t.Elem(), depth+1)
	case *types.Array:
		return plainType(t.Elem(), depth+1)
	case *types.Map:
		return plainType(t.Key(), depth+1) && plainType(t.Elem(), depth+1)
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if !plainType(t.Field(i).Type(), depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// constAssign runs cell c when it only sets an existing variable of a
// basic type to a constant of that same type (`lr := 0.01` run again,
// `var epochs int = 20`): the value is stored into the interpreter's
// global directly, as the compiled assignment would. It reports whether
// it ran the cell.
func (s *Session) constAssign(orig string, n int, c *parsedCell) bool {
	if s.noFastPath || s.lowerer == nil || c.final != nil || len(c.stmts) != 1 || c.stmts[0].assign == nil ||
		len(c.vars) != 1 || len(c.decls) != 0 || len(c.imports) != 0 {
		return false
	}
	v := c.vars[0]
	if len(v.names) != 1 || v.rhs == "" {
		return false
	}
	name := v.names[0]
	if name == "_" || s.vars[name] == nil || s.decls[name] != nil {
		return false
	}
	ck, err := s.lowerer.check(orig, n)
	if err != nil || ck == nil || ck.info == nil {
		return false
	}
	var value any
	found := false
	for _, d := range ck.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, sp := range gd.Specs {
			vs, ok := sp.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || vs.Names[0].Name != name {
				continue
			}
			if found || len(vs.Values) != 1 {
				return false
			}
			obj, ok := ck.info.Defs[vs.Names[0]].(*types.Var)
			tv := ck.info.Types[vs.Values[0]]
			if !ok || tv.Value == nil {
				return false
			}
			if _, basic := obj.Type().(*types.Basic); !basic {
				return false
			}
			if value, ok = constGoValue(obj.Type(), tv.Value); !ok {
				return false
			}
			found = true
		}
	}
	if !found {
		return false
	}
	done := false
	func() {
		defer func() { recover() }()
		rv, ok := s.yi.Globals()[name]
		if !ok || !rv.CanSet() || rv.Type() != reflect.TypeOf(value) {
			return
		}
		rv.Set(reflect.ValueOf(value))
		done = true
	}()
	if done {
		s.record(c)
		s.fastCells++
	}
	return done
}

// globalCell returns the Out value of a cell that only names a variable
// of the session (`x`) whose type checkedValue accepts, without lowering
// the cell: the lowerer is brought up to date with the cells that ran
// (prior) and gives the variable's type; the value is the interpreter's
// global.
func (s *Session) globalCell(src string, prior []string, n int) (*kernel.Bundle, bool) {
	name := strings.TrimSpace(src)
	if s.noFastPath || !token.IsIdentifier(name) || name == "_" || s.vars[name] == nil || s.decls[name] != nil {
		return nil, false
	}
	if _, ok := s.imports[name]; ok {
		return nil, false
	}
	if s.lowerer == nil {
		return nil, false
	}
	// Lowering an empty cell commits the earlier cells, as the next
	// cell's lowering would.
	if _, err := s.lowerer.lowerCell(prior, "", n); err != nil {
		return nil, false
	}
	obj, ok := s.lowerer.env[name].(*types.Var)
	if !ok || !plainType(obj.Type(), 0) {
		return nil, false
	}
	return s.globalValue(name)
}

// globalValue returns the Out value of the interpreter's global variable
// name, when the value itself (not an interface) is there and cannot hold
// interpreted values fmt cannot print (unwrap.go).
func (s *Session) globalValue(name string) (b *kernel.Bundle, ok bool) {
	defer func() {
		if recover() != nil {
			b, ok = nil, false
		}
	}()
	rv, found := s.yi.Globals()[name]
	if !found || !rv.IsValid() || !rv.CanInterface() {
		return nil, false
	}
	v := rv.Interface()
	if reflect.TypeOf(v) != rv.Type() || mayHoldVI(rv.Type(), true) {
		return nil, false
	}
	s.fastCells++
	return outBundle([]any{v}, []string{fmt.Sprint(v)}, nil, false), true
}
