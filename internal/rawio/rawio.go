// Package rawio reads and writes non-blocking file descriptors (sockets,
// pipes) with raw system calls, waiting in the runtime's netpoller when
// they would block.
//
// Every blocking-syscall entry of a Go program wakes its sysmon thread if
// it sleeps, and sysmon then polls every 20 µs for a millisecond or more.
// A kernel that moves one small message at a time enters a system call
// for every read and write, so its sysmon never settles: on the test VMs
// it took a quarter to a third of the kernel process's CPU time, on two
// shared CPUs that the Jupyter client and the worker need too. A raw read
// or write of a non-blocking descriptor returns at once (EAGAIN when it
// would block), so it needs none of that bookkeeping.
package rawio

import (
	"io"
	"os"
	"syscall"
)

// Wrap returns an io.ReadWriter over c's descriptor using raw system
// calls, or nil where that is not possible (not Linux, or the descriptor
// is in blocking mode: a raw read of it could block a thread the runtime
// does not know is in a system call); callers then use c itself.
func Wrap(c syscall.Conn) io.ReadWriter {
	if !supported {
		return nil
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	nonblocking := false
	if err := rc.Control(func(fd uintptr) { nonblocking = isNonblocking(fd) }); err != nil || !nonblocking {
		return nil
	}
	return &conn{rc: rc}
}

// ReadFD reads non-blocking descriptor fd once, with a raw system call
// where supported; for the callbacks of syscall.RawConn.Read. A
// descriptor with nothing to read gives syscall.EAGAIN.
func ReadFD(fd uintptr, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return read(fd, p)
}

// ReadWriter returns Wrap(rw) if rw is a syscall.Conn and Wrap succeeds,
// else rw.
func ReadWriter(rw io.ReadWriter) io.ReadWriter {
	if sc, ok := rw.(syscall.Conn); ok {
		if w := Wrap(sc); w != nil {
			return w
		}
	}
	return rw
}

// conn reads and writes through syscall.RawConn: its Read and Write wait
// in the netpoller (and honour deadlines) when the callback reports that
// the descriptor is not ready.
type conn struct {
	rc syscall.RawConn
}

func (c *conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			k, e := read(fd, p)
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false
			}
			n, rerr = k, e
			return true
		}
	})
	if err == nil && rerr != nil {
		err = os.NewSyscallError("read", rerr)
	}
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (c *conn) Write(p []byte) (int, error) {
	done := 0
	var werr error
	err := c.rc.Write(func(fd uintptr) bool {
		for done < len(p) {
			k, e := write(fd, p[done:])
			switch e {
			case nil:
				done += k
				continue
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false
			}
			werr = e
			return true
		}
		return true
	})
	if err == nil && werr != nil {
		err = os.NewSyscallError("write", werr)
	}
	return done, err
}
