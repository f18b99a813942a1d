package interp

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/godl-kernel/godl/interp/worker"
)

// Output buffering.
//
// In the worker, interpreted code's stdout and stderr are the process's
// fd 1 and 2, pipes the kernel reads; compiled code (packages a cell
// calls, child processes) writes there directly, where nothing can
// intercept it. Writing every fmt.Println straight through costs one
// write(2) and one wake-up of the kernel per line: 10,000 printed lines
// took ~65 ms, most of it in the pipe. Buffering interpreted output in
// general would reorder it against compiled output
// (`fmt.Println("start"); model.Fit(...)` would show Fit's progress
// first), so the worker buffers only while a cell runs that go/types
// shows cannot write compiled output (cellWritesOnlyStreams,
// outbuf_check.go). Everything it prints then goes through the session's
// stream writers, in order, and the buffer is flushed:
//   - when it holds outBufMax bytes;
//   - outBufDelay after the first byte it took, by a timer, so that
//     output streams live while the cell runs;
//   - at the end of the cell, however it ends (returned, panicked,
//     interrupted, runtime.Goexit), before the cell's end is reported;
//   - on Session.FlushOutput, which the worker calls before each event it
//     orders against the streams (display, clear, input request);
//   - before the session asks the client for input.
//
// Output written after the cell ends (its goroutines) is unbuffered again.

const (
	outBufMax   = 32 << 10
	outBufDelay = 2 * time.Millisecond
)

// outBuffer is a write buffer in front of a fixed writer, active only
// while on. Writes go through it whether on or not, so that a write made
// after buffering stops never overtakes buffered bytes.
type outBuffer struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	buf   []byte
	timer *time.Timer
	armed bool // timer runs
}

func newOutBuffer(w io.Writer) *outBuffer { return &outBuffer{w: w} }

// Write writes p, or appends it to the buffer while buffering is on.
func (b *outBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.on {
		return b.w.Write(p)
	}
	if len(b.buf)+len(p) > outBufMax {
		b.flushLocked()
		if len(p) >= outBufMax {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	if !b.armed {
		b.armed = true
		if b.timer == nil {
			b.timer = time.AfterFunc(outBufDelay, b.timed)
		} else {
			b.timer.Reset(outBufDelay)
		}
	}
	return len(p), nil
}

// timed is the timer's flush.
func (b *outBuffer) timed() {
	b.mu.Lock()
	b.armed = false
	b.flushLocked()
	b.mu.Unlock()
}

// flushLocked writes out what the buffer holds (b.mu held). A write
// error goes unreported: the writes it held reported success already,
// and the kernel that closed the pipe is gone.
func (b *outBuffer) flushLocked() {
	if len(b.buf) == 0 {
		return
	}
	b.w.Write(b.buf)
	if cap(b.buf) > 4*outBufMax {
		b.buf = nil
	} else {
		b.buf = b.buf[:0]
	}
}

// flush writes out what the buffer holds.
func (b *outBuffer) flush() {
	b.mu.Lock()
	b.flushLocked()
	b.mu.Unlock()
}

// setBuffering turns buffering on or off; turning it off flushes.
func (b *outBuffer) setBuffering(on bool) {
	b.mu.Lock()
	if !on {
		b.flushLocked()
		if b.armed && b.timer.Stop() {
			b.armed = false
		}
	}
	b.on = on
	b.mu.Unlock()
}

// FlushOutput writes out the interpreted output the session holds back
// (see outbuf.go): a process that writes anything ordered against the
// session's streams to their file descriptors by other means (the
// worker's sync markers before a display or input request) calls it
// first. It is safe to call at any time, from any goroutine.
func (s *Session) FlushOutput() {
	for _, w := range []*streamWriter{s.stdout, s.stderr} {
		if w != nil && w.buf != nil {
			w.buf.flush()
		}
	}
}

var _ worker.OutputFlusher = (*Session)(nil)

// setBuffered turns buffering of the fixed stream writers on or off.
func (s *Session) setBuffered(on bool) {
	for _, w := range []*streamWriter{s.stdout, s.stderr} {
		if w.buf != nil {
			w.buf.setBuffering(on)
		}
	}
}

// executeOut runs a prepared cell as execute does, with its interpreted
// output buffered when cell n (orig: its Go source as lowered) writes
// only through the session's streams.
func (s *Session) executeOut(ctx context.Context, cc *compiled, orig string, n int) error {
	if s.stdout.buf == nil || !s.cellWritesOnlyStreams(orig, n) {
		return s.execute(ctx, cc)
	}
	s.setBuffered(true)
	defer s.setBuffered(false)
	return s.execute(ctx, cc)
}
