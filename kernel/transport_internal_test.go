package kernel

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// countingWriter records each write it is given.
type countingWriter struct {
	mu     sync.Mutex
	writes [][]byte
	io.Reader
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, append([]byte(nil), p...))
	return len(p), nil
}

func (w *countingWriter) snapshot() [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][]byte(nil), w.writes...)
}

// zmtpFrame encodes one short ZMTP frame.
func zmtpFrame(body string, more bool) []byte {
	flags := byte(0)
	if more {
		flags = flagMore
	}
	return append([]byte{flags, byte(len(body))}, body...)
}

func TestBufferedConnWrites(t *testing.T) {
	// As in the kernel process: the flusher runs once the writer yields,
	// not in parallel on another P.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	greeting := bytes.Repeat([]byte{0x7f}, greetingLen)
	msg := func(parts ...string) []byte {
		var b []byte
		for i, p := range parts {
			b = append(b, zmtpFrame(p, i < len(parts)-1)...)
		}
		return b
	}
	tests := []struct {
		name       string
		burst      bool
		msgs       [][]byte // each written with one Write per frame byte run
		wantWrites int      // after the burst, greeting excluded
	}{
		{"one message", true, [][]byte{msg("a", "b", "c")}, 1},
		{"a burst of two", true, [][]byte{msg("busy", "x"), msg("execute_input", "y")}, 1},
		{"a burst of four", true, [][]byte{msg("1"), msg("2", "2"), msg("3"), msg("4", "4", "4")}, 1},
		{"without burst: one message", false, [][]byte{msg("a", "b", "c")}, 1},
		{"without burst: each message", false, [][]byte{msg("1"), msg("2", "2"), msg("3")}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer b.Close()
			cw := &countingWriter{Reader: a}
			c := &bufferedConn{Conn: a, raw: cw, burst: tt.burst}
			if _, err := c.Write(greeting); err != nil {
				t.Fatal(err)
			}
			var want []byte
			for _, m := range tt.msgs {
				want = append(want, m...)
				// zmq4 writes a message frame by frame, split further
				// here to exercise the framing state.
				for i := 0; i < len(m); i += 3 {
					if _, err := c.Write(m[i:min(i+3, len(m))]); err != nil {
						t.Fatal(err)
					}
				}
			}
			deadline := time.Now().Add(5 * time.Second)
			for len(cw.snapshot()) < 1+tt.wantWrites && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(10 * time.Millisecond) // let a wrong extra write show
			w := cw.snapshot()
			if len(w) != 1+tt.wantWrites {
				t.Fatalf("%d writes after the greeting, want %d", len(w)-1, tt.wantWrites)
			}
			if !bytes.Equal(w[0], greeting) {
				t.Errorf("first write %q is not the greeting", w[0])
			}
			if got := bytes.Join(w[1:], nil); !bytes.Equal(got, want) {
				t.Errorf("wrote %q, want %q", got, want)
			}
			// Close writes what is held: a message without its last frame.
			if _, err := c.Write(zmtpFrame("partial", true)); err != nil {
				t.Fatal(err)
			}
			c.Close()
			w = cw.snapshot()
			if last := w[len(w)-1]; !bytes.Equal(last, zmtpFrame("partial", true)) {
				t.Errorf("Close wrote %q last, want the held partial frame", last)
			}
			if _, err := c.Write(zmtpFrame("late", false)); err == nil {
				t.Error("Write after Close succeeded")
			}
		})
	}
}
