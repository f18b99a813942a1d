package interp

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/godl-kernel/godl/interp/stdext"
)

// symbolImporter is a go/types importer that builds *types.Package values
// from yaegi's reflect-based symbol tables (stdlib.Symbols, symbols.Symbols)
// and, for the generic packages yaegi runs from source (slices, maps, cmp,
// iter), from that Go source. It needs neither GOROOT sources nor the go
// command at run time. Packages are converted lazily on first import and
// cached; the importer is safe for concurrent use.
type symbolImporter struct {
	mu      sync.Mutex
	fset    *token.FileSet
	byPath  map[string]*symPkg        // import path -> its symbols
	pkgs    map[string]*types.Package // converted (or being converted) packages
	done    map[string]bool           // fully imported packages
	named   map[reflect.Type]*types.Named
	errType types.Type
}

type symPkg struct {
	name string
	syms []map[string]reflect.Value
}

// newSymbolImporter indexes the given yaegi export tables (keys "path/name").
func newSymbolImporter(exports ...yaegi.Exports) *symbolImporter {
	im := &symbolImporter{
		fset:    token.NewFileSet(),
		byPath:  map[string]*symPkg{},
		pkgs:    map[string]*types.Package{},
		done:    map[string]bool{},
		named:   map[reflect.Type]*types.Named{},
		errType: types.Universe.Lookup("error").Type(),
	}
	for _, ex := range exports {
		for key, syms := range ex {
			p, name := path.Dir(key), path.Base(key)
			if p == "." || strings.HasPrefix(key, "github.com/traefik/yaegi") {
				continue
			}
			sp := im.byPath[p]
			if sp == nil {
				sp = &symPkg{name: name}
				im.byPath[p] = sp
			}
			sp.syms = append(sp.syms, syms)
		}
	}
	for p := range stdext.Sources() {
		if im.byPath[p] == nil {
			im.byPath[p] = &symPkg{name: path.Base(p)}
		}
	}
	return im
}

// packageNames maps package names to import paths, for auto-imports: a
// cell may use fmt or mat without importing them. When two paths share a
// name the shorter (then lexically first) path wins, so "rand" is
// math/rand and "template" is text/template.
func (im *symbolImporter) packageNames() map[string]string {
	names := map[string]string{}
	paths := make([]string, 0, len(im.byPath))
	for p := range im.byPath {
		if strings.Contains(p, "internal") || strings.HasPrefix(p, "syscall") && p != "syscall" {
			continue
		}
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool {
		if len(paths[i]) != len(paths[j]) {
			return len(paths[i]) < len(paths[j])
		}
		return paths[i] < paths[j]
	})
	for _, p := range paths {
		if _, ok := names[im.byPath[p].name]; !ok {
			names[im.byPath[p].name] = p
		}
	}
	return names
}

// Import implements types.Importer.
func (im *symbolImporter) Import(p string) (*types.Package, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	return im.importLocked(p)
}

func (im *symbolImporter) importLocked(p string) (*types.Package, error) {
	if p == "unsafe" {
		return types.Unsafe, nil
	}
	if im.done[p] {
		return im.pkgs[p], nil
	}
	sp := im.byPath[p]
	if sp == nil {
		return nil, fmt.Errorf("package %s is not available in the interpreter (only the standard library and the preloaded packages are)", p)
	}
	pkg := im.pkg(p, sp.name)
	im.done[p] = true // before converting: import cycles through types terminate
	if srcs := stdext.Sources()[p]; len(srcs) > 0 {
		if err := im.checkSource(pkg, srcs); err != nil {
			return nil, err
		}
	}
	scope := pkg.Scope()
	for _, syms := range sp.syms {
		names := make([]string, 0, len(syms))
		for name := range syms {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if !token.IsExported(name) || scope.Lookup(name) != nil {
				continue
			}
			if obj := im.object(pkg, name, syms[name]); obj != nil {
				scope.Insert(obj)
			}
		}
	}
	pkg.MarkComplete()
	return pkg, nil
}

// checkSource type-checks Go source files into pkg (the generic packages
// yaegi interprets from source).
func (im *symbolImporter) checkSource(pkg *types.Package, srcs []string) error {
	var files []*ast.File
	for i, src := range srcs {
		f, err := parser.ParseFile(im.fset, fmt.Sprintf("%s/src%d.go", pkg.Path(), i), src, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("package %s: %v", pkg.Path(), err)
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: lockedImporter{im}, FakeImportC: false}
	if err := types.NewChecker(&conf, im.fset, pkg, nil).Files(files); err != nil {
		return fmt.Errorf("package %s: %v", pkg.Path(), err)
	}
	return nil
}

// lockedImporter imports while im.mu is already held (nested imports from
// source packages).
type lockedImporter struct{ im *symbolImporter }

func (l lockedImporter) Import(p string) (*types.Package, error) { return l.im.importLocked(p) }

func (im *symbolImporter) pkg(p, name string) *types.Package {
	if pkg := im.pkgs[p]; pkg != nil {
		return pkg
	}
	if name == "" {
		name = path.Base(p)
		if sp := im.byPath[p]; sp != nil {
			name = sp.name
		}
	}
	pkg := types.NewPackage(p, name)
	im.pkgs[p] = pkg
	return pkg
}

var constantType = reflect.TypeOf((*constant.Value)(nil)).Elem()

// object converts one yaegi symbol: a type is (*T)(nil), a variable is an
// addressable value, an untyped constant is a constant.Value, a typed
// constant is a plain value, a function a func value.
func (im *symbolImporter) object(pkg *types.Package, name string, v reflect.Value) types.Object {
	if !v.IsValid() {
		return nil
	}
	t := v.Type()
	switch {
	case v.CanAddr():
		return types.NewVar(token.NoPos, pkg, name, im.typ(t))
	case t.Kind() == reflect.Ptr && v.IsNil():
		et := t.Elem()
		typ := im.typ(et)
		if n, ok := typ.(*types.Named); ok && n.Obj().Name() == name && n.Obj().Pkg() == pkg {
			return n.Obj()
		}
		return types.NewTypeName(token.NoPos, pkg, name, typ) // an alias
	case t.Implements(constantType) && v.CanInterface():
		cv, _ := v.Interface().(constant.Value)
		if cv == nil {
			return nil
		}
		var bt types.BasicKind
		switch cv.Kind() {
		case constant.Bool:
			bt = types.UntypedBool
		case constant.String:
			bt = types.UntypedString
		case constant.Int:
			bt = types.UntypedInt
		case constant.Float:
			bt = types.UntypedFloat
		case constant.Complex:
			bt = types.UntypedComplex
		default:
			return nil
		}
		return types.NewConst(token.NoPos, pkg, name, types.Typ[bt], cv)
	case t.Kind() == reflect.Func:
		sig, _ := im.underlying(t).(*types.Signature)
		if sig == nil {
			return nil
		}
		return types.NewFunc(token.NoPos, pkg, name, sig)
	default:
		var cv constant.Value
		switch t.Kind() {
		case reflect.Bool:
			cv = constant.MakeBool(v.Bool())
		case reflect.String:
			cv = constant.MakeString(v.String())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			cv = constant.MakeInt64(v.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			cv = constant.MakeUint64(v.Uint())
		case reflect.Float32, reflect.Float64:
			cv = constant.MakeFloat64(v.Float())
		case reflect.Complex64, reflect.Complex128:
			c := v.Complex()
			cv = constant.BinaryOp(constant.MakeFloat64(real(c)), token.ADD, constant.MakeImag(constant.MakeFloat64(imag(c))))
		default:
			return types.NewVar(token.NoPos, pkg, name, im.typ(t))
		}
		return types.NewConst(token.NoPos, pkg, name, im.typ(t), cv)
	}
}

var basicKinds = map[reflect.Kind]types.BasicKind{
	reflect.Bool: types.Bool, reflect.Int: types.Int, reflect.Int8: types.Int8, reflect.Int16: types.Int16,
	reflect.Int32: types.Int32, reflect.Int64: types.Int64, reflect.Uint: types.Uint, reflect.Uint8: types.Uint8,
	reflect.Uint16: types.Uint16, reflect.Uint32: types.Uint32, reflect.Uint64: types.Uint64,
	reflect.Uintptr: types.Uintptr, reflect.Float32: types.Float32, reflect.Float64: types.Float64,
	reflect.Complex64: types.Complex64, reflect.Complex128: types.Complex128, reflect.String: types.String,
	reflect.UnsafePointer: types.UnsafePointer,
}

// typ converts a reflect type. Named types are created once (cached by
// reflect type), in the package of their path, so a type reached through
// another package's API is identical to the one imported directly.
func (im *symbolImporter) typ(t reflect.Type) types.Type {
	if t.Name() != "" {
		if t.PkgPath() == "" {
			if t.Kind() == reflect.Interface && t.Name() == "error" {
				return im.errType
			}
			if b, ok := basicKinds[t.Kind()]; ok {
				return types.Typ[b]
			}
		} else {
			return im.namedType(t)
		}
	}
	return im.underlying(t)
}

func (im *symbolImporter) namedType(t reflect.Type) types.Type {
	if n := im.named[t]; n != nil {
		return n
	}
	pkgName := ""
	if s := t.String(); strings.Contains(s, ".") && !strings.Contains(s, "[") {
		pkgName = s[:strings.LastIndex(s, ".")]
	}
	pkg := im.pkg(t.PkgPath(), pkgName)
	name := t.Name()
	obj := types.NewTypeName(token.NoPos, pkg, name, nil)
	n := types.NewNamed(obj, nil, nil)
	im.named[t] = n
	if pkg.Scope().Lookup(name) == nil && !strings.Contains(name, "[") {
		pkg.Scope().Insert(obj)
	}
	n.SetUnderlying(im.underlying(t))
	if t.Kind() == reflect.Interface {
		return n
	}
	// Methods: the value method set of T, then the rest of *T's.
	seen := map[string]bool{}
	for _, mt := range []reflect.Type{t, reflect.PointerTo(t)} {
		for i := 0; i < mt.NumMethod(); i++ {
			m := mt.Method(i)
			if seen[m.Name] {
				continue
			}
			seen[m.Name] = true
			ft := im.underlying(m.Type).(*types.Signature)
			var recvT types.Type = n
			if mt.Kind() == reflect.Ptr {
				recvT = types.NewPointer(n)
			}
			params := ft.Params()
			vars := make([]*types.Var, 0, params.Len())
			for j := 1; j < params.Len(); j++ {
				vars = append(vars, params.At(j))
			}
			sig := types.NewSignatureType(types.NewVar(token.NoPos, pkg, "", recvT), nil, nil,
				types.NewTuple(vars...), ft.Results(), ft.Variadic())
			n.AddMethod(types.NewFunc(token.NoPos, pkg, m.Name, sig))
		}
	}
	return n
}

func (im *symbolImporter) underlying(t reflect.Type) types.Type {
	switch t.Kind() {
	case reflect.Ptr:
		return types.NewPointer(im.typ(t.Elem()))
	case reflect.Slice:
		return types.NewSlice(im.typ(t.Elem()))
	case reflect.Array:
		return types.NewArray(im.typ(t.Elem()), int64(t.Len()))
	case reflect.Map:
		return types.NewMap(im.typ(t.Key()), im.typ(t.Elem()))
	case reflect.Chan:
		dir := types.SendRecv
		switch t.ChanDir() {
		case reflect.SendDir:
			dir = types.SendOnly
		case reflect.RecvDir:
			dir = types.RecvOnly
		}
		return types.NewChan(dir, im.typ(t.Elem()))
	case reflect.Func:
		in := make([]*types.Var, t.NumIn())
		for i := range in {
			pt := im.typ(t.In(i))
			in[i] = types.NewVar(token.NoPos, nil, "", pt)
		}
		out := make([]*types.Var, t.NumOut())
		for i := range out {
			out[i] = types.NewVar(token.NoPos, nil, "", im.typ(t.Out(i)))
		}
		return types.NewSignatureType(nil, nil, nil, types.NewTuple(in...), types.NewTuple(out...), t.IsVariadic())
	case reflect.Interface:
		var methods []*types.Func
		for i := 0; i < t.NumMethod(); i++ {
			m := t.Method(i)
			if m.PkgPath != "" {
				// reflect lists an interface's unexported methods but
				// never a concrete type's, so keeping them would make
				// every compiled type fail to implement the interface
				// (*tensor.Dense "missing method arr"). yaegi checks the
				// real method sets when the code runs.
				continue
			}
			var pkg *types.Package
			sig := im.underlying(m.Type).(*types.Signature)
			methods = append(methods, types.NewFunc(token.NoPos, pkg, m.Name, sig))
		}
		it := types.NewInterfaceType(methods, nil)
		it.Complete()
		return it
	case reflect.Struct:
		fields := make([]*types.Var, 0, t.NumField())
		tags := make([]string, 0, t.NumField())
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			var pkg *types.Package
			if f.PkgPath != "" {
				pkg = im.pkg(f.PkgPath, "")
			}
			var ft types.Type
			if f.PkgPath != "" && !f.Anonymous {
				// An unexported field is invisible to the cell; only its
				// comparability matters, so avoid converting internals.
				if f.Type.Comparable() {
					ft = types.Typ[types.Int]
				} else {
					ft = types.NewSlice(types.Typ[types.Int])
				}
			} else {
				ft = im.typ(f.Type)
			}
			fields = append(fields, types.NewField(token.NoPos, pkg, f.Name, ft, f.Anonymous))
			tags = append(tags, string(f.Tag))
		}
		return types.NewStruct(fields, tags)
	default:
		if b, ok := basicKinds[t.Kind()]; ok {
			return types.Typ[b]
		}
	}
	return types.Typ[types.Invalid]
}
