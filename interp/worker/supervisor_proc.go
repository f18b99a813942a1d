package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/godl-kernel/godl/internal/completion"
	"github.com/godl-kernel/godl/internal/rawio"
	"github.com/godl-kernel/godl/kernel"
)

// workerProc is one worker process and the goroutines that serve it: a
// reader per output pipe, an event reader, and a pump that hands cell
// events (displays, input prompts, the end of a cell) to the supervisor in
// order, each after the output written before it.
type workerProc struct {
	s      *Supervisor
	ready  chan struct{} // closed when the worker said hello
	exitCh chan struct{} // closed when the process has exited
	done   chan struct{} // closed when it exited and every goroutine ended

	fw       frameWriter
	execDone chan *ipcMsg // the evExecDone of the running cell

	mu          sync.Mutex
	cmd         *exec.Cmd
	pid         int
	started     time.Time
	reqW        *os.File
	evR         *os.File
	outR, errR  *os.File
	isReady     bool
	exited      bool
	state       *os.ProcessState
	startErr    error
	killReason  string  // set when killed on purpose (killInterrupt, ...)
	replies     replies // answers to Complete, Inspect, IsComplete
	execRunning bool
	execOut     kernel.Output
	// Completion candidates the kernel reuses (CandidateCompleter), valid
	// while reuseEpoch is unchanged: it changes when a cell starts and
	// ends. reuseHits counts the answers given from them.
	reuse       completion.Reuse
	reuseEpoch  uint64
	reuseHits   int
	execStart   int // stderrTotal when the running cell started
	inputCtx    context.Context
	inputCancel context.CancelFunc
	tail        []byte // the end of stderr, for crash reports
	stderrTotal int

	// Sync markers: a stream reader that passes marker n records it in
	// reached and waits until the pump has handled event n (handled), so
	// that text written after a display is not delivered before it.
	smu     sync.Mutex
	scond   *sync.Cond
	reached [2]uint64 // last sync marker passed on stdout, stderr
	handled uint64    // seq of the last cell event handled
	// Drains (ipcMsg.Drain): reads of stdout, stderr started and
	// delivered, and whether a drain waits for them.
	readsStarted, readsFinished [2]uint64
	drainWant                   [2]bool
	// A reader waiting in markSynced: the marker's seq and its read
	// (zero when not waiting).
	waitSeq, waitGen [2]uint64

	qmu     sync.Mutex
	queue   []cellEvent
	spare   []cellEvent
	qclosed bool
	pumping bool // the pump is handling a batch
	qnote   chan struct{}
}

type cellEvent struct {
	kind msgKind
	id   uint32
	m    *ipcMsg
}

const tailKeep = 64 << 10

func (s *Supervisor) spawn() *workerProc {
	w := &workerProc{
		s:        s,
		ready:    make(chan struct{}),
		exitCh:   make(chan struct{}),
		done:     make(chan struct{}),
		execDone: make(chan *ipcMsg, 1),
		qnote:    make(chan struct{}, 1),
	}
	w.scond = sync.NewCond(&w.smu)
	go w.run()
	return w
}

// run starts the process and serves it until it exits.
func (w *workerProc) run() {
	if err := w.launch(); err != nil {
		w.mu.Lock()
		w.startErr = err
		w.mu.Unlock()
		w.s.logf("%v", err)
		close(w.done)
		return
	}
	var streams sync.WaitGroup
	streams.Add(2)
	go func() { defer streams.Done(); w.readStream(0, w.outR, "stdout") }()
	go func() { defer streams.Done(); w.readStream(1, w.errR, "stderr") }()
	eventsDone := make(chan struct{})
	go func() { defer close(eventsDone); w.readEvents() }()
	pumpDone := make(chan struct{})
	go func() { defer close(pumpDone); w.pump() }()

	w.cmd.Wait()
	w.mu.Lock()
	w.exited = true
	w.state = w.cmd.ProcessState
	// The processes the worker started go with it: they would keep the
	// pipes open and run unsupervised.
	syscall.Kill(-w.pid, syscall.SIGKILL)
	w.mu.Unlock()
	close(w.exitCh)

	// Read what is left in the pipes, but not forever: a process the
	// cell started may keep them open.
	streamsDone := make(chan struct{})
	go func() { streams.Wait(); close(streamsDone) }()
	ctx, cancel := context.WithTimeout(context.Background(), drainDelay)
	select {
	case <-streamsDone:
	case <-ctx.Done():
		w.outR.Close()
		w.errR.Close()
		<-streamsDone
	}
	select {
	case <-eventsDone:
	case <-ctx.Done():
		w.evR.Close()
		<-eventsDone
	}
	cancel()
	<-pumpDone
	w.outR.Close()
	w.errR.Close()
	w.evR.Close()
	w.reqW.Close()
	w.s.exited(w)
	close(w.done)
}

func (w *workerProc) launch() error {
	cfg := &w.s.cfg
	var files [8]*os.File
	for i := 0; i < len(files); i += 2 {
		r, wr, err := os.Pipe()
		if err != nil {
			for _, f := range files[:i] {
				f.Close()
			}
			return fmt.Errorf("worker: making pipes for the Go worker: %w", err)
		}
		files[i], files[i+1] = r, wr
	}
	reqR, reqW, evR, evW, outR, outW, errR, errW := files[0], files[1], files[2], files[3], files[4], files[5], files[6], files[7]
	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Env = append(os.Environ(), cfg.Env...)
	cmd.Stdout = outW
	cmd.Stderr = errW
	cmd.ExtraFiles = []*os.File{reqR, evW} // fd 3, fd 4
	// Its own process group, so that a restart also ends the processes
	// a cell started; and killed with the kernel, whatever kills it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	w.started = time.Now()
	err := w.s.startProcess(cmd)
	reqR.Close()
	evW.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		reqW.Close()
		evR.Close()
		outR.Close()
		errR.Close()
		return fmt.Errorf("worker: starting the Go worker %q: %w", cfg.Command[0], err)
	}
	w.mu.Lock()
	w.cmd, w.pid = cmd, cmd.Process.Pid
	w.reqW, w.evR, w.outR, w.errR = reqW, evR, outR, errR
	w.fw.w = rawio.ReadWriter(reqW)
	reason := w.killReason
	w.mu.Unlock()
	if reason != "" {
		w.kill(reason)
	}
	return nil
}

func (w *workerProc) send(kind msgKind, id uint32, m *ipcMsg) error {
	return w.fw.send(kind, id, m)
}

// dropCandidatesLocked drops the completion candidates kept for reuse:
// a cell starts or ends. w.mu must be held.
func (w *workerProc) dropCandidatesLocked() {
	w.reuse.Reset()
	w.reuseEpoch++
}

func (w *workerProc) isDone() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

func (w *workerProc) wasReady() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.isReady
}

// kill ends the worker and its process group. A non-empty reason records
// that the death was intended.
func (w *workerProc) kill(reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.killReason == "" {
		w.killReason = reason
	}
	if w.cmd == nil {
		return // launch kills it once started
	}
	syscall.Kill(-w.pid, syscall.SIGKILL)
	if !w.exited {
		w.cmd.Process.Kill()
	}
}

func (w *workerProc) signal(sig os.Signal) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd != nil && !w.exited && w.isReady {
		w.cmd.Process.Signal(sig)
	}
}

// closeRequests ends the request pipe: the worker then exits by itself.
func (w *workerProc) closeRequests() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reqW != nil {
		w.reqW.Close()
	}
}

func (w *workerProc) startError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.startErr != nil {
		return w.startErr
	}
	msg := "the Go worker exited before it was ready: " + exitReason(w.state, "")
	if t := strings.TrimSpace(string(w.tail)); t != "" {
		lines := strings.Split(t, "\n")
		msg += ": " + strings.Join(lines[max(0, len(lines)-10):], "\n")
	}
	return errors.New(msg)
}

func (w *workerProc) recordStderr(text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stderrTotal += len(text)
	w.tail = append(w.tail, text...)
	if len(w.tail) > 2*tailKeep {
		w.tail = append(w.tail[:0], w.tail[len(w.tail)-tailKeep:]...)
	}
}

// crashText returns the runtime's crash message (its first line and the
// trimmed report) from the end of the worker's stderr.
func (w *workerProc) crashText() (headline string, lines []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cell := w.stderrTotal - w.execStart
	if !w.execRunning {
		cell = 0
	}
	return extractCrash(string(w.tail), cell)
}

func (w *workerProc) exitReason() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return exitReason(w.state, w.killReason)
}

// markSynced records that stream idx passed marker seq in read gen and
// waits until the event that goes with it has been handled. While it
// waits, the text before the marker is delivered and the rest of the read
// was written after every event with a smaller seq: for the drain of such
// an event, read gen counts as delivered (see drain).
func (w *workerProc) markSynced(idx int, seq, gen uint64) {
	w.smu.Lock()
	if seq > w.reached[idx] {
		w.reached[idx] = seq
	}
	w.waitSeq[idx], w.waitGen[idx] = seq, gen
	w.scond.Broadcast()
	for w.handled < seq {
		w.scond.Wait()
	}
	w.waitSeq[idx], w.waitGen[idx] = 0, 0
	w.smu.Unlock()
}

// markHandled records that the event with marker seq was handled.
func (w *workerProc) markHandled(seq uint64) {
	w.smu.Lock()
	if seq > w.handled {
		w.handled = seq
	}
	w.smu.Unlock()
	w.scond.Broadcast()
}

// waitSync waits until the streams in mask have passed marker seq.
func (w *workerProc) waitSync(seq uint64, mask uint8) {
	if mask == 0 {
		return
	}
	w.smu.Lock()
	for (mask&1 != 0 && w.reached[0] < seq) || (mask&2 != 0 && w.reached[1] < seq) {
		w.scond.Wait()
	}
	w.smu.Unlock()
}

// drain waits until the streams in mask have delivered everything they
// had read when it was called. The worker sends an event with Drain
// instead of markers when those pipes were empty: what it wrote before
// the event was then read already, and has been delivered once the reads
// that started so far are finished. Text held back for coalescing goes
// out at once: the readers are woken through their read deadline.
func (w *workerProc) drain(seq uint64, mask uint8) {
	if mask == 0 {
		return
	}
	var target [2]uint64
	w.smu.Lock()
	for i := range 2 {
		if mask&(1<<i) != 0 {
			target[i] = w.readsStarted[i]
			w.drainWant[i] = true
		}
	}
	pending := func(i int) bool {
		if mask&(1<<i) == 0 || w.readsFinished[i] >= target[i] || w.reached[i] == ^uint64(0) {
			return false
		}
		// Waiting at the marker of a later event, the reader has
		// delivered all that was written before this one.
		return w.waitSeq[i] <= seq || w.waitGen[i] < target[i]
	}
	if pending(0) || pending(1) {
		w.smu.Unlock()
		w.mu.Lock()
		files := [2]*os.File{w.outR, w.errR}
		w.mu.Unlock()
		for i, f := range files {
			if mask&(1<<i) != 0 && f != nil {
				f.SetReadDeadline(time.Now()) // wakes a reader holding text back
			}
		}
		w.smu.Lock()
		for pending(0) || pending(1) {
			w.scond.Wait()
		}
	}
	w.drainWant = [2]bool{}
	w.smu.Unlock()
}

// readEvents reads the worker's event pipe until it ends.
func (w *workerProc) readEvents() {
	fr := newFrameReader(rawio.ReadWriter(w.evR))
	for {
		m := new(ipcMsg)
		kind, id, err := fr.next(m)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				w.s.logf("worker %d: reading events: %v", w.pid, err)
			}
			break
		}
		switch kind {
		case evHello:
			w.mu.Lock()
			if m.Proto != protoVersion {
				w.startErr = fmt.Errorf("the Go worker %s speaks worker protocol %d and this kernel %d: "+
					"the kernel front and the godl binary come from different builds; run 'godl install' again",
					w.s.cfg.Command[0], m.Proto, protoVersion)
				w.mu.Unlock()
				w.kill(killClose)
				continue
			}
			if m.Err != "" {
				w.startErr = errors.New("the Go worker could not start: " + m.Err)
			} else if !w.isReady {
				w.isReady = true
				close(w.ready)
				w.s.logf("worker %d ready in %v", w.pid, time.Since(w.started).Round(time.Millisecond/10))
			}
			w.mu.Unlock()
		case evReply:
			w.replies.deliver(id, m)
		case evExecDone, evDisplay, evClear, evInput:
			w.qmu.Lock()
			if len(w.queue) == 0 && !w.pumping {
				// Nothing before it waits: handle it here, saving
				// the hand-over to the pump. Its markers (if any)
				// were written before it, so the wait is short.
				w.qmu.Unlock()
				w.handle(cellEvent{kind, id, m})
				continue
			}
			w.queue = append(w.queue, cellEvent{kind, id, m})
			w.qmu.Unlock()
			w.notifyPump()
		default:
			w.s.logf("worker %d: unknown event %d ignored", w.pid, kind)
		}
	}
	w.qmu.Lock()
	w.qclosed = true
	w.qmu.Unlock()
	w.notifyPump()
}

func (w *workerProc) notifyPump() {
	select {
	case w.qnote <- struct{}{}:
	default:
	}
}

// pump handles cell events in order, each after the output before it.
// readEvents handles an event itself when the pump has nothing to do.
func (w *workerProc) pump() {
	for {
		w.qmu.Lock()
		batch := w.queue
		closed := w.qclosed
		w.queue, w.spare = w.spare[:0], batch
		w.pumping = len(batch) > 0
		w.qmu.Unlock()
		if len(batch) == 0 {
			if closed {
				w.markHandled(^uint64(0)) // no more events: release the readers
				return
			}
			<-w.qnote
			continue
		}
		for i := range batch {
			w.handle(batch[i])
			batch[i] = cellEvent{}
		}
	}
}

func (w *workerProc) handle(ev cellEvent) {
	w.waitSync(ev.m.Seq, ev.m.Mask)
	w.drain(ev.m.Seq, ev.m.Drain)
	switch ev.kind {
	case evExecDone:
		select {
		case w.execDone <- ev.m:
		default:
			w.s.logf("worker %d: an unexpected end of cell was ignored", w.pid)
		}
	case evDisplay:
		if ev.m.Display != nil {
			w.s.display(ev.m.Display)
		}
	case evClear:
		w.s.clearOutput(ev.m.Wait)
	case evInput:
		w.input(ev.id, ev.m)
	}
	w.markHandled(ev.m.Seq)
}

// input asks the running cell's Output for a line and sends the answer back.
func (w *workerProc) input(id uint32, m *ipcMsg) {
	w.mu.Lock()
	out := w.execOut
	if out != nil && w.inputCtx == nil {
		w.inputCtx, w.inputCancel = context.WithCancel(context.Background())
	}
	ctx := w.inputCtx
	w.mu.Unlock()
	if out == nil {
		w.send(reqInputReply, id, &ipcMsg{Err: "input was requested while no cell was running"})
		return
	}
	go func() {
		text, err := out.Input(ctx, m.Prompt, m.Password)
		r := &ipcMsg{Text: text}
		if err != nil {
			r.Err = err.Error()
			if r.Err == "" {
				r.Err = "input failed"
			}
		}
		w.send(reqInputReply, id, r)
	}()
}

// outcome turns an evExecDone into Execute's results.
func outcome(m *ipcMsg) (kernel.ExecuteResult, error) {
	var err error
	if m.Err != "" {
		err = errors.New(m.Err)
	}
	if m.Result == nil {
		if err == nil {
			err = errors.New("worker: the Go worker sent no result")
		}
		return kernel.ExecuteResult{}, err
	}
	return *m.Result, err
}

// trimTrace keeps the useful part of a Go crash report: the panic or fatal
// error lines, and the goroutine traces without the frames of the runtime,
// reflection, the interpreter and the worker (all that an interpreted
// cell's frames are), which it counts instead. The full report is in the
// cell's stderr.
func trimTrace(in []string) []string {
	var out []string
	omitted := 0
	note := func() {
		if omitted > 0 {
			out = append(out, fmt.Sprintf("\t... %d runtime and interpreter frames omitted (the full trace is in the stderr output above)", omitted))
			omitted = 0
		}
	}
	inTrace, skipping := false, false
	for i := 0; i < len(in); i++ {
		l := in[i]
		switch {
		case skipping: // the runtime's own stack, up to a blank line
			skipping = l != ""
		case l == "runtime stack:":
			skipping = true
		case strings.HasPrefix(l, "goroutine ") && strings.HasSuffix(l, ":"):
			note()
			out = append(out, l)
			inTrace = true
		case inTrace && l == "":
			note()
			out = append(out, l)
			inTrace = false
		case inTrace && !strings.HasPrefix(l, "\t") && i+1 < len(in) && strings.HasPrefix(in[i+1], "\t"):
			if internalFrame(l) {
				omitted++
			} else {
				note()
				out = append(out, l, in[i+1])
			}
			i++
		default:
			out = append(out, l)
		}
	}
	note()
	return out
}

// internalFrame tells whether a trace line names a function of the runtime,
// reflection, yaegi or the worker.
func internalFrame(fn string) bool {
	fn = strings.TrimPrefix(fn, "created by ")
	for _, p := range []string{"runtime.", "reflect.", "panic(", "github.com/traefik/yaegi/", "github.com/godl-kernel/godl/interp."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// startProcess starts cmd from the supervisor's spawner thread.
//
// Linux sends Pdeathsig when the thread that forked the child exits, not
// the process. Go never ends a thread except one locked by a goroutine
// that exits, which any code may do, so workers are forked from a thread
// that stays locked, and alive, until Close.
func (s *Supervisor) startProcess(cmd *exec.Cmd) error {
	// The spawner's locked thread is made with the first worker, not by
	// Start: a new OS thread costs ~1 ms, and a kernel must bind its
	// sockets first.
	s.spawnOnce.Do(func() { go s.spawner() })
	errc := make(chan error, 1)
	select {
	case s.spawnReq <- func() { errc <- cmd.Start() }:
		return <-errc
	case <-s.spawnQuit:
		return ErrClosed
	}
}

// spawner runs process starts on one locked thread until Close.
func (s *Supervisor) spawner() {
	runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
	defer close(s.spawnDone)
	for {
		select {
		case f := <-s.spawnReq:
			f()
		case <-s.spawnQuit:
			return
		}
	}
}

// exitReason says how a worker ended, for people.
func exitReason(st *os.ProcessState, killReason string) string {
	if st == nil {
		return "it could not be started"
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig := ws.Signal()
		r := fmt.Sprintf("killed by signal %d (%s", int(sig), signalName(sig))
		if sig == syscall.SIGKILL && killReason == "" {
			r += ": out of memory?"
		}
		return r + ")"
	}
	code := st.ExitCode()
	r := fmt.Sprintf("exit status %d", code)
	if code != 2 { // 2 is the runtime's status for panics and fatal errors
		r += fmt.Sprintf(", os.Exit(%d) was called?", code)
	}
	return r
}

func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGSEGV:
		return "SIGSEGV"
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGBUS:
		return "SIGBUS"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	}
	return sig.String()
}

// Crash report trimming.
const (
	crashMaxLines = 40
	crashTailLine = 10 // lines of a cell's stderr shown when it exited quietly
)

// extractCrash finds the Go runtime's crash report at the end of tail
// ("panic: ..." or "fatal error: ..." and the goroutine trace after it) and
// returns its first line and its lines, trimmed. Without one it returns the
// last lines the cell wrote to stderr (cellBytes at the end of tail).
func extractCrash(tail string, cellBytes int) (headline string, lines []string) {
	all := strings.Split(strings.TrimRight(tail, "\n"), "\n")
	start := -1
	for i := len(all) - 1; i >= 0; i-- {
		if strings.HasPrefix(all[i], "panic: ") || strings.HasPrefix(all[i], "fatal error: ") {
			start = i
			break
		}
	}
	if start < 0 {
		if cellBytes <= 0 {
			return "", nil
		}
		cell := tail[max(0, len(tail)-cellBytes):]
		cell = strings.TrimRight(cell, "\n")
		if strings.TrimSpace(cell) == "" {
			return "", nil
		}
		ls := strings.Split(cell, "\n")
		return "", ls[max(0, len(ls)-crashTailLine):]
	}
	headline = all[start]
	if i := strings.Index(headline, " [recovered"); i > 0 {
		headline = headline[:i]
	}
	if len(headline) > 200 {
		headline = headline[:200] + "…"
	}
	for start > 0 && strings.HasPrefix(all[start-1], "runtime: ") {
		start--
	}
	lines = trimTrace(all[start:])
	if len(lines) > crashMaxLines {
		n := len(lines) - crashMaxLines
		lines = append(lines[:crashMaxLines:crashMaxLines], fmt.Sprintf("... %d more lines in the stderr output above", n))
	}
	return headline, lines
}
