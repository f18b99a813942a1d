package interp

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"regexp"
	"sort"
	"strconv"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// Runtime panic positions.
//
// yaegi v0.16.1 reports a panicking interpreted frame at its function's
// first statement, never at the statement that panicked (runCfg redeclares
// the variable its recovery code reads). The lowering therefore sets a
// position marker before each statement of a function body that can
// panic:
//
//	__godl_pf1f = 2<<16 | 5   // in func f: the statement 2 lines below f's `func`, column 5
//
// Each function body has its own marker variable, a global of the
// interpreter that the session declares (declarePosVars) and reads when a
// panic escapes a cell (posFrames). One variable per function, not one for
// all, keeps the caller's marker on the statement that made the call: a
// call to another function does not overwrite it, only a recursive call of
// the same function does (posFrames then finds the call site statically).
//
// The marker's name and value do not depend on the cell number or on where
// the function stands in its cell (values are lines relative to the
// function's `func` keyword), so a function re-run unchanged keeps the
// same lowered text and is not seen as redefined. Code at cell level (the
// statements inside the cell's compound statements, and func literals
// outside funcs) uses variables shared by all cells, __godl_pc and
// __godl_pc_K for literals (cell N's literals take K = 8N+1, 8N+2, ...
// modulo a pool of 256), whose values carry the cell number and the
// absolute line, so that a value another cell's literal set is detected:
// declaring a variable costs a yaegi compile, which a cell should not pay
// each time.
//
// Markers are inserted after the previous statement (or just inside the
// block), not in front of the statement, so the statement keeps its line
// and column. Only statements with an operation that can panic get one:
// indexing and slicing, a pointer dereference (explicit or through a field
// or method selector), an integer division or shift by a non-constant, a
// type assertion without comma-ok, any call (the callee may panic), a map
// write, a channel send, close and panic. An index cannot panic, and needs
// none, when its loop keeps it in bounds (for i := range xs { xs[i] },
// for i := 0; i < len(xs); i++ { xs[i] }) or a condition or an earlier
// statement of the block evaluated the same xs[i] (if xs[i] > m { m = xs[i]
// }), xs and i being unchanged. A loop whose body has a single marked
// statement and no call, with a header that cannot panic, gets that
// statement's marker once, before the loop, instead of on every
// iteration: a pure arithmetic loop gets none. A loop condition or post
// statement that can panic gets its marker again at the end of the body
// and before each continue.
//
// Limits: goroutines running the same function share its variable; a
// panic in a deferred call at function exit names the last marked
// statement; in a recursive function, a statement that panics after a
// recursive call in it returned finds the marker the deeper call set
// last (the traceback then names both candidates); a closure carried over an interpreter rebuild sets the old
// interpreter's variable (its frame then shows where its body starts).

// posShift packs a marker value: line offset << posShift | column.
const posShift = 16

// posCellVars is the size of the pool of cell-level literal variables,
// declared at once.
const posCellVars = 256

// posMarker plans the markers of one lowered cell.
type posMarker struct {
	lw      *lowering
	insAt   map[ast.Stmt]token.Pos // where a marker for the statement goes
	atStart map[ast.Stmt]bool      // insAt is just inside a block or clause
	commaOK map[*ast.TypeAssertExpr]bool
	safe    map[*ast.IndexExpr]bool // indexes that an enclosing condition evaluated already
}

// posSite is one marker to insert.
type posSite struct {
	at      token.Pos
	start   bool // at is the start of a block or clause ("V = N;")
	val     int
	call    bool        // the statement calls a function
	elseIf  *ast.IfStmt // wrap this else-if in a block with the marker
	hoisted bool
}

// encName writes a name component of a marker variable, length first, so
// that different names never give the same variable.
func encName(s string) string { return strconv.Itoa(len(s)) + s }

// posFuncVar returns the marker variable of a declared func or method.
func posFuncVar(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return "__godl_pf" + encName(d.Name.Name)
	}
	recv := recvTypeName(d.Recv.List[0].Type)
	if recv == "?" {
		recv = "_" // not a valid receiver: go/types reported it
	}
	return "__godl_pm" + encName(recv) + encName(d.Name.Name)
}

// markPositions inserts the position markers of the cell's function
// bodies (see the comment at the top of this file).
func (lw *lowering) markPositions() {
	// Nothing to mark without a block besides the cell function's body.
	var cellBody *ast.BlockStmt
	for _, d := range lw.c.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "_godlCell" && fd.Recv == nil {
			cellBody = fd.Body
		}
	}
	blocks := false
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		if b, ok := n.(*ast.BlockStmt); ok && b != cellBody {
			blocks = true
		}
		return !blocks
	})
	if !blocks {
		return
	}
	pm := &posMarker{lw: lw, insAt: map[ast.Stmt]token.Pos{}, atStart: map[ast.Stmt]bool{}, commaOK: map[*ast.TypeAssertExpr]bool{}}
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		var start token.Pos
		var list []ast.Stmt
		switch x := n.(type) {
		case *ast.BlockStmt:
			start, list = x.Lbrace+1, x.List
		case *ast.CaseClause:
			start, list = x.Colon+1, x.Body
		case *ast.CommClause:
			start, list = x.Colon+1, x.Body
		case *ast.AssignStmt:
			if len(x.Lhs) == 2 && len(x.Rhs) == 1 {
				if ta, ok := ast.Unparen(x.Rhs[0]).(*ast.TypeAssertExpr); ok {
					pm.commaOK[ta] = true
				}
			}
			return true
		case *ast.ValueSpec:
			if len(x.Names) == 2 && len(x.Values) == 1 {
				if ta, ok := ast.Unparen(x.Values[0]).(*ast.TypeAssertExpr); ok {
					pm.commaOK[ta] = true
				}
			}
			return true
		default:
			return true
		}
		at, first := start, true
		for _, s := range list {
			pm.insAt[s], pm.atStart[s] = at, first
			at, first = s.End(), false
		}
		return true
	})
	pm.safeIndexes()
	cellVar := "__godl_pc"
	k := 0
	for _, d := range lw.c.file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body == nil {
				continue
			}
			if d.Name.Name == "_godlCell" && d.Recv == nil {
				pm.body(d.Body, cellVar, 0, true, &k)
				continue
			}
			if strings.HasPrefix(d.Name.Name, "_godl") {
				continue
			}
			pm.body(d.Body, posFuncVar(d), lw.c.tf.Position(d.Pos()).Line, false, new(int))
		case *ast.GenDecl:
			pm.lits(d, cellVar, 0, &k)
		}
	}
}

// body marks the statements of one function body with variable v (top:
// the cell's statement function, whose own statements the engine tracks),
// then the func literals in it.
func (pm *posMarker) body(b *ast.BlockStmt, v string, base int, top bool, k *int) {
	pm.lw.fastLoopMarkers(b, v, base)
	for _, s := range pm.list(b.List, top, base) {
		pm.emit(s, v)
	}
	pm.lits(b, v, base, k)
}

// lits marks the bodies of the func literals directly inside n (not inside
// another literal), numbered after parent's variable.
func (pm *posMarker) lits(n ast.Node, parent string, base int, k *int) {
	ast.Inspect(n, func(n ast.Node) bool {
		fl, ok := n.(*ast.FuncLit)
		if !ok {
			return true
		}
		*k++
		if base == 0 {
			// Cell level: a pool of variables shared by all cells,
			// eight for each cell in turn (values carry the cell).
			pm.body(fl.Body, fmt.Sprintf("__godl_pc_%d", (pm.lw.cell*8+*k-1)%posCellVars+1), 0, false, k)
		} else {
			pm.body(fl.Body, fmt.Sprintf("%s_%d", parent, *k), base, false, new(int))
		}
		return false
	})
}

// emit inserts one marker.
func (pm *posMarker) emit(s posSite, v string) {
	set := fmt.Sprintf("%s = %d", v, s.val)
	switch {
	case s.elseIf != nil:
		pm.lw.insert(s.elseIf.Pos(), "{"+set+"; ")
		pm.lw.insert(s.elseIf.End(), "}")
	case s.start:
		pm.lw.insert(s.at, set+";")
	default:
		pm.lw.insert(s.at, "; "+set)
	}
}

// list returns the markers of a statement list.
func (pm *posMarker) list(list []ast.Stmt, top bool, base int) []posSite {
	var out []posSite
	for _, s := range list {
		out = append(out, pm.stmt(s, s, top, base)...)
	}
	return out
}

// site returns a marker for anchor (a statement of a list) at the
// position of s, if the nodes can panic.
func (pm *posMarker) site(anchor, s ast.Stmt, base int, nodes ...ast.Node) []posSite {
	panics, calls := false, false
	for _, n := range nodes {
		p, c := pm.scan(n)
		panics, calls = panics || p, calls || c
	}
	if !panics {
		return nil
	}
	at, ok := pm.insAt[anchor]
	if !ok {
		return nil
	}
	val, ok := pm.val(s.Pos(), base)
	if !ok {
		return nil
	}
	return []posSite{{at: at, start: pm.atStart[anchor], val: val, call: calls}}
}

// val encodes the position of p relative to line base; base 0 (cell
// level) encodes the cell number and the absolute line.
func (pm *posMarker) val(p token.Pos, base int) (int, bool) {
	pos := pm.lw.c.tf.Position(p)
	if base == 0 {
		if pos.Line >= 1<<(32-posShift) || pos.Column <= 0 || pos.Column >= 1<<posShift || pm.lw.cell < 0 || pm.lw.cell >= 1<<30 {
			return 0, false
		}
		return pm.lw.cell<<32 | pos.Line<<posShift | pos.Column, true
	}
	dl := pos.Line - base
	if dl < 0 || dl >= 1<<(31-posShift) || pos.Column <= 0 || pos.Column >= 1<<posShift {
		return 0, false
	}
	return dl<<posShift | pos.Column, true
}

// stmt returns the markers of statement s; anchor is the statement of
// the list that holds s (s itself, or a labelled statement around it).
func (pm *posMarker) stmt(s, anchor ast.Stmt, top bool, base int) []posSite {
	own := func(nodes ...ast.Node) []posSite {
		if top {
			return nil
		}
		return pm.site(anchor, s, base, nodes...)
	}
	switch x := s.(type) {
	case *ast.LabeledStmt:
		return pm.stmt(x.Stmt, anchor, top, base)
	case *ast.BlockStmt:
		return pm.list(x.List, false, base)
	case *ast.AssignStmt:
		nodes := []ast.Node{}
		for _, e := range x.Lhs {
			nodes = append(nodes, e)
		}
		for _, e := range x.Rhs {
			nodes = append(nodes, e)
		}
		if pm.assignPanics(x) {
			return pm.forced2(top, anchor, s, base, nodes...)
		}
		return own(nodes...)
	case *ast.IncDecStmt:
		if !top && pm.mapIndex(x.X) {
			return pm.forced(anchor, s, base)
		}
		return own(x.X)
	case *ast.SendStmt:
		return pm.forced2(top, anchor, s, base, x.Chan, x.Value)
	case *ast.ExprStmt:
		return own(x.X)
	case *ast.ReturnStmt:
		nodes := []ast.Node{}
		for _, e := range x.Results {
			nodes = append(nodes, e)
		}
		return own(nodes...)
	case *ast.DeclStmt:
		return own(x.Decl)
	case *ast.GoStmt:
		return own(pm.callParts(x.Call)...)
	case *ast.DeferStmt:
		return own(pm.callParts(x.Call)...)
	case *ast.IfStmt:
		out := own(x.Init, x.Cond)
		out = append(out, pm.list(x.Body.List, false, base)...)
		return append(out, pm.elseChain(x.Else, base)...)
	case *ast.SwitchStmt:
		nodes := []ast.Node{x.Init, x.Tag}
		for _, c := range x.Body.List {
			for _, e := range c.(*ast.CaseClause).List {
				nodes = append(nodes, e)
			}
		}
		out := own(nodes...)
		for _, c := range x.Body.List {
			out = append(out, pm.list(c.(*ast.CaseClause).Body, false, base)...)
		}
		return out
	case *ast.TypeSwitchStmt:
		out := own(x.Init, x.Assign)
		for _, c := range x.Body.List {
			out = append(out, pm.list(c.(*ast.CaseClause).Body, false, base)...)
		}
		return out
	case *ast.SelectStmt:
		var nodes []ast.Node
		send := false
		for _, c := range x.Body.List {
			if cc := c.(*ast.CommClause); cc.Comm != nil {
				nodes = append(nodes, cc.Comm)
				if _, ok := cc.Comm.(*ast.SendStmt); ok {
					send = true
				}
			}
		}
		var out []posSite
		if send {
			out = pm.forced2(top, anchor, s, base, nodes...)
		} else {
			out = own(nodes...)
		}
		for _, c := range x.Body.List {
			out = append(out, pm.list(c.(*ast.CommClause).Body, false, base)...)
		}
		return out
	case *ast.ForStmt:
		hdr := own(x.Init, x.Cond, x.Post)
		inner := pm.list(x.Body.List, false, base)
		if h := pm.hoist(anchor, top, hdr, inner); h != nil {
			return h
		}
		if again := pm.site(anchor, s, base, x.Cond, x.Post); again != nil && len(inner) > 0 {
			// The condition and post statement run again after the body.
			inner = append(inner, pm.loopEnd(x, anchor, again[0].val)...)
		}
		return append(hdr, inner...)
	case *ast.RangeStmt:
		var hdr []posSite
		if _, ok := under(pm.lw.c.info.TypeOf(x.X)).(*types.Pointer); ok && x.Value != nil {
			hdr = pm.forced2(top, anchor, s, base, x.X)
		} else {
			hdr = own(x.X)
		}
		inner := pm.list(x.Body.List, false, base)
		if h := pm.hoist(anchor, top, hdr, inner); h != nil {
			return h
		}
		return append(hdr, inner...)
	}
	return nil
}

// forced returns a marker for anchor whatever its nodes.
func (pm *posMarker) forced(anchor, s ast.Stmt, base int) []posSite {
	at, ok := pm.insAt[anchor]
	if !ok {
		return nil
	}
	val, ok := pm.val(s.Pos(), base)
	if !ok {
		return nil
	}
	return []posSite{{at: at, start: pm.atStart[anchor], val: val}}
}

// forced2 is forced for a statement that panics by itself (a send), with
// the call flag of its nodes; none at cell level.
func (pm *posMarker) forced2(top bool, anchor, s ast.Stmt, base int, nodes ...ast.Node) []posSite {
	if top {
		return nil
	}
	out := pm.forced(anchor, s, base)
	for _, n := range nodes {
		if n == nil {
			continue
		}
		if _, c := pm.scan(n); c && len(out) > 0 {
			out[0].call = true
		}
	}
	return out
}

// hoist returns the single marker of a loop body that has no call, moved
// before the loop, when the header cannot panic; nil otherwise. Loops that
// are statements of the cell function are not hoisted into it.
func (pm *posMarker) hoist(anchor ast.Stmt, top bool, hdr, inner []posSite) []posSite {
	if top || len(hdr) > 0 || len(inner) != 1 || inner[0].call || inner[0].elseIf != nil {
		return nil
	}
	at, ok := pm.insAt[anchor]
	if !ok {
		return nil
	}
	return []posSite{{at: at, start: pm.atStart[anchor], val: inner[0].val, hoisted: true}}
}

// loopEnd returns markers re-setting val at the end of a loop's body and
// before each continue that targets the loop.
func (pm *posMarker) loopEnd(f *ast.ForStmt, anchor ast.Stmt, val int) []posSite {
	var out []posSite
	if n := len(f.Body.List); n > 0 {
		switch f.Body.List[n-1].(type) {
		case *ast.ReturnStmt, *ast.BranchStmt:
		default:
			out = append(out, posSite{at: f.Body.List[n-1].End(), val: val})
		}
	}
	var label string
	if ls, ok := anchor.(*ast.LabeledStmt); ok {
		label = ls.Label.Name
	}
	for _, x := range loopContinues(f, label) {
		if at, ok := pm.insAt[x]; ok {
			out = append(out, posSite{at: at, start: pm.atStart[x], val: val})
		}
	}
	return out
}

// elseChain returns the markers of an else branch: an else-if whose
// header can panic is wrapped in a block that starts with its marker.
func (pm *posMarker) elseChain(e ast.Stmt, base int) []posSite {
	switch x := e.(type) {
	case *ast.BlockStmt:
		return pm.list(x.List, false, base)
	case *ast.IfStmt:
		var out []posSite
		if p, c := pm.scanAll(x.Init, x.Cond); p {
			if val, ok := pm.val(x.Pos(), base); ok {
				out = append(out, posSite{elseIf: x, val: val, call: c})
			}
		}
		out = append(out, pm.list(x.Body.List, false, base)...)
		return append(out, pm.elseChain(x.Else, base)...)
	}
	return nil
}

func (pm *posMarker) scanAll(nodes ...ast.Node) (panics, calls bool) {
	for _, n := range nodes {
		p, c := pm.scan(n)
		panics, calls = panics || p, calls || c
	}
	return panics, calls
}

// callParts returns what a go or defer statement evaluates at once: the
// function value and the arguments, not the call.
func (pm *posMarker) callParts(call *ast.CallExpr) []ast.Node {
	nodes := []ast.Node{call.Fun}
	for _, a := range call.Args {
		nodes = append(nodes, a)
	}
	return nodes
}

// mapIndex tells whether e indexes a map (a write to it panics on a nil map).
func (pm *posMarker) mapIndex(e ast.Expr) bool {
	ix, ok := ast.Unparen(e).(*ast.IndexExpr)
	if !ok {
		return false
	}
	_, isMap := under(pm.lw.c.info.TypeOf(ix.X)).(*types.Map)
	return isMap
}

// assignPanics tells whether an assignment panics by itself: a map write,
// or an integer division or shift by a non-constant.
func (pm *posMarker) assignPanics(x *ast.AssignStmt) bool {
	info := pm.lw.c.info
	if x.Tok != token.DEFINE {
		for _, e := range x.Lhs {
			if pm.mapIndex(e) {
				return true
			}
		}
	}
	if len(x.Rhs) == 1 && len(x.Lhs) == 1 && info.Types[x.Rhs[0]].Value == nil {
		switch x.Tok {
		case token.QUO_ASSIGN, token.REM_ASSIGN:
			return isIntegerType(info.TypeOf(x.Lhs[0]))
		case token.SHL_ASSIGN, token.SHR_ASSIGN:
			return isSignedType(info.TypeOf(x.Rhs[0]))
		}
	}
	return false
}

// isIntegerType tells whether t is an integer type, or a type parameter
// that may be one.
func isIntegerType(t types.Type) bool {
	if _, ok := types.Unalias(t).(*types.TypeParam); ok {
		return true
	}
	b, ok := under(t).(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// isSignedType tells whether t is a signed integer type, or a type
// parameter that may be one.
func isSignedType(t types.Type) bool {
	if _, ok := types.Unalias(t).(*types.TypeParam); ok {
		return true
	}
	b, ok := under(t).(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0 && b.Info()&types.IsUnsigned == 0
}

// scan tells whether evaluating n can panic, and whether it calls a
// function. Func literals are not entered (their bodies have markers of
// their own).
func (pm *posMarker) scan(n ast.Node) (panics, calls bool) {
	info := pm.lw.c.info
	if n == nil {
		return false, false
	}
	ast.Inspect(n, func(n ast.Node) bool {
		if e, ok := n.(ast.Expr); ok {
			if tv, ok := info.Types[e]; ok && (tv.Value != nil || tv.IsType()) {
				return false // constants and types cannot panic
			}
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if tv, ok := info.Types[x.Fun]; ok && tv.IsType() {
				// A conversion: only slice to array (pointer) panics.
				if len(x.Args) == 1 {
					if _, isSlice := under(info.TypeOf(x.Args[0])).(*types.Slice); isSlice {
						switch under(tv.Type).(type) {
						case *types.Array, *types.Pointer:
							panics = true
						}
					}
				}
				return true
			}
			if fun := calleeIdent(x); fun != nil {
				if b, ok := info.Uses[fun].(*types.Builtin); ok {
					switch b.Name() {
					case "panic", "close":
						panics = true
					case "make":
						for _, a := range x.Args[1:] {
							if info.Types[a].Value == nil {
								panics = true
							}
						}
					}
					return true
				}
			}
			panics, calls = true, true
		case *ast.IndexExpr:
			if pm.safe[x] {
				return true
			}
			switch under(info.TypeOf(x.X)).(type) {
			case *types.Signature:
				// a generic function's instantiation
			case *types.Map:
				// reading a nil map is fine
			case *types.Array:
				if info.Types[x.Index].Value == nil {
					panics = true
				}
			default:
				panics = true
			}
		case *ast.SliceExpr:
			panics = true
		case *ast.StarExpr:
			panics = true
		case *ast.SelectorExpr:
			if s := info.Selections[x]; s != nil && s.Indirect() {
				panics = true
			}
		case *ast.BinaryExpr:
			switch x.Op {
			case token.QUO, token.REM:
				if isIntegerType(info.TypeOf(x)) && info.Types[x.Y].Value == nil {
					panics = true
				}
			case token.SHL, token.SHR:
				if info.Types[x.Y].Value == nil && isSignedType(info.TypeOf(x.Y)) {
					panics = true
				}
			case token.EQL, token.NEQ:
				// Interfaces holding the same uncomparable type.
				xt, yt := info.Types[x.X], info.Types[x.Y]
				if !xt.IsNil() && !yt.IsNil() && types.IsInterface(xt.Type) && types.IsInterface(yt.Type) {
					panics = true
				}
			}
		case *ast.TypeAssertExpr:
			if x.Type != nil && !pm.commaOK[x] {
				panics = true
			}
		}
		return true
	})
	return panics, calls
}

// dropPositions removes the position markers' edits.
func (lw *lowering) dropPositions() {
	kept := lw.edits[:0]
	for _, e := range lw.edits {
		if e.seq < lw.posFrom || e.seq > lw.posTo {
			kept = append(kept, e)
		}
	}
	lw.edits = kept
	lw.posTo = lw.posFrom - 1
}

// posVarRE matches a position marker: its variable is group 1.
var posVarRE = regexp.MustCompile(`(__godl_p[fmc][^\s=;{}]*) = \d+`)

// declarePosVars declares in yi the marker variables that srcs set and yi
// does not have yet (ints, never shown: they are not cell variables).
// The session remembers what its current interpreter has, so that a cell
// whose markers are all declared costs a scan of its source only.
func (s *Session) declarePosVars(yi *yaegi.Interpreter, srcs ...string) error {
	if s.posVarsYI != yi || s.posVars == nil {
		s.posVars, s.posVarsYI = map[string]bool{}, yi
	}
	return declarePosVarsIn(yi, s.posVars, srcs...)
}

// declarePosVarsIn is declarePosVars with known, the variables yi is known
// to have, which it updates.
func declarePosVarsIn(yi *yaegi.Interpreter, known map[string]bool, srcs ...string) error {
	var names []string
	seen := map[string]bool{}
	for _, src := range srcs {
		if !strings.Contains(src, "__godl_p") {
			continue
		}
		for _, m := range posVarRE.FindAllStringSubmatch(src, -1) {
			if name := m[1]; !known[name] && !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	globals, _ := globalsOf(yi)
	missing := names[:0]
	pool := false
	for _, n := range names {
		if _, ok := globals[n]; ok {
			known[n] = true
			continue
		}
		missing = append(missing, n)
		pool = pool || strings.HasPrefix(n, "__godl_pc")
	}
	if pool {
		// The cell-level variables, all at once: most cells then
		// declare none.
		for i := 0; i <= posCellVars; i++ {
			v := "__godl_pc"
			if i > 0 {
				v = fmt.Sprintf("__godl_pc_%d", i)
			}
			if _, ok := globals[v]; !ok && !seen[v] {
				seen[v] = true
				missing = append(missing, v)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	p, err := compileSafe(yi, "package main\nvar "+strings.Join(missing, ", ")+" int\n")
	if err != nil {
		return fmt.Errorf("godl: declaring position markers: %w", err)
	}
	if _, err = yi.Execute(p); err != nil {
		return err
	}
	for _, n := range missing {
		known[n] = true
	}
	return nil
}

// posBody is an interpreted function body as it was compiled.
type posBody struct {
	file     string
	from, to token.Position // its braces
	v        string         // its marker variable; "" when it has none
	base     int            // the line marker values count from
	name     string         // "func f", "method (*T).M", "a func literal in cell 3"
	callName string         // what calls of it are spelled with: the func, method or variable name
	// generated: a func literal the lowering wrote (its parameters are
	// named __godl_…, as typeassert.go's); its frames are not the user's.
	generated bool
	block     *ast.BlockStmt
}

// posBodies parses the sources of the session's funcs and methods and of
// the cells' statements and variables, as they were compiled (with the
// same position directives), for their function bodies.
func (s *Session) posBodies(c *parsedCell) []*posBody {
	fset := token.NewFileSet()
	var bodies []*posBody
	// The variable a literal is assigned to names its calls (for the
	// call sites of a recursive literal).
	litNames := map[*ast.FuncLit]string{}
	assigned := func(lhs []ast.Expr, rhs []ast.Expr) {
		if len(lhs) != len(rhs) {
			return
		}
		for i, r := range rhs {
			if fl, ok := r.(*ast.FuncLit); ok {
				if id, ok := lhs[i].(*ast.Ident); ok {
					litNames[fl] = id.Name
				}
			}
		}
	}
	var visit func(n ast.Node, base int, name string)
	visit = func(n ast.Node, base int, name string) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				assigned(x.Lhs, x.Rhs)
			case *ast.ValueSpec:
				lhs := make([]ast.Expr, len(x.Names))
				for i, id := range x.Names {
					lhs[i] = id
				}
				assigned(lhs, x.Values)
			case *ast.FuncLit:
				b := newPosBody(fset, x.Body, base, name)
				b.callName = litNames[x]
				if ps := x.Type.Params.List; len(ps) > 0 && len(ps[0].Names) > 0 && strings.HasPrefix(ps[0].Names[0].Name, "__godl_") {
					b.generated = true
				}
				bodies = append(bodies, b)
				visit(x.Body, base, name)
				return false
			}
			return true
		})
	}
	parse := func(src string) *ast.File {
		f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		return f
	}
	seen := map[*declRecord]bool{}
	for _, r := range s.declOrder {
		if seen[r] || (r.d.kind != "func" && r.d.kind != "method") {
			continue
		}
		seen[r] = true
		f := parse("package p\n" + r.cell.directive(r.d.off) + r.d.text + "\n")
		if f == nil {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			name := "func " + fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) > 0 {
				recv := recvTypeName(fd.Recv.List[0].Type)
				if _, ptr := fd.Recv.List[0].Type.(*ast.StarExpr); ptr {
					recv = "(*" + recv + ")"
				}
				name = "method " + recv + "." + fd.Name.Name
			}
			base := fset.Position(fd.Pos()).Line
			b := newPosBody(fset, fd.Body, base, name)
			b.callName = fd.Name.Name
			bodies = append(bodies, b)
			visit(fd.Body, base, "a func literal in "+name)
		}
	}
	cells := []*parsedCell{c}
	have := map[*parsedCell]bool{c: true}
	for _, r := range s.varOrder {
		if !have[r.cell] {
			have[r.cell] = true
			cells = append(cells, r.cell)
		}
	}
	for _, r := range s.declOrder {
		if !have[r.cell] {
			have[r.cell] = true
			cells = append(cells, r.cell)
		}
	}
	for _, pc := range cells {
		var srcs []string
		for _, st := range pc.stmts {
			srcs = append(srcs, pc.directive(st.off)+st.text)
			if st.local != "" {
				srcs = append(srcs, pc.directive(st.localOff)+st.local)
			}
		}
		for _, v := range pc.vars {
			if v.rhs != "" {
				srcs = append(srcs, strings.Join(v.names, ", ")+" = "+pc.directive(v.rhsOff)+v.rhs)
			}
		}
		name := fmt.Sprintf("a func literal in cell %d", pc.n)
		for _, src := range srcs {
			if !strings.Contains(src, "func") {
				continue
			}
			if f := parse("package p\nfunc _() {\n" + src + "\n}\n"); f != nil {
				visit(f, 0, name)
			}
		}
	}
	return bodies
}

func newPosBody(fset *token.FileSet, b *ast.BlockStmt, base int, name string) *posBody {
	from, to := fset.Position(b.Lbrace), fset.Position(b.Rbrace)
	pb := &posBody{file: from.Filename, from: from, to: to, base: base, name: name, block: b}
	ast.Inspect(b, func(n ast.Node) bool {
		if pb.v != "" {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if _, ok := markerValue(x); ok {
				pb.v = x.Lhs[0].(*ast.Ident).Name
			}
		}
		return true
	})
	return pb
}

// markerValue returns the value a position marker statement sets.
func markerValue(s ast.Stmt) (int, bool) {
	as, ok := s.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 || as.Tok != token.ASSIGN {
		return 0, false
	}
	id, ok := as.Lhs[0].(*ast.Ident)
	lit, ok2 := as.Rhs[0].(*ast.BasicLit)
	if !ok || !ok2 || !strings.HasPrefix(id.Name, "__godl_p") || lit.Kind != token.INT {
		return 0, false
	}
	v, err := strconv.Atoi(lit.Value)
	return v, err == nil
}

// contains tells whether line:col of file is inside the body.
func (b *posBody) contains(file string, line, col int) bool {
	if file != b.file {
		return false
	}
	after := line > b.from.Line || (line == b.from.Line && col >= b.from.Column)
	before := line < b.to.Line || (line == b.to.Line && col <= b.to.Column)
	return after && before
}

// decode returns the cell position of marker value val, or "" if the
// value was set by another cell's code (a cell-level variable).
func (b *posBody) decode(val int) string {
	col := val & (1<<posShift - 1)
	if b.base == 0 {
		if fmt.Sprintf("cell%d", val>>32) != b.file {
			return ""
		}
		return fmt.Sprintf("%s:%d:%d", b.file, val>>posShift&(1<<(32-posShift)-1), col)
	}
	return fmt.Sprintf("%s:%d:%d", b.file, b.base+val>>posShift, col)
}

// notACall are the names of builtins and basic types, whose "calls" run
// no interpreted function.
var notACall = map[string]bool{
	"len": true, "cap": true, "append": true, "make": true, "new": true, "panic": true, "print": true,
	"println": true, "copy": true, "delete": true, "close": true, "complex": true, "real": true,
	"imag": true, "min": true, "max": true, "clear": true, "recover": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true, "uint": true, "uint8": true,
	"uint16": true, "uint32": true, "uint64": true, "uintptr": true, "float32": true, "float64": true,
	"complex64": true, "complex128": true, "string": true, "byte": true, "rune": true, "bool": true, "any": true,
}

// callSites returns the marker values of the statements of b that call a
// function or method named callee (not inside func literals); with callee
// "", those that call anything but a builtin or a conversion to a basic
// type.
func (b *posBody) callSites(callee string) []int { return b.callSitesWhere(callee, nil) }

// callSitesWhere is callSites for the statements that more also accepts
// (more nil: all).
func (b *posBody) callSitesWhere(callee string, more func(ast.Stmt) bool) []int {
	var out []int
	seen := map[int]bool{}
	var list func(l []ast.Stmt)
	calls := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit, *ast.BlockStmt:
				return false
			case *ast.CallExpr:
				switch f := ast.Unparen(x.Fun).(type) {
				case *ast.Ident:
					found = found || f.Name == callee || callee == "" && !notACall[f.Name]
				case *ast.SelectorExpr:
					found = found || f.Sel.Name == callee || callee == ""
				case *ast.IndexExpr:
					if id, ok := f.X.(*ast.Ident); ok && (id.Name == callee || callee == "") {
						found = true
					}
				default:
					found = found || callee == ""
				}
			}
			return !found
		})
		return found
	}
	var nested func(s ast.Stmt)
	nested = func(s ast.Stmt) {
		switch x := s.(type) {
		case *ast.LabeledStmt:
			nested(x.Stmt)
		case *ast.BlockStmt:
			list(x.List)
		case *ast.IfStmt:
			list(x.Body.List)
			if x.Else != nil {
				nested(x.Else)
			}
		case *ast.ForStmt:
			list(x.Body.List)
		case *ast.RangeStmt:
			list(x.Body.List)
		case *ast.SwitchStmt:
			for _, c := range x.Body.List {
				list(c.(*ast.CaseClause).Body)
			}
		case *ast.TypeSwitchStmt:
			for _, c := range x.Body.List {
				list(c.(*ast.CaseClause).Body)
			}
		case *ast.SelectStmt:
			for _, c := range x.Body.List {
				list(c.(*ast.CommClause).Body)
			}
		}
	}
	list = func(l []ast.Stmt) {
		cur := 0
		for _, s := range l {
			if v, ok := markerValue(s); ok {
				cur = v
				continue
			}
			if cur > 0 && calls(s) && (more == nil || more(s)) && !seen[cur] {
				seen[cur] = true
				out = append(out, cur)
			}
			cur = 0
			nested(s)
		}
	}
	list(b.block.List)
	return out
}

// splitPos splits "file:line:col".
func splitPos(pos string) (file string, line, col int, ok bool) {
	i := strings.LastIndexByte(pos, ':')
	if i < 0 {
		return "", 0, 0, false
	}
	j := strings.LastIndexByte(pos[:i], ':')
	if j < 0 {
		return "", 0, 0, false
	}
	line, err1 := strconv.Atoi(pos[j+1 : i])
	col, err2 := strconv.Atoi(pos[i+1:])
	return pos[:j], line, col, err1 == nil && err2 == nil
}

// posFrames returns the traceback lines of a panic's interpreted frames
// (innermost first, as yaegi printed them while the panic unwound): each
// names its function and the cell position of the statement it was
// running. at is the offset of the top-level statement of cell c that ran.
func (s *Session) posFrames(frames []panicFrame, at int, c *parsedCell) []string {
	bodies := s.posBodies(c)
	globals, _ := globalsOf(s.yi)
	value := func(v string) int {
		g, ok := globals[v]
		if !ok || !g.IsValid() || !g.CanInt() {
			return 0
		}
		return int(g.Int())
	}
	used := map[string]bool{}
	innermost := true // no frame named yet: this one panicked
	callee := ""      // the function of the frame inside the current one
	var out []string
	cellFile := fmt.Sprintf("cell%d", c.n)
	for _, f := range frames {
		fn := strings.TrimPrefix(f.fn, "main.")
		file, line, col, ok := splitPos(f.pos)
		var b *posBody
		for _, cand := range bodies {
			// Bodies that contain the position are nested: the
			// innermost starts last.
			if ok && cand.contains(file, line, col) && (b == nil || cand.from.Line > b.from.Line || cand.from.Line == b.from.Line && cand.from.Column > b.from.Column) {
				b = cand
			}
		}
		if b != nil && b.generated {
			continue // the panic is reported at the user's statement that called it
		}
		if b == nil {
			switch {
			case ok && file == cellFile && (fn == "func" || fn == "main"):
				out = append(out, s.cellFrame(c, at, value("__godl_pc")))
			case ok && strings.HasPrefix(file, "cell") && file != cellFile && !strings.HasPrefix(fn, "__godl"):
				// A func literal made by a statement of an earlier cell
				// whose source the session no longer keeps.
				out = append(out, fmt.Sprintf("  in a func literal in %s, in a statement of the body that starts at %s", strings.Replace(file, "cell", "cell ", 1), f.pos))
			}
			callee = ""
			continue
		}
		var where string
		switch {
		case b.v == "":
			where = "in the statement at " + f.pos
		case !used[b.v]:
			used[b.v] = true
			if p := b.decode(value(b.v)); value(b.v) > 0 && p != "" {
				where = "in the statement at " + p
				if innermost && b.callName != "" {
					// The marker may be the one a recursive call
					// left, if the panic came after it returned
					// within its statement.
					var alts []string
					for _, v := range b.callSitesWhere(b.callName, panicsBesidesCalls) {
						if q := b.decode(v); q != "" && q != p {
							alts = append(alts, q)
						}
					}
					if len(alts) > 0 {
						where += fmt.Sprintf(" (or at %s, if it panicked after a recursive call there returned)", strings.Join(alts, " or "))
					}
				}
			} else {
				where = fmt.Sprintf("at an unknown statement (its position marker was overwritten) of the body starting at %s:%d:%d", b.file, b.from.Line, b.from.Column)
			}
		default:
			// A recursive call: the marker belongs to a deeper frame.
			var ps []string
			sites := b.callSites(callee)
			if len(sites) == 0 && callee != "" {
				// Called under another name (a variable holding it).
				sites = b.callSites("")
			}
			for _, v := range sites {
				if p := b.decode(v); p != "" {
					ps = append(ps, p)
				}
			}
			switch len(ps) {
			case 0:
				where = "at a call whose position is unknown (the function also runs deeper in this traceback)"
			case 1:
				where = "in the statement at " + ps[0]
			default:
				where = "in one of the statements at " + strings.Join(ps, ", ")
			}
		}
		out = append(out, fmt.Sprintf("  in %s, %s", b.name, where))
		innermost = false
		callee = b.callName
	}
	return elideRepeats(out)
}

// elideRepeats shortens runs of identical frame lines (deep recursion), as
// Go's runtime elides frames.
func elideRepeats(lines []string) []string {
	var out []string
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && lines[j] == lines[i] {
			j++
		}
		if j-i > 3 {
			out = append(out, lines[i], lines[i], fmt.Sprintf("  ... (the line above repeats %d more times)", j-i-2))
		} else {
			out = append(out, lines[i:j]...)
		}
		i = j
	}
	return out
}

// cellFrame returns the traceback line of cell c's own statements: the
// top-level statement at offset at, or the statement inside it that the
// cell's marker (value v) names.
func (s *Session) cellFrame(c *parsedCell, at, v int) string {
	if at < 0 && len(c.stmts) == 1 {
		at = c.stmts[0].off
	}
	if at < 0 || at > len(c.src) {
		return fmt.Sprintf("  in cell %d", c.n)
	}
	pos := c.pos(at)
	for _, st := range c.stmts {
		if st.off != at {
			continue
		}
		first, _ := c.lineCol(st.off)
		last, _ := c.lineCol(st.off + len(st.text))
		if l := v >> posShift & (1<<(32-posShift) - 1); v>>32 == c.n && l >= first && l <= last {
			pos = fmt.Sprintf("cell%d:%d:%d", c.n, l, v&(1<<posShift-1))
		}
	}
	return fmt.Sprintf("  in cell %d, in the statement at %s", c.n, pos)
}

// piecesSrc returns the sources of pieces.
func piecesSrc(ps []piece) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.src
	}
	return out
}

// safeIndexes finds the index expressions x[i] (x and i variables, or i a
// constant) inside the body of an if or for statement whose condition
// evaluated the same x[i] (not under || or a nested &&), when the body
// assigns neither x nor i and no closure or pointer can: they cannot
// panic. `if xs[i] > m { m = xs[i] }` then needs one marker, not two,
// and its loop none.
func (pm *posMarker) safeIndexes() {
	lw := pm.lw
	info := lw.c.info
	pm.safe = map[*ast.IndexExpr]bool{}
	// The index of x[i]: variable i, or a constant's value.
	type indexKey struct {
		v types.Object
		c string
	}
	type keyed struct {
		obj types.Object
		idx indexKey
		ok  bool
	}
	keys := map[*ast.IndexExpr]keyed{}
	keyOf := func(ix *ast.IndexExpr) keyed {
		id, ok := ast.Unparen(ix.X).(*ast.Ident)
		if !ok {
			return keyed{}
		}
		obj, ok := info.Uses[id].(*types.Var)
		if !ok || !pm.isLocal(obj) {
			return keyed{} // a global: a call may change it
		}
		switch under(obj.Type()).(type) {
		case *types.Slice, *types.Array, *types.Basic:
		default:
			return keyed{}
		}
		if tv := info.Types[ix.Index]; tv.Value != nil {
			return keyed{obj, indexKey{c: tv.Value.ExactString()}, true}
		}
		iid, ok := ast.Unparen(ix.Index).(*ast.Ident)
		if !ok {
			return keyed{}
		}
		iobj, ok := info.Uses[iid].(*types.Var)
		if !ok || !pm.isLocal(iobj) {
			return keyed{}
		}
		return keyed{obj, indexKey{v: iobj}, true}
	}
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		if ix, ok := n.(*ast.IndexExpr); ok {
			if k := keyOf(ix); k.ok {
				keys[ix] = k
			}
		}
		return true
	})
	if len(keys) == 0 {
		return // no x[i] of a local x and i or constant
	}
	key := func(ix *ast.IndexExpr) (types.Object, indexKey, bool) {
		k := keys[ix]
		return k.obj, k.idx, k.ok
	}
	captured := map[types.Object]bool{}
	type objScope struct {
		o     types.Object
		scope ast.Node
	}
	stable := map[objScope]bool{}
	isStable := func(o types.Object, body ast.Node) bool {
		c, ok := captured[o]
		if !ok {
			c = lw.captured(o, lw.c.file)
			captured[o] = c
		}
		if c {
			return false
		}
		k := objScope{o, body}
		st, ok := stable[k]
		if !ok {
			st = !lw.assigned(o, body) && !rangeAssigned(info, o, body)
			stable[k] = st
		}
		return st
	}
	var conjuncts func(e ast.Expr, out *[]ast.Expr)
	conjuncts = func(e ast.Expr, out *[]ast.Expr) {
		if b, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && b.Op == token.LAND {
			conjuncts(b.X, out)
			conjuncts(b.Y, out)
			return
		}
		*out = append(*out, e)
	}
	type pair struct {
		obj types.Object
		idx indexKey
	}
	// evaluated returns the x[i] that evaluating n surely evaluates.
	evaluated := func(n ast.Node) map[pair]bool {
		seen := map[pair]bool{}
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit, *ast.BlockStmt:
				return false
			case *ast.BinaryExpr:
				if x.Op == token.LAND || x.Op == token.LOR {
					return false
				}
			case *ast.IndexExpr:
				if obj, idx, ok := key(x); ok {
					seen[pair{obj, idx}] = true
				}
			}
			return true
		})
		return seen
	}
	// markSafe marks the x[i] of seen inside within as safe when scope
	// cannot change x or i.
	markSafe := func(seen map[pair]bool, scope, within ast.Node) {
		if len(seen) == 0 {
			return
		}
		ast.Inspect(within, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.IndexExpr:
				obj, idx, ok := key(x)
				if !ok || !seen[pair{obj, idx}] || !isStable(obj, scope) {
					return true
				}
				if idx.v != nil && !isStable(idx.v, scope) {
					return true
				}
				pm.safe[x] = true
			}
			return true
		})
	}
	checked := func(cond ast.Expr, body *ast.BlockStmt) {
		if cond == nil {
			return
		}
		var cs []ast.Expr
		conjuncts(cond, &cs)
		seen := map[pair]bool{}
		for _, c := range cs {
			for p := range evaluated(c) {
				seen[p] = true
			}
		}
		markSafe(seen, body, body)
	}
	// In a statement list, what a simple statement evaluates is safe in
	// the statements after it, if the list changes neither x nor i.
	block := func(scope ast.Node, list []ast.Stmt) {
		avail := map[pair]bool{} // evaluated by the simple statements so far
		for _, st := range list {
			if _, ok := st.(*ast.LabeledStmt); ok {
				avail = map[pair]bool{} // a goto may reach it without them
			}
			markSafe(avail, scope, st)
			switch st.(type) {
			case *ast.AssignStmt, *ast.ExprStmt, *ast.IncDecStmt, *ast.SendStmt, *ast.DeclStmt:
				for p := range evaluated(st) {
					avail[p] = true
				}
			}
		}
	}
	// A loop's index within bounds: for i := range xs, and
	// for i := 0; i < len(xs); i++, make xs[i] safe in the body.
	localVar := func(e ast.Expr, defs bool) types.Object {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return nil
		}
		o := info.Uses[id]
		if defs && o == nil {
			o = info.Defs[id]
		}
		v, ok := o.(*types.Var)
		if !ok || !pm.isLocal(v) {
			return nil
		}
		return v
	}
	inBounds := func(xs ast.Expr, i types.Object, body *ast.BlockStmt) {
		x := localVar(xs, false)
		if x == nil || i == nil {
			return
		}
		markSafe(map[pair]bool{{x, indexKey{v: i}}: true}, body, body)
	}
	// lenOf: n := len(xs), n and xs never assigned again (in the cell)
	// and not captured: the bound n of a loop is len(xs).
	lenOf := map[types.Object]ast.Expr{}
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for k, r := range as.Rhs {
			arg := lenArg(info, r)
			if arg == nil {
				continue
			}
			nv, xv := localVar(as.Lhs[k], true), localVar(arg, false)
			if nv == nil || xv == nil || !isStable(nv, lw.c.file) || !isStable(xv, lw.c.file) {
				continue
			}
			lenOf[nv] = arg
		}
		return true
	})
	lenVar := func(e ast.Expr) ast.Expr {
		if v := localVar(e, false); v != nil {
			return lenOf[v]
		}
		return nil
	}
	countedLoop := func(f *ast.ForStmt) {
		init, ok := f.Init.(*ast.AssignStmt)
		if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
			return
		}
		if v := info.Types[init.Rhs[0]].Value; v == nil || constant.Sign(v) < 0 {
			return
		}
		i := localVar(init.Lhs[0], true)
		cond, ok := f.Cond.(*ast.BinaryExpr)
		if !ok || cond.Op != token.LSS || localVar(cond.X, false) != i {
			return
		}
		xs := lenArg(info, cond.Y)
		if xs == nil {
			xs = lenVar(cond.Y)
		}
		if xs == nil {
			return
		}
		post, ok := f.Post.(*ast.IncDecStmt)
		if !ok || post.Tok != token.INC || localVar(post.X, false) != i {
			return
		}
		inBounds(xs, i, f.Body)
	}
	ast.Inspect(lw.c.file, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.RangeStmt:
			if x.Key != nil {
				xs := x.X
				if arg := lenArg(info, x.X); arg != nil {
					xs = arg // for i := range len(xs)
				}
				inBounds(xs, localVar(x.Key, x.Tok == token.DEFINE), x.Body)
			}
		case *ast.IfStmt:
			checked(x.Cond, x.Body)
		case *ast.ForStmt:
			countedLoop(x)
			checked(x.Cond, x.Body)
		case *ast.BlockStmt:
			block(x, x.List)
		case *ast.CaseClause:
			block(x, x.Body)
		case *ast.CommClause:
			block(x, x.Body)
		}
		return true
	})
}

// rangeAssigned tells whether a range statement in body assigns obj
// (for obj = range ...).
func rangeAssigned(info *types.Info, obj types.Object, body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok && r.Tok == token.ASSIGN {
			for _, e := range []ast.Expr{r.Key, r.Value} {
				if id, ok := e.(*ast.Ident); ok && info.Uses[id] == obj {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// zeroValueRE matches the reflect panic yaegi raises where Go's runtime
// reports a nil pointer dereference (a field, element or value read
// through a nil pointer or interface).
var zeroValueRE = regexp.MustCompile(`^(?:reflect: )?call of reflect\.Value\.\w+ on zero Value$`)

// goRuntimeMessage rewords yaegi's reflect-level runtime errors as Go's
// runtime words them, keeping yaegi's text for reference.
func goRuntimeMessage(name, msg string) string {
	if name != "runtime error" {
		return msg
	}
	msg = strings.TrimPrefix(msg, "reflect: ")
	if zeroValueRE.MatchString(msg) {
		return "invalid memory address or nil pointer dereference (in the interpreter: " + msg + ")"
	}
	return msg
}

// lenArg returns x of the builtin call len(x) e, or nil.
func lenArg(info *types.Info, e ast.Expr) ast.Expr {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil
	}
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil
	}
	if b, ok := info.Uses[id].(*types.Builtin); !ok || b.Name() != "len" {
		return nil
	}
	return call.Args[0]
}

// panicsBesidesCalls tells whether statement s (not its nested blocks or
// func literals) has an operation other than a call that can panic.
func panicsBesidesCalls(s ast.Stmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit, *ast.BlockStmt:
			return false
		case *ast.IndexExpr, *ast.SliceExpr, *ast.StarExpr:
			found = true
		case *ast.TypeAssertExpr:
			found = found || x.Type != nil
		case *ast.BinaryExpr:
			found = found || x.Op == token.QUO || x.Op == token.REM
		}
		return !found
	})
	return found
}

// isLocal tells whether v is a variable local to a function of the cell
// (not a variable of this or an earlier cell, which calls may change).
func (pm *posMarker) isLocal(v *types.Var) bool {
	tf := pm.lw.c.tf
	p := int(v.Pos())
	return v.Pos().IsValid() && p >= tf.Base() && p <= tf.Base()+tf.Size() && v.Parent() != pm.lw.c.pkg.Scope() && !v.IsField()
}
