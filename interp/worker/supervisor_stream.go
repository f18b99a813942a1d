package worker

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/godl-kernel/godl/internal/rawio"
)

// Stream coalescing: output is delivered at most streamFlushDelay after its
// first byte arrives, or at once when streamFlushSize bytes are waiting, when
// a sync marker arrives, or at end of file. A burst of many small writes thus
// becomes a few Stream calls, and a line printed alone still shows at once.
const (
	streamFlushDelay = 4 * time.Millisecond
	streamFlushSize  = 32 << 10
)

// streamSplitter turns the bytes read from one of the worker's output pipes
// into text chunks and sync markers. It holds back a possible marker prefix
// at the end of a read and, when flushing on a timer or size, an incomplete
// UTF-8 sequence, so that no rune is ever split between two chunks.
type streamSplitter struct {
	carry   []byte // possible start of a marker, waiting for more bytes
	pending []byte // text not yet delivered
	emit    func(text string)
	synced  func(seq uint64)
}

// write processes newly read bytes.
func (sp *streamSplitter) write(data []byte) {
	if len(sp.carry) > 0 {
		data = append(sp.carry, data...)
		sp.carry = nil
	}
	for len(data) > 0 {
		i := bytes.Index(data, syncPrefix)
		if i < 0 {
			k := partialPrefixLen(data)
			sp.pending = append(sp.pending, data[:len(data)-k]...)
			if k > 0 {
				sp.carry = append([]byte(nil), data[len(data)-k:]...)
			}
			return
		}
		if len(data)-i < syncMarkerLen {
			sp.pending = append(sp.pending, data[:i]...)
			sp.carry = append([]byte(nil), data[i:]...)
			return
		}
		seq, ok := parseSyncMarker(data[i : i+syncMarkerLen])
		if !ok { // looks like a marker but is not: plain text
			sp.pending = append(sp.pending, data[:i+1]...)
			data = data[i+1:]
			continue
		}
		sp.pending = append(sp.pending, data[:i]...)
		sp.flush(true)
		sp.synced(seq)
		data = data[i+syncMarkerLen:]
	}
}

// partialPrefixLen returns the length of the longest suffix of b that is a
// proper prefix of syncPrefix.
func partialPrefixLen(b []byte) int {
	n := min(len(b), len(syncPrefix)-1)
	for k := n; k > 0; k-- {
		if bytes.Equal(b[len(b)-k:], syncPrefix[:k]) {
			return k
		}
	}
	return 0
}

// flush delivers pending text. Unless all is set, an incomplete UTF-8
// sequence at the end stays pending for the next read.
func (sp *streamSplitter) flush(all bool) {
	n := len(sp.pending)
	if !all {
		n -= incompleteRuneTail(sp.pending)
	}
	if n == 0 {
		return
	}
	sp.emit(string(sp.pending[:n]))
	rest := copy(sp.pending, sp.pending[n:])
	sp.pending = sp.pending[:rest]
	if cap(sp.pending) > 4*streamFlushSize {
		sp.pending = append([]byte(nil), sp.pending...)
	}
}

// finish delivers everything, including a held-back marker prefix.
func (sp *streamSplitter) finish() {
	sp.pending = append(sp.pending, sp.carry...)
	sp.carry = nil
	sp.flush(true)
}

// incompleteRuneTail returns how many bytes at the end of b start a UTF-8
// sequence that is not complete yet (0 if none, or if they can never form a
// valid rune: those go out as they are).
func incompleteRuneTail(b []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}

// readStream reads one output pipe of worker w until end of file (or until
// the file is closed), delivering text to the supervisor and recording the
// sync markers it passes.
//
// It also counts its reads for drains (ipcMsg.Drain): a read is numbered
// before its system call, and the number is recorded as finished once
// everything it read has been delivered. When a drain is wanted, text held
// back for coalescing goes out at once.
func (w *workerProc) readStream(idx int, f *os.File, name string) {
	sp := &streamSplitter{
		emit: func(text string) {
			if idx == 1 {
				w.recordStderr(text)
			}
			w.s.stream(name, text)
		},
	}
	var gen uint64 // number of the current read
	sp.synced = func(seq uint64) { w.markSynced(idx, seq, gen) }
	rc, rcErr := f.SyscallConn()
	buf := make([]byte, 64<<10)
	var deadline bool
	for {
		if len(sp.pending) > 0 && len(sp.pending) > incompleteRuneTail(sp.pending) {
			if !deadline {
				f.SetReadDeadline(time.Now().Add(streamFlushDelay))
				deadline = true
			}
		} else if deadline {
			f.SetReadDeadline(time.Time{})
			deadline = false
		}
		var n int
		var err error
		if rcErr != nil {
			gen = w.startRead(idx)
			n, err = f.Read(buf)
		} else {
			var rerr error
			err = rc.Read(func(fd uintptr) bool {
				for {
					gen = w.startRead(idx)
					n, rerr = rawio.ReadFD(fd, buf)
					if rerr != syscall.EINTR {
						break
					}
				}
				if rerr == syscall.EAGAIN {
					// Nothing read: what was read before is delivered
					// (or goes now, when a drain waits for it).
					w.readDone(idx, gen, sp, false)
					return false
				}
				return true
			})
			if err == nil {
				switch {
				case rerr != nil:
					err = rerr
				case n == 0:
					err = io.EOF
				}
			}
			if n < 0 {
				n = 0
			}
		}
		if n > 0 {
			sp.write(buf[:n])
			if len(sp.pending) >= streamFlushSize {
				sp.flush(false)
			}
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				sp.flush(false)
				deadline = false
				f.SetReadDeadline(time.Time{})
				w.readDone(idx, gen, sp, false)
				continue
			}
			sp.finish()
			w.smu.Lock()
			w.reached[idx] = ^uint64(0)
			w.smu.Unlock()
			w.scond.Broadcast()
			return
		}
		w.readDone(idx, gen, sp, n == len(buf))
	}
}

// startRead numbers the next read of stream idx.
func (w *workerProc) startRead(idx int) uint64 {
	w.smu.Lock()
	defer w.smu.Unlock()
	w.readsStarted[idx]++
	return w.readsStarted[idx]
}

// readDone records that read gen of stream idx and those before it are
// delivered, unless text is still held back. When a drain waits, held text
// is delivered first; a held possible marker prefix too, unless the read
// filled the buffer (then the rest of a marker may still be in the pipe:
// a marker is one atomic write, so a read that did not fill the buffer
// never ends inside one).
func (w *workerProc) readDone(idx int, gen uint64, sp *streamSplitter, full bool) {
	w.smu.Lock()
	want := w.drainWant[idx]
	w.smu.Unlock()
	if want {
		if full {
			sp.flush(true)
		} else {
			sp.finish()
		}
	}
	if len(sp.pending) > 0 || len(sp.carry) > 0 {
		return
	}
	w.smu.Lock()
	if gen > w.readsFinished[idx] {
		w.readsFinished[idx] = gen
	}
	w.smu.Unlock()
	w.scond.Broadcast()
}
