package interp

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"math"
	"math/rand"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Running fast loops (see fastloop.go): an instance of a program is its
// frame of typed slots and the closures linked to them. Instances are
// pooled per program, so a loop in a function that is called often links
// once; goroutines running the same loop take different instances.

// flPollEvery is how many loop iterations run between two looks at the
// interrupt flag (a few microseconds).
const flPollEvery = 1 << 12

// flInst is a linked instance of a program.
type flInst struct {
	ints   []int64
	floats []float64
	bools  []bool
	fsl    [][]float64
	isl    [][]int64
	fsl2   [][][]float64
	isl2   [][][]int64
	bsl    [][]uint8
	cur    int // marker value of the statement that may panic next
	tick   int // iterations left before the next poll
	gen    *atomic.Int64
	gen0   int64
	run    stmtFn
}

// stmtFn runs a statement: 0, or the code of a break or continue that
// leaves it (flBreak, flContinue of the target loop).
type stmtFn func() int

func flBreak(loop int) int    { return 2*loop + 1 }
func flContinue(loop int) int { return 2*loop + 2 }

// flReturn is the code of a return statement: it leaves every loop.
const flReturn = -1

// flInterrupt is the panic that unwinds an interrupted loop to hostLoop.
type flInterrupt struct{}

func (in *flInst) poll() {
	in.tick = flPollEvery
	if in.gen.Load() != in.gen0 {
		panic(flInterrupt{})
	}
}

// get returns an instance of p, linking a new one if none is free.
func (p *flProg) get() *flInst {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		in := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return in
	}
	p.mu.Unlock()
	in := &flInst{
		ints:   make([]int64, p.nslots[flInt]),
		floats: make([]float64, p.nslots[flFloat]),
		bools:  make([]bool, p.nslots[flBool]),
		fsl:    make([][]float64, p.nslots[flFSlice]),
		isl:    make([][]int64, p.nslots[flISlice]),
		fsl2:   make([][][]float64, p.nslots[flFSlice2]),
		isl2:   make([][][]int64, p.nslots[flISlice2]),
		bsl:    make([][]uint8, p.nslots[flBSlice]),
	}
	l := &flLinker{in: in}
	in.run = l.stmt(p.root)
	return in
}

// put returns an instance to the pool, dropping its slices' references.
func (p *flProg) put(in *flInst) {
	clear(in.fsl)
	clear(in.isl)
	clear(in.fsl2)
	clear(in.isl2)
	clear(in.bsl)
	p.mu.Lock()
	if len(p.free) < 8 {
		p.free = append(p.free, in)
	}
	p.mu.Unlock()
}

// errFastLoopArgs reports an argument of the wrong type: the lowering
// and the interpreter disagree about a variable's type.
var errFastLoopArgs = errors.New("godl: internal error: a compiled loop got a variable of an unexpected type; please report it with the cell's source")

// load copies the parameters in: pointers to those the loop assigns,
// the values of the others (taking the address of a function's
// parameter makes yaegi's calls of it slower).
func (in *flInst) load(p *flProg, args []any) {
	if len(args) != len(p.params) {
		panic(errFastLoopArgs)
	}
	for i, v := range p.params {
		ok := false
		if v.written {
			ok = in.loadPtr(v, args[i])
		} else {
			ok = in.loadValue(v, args[i])
		}
		if !ok {
			panic(fmt.Errorf("%w (%s is %T)", errFastLoopArgs, v.name, args[i]))
		}
	}
}

// loadPtr copies in what a points to, for a parameter v the loop
// assigns: a number or a bool (the compiler refuses assignments to
// slices declared outside the loop; store copies the same kinds back).
func (in *flInst) loadPtr(v *flVar, a any) (ok bool) {
	switch v.ptr {
	case ptrInt:
		var q *int
		if q, ok = a.(*int); ok {
			in.ints[v.slot] = int64(*q)
		}
	case ptrInt64:
		var q *int64
		if q, ok = a.(*int64); ok {
			in.ints[v.slot] = *q
		}
	case ptrFloat64:
		var q *float64
		if q, ok = a.(*float64); ok {
			in.floats[v.slot] = *q
		}
	case ptrBool:
		var q *bool
		if q, ok = a.(*bool); ok {
			in.bools[v.slot] = *q
		}
	case ptrU8:
		var q *uint8
		if q, ok = a.(*uint8); ok {
			in.ints[v.slot] = int64(*q)
		}
	}
	return ok
}

// loadValue copies in the value a of parameter v.
func (in *flInst) loadValue(v *flVar, a any) (ok bool) {
	switch v.ptr {
	case ptrInt:
		var x int
		if x, ok = a.(int); ok {
			in.ints[v.slot] = int64(x)
		}
	case ptrInt64:
		in.ints[v.slot], ok = a.(int64)
	case ptrFloat64:
		in.floats[v.slot], ok = a.(float64)
	case ptrBool:
		in.bools[v.slot], ok = a.(bool)
	case ptrFSlice:
		in.fsl[v.slot], ok = a.([]float64)
	case ptrISlice:
		var x []int
		if x, ok = a.([]int); ok {
			in.isl[v.slot] = unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
		}
	case ptrI64Sl:
		in.isl[v.slot], ok = a.([]int64)
	case ptrFSlice2:
		in.fsl2[v.slot], ok = a.([][]float64)
	case ptrISlice2:
		var x [][]int
		if x, ok = a.([][]int); ok {
			in.isl2[v.slot] = unsafe.Slice((*[]int64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
		}
	case ptrI64Sl2:
		in.isl2[v.slot], ok = a.([][]int64)
	case ptrU8:
		var x uint8
		if x, ok = a.(uint8); ok {
			in.ints[v.slot] = int64(x)
		}
	case ptrBSlice:
		in.bsl[v.slot], ok = a.([]uint8)
	}
	return ok
}

// store copies back the parameters the loop assigns.
func (in *flInst) store(p *flProg, args []any) {
	for i, v := range p.params {
		if !v.written {
			continue
		}
		switch v.ptr {
		case ptrInt:
			*args[i].(*int) = int(in.ints[v.slot])
		case ptrInt64:
			*args[i].(*int64) = in.ints[v.slot]
		case ptrFloat64:
			*args[i].(*float64) = in.floats[v.slot]
		case ptrBool:
			*args[i].(*bool) = in.bools[v.slot]
		case ptrU8:
			*args[i].(*uint8) = uint8(in.ints[v.slot])
		}
	}
}

// hostLoop runs compiled loop id (called from the interpreter as
// __godl.Loop): marker is the position marker of the function around the
// loop, args are the loop's parameters (pointers to those it assigns).
// It reports whether a return statement ended the loop (its values are
// in the last parameters).
func (s *Session) hostLoop(id int, marker *int, args ...any) (returned bool) {
	p := s.loops.get(id)
	if p == nil {
		panic(fmt.Errorf("godl: internal error: unknown compiled loop %d", id))
	}
	in := p.get()
	in.gen, in.gen0 = &s.loopGen, s.loopGen.Load()
	in.tick = flPollEvery
	in.cur = p.mark
	loaded := false
	defer func() {
		if loaded {
			in.store(p, args)
		}
		r := recover()
		p.put(in)
		if r == nil {
			return
		}
		if _, ok := r.(flInterrupt); ok {
			// The cell is interrupted: end it as the interpreter
			// would. A goroutine of an earlier cell just returns (a
			// panic there would end the process); the interpreter
			// stops it at its next step.
			if onCellGoroutine() {
				panic(errInterrupted)
			}
			return
		}
		if marker != nil {
			*marker = in.cur
		}
		panic(r)
	}()
	if s.interrupted() {
		panic(flInterrupt{})
	}
	in.load(p, args)
	loaded = true
	return in.run() == flReturn
}

var errInterrupted = errors.New("interrupted by the user")

// interrupted tells whether the running cell was interrupted (checked as
// a loop starts: an interrupt that came just before must not wait for the
// end of the loop).
func (s *Session) interrupted() bool {
	s.outMu.Lock()
	ctx, running := s.runCtx, s.running
	s.outMu.Unlock()
	return running && ctx != nil && ctx.Err() != nil
}

// onCellGoroutine tells whether the caller runs on the goroutine of the
// cell's Execute (yaegi recovers panics there), not in a goroutine a cell
// started.
func onCellGoroutine() bool {
	buf := make([]byte, 64<<10)
	n := runtime.Stack(buf, false)
	return bytes.Contains(buf[:n], []byte("(*Interpreter).ExecuteWithContext"))
}

// flLinker links a program's statements to an instance.
type flLinker struct{ in *flInst }

func (l *flLinker) ip(v *flVar) *int64   { return &l.in.ints[v.slot] }
func (l *flLinker) fp(v *flVar) *float64 { return &l.in.floats[v.slot] }
func (l *flLinker) bp(v *flVar) *bool    { return &l.in.bools[v.slot] }

// fslice links a []float64-valued expression: a variable or a row m[i].
func (l *flLinker) fslice(x *flExpr) func() []float64 { return sliceE(l, x, l.in.fsl, l.in.fsl2) }

// islice links an []int64-valued expression.
func (l *flLinker) islice(x *flExpr) func() []int64 { return sliceE(l, x, l.in.isl, l.in.isl2) }

// sliceE links a []T-valued expression: a variable (its slot in vs) or a
// row m[i] (m's slot in rows).
func sliceE[T any](l *flLinker, x *flExpr, vs [][]T, rows [][][]T) func() []T {
	switch x.op {
	case oVar:
		p := &vs[x.v.slot]
		return func() []T { return *p }
	case oIndex:
		m := &rows[x.x.v.slot]
		if x.y.op == oVar {
			p := l.ip(x.y.v)
			return func() []T { return (*m)[*p] }
		}
		ix := l.intE(x.y)
		return func() []T { return (*m)[ix()] }
	}
	panic("fastloop: bad slice expression")
}

// lenE links len(xs) of a []T-valued xs (slots as for sliceE; rows nil
// for slices that are never rows).
func lenE[T any](l *flLinker, xs *flExpr, vs [][]T, rows [][][]T) func() int64 {
	if xs.op == oVar {
		s := &vs[xs.v.slot]
		return func() int64 { return int64(len(*s)) }
	}
	f := sliceE(l, xs, vs, rows)
	return func() int64 { return int64(len(f())) }
}

// indexE links xs[i] of a []T-valued xs (slots as for sliceE),
// specialised for index variables.
func indexE[T any](l *flLinker, x *flExpr, vs [][]T, rows [][][]T) func() T {
	if x.x.op == oVar {
		s := &vs[x.x.v.slot]
		if x.y.op == oVar {
			p := l.ip(x.y.v)
			return func() T { return (*s)[*p] }
		}
		ix := l.intE(x.y)
		return func() T { return (*s)[ix()] }
	}
	if r := x.x; r.op == oIndex && r.x.op == oVar && r.y.op == oVar && x.y.op == oVar {
		m, pi, pj := &rows[r.x.v.slot], l.ip(r.y.v), l.ip(x.y.v)
		return func() T { return (*m)[*pi][*pj] }
	}
	sf, ix := sliceE(l, x.x, vs, rows), l.intE(x.y)
	return func() T { return sf()[ix()] }
}

// eval links the evaluation of x for its panics only (`_ = x`).
func (l *flLinker) eval(x *flExpr) func() {
	switch x.kind {
	case flInt, flU8:
		f := l.intE(x)
		return func() { f() }
	case flFloat:
		f := l.floatE(x)
		return func() { f() }
	case flBool:
		f := l.boolE(x)
		return func() { f() }
	case flFSlice:
		f := l.fslice(x)
		return func() { f() }
	case flISlice:
		f := l.islice(x)
		return func() { f() }
	}
	return func() {} // a variable
}

// flNum are the kinds arithmetic is written once for.
type flNum interface{ int64 | float64 }

func (l *flLinker) intE(x *flExpr) func() int64 {
	switch x.op {
	case oConst:
		c := x.i
		return func() int64 { return c }
	case oVar:
		p := l.ip(x.v)
		return func() int64 { return *p }
	case oUnary:
		f := l.intE(x.x)
		switch x.tok {
		case token.SUB:
			return func() int64 { return -f() }
		case token.XOR:
			return func() int64 { return ^f() }
		}
		return f
	case oBinary:
		return l.intBinary(x)
	case oConv:
		switch {
		case x.x.kind == flFloat && x.kind == flU8:
			f := l.floatE(x.x)
			return func() int64 { return int64(uint8(f())) }
		case x.x.kind == flFloat:
			f := l.floatE(x.x)
			return func() int64 { return int64(f()) }
		case x.kind == flU8:
			f := l.intE(x.x)
			return func() int64 { return int64(uint8(f())) }
		}
		return l.intE(x.x) // from a uint8: the same value
	case oIndex:
		if x.x.kind == flBSlice {
			s, ix := &l.in.bsl[x.x.v.slot], l.intE(x.y)
			return func() int64 { return int64((*s)[ix()]) }
		}
		return indexE(l, x, l.in.isl, l.in.isl2)
	case oLen:
		switch x.x.kind {
		case flFSlice:
			return lenE(l, x.x, l.in.fsl, l.in.fsl2)
		case flISlice:
			return lenE(l, x.x, l.in.isl, l.in.isl2)
		case flFSlice2:
			return lenE(l, x.x, l.in.fsl2, nil)
		case flISlice2:
			return lenE(l, x.x, l.in.isl2, nil)
		case flBSlice:
			return lenE(l, x.x, l.in.bsl, nil)
		}
	case oCall:
		switch x.fn {
		case "min", "max":
			return minMax(x.fn, l.intArgs(x.args))
		case "rand.Intn":
			f := l.intE(x.args[0])
			return func() int64 { return int64(rand.Intn(int(f()))) }
		case "rand.Int63n":
			f := l.intE(x.args[0])
			return func() int64 { return rand.Int63n(f()) }
		case "rand.Int":
			return func() int64 { return int64(rand.Int()) }
		case "rand.Int63":
			return rand.Int63
		}
	}
	panic("fastloop: bad int expression")
}

func (l *flLinker) intArgs(xs []*flExpr) []func() int64 {
	out := make([]func() int64, len(xs))
	for i, x := range xs {
		out[i] = l.intE(x)
	}
	return out
}

func (l *flLinker) floatArgs(xs []*flExpr) []func() float64 {
	out := make([]func() float64, len(xs))
	for i, x := range xs {
		out[i] = l.floatE(x)
	}
	return out
}

func minMax[T flNum](fn string, fs []func() T) func() T {
	if len(fs) == 1 {
		return fs[0]
	}
	a, b := fs[0], minMax(fn, fs[1:])
	if fn == "min" {
		return func() T { return min(a(), b()) }
	}
	return func() T { return max(a(), b()) }
}

func (l *flLinker) floatE(x *flExpr) func() float64 {
	switch x.op {
	case oConst:
		c := x.f
		return func() float64 { return c }
	case oVar:
		p := l.fp(x.v)
		return func() float64 { return *p }
	case oUnary:
		f := l.floatE(x.x)
		if x.tok == token.SUB {
			return func() float64 { return -f() }
		}
		return f
	case oBinary:
		return l.floatBinary(x)
	case oConv:
		f := l.intE(x.x)
		return func() float64 { return float64(f()) }
	case oIndex:
		return indexE(l, x, l.in.fsl, l.in.fsl2)
	case oCall:
		switch x.fn {
		case "min", "max":
			return minMax(x.fn, l.floatArgs(x.args))
		case "math.Inf":
			f := l.intE(x.args[0])
			return func() float64 { return math.Inf(int(f())) }
		case "rand.Float64":
			return rand.Float64
		case "rand.NormFloat64":
			return rand.NormFloat64
		case "rand.ExpFloat64":
			return rand.ExpFloat64
		}
		if f1, ok := flMath1[x.fn]; ok {
			a := l.floatE(x.args[0])
			return func() float64 { return f1(a()) }
		}
		if f2, ok := flMath2[x.fn]; ok {
			a, b := l.floatE(x.args[0]), l.floatE(x.args[1])
			return func() float64 { return f2(a(), b()) }
		}
	}
	panic("fastloop: bad float expression")
}

var flMath1 = map[string]func(float64) float64{
	"math.Sqrt": math.Sqrt, "math.Abs": math.Abs, "math.Exp": math.Exp, "math.Exp2": math.Exp2,
	"math.Expm1": math.Expm1, "math.Log": math.Log, "math.Log2": math.Log2, "math.Log10": math.Log10,
	"math.Log1p": math.Log1p, "math.Sin": math.Sin, "math.Cos": math.Cos, "math.Tan": math.Tan,
	"math.Asin": math.Asin, "math.Acos": math.Acos, "math.Atan": math.Atan, "math.Sinh": math.Sinh,
	"math.Cosh": math.Cosh, "math.Tanh": math.Tanh, "math.Asinh": math.Asinh, "math.Acosh": math.Acosh,
	"math.Atanh": math.Atanh, "math.Floor": math.Floor, "math.Ceil": math.Ceil, "math.Trunc": math.Trunc,
	"math.Round": math.Round, "math.RoundToEven": math.RoundToEven, "math.Cbrt": math.Cbrt, "math.Erf": math.Erf,
	"math.Erfc": math.Erfc, "math.Gamma": math.Gamma,
}

var flMath2 = map[string]func(float64, float64) float64{
	"math.Pow": math.Pow, "math.Max": math.Max, "math.Min": math.Min, "math.Atan2": math.Atan2,
	"math.Mod": math.Mod, "math.Hypot": math.Hypot, "math.Dim": math.Dim, "math.Copysign": math.Copysign,
	"math.Remainder": math.Remainder,
}

func (l *flLinker) boolE(x *flExpr) func() bool {
	switch x.op {
	case oConst:
		c := x.b
		return func() bool { return c }
	case oVar:
		p := l.bp(x.v)
		return func() bool { return *p }
	case oUnary:
		f := l.boolE(x.x)
		return func() bool { return !f() }
	case oBinary:
		switch x.tok {
		case token.LAND:
			a, b := l.boolE(x.x), l.boolE(x.y)
			return func() bool { return a() && b() }
		case token.LOR:
			a, b := l.boolE(x.x), l.boolE(x.y)
			return func() bool { return a() || b() }
		}
		switch x.x.kind {
		case flInt, flU8:
			return compare(x, l.ip, l.intE, func(x *flExpr) int64 { return x.i })
		case flFloat:
			return compare(x, l.fp, l.floatE, func(x *flExpr) float64 { return x.f })
		case flBool:
			a, b := l.boolE(x.x), l.boolE(x.y)
			if x.tok == token.EQL {
				return func() bool { return a() == b() }
			}
			return func() bool { return a() != b() }
		}
	case oCall:
		a := l.floatE(x.args[0])
		switch x.fn {
		case "math.IsNaN":
			return func() bool { return math.IsNaN(a()) }
		case "math.Signbit":
			return func() bool { return math.Signbit(a()) }
		case "math.IsInf":
			b := l.intE(x.args[1])
			return func() bool { return math.IsInf(a(), int(b())) }
		}
	}
	panic("fastloop: bad bool expression")
}

// compare links a comparison of two numbers, specialised for variables
// and constants.
func compare[T flNum](x *flExpr, ptr func(*flVar) *T, expr func(*flExpr) func() T, cst func(*flExpr) T) func() bool {
	op := x.tok
	switch {
	case x.x.op == oVar && x.y.op == oConst:
		a, c := ptr(x.x.v), cst(x.y)
		switch op {
		case token.LSS:
			return func() bool { return *a < c }
		case token.LEQ:
			return func() bool { return *a <= c }
		case token.GTR:
			return func() bool { return *a > c }
		case token.GEQ:
			return func() bool { return *a >= c }
		case token.EQL:
			return func() bool { return *a == c }
		case token.NEQ:
			return func() bool { return *a != c }
		}
	case x.x.op == oVar && x.y.op == oVar:
		a, b := ptr(x.x.v), ptr(x.y.v)
		switch op {
		case token.LSS:
			return func() bool { return *a < *b }
		case token.LEQ:
			return func() bool { return *a <= *b }
		case token.GTR:
			return func() bool { return *a > *b }
		case token.GEQ:
			return func() bool { return *a >= *b }
		case token.EQL:
			return func() bool { return *a == *b }
		case token.NEQ:
			return func() bool { return *a != *b }
		}
	}
	if x.y.op == oConst {
		a, c := expr(x.x), cst(x.y)
		switch op {
		case token.LSS:
			return func() bool { return a() < c }
		case token.LEQ:
			return func() bool { return a() <= c }
		case token.GTR:
			return func() bool { return a() > c }
		case token.GEQ:
			return func() bool { return a() >= c }
		case token.EQL:
			return func() bool { return a() == c }
		case token.NEQ:
			return func() bool { return a() != c }
		}
	}
	a, b := expr(x.x), expr(x.y)
	switch op {
	case token.LSS:
		return func() bool { return a() < b() }
	case token.LEQ:
		return func() bool { return a() <= b() }
	case token.GTR:
		return func() bool { return a() > b() }
	case token.GEQ:
		return func() bool { return a() >= b() }
	case token.EQL:
		return func() bool { return a() == b() }
	case token.NEQ:
		return func() bool { return a() != b() }
	}
	panic("fastloop: bad comparison")
}

// arith links + - * / of two numbers, specialised for variables and
// constants.
func arith[T flNum](x *flExpr, ptr func(*flVar) *T, expr func(*flExpr) func() T, cst func(*flExpr) T) func() T {
	op := x.tok
	switch {
	case x.x.op == oVar && x.y.op == oVar:
		a, b := ptr(x.x.v), ptr(x.y.v)
		switch op {
		case token.ADD:
			return func() T { return *a + *b }
		case token.SUB:
			return func() T { return *a - *b }
		case token.MUL:
			return func() T { return *a * *b }
		case token.QUO:
			return func() T { return *a / *b }
		}
	case x.x.op == oVar && x.y.op == oConst:
		a, c := ptr(x.x.v), cst(x.y)
		switch op {
		case token.ADD:
			return func() T { return *a + c }
		case token.SUB:
			return func() T { return *a - c }
		case token.MUL:
			return func() T { return *a * c }
		case token.QUO:
			return func() T { return *a / c }
		}
	case x.y.op == oConst:
		a, c := expr(x.x), cst(x.y)
		switch op {
		case token.ADD:
			return func() T { return a() + c }
		case token.SUB:
			return func() T { return a() - c }
		case token.MUL:
			return func() T { return a() * c }
		case token.QUO:
			return func() T { return a() / c }
		}
	case x.y.op == oVar:
		a, b := expr(x.x), ptr(x.y.v)
		switch op {
		case token.ADD:
			return func() T { return a() + *b }
		case token.SUB:
			return func() T { return a() - *b }
		case token.MUL:
			return func() T { return a() * *b }
		case token.QUO:
			return func() T { return a() / *b }
		}
	}
	a, b := expr(x.x), expr(x.y)
	switch op {
	case token.ADD:
		return func() T { return a() + b() }
	case token.SUB:
		return func() T { return a() - b() }
	case token.MUL:
		return func() T { return a() * b() }
	case token.QUO:
		return func() T { return a() / b() }
	}
	panic("fastloop: bad arithmetic")
}

func (l *flLinker) intBinary(x *flExpr) func() int64 {
	switch x.tok {
	case token.ADD, token.SUB, token.MUL, token.QUO:
		return arith(x, l.ip, l.intE, func(x *flExpr) int64 { return x.i })
	}
	switch {
	case x.x.op == oVar && x.y.op == oConst:
		if f := intOpVC(x.tok, l.ip(x.x.v), x.y.i); f != nil {
			return f
		}
	case x.x.op == oVar && x.y.op == oVar:
		if f := intOpVV(x.tok, l.ip(x.x.v), l.ip(x.y.v)); f != nil {
			return f
		}
	case x.y.op == oConst:
		if f := intOpEC(x.tok, l.intE(x.x), x.y.i); f != nil {
			return f
		}
	}
	a, b := l.intE(x.x), l.intE(x.y)
	switch x.tok {
	case token.REM:
		return func() int64 { return a() % b() }
	case token.AND:
		return func() int64 { return a() & b() }
	case token.OR:
		return func() int64 { return a() | b() }
	case token.XOR:
		return func() int64 { return a() ^ b() }
	case token.AND_NOT:
		return func() int64 { return a() &^ b() }
	case token.SHL:
		return func() int64 { return a() << b() }
	case token.SHR:
		return func() int64 { return a() >> b() }
	}
	panic("fastloop: bad int operator")
}

func (l *flLinker) floatBinary(x *flExpr) func() float64 {
	// xs[i] op ys[j] and xs[i] op v, in one closure: the dot product
	// shape.
	if s1, i1, ok := l.simpleIndex(x.x); ok {
		if s2, i2, ok := l.simpleIndex(x.y); ok {
			switch x.tok {
			case token.ADD:
				return func() float64 { return (*s1)[*i1] + (*s2)[*i2] }
			case token.SUB:
				return func() float64 { return (*s1)[*i1] - (*s2)[*i2] }
			case token.MUL:
				return func() float64 { return (*s1)[*i1] * (*s2)[*i2] }
			}
		}
		if x.y.op == oVar {
			q := l.fp(x.y.v)
			switch x.tok {
			case token.ADD:
				return func() float64 { return (*s1)[*i1] + *q }
			case token.SUB:
				return func() float64 { return (*s1)[*i1] - *q }
			case token.MUL:
				return func() float64 { return (*s1)[*i1] * *q }
			}
		}
	}
	return arith(x, l.fp, l.floatE, func(x *flExpr) float64 { return x.f })
}

// simpleIndex returns the slot and index variable of xs[i] (a []float64
// variable indexed by an int variable).
func (l *flLinker) simpleIndex(x *flExpr) (*[]float64, *int64, bool) {
	if x.op != oIndex || x.kind != flFloat || x.x.op != oVar || x.y.op != oVar {
		return nil, nil, false
	}
	return &l.in.fsl[x.x.v.slot], l.ip(x.y.v), true
}

// list links a statement list.
func (l *flLinker) list(sts []*flStmt) stmtFn {
	fs := make([]stmtFn, 0, len(sts))
	for _, st := range sts {
		fs = append(fs, l.stmt(st))
	}
	switch len(fs) {
	case 0:
		return func() int { return 0 }
	case 1:
		return fs[0]
	case 2:
		a, b := fs[0], fs[1]
		return func() int {
			if c := a(); c != 0 {
				return c
			}
			return b()
		}
	case 3:
		a, b, c := fs[0], fs[1], fs[2]
		return func() int {
			if r := a(); r != 0 {
				return r
			}
			if r := b(); r != 0 {
				return r
			}
			return c()
		}
	}
	return func() int {
		for _, f := range fs {
			if c := f(); c != 0 {
				return c
			}
		}
		return 0
	}
}

// stmt links a statement, setting the instance's marker first when it
// can panic.
func (l *flLinker) stmt(st *flStmt) stmtFn {
	f := l.stmt1(st)
	if st.mark == 0 || st.op == sFor || st.op == sIf || (st.op == sAssign && len(st.lhs) == 1) {
		return f // they set it themselves
	}
	cur, m := &l.in.cur, st.mark
	return func() int {
		*cur = m
		return f()
	}
}

func (l *flLinker) stmt1(st *flStmt) stmtFn {
	switch st.op {
	case sBlock:
		return l.list(st.body)
	case sBreak:
		c := flBreak(st.loop)
		return func() int { return c }
	case sContinue:
		c := flContinue(st.loop)
		return func() int { return c }
	case sSwitch:
		body, brk := l.list(st.body), flBreak(st.loop)
		return func() int {
			if r := body(); r != brk {
				return r
			}
			return 0
		}
	case sReturn:
		if len(st.lhs) == 0 {
			return func() int { return flReturn }
		}
		var set stmtFn
		if len(st.lhs) == 1 {
			set = l.assign1(token.ASSIGN, st.lhs[0], st.rhs[0], 0)
		} else {
			set = l.assignN(st)
		}
		return func() int { set(); return flReturn }
	case sIncDec:
		t := st.lhs[0]
		d := int64(1)
		if st.tok == token.DEC {
			d = -1
		}
		switch {
		case t.op == oVar && t.kind == flInt:
			p := l.ip(t.v)
			if d == 1 {
				return func() int { *p++; return 0 }
			}
			return func() int { *p--; return 0 }
		case t.op == oVar:
			p, fd := l.fp(t.v), float64(d)
			return func() int { *p += fd; return 0 }
		case t.kind == flInt:
			sf, ix := l.islice(t.x), l.intE(t.y)
			return func() int { s, i := sf(), ix(); s[i] += d; return 0 }
		default:
			sf, ix, fd := l.fslice(t.x), l.intE(t.y), float64(d)
			return func() int { s, i := sf(), ix(); s[i] += fd; return 0 }
		}
	case sAssign:
		if len(st.lhs) == 1 {
			return l.assign1(st.tok, st.lhs[0], st.rhs[0], st.mark)
		}
		return l.assignN(st)
	case sIf:
		var init stmtFn
		if st.init != nil {
			init = l.stmt(st.init)
		}
		cond, body := l.boolE(st.cond), l.list(st.body)
		if st.mark != 0 {
			c, cur, m := cond, &l.in.cur, st.mark
			cond = func() bool { *cur = m; return c() }
		}
		var els stmtFn
		if st.els != nil {
			els = l.stmt(st.els)
		}
		switch {
		case init == nil && els == nil:
			return func() int {
				if cond() {
					return body()
				}
				return 0
			}
		case init == nil:
			return func() int {
				if cond() {
					return body()
				}
				return els()
			}
		}
		return func() int {
			init()
			if cond() {
				return body()
			}
			if els != nil {
				return els()
			}
			return 0
		}
	case sFor:
		return l.forLoop(st)
	case sRangeInt:
		return l.rangeInt(st)
	case sRangeSlice:
		return l.rangeSlice(st)
	}
	panic("fastloop: bad statement")
}

// assign1 links `t tok x` for one target; m is the statement's marker
// value when it can panic. Stores to int, float and bool variables set
// the marker in their own closure; the others are wrapped.
func (l *flLinker) assign1(tok token.Token, t, x *flExpr, m int) stmtFn {
	cur := &l.in.cur
	fused := t != nil && t.op == oVar && (t.kind == flInt || t.kind == flFloat || t.kind == flBool)
	if m != 0 && !fused {
		f := l.assign1(tok, t, x, 0)
		return func() int { *cur = m; return f() }
	}
	if t == nil {
		// _ = x: evaluated for its panics.
		f := l.eval(x)
		return func() int { f(); return 0 }
	}
	if t.op == oIndex {
		ix := l.intE(t.y)
		if t.kind == flU8 {
			s, f := &l.in.bsl[t.x.v.slot], l.intE(x)
			return func() int { i := ix(); (*s)[i] = uint8(f()); return 0 }
		}
		if t.kind == flInt {
			sf, f := l.islice(t.x), l.intE(x)
			op := intOp(tok)
			if op == nil {
				return func() int { s, i := sf(), ix(); s[i] = f(); return 0 }
			}
			return func() int { s, i := sf(), ix(); p := &s[i]; *p = op(*p, f()); return 0 }
		}
		f := l.floatE(x)
		if t.x.op == oVar {
			s := &l.in.fsl[t.x.v.slot]
			switch tok {
			case token.ASSIGN, token.DEFINE:
				return func() int { i := ix(); (*s)[i] = f(); return 0 }
			case token.ADD_ASSIGN:
				return func() int { i := ix(); (*s)[i] += f(); return 0 }
			}
		}
		sf := l.fslice(t.x)
		switch tok {
		case token.ASSIGN, token.DEFINE:
			return func() int { s, i := sf(), ix(); s[i] = f(); return 0 }
		case token.ADD_ASSIGN:
			return func() int { s, i := sf(), ix(); s[i] += f(); return 0 }
		}
		op := floatOp(tok)
		return func() int { s, i := sf(), ix(); p := &s[i]; *p = op(*p, f()); return 0 }
	}
	switch t.kind {
	case flU8:
		p, f := l.ip(t.v), l.intE(x)
		return func() int { *p = f(); return 0 }
	case flFSlice:
		p, f := &l.in.fsl[t.v.slot], l.fslice(x)
		return func() int { *p = f(); return 0 }
	case flISlice:
		p, f := &l.in.isl[t.v.slot], l.islice(x)
		return func() int { *p = f(); return 0 }
	}
	switch t.kind {
	case flInt:
		return assignVar(tok, l.ip(t.v), x, l.ip, l.intE, func(x *flExpr) int64 { return x.i }, intOp(tok), cur, m)
	case flFloat:
		return assignVar(tok, l.fp(t.v), x, l.fp, l.floatE, func(x *flExpr) float64 { return x.f }, floatOp(tok), cur, m)
	}
	p, f := l.bp(t.v), l.boolE(x)
	if m != 0 {
		return func() int { *cur = m; *p = f(); return 0 }
	}
	return func() int { *p = f(); return 0 }
}

// assignVar links `*p tok x`, specialised for += of a variable or
// constant; with m != 0 (x can panic) it sets *cur = m first.
func assignVar[T flNum](tok token.Token, p *T, x *flExpr, ptr func(*flVar) *T, expr func(*flExpr) func() T, cst func(*flExpr) T, op func(a, b T) T, cur *int, m int) stmtFn {
	if m != 0 {
		f := expr(x)
		switch tok {
		case token.ASSIGN, token.DEFINE:
			return func() int { *cur = m; *p = f(); return 0 }
		case token.ADD_ASSIGN:
			return func() int { *cur = m; *p += f(); return 0 }
		case token.SUB_ASSIGN:
			return func() int { *cur = m; *p -= f(); return 0 }
		case token.MUL_ASSIGN:
			return func() int { *cur = m; *p *= f(); return 0 }
		}
		return func() int { *cur = m; *p = op(*p, f()); return 0 }
	}
	switch tok {
	case token.ASSIGN, token.DEFINE:
		switch x.op {
		case oConst:
			c := cst(x)
			return func() int { *p = c; return 0 }
		case oVar:
			q := ptr(x.v)
			return func() int { *p = *q; return 0 }
		}
		f := expr(x)
		return func() int { *p = f(); return 0 }
	case token.ADD_ASSIGN:
		switch x.op {
		case oConst:
			c := cst(x)
			return func() int { *p += c; return 0 }
		case oVar:
			q := ptr(x.v)
			return func() int { *p += *q; return 0 }
		}
		f := expr(x)
		return func() int { *p += f(); return 0 }
	case token.SUB_ASSIGN:
		f := expr(x)
		return func() int { *p -= f(); return 0 }
	case token.MUL_ASSIGN:
		f := expr(x)
		return func() int { *p *= f(); return 0 }
	}
	f := expr(x)
	return func() int { *p = op(*p, f()); return 0 }
}

// intOp is the operation of an int op= assignment (nil for = and :=).
func intOp(tok token.Token) func(a, b int64) int64 {
	switch tok {
	case token.ADD_ASSIGN:
		return func(a, b int64) int64 { return a + b }
	case token.SUB_ASSIGN:
		return func(a, b int64) int64 { return a - b }
	case token.MUL_ASSIGN:
		return func(a, b int64) int64 { return a * b }
	case token.QUO_ASSIGN:
		return func(a, b int64) int64 { return a / b }
	case token.REM_ASSIGN:
		return func(a, b int64) int64 { return a % b }
	case token.AND_ASSIGN:
		return func(a, b int64) int64 { return a & b }
	case token.OR_ASSIGN:
		return func(a, b int64) int64 { return a | b }
	case token.XOR_ASSIGN:
		return func(a, b int64) int64 { return a ^ b }
	case token.AND_NOT_ASSIGN:
		return func(a, b int64) int64 { return a &^ b }
	case token.SHL_ASSIGN:
		return func(a, b int64) int64 { return a << b }
	case token.SHR_ASSIGN:
		return func(a, b int64) int64 { return a >> b }
	}
	return nil
}

func floatOp(tok token.Token) func(a, b float64) float64 {
	switch tok {
	case token.ADD_ASSIGN:
		return func(a, b float64) float64 { return a + b }
	case token.SUB_ASSIGN:
		return func(a, b float64) float64 { return a - b }
	case token.MUL_ASSIGN:
		return func(a, b float64) float64 { return a * b }
	case token.QUO_ASSIGN:
		return func(a, b float64) float64 { return a / b }
	}
	return nil
}

// assignN links a parallel assignment of numbers and bools: every
// right-hand side and index is evaluated before any target is set.
func (l *flLinker) assignN(st *flStmt) stmtFn {
	n := len(st.lhs)
	evals := make([]func(), 0, 3*n)
	stores := make([]func(), 0, n)
	for i, t := range st.lhs {
		x := st.rhs[i]
		// An element target: its slice, then its index, then the value.
		var ix *int64
		var isv *[]int64
		var fsv *[]float64
		if t != nil && t.op == oIndex {
			if t.kind == flInt {
				isv = new([]int64)
				sf := l.islice(t.x)
				evals = append(evals, func() { *isv = sf() })
			} else {
				fsv = new([]float64)
				sf := l.fslice(t.x)
				evals = append(evals, func() { *fsv = sf() })
			}
			ix = new(int64)
			f := l.intE(t.y)
			evals = append(evals, func() { *ix = f() })
		}
		switch x.kind {
		case flInt:
			tmp, f := new(int64), l.intE(x)
			evals = append(evals, func() { *tmp = f() })
			switch {
			case t == nil:
			case t.op == oVar:
				p := l.ip(t.v)
				stores = append(stores, func() { *p = *tmp })
			default:
				stores = append(stores, func() { (*isv)[*ix] = *tmp })
			}
		case flFloat:
			tmp, f := new(float64), l.floatE(x)
			evals = append(evals, func() { *tmp = f() })
			switch {
			case t == nil:
			case t.op == oVar:
				p := l.fp(t.v)
				stores = append(stores, func() { *p = *tmp })
			default:
				stores = append(stores, func() { (*fsv)[*ix] = *tmp })
			}
		default:
			tmp, f := new(bool), l.boolE(x)
			evals = append(evals, func() { *tmp = f() })
			if t != nil {
				p := l.bp(t.v)
				stores = append(stores, func() { *p = *tmp })
			}
		}
	}
	return func() int {
		for _, f := range evals {
			f()
		}
		for _, f := range stores {
			f()
		}
		return 0
	}
}

// forLoop links a three-clause loop, specialised for `i < n; i++`.
func (l *flLinker) forLoop(st *flStmt) stmtFn {
	in := l.in
	var init, post stmtFn
	if st.init != nil {
		init = l.stmt(st.init)
	}
	if st.post != nil {
		post = l.stmt(st.post)
	}
	body := l.list(st.body)
	brk, cont := flBreak(st.loop), flContinue(st.loop)
	if c, p := st.cond, st.post; st.mark == 0 && c != nil && c.op == oBinary && c.tok == token.LSS && c.x.op == oVar && c.x.kind == flInt &&
		p != nil && p.op == sIncDec && p.tok == token.INC && p.lhs[0].op == oVar && p.lhs[0].v == c.x.v && (c.y.op == oConst || c.y.op == oVar) {
		i := l.ip(c.x.v)
		var n *int64
		if c.y.op == oConst {
			n = new(int64)
			*n = c.y.i
		} else {
			n = l.ip(c.y.v)
		}
		return func() int {
			if init != nil {
				init()
			}
			for *i < *n {
				if r := body(); r != 0 {
					if r == brk {
						break
					}
					if r != cont {
						return r
					}
				}
				*i++
				if in.tick--; in.tick <= 0 {
					in.poll()
				}
			}
			return 0
		}
	}
	var cond func() bool
	if st.cond != nil {
		cond = l.boolE(st.cond)
	}
	m := st.mark
	return func() int {
		if init != nil {
			init()
		}
		for {
			if cond != nil {
				if m != 0 {
					in.cur = m
				}
				if !cond() {
					break
				}
			}
			if r := body(); r != 0 {
				if r == brk {
					break
				}
				if r != cont {
					return r
				}
			}
			if post != nil {
				post()
			}
			if in.tick--; in.tick <= 0 {
				in.poll()
			}
		}
		return 0
	}
}

// intTarget links the store of a range key or an int value (nil for
// none).
func (l *flLinker) intTarget(t *flExpr) *int64 {
	if t == nil {
		return nil
	}
	return l.ip(t.v)
}

// rangeInt links `for k = range n`: n is evaluated once, k set from a
// hidden counter each iteration (the body may change k).
func (l *flLinker) rangeInt(st *flStmt) stmtFn {
	in := l.in
	n, k := l.intE(st.x), l.intTarget(st.key)
	body := l.list(st.body)
	brk, cont := flBreak(st.loop), flContinue(st.loop)
	return func() int {
		end := n()
		for c := int64(0); c < end; c++ {
			if k != nil {
				*k = c
			}
			if r := body(); r != 0 {
				if r == brk {
					break
				}
				if r != cont {
					return r
				}
			}
			if in.tick--; in.tick <= 0 {
				in.poll()
			}
		}
		return 0
	}
}

// rangeSlice links `for k, v = range xs`: the slice is read once.
func (l *flLinker) rangeSlice(st *flStmt) stmtFn {
	k := l.intTarget(st.key)
	body := l.list(st.body)
	switch st.x.kind {
	case flFSlice:
		var v *float64
		if st.val != nil {
			v = l.fp(st.val.v)
		}
		return rangeOver(l.in, st.loop, l.fslice(st.x), k, v, body)
	case flISlice:
		var v *int64
		if st.val != nil {
			v = l.ip(st.val.v)
		}
		return rangeOver(l.in, st.loop, l.islice(st.x), k, v, body)
	case flBSlice:
		// The value goes to an int slot.
		var v *int64
		if st.val != nil {
			v = l.ip(st.val.v)
		}
		p := &l.in.bsl[st.x.v.slot]
		brk, cont, in := flBreak(st.loop), flContinue(st.loop), l.in
		return func() int {
			s := *p
			for i := range s {
				if k != nil {
					*k = int64(i)
				}
				if v != nil {
					*v = int64(s[i])
				}
				if r := body(); r != 0 {
					if r == brk {
						break
					}
					if r != cont {
						return r
					}
				}
				if in.tick--; in.tick <= 0 {
					in.poll()
				}
			}
			return 0
		}
	case flFSlice2:
		var v *[]float64
		if st.val != nil {
			v = &l.in.fsl[st.val.v.slot]
		}
		return rangeOver(l.in, st.loop, sliceE(l, st.x, l.in.fsl2, nil), k, v, body)
	default:
		var v *[]int64
		if st.val != nil {
			v = &l.in.isl[st.val.v.slot]
		}
		return rangeOver(l.in, st.loop, sliceE(l, st.x, l.in.isl2, nil), k, v, body)
	}
}

// rangeOver runs body for each element of the slice xs returns once.
func rangeOver[E any](in *flInst, loop int, xs func() []E, k *int64, v *E, body stmtFn) stmtFn {
	brk, cont := flBreak(loop), flContinue(loop)
	return func() int {
		s := xs()
		for i := range s {
			if k != nil {
				*k = int64(i)
			}
			if v != nil {
				*v = s[i]
			}
			if r := body(); r != 0 {
				if r == brk {
					break
				}
				if r != cont {
					return r
				}
			}
			if in.tick--; in.tick <= 0 {
				in.poll()
			}
		}
		return 0
	}
}

// intOpVC, intOpVV and intOpEC link the int-only operators for a
// variable and a constant, two variables, an expression and a constant
// (nil for other operators). A constant shift count is not negative
// (go/types checks it), a constant divisor not zero.
func intOpVC(op token.Token, p *int64, c int64) func() int64 {
	switch op {
	case token.REM:
		return func() int64 { return *p % c }
	case token.AND:
		return func() int64 { return *p & c }
	case token.OR:
		return func() int64 { return *p | c }
	case token.XOR:
		return func() int64 { return *p ^ c }
	case token.AND_NOT:
		return func() int64 { return *p &^ c }
	case token.SHL:
		return func() int64 { return *p << c }
	case token.SHR:
		return func() int64 { return *p >> c }
	}
	return nil
}

func intOpVV(op token.Token, p, q *int64) func() int64 {
	switch op {
	case token.AND:
		return func() int64 { return *p & *q }
	case token.OR:
		return func() int64 { return *p | *q }
	case token.XOR:
		return func() int64 { return *p ^ *q }
	}
	return nil
}

func intOpEC(op token.Token, a func() int64, c int64) func() int64 {
	switch op {
	case token.REM:
		return func() int64 { return a() % c }
	case token.AND:
		return func() int64 { return a() & c }
	case token.OR:
		return func() int64 { return a() | c }
	case token.XOR:
		return func() int64 { return a() ^ c }
	case token.SHL:
		return func() int64 { return a() << c }
	case token.SHR:
		return func() int64 { return a() >> c }
	}
	return nil
}
