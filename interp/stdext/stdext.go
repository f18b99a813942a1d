// Package stdext holds godl's implementations of what the standard library
// embedded in yaegi v0.16.1 lacks, as Go source interpreted by yaegi:
//
//   - slices: Sort, SortFunc, SortStableFunc, IsSorted(Func), Min, Max,
//     MinFunc, MaxFunc, BinarySearch(Func), Repeat and the iterator helpers
//     All, Values, Backward, AppendSeq, Collect, Sorted(Func), SortedStableFunc
//     (yaegi already interprets Equal, Index, Contains, Insert, Delete, Clone,
//     Compact, Reverse, Concat, ... from its own copy of the Go source);
//   - maps: Keys, Values, All, Insert, Collect (yaegi has Equal, Copy,
//     DeleteFunc), and a Clone that works in the interpreter;
//   - slices: Delete, DeleteFunc, Replace, Compact, CompactFunc (which call
//     the clear builtin yaegi lacks), Grow and Concat (which crash yaegi's
//     compiler) replace yaegi's copies;
//   - iter: the Seq and Seq2 types.
//
// Iterators are plain functions (iter.Seq). yaegi cannot range over a
// function; godl's cell lowering turns `for k := range maps.Keys(m)` into a
// call of the iterator with the loop body as yield function, and reports
// the loops it cannot turn (a defer, goto or label in the body) with the
// workaround: range over slices.Collect(seq) or slices.Sorted(seq). cmp is
// complete in yaegi (Ordered, Less, Compare, Or).
//
// The Prelude holds the helpers that lowered cells call for the min and max
// builtins and for clear.
package stdext

import (
	"embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib/generic"
)

//go:embed iter/*.go slices/*.go maps/*.go
var files embed.FS

// order is the order in which Install compiles the packages (dependencies first).
var order = []string{"iter", "slices", "maps"}

// Prelude is interpreted in package main of every interpreter by Install.
// Lowered cells call these helpers (names starting with _godl are
// reserved): _godlMin_T and _godlMax_T for each ordered basic type T
// (non-generic, so they also work in package-level variable initialisers,
// where yaegi v0.16.1 cannot call generic functions), and _godlZero.
var Prelude = prelude()

// OrderedBasic are the basic types min and max accept (after conversion
// of named types to their underlying type).
var OrderedBasic = []string{"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32", "float64", "string"}

func prelude() string {
	var b strings.Builder
	for _, t := range OrderedBasic {
		for _, f := range []struct{ name, op string }{{"Min", "<"}, {"Max", ">"}} {
			// All arguments go through the variadic slice: yaegi v0.16.1
			// drops a plain float argument that reflect.Value.IsZero
			// calls zero, so -0.0 arrived as +0.0.
			fmt.Fprintf(&b, `func _godl%s_%s(y ...%s) %s {
	x := y[0]
	for _, v := range y {
		if v != v {
			return v
		}
		if v %s x || v == x && %s {
			x = v
		}
	}
	return x
}

`, f.name, t, t, t, f.op, signedZero(t, f.name))
		}
	}
	b.WriteString("func _godlZero[_godlT any](_godlT) (z _godlT) { return }\n")
	return b.String()
}

// signedZero is the condition under which min or max of two equal values
// of type t takes the later one: for floats, Go's min(0.0, -0.0) is -0.0
// and max(-0.0, 0.0) is 0.0.
func signedZero(t, fn string) string {
	if t != "float32" && t != "float64" {
		return "false"
	}
	if fn == "Min" {
		return "x == 0 && 1/v < 0"
	}
	return "x == 0 && 1/v > 0"
}

var (
	sourcesOnce sync.Once
	sources     map[string][]string
)

// Sources returns, by import path, the Go source files the interpreter
// runs for the generic packages: yaegi's own (cmp, maps, slices) followed by
// ours. The type checker builds these packages from this source. The result
// must not be modified.
func Sources() map[string][]string {
	sourcesOnce.Do(func() {
		sources = map[string][]string{}
		fset := token.NewFileSet()
		for _, src := range generic.Sources {
			f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
			if err != nil {
				panic(fmt.Sprintf("stdext: yaegi generic source: %v", err))
			}
			// Our files replace some of yaegi's functions (the interpreter
			// keeps the last definition); go/types must see one of each.
			ours := funcNames(own(f.Name.Name))
			var b strings.Builder
			last := 0
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv != nil || !ours[fd.Name.Name] {
					continue
				}
				start := fd.Pos()
				if fd.Doc != nil {
					start = fd.Doc.Pos()
				}
				b.WriteString(src[last:fset.Position(start).Offset])
				last = fset.Position(fd.End()).Offset
			}
			b.WriteString(src[last:])
			sources[f.Name.Name] = append(sources[f.Name.Name], b.String())
		}
		for _, p := range order {
			for _, src := range own(p) {
				sources[p] = append(sources[p], src)
			}
		}
	})
	return sources
}

// funcNames returns the names of the top-level functions of srcs.
func funcNames(srcs []string) map[string]bool {
	names := map[string]bool{}
	for _, src := range srcs {
		f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
		if err != nil {
			panic(fmt.Sprintf("stdext: %v", err))
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
				names[fd.Name.Name] = true
			}
		}
	}
	return names
}

func own(p string) []string {
	if _, err := files.ReadDir(p); err != nil {
		return nil // a package of yaegi's we add nothing to (cmp)
	}
	ents, err := files.ReadDir(p)
	if err != nil {
		panic(fmt.Sprintf("stdext: %v", err))
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), "_test.go") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		b, err := files.ReadFile(p + "/" + n)
		if err != nil {
			panic(fmt.Sprintf("stdext: %v", err))
		}
		out = append(out, string(b))
	}
	return out
}

// Install compiles our packages (iter, and the additions to slices and maps)
// and the Prelude into i. Call it once per interpreter, right after
// i.Use(stdlib.Symbols) (which compiles yaegi's own generic slices, maps and
// cmp), before the first cell.
//
// Install is idempotent: on an interpreter that has them already, it does
// nothing.
func Install(i *yaegi.Interpreter) error {
	if _, err := i.Eval("_godlMin_int"); err == nil {
		return nil
	}
	for _, p := range order {
		for k, src := range own(p) {
			// A file name of its own: yaegi scopes imports by file name, and
			// yaegi's copy of the package already imports cmp in "_.go".
			src = fmt.Sprintf("//line godl_%s_%d.go:1\n%s", p, k, src)
			if _, err := i.Eval(src); err != nil {
				return fmt.Errorf("godl stdext: compiling package %s: %v", p, err)
			}
		}
	}
	if _, err := i.Eval("//line godl_prelude.go:1\n" + Prelude); err != nil {
		return fmt.Errorf("godl stdext: compiling the prelude: %v", err)
	}
	return nil
}
