package interp

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path"
	"reflect"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/godl-kernel/godl/interp/stdext"
	"github.com/godl-kernel/godl/interp/symbols"
)

// hostPkg is the import path of the session's own helpers inside the
// interpreter (Show, Done); cells never see it under a usable name.
const hostPkg = "godlhost"

// prelude is evaluated in every fresh interpreter. __godl_show computes
// the text of a cell's final values inside the interpreter, where an
// interpreted String method is visible (compiled fmt cannot see it).
const prelude = `package main

// __godl_str: see finalStringer (fmtargs.go).
var __godl_str func(any) (string, bool)

func __godl_show(vs ...any) {
	ts := make([]string, len(vs))
	for i, v := range vs {
		ts[i] = __godl.SprintWith([]any{v}, __godl_str)
	}
	__godl.Show(vs, ts)
}

func __godl_show1(v any) {
	__godl.Show([]any{v}, []string{__godl.SprintWith([]any{v}, __godl_str)})
}
`

// exitPanic is what os.Exit panics with inside a cell: like ipykernel's
// SystemExit, it ends the cell, not the kernel.
type exitPanic struct{ code int }

func (e exitPanic) Error() string { return fmt.Sprintf("os.Exit(%d) called", e.code) }

// newInterp returns a fresh interpreter wired to the session's streams,
// with the standard library, the prelude, and nothing of the user's.
func (s *Session) newInterp() (*yaegi.Interpreter, error) {
	yi := yaegi.New(yaegi.Options{
		Stdin:        s.stdin,
		Stdout:       s.stdout,
		Stderr:       s.stderr,
		Unrestricted: true, // real environment, os/exec: it is the user's machine
	})
	if err := yi.Use(stdlib.Symbols); err != nil {
		return nil, fmt.Errorf("loading the standard library into yaegi: %w", err)
	}
	var stdin io.Reader = s.stdin
	extra := yaegi.Exports{
		"os/os": {
			"Exit":        reflect.ValueOf(func(code int) { panic(exitPanic{code}) }),
			"FindProcess": reflect.ValueOf(os.FindProcess),
			// os.Stdin reads through input_request; it is an io.Reader.
			"Stdin": reflect.ValueOf(&stdin).Elem(),
		},
		"os/exec/exec": {
			"Command":        reflect.ValueOf(exec.Command),
			"CommandContext": reflect.ValueOf(exec.CommandContext),
			"ErrNotFound":    reflect.ValueOf(&exec.ErrNotFound).Elem(),
			"LookPath":       reflect.ValueOf(exec.LookPath),
			"Cmd":            reflect.ValueOf((*exec.Cmd)(nil)),
			"Error":          reflect.ValueOf((*exec.Error)(nil)),
			"ExitError":      reflect.ValueOf((*exec.ExitError)(nil)),
		},
		hostPkg + "/" + hostPkg: {
			"Show":  reflect.ValueOf(s.hostShow),
			"Done":  reflect.ValueOf(s.hostDone),
			"At":    reflect.ValueOf(s.hostAt),
			"Typed": reflect.ValueOf(s.hostTyped),
			"Parts": reflect.ValueOf(hostParts),
			"Loop":  reflect.ValueOf(s.hostLoop),
		},
	}
	// Interpreted interface values inside composites (unwrap.go).
	for name, f := range unwrapExports() {
		extra[hostPkg+"/"+hostPkg][name] = f
	}
	for name, f := range workaroundExports() { // workaround_host.go
		extra[hostPkg+"/"+hostPkg][name] = f
	}
	if err := yi.Use(extra); err != nil {
		return nil, err
	}
	for _, tables := range extraSymbols() {
		if err := yi.Use(tables); err != nil {
			return nil, err
		}
	}
	// What yaegi's std lacks (slices.Sort, maps.Keys, ...) and the
	// helpers lowered cells call (min, max, clear).
	if err := stdext.Install(yi); err != nil {
		return nil, err
	}
	if _, err := yi.Eval(`import (__godl "` + hostPkg + `"; __godl_fmt "fmt")`); err != nil {
		return nil, fmt.Errorf("godl prelude imports: %w", err)
	}
	if _, err := yi.Eval(prelude); err != nil {
		return nil, fmt.Errorf("godl prelude: %w", err)
	}
	return yi, nil
}

// extraSymbols returns the yaegi tables of the preloaded packages
// (gonum, plot, gorgonia, tensor, display), besides the standard library.
func extraSymbols() []yaegi.Exports { return []yaegi.Exports{symbols.Symbols} }

// preloadedPaths are the import paths cells may use without import lines
// besides the standard library.
func preloadedPaths() []string { return symbols.Preloaded }

var (
	pkgIndexOnce sync.Once
	pkgIndex     map[string]string // package name -> import path for auto-import
)

// preferredPaths settles package names that several packages share.
var preferredPaths = map[string]string{
	"rand":     "math/rand",
	"template": "text/template",
	"scanner":  "text/scanner",
	"pprof":    "runtime/pprof",
	"constant": "go/constant",
	"parser":   "go/parser",
	"token":    "go/token",
	"ast":      "go/ast",
	"format":   "go/format",
	"types":    "go/types",
	"build":    "go/build",
	"doc":      "go/doc",
	"printer":  "go/printer",
	"heap":     "container/heap",
	"list":     "container/list",
	"ring":     "container/ring",
	"zip":      "archive/zip",
	"tar":      "archive/tar",
	"json":     "encoding/json",
	"csv":      "encoding/csv",
	"xml":      "encoding/xml",
	"base64":   "encoding/base64",
	"hex":      "encoding/hex",
	"binary":   "encoding/binary",
	"gzip":     "compress/gzip",
	"md5":      "crypto/md5",
	"sha256":   "crypto/sha256",
	"http":     "net/http",
	"url":      "net/url",
	"filepath": "path/filepath",
	"path":     "path",
	"exec":     "os/exec",
	"signal":   "os/signal",
	"atomic":   "sync/atomic",
	"utf8":     "unicode/utf8",
	"big":      "math/big",
	"cmplx":    "math/cmplx",
	"bits":     "math/bits",
	"draw":     "gonum.org/v1/plot/vg/draw",
}

// autoImportPath returns the import path a bare package name refers to.
func autoImportPath(name string) (string, bool) {
	pkgIndexOnce.Do(func() {
		pkgIndex = map[string]string{}
		add := func(p, name string) {
			if strings.Contains(p, "internal") || strings.HasPrefix(p, "github.com/traefik") {
				return
			}
			old, ok := pkgIndex[name]
			if !ok || len(p) < len(old) || (len(p) == len(old) && p < old) {
				pkgIndex[name] = p
			}
		}
		for key := range stdlib.Symbols {
			add(path.Dir(key), path.Base(key))
		}
		for _, t := range extraSymbols() {
			for key := range t {
				add(path.Dir(key), path.Base(key))
			}
		}
		for name, p := range preferredPaths {
			if _, ok := stdlib.Symbols[p+"/"+path.Base(p)]; ok {
				pkgIndex[name] = p
			}
		}
		for _, p := range preloadedPaths() {
			for _, t := range extraSymbols() {
				for key := range t {
					if path.Dir(key) == p {
						pkgIndex[path.Base(key)] = p
					}
				}
			}
		}
	})
	p, ok := pkgIndex[name]
	return p, ok
}

// varRecord is the latest declaration of a package-level variable.
type varRecord struct {
	v    varPiece
	cell *parsedCell
	typ  map[string]string // Go types by name, when known
}

// declRecord is the latest declaration of a func, method, type or const.
type declRecord struct {
	d    declPiece
	cell *parsedCell
}

// varDecl returns the package-level declaration of v, with names not in
// keep replaced by _; "" when no name is kept.
//
// alt is the same declaration as a top-level statement (`a, b := e`),
// which yaegi compiles by another path: the fallback when yaegi's
// package-level path fails on it.
func varDecl(c *parsedCell, v varPiece, keep func(string) bool) (decl, alt string) {
	var names []string
	any := false
	for i, n := range v.names {
		if keep(n) && n != "_" {
			names = append(names, n)
			any = true
		} else {
			// Not "_": yaegi crashes on `var a, _ = f()`.
			names = append(names, fmt.Sprintf("__godl_blank%d", i))
		}
	}
	if !any {
		return "", ""
	}
	var b strings.Builder
	b.WriteString("var ")
	b.WriteString(c.directive(v.off))
	b.WriteString(strings.Join(names, ", "))
	if v.typ != "" {
		b.WriteString(" ")
		b.WriteString(c.directive(v.typOff))
		b.WriteString(v.typ)
	}
	if v.rhs != "" {
		b.WriteString(" = ")
		b.WriteString(c.directive(v.rhsOff))
		b.WriteString(v.rhs)
	}
	b.WriteString("\n")
	// yaegi fails on position directives in a package-level variable
	// declaration whose value comes from a compiled function ("constant
	// definition loop"), so alt has none: it is laid out at the cell's
	// line and column instead, and its errors ("L:C: msg") are prefixed
	// with the cell's name.
	line, col := c.lineCol(v.off)
	pad := strings.Repeat("\n", line-1) + strings.Repeat(" ", col-1)
	if v.typ == "" && v.rhs != "" {
		// A statement: "_ = 0" keeps yaegi in statement mode (it wraps
		// the source in a function whose body is evaluated globally).
		text := strings.Join(names, ", ") + " := " + v.rhs
		if orig := c.src[v.off : v.rhsOff+len(v.rhs)]; strings.Join(names, ", ") == strings.Join(v.names, ", ") && strings.Contains(orig[:v.rhsOff-v.off], ":=") {
			text = orig
		}
		if line == 1 {
			pad = "; " // the column on line 1 is off by yaegi's wrapper
		}
		alt = "_ = 0" + pad + text + "\n"
	} else {
		text := strings.Join(names, ", ")
		if v.typ != "" {
			text += " " + v.typ
		}
		if v.rhs != "" {
			text += " = " + v.rhs
		}
		if len(pad) > 0 && pad[0] == '\n' {
			alt = "package main" + pad[:len(pad)-(col-1)] + strings.Repeat(" ", max(col-5, 0)) + "var " + text + "\n"
		} else {
			alt = "package main\nvar " + text + "\n"
		}
	}
	return b.String(), alt
}

// compiled is a cell compiled into one interpreter, ready to run.
type compiled struct {
	yi    *yaegi.Interpreter
	call  *yaegi.Program // runs the cell function
	show  bool           // the cell function reports a final value
	fresh bool           // yi is a rebuilt interpreter, not the session's
	seq   int64          // run number, passed to __godl.Done
}

// piece is one package-level declaration fed to yaegi: a type or const
// (executed), a func or method (executed: no side effects), or a
// variable (compiled only: yaegi infers its type; never run).
type piece struct {
	cell  int // the cell it comes from
	src   string
	alt   string // for variables: the statement form (see varDecl)
	names []string
	refs  map[string]bool
	kind  string // "type", "const", "func", "method", "var"
}

// declPieces returns the pieces of c's declarations; with skip set,
// those the session already has with the same text are left out.
func (s *Session) declPieces(c *parsedCell, skip bool) []piece {
	var ps []piece
	for _, dp := range c.decls {
		if skip && s.sameDecl(dp) {
			continue
		}
		names := dp.names
		if dp.kind == "method" {
			names = []string{dp.names[0][strings.IndexByte(dp.names[0], '.')+1:]}
		}
		ps = append(ps, piece{src: c.directive(dp.off) + dp.text + "\n", names: names, refs: dp.refs, kind: dp.kind})
	}
	return ps
}

// varPieces returns the declarations of c's variables whose names keep
// accepts.
func varPieces(c *parsedCell, keep func(string) bool) []piece {
	var ps []piece
	for _, v := range c.vars {
		if src, alt := varDecl(c, v, keep); src != "" {
			ps = append(ps, piece{cell: c.n, src: src, alt: alt, names: v.names, refs: v.refs, kind: "var"})
		}
	}
	return ps
}

// declare compiles pieces into yi in dependency order: types and consts
// first, then funcs and variables ordered so that each is compiled after
// what it uses (yaegi resolves names across programs only backwards).
// Programs of types, consts and funcs are executed at once (they have no
// side effects); variable declarations are only compiled.
func declare(yi *yaegi.Interpreter, ps []piece) error {
	var tc strings.Builder
	var rest []piece
	for _, p := range ps {
		if p.kind == "type" || p.kind == "const" {
			tc.WriteString(p.src)
		} else {
			rest = append(rest, p)
		}
	}
	run := func(src string, exec bool) error {
		p, err := compileSafe(yi, "package main\n"+src)
		if err != nil {
			return compileError(err)
		}
		if exec && p != nil {
			if _, err := yi.Execute(p); err != nil {
				return err
			}
		}
		return nil
	}
	if tc.Len() > 0 {
		if err := run(tc.String(), true); err != nil {
			return err
		}
	}
	// Batch consecutive components of one kind into one program.
	var batch strings.Builder
	var batchPieces []piece
	batchVar := false
	flush := func() error {
		if batch.Len() == 0 {
			return nil
		}
		var err error
		if batchVar {
			// Variables are declared as top-level statements (compiled,
			// never run): yaegi's package-level path crashes on some
			// (`var n, err = fmt.Scanln(&x)`). A leading statement keeps
			// yaegi in statement mode; it runs no code either.
			for _, p := range batchPieces {
				if _, err = compileSafe(yi, p.alt); err != nil {
					msg := err.Error()
					if unnamedPos.MatchString(msg) {
						msg = fmt.Sprintf("cell%d:%s", p.cell, msg)
					}
					err = &evalError{"CompileError", msg}
					break
				}
			}
		} else {
			err = run(batch.String(), true)
		}
		batch.Reset()
		batchPieces = batchPieces[:0]
		return err
	}
	for _, comp := range sccs(rest) {
		hasVar, hasFunc := false, false
		for _, p := range comp {
			if p.kind == "var" {
				hasVar = true
			} else {
				hasFunc = true
			}
		}
		if hasVar && hasFunc {
			// An initialization cycle through funcs: declare all,
			// compiled only, then the funcs again to run them.
			if err := flush(); err != nil {
				return err
			}
			var all, funcs strings.Builder
			for _, p := range comp {
				all.WriteString(p.src)
				if p.kind != "var" {
					funcs.WriteString(p.src)
				}
			}
			if err := run(all.String(), false); err != nil {
				return err
			}
			if err := run(funcs.String(), true); err != nil {
				return err
			}
			continue
		}
		if batch.Len() > 0 && batchVar != hasVar {
			if err := flush(); err != nil {
				return err
			}
		}
		batchVar = hasVar
		for _, p := range comp {
			batch.WriteString(p.src)
			batchPieces = append(batchPieces, p)
		}
	}
	return flush()
}

// sccs returns the strongly connected components of the pieces' use
// graph, each after the components it uses (Tarjan's order).
func sccs(ps []piece) [][]piece {
	by := map[string][]int{}
	for i, p := range ps {
		for _, n := range p.names {
			by[n] = append(by[n], i)
		}
	}
	index := make([]int, len(ps))
	low := make([]int, len(ps))
	on := make([]bool, len(ps))
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out [][]piece
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		deps := map[int]bool{}
		for r := range ps[v].refs {
			for _, w := range by[r] {
				if w != v {
					deps[w] = true
				}
			}
		}
		ws := make([]int, 0, len(deps))
		for w := range deps {
			ws = append(ws, w)
		}
		sort.Ints(ws)
		for _, w := range ws {
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []piece
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				comp = append(comp, ps[w])
				if w == v {
					break
				}
			}
			// Keep source order inside a component.
			sort.SliceStable(comp, func(i, j int) bool { return false })
			out = append(out, comp)
		}
	}
	for i := range ps {
		if index[i] < 0 {
			visit(i)
		}
	}
	return out
}

// compileCell compiles c into yi. With replay nil, yi is the session's
// interpreter; otherwise yi is fresh and replay holds the session's
// declarations minus what c redefines.
func (s *Session) compileCell(yi *yaegi.Interpreter, c *parsedCell, replay []piece) (*compiled, error) {
	fresh := replay != nil
	s.runSeq++
	cc := &compiled{yi: yi, fresh: fresh, seq: s.runSeq}
	ps := append(replay, s.declPieces(c, !fresh)...)
	// New variables are declared; existing ones are only assigned by
	// the cell function.
	ps = append(ps, varPieces(c, func(n string) bool { return fresh || s.vars[n] == nil })...)
	var cells []int
	for ref := range c.pkgRefs {
		if _, ok := s.imports[ref]; ok {
			// Registering the imports under a new file name is an Eval:
			// only for cells that name a package.
			cells = append(cells, c.n)
			break
		}
	}
	for _, p := range ps {
		cells = append(cells, p.cell)
	}
	s.importForCells(yi, cells)
	if err := s.declarePosVars(yi, append(piecesSrc(ps), c.src)...); err != nil {
		return nil, err
	}
	if err := declare(yi, ps); err != nil {
		return nil, err
	}

	// Variables used by funcs (of any cell), closures or pointers stay
	// globals; the others live as locals of the cell function, which
	// yaegi runs about twice as fast as globals, when the cell loops
	// (otherwise the copy to the global costs more than it saves).
	var funcRefs map[string]bool
	local := func(names []string) bool {
		if !c.loops {
			return false
		}
		if funcRefs == nil {
			funcRefs = s.funcRefs(c)
		}
		for _, n := range names {
			// A variable of interface type is assigned in place: yaegi
			// cannot copy an interpreted value held in an interface
			// through a pointer (reflect.Set fails).
			if n != "_" && (funcRefs[n] || c.captured[n] || (s.cellTypes != nil && s.cellTypes.ifaces[n])) {
				return false
			}
		}
		return true
	}
	body := func(show bool) string {
		var b strings.Builder
		// A func literal called at once: one program, whose locals and
		// temporaries die with its frame (a named func would add global
		// slots to yaegi's frame at every cell).
		b.WriteString("(func() {\n")
		fmt.Fprintf(&b, "%sdefer __godl.Done(%d)\n", c.directive(0), cc.seq)
		for i, st := range c.stmts {
			// Where the cell is, for the traceback of a panic (yaegi
			// only knows the function): one host call per top-level
			// statement.
			if len(c.stmts) > 1 {
				fmt.Fprintf(&b, "__godl.At(%d)\n", st.off)
			}
			switch {
			case st.assign != nil && local(st.assign.names):
				// A local of the cell function, copied to the global
				// when the function returns (also on panic/interrupt).
				v := st.assign
				for k, n := range v.names {
					if n != "_" {
						fmt.Fprintf(&b, "__godl_p%d_%d := &%s\n", i, k, n)
					}
				}
				if strings.HasPrefix(st.local, "var") || v.typ != "" || v.rhs == "" {
					// A var spec: "var" + the spec.
					b.WriteString("var ")
				}
				b.WriteString(c.directive(st.localOff))
				b.WriteString(st.local)
				b.WriteString("\ndefer func() {\n")
				for k, n := range v.names {
					if n != "_" {
						fmt.Fprintf(&b, "*__godl_p%d_%d = %s\n", i, k, n)
					}
				}
				b.WriteString("}()\n")
			case st.assign != nil:
				v := st.assign
				if v.rhs == "" {
					if v.typ != "" && !fresh && anyExisting(s, v.names) {
						// Re-running `var x T` resets x.
						for _, n := range v.names {
							if n != "_" {
								fmt.Fprintf(&b, "%s%s = *new(%s%s)\n", c.directive(v.off), n, c.directive(v.typOff), v.typ)
							}
						}
					}
					continue
				}
				b.WriteString(c.directive(v.off))
				b.WriteString(strings.Join(v.names, ", "))
				b.WriteString(" = ")
				b.WriteString(c.directive(v.rhsOff))
				b.WriteString(v.rhs)
				b.WriteString("\n")
			case show && i == len(c.stmts)-1 && s.cellTypes.needsPlan():
				b.WriteString(showCode(s.cellTypes, c.directive(st.off)+st.text))
			case show && i == len(c.stmts)-1 && !c.finalCall:
				// One value: not through the variadic __godl_show, which
				// yaegi would spread a []any final value into.
				b.WriteString("__godl_show1(")
				b.WriteString(c.directive(st.off))
				b.WriteString(st.text)
				b.WriteString(")\n")
			case show && i == len(c.stmts)-1:
				b.WriteString("__godl_show(")
				b.WriteString(c.directive(st.off))
				b.WriteString(st.text)
				b.WriteString(")\n")
			default:
				b.WriteString(c.directive(st.off))
				b.WriteString(st.text)
				b.WriteString("\n")
			}
		}
		b.WriteString("})()\n")
		return b.String()
	}
	cc.show = c.final != nil
	var err error
	if cc.call, err = compileSafe(yi, body(cc.show)); err != nil && cc.show && c.finalCall {
		// The final call may return nothing: run it as a statement.
		if call, err2 := compileSafe(yi, body(false)); err2 == nil {
			cc.call, err, cc.show = call, nil, false
		}
	}
	if err != nil {
		return nil, compileError(err)
	}
	return cc, nil
}

// funcRefs returns the names used by the funcs and methods of the
// session and of cell c.
// The session's part is computed once per change of its declarations.
func (s *Session) funcRefs(c *parsedCell) map[string]bool {
	add := func(m map[string]bool, d declPiece) {
		if d.kind == "func" || d.kind == "method" {
			for r := range d.refs {
				m[r] = true
			}
		}
	}
	if s.declRefs == nil {
		s.declRefs = map[string]bool{}
		for _, r := range s.declOrder {
			add(s.declRefs, r.d)
		}
	}
	if len(c.decls) == 0 {
		return s.declRefs
	}
	m := make(map[string]bool, len(s.declRefs))
	for r := range s.declRefs {
		m[r] = true
	}
	for _, d := range c.decls {
		add(m, d)
	}
	return m
}

func anyExisting(s *Session, names []string) bool {
	for _, n := range names {
		if s.vars[n] != nil {
			return true
		}
	}
	return false
}

// sameDecl tells whether dp is already declared with the same text.
func (s *Session) sameDecl(dp declPiece) bool {
	for _, n := range dp.names {
		r := s.decls[n]
		if r == nil || r.d.text != dp.text || r.d.kind != dp.kind {
			return false
		}
	}
	return true
}

// needsRebuild tells whether c redefines something yaegi cannot
// redefine in place: a changed func, method, type or const (yaegi keeps
// old callers on the old func and ignores new types and methods), or a
// name changing kind.
func (s *Session) needsRebuild(c *parsedCell) (bool, string) {
	for _, dp := range c.decls {
		for _, n := range dp.names {
			if r := s.decls[n]; r != nil && (r.d.text != dp.text || r.d.kind != dp.kind) {
				return true, dp.kind + " " + n
			}
			if s.vars[n] != nil {
				return true, dp.kind + " " + n
			}
		}
	}
	for _, v := range c.vars {
		for _, n := range v.names {
			if s.decls[n] != nil {
				return true, "var " + n
			}
		}
	}
	return false, ""
}

// rebuild returns a fresh interpreter holding the session's imports,
// and the pieces declaring the session's funcs, types, consts and
// variables (not their values) minus what c redefines.
func (s *Session) rebuild(c *parsedCell) (*yaegi.Interpreter, []piece, error) {
	yi, err := s.newInterp()
	if err != nil {
		return nil, nil, err
	}
	if err := evalImports(yi, s.importList()); err != nil {
		return nil, nil, err
	}
	redefined := map[string]bool{}
	for _, dp := range c.decls {
		for _, n := range dp.names {
			redefined[n] = true
		}
	}
	for _, v := range c.vars {
		for _, n := range v.names {
			redefined[n] = true
		}
	}
	replay := []piece{}
	seen := map[*declRecord]bool{}
	for _, r := range s.declOrder {
		if seen[r] || s.superseded(r, redefined) {
			continue
		}
		seen[r] = true
		names := r.d.names
		if r.d.kind == "method" {
			names = []string{r.d.names[0][strings.IndexByte(r.d.names[0], '.')+1:]}
		}
		replay = append(replay, piece{cell: r.cell.n, src: r.cell.directive(r.d.off) + r.d.text + "\n", names: names, refs: r.d.refs, kind: r.d.kind})
	}
	seenV := map[*varRecord]bool{}
	for _, r := range s.varOrder {
		if seenV[r] {
			continue
		}
		seenV[r] = true
		if src, alt := varDecl(r.cell, r.v, func(n string) bool { return !redefined[n] && s.vars[n] == r }); src != "" {
			replay = append(replay, piece{cell: r.cell.n, src: src, alt: alt, names: r.v.names, refs: r.v.refs, kind: "var"})
		}
	}
	return yi, replay, nil
}

// superseded tells whether a declaration record is no longer the latest
// for one of its names, or is redefined by the cell being compiled.
func (s *Session) superseded(r *declRecord, redefined map[string]bool) bool {
	for _, n := range r.d.names {
		if redefined[n] || s.decls[n] != r {
			return true
		}
		// A method of a redefined type goes with the type.
		if i := strings.IndexByte(n, '.'); i > 0 && redefined[n[:i]] {
			return true
		}
	}
	return false
}

// carry copies the values of the session's variables from old into yi
// (a rebuilt interpreter) where the types allow, and returns the names
// kept and lost. Names in skip are redefined by the cell.
func (s *Session) carry(og map[string]reflect.Value, yi *yaegi.Interpreter, skip map[string]bool) (kept, lost []string) {
	ng, ok := globalsOf(yi)
	for name, r := range s.vars {
		if skip[name] || r == nil {
			continue
		}
		if og == nil || !ok {
			lost = append(lost, name+" (the interpreter's variables could not be read)")
			continue
		}
		ov, ok1 := og[name]
		nv, ok2 := ng[name]
		switch {
		case !ok1 || !ok2 || !ov.IsValid() || !nv.IsValid() || !nv.CanSet():
			lost = append(lost, name)
		case ov.Type().AssignableTo(nv.Type()):
			nv.Set(ov)
			kept = append(kept, name)
		case ov.Type().ConvertibleTo(nv.Type()) && ov.Kind() == nv.Kind() && ov.Kind() == reflect.Struct:
			nv.Set(ov.Convert(nv.Type()))
			kept = append(kept, name)
		case nv.Kind() == reflect.Interface && ov.Kind() != reflect.Interface:
			// yaegi stores an interpreted value assigned to a variable of
			// a compiled interface type (error) as the bare value, which
			// reflect cannot put in the new interpreter's variable.
			lost = append(lost, name+" (an interpreted value in an interface variable)")
		default:
			lost = append(lost, name+" (its type changed)")
		}
	}
	sort.Strings(kept)
	sort.Strings(lost)
	return kept, lost
}

// importList returns the session's imports in a stable order.
func (s *Session) importList() []importSpec {
	var l []importSpec
	for _, im := range s.imports {
		l = append(l, im)
	}
	sort.Slice(l, func(i, j int) bool { return l[i].Path+l[i].Name < l[j].Path+l[j].Name })
	return l
}

// evalImports imports specs into yi.
func evalImports(yi *yaegi.Interpreter, specs []importSpec) error {
	if len(specs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("import (\n")
	for _, im := range specs {
		fmt.Fprintf(&b, "%s %q\n", im.Name, im.Path)
	}
	b.WriteString(")\n")
	_, err := yi.Eval(b.String())
	return err
}

// importForCells makes the session's imports usable as types in code
// positioned in the given cells. yaegi resolves a package name in a type
// (var b strings.Builder) through the file name of the name's position,
// "cellN" under our line directives, while an import is registered under
// the file name of its own source: so each cell's file gets the imports
// once, by an import positioned in that file.
func (s *Session) importForCells(yi *yaegi.Interpreter, cells []int) {
	if s.fileImportsYI != yi {
		s.fileImports, s.fileImportsYI = map[string]bool{}, yi
	}
	imports := s.importList()
	for _, n := range cells {
		file := fmt.Sprintf("cell%d", n)
		var b strings.Builder
		for _, im := range imports {
			key := file + " " + im.Name + " " + im.Path
			if s.fileImports[key] {
				continue
			}
			s.fileImports[key] = true
			fmt.Fprintf(&b, "%s %q\n", im.Name, im.Path)
		}
		if b.Len() > 0 {
			// An error can only say that yaegi has the import already.
			_, _ = yi.Eval("//line " + file + ":1:1\npackage main\nimport (\n" + b.String() + ")\n")
		}
	}
}

// compileError wraps a yaegi compile error as a cell error.
func compileError(err error) error {
	var ce *evalError
	if errors.As(err, &ce) {
		return err
	}
	msg := err.Error()
	kind := "CompileError"
	if strings.Contains(msg, "expected ") || strings.Contains(msg, "syntax") {
		kind = "SyntaxError"
	}
	return &evalError{kind, msg}
}

// prepare sizes a rebuilt interpreter's global frame for the variables
// declared (compiled only) so far, so that values can be carried in.
func (cc *compiled) prepare() error {
	if !cc.fresh {
		return nil
	}
	p, err := compileSafe(cc.yi, "package main\nvar _ = 0\n")
	if err != nil {
		return err
	}
	_, err = cc.yi.Execute(p)
	return err
}

// execute runs a prepared cell under ctx.
func (s *Session) execute(ctx context.Context, cc *compiled) error {
	_, err := cc.yi.ExecuteWithContext(ctx, cc.call)
	return err
}

// lowerSource is the language-level lowering step: go/types checks the
// cell against the earlier cells (Go's own error messages at cell
// positions) and rewrites Go 1.22+ constructs yaegi lacks (range over
// int, per-iteration loop variables, min/max/clear, explicit type
// arguments). The result keeps every line in place. prior are the
// sources of the cells that ran before.
func (s *Session) lowerSource(prior []string, code string, n int) (string, error) {
	if s.lowerer == nil {
		s.lowerer = newCellLowerer(autoImportPath, append([]yaegi.Exports{stdlib.Symbols}, extraSymbols()...)...)
	}
	s.lowerer.loops = s.loops // compiled loops (fastloop.go)
	if s.noFastLoop {
		s.lowerer.loops = nil
	}
	out, err := s.lowerer.lowerCell(prior, code, n)
	if err != nil {
		var ce *cellError
		if errors.As(err, &ce) {
			if ce.Syntax {
				return "", &evalError{"SyntaxError", ce.Error()}
			}
			return "", compileError(errors.New(ce.Error()))
		}
		// A failure of the lowering itself: let yaegi have the cell.
		return code, nil
	}
	return out, nil
}

func stdlibExports() yaegi.Exports { return stdlib.Symbols }

// unnamedPos matches an error position without a file name.
var unnamedPos = regexp.MustCompile(`^\d+:\d+: `)

// compileSafe compiles src, turning a crash of yaegi's compiler into an
// error.
func compileSafe(yi *yaegi.Interpreter, src string) (p *yaegi.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the Go interpreter (yaegi) failed on this code: %v; try writing it differently", r)
			if os.Getenv("GODL_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "yaegi crash on:\n%s\n%s\n", src, debug.Stack())
			}
		}
	}()
	return yi.Compile(src)
}

// cellTypes is what go/types knows about the cell being compiled, for
// the code that shows its final value and stores its variables: yaegi
// loses the methods of interpreted types passed to compiled code as
// interface values (variadic any above all), so the cell function calls
// String, Error and the renderer methods itself, chosen from the static
// method set.
type cellTypes struct {
	final  []types.Type    // the static types of the final expression's values; nil if unknown
	ifaces map[string]bool // top-level variables of the cell whose type is an interface
	scope  *types.Scope    // the cell's package scope: the session's and the cell's objects
	named  []*types.TypeName
	listed bool // named is computed
}

// namedTypes returns the package-level, non-generic, non-interface named
// types of the session and the cell (computed on first use: the scope
// holds every object of the session).
func (ct *cellTypes) namedTypes() []*types.TypeName {
	if ct.listed {
		return ct.named
	}
	ct.listed = true
	for _, name := range ct.scope.Names() {
		o, ok := ct.scope.Lookup(name).(*types.TypeName)
		if !ok || strings.HasPrefix(name, "_godl") || o.IsAlias() {
			continue
		}
		if nt, ok := o.Type().(*types.Named); ok && nt.TypeParams().Len() == 0 && !types.IsInterface(nt) {
			ct.named = append(ct.named, o)
		}
	}
	return ct.named
}

// typesOf type-checks cell n (its Go source as given, magic lines
// blanked) once more, after the lowering accepted it, for its final
// value's static type and its variables' types. It returns nil when the
// types are unknown (the cell is then compiled as before).
func (s *Session) typesOf(src string, n int) (ct *cellTypes) {
	if s.lowerer == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			ct = nil
		}
	}()
	ck, err := s.lowerer.check(src, n)
	if err != nil || ck == nil || ck.info == nil || ck.pkg == nil {
		return nil
	}
	ct = &cellTypes{ifaces: map[string]bool{}, scope: ck.pkg.Scope()}
	for name, o := range s.lowerer.declaredBy(ck) {
		if v, ok := o.(*types.Var); ok && types.IsInterface(v.Type()) {
			ct.ifaces[name] = true
		}
	}
	if es := cellFinalStmt(ck); es != nil {
		if tv, ok := ck.info.Types[es.X]; ok && tv.Type != nil && tv.IsValue() {
			if tu, ok := tv.Type.(*types.Tuple); ok {
				for i := 0; i < tu.Len(); i++ {
					ct.final = append(ct.final, tu.At(i).Type())
				}
			} else {
				ct.final = []types.Type{tv.Type}
			}
		}
	}
	return ct
}

// involvesCellType tells whether t is or contains a type declared in a
// cell (package main of the interpreter).
func involvesCellType(t types.Type) bool {
	seen := map[types.Type]bool{}
	var visit func(t types.Type) bool
	visit = func(t types.Type) bool {
		if t == nil || seen[t] {
			return false
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.Named:
			if o := t.Obj(); o.Pkg() != nil && o.Pkg().Path() == "main" {
				return true
			}
			if ta := t.TypeArgs(); ta != nil {
				for i := 0; i < ta.Len(); i++ {
					if visit(ta.At(i)) {
						return true
					}
				}
			}
			return false
		case *types.Alias:
			return visit(types.Unalias(t))
		case *types.Pointer:
			return visit(t.Elem())
		case *types.Slice:
			return visit(t.Elem())
		case *types.Array:
			return visit(t.Elem())
		case *types.Chan:
			return visit(t.Elem())
		case *types.Map:
			return visit(t.Key()) || visit(t.Elem())
		case *types.Struct:
			for i := 0; i < t.NumFields(); i++ {
				if visit(t.Field(i).Type()) {
					return true
				}
			}
		}
		return false
	}
	return visit(t)
}

// rendererMethods are the methods display.Render looks for, with the
// MIME type each gives ("bundle" for Render) and its result type.
var rendererMethods = []struct{ name, mime, result string }{
	{"Render", "bundle", "github.com/godl-kernel/godl/display.Bundle"},
	{"HTML", "text/html", "string"},
	{"Markdown", "text/markdown", "string"},
	{"Latex", "text/latex", "string"},
	{"SVG", "image/svg+xml", "string"},
	{"PNG", "image/png", "[]byte"},
	{"JPEG", "image/jpeg", "[]byte"},
	{"JSON", "application/json", "any"},
}

// niladic returns the single result type of t's method name taking no
// arguments, as types.TypeString writes it, or "".
func niladic(ms *types.MethodSet, name string) string {
	for i := 0; i < ms.Len(); i++ {
		f := ms.At(i).Obj()
		if f.Name() != name {
			continue
		}
		sig, ok := f.Type().(*types.Signature)
		if !ok || sig.Params().Len() != 0 || sig.Results().Len() != 1 || sig.Variadic() {
			return ""
		}
		r := sig.Results().At(0).Type()
		if it, ok := r.Underlying().(*types.Interface); ok && it.Empty() {
			return "any"
		}
		return types.TypeString(r, nil)
	}
	return ""
}

// showConcrete returns statements reporting value x of static type t
// (not an interface) as Out value k: its text (Error, String, or %v
// computed by the interpreter, which sees interpreted methods) and the
// forms of its renderer methods.
func showConcrete(k int, x string, t types.Type) string {
	ms := types.NewMethodSet(t)
	text := textExpr(x, t, 0)
	var kv []string
	for _, m := range rendererMethods {
		if niladic(ms, m.name) == m.result {
			kv = append(kv, fmt.Sprintf("%q, %s.%s()", m.mime, x, m.name))
		}
	}
	call := fmt.Sprintf("__godl.Typed(%d, %s, []any{%s})", k, text, strings.Join(kv, ", "))
	if _, ok := t.Underlying().(*types.Pointer); ok && (len(kv) > 0 || !strings.HasPrefix(text, "__godl_fmt")) {
		// Like fmt: a nil pointer whose methods would panic shows <nil>.
		call = fmt.Sprintf("if %s == nil { __godl.Typed(%d, \"<nil>\", nil) } else { %s }", x, k, call)
	}
	// A method that panics shows what happened instead of failing the
	// cell, as fmt does for String.
	return fmt.Sprintf("func() {\ndefer func() {\nif r := recover(); r != nil {\n__godl.Typed(%d, __godl_fmt.Sprintf(\"display: rendering %s panicked: %%v\", r), nil)\n}\n}()\n%s\n}()\n",
		k, strings.ReplaceAll(types.TypeString(t, func(*types.Package) string { return "" }), "%", "%%"), call)
}

// textExpr returns an expression for the text/plain form of x, of
// static type t: Error or String when t has them; for a slice or array
// of such elements, fmt's "[a b]" built from theirs (compiled fmt does
// not see interpreted methods of elements); %v otherwise.
func textExpr(x string, t types.Type, depth int) string {
	ms := types.NewMethodSet(t)
	if niladic(ms, "Error") == "string" {
		return x + ".Error()"
	}
	if niladic(ms, "String") == "string" {
		return x + ".String()"
	}
	var elem types.Type
	switch u := t.Underlying().(type) {
	case *types.Slice:
		elem = u.Elem()
	case *types.Array:
		elem = u.Elem()
	}
	if elem == nil || depth >= 3 {
		return sprintCode(x, t)
	}
	i := fmt.Sprintf("__godl_i%d", depth)
	s := fmt.Sprintf("__godl_s%d", depth)
	var add string
	switch {
	case !types.IsInterface(elem) && involvesCellType(elem):
		inner := textExpr(x+"["+i+"]", elem, depth+1)
		if strings.HasPrefix(inner, "__godl_fmt.Sprint(") {
			return sprintCode(x, t)
		}
		add = fmt.Sprintf("%s += %s\n", s, inner)
	default:
		return sprintCode(x, t)
	}
	return fmt.Sprintf("func() string {\n%s := \"[\"\nfor %s := range %s {\nif %s > 0 {\n%s += \" \"\n}\n%s}\nreturn %s + \"]\"\n}()", s, i, x, i, s, add, s)
}

// showCode returns the statements that replace `__godl_show(expr)` for
// a final expression of known static types: each value is stored in
// __godl_vK; values of cell types are reported through __godl.Typed
// (interface values by a type switch over the cell types they may hold);
// __godl_show gets the others (nil in place of the reported ones).
func showCode(ct *cellTypes, expr string) string {
	var b strings.Builder
	vars := make([]string, len(ct.final))
	raws := make([]string, len(ct.final))
	for k := range ct.final {
		vars[k] = fmt.Sprintf("__godl_v%d", k)
		raws[k] = fmt.Sprintf("__godl_r%d", k)
	}
	// A single interface value is switched on in place: copying an
	// interface variable that holds an interpreted value into another
	// fails in yaegi (reflect.Set) when its type is a compiled interface
	// such as error.
	direct := len(ct.final) == 1 && types.IsInterface(ct.final[0])
	showAll := "__godl_show(" + strings.Join(raws, ", ") + ")\n"
	if !direct {
		b.WriteString(strings.Join(vars, ", ") + " := " + expr + "\n")
	}
	for k, t := range ct.final {
		x := vars[k]
		fmt.Fprintf(&b, "var %s any\n", raws[k])
		switch {
		case direct:
			code := directShow(ct, t, k, expr, showAll)
			if vcases := typeCasesOn(ct, t, k, showAll, expr); len(vcases) > 0 && isIdentExpr(expr) {
				// A variable: first a type switch without guard
				// variable, which matches an element copied out of a map
				// or slice of any (x := r[1]) by its own type (the
				// guarded one did not: {1 }) and a *P in an any (whose
				// String the guarded one missed), but not a pointer
				// copied out of a slice, which the guarded one matches.
				code = fmt.Sprintf("switch (%s).(type) {\n%s\ndefault:\n%s}\n", expr, strings.Join(vcases, ""), code)
			}
			b.WriteString(code)
		case types.IsInterface(t):
			cases := typeCases(ct, t, k, "")
			if len(cases) == 0 {
				fmt.Fprintf(&b, "%s = %s\n", raws[k], x)
				continue
			}
			fmt.Fprintf(&b, "switch __godl_x := %s.(type) {\n%s\ndefault:\n_ = __godl_x\n%s = %s\n}\n", x, strings.Join(cases, ""), raws[k], x)
		case involvesCellType(t):
			b.WriteString(showConcrete(k, x, t))
		default:
			fmt.Fprintf(&b, "%s = %s\n", raws[k], x)
		}
	}
	if !direct {
		b.WriteString(showAll)
	}
	return b.String()
}

// directShow returns the code that shows expr, the single final value
// of interface type t, through a type switch in place.
func directShow(ct *cellTypes, t types.Type, k int, expr, showAll string) string {
	cases := typeCases(ct, t, k, showAll)
	if len(cases) == 0 {
		// No cell type can be inside, and yaegi binds the
		// variable of a switch with only a default clause to nil.
		return fmt.Sprintf("__godl_show1(%s)\n", expr)
	}
	// Other dynamic types (compiled ones, or interpreted ones
	// wrapped for a compiled interface such as fmt.Stringer, which
	// a type switch does not see through): the interface's own
	// methods, else the host renders the value. The switch
	// variable goes straight to __godl_show1: copying it into an
	// any variable loses compiled dynamic values in yaegi.
	def := "__godl_show1(__godl_x)\n"
	if t.String() != "error" && methodsOf(t) {
		def = "if __godl_x == nil {\n" + def + "} else {\n" + showConcrete(k, "__godl_x", t) + showAll + "}\n"
	}
	return fmt.Sprintf("switch __godl_x := (%s).(type) {\n%s\ndefault:\n%s}\n", expr, strings.Join(cases, ""), def)
}

// typeCases returns the clauses of a type switch on value K of interface
// type t: one per cell type (T or *T) assignable to t, each showing the
// value through its methods and then running after.
func typeCases(ct *cellTypes, t types.Type, k int, after string) []string {
	return typeCasesOn(ct, t, k, after, "")
}

// twinPointerNote returns the text shown for a pointer to tn's type when
// other cell types share its struct layout and one of them has a
// method fmt would call: "" otherwise.
func twinPointerNote(cands []*types.Named, tn *types.TypeName) string {
	nt, ok := tn.Type().(*types.Named)
	if !ok {
		return ""
	}
	if _, isStruct := nt.Underlying().(*types.Struct); !isStruct {
		return ""
	}
	twins := structTwins(cands, nt) // workaround.go
	if len(twins) == 0 {
		return ""
	}
	shown := fmtMethodsStatic(types.NewPointer(nt))
	for _, o := range cands {
		if o != nt && types.Identical(o.Underlying(), nt.Underlying()) && fmtMethodsStatic(types.NewPointer(o)) {
			shown = true
		}
	}
	if !shown {
		return ""
	}
	return pointerTwinsNote(tn.Name(), twins) // workaround.go
}

// isIdentExpr tells whether expr (a final expression after its position
// comment) is a variable name.
func isIdentExpr(expr string) bool {
	if i := strings.LastIndex(expr, "*/"); i >= 0 {
		expr = expr[i+2:]
	}
	return token.IsIdentifier(strings.TrimSpace(expr))
}

// typeCasesOn is typeCases for a switch without guard variable on the
// variable x (each clause asserts x to its type); x "" is typeCases.
func typeCasesOn(ct *cellTypes, t types.Type, k int, after, x string) []string {
	var cases []string
	var cands []*types.Named
	for _, tn := range ct.namedTypes() {
		if nt, ok := tn.Type().(*types.Named); ok {
			cands = append(cands, nt)
		}
	}
	for _, tn := range ct.namedTypes() {
		for _, c := range []types.Type{types.NewPointer(tn.Type()), tn.Type()} {
			if !types.AssignableTo(c, t) {
				continue
			}
			spell := tn.Name()
			if _, ok := c.(*types.Pointer); ok {
				spell = "*" + spell
				if note := twinPointerNote(cands, tn); note != "" && x == "" {
					// The guarded case matches a pointer to any type of
					// its structure: the first twin's String showed for
					// a *B without one.
					cases = append(cases, fmt.Sprintf("case %s:\n__godl.Typed(%d, %q, nil)\n%s", spell, k, note, after))
					continue
				}
			}
			v := "__godl_x"
			if x != "" {
				v = "(" + x + ").(" + spell + ")"
			}
			cases = append(cases, "case "+spell+":\n"+showConcrete(k, v, c)+after)
		}
	}
	return cases
}

// needsPlan tells whether a final value needs the typed show code: it
// holds a cell type, or an interface that may hold one.
func (ct *cellTypes) needsPlan() bool {
	if ct == nil {
		return false
	}
	for _, t := range ct.final {
		if involvesCellType(t) || ((types.IsInterface(t) || interfaceElems(t)) && len(ct.namedTypes()) > 0) {
			return true
		}
	}
	return false
}

// methodsOf tells whether the method set of t has String, Error or a
// renderer method.
func methodsOf(t types.Type) bool {
	ms := types.NewMethodSet(t)
	if niladic(ms, "String") == "string" || niladic(ms, "Error") == "string" {
		return true
	}
	for _, m := range rendererMethods {
		if niladic(ms, m.name) == m.result {
			return true
		}
	}
	return false
}

// interfaceElems tells whether t is a slice or array of interfaces.
func interfaceElems(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return types.IsInterface(u.Elem())
	case *types.Array:
		return types.IsInterface(u.Elem())
	}
	return false
}
