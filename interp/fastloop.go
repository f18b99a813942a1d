package interp

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"strconv"
	"strings"
	"sync"
)

// Fast loops: closure compilation of numeric loops.
//
// yaegi runs `for i := 0; i < n; i++ { s += i }` at ~29 ns per iteration
// (three nodes, each a closure call through reflect.Values); no rewrite
// of the source into other yaegi code makes that much faster. The
// lowering therefore compiles loops that only compute on numbers into
// trees of typed Go closures (the technique gomacro uses) and replaces
// the loop's text with a call of the session:
//
//	for i := 0; i < 1e7; i++ {    {__godl_pc = 4295098369; __godl.Loop(3, &__godl_pc, &s, k)
//		s += i * k           ->
//	}                             }
//
// (the same lines: positions of later code stay right). The program (id 3
// of the session's loopRegistry) runs on a frame of typed slots: the
// variables declared outside the loop are passed in (by pointer those it
// assigns, which are copied back when it ends, also when it panics or is
// interrupted). A simple iteration costs a few nanoseconds. A loop whose
// trip count is known when it starts keeps its text for yaegi, which
// runs it when it is short (see guard):
//
//	{if len(xs) > 16 { __godl_pc = …; __godl.Loop(4, &__godl_pc, &s, xs) } else {for _, x := range xs {
//		s += x
//	}}}
//
// A loop qualifies (anything else is left to yaegi, as before) when it
// uses only:
//   - variables of type int, int64, float64 or bool, and slices of
//     float64, int or int64 and slices of those (indexed, len, ranged
//     over; a slice variable declared outside the loop is not assigned in
//     it, rows of the loop's own are: row := m[i]), declared in the
//     cell's package (cell variables, or locals and parameters of the
//     function around it), and fields of those types of struct variables
//     (p.F, passed as &p.F or p.F; through a pointer only for the pointer the
//     loop's header dereferences before anything else can panic, as in
//     `for i := range n.W` in a method of *Net, so that a nil pointer
//     panics where Go's would);
//   - bytes (uint8) and []byte, compared, converted and copied only (no
//     arithmetic on bytes: `x[i] = float64(img[i]) / 255`);
//   - constants; arithmetic, comparison, logical, bit and shift
//     operators; conversions between int, int64, float64 and uint8;
//   - the builtins len, min and max; the functions of math listed in
//     flMathSig, and the top-level float and int generators of math/rand;
//   - assignments (=, :=, op=, var declarations), ++ and --, if/else,
//     expression switches, nested for loops (three-clause, range over an
//     integer or over a slice), blocks, break and continue (labelled
//     too), and return from the function around the loop when its
//     results are of those types (the host call reports it and the
//     values come back through variables of the replacement text:
//     `{var __godl_r0 int; if __godl.Loop(...) { return __godl_r0 }}`).
//
// No calls of other functions, func literals, pointers, nested fields,
// strings, type switches, fallthrough, goto, defer or go. Loops in
// generic functions are left alone (a host call in a generic body makes
// yaegi skip it), and so are loops of at most flMinTrips iterations
// known at compile time (the host call costs ~1 µs, yaegi's call of a
// compiled function).
//
// A goroutine that reads a variable while another goroutine's compiled
// loop assigns it sees the value from before the loop until the loop
// ends (Go's memory model allows that for unsynchronised access; yaegi
// happened to show each write).
//
// Semantics are Go's, because the closures are compiled Go doing the
// same operations: int is 64-bit and wraps, integer division by zero
// and a negative shift count panic with Go's runtime errors, indexes are
// bounds-checked, floats are IEEE, conversions are Go's. A runtime panic
// sets the position marker of the function around the loop (panicpos.go)
// to the statement that panicked, so tracebacks name it as for any other
// statement. An interrupt (Session.Interrupt) is polled every
// flPollEvery iterations: the loop stops, keeping what it assigned.

// flKind is the type of a fast-loop value.
type flKind uint8

const (
	flInt     flKind = iota + 1 // int, int64
	flFloat                     // float64
	flBool                      // bool
	flFSlice                    // []float64
	flISlice                    // []int, []int64
	flFSlice2                   // [][]float64
	flISlice2                   // [][]int, [][]int64
	flU8                        // uint8 (byte): in an int slot; compared, converted, copied only
	flBSlice                    // []uint8, []byte
)

// flElem returns the element kind of slice kind k (0 if k is no slice).
func flElem(k flKind) flKind {
	switch k {
	case flFSlice:
		return flFloat
	case flISlice:
		return flInt
	case flFSlice2:
		return flFSlice
	case flISlice2:
		return flISlice
	case flBSlice:
		return flU8
	}
	return 0
}

// flPtr is the pointer type a parameter arrives as.
type flPtr uint8

const (
	ptrInt flPtr = iota + 1
	ptrInt64
	ptrFloat64
	ptrBool
	ptrFSlice
	ptrISlice  // *[]int
	ptrI64Sl   // *[]int64
	ptrFSlice2 // *[][]float64
	ptrISlice2 // *[][]int
	ptrI64Sl2  // *[][]int64
	ptrU8      // *uint8
	ptrBSlice  // *[]uint8
)

// flVar is a variable of a fast loop: a slot of its kind; a parameter
// (param >= 0) is a variable declared outside the loop, passed by
// pointer when the loop assigns it (written).
type flVar struct {
	name    string // as the host call passes it: x, p.F, __godl_r0
	kind    flKind
	slot    int
	param   int
	ptr     flPtr
	written bool
}

// flOp is an expression operation.
type flOp uint8

const (
	oConst flOp = iota + 1
	oVar
	oUnary
	oBinary
	oConv  // x converted to kind
	oCall  // fn(args)
	oIndex // x[y]: x is a slice-valued expression
	oLen   // len(x)
)

// flExpr is a typed expression of a fast loop.
type flExpr struct {
	op   flOp
	kind flKind
	tok  token.Token
	i    int64
	f    float64
	b    bool
	v    *flVar
	x, y *flExpr
	args []*flExpr
	fn   string
}

// flSop is a statement operation.
type flSop uint8

const (
	sAssign     flSop = iota + 1 // lhs tok rhs (=, :=, op=; parallel)
	sIncDec                      // lhs[0]++ / --
	sIf                          // init; if cond body else els
	sFor                         // init; cond; post { body }
	sRangeInt                    // for key = range x { body }
	sRangeSlice                  // for key, val = range v { body }
	sBlock                       // body
	sBreak                       // loop: target
	sContinue                    // loop: target
	sReturn                      // results lhs = rhs; leave the function
	sSwitch                      // body, a break target (loop)
)

// flStmt is a statement of a fast loop. mark is the position marker
// value of the statement when it can panic (0 otherwise).
type flStmt struct {
	op         flSop
	tok        token.Token
	lhs, rhs   []*flExpr
	cond       *flExpr
	init, post *flStmt
	body       []*flStmt
	els        *flStmt
	loop       int
	key, val   *flExpr // range targets (oVar or oIndex), nil for none
	x          *flExpr // range bound or slice
	pos        token.Pos
	mark       int
}

// flProg is a compiled loop: its root statement and the layout of its
// frame. Instances (linked closures) are pooled.
type flProg struct {
	root   *flStmt
	params []*flVar
	nslots [flBSlice + 1]int
	mark   int // the loop statement's own marker value
	key    string

	mu   sync.Mutex
	free []*flInst
}

// flReject stops the compilation of a loop that does not qualify.
type flReject struct{ why string }

// loopRegistry holds a session's compiled loops. The lowering registers
// them; the interpreter runs them by id (Session.hostLoop), possibly in
// goroutines of earlier cells.
type loopRegistry struct {
	mu    sync.RWMutex
	byKey map[string]int
	progs []*flProg
	// guardTrips is the trip count above which a guarded loop runs
	// compiled (flMinTrips; tests lower it to run every loop compiled).
	guardTrips int
}

func newLoopRegistry() *loopRegistry {
	return &loopRegistry{byKey: map[string]int{}, guardTrips: flMinTrips}
}

// add returns the id of p, registering it unless an identical program
// has an id already (a re-lowered func keeps its text).
func (r *loopRegistry) add(p *flProg) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := r.byKey[p.key]; ok {
		return id
	}
	r.progs = append(r.progs, p)
	id := len(r.progs) - 1
	r.byKey[p.key] = id
	return id
}

func (r *loopRegistry) get(id int) *flProg {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if id < 0 || id >= len(r.progs) {
		return nil
	}
	return r.progs[id]
}

// fastLoop is a loop of the cell being lowered that compiled: replaced
// by a host call once the position markers tell its marker variable.
type fastLoop struct {
	node  ast.Stmt // the for/range statement, or the labelled statement around it
	prog  *flProg
	body  *ast.BlockStmt // the function body around it
	v     string         // its marker variable ("" until markPositions tells)
	base  int
	uses  []*ast.Ident // uses of the parameters, in the loop
	marks map[*flStmt]token.Pos
	// returns: the loop has return statements; results are the types of
	// the variables their values go through (the function's results,
	// unless they are named and the returns bare).
	returns bool
	results []string
	// guard: a condition on the trip count, evaluated before the loop,
	// that chooses the host call; otherwise yaegi runs the loop as it is
	// (a short loop costs less there than the host call). "" for none.
	guard string
}

// flCompiler compiles one loop.
type flCompiler struct {
	lw     *lowering
	info   *types.Info
	start  token.Pos // the loop's extent: objects declared inside are locals
	end    token.Pos
	vars   map[types.Object]*flVar
	prog   *flProg
	uses   []*ast.Ident
	loops  []flLoopCtx
	nloops int                   // loops and switches: break targets
	nfor   int                   // loops
	marks  map[*flStmt]token.Pos // statements that can panic
	// sig is the signature of the function around the loop (nil at the
	// cell's level); results the variables return statements set.
	sig     *types.Signature
	results []*flVar
	returns bool
	// fields: struct fields used as variables; derefFirst: the pointer
	// whose fields may be read through it.
	fields     map[flFieldKey]*flVar
	derefFirst types.Object
}

type flLoopCtx struct {
	label string
	id    int
	sw    bool // a switch: a break target, not a continue target
}

func (c *flCompiler) reject(format string, args ...any) {
	panic(flReject{fmt.Sprintf(format, args...)})
}

// fastLoops finds the outermost loops of the cell that compile (run
// first: later passes need not know them; their edits inside a replaced
// loop are dropped by replaceFastLoops).
func (lw *lowering) fastLoops() {
	if lw.loops == nil || strconv.IntSize != 64 {
		return
	}
	// sig: the signature of the function around, nil for the cell's
	// statements (no return there).
	var visit func(n ast.Node, body *ast.BlockStmt, sig *types.Signature)
	visit = func(n ast.Node, body *ast.BlockStmt, sig *types.Signature) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncDecl:
				if x.Body == nil || x.Type.TypeParams != nil || x.Recv != nil && genericRecv(x) {
					return false
				}
				var sig *types.Signature
				if obj := lw.c.info.Defs[x.Name]; obj != nil && !(x.Name.Name == "_godlCell" && x.Recv == nil) {
					sig, _ = obj.Type().(*types.Signature)
				}
				visit(x.Body, x.Body, sig)
				return false
			case *ast.FuncLit:
				sig, _ := lw.c.info.TypeOf(x).(*types.Signature)
				visit(x.Body, x.Body, sig)
				return false
			case *ast.ForStmt, *ast.RangeStmt:
				if body == nil {
					return false
				}
				st := x.(ast.Stmt)
				if fl := lw.compileLoop(st, body, sig); fl != nil {
					lw.fast = append(lw.fast, fl)
					return false
				}
			}
			return true
		})
	}
	visit(lw.c.file, nil, nil)
	if len(lw.fast) > 0 {
		lw.fastBodies = map[*ast.BlockStmt]bool{}
		for _, fl := range lw.fast {
			lw.fastBodies[fl.body] = true
		}
	}
}

// fastLoopMarkers is told by markPositions the marker variable and base
// line of each function body it marks.
func (lw *lowering) fastLoopMarkers(b *ast.BlockStmt, v string, base int) {
	if !lw.fastBodies[b] {
		return
	}
	for _, fl := range lw.fast {
		if fl.body == b {
			fl.v, fl.base = v, base
		}
	}
}

// compileLoop compiles loop st (a *ast.ForStmt or *ast.RangeStmt) of
// function body body, or returns nil when it does not qualify.
func (lw *lowering) compileLoop(st ast.Stmt, body *ast.BlockStmt, sig *types.Signature) (fl *fastLoop) {
	node := st
	label := ""
	if ls, ok := lw.parents[st].(*ast.LabeledStmt); ok {
		node, label = ls, ls.Label.Name
	}
	c := &flCompiler{lw: lw, info: lw.c.info, start: node.Pos(), end: node.End(), sig: sig,
		vars: map[types.Object]*flVar{}, prog: &flProg{}, marks: map[*flStmt]token.Pos{}}
	defer func() {
		if r := recover(); r != nil {
			if rj, ok := r.(flReject); ok {
				if lw.fastWhy != nil {
					lw.fastWhy(st, rj.why)
				}
				fl = nil
				return
			}
			panic(r)
		}
	}()
	c.derefFirst = c.derefs(st)
	root := c.loop(st, label)
	// The result variables of return statements come last.
	for _, r := range c.results {
		r.param = len(c.prog.params)
		c.prog.params = append(c.prog.params, r)
	}
	if n, ok := root.trips(); ok && n <= flMinTrips && c.nfor == 1 {
		// Calling the host costs about a microsecond (yaegi's call
		// of a compiled function): more than yaegi runs a few
		// iterations in.
		c.reject("%d iterations", n)
	}
	c.prog.root = root
	fl = &fastLoop{node: node, prog: c.prog, body: body, uses: c.uses, marks: c.marks, returns: c.returns}
	for i := range c.results {
		ts, ok := lw.typeString(sig.Results().At(i).Type(), st.Pos())
		if !ok {
			return nil
		}
		fl.results = append(fl.results, ts)
	}
	if c.nfor == 1 {
		// A loop without nested loops may be short: the trip count
		// decides, when it is known before the loop starts.
		fl.guard = c.guard(st)
	}
	return fl
}

// flMinTrips: a loop of at most so many iterations, known at compile
// time, stays with yaegi unless it has a nested loop; known when the
// loop starts, it is run by yaegi (see guard).
const flMinTrips = 16

// guard returns the condition, evaluated where the loop starts, under
// which the loop st runs more than flMinTrips times: "" when the count
// is not known before the loop runs. The condition only reads variables,
// fields, constants and lengths, as the loop's header does first (it can
// panic only where the header would), and chooses between two
// equivalent ways to run the loop, so a wrong guess costs time only.
func (c *flCompiler) guard(st ast.Stmt) string {
	switch st := st.(type) {
	case *ast.RangeStmt:
		if !c.simple(st.X) || c.info.Types[st.X].Value != nil {
			return ""
		}
		if _, ok := c.info.TypeOf(st.X).Underlying().(*types.Basic); ok {
			return fmt.Sprintf("(%s) > %d", c.lw.text(st.X), c.lw.loops.guardTrips)
		}
		return fmt.Sprintf("len(%s) > %d", c.lw.text(st.X), c.lw.loops.guardTrips)
	case *ast.ForStmt:
		as, ok := st.Init.(*ast.AssignStmt)
		cond, ok2 := st.Cond.(*ast.BinaryExpr)
		post, ok3 := st.Post.(*ast.IncDecStmt)
		if !ok || !ok2 || !ok3 || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 || !c.simple(as.Rhs[0]) ||
			(cond.Op != token.LSS && cond.Op != token.LEQ) || post.Tok != token.INC {
			return ""
		}
		v := c.info.Defs[ast.Unparen(as.Lhs[0]).(*ast.Ident)]
		x, ok := ast.Unparen(cond.X).(*ast.Ident)
		p, ok2 := ast.Unparen(post.X).(*ast.Ident)
		if v == nil || !ok || !ok2 || c.info.Uses[x] != v || c.info.Uses[p] != v || !c.simple(cond.Y) {
			return ""
		}
		if c.info.Types[cond.Y].Value != nil && c.info.Types[as.Rhs[0]].Value != nil {
			return "" // known now: see trips
		}
		op := ">"
		if cond.Op == token.LEQ {
			op = ">="
		}
		return fmt.Sprintf("(%s)-(%s) %s %d", c.lw.text(cond.Y), c.lw.text(as.Rhs[0]), op, c.lw.loops.guardTrips)
	}
	return ""
}

// simple tells whether e only reads constants, variables declared
// outside the loop, their fields and lengths (sums and differences of
// those): it may be evaluated again before the loop.
func (c *flCompiler) simple(e ast.Expr) bool {
	if c.info.Types[e].Value != nil {
		return true
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return c.simple(e.X)
	case *ast.Ident:
		v, ok := c.info.Uses[e].(*types.Var)
		return ok && c.outside(v)
	case *ast.SelectorExpr:
		sel := c.info.Selections[e]
		_, ok := e.X.(*ast.Ident)
		return ok && sel != nil && sel.Kind() == types.FieldVal && c.simple(e.X)
	case *ast.IndexExpr:
		return c.simple(e.X) && c.simple(e.Index)
	case *ast.CallExpr:
		id, ok := ast.Unparen(e.Fun).(*ast.Ident)
		if !ok || len(e.Args) != 1 {
			return false
		}
		b, ok := c.info.Uses[id].(*types.Builtin)
		return ok && b.Name() == "len" && c.simple(e.Args[0])
	case *ast.BinaryExpr:
		return (e.Op == token.ADD || e.Op == token.SUB) && c.simple(e.X) && c.simple(e.Y)
	}
	return false
}

// trips returns the iteration count of a loop whose bounds are constant:
// `for i := a; i < b; i++` (or <=), `for range n`.
func (st *flStmt) trips() (int64, bool) {
	switch st.op {
	case sRangeInt:
		if st.x.op == oConst {
			return st.x.i, true
		}
	case sFor:
		in, c, p := st.init, st.cond, st.post
		if in == nil || in.op != sAssign || len(in.lhs) != 1 || in.lhs[0] == nil || in.lhs[0].op != oVar || in.rhs[0].op != oConst ||
			c == nil || c.op != oBinary || (c.tok != token.LSS && c.tok != token.LEQ) || c.x.op != oVar || c.x.v != in.lhs[0].v || c.y.op != oConst ||
			p == nil || p.op != sIncDec || p.tok != token.INC || p.lhs[0].op != oVar || p.lhs[0].v != c.x.v || c.x.kind != flInt {
			return 0, false
		}
		n := c.y.i - in.rhs[0].i
		if c.tok == token.LEQ {
			n++
		}
		return n, true
	}
	return 0, false
}

// flKindOf returns the fast-loop kind of t and the pointer type a
// parameter of type t arrives as (0 if none).
func flKindOf(t types.Type) (flKind, flPtr) {
	if t == nil {
		return 0, 0
	}
	if b, ok := t.(*types.Basic); ok {
		switch b.Kind() {
		case types.Int, types.UntypedInt, types.UntypedRune:
			return flInt, ptrInt
		case types.Int64:
			return flInt, ptrInt64
		case types.Float64, types.UntypedFloat:
			return flFloat, ptrFloat64
		case types.Bool, types.UntypedBool:
			return flBool, ptrBool
		case types.Uint8:
			return flU8, ptrU8
		}
		return 0, 0
	}
	if s, ok := t.(*types.Slice); ok {
		// Slices of float64, int, int64 and bytes, and slices of
		// those but bytes.
		switch _, elem := flKindOf(s.Elem()); elem {
		case ptrFloat64:
			return flFSlice, ptrFSlice
		case ptrInt:
			return flISlice, ptrISlice
		case ptrInt64:
			return flISlice, ptrI64Sl
		case ptrU8:
			return flBSlice, ptrBSlice
		case ptrFSlice:
			return flFSlice2, ptrFSlice2
		case ptrISlice:
			return flISlice2, ptrISlice2
		case ptrI64Sl:
			return flISlice2, ptrI64Sl2
		}
	}
	return 0, 0
}

func (c *flCompiler) typeKind(e ast.Expr) flKind {
	k, _ := flKindOf(c.info.TypeOf(e))
	if k == 0 {
		c.reject("%s has type %s", c.lw.text(e), c.info.TypeOf(e))
	}
	return k
}

// object returns the variable id denotes, creating it: a local if it is
// declared inside the loop, else a parameter.
func (c *flCompiler) object(id *ast.Ident) *flVar {
	obj := c.info.Uses[id]
	if obj == nil {
		obj = c.info.Defs[id]
	}
	v := flCellVar(obj)
	if v == nil {
		c.reject("%s is not a variable of the cell", id.Name)
	}
	if fv := c.vars[obj]; fv != nil {
		if fv.param >= 0 {
			c.uses = append(c.uses, id)
		}
		return fv
	}
	if flGenerated(v.Name()) || v.Name() == "_" {
		c.reject("generated variable %s", v.Name())
	}
	k, ptr := flKindOf(v.Type())
	if k == 0 {
		c.reject("%s has type %s", v.Name(), v.Type())
	}
	fv := &flVar{name: v.Name(), kind: k, slot: c.slot(k), param: -1, ptr: ptr}
	if c.outside(v) {
		fv.param = len(c.prog.params)
		c.prog.params = append(c.prog.params, fv)
		c.uses = append(c.uses, id)
	} else if k == flFSlice2 || k == flISlice2 || k == flBSlice {
		c.reject("slice %s declared in the loop", v.Name())
	}
	c.vars[obj] = fv
	return fv
}

// flCellVar returns obj if it is a variable of the cell's package (not
// a field), else nil.
func flCellVar(obj types.Object) *types.Var {
	v, ok := obj.(*types.Var)
	if !ok || v.IsField() || v.Pkg() == nil || v.Pkg().Path() != "main" {
		return nil
	}
	return v
}

// flGenerated tells whether name is one the lowering generates.
func flGenerated(name string) bool {
	return strings.HasPrefix(name, "_godl") || strings.HasPrefix(name, "__godl")
}

// outside tells whether v is declared outside the loop.
func (c *flCompiler) outside(v *types.Var) bool { return v.Pos() < c.start || v.Pos() >= c.end }

// flFieldKey names a field of a struct variable.
type flFieldKey struct {
	obj   types.Object
	field int
}

// field returns the variable standing for e, a field of a struct
// variable declared outside the loop (passed as &p.F). Through a pointer
// only for the pointer the loop dereferences first (derefFirst): taking
// &p.F before the loop then panics where Go would, if p is nil.
func (c *flCompiler) field(e *ast.SelectorExpr) *flVar {
	sel := c.info.Selections[e]
	id, ok := e.X.(*ast.Ident)
	if sel == nil || sel.Kind() != types.FieldVal || len(sel.Index()) != 1 || !ok {
		c.reject("%s", c.lw.text(e))
	}
	v := flCellVar(c.info.Uses[id])
	if v == nil || !c.outside(v) || flGenerated(v.Name()) {
		c.reject("%s", c.lw.text(e))
	}
	if sel.Indirect() && c.derefFirst != types.Object(v) {
		c.reject("%s through a pointer not dereferenced first", c.lw.text(e))
	}
	key := flFieldKey{v, sel.Index()[0]}
	c.uses = append(c.uses, id)
	if fv := c.fields[key]; fv != nil {
		return fv
	}
	k, ptr := flKindOf(sel.Obj().Type())
	if k == 0 {
		c.reject("%s has type %s", c.lw.text(e), sel.Obj().Type())
	}
	fv := &flVar{name: id.Name + "." + e.Sel.Name, kind: k, slot: c.slot(k), param: len(c.prog.params), ptr: ptr}
	c.prog.params = append(c.prog.params, fv)
	if c.fields == nil {
		c.fields = map[flFieldKey]*flVar{}
	}
	c.fields[key] = fv
	return fv
}

// derefs returns the pointer variable whose field the loop's header
// reads before anything else can panic or be assigned outside the loop:
// a range expression, or the condition after an initialisation of loop
// variables by constants (for i := 0; i < len(p.xs); i++).
func (c *flCompiler) derefs(st ast.Stmt) types.Object {
	var e ast.Expr
	switch st := st.(type) {
	case *ast.RangeStmt:
		e = st.X
	case *ast.ForStmt:
		if st.Init != nil {
			as, ok := st.Init.(*ast.AssignStmt)
			if !ok || as.Tok != token.DEFINE {
				return nil
			}
			for _, r := range as.Rhs {
				if c.info.Types[r].Value == nil {
					return nil
				}
			}
		}
		e = st.Cond
	}
	obj, _ := c.firstPanic(e)
	return obj
}

// firstPanic walks e in evaluation order to the first operation that can
// panic: the pointer variable if it is a field read through it (nil
// otherwise); stop tells that the walk ended.
func (c *flCompiler) firstPanic(e ast.Expr) (obj types.Object, stop bool) {
	if e == nil || c.info.Types[e].Value != nil {
		return nil, false
	}
	switch e := e.(type) {
	case *ast.Ident, *ast.BasicLit:
		return nil, false
	case *ast.ParenExpr:
		return c.firstPanic(e.X)
	case *ast.UnaryExpr:
		return c.firstPanic(e.X)
	case *ast.BinaryExpr:
		if obj, stop := c.firstPanic(e.X); stop {
			return obj, true
		}
		switch e.Op {
		case token.LAND, token.LOR:
			return nil, true // the right operand may not run
		case token.QUO, token.REM, token.SHL, token.SHR:
			return nil, true
		}
		return c.firstPanic(e.Y)
	case *ast.CallExpr:
		if id, ok := ast.Unparen(e.Fun).(*ast.Ident); ok {
			if _, ok := c.info.Uses[id].(*types.Builtin); !ok {
				return nil, true
			}
		} else if !c.info.Types[e.Fun].IsType() {
			return nil, true
		}
		for _, a := range e.Args {
			if obj, stop := c.firstPanic(a); stop {
				return obj, true
			}
		}
		return nil, false
	case *ast.SelectorExpr:
		if sel := c.info.Selections[e]; sel != nil && sel.Kind() == types.FieldVal && sel.Indirect() && len(sel.Index()) == 1 {
			if id, ok := e.X.(*ast.Ident); ok {
				return c.info.Uses[id], true
			}
		}
		return nil, true
	}
	return nil, true
}

// hidden returns a fresh local slot of kind k.
func (c *flCompiler) hidden(k flKind) *flVar {
	fv := &flVar{kind: k, slot: c.slot(k), param: -1}
	return fv
}

// slot allocates a slot for a variable of kind k (a uint8 takes an int
// slot).
func (c *flCompiler) slot(k flKind) int {
	if k == flU8 {
		k = flInt
	}
	c.prog.nslots[k]++
	return c.prog.nslots[k] - 1
}

// constant returns the constant tv of kind k.
func (c *flCompiler) constant(e ast.Expr, tv types.TypeAndValue, k flKind) *flExpr {
	x := &flExpr{op: oConst, kind: k}
	switch k {
	case flInt, flU8:
		v := constant.ToInt(tv.Value)
		i, exact := constant.Int64Val(v)
		if !exact {
			c.reject("constant %s overflows", c.lw.text(e))
		}
		x.i = i
	case flFloat:
		f, _ := constant.Float64Val(constant.ToFloat(tv.Value))
		x.f = f
	case flBool:
		if tv.Value.Kind() != constant.Bool {
			c.reject("constant %s", c.lw.text(e))
		}
		x.b = constant.BoolVal(tv.Value)
	default:
		c.reject("constant %s", c.lw.text(e))
	}
	return x
}

// flMathSig tells whether a fast loop may call math.name and how: its
// number of arguments (float64 but the last when ints), its result kind.
// The float functions are those the linker has (flMath1, flMath2).
func flMathSig(name string) (nargs int, res flKind, ints, ok bool) {
	switch name {
	case "IsNaN", "Signbit":
		return 1, flBool, false, true
	case "IsInf":
		return 2, flBool, true, true
	case "Inf":
		return 1, flFloat, true, true
	}
	if flMath1["math."+name] != nil {
		return 1, flFloat, false, true
	}
	if flMath2["math."+name] != nil {
		return 2, flFloat, false, true
	}
	return 0, 0, false, false
}

// flRand are the generators of math/rand a fast loop may call (the
// interpreter calls the same compiled functions, on the same source).
var flRand = map[string]struct {
	nargs int
	res   flKind
}{
	"Float64": {0, flFloat}, "NormFloat64": {0, flFloat}, "ExpFloat64": {0, flFloat},
	"Intn": {1, flInt}, "Int63n": {1, flInt}, "Int": {0, flInt}, "Int63": {0, flInt},
}

// expr compiles e.
func (c *flCompiler) expr(e ast.Expr) *flExpr {
	tv, ok := c.info.Types[e]
	if !ok {
		c.reject("no type for %s", c.lw.text(e))
	}
	if tv.Value != nil {
		return c.constant(e, tv, c.typeKind(e))
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return c.expr(e.X)
	case *ast.Ident:
		v := c.object(e)
		return &flExpr{op: oVar, kind: v.kind, v: v}
	case *ast.UnaryExpr:
		x := c.expr(e.X)
		switch {
		case e.Op == token.SUB && (x.kind == flInt || x.kind == flFloat),
			e.Op == token.ADD && (x.kind == flInt || x.kind == flFloat),
			e.Op == token.XOR && x.kind == flInt,
			e.Op == token.NOT && x.kind == flBool:
			return &flExpr{op: oUnary, kind: x.kind, tok: e.Op, x: x}
		}
		c.reject("operator %s", e.Op)
	case *ast.BinaryExpr:
		return c.binary(e)
	case *ast.CallExpr:
		return c.call(e)
	case *ast.SelectorExpr:
		v := c.field(e)
		return &flExpr{op: oVar, kind: v.kind, v: v}
	case *ast.IndexExpr:
		x := c.expr(e.X)
		k := flElem(x.kind)
		if k == 0 {
			c.reject("index of %s", c.lw.text(e.X))
		}
		ix := c.expr(e.Index)
		if ix.kind != flInt {
			c.reject("index %s", c.lw.text(e.Index))
		}
		return &flExpr{op: oIndex, kind: k, x: x, y: ix}
	}
	c.reject("expression %s", c.lw.text(e))
	return nil
}

func (c *flCompiler) binary(e *ast.BinaryExpr) *flExpr {
	x, y := c.expr(e.X), c.expr(e.Y)
	k := c.typeKind(e)
	switch e.Op {
	case token.SHL, token.SHR:
		if x.kind != flInt || y.kind != flInt {
			c.reject("shift %s", c.lw.text(e))
		}
	case token.LAND, token.LOR:
		if x.kind != flBool || y.kind != flBool {
			c.reject("%s", c.lw.text(e))
		}
	case token.EQL, token.NEQ:
		if x.kind != y.kind || (x.kind > flBool && x.kind != flU8) {
			c.reject("comparison %s", c.lw.text(e))
		}
	case token.LSS, token.LEQ, token.GTR, token.GEQ:
		if x.kind != y.kind || (x.kind != flInt && x.kind != flFloat && x.kind != flU8) {
			c.reject("comparison %s", c.lw.text(e))
		}
	case token.ADD, token.SUB, token.MUL, token.QUO:
		if x.kind != y.kind || x.kind != k || (k != flInt && k != flFloat) {
			c.reject("%s", c.lw.text(e))
		}
	case token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
		if x.kind != flInt || y.kind != flInt || k != flInt {
			c.reject("%s", c.lw.text(e))
		}
	default:
		c.reject("operator %s", e.Op)
	}
	return &flExpr{op: oBinary, kind: k, tok: e.Op, x: x, y: y}
}

func (c *flCompiler) call(e *ast.CallExpr) *flExpr {
	if e.Ellipsis.IsValid() {
		c.reject("spread call")
	}
	k := c.typeKind(e)
	if tv := c.info.Types[e.Fun]; tv.IsType() {
		if len(e.Args) != 1 {
			c.reject("conversion")
		}
		x := c.expr(e.Args[0])
		if x.kind == k {
			return x
		}
		num := func(k flKind) bool { return k == flInt || k == flFloat || k == flU8 }
		if num(x.kind) && num(k) {
			return &flExpr{op: oConv, kind: k, x: x}
		}
		c.reject("conversion %s", c.lw.text(e))
	}
	args := func() []*flExpr {
		var out []*flExpr
		for _, a := range e.Args {
			out = append(out, c.expr(a))
		}
		return out
	}
	switch fun := ast.Unparen(e.Fun).(type) {
	case *ast.Ident:
		b, ok := c.info.Uses[fun].(*types.Builtin)
		if !ok {
			c.reject("call of %s", fun.Name)
		}
		switch b.Name() {
		case "len":
			x := c.expr(e.Args[0])
			if flElem(x.kind) == 0 {
				c.reject("len of %s", c.lw.text(e.Args[0]))
			}
			return &flExpr{op: oLen, kind: flInt, x: x}
		case "min", "max":
			as := args()
			for _, a := range as {
				if a.kind != k || (k != flInt && k != flFloat) {
					c.reject("%s", c.lw.text(e))
				}
			}
			return &flExpr{op: oCall, kind: k, fn: b.Name(), args: as}
		}
		c.reject("builtin %s", b.Name())
	case *ast.SelectorExpr:
		pkgID, ok := fun.X.(*ast.Ident)
		if !ok {
			c.reject("call %s", c.lw.text(e.Fun))
		}
		pn, ok := c.info.Uses[pkgID].(*types.PkgName)
		if !ok {
			c.reject("call %s", c.lw.text(e.Fun))
		}
		name := fun.Sel.Name
		as := args()
		switch pn.Imported().Path() {
		case "math":
			nargs, res, ints, ok := flMathSig(name)
			if !ok || len(as) != nargs || res != k {
				c.reject("math.%s", name)
			}
			for i, a := range as {
				want := flFloat
				if ints && i == len(as)-1 {
					want = flInt
				}
				if a.kind != want {
					c.reject("math.%s argument", name)
				}
			}
			return &flExpr{op: oCall, kind: k, fn: "math." + name, args: as}
		case "math/rand":
			r, ok := flRand[name]
			if !ok || len(as) != r.nargs || r.res != k {
				c.reject("rand.%s", name)
			}
			for _, a := range as {
				if a.kind != flInt {
					c.reject("rand.%s argument", name)
				}
			}
			return &flExpr{op: oCall, kind: k, fn: "rand." + name, args: as}
		}
	}
	c.reject("call %s", c.lw.text(e.Fun))
	return nil
}

// panics tells whether evaluating x can panic.
func (x *flExpr) panics() bool {
	if x == nil {
		return false
	}
	switch x.op {
	case oIndex:
		return true
	case oBinary:
		if (x.tok == token.QUO || x.tok == token.REM) && x.kind == flInt && x.y.op != oConst {
			return true
		}
		if (x.tok == token.SHL || x.tok == token.SHR) && x.y.op != oConst {
			return true
		}
	case oCall:
		if x.fn == "rand.Intn" || x.fn == "rand.Int63n" {
			return true
		}
	}
	if x.x.panics() || x.y.panics() {
		return true
	}
	for _, a := range x.args {
		if a.panics() {
			return true
		}
	}
	return false
}

// target compiles an assignment target: a variable or a slice element.
func (c *flCompiler) target(e ast.Expr) *flExpr {
	e = ast.Unparen(e)
	switch e := e.(type) {
	case *ast.Ident:
		if e.Name == "_" {
			return nil
		}
		v := c.object(e)
		if flElem(v.kind) != 0 && (v.param >= 0 || v.kind == flFSlice2 || v.kind == flISlice2) {
			// The loop's own slice variables only (rows: row := m[i]).
			c.reject("assignment to slice %s", e.Name)
		}
		v.written = true
		return &flExpr{op: oVar, kind: v.kind, v: v}
	case *ast.IndexExpr:
		x := c.expr(e)
		if x.op != oIndex {
			c.reject("assignment to %s", c.lw.text(e))
		}
		return x
	case *ast.SelectorExpr:
		v := c.field(e)
		if flElem(v.kind) != 0 {
			c.reject("assignment to slice %s", v.name)
		}
		v.written = true
		return &flExpr{op: oVar, kind: v.kind, v: v}
	}
	c.reject("assignment to %s", c.lw.text(e))
	return nil
}

// stmt compiles s.
func (c *flCompiler) stmt(s ast.Stmt) *flStmt {
	switch s := s.(type) {
	case nil:
		return nil
	case *ast.EmptyStmt:
		return &flStmt{op: sBlock}
	case *ast.BlockStmt:
		return &flStmt{op: sBlock, body: c.list(s.List)}
	case *ast.LabeledStmt:
		switch l := s.Stmt.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return c.loop(l, s.Label.Name)
		case *ast.SwitchStmt:
			return c.switchStmt(l, s.Label.Name)
		}
		c.reject("label %s", s.Label.Name)
	case *ast.ForStmt, *ast.RangeStmt:
		return c.loop(s, "")
	case *ast.AssignStmt:
		return c.assign(s)
	case *ast.IncDecStmt:
		t := c.target(s.X)
		if t == nil || (t.kind != flInt && t.kind != flFloat) {
			c.reject("%s", c.lw.text(s))
		}
		st := &flStmt{op: sIncDec, tok: s.Tok, lhs: []*flExpr{t}, pos: s.Pos()}
		if t.panics() {
			c.marks[st] = s.Pos()
		}
		return st
	case *ast.DeclStmt:
		gd, ok := s.Decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			c.reject("declaration")
		}
		blk := &flStmt{op: sBlock}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			st := &flStmt{op: sAssign, tok: token.DEFINE, pos: vs.Pos()}
			for i, n := range vs.Names {
				t := c.target(n)
				st.lhs = append(st.lhs, t)
				if len(vs.Values) == 0 {
					if t == nil {
						continue
					}
					if flElem(t.kind) != 0 {
						c.reject("nil slice %s", n.Name)
					}
					st.rhs = append(st.rhs, &flExpr{op: oConst, kind: t.kind})
				} else {
					if len(vs.Values) != len(vs.Names) {
						c.reject("multi-value declaration")
					}
					st.rhs = append(st.rhs, c.convTo(vs.Values[i], t))
				}
			}
			if len(st.rhs) < len(st.lhs) {
				// var _ T: nothing to do.
				continue
			}
			if c.anyPanics(st.rhs) {
				c.marks[st] = vs.Pos()
			}
			blk.body = append(blk.body, st)
		}
		return blk
	case *ast.IfStmt:
		st := &flStmt{op: sIf, pos: s.Pos()}
		st.init = c.stmt(s.Init)
		st.cond = c.expr(s.Cond)
		if st.cond.kind != flBool {
			c.reject("condition")
		}
		if st.cond.panics() {
			c.marks[st] = s.Pos()
		}
		st.body = c.list(s.Body.List)
		if s.Else != nil {
			st.els = c.stmt(s.Else)
		}
		return st
	case *ast.ExprStmt:
		// A call whose result is dropped (rand.Float64() advances the
		// generator).
		x := c.expr(s.X)
		if x.op != oCall {
			c.reject("expression statement")
		}
		st := &flStmt{op: sAssign, tok: token.ASSIGN, lhs: []*flExpr{nil}, rhs: []*flExpr{x}, pos: s.Pos()}
		if x.panics() {
			c.marks[st] = s.Pos()
		}
		return st
	case *ast.ReturnStmt:
		return c.ret(s)
	case *ast.SwitchStmt:
		return c.switchStmt(s, "")
	case *ast.BranchStmt:
		if s.Tok != token.BREAK && s.Tok != token.CONTINUE {
			c.reject("%s", s.Tok)
		}
		if len(c.loops) == 0 {
			c.reject("branch")
		}
		target := -1
		for i := len(c.loops) - 1; i >= 0 && target < 0; i-- {
			if s.Tok == token.BREAK || !c.loops[i].sw {
				target = c.loops[i].id
			}
		}
		if target < 0 {
			c.reject("branch")
		}
		if s.Label != nil {
			found := false
			for _, l := range c.loops {
				if l.label == s.Label.Name {
					target, found = l.id, true
				}
			}
			if !found {
				c.reject("branch to %s", s.Label.Name)
			}
		}
		op := sBreak
		if s.Tok == token.CONTINUE {
			op = sContinue
		}
		return &flStmt{op: op, loop: target}
	}
	c.reject("statement %T", s)
	return nil
}

// switchStmt compiles an expression switch as its tag stored in a
// hidden variable and a chain of ifs (default last), in a block that
// break leaves.
func (c *flCompiler) switchStmt(s *ast.SwitchStmt, label string) *flStmt {
	id := c.nloops
	c.nloops++
	st := &flStmt{op: sSwitch, loop: id, pos: s.Pos()}
	if s.Init != nil {
		st.body = append(st.body, c.stmt(s.Init))
	}
	var tag *flExpr
	if s.Tag != nil {
		x := c.expr(s.Tag)
		if x.kind == 0 || x.kind > flBool {
			c.reject("switch on %s", c.lw.text(s.Tag))
		}
		tag = &flExpr{op: oVar, kind: x.kind, v: c.hidden(x.kind)}
		as := &flStmt{op: sAssign, tok: token.ASSIGN, lhs: []*flExpr{tag}, rhs: []*flExpr{x}, pos: s.Pos()}
		if x.panics() {
			c.marks[as] = s.Pos()
		}
		st.body = append(st.body, as)
	}
	c.loops = append(c.loops, flLoopCtx{label, id, true})
	var first, last *flStmt
	var def *flStmt
	for _, cl := range s.Body.List {
		cc := cl.(*ast.CaseClause)
		if cc.List == nil {
			def = &flStmt{op: sBlock, body: c.list(cc.Body)}
			continue
		}
		var cond *flExpr
		for _, e := range cc.List {
			var ce *flExpr
			if tag != nil {
				ce = &flExpr{op: oBinary, kind: flBool, tok: token.EQL, x: tag, y: c.convTo(e, tag)}
			} else if ce = c.expr(e); ce.kind != flBool {
				c.reject("case %s", c.lw.text(e))
			}
			if cond == nil {
				cond = ce
			} else {
				cond = &flExpr{op: oBinary, kind: flBool, tok: token.LOR, x: cond, y: ce}
			}
		}
		ifs := &flStmt{op: sIf, cond: cond, body: c.list(cc.Body), pos: cc.Pos()}
		if cond.panics() {
			c.marks[ifs] = s.Pos()
		}
		if last == nil {
			first = ifs
		} else {
			last.els = ifs
		}
		last = ifs
	}
	c.loops = c.loops[:len(c.loops)-1]
	switch {
	case def != nil && last == nil:
		first = def
	case def != nil:
		last.els = def
	}
	if first != nil {
		st.body = append(st.body, first)
	}
	return st
}

// ret compiles a return statement: its values go to result variables
// that the host call's caller returns (see replaceFastLoops).
func (c *flCompiler) ret(s *ast.ReturnStmt) *flStmt {
	if c.sig == nil {
		c.reject("return outside a function")
	}
	res := c.sig.Results()
	st := &flStmt{op: sReturn, tok: token.ASSIGN, pos: s.Pos()}
	c.returns = true
	if len(s.Results) == 0 {
		// Bare: the named results are returned as they are (the loop
		// stores those it assigned).
		return st
	}
	if len(s.Results) != res.Len() {
		c.reject("return of a call")
	}
	if c.results == nil {
		for i := 0; i < res.Len(); i++ {
			k, ptr := flKindOf(res.At(i).Type())
			if k == 0 || flElem(k) != 0 {
				c.reject("result of type %s", res.At(i).Type())
			}
			v := &flVar{name: fmt.Sprintf("__godl_r%d", i), kind: k, slot: c.slot(k), ptr: ptr, written: true}
			c.results = append(c.results, v)
		}
	}
	for i, e := range s.Results {
		v := c.results[i]
		t := &flExpr{op: oVar, kind: v.kind, v: v}
		st.lhs = append(st.lhs, t)
		st.rhs = append(st.rhs, c.convTo(e, t))
	}
	if c.anyPanics(st.rhs) {
		c.marks[st] = s.Pos()
	}
	return st
}

func (c *flCompiler) list(l []ast.Stmt) []*flStmt {
	var out []*flStmt
	for _, s := range l {
		if st := c.stmt(s); st != nil {
			out = append(out, st)
		}
	}
	return out
}

func (c *flCompiler) anyPanics(xs []*flExpr) bool {
	for _, x := range xs {
		if x.panics() {
			return true
		}
	}
	return false
}

// convTo compiles value e assigned to target t (an untyped constant takes
// the target's kind).
func (c *flCompiler) convTo(e ast.Expr, t *flExpr) *flExpr {
	x := c.expr(e)
	if t != nil && x.kind != t.kind {
		if x.op == oConst && x.kind == flInt && t.kind == flFloat {
			return &flExpr{op: oConst, kind: flFloat, f: float64(x.i)}
		}
		c.reject("assignment of %s", c.lw.text(e))
	}
	return x
}

func (c *flCompiler) assign(s *ast.AssignStmt) *flStmt {
	st := &flStmt{op: sAssign, tok: s.Tok, pos: s.Pos()}
	if len(s.Lhs) != len(s.Rhs) {
		c.reject("multi-value assignment")
	}
	// Right-hand sides first: in `x := x + 1` the new x is not yet declared.
	rhs := make([]*flExpr, len(s.Rhs))
	for i, r := range s.Rhs {
		rhs[i] = c.expr(r)
	}
	for i, l := range s.Lhs {
		t := c.target(l)
		if t != nil && rhs[i].kind != t.kind {
			if rhs[i].op == oConst && rhs[i].kind == flInt && t.kind == flFloat {
				rhs[i] = &flExpr{op: oConst, kind: flFloat, f: float64(rhs[i].i)}
			} else {
				c.reject("assignment %s", c.lw.text(s))
			}
		}
		st.lhs = append(st.lhs, t)
	}
	st.rhs = rhs
	if len(rhs) > 1 {
		for _, x := range rhs {
			if flElem(x.kind) != 0 || x.kind == flU8 {
				c.reject("parallel assignment of slices or bytes")
			}
		}
	}
	switch s.Tok {
	case token.ASSIGN, token.DEFINE:
	case token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN, token.QUO_ASSIGN:
		if st.lhs[0] == nil || (st.lhs[0].kind != flInt && st.lhs[0].kind != flFloat) {
			c.reject("%s", c.lw.text(s))
		}
	case token.REM_ASSIGN, token.AND_ASSIGN, token.OR_ASSIGN, token.XOR_ASSIGN, token.AND_NOT_ASSIGN, token.SHL_ASSIGN, token.SHR_ASSIGN:
		if st.lhs[0] == nil || st.lhs[0].kind != flInt || rhs[0].kind != flInt {
			c.reject("%s", c.lw.text(s))
		}
	default:
		c.reject("assignment %s", s.Tok)
	}
	p := c.anyPanics(st.rhs)
	for _, t := range st.lhs {
		p = p || t.panics()
	}
	if op := st.tok; (op == token.QUO_ASSIGN || op == token.REM_ASSIGN) && st.lhs[0].kind == flInt && rhs[0].op != oConst {
		p = true
	}
	if op := st.tok; (op == token.SHL_ASSIGN || op == token.SHR_ASSIGN) && rhs[0].op != oConst {
		p = true
	}
	if p {
		c.marks[st] = s.Pos()
	}
	return st
}

// loop compiles a for or range statement labelled label.
func (c *flCompiler) loop(s ast.Stmt, label string) *flStmt {
	id := c.nloops
	c.nloops++
	c.nfor++
	st := &flStmt{loop: id, pos: s.Pos()}
	switch s := s.(type) {
	case *ast.ForStmt:
		st.op = sFor
		st.init = c.stmt(s.Init)
		if s.Cond != nil {
			st.cond = c.expr(s.Cond)
			if st.cond.kind != flBool {
				c.reject("condition")
			}
		}
		st.post = c.stmt(s.Post)
		if st.cond.panics() || (st.post != nil && c.marks[st.post] != 0) {
			c.marks[st] = s.Pos()
			if st.post != nil {
				c.marks[st.post] = s.Pos()
			}
		}
		c.loops = append(c.loops, flLoopCtx{label, id, false})
		st.body = c.list(s.Body.List)
		c.loops = c.loops[:len(c.loops)-1]
	case *ast.RangeStmt:
		xt := c.info.TypeOf(s.X)
		k, _ := flKindOf(xt)
		if b, ok := xt.(*types.Basic); ok && b.Info()&types.IsInteger != 0 && k == flInt {
			st.op = sRangeInt
			st.x = c.expr(s.X)
			if st.x.kind != flInt {
				c.reject("range bound")
			}
			if s.Value != nil {
				c.reject("range value")
			}
		} else if flElem(k) != 0 {
			st.op = sRangeSlice
			st.x = c.expr(s.X)
			if (k == flFSlice2 || k == flISlice2 || k == flBSlice) && st.x.op != oVar {
				c.reject("range over %s", c.lw.text(s.X))
			}
		} else {
			c.reject("range over %s", c.lw.text(s.X))
		}
		if st.x.panics() {
			c.marks[st] = s.Pos()
		}
		if s.Key != nil {
			st.key = c.target(s.Key)
			if st.key != nil && st.key.kind != flInt {
				c.reject("range key")
			}
			if st.key != nil && st.key.op == oIndex {
				c.reject("range key %s", c.lw.text(s.Key))
			}
		}
		if s.Value != nil {
			st.val = c.target(s.Value)
			if st.val != nil && (st.val.op == oIndex || st.val.kind != flElem(k)) {
				c.reject("range value %s", c.lw.text(s.Value))
			}
		}
		c.loops = append(c.loops, flLoopCtx{label, id, false})
		st.body = c.list(s.Body.List)
		c.loops = c.loops[:len(c.loops)-1]
	}
	return st
}

// replaceFastLoops replaces the text of each compiled loop by its host
// call, once markPositions has told the marker variables (call after it).
// Edits strictly inside a replaced loop are dropped; a loop that an edit
// crosses, or whose variables an edit renames, stays with yaegi.
func (lw *lowering) replaceFastLoops() {
	pm := &posMarker{lw: lw}
	why := func(fl *fastLoop, s string) {
		if lw.fastWhy != nil {
			lw.fastWhy(fl.node, s)
		}
	}
	for _, fl := range lw.fast {
		if fl.v == "" {
			why(fl, "no position marker variable")
			continue
		}
		// In cell offsets: the model may add text inside a top-level
		// loop (position directives).
		m := lw.c.m
		s, ok1 := m.origOffset(lw.off(fl.node.Pos()))
		e, ok2 := m.origOffset(lw.off(fl.node.End()))
		if !ok1 || !ok2 || e < s {
			why(fl, "not in the cell's text")
			continue
		}
		contiguous := e-s == lw.off(fl.node.End())-lw.off(fl.node.Pos())
		ok := true
		renamed := map[[2]int]bool{}
		for _, id := range fl.uses {
			renamed[[2]int{lw.off(id.Pos()), lw.off(id.End())}] = true
		}
		var kept []edit
		for _, ed := range lw.edits {
			es, ok1 := m.origOffset(ed.start)
			ee, ok2 := m.origOffset(ed.end)
			if !ok1 || !ok2 {
				kept = append(kept, ed) // apply reports it
				continue
			}
			inside := es >= s && ee <= e && !(es == ee && (es == s || es == e))
			switch {
			case inside && renamed[[2]int{ed.start, ed.end}]:
				ok = false
			case inside:
			case es < e && ee > s:
				ok = false
			default:
				kept = append(kept, ed)
			}
		}
		for _, ed := range lw.origEdits {
			if ed.start < e && ed.end > s {
				ok = false
			}
		}
		if !ok {
			why(fl, "another rewrite crosses the loop or renames its variables")
			continue
		}
		// With a guard, the loop stays as it is (with its rewrites) for
		// yaegi, between two insertions: the opening one after other
		// insertions at its place, the closing one before them (seq 0:
		// the next statement's position marker goes after the block).
		guarded := fl.guard != ""
		// Marker values: relative to the body's base line.
		prog := fl.prog
		valid := true
		for st, p := range fl.marks {
			var ok bool
			st.mark, ok = pm.val(p, fl.base)
			valid = valid && ok
		}
		mv, ok2 := pm.val(prog.root.pos, fl.base)
		if !valid || !ok2 {
			why(fl, "position out of the markers' range")
			continue
		}
		prog.mark = mv
		if !prog.linkable() {
			why(fl, "internal error linking the loop")
			continue
		}
		prog.key = prog.serialize()
		id := lw.loops.add(prog)
		if !guarded {
			lw.edits = kept
		}
		call := fl.hostCall(id, mv)
		if guarded {
			call += " } else {"
			if contiguous {
				lw.insert(fl.node.Pos(), call)
				end := lw.off(fl.node.End())
				lw.edits = append(lw.edits, edit{end, end, "}}", 0})
			} else {
				lw.editOrig(s, s, call)
				lw.origEdits = append(lw.origEdits, edit{e, e, "}}", 0})
			}
			lw.fastDone++
			continue
		}
		call += strings.Repeat("\n", strings.Count(m.src[s:e], "\n")) + "}"
		if contiguous {
			// In the model: rewrites that move text around the loop
			// (workaround.go, callArgs) take it along.
			lw.add(fl.node.Pos(), fl.node.End(), call)
		} else {
			lw.editOrig(s, e, call)
		}
		lw.fastDone++
	}
}

// hostCall returns the text that runs fl as program id (its marker
// value mv), up to where the loop's own text follows or is dropped:
// `{var __godl_r0 T; [if guard { ]marker = mv; [if ]__godl.Loop(id,
// &marker, args…)[ { return __godl_r0 }]`.
func (fl *fastLoop) hostCall(id, mv int) string {
	var b strings.Builder
	b.WriteString("{")
	for i, t := range fl.results {
		fmt.Fprintf(&b, "var __godl_r%d %s; ", i, t)
	}
	if fl.guard != "" {
		fmt.Fprintf(&b, "if %s { ", fl.guard)
	}
	// The marker is set to the loop's position in the host call's
	// branch only: yaegi's keeps the loop's own markers (one may have
	// been hoisted before the loop).
	fmt.Fprintf(&b, "%s = %d; ", fl.v, mv)
	if fl.returns {
		b.WriteString("if ")
	}
	fmt.Fprintf(&b, "__godl.Loop(%d, &%s", id, fl.v)
	for _, v := range fl.prog.params {
		// Pointers to what the loop assigns, values of the rest.
		b.WriteString(", ")
		if v.written {
			b.WriteString("&")
		}
		b.WriteString(v.name)
	}
	b.WriteString(")")
	if fl.returns {
		b.WriteString(" { return")
		for i := range fl.results {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " __godl_r%d", i)
		}
		b.WriteString(" }")
	}
	return b.String()
}

// linkable links an instance of p (kept in its pool), reporting false
// if linking panics: a shape the linker misses stays with yaegi rather
// than failing when it runs.
func (p *flProg) linkable() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	p.put(p.get())
	return true
}

// serialize writes the program exactly: programs with the same text
// share an id.
func (p *flProg) serialize() string {
	var b strings.Builder
	fmt.Fprintf(&b, "m%d;s%v;", p.mark, p.nslots)
	for _, v := range p.params {
		fmt.Fprintf(&b, "p%d.%d.%d.%t;", v.kind, v.slot, v.ptr, v.written)
	}
	var expr func(x *flExpr)
	expr = func(x *flExpr) {
		if x == nil {
			b.WriteString("_")
			return
		}
		fmt.Fprintf(&b, "(%d %d %d", x.op, x.kind, x.tok)
		switch x.op {
		case oConst:
			b.WriteString(" " + strconv.FormatInt(x.i, 10) + " " + strconv.FormatUint(math.Float64bits(x.f), 16) + " " + strconv.FormatBool(x.b))
		case oVar:
			fmt.Fprintf(&b, " v%d.%d", x.v.kind, x.v.slot)
		case oCall:
			b.WriteString(" " + x.fn)
		}
		if x.x != nil {
			b.WriteString(" ")
			expr(x.x)
		}
		if x.y != nil {
			b.WriteString(" ")
			expr(x.y)
		}
		for _, a := range x.args {
			b.WriteString(" ")
			expr(a)
		}
		b.WriteString(")")
	}
	var stmt func(s *flStmt)
	stmt = func(s *flStmt) {
		if s == nil {
			b.WriteString("_")
			return
		}
		fmt.Fprintf(&b, "[%d %d %d %d", s.op, s.tok, s.loop, s.mark)
		for _, x := range s.lhs {
			expr(x)
		}
		b.WriteString("=")
		for _, x := range s.rhs {
			expr(x)
		}
		b.WriteString("?")
		expr(s.cond)
		expr(s.key)
		expr(s.val)
		expr(s.x)
		stmt(s.init)
		stmt(s.post)
		stmt(s.els)
		b.WriteString("{")
		for _, x := range s.body {
			stmt(x)
		}
		b.WriteString("}]")
	}
	stmt(p.root)
	return b.String()
}
