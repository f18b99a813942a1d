package interp

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// Which cells may have their output buffered (outbuf.go).
//
// A cell qualifies when go/types shows that everything it runs writes
// only through the session's stream writers, never to fd 1 or 2 by other
// means, and that it cannot make another goroutine do so while it waits:
//   - every function it names is one of: fmt's Print, Printf, Println
//     (yaegi routes them to Options.Stdout), Sprint*, Errorf, Append*,
//     Sscan* and Fprint* to a writer of a concrete type; log's Print*,
//     Panic* and Fatal* (yaegi's log writes to Options.Stderr); any
//     function or method of the packages in outSafePkgs, which never
//     write to stdout or stderr nor read stdin; a func or method the
//     cell declares (the whole cell is checked, all its bodies and func
//     literals); a func or method an earlier cell declared whose body
//     was checked the same way when that cell ran, as were those it
//     names in turn, none since redeclared (funcSummary);
//   - the arguments of those compiled functions cannot make them call
//     back into unchecked code: their static types hold no interface
//     values (fmt and errors: no values of earlier cells' types whose
//     String, Error, Format, GoString, Unwrap, Is, As or Scan methods are
//     unchecked) and no types of other packages;
//   - no method calls through interfaces, no `go` statements, no channel
//     operations or select, no close, no package variables of other
//     packages than outSafePkgs (os.Stdout, os.Args), no variables set by
//     unchecked code that hold funcs or values of outHiddenTypes (a
//     json.Encoder on os.Stdout), no type assertions to such types (so
//     every func value the cell calls is one checked code made);
//   - no recursion among the funcs its statements call, and no String
//     (Error…) method printing its own type: a runaway recursion kills
//     the worker before the buffer goes out;
//   - its final value, shown by calling its String and renderer methods,
//     is of a type an argument could be;
//   - no cell that ran before may have left goroutines running
//     interpreted code (a `go` statement, a func or value with methods
//     given to a compiled package outside outSafePkgs or to
//     time.AfterFunc): their interpreted output would be buffered while
//     their compiled output is not. From such a cell on, no cell of the
//     session is buffered.
//
// Builtins print and println qualify: yaegi writes them to
// Options.Stdout. Magics run outside the buffered part of a cell.
// Assumed rather than checked: compiled String, Error and Format methods
// do not write to stdout or stderr, goroutines of earlier cells do not
// wait for a cell's plain (unsynchronised) variable writes before
// writing compiled output, and recursion through func values or
// compiled callbacks does not run away (if it does, the last 2 ms of
// output before the crash are lost).
//
// A false "qualifies" reorders output; a false "does not" costs speed:
// anything not listed does not qualify.

// outSafePkgs are the compiled packages whose functions and methods never
// write to stdout or stderr, nor read stdin. (Their functions taking an
// io.Writer or io.Reader get one of a concrete type, by the argument rule.)
var outSafePkgs = map[string]bool{
	"bytes": true, "cmp": true, "container/heap": true, "container/list": true,
	"container/ring": true, "encoding/base64": true, "encoding/binary": true,
	"encoding/csv": true, "encoding/hex": true, "encoding/json": true,
	"errors": true, "hash/crc32": true, "hash/fnv": true, "maps": true,
	"math": true, "math/big": true, "math/bits": true, "math/cmplx": true,
	"math/rand": true, "math/rand/v2": true, "regexp": true, "slices": true,
	"sort": true, "strconv": true, "strings": true, "text/tabwriter": true,
	"time": true, "unicode": true, "unicode/utf16": true, "unicode/utf8": true,
}

// outFmtFuncs are fmt's functions that write only to Options.Stdout or to
// an argument (the rest read stdin: Scan, Scanf, Scanln).
var outFmtFuncs = map[string]bool{
	"Print": true, "Printf": true, "Println": true,
	"Sprint": true, "Sprintf": true, "Sprintln": true, "Errorf": true,
	"Append": true, "Appendf": true, "Appendln": true,
	"Sscan": true, "Sscanf": true, "Sscanln": true,
	"Fprint": true, "Fprintf": true, "Fprintln": true,
}

// outLogFuncs are log's functions that yaegi routes to Options.Stderr.
var outLogFuncs = map[string]bool{
	"Print": true, "Printf": true, "Println": true,
	"Panic": true, "Panicf": true, "Panicln": true,
	"Fatal": true, "Fatalf": true, "Fatalln": true,
}

// fmtLikePkg tells whether path is fmt, log or errors, whose functions
// call only outFmtMethods of their arguments.
func fmtLikePkg(path string) bool {
	return path == "fmt" || path == "log" || path == "errors"
}

// outFmtMethods are the methods fmt and errors call on their arguments.
var outFmtMethods = map[string]bool{
	"String": true, "Error": true, "Format": true, "GoString": true,
	"Unwrap": true, "Is": true, "As": true, "Scan": true,
}

// outSummaries are the output-safety facts of the funcs and methods of
// the cells that ran, for cells that call them later.
type outSummaries struct {
	lowerer *cellLowerer // whose objects these are
	funcs   map[*types.Func]*funcSummary
	// redeclared: types of earlier cells a later cell declared methods
	// on again; their methods are not trusted.
	redeclared map[*types.TypeName]bool
	// tainted: a cell ran that go/types did not check: what it declared
	// is unknown, so nothing of earlier cells is trusted.
	tainted bool
	// fmtMethods are the String, Error… methods (outFmtMethods) of every
	// cell that ran: values of a type since redeclared may still be
	// around, in interface values.
	fmtMethods []*types.Func
	// background: a cell ran that may have left goroutines running
	// interpreted code (a go statement, a callback given to a compiled
	// package): their interpreted output would be buffered while their
	// compiled output is not, so no cell is buffered any more.
	background bool
}

// funcSummary is what checking one func or method's body found.
type funcSummary struct {
	ok   bool          // the body itself qualifies
	deps []*types.Func // cell funcs and methods it names
}

// cellWritesOnlyStreams tells whether cell n, whose Go source (as given
// to lowerSource) is src, qualifies for output buffering; it records the
// summaries of the funcs the cell declares either way.
func (s *Session) cellWritesOnlyStreams(src string, n int) bool {
	ok, _ := s.outQualifies(src, n)
	return ok
}

// outQualifies is cellWritesOnlyStreams, also saying why not.
func (s *Session) outQualifies(src string, n int) (bool, string) {
	l := s.lowerer
	if l == nil {
		return false, "not lowered"
	}
	if s.outSums == nil || s.outSums.lowerer != l {
		// A new lowerer (Restart): new objects; goroutines may remain.
		bg := s.outSums != nil && s.outSums.background
		s.outSums = &outSummaries{lowerer: l, funcs: map[*types.Func]*funcSummary{}, redeclared: map[*types.TypeName]bool{}, background: bg}
	}
	m := &l.lastCheck
	if m.c == nil || m.err != nil || m.gen != l.gen || m.cell != n || m.src != src {
		s.outSums.tainted, s.outSums.background = true, true
		return false, "not type-checked"
	}
	return s.outSums.check(m.c, l.env)
}

// outCheck checks one cell.
type outCheck struct {
	c    *checked
	sums *outSummaries
	env  map[string]types.Object
	// fmtOK caches whether interface values are safe fmt arguments
	// (0 unknown, 1 yes, 2 no).
	fmtOK int
}

// check records the summaries of c's funcs and methods and reports
// whether the whole cell qualifies, or why not.
func (sums *outSummaries) check(c *checked, env map[string]types.Object) (bool, string) {
	oc := &outCheck{c: c, sums: sums, env: env}
	info := c.info
	// Methods this cell declares again on earlier cells' types (moved to
	// plain funcs _godlMethod_T_M for go/types): the old ones are no
	// longer what runs.
	for _, d := range c.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || !strings.HasPrefix(fd.Name.Name, "_godlMethod_") {
			continue
		}
		if f, ok := info.Defs[fd.Name].(*types.Func); ok {
			sig := f.Type().(*types.Signature)
			if sig.Params().Len() > 0 {
				if nt := namedOf(sig.Params().At(0).Type()); nt != nil {
					sums.redeclared[nt.Origin().Obj()] = true
				}
			}
		}
	}
	// A summary's walk (decl) differs from the cell's own walk below only
	// in checking the cell's variables too: a body that passed it passes
	// that one, naming the same funcs, and is not walked again.
	summarised := make([]*funcSummary, len(c.file.Decls))
	for i, d := range c.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		f, ok := info.Defs[fd.Name].(*types.Func)
		if !ok {
			continue
		}
		ok2, deps, _ := oc.walk(fd, true)
		sums.funcs[f] = &funcSummary{ok: ok2, deps: deps}
		summarised[i] = sums.funcs[f]
		name := fd.Name.Name
		if fd.Recv == nil && strings.HasPrefix(name, "_godlMethod_") {
			name = name[strings.LastIndex(name, "_")+1:]
		} else if fd.Recv == nil {
			continue
		}
		if outFmtMethods[name] {
			sums.fmtMethods = append(sums.fmtMethods, f)
		}
	}
	if w := oc.background(); w != "" {
		sums.background = true
	}
	if sums.background {
		return false, "an earlier cell may have left goroutines running"
	}
	if w := oc.finalValue(); w != "" {
		return false, w
	}
	// Every part of the cell must qualify; the calls made by its
	// statements and variable initialisers are followed into funcs.
	var deps []*types.Func
	for i, d := range c.file.Decls {
		var ds []*types.Func
		if sum := summarised[i]; sum != nil && sum.ok {
			ds = sum.deps
		} else {
			var ok bool
			var why string
			if ok, ds, why = oc.walk(d, false); !ok {
				return false, why
			}
		}
		if fd, isFunc := d.(*ast.FuncDecl); !isFunc || runsItself(fd) {
			deps = append(deps, ds...)
		}
	}
	// Calls of the cell's own funcs are checked with it; their calls of
	// earlier funcs are not, and recursion is refused: a runaway one
	// kills the worker (stack overflow) before its last output goes out.
	state := map[*types.Func]int{}
	for _, d := range deps {
		if !sums.trusted(d, env, state, oc.inCell) {
			return false, "calls " + d.FullName() + ", recursive or not known to write only through the streams"
		}
	}
	return true, ""
}

// finalValue says why the value of the cell's final expression
// disqualifies it, or "": the cell shows it by calling its String, Error
// and renderer methods (eval.go's show code), which must be checked code.
func (oc *outCheck) finalValue() string {
	x := cellFinalExpr(oc.c)
	if x == nil {
		return ""
	}
	if _, isCall := ast.Unparen(x).(*ast.CallExpr); isCall && suppressedCall(x) {
		return ""
	}
	t := oc.c.info.TypeOf(x)
	if t == nil {
		return "final value of unknown type"
	}
	ts := []types.Type{t}
	if tup, ok := t.(*types.Tuple); ok {
		ts = ts[:0]
		for i := 0; i < tup.Len(); i++ {
			ts = append(ts, tup.At(i).Type())
		}
	}
	for _, t := range ts {
		if !oc.inert(t, false, map[types.Type]bool{}) {
			return "final value of type " + t.String() + " is shown by unchecked code"
		}
	}
	return ""
}

// runsItself tells whether fd runs without being called: the func
// holding a raw cell's statements (buildModel), main or init.
func runsItself(fd *ast.FuncDecl) bool {
	switch fd.Name.Name {
	case "_godlCell", "main", "init":
		return fd.Recv == nil
	}
	return false
}

// namedOf returns the named type t is, or points to.
func namedOf(t types.Type) *types.Named {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}

// inCell tells whether obj is declared in the cell being checked.
func (oc *outCheck) inCell(obj types.Object) bool {
	p := obj.Pos()
	return p.IsValid() && p >= token.Pos(oc.c.tf.Base()) && p <= token.Pos(oc.c.tf.Base()+oc.c.tf.Size())
}

// trusted tells whether f, a func or method of an earlier cell, and all
// it names, were checked, are still what runs, and do not recurse. Funcs
// for which current is true are the cell's own (checked with it): only
// their calls are followed. state: 1 on the call path, 2 trusted.
func (sums *outSummaries) trusted(f *types.Func, env map[string]types.Object, state map[*types.Func]int, current func(types.Object) bool) bool {
	f = f.Origin()
	switch state[f] {
	case 1:
		return false // recursion
	case 2:
		return true
	}
	sum := sums.funcs[f]
	own := current != nil && current(f)
	if !own {
		if sums.tainted || sum == nil || !sum.ok {
			return false
		}
		sig := f.Type().(*types.Signature)
		if sig.Recv() != nil {
			nt := namedOf(sig.Recv().Type())
			if nt == nil {
				return false
			}
			tn := nt.Origin().Obj()
			if sums.redeclared[tn] || env[tn.Name()] != tn {
				return false
			}
		} else if env[f.Name()] != f {
			return false // redeclared since (or its cell did not run)
		}
	} else if sum == nil {
		return false
	}
	state[f] = 1
	for _, d := range sum.deps {
		if !sums.trusted(d, env, state, current) {
			return false
		}
	}
	state[f] = 2
	return true
}

// walk checks the code under root, returning whether it qualifies, the
// cell funcs and methods it names, and why not. decl: root is a func
// declaration, summarised for later cells: the cell's package variables
// may then hold what its unchecked top-level code put there.
func (oc *outCheck) walk(root ast.Node, decl bool) (ok bool, deps []*types.Func, why string) {
	info := oc.c.info
	seen := map[*types.Func]bool{}
	callee := map[*ast.Ident]bool{}
	fail := func(n ast.Node, format string) bool {
		if why == "" {
			why = oc.c.tf.Position(n.Pos()).String() + ": " + format
		}
		return false
	}
	// A String (Error, Format…) method printing its receiver with fmt
	// recurses forever: the worker dies before its last output goes out.
	var fmtRecv *types.Named
	if fd, ok := root.(*ast.FuncDecl); ok && fd.Recv != nil && outFmtMethods[fd.Name.Name] {
		if f, ok := info.Defs[fd.Name].(*types.Func); ok {
			fmtRecv = namedOf(f.Type().(*types.Signature).Recv().Type())
		}
	}
	ast.Inspect(root, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.GoStmt:
			return fail(n, "go statement")
		case *ast.SendStmt:
			return fail(n, "channel send")
		case *ast.SelectStmt:
			return fail(n, "select")
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				return fail(n, "channel receive")
			}
		case *ast.RangeStmt:
			if _, isChan := under(info.TypeOf(n.X)).(*types.Chan); isChan {
				return fail(n, "range over a channel")
			}
		case *ast.TypeAssertExpr:
			if n.Type != nil && holdsHidden(info.TypeOf(n.Type), nil) {
				return fail(n, "type assertion to a type that may hold funcs or writers")
			}
		case *ast.TypeSwitchStmt:
			for _, cl := range n.Body.List {
				for _, e := range cl.(*ast.CaseClause).List {
					if t := info.TypeOf(e); t != nil && holdsHidden(t, nil) {
						return fail(e, "type switch case of a type that may hold funcs or writers")
					}
				}
			}
		case *ast.CallExpr:
			if id := calleeIdentOf(n); id != nil {
				callee[id] = true
			}
			if w := oc.callArgs(n); w != "" {
				return fail(n, w)
			}
			if fmtRecv != nil && oc.printsType(n, fmtRecv) {
				return fail(n, "prints its own receiver's type: may recurse")
			}
		case *ast.Ident:
			switch o := info.Uses[n].(type) {
			case *types.Func:
				if w := oc.funcUse(o); w != "" {
					return fail(n, w)
				}
				if !callee[n] && o.Pkg() != nil && o.Pkg().Path() != "main" && !oc.inertParams(o) {
					return fail(n, o.FullName()+" used as a value")
				}
				if o.Pkg() != nil && o.Pkg().Path() == "main" && !seen[o.Origin()] {
					seen[o.Origin()] = true
					deps = append(deps, o.Origin())
				}
			case *types.Var:
				if w := oc.varUse(o, decl); w != "" {
					return fail(n, w)
				}
			case *types.Builtin:
				if o.Name() == "close" {
					return fail(n, "close")
				}
			}
		}
		return true
	})
	return why == "", deps, why
}

// funcUse says why naming f disqualifies the cell, or "".
func (oc *outCheck) funcUse(f *types.Func) string {
	sig, _ := f.Type().(*types.Signature)
	if sig != nil && sig.Recv() != nil {
		if _, isIface := under(sig.Recv().Type()).(*types.Interface); isIface {
			return "method call through an interface (" + f.Name() + ")"
		}
	}
	if f.Pkg() == nil {
		return "call of " + f.Name()
	}
	switch path := f.Pkg().Path(); {
	case path == "main":
		return "" // checked with the cell, or through its summary
	case path == "fmt":
		if sig.Recv() == nil && outFmtFuncs[f.Name()] {
			return ""
		}
	case path == "log":
		if sig.Recv() == nil && outLogFuncs[f.Name()] {
			return ""
		}
	case outSafePkgs[path]:
		return ""
	}
	return "uses " + f.FullName() + ", which may write to stdout or stderr"
}

// varUse says why naming v disqualifies the cell, or "". decl: see walk.
func (oc *outCheck) varUse(v *types.Var, decl bool) string {
	if v.IsField() || v.Pkg() == nil || v.Parent() != v.Pkg().Scope() {
		return ""
	}
	path := v.Pkg().Path()
	if path != "main" {
		if outSafePkgs[path] {
			return ""
		}
		return "uses " + path + "." + v.Name()
	}
	if (decl || !oc.inCell(v)) && holdsHidden(v.Type(), nil) {
		return "uses " + v.Name() + ", a variable set by unchecked code that may hold funcs or writers"
	}
	return ""
}

// inertParams tells whether compiled func f, used as a value (its calls
// are not seen), takes only inert arguments.
func (oc *outCheck) inertParams(f *types.Func) bool {
	sig := f.Type().(*types.Signature)
	ps := sig.Params()
	fmtLike := fmtLikePkg(f.Pkg().Path())
	for i := 0; i < ps.Len(); i++ {
		t := ps.At(i).Type()
		if _, isIface := under(t).(*types.Interface); isIface && !fmtLike {
			return false
		}
		if !oc.inert(t, fmtLike, map[types.Type]bool{}) {
			return false
		}
	}
	return true
}

// callArgs checks the arguments of a call of a compiled function; it says
// why they disqualify the cell, or "".
func (oc *outCheck) callArgs(call *ast.CallExpr) string {
	info := oc.c.info
	f := oc.compiledCallee(call)
	if f == nil {
		return ""
	}
	path := f.Pkg().Path()
	fmtLike := fmtLikePkg(path)
	for i, a := range call.Args {
		t := info.TypeOf(a)
		if t == nil {
			return "argument of unknown type"
		}
		if path == "fmt" && i == 0 && strings.HasPrefix(f.Name(), "Fprint") {
			if _, isIface := under(t).(*types.Interface); isIface || !oc.inert(t, false, map[types.Type]bool{}) {
				return "fmt." + f.Name() + " to a writer that may be stdout or stderr"
			}
			continue
		}
		if !oc.inert(t, fmtLike, map[types.Type]bool{}) {
			return "argument of type " + t.String() + " to " + f.FullName() + " may run unchecked code"
		}
	}
	return ""
}

// printsType tells whether call is a call of fmt, log or errors with an
// argument of type nt or *nt.
func (oc *outCheck) printsType(call *ast.CallExpr, nt *types.Named) bool {
	f := oc.compiledCallee(call)
	if f == nil {
		return false
	}
	if !fmtLikePkg(f.Pkg().Path()) {
		return false
	}
	for _, a := range call.Args {
		if at := namedOf(oc.c.info.TypeOf(a)); at != nil && at.Origin() == nt.Origin() {
			return true
		}
	}
	return false
}

// compiledCallee returns the func or method of a compiled package (not
// the cells' "main") that call calls, or nil.
func (oc *outCheck) compiledCallee(call *ast.CallExpr) *types.Func {
	id := calleeIdentOf(call)
	if id == nil {
		return nil
	}
	f, ok := oc.c.info.Uses[id].(*types.Func)
	if !ok || f.Pkg() == nil || f.Pkg().Path() == "main" {
		return nil
	}
	return f
}

// calleeIdentOf returns the identifier naming the func call calls
// (Println of fmt.Println, F of F[int]), or nil.
func calleeIdentOf(call *ast.CallExpr) *ast.Ident {
	switch fn := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return fn
	case *ast.SelectorExpr:
		return fn.Sel
	case *ast.IndexExpr: // generic instantiation
		return identOf(fn.X)
	case *ast.IndexListExpr:
		return identOf(fn.X)
	}
	return nil
}

func identOf(e ast.Expr) *ast.Ident {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

// inert tells whether a compiled function given a value of type t can
// only run checked code through it. With fmtMode, t is an argument of
// fmt, log or errors, which call only the methods in outFmtMethods, of
// exported parts.
func (oc *outCheck) inert(t types.Type, fmtMode bool, seen map[types.Type]bool) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Basic, *types.Signature:
		return true
	case *types.Pointer:
		return oc.inert(t.Elem(), fmtMode, seen)
	case *types.Slice:
		return oc.inert(t.Elem(), fmtMode, seen)
	case *types.Array:
		return oc.inert(t.Elem(), fmtMode, seen)
	case *types.Chan:
		return oc.inert(t.Elem(), fmtMode, seen)
	case *types.Map:
		return oc.inert(t.Key(), fmtMode, seen) && oc.inert(t.Elem(), fmtMode, seen)
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if !oc.inert(t.Field(i).Type(), fmtMode, seen) {
				return false
			}
		}
		return true
	case *types.Interface:
		return fmtMode && oc.fmtIfaceOK()
	case *types.Named:
		if seen[t] {
			return true
		}
		seen[t] = true
		obj := t.Origin().Obj()
		if _, isIface := t.Underlying().(*types.Interface); isIface {
			return fmtMode && oc.fmtIfaceOK()
		}
		if obj.Pkg() == nil {
			return false
		}
		if path := obj.Pkg().Path(); path != "main" {
			if fmtMode {
				// Compiled methods are assumed not to print; what the
				// value holds may be a cell value.
				return oc.inertFields(t.Underlying(), seen)
			}
			return outSafePkgs[path]
		}
		if !oc.inCell(obj) {
			if oc.sums.tainted || oc.sums.redeclared[obj] || oc.env[obj.Name()] != obj {
				return false
			}
			ms := types.NewMethodSet(types.NewPointer(t.Origin()))
			for i := 0; i < ms.Len(); i++ {
				f, ok := ms.At(i).Obj().(*types.Func)
				if !ok {
					return false
				}
				if fmtMode && !outFmtMethods[f.Name()] {
					continue
				}
				if !oc.sums.trusted(f, oc.env, map[*types.Func]int{}, nil) {
					return false
				}
			}
		}
		return oc.inert(t.Underlying(), fmtMode, seen)
	}
	return false
}

// inertFields is inert in fmt mode for the exported parts of a compiled
// type's underlying type u (fmt cannot call methods of unexported fields).
func (oc *outCheck) inertFields(u types.Type, seen map[types.Type]bool) bool {
	st, ok := u.(*types.Struct)
	if !ok {
		return oc.inert(u, true, seen)
	}
	for i := 0; i < st.NumFields(); i++ {
		if f := st.Field(i); f.Exported() && !oc.inert(f.Type(), true, seen) {
			return false
		}
	}
	return true
}

// fmtIfaceOK tells whether an interface value is a safe argument of fmt,
// log and errors: every type of an earlier cell has only checked
// outFmtMethods (values of the cell's own types are checked with it).
func (oc *outCheck) fmtIfaceOK() bool {
	if oc.fmtOK == 0 {
		oc.fmtOK = 2
		if oc.allFmtMethodsTrusted() {
			oc.fmtOK = 1
		}
	}
	return oc.fmtOK == 1
}

func (oc *outCheck) allFmtMethodsTrusted() bool {
	if oc.sums.tainted {
		return false
	}
	for _, f := range oc.sums.fmtMethods {
		if !oc.inCell(f) && !oc.sums.trusted(f, oc.env, map[*types.Func]int{}, nil) {
			return false
		}
	}
	for _, o := range oc.env {
		tn, ok := o.(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		nt, ok := tn.Type().(*types.Named)
		if !ok {
			continue
		}
		if _, isIface := nt.Underlying().(*types.Interface); isIface {
			continue
		}
		// Only these few methods matter: looked up by name, not in the
		// type's whole method set (built anew per type and per cell, it
		// was most of the check's time in a session of many types).
		pt := types.NewPointer(nt)
		for name := range outFmtMethods {
			f, ok := lookupMethod(pt, name)
			if !ok {
				continue
			}
			if oc.sums.redeclared[tn] || !oc.sums.trusted(f, oc.env, map[*types.Func]int{}, nil) {
				return false
			}
		}
	}
	return true
}

// lookupMethod returns the method of exported name in the method set of
// t, if there is one (a field of that name, or an ambiguous selector,
// hides it as in the method set).
func lookupMethod(t types.Type, name string) (*types.Func, bool) {
	obj, _, _ := types.LookupFieldOrMethod(t, false, nil, name)
	f, ok := obj.(*types.Func)
	return f, ok
}

// outHiddenTypes are compiled types of outSafePkgs that hold a writer,
// reader, func or interface their methods use: a value of one made by
// unchecked code (json.NewEncoder(os.Stdout)) writes to stdout.
var outHiddenTypes = map[string]bool{
	"encoding/json.Encoder": true, "encoding/json.Decoder": true,
	"encoding/csv.Writer": true, "encoding/csv.Reader": true,
	"text/tabwriter.Writer": true, "time.Timer": true, "time.Ticker": true,
	"math/rand.Rand": true, "math/rand.Zipf": true,
	"math/rand/v2.Rand": true, "math/rand/v2.Zipf": true,
	"container/list.List": true, "container/list.Element": true,
	"container/ring.Ring": true,
}

// holdsHidden tells whether a value of type t can hold a func or a value
// of outHiddenTypes (or of a type of another compiled package).
func holdsHidden(t types.Type, seen map[types.Type]bool) bool {
	return anyPart(t, seen, func(t types.Type, seen map[types.Type]bool) bool {
		switch t := t.(type) {
		case *types.Signature:
			return true
		case *types.Named:
			obj := t.Origin().Obj()
			if obj.Pkg() != nil && obj.Pkg().Path() != "main" {
				path := obj.Pkg().Path()
				if _, isIface := t.Underlying().(*types.Interface); isIface {
					return false // see below
				}
				// Methods of other packages' types are refused by funcUse.
				return outSafePkgs[path] && outHiddenTypes[path+"."+obj.Name()]
			}
			return holdsHidden(t.Underlying(), seen)
		}
		// An interface value can hold a func or a hidden type too, but
		// using it needs a type assertion, which is checked, or a method
		// call through the interface, which disqualifies.
		return false
	})
}

// anyPart reports whether leaf holds for t, or for a type that a value of
// type t holds through pointers, slices, arrays, channels, maps and struct
// fields. leaf sees the other types (basic, func, interface, named, type
// parameter); a named type only once per seen map.
func anyPart(t types.Type, seen map[types.Type]bool, leaf func(t types.Type, seen map[types.Type]bool) bool) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Pointer:
		return anyPart(t.Elem(), seen, leaf)
	case *types.Slice:
		return anyPart(t.Elem(), seen, leaf)
	case *types.Array:
		return anyPart(t.Elem(), seen, leaf)
	case *types.Chan:
		return anyPart(t.Elem(), seen, leaf)
	case *types.Map:
		return anyPart(t.Key(), seen, leaf) || anyPart(t.Elem(), seen, leaf)
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if anyPart(t.Field(i).Type(), seen, leaf) {
				return true
			}
		}
		return false
	case *types.Named:
		if seen == nil {
			seen = map[types.Type]bool{}
		}
		if seen[t] {
			return false
		}
		seen[t] = true
		return leaf(t, seen)
	default:
		return leaf(t, seen)
	}
}

// background says how the cell may leave goroutines running interpreted
// code (a go statement; a func, interface or value with methods given to
// a compiled function outside outSafePkgs, or to time.AfterFunc), or "".
func (oc *outCheck) background() string {
	info := oc.c.info
	why := ""
	ast.Inspect(oc.c.file, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.GoStmt:
			why = "go statement"
		case *ast.CallExpr:
			f := oc.compiledCallee(n)
			if f == nil {
				return true
			}
			if oc.funcUse(f) == "" && f.FullName() != "time.AfterFunc" {
				return true
			}
			for _, a := range n.Args {
				if t := info.TypeOf(a); t == nil || mayCallBack(t, nil) {
					why = "gives " + f.FullName() + " code to run"
				}
			}
		}
		return true
	})
	return why
}

// mayCallBack tells whether compiled code given a value of type t may
// run interpreted code through it: t holds a func, an interface, or a
// value of a cell type with methods.
func mayCallBack(t types.Type, seen map[types.Type]bool) bool {
	return anyPart(t, seen, func(t types.Type, seen map[types.Type]bool) bool {
		switch t := t.(type) {
		case *types.Basic:
			return false
		case *types.Named:
			obj := t.Origin().Obj()
			if _, isIface := t.Underlying().(*types.Interface); isIface {
				return true
			}
			if obj.Pkg() != nil && obj.Pkg().Path() != "main" {
				return false // compiled values run compiled code
			}
			if types.NewMethodSet(types.NewPointer(t)).Len() > 0 {
				return true
			}
			return mayCallBack(t.Underlying(), seen)
		}
		return true // funcs, interfaces, type parameters
	})
}
