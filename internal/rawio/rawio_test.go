package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"testing"
	"time"
)

func TestWrapRefusesBlockingDescriptors(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if runtime.GOOS == "linux" && Wrap(r) == nil {
		t.Fatal("Wrap of a pollable (non-blocking) pipe returned nil")
	}
	r.Fd() // puts the descriptor in blocking mode
	if Wrap(r) != nil {
		t.Fatal("Wrap of a blocking descriptor: a raw read could block a thread")
	}
	if got := ReadWriter(r); got != io.ReadWriter(r) {
		t.Fatal("ReadWriter of a blocking descriptor is not the file itself")
	}
}

// TestRoundTrip moves more than a pipe or socket buffer holds, so that
// writes meet EAGAIN and wait in the netpoller, then checks EOF.
func TestRoundTrip(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("raw I/O is implemented on Linux only")
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	cw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cr := <-accepted
	tests := []struct {
		name string
		r, w io.ReadWriteCloser
	}{
		{"pipe", pr, pw},
		{"tcp", cr, cw},
	}
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>9)
	}
	for _, tt := range tests {
		rr, rw := ReadWriter(tt.r), ReadWriter(tt.w)
		if _, ok := rr.(*conn); !ok {
			t.Fatalf("%s: not wrapped", tt.name)
		}
		errc := make(chan error, 1)
		go func() {
			n, err := rw.Write(data)
			if err == nil && n != len(data) {
				err = io.ErrShortWrite
			}
			errc <- err
			tt.w.Close()
		}()
		got, err := io.ReadAll(rr)
		if err != nil {
			t.Fatalf("%s: read: %v", tt.name, err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("%s: write: %v", tt.name, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%s: read %d bytes, not what was written (%d bytes)", tt.name, len(got), len(data))
		}
		tt.r.Close()
		if _, err := rr.Read(make([]byte, 1)); err == nil {
			t.Errorf("%s: read after close succeeded", tt.name)
		}
	}
}

func TestReadDeadline(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("raw I/O is implemented on Linux only")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	rr := ReadWriter(r)
	r.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err = rr.Read(make([]byte, 10))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	r.SetReadDeadline(time.Time{})
	w.Write([]byte("ok"))
	buf := make([]byte, 10)
	n, err := rr.Read(buf)
	if err != nil || string(buf[:n]) != "ok" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
}
