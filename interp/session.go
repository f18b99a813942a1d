package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/godl-kernel/godl/display"
	"github.com/godl-kernel/godl/internal/completion"
	"github.com/godl-kernel/godl/interp/symbols"
	"github.com/godl-kernel/godl/kernel"
)

// SessionOptions configure a Session.
type SessionOptions struct {
	// Stdout and Stderr receive the output of interpreted code. When nil,
	// output is streamed through the kernel.Output given to Execute. The
	// worker process passes os.Stdout and os.Stderr (pipes read by the
	// supervisor).
	Stdout, Stderr io.Writer
}

// Session is an in-process Go evaluator: a yaegi interpreter plus the
// state godl keeps about the cells that ran (imports, declarations,
// variables), so that cells can mix imports, declarations and statements,
// redefine anything, and be interrupted without losing state.
// It implements kernel.Evaluator.
type Session struct {
	opts   SessionOptions
	stdout *streamWriter
	stderr *streamWriter
	stdin  *stdinReader
	// outSums: which funcs of the cells that ran write only through the
	// session's streams (outbuf_check.go; execMu).
	outSums *outSummaries

	execMu  sync.Mutex // one Execute or Restart at a time
	yi      *yaegi.Interpreter
	lowerer *cellLowerer // go/types checking and rewriting (lower.go)
	// cellTypes are the go/types facts of the cell being compiled
	// (execMu), nil when unknown.
	cellTypes *cellTypes
	closed    bool
	// declaring tells that the running cell may have declared or
	// imported something: not only cells shown without lowering
	// (constCell, globalCell in fastpath.go) ran (execMu).
	declaring bool
	// noFastPath sends constant cells through the interpreter too
	// (tests compare both paths).
	noFastPath bool
	fastCells  int // cells shown without the interpreter
	// loops are the numeric loops compiled to closures (fastloop.go);
	// noFastLoop leaves every loop to yaegi (tests compare both).
	// loopGen counts interrupts, which compiled loops poll.
	loops      *loopRegistry
	noFastLoop bool
	loopGen    atomic.Int64

	// What the cells declared so far (guarded by execMu).
	imports map[string]importSpec // by name used in code
	// fileImports records which imports were registered under which cell's
	// file name in fileImportsYI (see importForCells).
	fileImports   map[string]bool
	fileImportsYI *yaegi.Interpreter
	decls         map[string]*declRecord
	declOrder     []*declRecord
	vars          map[string]*varRecord
	varOrder      []*varRecord
	declRefs      map[string]bool // the names the funcs of declOrder use; nil: not computed (funcRefs)

	// posVars are the position marker variables posVarsYI has (panicpos.go).
	posVars   map[string]bool
	posVarsYI *yaegi.Interpreter

	// The running cell (guarded by outMu).
	outMu      sync.Mutex
	out        kernel.Output
	running    bool
	runCtx     context.Context
	allowStdin bool
	frames     []panicFrame
	shown      []any
	shownText  []string
	typed      map[int]typedValue // final values reported by __godl.Typed
	cellDone   chan struct{}
	doneSeq    int64 // the run whose cellDone it is
	runSeq     int64 // counts cell function runs (execMu)
	at         int   // offset of the top-level statement running, or -1
	// unwindUntil: yaegi's goroutine of an interrupted cell may still be
	// unwinding, printing its frame lines, after the cell has ended;
	// until then those lines are dropped (capturePanicFrame).
	unwindUntil time.Time

	cancelMu sync.Mutex
	cancel   context.CancelFunc

	histMu sync.Mutex
	prior  []string // sources of the cells that ran successfully

	// In-process, the session is the process's display publisher.
	ownPub  bool
	prevPub display.Publisher
}

// sessionPublisher sends displays (display.Show, handles, charts) to the
// running cell's Output, in-process.
type sessionPublisher struct{ s *Session }

func (p sessionPublisher) Publish(b display.Bundle, id string, update bool) {
	if out := p.s.currentOutput(); out != nil {
		md := b.Metadata
		if md == nil {
			md = map[string]any{}
		}
		out.Display(kernel.Display{Bundle: kernel.Bundle{Data: b.Data, Metadata: md}, ID: id, Update: update})
	}
}

func (p sessionPublisher) Clear(wait bool) {
	if out := p.s.currentOutput(); out != nil {
		out.ClearOutput(wait)
	}
}

var _ kernel.Evaluator = (*Session)(nil)

// NewSession returns a session with a fresh interpreter.
func NewSession(opts SessionOptions) (*Session, error) {
	// Completion docs take ~25 ms to load: do it now, not on the first
	// completion request.
	go symbols.LoadDocs()
	s := &Session{opts: opts, loops: newLoopRegistry()}
	// GODL_NOFASTLOOP=1 leaves every loop to yaegi (to compare, e.g. in
	// kernelbench; fastloop.go).
	s.noFastLoop = os.Getenv("GODL_NOFASTLOOP") != ""
	s.stdout = newStreamWriter("stdout", opts.Stdout, s)
	s.stderr = newStreamWriter("stderr", opts.Stderr, s)
	s.stdin = &stdinReader{s: s}
	if err := s.reset(); err != nil {
		return nil, err
	}
	if opts.Stdout == nil {
		// In-process (tests, godl run --in-process): displays go to the
		// cell's Output. The worker installs its own publisher.
		s.prevPub = display.SetPublisher(sessionPublisher{s})
		s.ownPub = true
	}
	return s, nil
}

// reset discards all state for a fresh interpreter (execMu held or not
// yet shared).
func (s *Session) reset() error {
	yi, err := s.newInterp()
	if err != nil {
		return err
	}
	s.yi = yi
	s.lowerer = nil
	s.imports = map[string]importSpec{}
	s.decls = map[string]*declRecord{}
	s.vars = map[string]*varRecord{}
	s.declOrder, s.varOrder = nil, nil
	s.declRefs = nil
	s.histMu.Lock()
	s.prior = nil
	s.histMu.Unlock()
	return nil
}

// Execute runs one cell. See kernel.Evaluator.
func (s *Session) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, error) {
	s.execMu.Lock()
	defer s.execMu.Unlock()
	if s.closed {
		return kernel.ExecuteResult{}, errors.New("godl session: Execute after Close")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.cancelMu.Lock()
	s.cancel = cancel
	s.cancelMu.Unlock()
	defer func() {
		s.cancelMu.Lock()
		s.cancel = nil
		s.cancelMu.Unlock()
	}()

	s.outMu.Lock()
	s.out, s.runCtx, s.allowStdin, s.running = out, ctx, req.AllowStdin, true
	s.frames, s.shown, s.shownText, s.typed = nil, nil, nil, nil
	s.outMu.Unlock()
	s.stdin.reset()
	defer func() {
		s.outMu.Lock()
		s.running = false
		s.outMu.Unlock()
	}()

	n := req.ExecutionCount
	if n <= 0 {
		n = 0
	}
	res := kernel.ExecuteResult{Status: kernel.StatusOK}
	s.declaring = false
	value, err := s.runCell(ctx, req.Code, n)
	if err != nil {
		ee := s.execError(err, n)
		res.Status = kernel.StatusError
		res.Error = ee
	} else {
		res.Value = value
		if s.declaring {
			// Cells shown without lowering (fastpath.go) declare
			// nothing: leaving them out keeps the lowerer from
			// type-checking them again as earlier cells.
			s.histMu.Lock()
			s.prior = append(s.prior, req.Code)
			s.histMu.Unlock()
		}
	}
	if len(req.UserExpressions) > 0 {
		res.UserExpressions = s.userExpressions(ctx, req.UserExpressions, n)
	}
	return res, nil
}

// execErr is a finished ExecError passed through runCell.
type execErr struct{ e *kernel.ExecError }

func (e execErr) Error() string { return e.e.Value }

// runCell runs code (Go and magics) and returns its Out value.
func (s *Session) runCell(ctx context.Context, code string, n int) (*kernel.Bundle, error) {
	units := splitMagics(code)
	var value *kernel.Bundle
	var timeStart time.Time
	timing := false
	for _, u := range units {
		var err error
		value = nil
		switch u.kind {
		case unitGo:
			value, err = s.runGo(ctx, u.text, n)
		case unitTime:
			timing, timeStart = true, time.Now()
		default:
			s.declaring = true
			s.cellSlow()
			err = s.runMagic(ctx, u)
		}
		if err != nil {
			if timing {
				s.reportTime(time.Since(timeStart))
			}
			return nil, err
		}
	}
	if timing {
		s.reportTime(time.Since(timeStart))
	}
	return value, nil
}

func (s *Session) reportTime(d time.Duration) {
	fmt.Fprintf(s.stdout, "Wall time: %v\n", d.Round(time.Microsecond))
}

// runGo runs the Go source of cell n (magic lines blanked).
func (s *Session) runGo(ctx context.Context, src string, n int) (*kernel.Bundle, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	if v, ok := s.constCell(src); ok {
		return v, nil
	}
	s.histMu.Lock()
	prior := append([]string(nil), s.prior...)
	s.histMu.Unlock()
	if v, ok := s.globalCell(src, prior, n); ok {
		return v, nil
	}
	s.cellSlow()
	s.declaring = true
	orig := src
	src, err := s.lowerSource(prior, src, n)
	if err != nil {
		return nil, err
	}
	src = s.rewriteDisplayArgs(orig, src, n)
	c, err := parseCell(src, n)
	if err != nil {
		return nil, err
	}
	s.cellTypes = nil
	if s.lowerer != nil {
		c.varTypes = s.lowerer.lastVarTypes()
		if (c.final != nil || len(c.vars) > 0) && s.hasTypes(c) {
			s.cellTypes = s.typesOf(orig, n)
		}
	}
	defer func() { s.cellTypes = nil }()
	// Imports: explicit ones and the packages the cell names without
	// importing them.
	var newImports []importSpec
	for _, im := range c.imports {
		name := im.Name
		if name == "" {
			name = defaultPkgName(im.Path)
		}
		if old, ok := s.imports[name]; ok && old.Path == im.Path {
			continue
		}
		if name == "_" || name == "." {
			continue
		}
		newImports = append(newImports, importSpec{Name: im.Name, Path: im.Path, off: im.off})
	}
	for ref := range c.pkgRefs {
		if _, ok := s.imports[ref]; ok || s.decls[ref] != nil || s.vars[ref] != nil || importsName(newImports, ref) {
			continue
		}
		if p, ok := autoImportPath(ref); ok {
			im := importSpec{Path: p, off: -1}
			if defaultPkgName(p) != ref {
				im.Name = ref
			}
			newImports = append(newImports, im)
		}
	}
	for _, im := range newImports {
		if err := evalImports(s.yi, []importSpec{im}); err != nil {
			where := fmt.Sprintf("cell%d", n)
			if im.off >= 0 {
				where = c.pos(im.off)
			}
			return nil, &evalError{"ImportError", fmt.Sprintf("%s: cannot import %q: %v", where, im.Path, trimPos(err))}
		}
		name := im.Name
		if name == "" {
			name = defaultPkgName(im.Path)
		}
		s.imports[name] = importSpec{Name: im.Name, Path: im.Path}
	}

	if v, ok := s.checkedValue(orig, n, c); ok {
		return v, nil
	}
	if s.constAssign(orig, n, c) {
		return nil, nil
	}

	// Compile everything, then run.
	rebuild, what := s.needsRebuild(c)
	var cc *compiled
	var oldGlobals map[string]reflect.Value // read before a compile that may fail
	if !rebuild {
		if anyRedeclared(s, c) {
			// A failed compile can leave yaegi unable to list its
			// globals, which a rebuild then carries over.
			oldGlobals, _ = globalsOf(s.yi)
		}
		cc, err = s.compileCell(s.yi, c, nil)
		if err != nil && anyRedeclared(s, c) {
			// Maybe a variable changes type: try on a rebuilt state,
			// keeping the session's untouched if that fails too.
			rebuild, what = true, "a variable's type"
		} else if err != nil {
			return nil, err
		}
	}
	if rebuild {
		yi, replay, rerr := s.rebuild(c)
		if rerr != nil {
			return nil, &evalError{"CompileError", rerr.Error()}
		}
		cc2, err2 := s.compileCell(yi, c, replay)
		if err2 != nil {
			if err != nil {
				return nil, err // the error of the plain compile reads better
			}
			return nil, err2
		}
		cc, err = cc2, nil
	}
	if err := cc.prepare(); err != nil {
		return nil, err
	}
	if cc.fresh {
		skip := map[string]bool{}
		for _, v := range c.vars {
			for _, n := range v.names {
				skip[n] = true
			}
		}
		og := oldGlobals
		if og == nil {
			og, _ = globalsOf(s.yi)
		}
		kept, lost := s.carry(og, cc.yi, skip)
		s.noteRebuild(what, c, kept, lost)
		s.yi = cc.yi
	}
	s.record(c)

	done := make(chan struct{})
	s.outMu.Lock()
	s.cellDone, s.doneSeq, s.at = done, cc.seq, -1
	s.outMu.Unlock()
	err = s.executeOut(ctx, cc, orig, n) // output buffered if it can be (outbuf.go)
	if err != nil {
		if ctx.Err() != nil {
			return nil, s.interruptError(done)
		}
		var p yaegi.Panic
		if errors.As(err, &p) {
			return nil, execErr{s.panicError(p, c)}
		}
		return nil, err
	}
	return s.finalValue(c, cc), nil
}

func importsName(l []importSpec, name string) bool {
	for _, im := range l {
		if im.Name == name || (im.Name == "" && defaultPkgName(im.Path) == name) {
			return true
		}
	}
	return false
}

// anyRedeclared tells whether cell c declares a variable that exists.
func anyRedeclared(s *Session, c *parsedCell) bool {
	for _, v := range c.vars {
		if anyExisting(s, v.names) {
			return true
		}
	}
	return false
}

// record remembers c's declarations as the latest.
func (s *Session) record(c *parsedCell) {
	if len(c.decls) == 0 && len(c.vars) == 0 {
		return
	}
	s.declRefs = nil
	for _, dp := range c.decls {
		if s.sameDecl(dp) {
			continue
		}
		r := &declRecord{d: dp, cell: c}
		for _, n := range dp.names {
			s.decls[n] = r
			delete(s.vars, n)
		}
		s.declOrder = append(s.declOrder, r)
	}
	for _, v := range c.vars {
		r := &varRecord{v: v, cell: c, typ: c.varTypes}
		for _, n := range v.names {
			if n == "_" {
				continue
			}
			s.vars[n] = r
			delete(s.decls, n)
		}
		s.varOrder = append(s.varOrder, r)
	}
	s.compact()
}

// compact drops records that no name refers to any more.
func (s *Session) compact() {
	dl := s.declOrder[:0]
	for _, r := range s.declOrder {
		for _, n := range r.d.names {
			if s.decls[n] == r {
				dl = append(dl, r)
				break
			}
		}
	}
	s.declOrder = dl
	vl := s.varOrder[:0]
	for _, r := range s.varOrder {
		for _, n := range r.v.names {
			if s.vars[n] == r {
				vl = append(vl, r)
				break
			}
		}
	}
	s.varOrder = vl
}

// noteRebuild tells the user on stderr what a rebuild of the interpreter
// kept and lost.
func (s *Session) noteRebuild(what string, c *parsedCell, kept, lost []string) {
	var b strings.Builder
	fmt.Fprintf(&b, "godl: %s changed: the interpreter was rebuilt from the declarations of earlier cells", what)
	if len(kept) > 0 {
		fmt.Fprintf(&b, "; variables kept: %s", strings.Join(kept, ", "))
	}
	if len(lost) > 0 {
		fmt.Fprintf(&b, "; variables lost (reset to their zero value): %s", strings.Join(lost, ", "))
	}
	b.WriteString("; goroutines started by earlier cells keep running the old code.\n")
	if len(lost) > 0 || len(kept) > 0 {
		io.WriteString(s.stderr, b.String())
	}
}

// interruptError waits briefly for the interrupted cell function to
// unwind and says whether compiled code is still running.
func (s *Session) interruptError(done chan struct{}) error {
	e := &kernel.ExecError{Name: "Interrupted", Value: "interrupted by the user"}
	s.outMu.Lock()
	s.unwindUntil = time.Now().Add(unwindGrace)
	s.outMu.Unlock()
	select {
	case <-done:
	case <-time.After(200 * time.Millisecond):
		e.Value += " (a compiled call, such as time.Sleep, a blocking read or a long library function, is still running in the background: it cannot be stopped; the interpreted code around it stops when it returns. Variables are kept.)"
	}
	e.Traceback = []string{"Interrupted: " + e.Value}
	return execErr{e}
}

// hostShow receives a cell's final values (called from the interpreter).
func (s *Session) hostShow(vs []any, ts []string) {
	s.outMu.Lock()
	s.shown, s.shownText = vs, ts
	s.outMu.Unlock()
}

// hasTypes tells whether the session or cell c declares a type: only
// then can a value need the typed show code (see cellTypes).
func (s *Session) hasTypes(c *parsedCell) bool {
	for _, d := range c.decls {
		if d.kind == "type" {
			return true
		}
	}
	for _, r := range s.declOrder {
		if r.d.kind == "type" {
			return true
		}
	}
	return false
}

// typedValue is a final value of a cell type, as the cell function
// reported it: its text and the forms of its renderer methods.
type typedValue struct {
	text string
	kv   []any // MIME type, data, ...; "bundle", display.Bundle for Render
}

// hostTyped receives final value k of a cell type (called from the
// interpreter, see showCode).
func (s *Session) hostTyped(k int, text string, kv []any) {
	s.outMu.Lock()
	if s.typed == nil {
		s.typed = map[int]typedValue{}
	}
	s.typed[k] = typedValue{text, kv}
	s.outMu.Unlock()
}

// hostParts returns the bundle of an argument of display.Show, Render
// or a Handle's Show or Update whose type (typ) is declared in a cell:
// f gives its text and renderer forms, computed in the interpreter (see
// rewriteDisplayArgs). A panicking method gives a text saying so, as
// display.Render does.
func hostParts(typ string, f func() (string, []any)) (v any) {
	defer func() {
		if r := recover(); r != nil {
			v = display.Text(fmt.Sprintf("display: rendering %s panicked: %v", typ, r))
		}
	}()
	text, kv := f()
	return typedValue{text, kv}.bundle()
}

// bundle returns the MIME bundle of a typed value.
func (tv typedValue) bundle() display.Bundle {
	var b display.Bundle
	var p display.Parts
	p.Text = tv.text
	for i := 0; i+1 < len(tv.kv); i += 2 {
		mime, _ := tv.kv[i].(string)
		switch d := tv.kv[i+1].(type) {
		case display.Bundle:
			if mime == "bundle" {
				b = d
			}
		case string:
			switch mime {
			case "text/html":
				p.HTML = d
			case "text/markdown":
				p.Markdown = d
			case "text/latex":
				p.Latex = d
			case "image/svg+xml":
				p.SVG = d
			}
		case []byte:
			switch mime {
			case "image/png":
				p.PNG = d
			case "image/jpeg":
				p.JPEG = d
			}
		default:
			if mime == "application/json" && d != nil {
				p.JSON = d
			}
		}
	}
	pb := renderValue(p)
	if b.Data == nil {
		return pb
	}
	// A Render method's bundle wins; its text/plain too, if it has one.
	return b.With(pb)
}

// hostAt records the offset of the top-level statement about to run.
func (s *Session) hostAt(off int) {
	s.outMu.Lock()
	s.at = off
	s.outMu.Unlock()
}

// hostDone marks the cell function of run seq as returned (called from
// the interpreter, deferred). A function stuck in a compiled call when it
// was interrupted returns later, with an older seq.
func (s *Session) hostDone(seq int64) {
	s.outMu.Lock()
	if s.cellDone != nil && s.doneSeq == seq {
		close(s.cellDone)
		s.cellDone = nil
	}
	s.outMu.Unlock()
}

// finalValue builds Out[n] from what __godl_show reported.
func (s *Session) finalValue(c *parsedCell, cc *compiled) *kernel.Bundle {
	if !cc.show {
		return nil
	}
	s.outMu.Lock()
	vs, ts, typed := s.shown, s.shownText, s.typed
	s.shown, s.shownText, s.typed = nil, nil, nil
	s.outMu.Unlock()
	return outBundle(vs, ts, typed, c.finalCall)
}

// outBundle builds an Out value from a cell's final values vs, their
// text as the interpreter formats them (ts), and the values of cell types
// the cell function reported (typed, by index). finalCall tells the final
// expression is a call, which shows nothing when it returns only a nil
// error.
func outBundle(vs []any, ts []string, typed map[int]typedValue, finalCall bool) *kernel.Bundle {
	if len(vs) == 0 {
		return nil
	}
	if finalCall {
		allNil := true
		for i, v := range vs {
			if _, ok := typed[i]; v != nil || ok {
				allNil = false
			}
		}
		if allNil {
			return nil // a call returning only a nil error shows nothing
		}
	}
	texts := make([]string, len(vs))
	for i, v := range vs {
		if tv, ok := typed[i]; ok {
			texts[i] = tv.text
		} else if str, ok := v.(string); ok {
			texts[i] = fmt.Sprintf("%q", str)
		} else {
			texts[i] = ts[i]
		}
	}
	if len(vs) > 1 {
		return &kernel.Bundle{Data: map[string]any{"text/plain": "(" + strings.Join(texts, ", ") + ")"}, Metadata: map[string]any{}}
	}
	if tv, ok := typed[0]; ok {
		b := tv.bundle()
		md := b.Metadata
		if md == nil {
			md = map[string]any{}
		}
		return &kernel.Bundle{Data: b.Data, Metadata: md}
	}
	if inner, ok := unwrapValueInterface(vs[0]); ok {
		// An interpreted value the cell's type switch did not match
		// (yaegi does not match a pointer to a cell type held in an
		// any): its %v, not yaegi's wrapper or a failed String call.
		return &kernel.Bundle{Data: map[string]any{"text/plain": fmt.Sprintf("%v", inner)}, Metadata: map[string]any{}}
	}
	b := renderValue(vs[0])
	if txt, ok := b.Data["text/plain"].(string); !ok || txt == fmt.Sprint(vs[0]) || txt == fmt.Sprintf("%v", vs[0]) {
		// The plain %v form: prefer the interpreted text (String methods).
		b.Data["text/plain"] = texts[0]
	}
	md := b.Metadata
	if md == nil {
		md = map[string]any{}
	}
	return &kernel.Bundle{Data: b.Data, Metadata: md}
}

// unwrapValueInterface returns the value inside yaegi's valueInterface
// (how yaegi hands compiled code an interpreted value held in an any).
func unwrapValueInterface(v any) (any, bool) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return nil, false
	}
	rt := rv.Type()
	if rt.Name() != "valueInterface" || rt.PkgPath() != "github.com/traefik/yaegi/interp" || rt.NumField() != 2 || rt.Field(1).Type != reflect.TypeFor[reflect.Value]() {
		return nil, false
	}
	cp := reflect.New(rt).Elem()
	cp.Set(rv)
	inner := *(*reflect.Value)(unsafe.Pointer(cp.Field(1).UnsafeAddr()))
	if !inner.IsValid() || !inner.CanInterface() {
		return nil, false
	}
	return inner.Interface(), true
}

// renderValue calls display.Render, surviving a renderer's panic.
func renderValue(v any) (b display.Bundle) {
	defer func() {
		if r := recover(); r != nil {
			b = display.Bundle{Data: map[string]any{"text/plain": fmt.Sprintf("%v", v)}}
		}
	}()
	b = display.Render(v)
	if b.Data == nil {
		b.Data = map[string]any{}
	}
	return b
}

// execError turns a cell failure into the error reply.
func (s *Session) execError(err error, n int) *kernel.ExecError {
	var ee execErr
	if errors.As(err, &ee) {
		return ee.e
	}
	var ce *evalError
	if errors.As(err, &ce) {
		lines := strings.Split(ce.msg, "\n")
		return &kernel.ExecError{Name: ce.kind, Value: ce.msg, Traceback: append([]string{ce.kind + ":"}, lines...)}
	}
	msg := err.Error()
	var p yaegi.Panic
	if errors.As(err, &p) {
		return &kernel.ExecError{Name: "panic", Value: msg, Traceback: []string{"panic: " + msg}}
	}
	return &kernel.ExecError{Name: "CompileError", Value: msg, Traceback: strings.Split(msg, "\n")}
}

// panicError describes a runtime panic with the interpreted frames yaegi
// printed while it unwound.
func (s *Session) panicError(p yaegi.Panic, c *parsedCell) *kernel.ExecError {
	name := "panic"
	var msg string
	pv := p.Value
	if rv, ok := pv.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
		pv = rv.Interface()
	}
	switch v := pv.(type) {
	case exitPanic:
		return &kernel.ExecError{Name: "Exit", Value: v.Error() + ": the cell stopped; the kernel and its variables are kept",
			Traceback: []string{v.Error() + ": the cell stopped; the kernel and its variables are kept"}}
	case runtime.Error:
		name, msg = "runtime error", strings.TrimPrefix(v.Error(), "runtime error: ")
	case error:
		name, msg = reflect.TypeOf(v).String(), v.Error()
		if strings.HasPrefix(msg, "reflect: ") {
			// yaegi's bounds and nil checks surface as reflect panics.
			name = "runtime error"
		}
	case string:
		msg = v
		if strings.HasPrefix(msg, "reflect: ") {
			// yaegi's bounds and nil checks surface as reflect panics.
			name, msg = "runtime error", strings.TrimPrefix(msg, "reflect: ")
		}
	default:
		msg = fmt.Sprintf("%v", v)
		name = "panic (" + reflect.TypeOf(v).String() + ")"
	}
	msg = goRuntimeMessage(name, msg)
	s.outMu.Lock()
	frames, at := s.frames, s.at
	s.frames = nil
	s.outMu.Unlock()
	tb := []string{fmt.Sprintf("%s: %s", name, msg), ""}
	if name != "panic" {
		tb[0] = fmt.Sprintf("panic: %s: %s", name, msg)
	}
	tb = append(tb, "Traceback (innermost first):")
	// yaegi knows the function of each frame, and the position of its
	// body; the lowering's position markers give the statement
	// (panicpos.go).
	tb = append(tb, s.posFrames(frames, at, c)...)
	return &kernel.ExecError{Name: name, Value: msg, Traceback: tb}
}

// userExpressions evaluates the execute_request's user_expressions.
func (s *Session) userExpressions(ctx context.Context, exprs map[string]string, n int) map[string]any {
	res := map[string]any{}
	for k, e := range exprs {
		v, err := s.runGo(ctx, e, n)
		switch {
		case err != nil:
			ee := s.execError(err, n)
			res[k] = map[string]any{"status": "error", "ename": ee.Name, "evalue": ee.Value, "traceback": ee.Traceback}
		case v == nil:
			res[k] = map[string]any{"status": "ok", "data": map[string]any{}, "metadata": map[string]any{}}
		default:
			res[k] = map[string]any{"status": "ok", "data": v.Data, "metadata": v.Metadata}
		}
	}
	return res
}

// Interrupt stops the running cell, keeping every variable. Note that
// yaegi's cancellation also stops goroutines started by earlier cells at
// their next interpreted step.
func (s *Session) Interrupt() error {
	s.cancelMu.Lock()
	defer s.cancelMu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.loopGen.Add(1) // after cancel: see hostLoop
	}
	return nil
}

// Restart discards all state: a fresh interpreter.
func (s *Session) Restart(ctx context.Context) error {
	s.Interrupt()
	s.execMu.Lock()
	defer s.execMu.Unlock()
	if s.closed {
		return errors.New("godl session: Restart after Close")
	}
	return s.reset()
}

// Close releases the session: the running cell is interrupted and the
// interpreter dropped.
func (s *Session) Close() error {
	s.Interrupt()
	s.execMu.Lock()
	defer s.execMu.Unlock()
	if !s.closed && s.ownPub {
		display.SetPublisher(s.prevPub)
	}
	s.closed = true
	s.yi = nil
	return nil
}

// priorCells returns the sources of the cells that ran successfully.
func (s *Session) priorCells() []string {
	s.histMu.Lock()
	defer s.histMu.Unlock()
	return append([]string(nil), s.prior...)
}

// Complete returns completions at cursor. See kernel.Evaluator.
func (s *Session) Complete(ctx context.Context, code string, cursor int) (kernel.CompleteResult, error) {
	return helpComplete(s.priorCells(), code, cursor), nil
}

// CompleteCandidates is Complete for a kernel that reuses candidates while
// the user types a selector's member name. See worker.CandidateCompleter.
func (s *Session) CompleteCandidates(ctx context.Context, code string, cursor int) (kernel.CompleteResult, []completion.Item, bool, error) {
	res, cands, ok := helpCompleteCandidates(s.priorCells(), code, cursor)
	return res, cands, ok, nil
}

// Inspect describes the name at cursor. See kernel.Evaluator.
func (s *Session) Inspect(ctx context.Context, code string, cursor, detailLevel int) (kernel.InspectResult, error) {
	return helpInspect(s.priorCells(), code, cursor, detailLevel), nil
}

// IsComplete tells whether code is ready to run. See kernel.Evaluator.
func (s *Session) IsComplete(ctx context.Context, code string) (kernel.IsCompleteResult, error) {
	if isMagicOnly(code) {
		return kernel.IsCompleteResult{Status: "complete"}, nil
	}
	return helpIsComplete(code), nil
}

// defaultPkgName is the name an import path binds without an alias.
func defaultPkgName(p string) string {
	for _, t := range append([]yaegi.Exports{stdlibExports()}, extraSymbols()...) {
		if _, ok := t[p+"/"+lastElem(p)]; ok {
			return lastElem(p)
		}
		for key := range t {
			if len(key) > len(p) && key[:len(p)] == p && key[len(p)] == '/' && !strings.Contains(key[len(p)+1:], "/") {
				return key[len(p)+1:]
			}
		}
	}
	return lastElem(p)
}

func lastElem(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// trimPos drops yaegi's meaningless position prefix of import errors.
func trimPos(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i > 0 && strings.Count(msg[:i], ":") == 1 {
		return msg[i+2:]
	}
	return msg
}
