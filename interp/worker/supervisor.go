// Package worker runs a kernel.Evaluator in a separate, supervised process,
// so that nothing a cell does can take the kernel down.
//
// The kernel side calls Start, which returns a Supervisor (itself a
// kernel.Evaluator) that starts the worker process, forwards requests to
// it over pipes, streams its stdout and stderr live, and replaces it when
// it crashes. The worker process calls Serve with the evaluator to serve.
// This package does not evaluate Go: it links neither the interpreter nor
// the preloaded libraries, so a kernel process built without them stays
// small (see the godl_front build of the godl command).
package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/godl-kernel/godl/internal/completion"
	"github.com/godl-kernel/godl/kernel"
)

// Config configures the evaluator worker process that Start supervises.
type Config struct {
	// Command is the worker's argv. Empty means the running executable
	// with the single argument "__worker" (godl's, whose main calls
	// interp.ServeWorker, which calls Serve).
	Command []string
	// Env holds extra "KEY=value" entries added to the kernel's own
	// environment for the worker (later entries win).
	Env []string
	// Log receives one line per worker start, crash and restart; nil
	// discards them.
	Log io.Writer
	// InterruptGrace is how long a cell may keep running after an
	// interrupt before the worker is killed and restarted (which loses
	// its variables); zero means 2 s.
	InterruptGrace time.Duration
	// Lazy defers starting the worker until the first request that needs
	// it (Execute, Complete, Inspect, IsComplete): an idle kernel then
	// holds only its own small process. A Restart leaves the next worker
	// to the next request too.
	Lazy bool
}

// ErrClosed is returned by a Supervisor's methods after Close.
var ErrClosed = errors.New("worker: the evaluator is closed")

// Why a worker was killed on purpose.
const (
	killInterrupt = "interrupt"
	killRestart   = "restart"
	killClose     = "close"
)

const (
	defaultInterruptGrace = 2 * time.Second
	// drainDelay bounds how long output is still read after the worker
	// exits: a process the cell started may hold the pipes open.
	drainDelay = 300 * time.Millisecond
	// closeDelay is how long Close lets the worker exit by itself.
	closeDelay = time.Second
	// helpTimeout bounds Complete, Inspect and IsComplete.
	helpTimeout = 10 * time.Second
	// maxHeld bounds the output kept while no cell runs.
	maxHeld = 1 << 20
)

// Supervisor is a kernel.Evaluator that runs each request in a worker
// process, so that nothing a cell does can take the kernel down. A worker
// that crashes or is killed is replaced by a fresh one; the cell that was
// running gets an error saying what happened and what was lost.
//
// The worker's stdout and stderr are pipes: whatever it writes to file
// descriptors 1 and 2 (interpreted or compiled code, child processes)
// streams live to the Output of the cell running at the time, or, when no
// cell runs, to the next cell.
type Supervisor struct {
	cfg   Config
	grace time.Duration

	execMu sync.Mutex    // serialises Execute
	intr   chan struct{} // interrupt requests for the running Execute

	spawnOnce sync.Once     // starts spawner
	spawnReq  chan func()   // process starts, run by spawner
	spawnQuit chan struct{} // closed by Close
	spawnDone chan struct{} // closed when spawner ended

	mu     sync.Mutex
	gen    *workerProc // the current worker
	closed bool
	lost   string // notice for the next cell after an idle crash

	outMu       sync.Mutex
	cur         kernel.Output // the running cell's output, or nil
	held        []heldItem    // output that arrived while no cell ran
	heldBytes   int
	heldDropped int
}

// heldItem is output kept for the next cell.
type heldItem struct {
	name, text string // stream output when name != ""
	display    *kernel.Display
	clear      bool
	wait       bool
}

// Start starts supervising a worker process as cfg says. The worker starts
// in the background; the first request waits for it to be ready.
func Start(ctx context.Context, cfg Config) (*Supervisor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(cfg.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("worker: finding the executable to run the worker: %w", err)
		}
		cfg.Command = []string{exe, "__worker"}
	}
	cfg.Command = append([]string(nil), cfg.Command...)
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	s := &Supervisor{
		cfg:       cfg,
		grace:     cfg.InterruptGrace,
		intr:      make(chan struct{}, 1),
		spawnReq:  make(chan func()),
		spawnQuit: make(chan struct{}),
		spawnDone: make(chan struct{}),
	}
	if s.grace <= 0 {
		s.grace = defaultInterruptGrace
	}
	if !cfg.Lazy {
		s.gen = s.spawn()
	}
	return s, nil
}

func (s *Supervisor) logf(format string, args ...any) {
	fmt.Fprintf(s.cfg.Log, "godl: "+format+"\n", args...)
}

// worker returns the current worker once it is ready. A dead worker not
// replaced yet (one that failed to start, or one a cancelled Restart
// killed) is replaced first, so a failing start is retried once per call.
func (s *Supervisor) worker(ctx context.Context) (*workerProc, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	w := s.gen
	if w == nil {
		s.gen = s.spawn()
		w = s.gen
	} else if w.isDone() {
		w = s.replaceLocked(w)
	}
	s.mu.Unlock()
	select {
	case <-w.ready:
		return w, nil
	case <-w.done:
		select {
		case <-w.ready:
			return w, nil
		default:
		}
		return nil, w.startError()
	case <-ctx.Done():
		return nil, fmt.Errorf("worker: the Go worker did not answer: %w", ctx.Err())
	}
}

// replaceLocked starts a fresh worker in place of w, unless that was done
// already. s.mu is held.
func (s *Supervisor) replaceLocked(w *workerProc) *workerProc {
	if s.gen == w && !s.closed {
		s.gen = s.spawn()
	}
	return s.gen
}

// exited is called once worker w has exited and its output is drained.
func (s *Supervisor) exited(w *workerProc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.mu.Lock()
	intentional := w.killReason != ""
	running := w.execRunning
	w.mu.Unlock()
	if s.closed || s.gen != w || !w.wasReady() || intentional {
		return
	}
	headline, _ := w.crashText()
	reason := w.exitReason()
	s.logf("worker %d died: %s", w.pid, reason)
	if !running {
		s.lost = "the Go worker crashed while no cell was running: " + withHeadline(reason, headline) +
			"; variables were lost; a fresh worker is ready\n"
	}
	s.replaceLocked(w)
}

// Execute runs one cell in the worker.
func (s *Supervisor) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, error) {
	s.execMu.Lock()
	defer s.execMu.Unlock()
	select {
	case <-s.intr: // an interrupt meant for an earlier cell
	default:
	}
	w, err := s.worker(ctx)
	if err != nil {
		if errors.Is(err, ErrClosed) || ctx.Err() != nil {
			return kernel.ExecuteResult{}, err
		}
		s.attach(out, "")
		s.detach()
		return errorResult("WorkerFailed", err.Error(), nil), nil
	}

	s.mu.Lock()
	lost := s.lost
	s.lost = ""
	w.mu.Lock()
	w.execRunning = true
	w.dropCandidatesLocked()
	w.execOut = out
	w.execStart = w.stderrTotal
	w.mu.Unlock()
	s.mu.Unlock()

	s.attach(out, lost)
	res, err := s.runCell(ctx, w, &req)
	w.mu.Lock()
	w.execRunning = false
	w.dropCandidatesLocked() // the cell may have changed them
	w.execOut = nil
	cancelInput := w.inputCancel
	w.inputCtx, w.inputCancel = nil, nil
	w.mu.Unlock()
	if cancelInput != nil {
		cancelInput()
	}
	s.detach()
	return res, err
}

func (s *Supervisor) runCell(ctx context.Context, w *workerProc, req *kernel.ExecuteRequest) (kernel.ExecuteResult, error) {
	select {
	case <-w.execDone: // stale; cannot happen, but must not be taken for this cell's end
	default:
	}
	if err := w.send(reqExecute, 0, &ipcMsg{Exec: req}); err != nil {
		// The worker is gone; its death is reported below.
		w.kill("")
	}
	var timer *time.Timer
	var timerC <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	// An interrupt is signalled again halfway through the grace period:
	// the first may have reached the worker just before the cell started
	// there. The worker is killed only when the second one fails too.
	resignalled := false
	interrupted := func() {
		if timer == nil {
			timer = time.NewTimer(s.grace / 2)
			timerC = timer.C
		}
	}
	ctxDone := ctx.Done()
	for {
		select {
		case d := <-w.execDone:
			return outcome(d)
		case <-w.done:
			select {
			case d := <-w.execDone:
				return outcome(d)
			default:
			}
			s.mu.Lock()
			s.replaceLocked(w)
			s.mu.Unlock()
			return s.deathResult(w), nil
		case <-s.intr:
			interrupted()
		case <-ctxDone:
			ctxDone = nil
			w.signal(syscall.SIGINT)
			interrupted()
		case <-timerC:
			if !resignalled {
				resignalled = true
				w.signal(syscall.SIGINT)
				timer.Reset(s.grace - s.grace/2)
				continue
			}
			timerC = nil
			s.logf("worker %d: the cell did not stop within %v of the interrupt; killing it", w.pid, s.grace)
			w.kill(killInterrupt)
		}
	}
}

// deathResult describes the death of w while a cell ran.
func (s *Supervisor) deathResult(w *workerProc) kernel.ExecuteResult {
	w.mu.Lock()
	why := w.killReason
	w.mu.Unlock()
	headline, lines := w.crashText()
	switch why {
	case killInterrupt:
		return errorResult("InterruptTimeout", fmt.Sprintf("the cell did not stop within %v of the interrupt "+
			"(compiled code that cannot be interrupted), so the Go worker was stopped; "+
			"variables were lost; a fresh worker is ready", s.grace), nil)
	case killRestart:
		return errorResult("WorkerRestarted", "the Go worker was restarted while the cell ran; variables were lost", nil)
	case killClose:
		return errorResult("WorkerStopped", "the evaluator was closed while the cell ran", nil)
	}
	reason := w.exitReason()
	s.logf("worker %d died running a cell: %s", w.pid, reason)
	return errorResult("WorkerCrashed", "the Go worker crashed: "+withHeadline(reason, headline)+
		"; variables were lost; a fresh worker is ready", lines)
}

func withHeadline(reason, headline string) string {
	if headline == "" {
		return reason
	}
	return reason + " (" + headline + ")"
}

// errorResult builds an error reply whose traceback ends with the error
// itself, as front ends show the traceback alone.
func errorResult(name, value string, lines []string) kernel.ExecuteResult {
	tb := append([]string(nil), lines...)
	if len(tb) > 0 {
		tb = append(tb, "")
	}
	tb = append(tb, name+": "+value)
	return kernel.ExecuteResult{
		Status: kernel.StatusError,
		Error:  &kernel.ExecError{Name: name, Value: value, Traceback: tb},
	}
}

// attach makes out the running cell's output, first giving it what arrived
// while no cell ran and the notice of an idle crash.
func (s *Supervisor) attach(out kernel.Output, notice string) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	for _, h := range s.held {
		switch {
		case h.name != "":
			out.Stream(h.name, h.text)
		case h.display != nil:
			out.Display(*h.display)
		case h.clear:
			out.ClearOutput(h.wait)
		}
	}
	if s.heldDropped > 0 {
		out.Stream("stderr", fmt.Sprintf("[godl: %d bytes of output produced while no cell was running were dropped]\n", s.heldDropped))
	}
	s.held, s.heldBytes, s.heldDropped = nil, 0, 0
	if notice != "" {
		out.Stream("stderr", notice)
	}
	s.cur = out
}

func (s *Supervisor) detach() {
	s.outMu.Lock()
	s.cur = nil
	s.outMu.Unlock()
}

func (s *Supervisor) hold(h heldItem) {
	n := len(h.text)
	if h.display != nil {
		n = 1 << 10
	}
	if s.heldBytes+n > maxHeld {
		s.heldDropped += n
		return
	}
	s.heldBytes += n
	s.held = append(s.held, h)
}

// stream delivers worker output to the running cell or keeps it.
func (s *Supervisor) stream(name, text string) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if s.cur != nil {
		s.cur.Stream(name, text)
		return
	}
	if n := len(s.held); n > 0 && s.held[n-1].name == name && s.heldBytes+len(text) <= maxHeld {
		s.held[n-1].text += text
		s.heldBytes += len(text)
		return
	}
	s.hold(heldItem{name: name, text: text})
}

func (s *Supervisor) display(d *kernel.Display) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if s.cur != nil {
		s.cur.Display(*d)
		return
	}
	s.hold(heldItem{display: d})
}

func (s *Supervisor) clearOutput(wait bool) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if s.cur != nil {
		s.cur.ClearOutput(wait)
		return
	}
	s.hold(heldItem{clear: true, wait: wait})
}

// call sends a request that gets one evReply and waits for it, at most
// helpTimeout unless ctx says otherwise: a help request must never hang
// the kernel, even when the worker is stuck.
func (s *Supervisor) call(ctx context.Context, kind msgKind, m *ipcMsg) (*ipcMsg, error) {
	ctx, cancel, w, err := s.helpWorker(ctx)
	defer cancel()
	if err != nil {
		return nil, err
	}
	return s.callOn(ctx, w, kind, m)
}

// helpWorker returns the worker for a help request, and ctx bounded by
// helpTimeout unless it has a deadline; cancel must be called.
func (s *Supervisor) helpWorker(ctx context.Context) (_ context.Context, cancel context.CancelFunc, _ *workerProc, _ error) {
	cancel = func() {}
	if _, ok := ctx.Deadline(); !ok {
		ctx, cancel = context.WithTimeout(ctx, helpTimeout)
	}
	w, err := s.worker(ctx)
	return ctx, cancel, w, err
}

// callOn is call to worker w; ctx must have a deadline.
func (s *Supervisor) callOn(ctx context.Context, w *workerProc, kind msgKind, m *ipcMsg) (*ipcMsg, error) {
	id, ch, done := w.replies.wait()
	defer done()
	if err := w.send(kind, id, m); err != nil {
		return nil, fmt.Errorf("worker: sending a request to the Go worker: %w", err)
	}
	select {
	case r := <-ch:
		if r.Err != "" {
			return nil, errors.New(r.Err)
		}
		return r, nil
	case <-w.done:
		return nil, errors.New("worker: the Go worker stopped before answering")
	case <-ctx.Done():
		return nil, fmt.Errorf("worker: the Go worker did not answer: %w", ctx.Err())
	}
}

// Complete asks the worker for completions. While no cell runs, it answers
// from the candidates the worker gave for the same place since the last
// cell (see CandidateCompleter): from the third keystroke of a member name
// on, or a request made for the third time, needs no worker round trip.
func (s *Supervisor) Complete(ctx context.Context, code string, cursor int) (kernel.CompleteResult, error) {
	empty := kernel.CompleteResult{Matches: []string{}, CursorStart: cursor, CursorEnd: cursor}
	ctx, cancel, w, err := s.helpWorker(ctx)
	defer cancel()
	if err != nil {
		return empty, err
	}
	w.mu.Lock()
	epoch := w.reuseEpoch
	again := false
	if !w.execRunning {
		if cands, ok := w.reuse.Lookup(code, cursor); ok {
			w.reuseHits++
			w.mu.Unlock()
			return completion.Reply(cands, code, cursor), nil
		}
		again = w.reuse.Seen(code, cursor)
	}
	w.mu.Unlock()
	// The candidates are asked for at a place completed before: the
	// first time, the (smaller) answer is quicker.
	r, err := s.callOn(ctx, w, reqComplete, &ipcMsg{Code: code, Cursor: cursor, Reuse: again})
	if err != nil {
		return empty, err
	}
	if r.Reuse {
		w.mu.Lock()
		if w.reuseEpoch == epoch { // no cell started or ended meanwhile
			w.reuse.Store(code, cursor, r.Cands)
		}
		w.mu.Unlock()
		return completion.Reply(r.Cands, code, cursor), nil
	}
	if r.Complete == nil {
		return empty, nil
	}
	return *r.Complete, nil
}

// Inspect asks the worker about the name at cursor.
func (s *Supervisor) Inspect(ctx context.Context, code string, cursor, detailLevel int) (kernel.InspectResult, error) {
	r, err := s.call(ctx, reqInspect, &ipcMsg{Code: code, Cursor: cursor, Detail: detailLevel})
	if err != nil || r.Inspect == nil {
		return kernel.InspectResult{}, err
	}
	return *r.Inspect, nil
}

// IsComplete asks the worker whether code is ready to run.
func (s *Supervisor) IsComplete(ctx context.Context, code string) (kernel.IsCompleteResult, error) {
	r, err := s.call(ctx, reqIsComplete, &ipcMsg{Code: code})
	if err != nil || r.IsComplete == nil {
		return kernel.IsCompleteResult{Status: "unknown"}, err
	}
	return *r.IsComplete, nil
}

// Interrupt sends SIGINT to the worker if a cell runs; the worker
// interrupts the cell and keeps its state. A cell still running
// InterruptGrace later is ended by killing the worker.
func (s *Supervisor) Interrupt() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	w := s.gen
	s.mu.Unlock()
	if w == nil {
		return nil // not started: nothing runs
	}
	w.mu.Lock()
	running := w.execRunning
	w.mu.Unlock()
	if !running {
		return nil
	}
	w.signal(syscall.SIGINT)
	select {
	case s.intr <- struct{}{}:
	default:
	}
	return nil
}

// Restart kills the worker (and every process it started) and waits for a
// fresh one. A cell that was running ends with an error.
func (s *Supervisor) Restart(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	w := s.gen
	s.lost = ""
	if w == nil || s.cfg.Lazy {
		s.gen = nil // the next request starts a fresh worker
	}
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	w.kill(killRestart)
	select {
	case <-w.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.logf("worker restarted")
	if s.cfg.Lazy {
		return nil
	}
	s.mu.Lock()
	s.replaceLocked(w)
	s.mu.Unlock()
	_, err := s.worker(ctx)
	return err
}

// Close stops the worker and waits until it and every goroutine of the
// Supervisor are gone.
func (s *Supervisor) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	w := s.gen
	s.mu.Unlock()
	if w == nil {
		close(s.spawnQuit)
		s.waitSpawner()
		return nil
	}
	w.mu.Lock()
	if w.killReason == "" {
		w.killReason = killClose
	}
	w.mu.Unlock()
	w.closeRequests() // the worker exits when its request pipe ends
	t := time.NewTimer(closeDelay)
	defer t.Stop()
	select {
	case <-w.exitCh:
	case <-w.done: // it never started
	case <-t.C:
	}
	w.kill(killClose) // also ends processes the cells started
	<-w.done
	close(s.spawnQuit)
	s.waitSpawner()
	return nil
}

// waitSpawner waits for the spawner to end, if it ever started.
func (s *Supervisor) waitSpawner() {
	started := true
	s.spawnOnce.Do(func() { started = false })
	if started {
		<-s.spawnDone
	}
}

var _ kernel.Evaluator = (*Supervisor)(nil)
