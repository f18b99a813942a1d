package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/godl-kernel/godl/internal/completion"
	"github.com/godl-kernel/godl/internal/rawio"
	"github.com/godl-kernel/godl/kernel"
)

// ServeConfig says what a worker process serves.
type ServeConfig struct {
	// New makes the evaluator, once, after the process is set up.
	New func() (kernel.Evaluator, error)
	// Attach, if set, is called once with the Output that reaches the
	// kernel from any goroutine at any time (the running cell's, or the
	// next cell's), before the first request; it is how process-wide
	// machinery such as the display package is connected. Its result, if
	// not nil, is called when the worker stops.
	Attach func(out kernel.Output) (detach func())
	// AfterCell, if set, runs at the end of every cell, before its end is
	// reported: the place to flush what belongs to the cell (rate-limited
	// display updates).
	AfterCell func()
}

// Serve is the main function of an evaluator worker process started by
// Start: it serves cfg's evaluator on the kernel's requests, read from
// file descriptor 3, and sends events and replies on file descriptor 4,
// until the kernel closes fd 3. It returns the process exit status. Its
// stdout and stderr are the cells' output (the evaluator writes there,
// and so does compiled code); SIGINT interrupts the running cell.
//
// The worker refuses to run (status 2) when fd 3 is not open, that is when
// it was not started by Start.
func Serve(cfg ServeConfig) int {
	return serveWorker(cfg)
}

// maxWorkerStack is the worker's maximum goroutine stack size.
const maxWorkerStack = 256 << 20

// workerServer is the worker's side of the IPC.
type workerServer struct {
	eval kernel.Evaluator
	// armHandoff, while a cell of a FastPaths evaluator runs on the
	// request reader and has not called CellSlow, arms its hand-off.
	handoffMu  sync.Mutex
	armHandoff func()
	afterCell  func()
	fw         frameWriter
	stdout     *os.File // fd 1 and fd 2 as they were at start, whatever
	stderr     *os.File // user code later does to os.Stdout and os.Stderr
	// outConns are the raw descriptors of stdout and stderr, for asking
	// whether the kernel has read everything written to them.
	outConns [2]syscall.RawConn

	syncMu sync.Mutex
	seq    uint64

	mu      sync.Mutex
	inputs  replies // answers to input prompts
	execs   chan execJob
	helps   chan helpJob
	closing bool

	// A request is run by the goroutine that read it, which first starts
	// another to read on: that saves waking an executor or helper goroutine
	// (often on another thread) per request. cellMu and helpMu keep cells,
	// and help requests, one at a time; a request that finds one running
	// is queued for the executor or helper goroutine as before.
	cellMu  sync.Mutex
	helpMu  sync.Mutex
	eof     chan struct{} // closed when the request pipe ends
	eofOnce sync.Once
}

type execJob struct {
	req kernel.ExecuteRequest
}

type helpJob struct {
	kind msgKind
	id   uint32
	m    *ipcMsg
}

// serveWorker runs the worker as cfg says.
func serveWorker(cfg ServeConfig) int {
	// Requests and events must not leak into processes cells start.
	if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, 3, syscall.F_GETFD, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "godl __worker: must be started by the godl kernel (no fd 3)")
		return 2
	}
	syscall.CloseOnExec(3)
	syscall.CloseOnExec(4)
	// A runaway recursion takes seconds to fill Go's default 1 GB stack
	// (the runtime copies it at each doubling); 256 MB still holds a
	// 300,000-deep interpreted recursion and fails four times sooner.
	debug.SetMaxStack(maxWorkerStack)
	// Non-blocking, the pipes are served by the netpoller, and read and
	// written without the runtime's system call bookkeeping (rawio).
	syscall.SetNonblock(3, true)
	syscall.SetNonblock(4, true)
	reqF := os.NewFile(3, "godl-requests")
	evF := os.NewFile(4, "godl-events")
	ws := &workerServer{
		fw:     frameWriter{w: rawio.ReadWriter(evF)},
		stdout: os.Stdout,
		stderr: os.Stderr,
		execs:  make(chan execJob, 1),
		helps:  make(chan helpJob, 64),
		eof:    make(chan struct{}),
	}
	for i, f := range []*os.File{ws.stdout, ws.stderr} {
		if rc, err := f.SyscallConn(); err == nil {
			ws.outConns[i] = rc
		}
	}
	// Catch SIGINT before saying hello: the supervisor signals only
	// ready workers, and the default action would kill us.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)

	ev, err := cfg.New()
	if err != nil {
		ws.fw.send(evHello, 0, &ipcMsg{Err: err.Error(), Proto: protoVersion})
		fmt.Fprintln(os.Stderr, "godl __worker:", err)
		return 1
	}
	ws.eval = ev
	ws.afterCell = cfg.AfterCell
	if cfg.Attach != nil {
		if detach := cfg.Attach((*workerOutput)(ws)); detach != nil {
			defer detach()
		}
	}
	go func() {
		for range sigs {
			ev.Interrupt()
		}
	}()
	go ws.executor()
	go ws.helper()
	if err := ws.fw.send(evHello, 0, &ipcMsg{PID: os.Getpid(), Proto: protoVersion}); err != nil {
		return 1
	}
	go ws.serve(newFrameReader(rawio.ReadWriter(reqF)))
	<-ws.eof

	// The kernel closed the request pipe: it wants us gone, or is gone.
	ws.mu.Lock()
	ws.closing = true
	ws.mu.Unlock()
	ev.Interrupt()
	closed := make(chan struct{})
	go func() { ev.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(500 * time.Millisecond):
	}
	return 0
}

// serve reads requests until the request pipe ends, or until it hands the
// reading over to a new goroutine to run a request itself.
func (ws *workerServer) serve(fr *frameReader) {
	for {
		m := new(ipcMsg)
		kind, id, err := fr.next(m)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintln(ws.stderr, "godl __worker: reading requests:", err)
			}
			ws.eofOnce.Do(func() { close(ws.eof) })
			return
		}
		switch kind {
		case reqExecute:
			if m.Exec == nil {
				m.Exec = &kernel.ExecuteRequest{}
			}
			if ws.cellMu.TryLock() {
				if ws.runCellReading(fr, execJob{req: *m.Exec}) {
					continue
				}
				return
			}
			select {
			case ws.execs <- execJob{req: *m.Exec}:
			default:
				res := errorResult("WorkerBusy", "a cell is already running in the Go worker", nil)
				ws.finishExec(&res, nil)
			}
		case reqComplete, reqInspect, reqIsComplete:
			if ws.helpMu.TryLock() {
				// Answered right here, without handing the reading
				// over: help requests take microseconds, and starting
				// a goroutine wakes another thread (tens of µs on a VM).
				ws.help(helpJob{kind, id, m})
				ws.helpMu.Unlock()
				continue
			}
			select {
			case ws.helps <- helpJob{kind, id, m}:
			default:
				ws.fw.send(evReply, id, &ipcMsg{Err: "the Go worker is busy answering earlier requests"})
			}
		case reqInputReply:
			ws.inputs.deliver(id, m)
		case reqInterrupt:
			ws.eval.Interrupt()
		default:
			fmt.Fprintf(ws.stderr, "godl __worker: unknown request %d ignored\n", kind)
		}
	}
}

// executor runs cells one at a time.
func (ws *workerServer) executor() {
	for job := range ws.execs {
		ws.cellMu.Lock()
		ws.runCell(job, true)
	}
}

// readHandoff is how long a cell runs on the request reader before
// another goroutine takes over the reading. Most cells end sooner, and
// starting a goroutine at once would wake another thread on every cell
// (tens of µs on a VM); a request that arrives meanwhile (input reply,
// help while busy) waits at most this long.
const readHandoff = 200 * time.Microsecond

// FastPaths is implemented by evaluators that answer some cells in
// microseconds without blocking (constant expressions, a variable's
// value) and call the CellSlow method of the Output they are given
// (see SlowCellNotifier) before anything else. The worker then arms its
// read hand-off only when CellSlow is called: arming the timer itself
// wakes another thread of the runtime, which on these VMs costs about
// as much as a whole fast cell.
type FastPaths interface {
	FastPaths()
}

// CandidateCompleter is implemented by evaluators whose completions can be
// reused by the kernel while the user types (see package completion).
// CompleteCandidates is Complete, except that where the answer is
// completion.Reply(cands, code, cursor) for any code that differs from
// this one only in the name that ends at cursor (the member name of a
// selector), it may return cands and ok instead. The kernel then answers
// such requests itself until the next cell runs: the evaluator's
// candidates must change only while cells run.
type CandidateCompleter interface {
	CompleteCandidates(ctx context.Context, code string, cursor int) (res kernel.CompleteResult, cands []completion.Item, ok bool, err error)
}

// OutputFlusher is implemented by evaluators that hold back some of the
// output written to the worker's stdout and stderr (the Session buffers
// the prints of cells that cannot write there any other way): the worker
// calls FlushOutput before each event it orders against those streams.
type OutputFlusher interface {
	FlushOutput()
}

// SlowCellNotifier is implemented by the Output the worker gives its
// evaluator: CellSlow says that the running cell leaves the evaluator's
// fast paths. It may be called any number of times.
type SlowCellNotifier interface {
	CellSlow()
}

// runCellReading runs job on the goroutine reading requests (it holds
// cellMu). If the cell runs longer than readHandoff, or ends this
// goroutine (runtime.Goexit), a new goroutine reads on. It reports
// whether the caller still owns the reading.
func (ws *workerServer) runCellReading(fr *frameReader, job execJob) (own bool) {
	const (
		pending = iota
		handedOver
		kept
	)
	var state atomic.Int32
	var t *time.Timer
	arm := func() {
		t = time.AfterFunc(readHandoff, func() {
			if state.CompareAndSwap(pending, handedOver) {
				ws.serve(fr)
			}
		})
	}
	if _, fast := ws.eval.(FastPaths); fast {
		ws.handoffMu.Lock()
		ws.armHandoff = arm
		ws.handoffMu.Unlock()
	} else {
		arm()
	}
	stop := func() {
		ws.handoffMu.Lock()
		ws.armHandoff = nil
		if t != nil {
			t.Stop()
		}
		ws.handoffMu.Unlock()
	}
	defer func() {
		if !own { // Goexit unwinds through here: hand the reading over
			stop()
			if state.CompareAndSwap(pending, handedOver) {
				go ws.serve(fr)
			}
		}
	}()
	ws.runCell(job, false)
	stop()
	own = state.CompareAndSwap(pending, kept)
	return own
}

// CellSlow arms the read hand-off of a cell running on the request
// reader, once (see FastPaths).
func (o *workerOutput) CellSlow() {
	ws := (*workerServer)(o)
	ws.handoffMu.Lock()
	defer ws.handoffMu.Unlock()
	if ws.armHandoff != nil {
		ws.armHandoff()
		ws.armHandoff = nil
	}
}

// runCell runs one cell, with cellMu held (it unlocks it), and reports its
// end, even if the evaluator panics or the cell calls runtime.Goexit on
// this goroutine (which then ends: the executor's is replaced when
// onExecutor).
func (ws *workerServer) runCell(job execJob, onExecutor bool) {
	returned := false
	defer ws.cellMu.Unlock()
	defer func() {
		if returned {
			return
		}
		r := recover()
		var res kernel.ExecuteResult
		if r == nil {
			res = errorResult("Goexit", "the cell called runtime.Goexit; variables are kept", nil)
			if onExecutor {
				go ws.executor() // this goroutine is ending: replace it
			}
		} else {
			res = errorResult("panic", fmt.Sprint(r)+" [recovered by the Go worker; variables are kept]",
				trimLines(string(debug.Stack()), crashMaxLines))
		}
		ws.finishExec(&res, nil)
	}()
	res, err := ws.eval.Execute(context.Background(), job.req, (*workerOutput)(ws))
	returned = true
	ws.flushDisplays()
	ws.finishExec(&res, err)
}

func trimLines(s string, n int) []string {
	var lines []string
	for len(s) > 0 && len(lines) < n {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		lines = append(lines, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return lines
}

// flushDisplays sends the updates of live display handles that rate
// limiting holds back, so that they belong to the cell that made them.
func (ws *workerServer) flushDisplays() {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(ws.stderr, "godl: flushing displays: panic: %v\n", p)
		}
	}()
	if ws.afterCell != nil {
		ws.afterCell()
	}
}

// finishExec reports the end of the cell, after the output it wrote.
func (ws *workerServer) finishExec(res *kernel.ExecuteResult, err error) {
	m := &ipcMsg{Result: res}
	if err != nil {
		m.Err = err.Error()
	}
	ws.syncSendDrain(evExecDone, 0, m, func(e error) *ipcMsg {
		// Most likely a value that JSON cannot carry (NaN, a func).
		r := errorResult("EncodingError", "the cell's result could not be sent to the kernel: "+e.Error(), nil)
		return &ipcMsg{Result: &r}
	})
}

// syncSend writes the next sync marker to stdout and stderr, then sends m
// with the marker's number: the supervisor handles m after the output
// written before it and before the output written after it. Every marker
// must be followed by its event (the stream readers wait for it), so when
// m cannot be encoded, fallback's message (or a no-op display) goes instead. Markers and events
// are sent in one critical section, so events arrive in marker order.
func (ws *workerServer) syncSend(kind msgKind, id uint32, m *ipcMsg, fallback func(error) *ipcMsg) error {
	return ws.send(kind, id, m, fallback, false)
}

// syncSendDrain is syncSend for the end of a cell: a stream whose pipe is
// empty gets no marker; the kernel instead delivers everything it has read
// from it before handling m (ipcMsg.Drain). That spares two pipe writes and
// two wake-ups of the kernel's stream readers per cell that printed
// nothing, or whose output the kernel has read already. Only the end of a
// cell may do so: text written after it may reach the kernel before m,
// which is harmless once the cell has ended but would put text after a
// display before it.
func (ws *workerServer) syncSendDrain(kind msgKind, id uint32, m *ipcMsg, fallback func(error) *ipcMsg) error {
	return ws.send(kind, id, m, fallback, true)
}

func (ws *workerServer) send(kind msgKind, id uint32, m *ipcMsg, fallback func(error) *ipcMsg, drainEmpty bool) error {
	ws.syncMu.Lock()
	defer ws.syncMu.Unlock()
	if f, ok := ws.eval.(OutputFlusher); ok {
		f.FlushOutput() // output the evaluator holds back goes before the marker
	}
	ws.seq++
	var b [syncMarkerLen]byte
	marker := appendSyncMarker(b[:0], ws.seq)
	var mask, drain uint8
	for i, f := range []*os.File{ws.stdout, ws.stderr} {
		bit := uint8(1) << i
		if drainEmpty && pipeEmpty(ws.outConns[i]) {
			drain |= bit
			continue
		}
		if _, err := f.Write(marker); err == nil {
			mask |= bit
		}
	}
	m.Seq, m.Mask, m.Drain = ws.seq, mask, drain
	err := ws.fw.send(kind, id, m)
	if err != nil {
		f := &ipcMsg{} // a no-op display: it releases the stream readers
		if fallback != nil {
			f = fallback(err)
		} else {
			kind = evDisplay
		}
		f.Seq, f.Mask, f.Drain = ws.seq, mask, drain
		ws.fw.send(kind, id, f)
	}
	return err
}

// helper answers completion, inspection and is-complete requests, so that
// they are served while a cell runs.
func (ws *workerServer) helper() {
	for job := range ws.helps {
		ws.helpMu.Lock()
		ws.help(job)
		ws.helpMu.Unlock()
	}
}

func (ws *workerServer) help(job helpJob) {
	r := &ipcMsg{}
	defer func() {
		if p := recover(); p != nil {
			r = &ipcMsg{Err: fmt.Sprintf("the Go worker panicked answering: %v", p)}
		}
		if err := ws.fw.send(evReply, job.id, r); err != nil {
			ws.fw.send(evReply, job.id, &ipcMsg{Err: err.Error()})
		}
	}()
	ctx := context.Background()
	var err error
	switch job.kind {
	case reqComplete:
		var c kernel.CompleteResult
		if cc, ok := ws.eval.(CandidateCompleter); ok && job.m.Reuse {
			c, r.Cands, r.Reuse, err = cc.CompleteCandidates(ctx, job.m.Code, job.m.Cursor)
			if r.Reuse {
				break
			}
		} else {
			c, err = ws.eval.Complete(ctx, job.m.Code, job.m.Cursor)
		}
		r.Complete = &c
	case reqInspect:
		var i kernel.InspectResult
		i, err = ws.eval.Inspect(ctx, job.m.Code, job.m.Cursor, job.m.Detail)
		r.Inspect = &i
	case reqIsComplete:
		var i kernel.IsCompleteResult
		i, err = ws.eval.IsComplete(ctx, job.m.Code)
		r.IsComplete = &i
	}
	if err != nil {
		r.Err = err.Error()
	}
}

// workerOutput is the kernel.Output the worker's evaluator writes to. Text
// goes to the worker's fd 1 and 2 like everything else; displays and input
// prompts become events, each after a stream sync so that they keep their
// place among the text.
type workerOutput workerServer

func (o *workerOutput) Stream(name, text string) {
	f := o.stdout
	if name == "stderr" {
		f = o.stderr
	}
	io.WriteString(f, text)
}

func (o *workerOutput) Display(d kernel.Display) {
	ws := (*workerServer)(o)
	err := ws.syncSend(evDisplay, 0, &ipcMsg{Display: &d}, nil)
	if err != nil {
		fmt.Fprintf(ws.stderr, "godl: a display could not be sent to the kernel: %v\n", err)
	}
}

func (o *workerOutput) ClearOutput(wait bool) {
	ws := (*workerServer)(o)
	ws.syncSend(evClear, 0, &ipcMsg{Wait: wait}, nil)
}

func (o *workerOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	ws := (*workerServer)(o)
	id, ch, done := ws.inputs.wait()
	defer done()
	if err := ws.syncSend(evInput, id, &ipcMsg{Prompt: prompt, Password: password}, nil); err != nil {
		return "", fmt.Errorf("asking the kernel for input: %w", err)
	}
	select {
	case r := <-ch:
		if r.Err != "" {
			return "", errors.New(r.Err)
		}
		return r.Text, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// fionread is Linux's FIONREAD ioctl: the number of unread bytes in a pipe
// (asked on either end).
const fionread = 0x541B

// pipeEmpty reports whether the pipe behind rc holds no unread bytes; false
// when that cannot be told.
func pipeEmpty(rc syscall.RawConn) bool {
	if rc == nil {
		return false
	}
	empty := false
	rc.Control(func(fd uintptr) {
		var n int32
		// Raw: FIONREAD never blocks, and a blocking-syscall entry
		// would wake sysmon (see internal/rawio).
		_, _, e := syscall.RawSyscall(syscall.SYS_IOCTL, fd, fionread, uintptr(unsafe.Pointer(&n)))
		empty = e == 0 && n == 0
	})
	return empty
}
