package interp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"sync"
	"time"

	"github.com/godl-kernel/godl/kernel"
)

// streamWriter is the io.Writer that interpreted code's standard output
// or error goes to (yaegi's Options.Stdout/Stderr, !command output). It
// forwards to a fixed writer (the worker's fd 1 or 2, through an
// outBuffer: outbuf.go) or, in-process, to the Output of the cell that is
// running, or the last one that ran, so that goroutine output arriving
// after its cell ended is not lost.
//
// yaegi prints one "pos: panic: fn(...)" line per interpreted frame to
// its stderr while a panic unwinds; the stderr writer diverts those lines
// into the cell's traceback.
type streamWriter struct {
	name string     // "stdout" or "stderr"
	buf  *outBuffer // non-nil: write to the fixed writer, through this
	s    *Session
}

// newStreamWriter returns the writer of stream name ("stdout" or
// "stderr") of s, writing to fixed if not nil (buffered while a cell
// that writes only through the session's streams runs: outbuf.go).
func newStreamWriter(name string, fixed io.Writer, s *Session) *streamWriter {
	w := &streamWriter{name: name, s: s}
	if fixed != nil {
		w.buf = newOutBuffer(fixed)
	}
	return w
}

// panicLine matches yaegi's frame lines: "cell3:2:5: panic: main.f(...)".
// Frames of generated code have no file name ("1:28").
var panicLine = regexp.MustCompile(`^((?:\S+:)?\d+:\d+): panic: (\S+)\(\.\.\.\)\n$`)

func (w *streamWriter) Write(p []byte) (int, error) {
	if w.name == "stderr" && bytes.HasSuffix(p, []byte("(...)\n")) {
		if m := panicLine.FindSubmatch(p); m != nil && w.s.capturePanicFrame(string(m[1]), string(m[2])) {
			return len(p), nil
		}
	}
	if w.buf != nil {
		return w.buf.Write(p)
	}
	if out := w.s.currentOutput(); out != nil {
		out.Stream(w.name, string(p))
	}
	return len(p), nil
}

// errNoStdin is what reading standard input fails with when the client
// does not allow input requests.
var errNoStdin = errors.New("standard input is not available: this client does not allow input requests (allow_stdin is false)")

// stdinReader is interpreted code's standard input (yaegi Options.Stdin
// and os.Stdin): each read that finds its buffer empty asks the client
// for a line through Output.Input.
type stdinReader struct {
	s   *Session
	mu  sync.Mutex
	buf []byte
}

func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		out, ctx, allow := r.s.inputTarget()
		if out == nil || !allow {
			return 0, errNoStdin
		}
		// The prompt printed before must reach the client before the
		// input request does.
		r.s.FlushOutput()
		line, err := out.Input(ctx, "", false)
		if err != nil {
			return 0, err
		}
		r.buf = append(r.buf, line...)
		r.buf = append(r.buf, '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// reset drops unread input (at the start of each cell).
func (r *stdinReader) reset() {
	r.mu.Lock()
	r.buf = nil
	r.mu.Unlock()
}

// currentOutput returns the Output streams go to now.
func (s *Session) currentOutput() kernel.Output {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	return s.out
}

// inputTarget returns the Output, context and stdin permission of the
// running cell.
func (s *Session) inputTarget() (kernel.Output, context.Context, bool) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if !s.running {
		return nil, nil, false
	}
	return s.out, s.runCtx, s.allowStdin
}

// capturePanicFrame records one frame of a panicking cell; it reports
// false when no cell is running (the line is then ordinary output).
func (s *Session) capturePanicFrame(pos, fn string) bool {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if !s.running {
		// The frames of an interrupted cell's panic, printed after the
		// cell ended, belong to no cell: its error is reported already.
		return time.Now().Before(s.unwindUntil)
	}
	s.frames = append(s.frames, panicFrame{pos: pos, fn: fn})
	return true
}

// unwindGrace is how long after an interrupt yaegi's frame lines are
// taken as the interrupted cell's.
const unwindGrace = 2 * time.Second

// panicFrame is one interpreted frame of a panic.
type panicFrame struct{ pos, fn string }
