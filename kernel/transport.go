package kernel

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"

	"github.com/godl-kernel/godl/internal/prebind"
	"github.com/godl-kernel/godl/internal/rawio"
)

// zmq4 reads each frame header and body with separate unbuffered reads,
// and its ROUTER writes each frame of a reply with two writes: a
// seven-frame Jupyter message costs some thirty system calls. The
// transports registered here carry the same ZMTP bytes over the same
// networks, but read through a buffer and write each whole message with
// one call. They are registered once in zmq4's process-wide transport
// registry (the only way zmq4 offers to plug a transport in).
//
// The "burst" variants write a message once the sender has yielded, so
// that messages sent together leave together (iopub); the others write
// each message as soon as it is complete (replies).
const (
	bufferedTCP = "godl-tcp"
	bufferedIPC = "godl-ipc"
	burstTCP    = "godl-tcp-burst"
	burstIPC    = "godl-ipc-burst"
)

func init() {
	for name, t := range map[string]bufferedTransport{
		bufferedTCP: {network: "tcp"}, bufferedIPC: {network: "unix"},
		burstTCP: {network: "tcp", burst: true}, burstIPC: {network: "unix", burst: true},
	} {
		if err := zmq4.RegisterTransport(name, t); err != nil {
			panic(fmt.Sprintf("kernel: register zmq4 transport %s: %v", name, err))
		}
	}
}

// BufferedEndpoint returns the endpoint of port for zmq4 sockets using this
// package's buffered transport: the wire protocol is plain ZMTP over tcp
// or ipc, so peers may use any ZeroMQ library; only the local side is
// faster than with Endpoint.
func (ci ConnectionInfo) BufferedEndpoint(port int) string {
	return ci.transportEndpoint(port, bufferedTCP, bufferedIPC)
}

// burstEndpoint is BufferedEndpoint with the transport that writes
// messages sent together in one system call.
func (ci ConnectionInfo) burstEndpoint(port int) string {
	return ci.transportEndpoint(port, burstTCP, burstIPC)
}

func (ci ConnectionInfo) transportEndpoint(port int, tcp, ipc string) string {
	ep := ci.Endpoint(port)
	switch {
	case len(ep) > 6 && ep[:6] == "tcp://":
		return tcp + ep[3:]
	case len(ep) > 6 && ep[:6] == "ipc://":
		return ipc + ep[3:]
	}
	return ep
}

// bufferedTransport is a zmq4 transport over network whose connections
// are wrapped by bufferedConn.
type bufferedTransport struct {
	network string // "tcp" or "unix"
	burst   bool   // write from a flusher goroutine (bufferedConn.burst)
}

func (t bufferedTransport) Dial(ctx context.Context, dialer transport.Dialer, addr string) (net.Conn, error) {
	c, err := dialer.DialContext(ctx, t.network, addr)
	if err != nil {
		return nil, err
	}
	return newBufferedConn(c, t.burst), nil
}

func (t bufferedTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	if t.network == "tcp" {
		// The port may have been bound before main (internal/prebind).
		if fd, ok := prebind.Take(addr); ok {
			f := os.NewFile(uintptr(fd), "prebound "+addr)
			l, err := net.FileListener(f)
			f.Close()
			if err == nil {
				return bufferedListener{l, t.burst}, nil
			}
		}
	}
	l, err := net.Listen(t.network, addr)
	if err != nil {
		return nil, err
	}
	return bufferedListener{l, t.burst}, nil
}

// Addr resolves "*" hosts and ports as zmq4's tcp transport does.
func (t bufferedTransport) Addr(ep string) (string, error) {
	if t.network != "tcp" {
		return ep, nil
	}
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		return "", err
	}
	if port == "*" || port == "" {
		port = "0"
	}
	if host == "*" || host == "" {
		host = "0.0.0.0"
	}
	return net.JoinHostPort(host, port), nil
}

type bufferedListener struct {
	net.Listener
	burst bool
}

func (l bufferedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newBufferedConn(c, l.burst), nil
}

// greetingLen is the size of the ZMTP 3 greeting that precedes framing.
const greetingLen = 64

// ZMTP frame flags.
const (
	flagMore = 0x01
	flagLong = 0x02
)

// maxPending bounds how much of a multi-frame message is held before
// being written.
const maxPending = 1 << 20

// bufferedConn reads through a buffer and holds written bytes until a
// ZMTP frame without the MORE flag (the end of a message or a command) is
// complete, then writes them at once; with burst, its flusher goroutine
// writes what is held once the goroutine writing messages has yielded:
// messages sent in a burst (status busy and execute_input,
// execute_result and status idle) leave in one system call and reach the
// client together. It parses the framing of what it is given and never
// changes a byte.
type bufferedConn struct {
	net.Conn
	raw io.ReadWriter // c's reads and writes (internal/rawio)
	r   *bufio.Reader
	in  frameScanner // of what is read

	mu       sync.Mutex
	greeted  int // greeting bytes written so far
	buf      []byte
	state    int // 0: flags byte, 1: size bytes, 2: body
	flags    byte
	sizeLeft int    // size bytes still to come
	size     uint64 // body size being assembled
	bodyLeft uint64
	burst    bool
	kick     chan struct{} // wakes the flusher; nil until the first message
	werr     error         // the flusher's write error, reported by Write
	closed   bool
}

func newBufferedConn(c net.Conn, burst bool) *bufferedConn {
	raw := rawio.ReadWriter(c)
	return &bufferedConn{Conn: c, raw: raw, r: bufio.NewReaderSize(raw, 32<<10), burst: burst}
}

// maxFrame is the largest incoming frame accepted. zmq4 allocates a
// frame's announced size before reading it, so one bogus 8-byte length
// from a peer would otherwise crash the kernel.
const maxFrame = 1 << 30

// Read reads through the buffer and checks the size of each incoming
// frame; a frame over maxFrame ends the connection with an error.
func (c *bufferedConn) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		if serr := c.in.scan(p[:n]); serr != nil {
			return 0, serr
		}
	}
	return n, err
}

// frameScanner follows the ZMTP framing of a byte stream.
type frameScanner struct {
	greeted  int
	state    int // 0: flags byte, 1: size bytes, 2: body
	sizeLeft int
	size     uint64
	bodyLeft uint64
}

func (s *frameScanner) scan(p []byte) error {
	for len(p) > 0 {
		if s.greeted < greetingLen {
			k := min(greetingLen-s.greeted, len(p))
			s.greeted += k
			p = p[k:]
			continue
		}
		switch s.state {
		case 0:
			s.state, s.size, s.sizeLeft = 1, 0, 1
			if p[0]&flagLong != 0 {
				s.sizeLeft = 8
			}
			p = p[1:]
		case 1:
			k := min(s.sizeLeft, len(p))
			for _, b := range p[:k] {
				s.size = s.size<<8 | uint64(b)
			}
			p = p[k:]
			if s.sizeLeft -= k; s.sizeLeft == 0 {
				if s.size > maxFrame {
					return fmt.Errorf("kernel: peer announced a %d-byte frame (limit %d): connection closed", s.size, maxFrame)
				}
				s.state, s.bodyLeft = 2, s.size
				if s.size == 0 {
					s.state = 0
				}
			}
		case 2:
			k := uint64(len(p))
			if k > s.bodyLeft {
				k = s.bodyLeft
			}
			p = p[k:]
			if s.bodyLeft -= k; s.bodyLeft == 0 {
				s.state = 0
			}
		}
	}
	return nil
}

func (c *bufferedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.werr != nil {
		return 0, c.werr
	}
	if c.closed {
		return 0, net.ErrClosed
	}
	n := len(p)
	for len(p) > 0 {
		if c.greeted < greetingLen {
			k := min(greetingLen-c.greeted, len(p))
			if _, err := c.raw.Write(p[:k]); err != nil {
				return 0, err
			}
			c.greeted += k
			p = p[k:]
			continue
		}
		switch c.state {
		case 0:
			c.flags = p[0]
			c.buf = append(c.buf, p[0])
			p = p[1:]
			c.state, c.size, c.sizeLeft = 1, 0, 1
			if c.flags&flagLong != 0 {
				c.sizeLeft = 8
			}
		case 1:
			k := min(c.sizeLeft, len(p))
			for _, b := range p[:k] {
				c.size = c.size<<8 | uint64(b)
			}
			c.buf = append(c.buf, p[:k]...)
			p = p[k:]
			if c.sizeLeft -= k; c.sizeLeft == 0 {
				c.state, c.bodyLeft = 2, c.size
				if c.size == 0 {
					if err := c.frameDone(); err != nil {
						return 0, err
					}
				}
			}
		case 2:
			k := len(p)
			if uint64(k) > c.bodyLeft {
				k = int(c.bodyLeft)
			}
			c.buf = append(c.buf, p[:k]...)
			p = p[k:]
			if c.bodyLeft -= uint64(k); c.bodyLeft == 0 {
				if err := c.frameDone(); err != nil {
					return 0, err
				}
			}
		}
	}
	return n, nil
}

// frameDone ends a frame. At the end of a message the bytes are written,
// or with burst the flusher is woken; when too many bytes are held they
// are written at once.
func (c *bufferedConn) frameDone() error {
	c.state = 0
	if len(c.buf) >= maxPending {
		return c.writeHeld()
	}
	if c.flags&flagMore != 0 {
		return nil
	}
	if !c.burst {
		return c.writeHeld()
	}
	if c.kick == nil {
		c.kick = make(chan struct{}, 1)
		go c.flusher(c.kick)
	}
	select {
	case c.kick <- struct{}{}:
	default: // already woken
	}
	return nil
}

// writeHeld writes the bytes held, with c.mu held.
func (c *bufferedConn) writeHeld() error {
	if len(c.buf) == 0 || c.werr != nil {
		return c.werr
	}
	_, err := c.raw.Write(c.buf)
	if cap(c.buf) > maxPending {
		c.buf = nil
	} else {
		c.buf = c.buf[:0]
	}
	if err != nil {
		c.werr = err
	}
	return err
}

// flusher writes what is held each time it is woken, until Close.
func (c *bufferedConn) flusher(kick <-chan struct{}) {
	for range kick {
		c.mu.Lock()
		if err := c.writeHeld(); err != nil {
			// zmq4 learns of it from its next write, or from the read
			// side of the closed connection.
			c.Conn.Close()
		}
		c.mu.Unlock()
	}
}

// closeFlushTimeout bounds how long Close waits to write what is held to
// a peer that does not read.
const closeFlushTimeout = time.Second

// Close writes what is held, then closes the connection.
func (c *bufferedConn) Close() error {
	// The deadline also ends a flusher's write blocked on a peer that
	// does not read, which holds c.mu.
	c.Conn.SetWriteDeadline(time.Now().Add(closeFlushTimeout))
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.writeHeld()
		c.buf = nil
		if c.kick != nil {
			close(c.kick)
		}
	}
	c.mu.Unlock()
	return c.Conn.Close()
}
