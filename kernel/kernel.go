package kernel

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/godl-kernel/godl/internal/prebind"
)

// Config is what New needs to start a kernel.
type Config struct {
	// Connection says where to bind and how to sign (see ReadConnectionFile).
	Connection ConnectionInfo
	// Evaluator runs the code. The kernel closes it when Run returns.
	Evaluator Evaluator
	// Info describes the language for kernel_info_reply.
	Info Info
	// Log receives diagnostics (dropped messages, unknown message types);
	// nil means os.Stderr.
	Log io.Writer
}

// Kernel serves the Jupyter messaging protocol (version 5.4) on the five
// sockets of a connection file and forwards the work to an Evaluator.
type Kernel struct {
	cfg      Config
	conn     ConnectionInfo // with the ports actually bound
	codec    *Codec
	log      *log.Logger
	session  string
	username string
	seq      atomic.Uint64

	sockCancel context.CancelFunc
	shell      zmq4.Socket
	control    zmq4.Socket
	stdin      zmq4.Socket
	iopub      zmq4.Socket
	hb         zmq4.Socket
	pub        *publisher

	comms   *Comms
	history *history
	exec    *executor
	loops   sync.WaitGroup // the goroutines serving sockets

	// inputMu allows one input_request at a time; inputReplies carries
	// input_reply messages from the stdin loop to the waiting Input.
	inputMu      sync.Mutex
	inputReplies chan *Message

	cell       atomic.Pointer[cellOutput] // the running cell, for Interrupt
	lastParent atomic.Pointer[[]byte]     // header of the last shell request

	started  atomic.Bool
	runCtx   context.Context
	stop     chan struct{}
	stopOnce sync.Once
	restart  atomic.Bool
	// restartAsked carries shutdown_request's restart to requestStop.
	restartAsked atomic.Bool
}

// sendTimeout bounds how long a send may block in zmq4 (a
// ROUTER send waits for a first peer to connect).
const sendTimeout = 5 * time.Second

// New binds the five sockets of cfg.Connection and returns a kernel ready
// to Run. Ports of 0 (tcp) are bound to free ports; see Connection.
func New(cfg Config) (*Kernel, error) {
	if cfg.Evaluator == nil {
		return nil, errors.New("kernel: New: Config.Evaluator is nil")
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	conn := cfg.Connection
	if err := conn.Validate(); err != nil {
		return nil, fmt.Errorf("kernel: connection: %w", err)
	}
	codec, err := NewCodec(conn.SignatureScheme, []byte(conn.Key))
	if err != nil {
		return nil, err
	}
	k := &Kernel{
		cfg:          cfg,
		codec:        codec,
		log:          log.New(cfg.Log, "godl kernel: ", log.LstdFlags),
		session:      newID(),
		username:     "kernel",
		comms:        newComms(),
		history:      newHistory(),
		inputReplies: make(chan *Message, 1),
		stop:         make(chan struct{}),
	}
	k.comms.k = k
	k.exec = newExecutor(k)
	if u := os.Getenv("USER"); u != "" {
		k.username = u
	}
	if !codec.Signed() {
		k.log.Printf("warning: the connection key is empty: messages are neither signed nor checked")
	}

	ctx, cancel := context.WithCancel(context.Background())
	k.sockCancel = cancel
	zlog := log.New(cfg.Log, "godl kernel: zmq4: ", log.LstdFlags)
	opts := []zmq4.Option{zmq4.WithLogger(zlog), zmq4.WithTimeout(sendTimeout)}
	k.shell = zmq4.NewRouter(ctx, opts...)
	k.control = zmq4.NewRouter(ctx, opts...)
	k.stdin = zmq4.NewRouter(ctx, opts...)
	k.iopub = zmq4.NewPub(ctx, opts...)
	// jupyter_client's heartbeat is a REQ socket sending b"ping" and
	// expecting it back. Like ipykernel (a ROUTER-to-itself queue device),
	// we echo with a ROUTER: zmq4's REP keeps one reply state for all
	// peers, which mixes up concurrent clients.
	k.hb = zmq4.NewRouter(ctx, opts...)
	binds := []struct {
		sock zmq4.Socket
		port *int
		name string
	}{
		{k.shell, &conn.ShellPort, "shell"}, {k.control, &conn.ControlPort, "control"},
		{k.stdin, &conn.StdinPort, "stdin"}, {k.iopub, &conn.IOPubPort, "iopub"},
		{k.hb, &conn.HBPort, "heartbeat"},
	}
	k.conn = conn // for closeSockets on failure
	for _, b := range binds {
		ep := conn.Endpoint(*b.port)
		if conn.Transport == "ipc" {
			// libzmq replaces a stale socket file of a dead kernel too.
			_ = os.Remove(ep[len("ipc://"):])
		}
		lep := conn.BufferedEndpoint(*b.port)
		if b.sock == k.iopub {
			lep = conn.burstEndpoint(*b.port)
		}
		if err := b.sock.Listen(lep); err != nil {
			k.closeSockets()
			return nil, fmt.Errorf("kernel: bind %s socket to %s: %w", b.name, ep, err)
		}
		if a, ok := b.sock.Addr().(*net.TCPAddr); ok {
			*b.port = a.Port
		}
	}
	// Ports bound before main for another address are of no use now.
	prebind.CloseAll()
	k.conn = conn
	k.pub = newPublisher(k, k.iopub)
	return k, nil
}

// Connection returns the connection information with the ports actually
// bound (useful when the configuration asked for port 0).
func (k *Kernel) Connection() ConnectionInfo { return k.conn }

// Comms returns the registry of comm targets of this kernel.
func (k *Kernel) Comms() *Comms { return k.comms }

// Interrupt stops the running cell: it calls the evaluator's Interrupt and
// cancels a pending input request. main calls it on SIGINT; an
// interrupt_request on the control channel does the same.
func (k *Kernel) Interrupt() error {
	if c := k.cell.Load(); c != nil {
		c.interrupt()
	}
	if err := k.cfg.Evaluator.Interrupt(); err != nil {
		return fmt.Errorf("kernel: interrupt: %w", err)
	}
	return nil
}

// Run serves requests until a shutdown_request arrives or ctx is done.
// Then it stops the running cell, closes the evaluator, flushes iopub and
// closes the sockets. It reports whether the shutdown_request asked for a
// restart (the caller decides what restarting means; jupyter_client
// restarts the process). The end of ctx is a clean stop: restart false and
// a nil error. The error reports a failure to close the evaluator. Run may
// be called once.
func (k *Kernel) Run(ctx context.Context) (restart bool, err error) {
	if !k.started.CompareAndSwap(false, true) {
		return false, errors.New("kernel: Run called twice")
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	k.runCtx = runCtx

	go k.pub.run()
	k.pub.publish("status", emptyObject, statusStarting)

	loops := &k.loops
	loops.Add(4)
	go func() { defer loops.Done(); k.serveHeartbeat() }()
	go func() { defer loops.Done(); k.serveRequests(k.control, "control") }()
	go func() { defer loops.Done(); k.serveRequests(k.shell, "shell") }()
	go func() { defer loops.Done(); k.serveStdin() }()
	execDone := make(chan struct{})
	go func() { defer close(execDone); k.exec.run(runCtx) }()

	select {
	case <-ctx.Done():
	case <-k.stop:
	}
	cancel()
	if c := k.cell.Load(); c != nil {
		c.interrupt()
		_ = k.cfg.Evaluator.Interrupt()
	}
	closeErr := k.cfg.Evaluator.Close()
	stopBy := time.Now().Add(3 * time.Second)
	select {
	case <-execDone:
	case <-time.After(time.Until(stopBy)):
	}
	if !k.exec.waitIdle(stopBy) {
		k.log.Printf("the running cell did not stop within 3s of shutdown; closing anyway")
	}
	k.pub.close()
	// zmq4 hands PUB messages to connections on its own goroutine; give it
	// a moment so that the last status and shutdown_reply reach subscribers.
	time.Sleep(50 * time.Millisecond)
	k.closeSockets()
	loops.Wait()
	if closeErr != nil {
		return k.restart.Load(), fmt.Errorf("kernel: close evaluator: %w", closeErr)
	}
	return k.restart.Load(), nil
}

// requestStop makes Run return.
func (k *Kernel) requestStop(restart bool) {
	k.stopOnce.Do(func() {
		k.restart.Store(restart)
		close(k.stop)
	})
}

func (k *Kernel) closeSockets() {
	k.sockCancel()
	for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
		if s != nil {
			_ = s.Close()
		}
	}
	// zmq4 removes the files of ipc:// sockets only; ours are godl-ipc://.
	if k.conn.Transport == "ipc" {
		for _, p := range k.conn.ports() {
			_ = os.Remove(k.conn.IP + "-" + strconv.Itoa(p.port))
		}
	}
}

// stopped reports whether the sockets are being closed.
func (k *Kernel) stopped() bool {
	select {
	case <-k.stop:
		return true
	default:
	}
	return k.runCtx != nil && k.runCtx.Err() != nil
}

// serveHeartbeat echoes every heartbeat message back to its sender.
func (k *Kernel) serveHeartbeat() {
	for {
		msg, err := k.hb.Recv()
		if err != nil {
			if k.stopped() {
				return
			}
			k.log.Printf("heartbeat: %v", err)
			continue
		}
		if err := k.hb.SendMulti(msg); err != nil && !k.stopped() {
			k.log.Printf("heartbeat echo: %v", err)
		}
	}
}

// recv reads and decodes the next message of sock; bad messages are
// logged and skipped. It returns nil when the socket is closed.
func (k *Kernel) recv(sock zmq4.Socket, channel string) *Message {
	for {
		raw, err := sock.Recv()
		if err != nil {
			if k.stopped() {
				return nil
			}
			k.log.Printf("%s: receive: %v", channel, err)
			continue
		}
		m, err := k.codec.Decode(raw.Frames)
		if err != nil {
			k.log.Printf("%s: dropped message: %v", channel, err)
			continue
		}
		return m
	}
}

// serveRequests reads shell or control requests and dispatches them. An
// execute_request that finds the executor idle is run by this goroutine
// after it has started another to read on: that saves waking the
// executor's goroutine (often on another thread) for each cell.
func (k *Kernel) serveRequests(sock zmq4.Socket, channel string) {
	for {
		m := k.recv(sock, channel)
		if m == nil {
			return
		}
		if channel == "shell" && m.Header.MsgType == "execute_request" && k.exec.claim() {
			k.loops.Add(1)
			go func() { defer k.loops.Done(); k.serveRequests(sock, channel) }()
			k.exec.runClaimed(k.runCtx, execJob{sock, m})
			return
		}
		k.dispatch(sock, channel, m)
	}
}

// serveStdin hands input_reply messages to the waiting Input call.
func (k *Kernel) serveStdin() {
	for {
		m := k.recv(k.stdin, "stdin")
		if m == nil {
			return
		}
		if m.Header.MsgType != "input_reply" {
			k.log.Printf("stdin: ignored unexpected %s", m.Header.MsgType)
			continue
		}
		select {
		case k.inputReplies <- m:
		default:
			k.log.Printf("stdin: dropped an input_reply nobody waits for")
		}
	}
}

// send encodes and sends one message on sock. content is encoded as JSON
// unless it is already a json.RawMessage. Failures are logged: a client
// that went away must not stop the kernel.
func (k *Kernel) send(sock zmq4.Socket, ids [][]byte, msgType string, parent []byte, content any, metadata json.RawMessage) error {
	return k.sendMessage(sock, ids, msgType, parent, content, metadata, nil)
}

// sendBuffers is send for messages with binary buffers.
func (k *Kernel) sendBuffers(sock zmq4.Socket, ids [][]byte, msgType string, parent []byte, content any, buffers [][]byte) error {
	return k.sendMessage(sock, ids, msgType, parent, content, nil, buffers)
}

func (k *Kernel) sendMessage(sock zmq4.Socket, ids [][]byte, msgType string, parent []byte, content any, metadata json.RawMessage, buffers [][]byte) error {
	var body []byte
	switch c := content.(type) {
	case json.RawMessage:
		body = c
	default:
		b, err := json.Marshal(content)
		if err != nil {
			k.log.Printf("encode %s: %v", msgType, err)
			return fmt.Errorf("kernel: encode %s: %w", msgType, err)
		}
		body = b
	}
	m := &Message{
		Identities:   ids,
		Header:       k.header(msgType),
		ParentHeader: parent,
		Metadata:     metadata,
		Content:      body,
		Buffers:      buffers,
	}
	frames, err := k.codec.Encode(m)
	if err != nil {
		k.log.Printf("%v", err)
		return err
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		if !k.stopped() {
			k.log.Printf("send %s: %v", msgType, err)
		}
		return fmt.Errorf("kernel: send %s: %w", msgType, err)
	}
	return nil
}

// reply answers req on sock.
func (k *Kernel) reply(sock zmq4.Socket, req *Message, msgType string, content any) {
	_ = k.send(sock, req.Identities, msgType, req.RawHeader(), content, nil)
}

// header returns a fresh header of msgType.
func (k *Kernel) header(msgType string) Header {
	return Header{
		MsgID:    k.session + "_" + strconv.FormatUint(k.seq.Add(1), 10),
		Session:  k.session,
		Username: k.username,
		Date:     formatDate(time.Now()),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
}

// newID returns a random identifier shaped like a UUID.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// Status contents, encoded once.
var (
	statusStarting = json.RawMessage(`{"execution_state":"starting"}`)
	statusBusy     = json.RawMessage(`{"execution_state":"busy"}`)
	statusIdle     = json.RawMessage(`{"execution_state":"idle"}`)
)
