package kerneltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/godl-kernel/godl/kernel"
)

// Channel names a request channel of a kernel.
type Channel string

// The channels a client sends requests on.
const (
	Shell   Channel = "shell"
	Control Channel = "control"
	Stdin   Channel = "stdin"
)

// Client is a Jupyter client connected to one kernel. Its methods may be
// called from several goroutines. Replies and iopub messages are buffered
// as they arrive, so nothing is lost between calls.
type Client struct {
	// Info is the connection information the client dialled.
	Info kernel.ConnectionInfo
	// Session is the session id of the client's headers; it is also the
	// ZeroMQ identity of its shell and stdin sockets, which is how a
	// kernel routes input_request to the frontend that asked to execute.
	Session string

	codec  *kernel.Codec
	cancel context.CancelFunc
	socks  map[Channel]zmq4.Socket
	iopub  zmq4.Socket
	hb     zmq4.Socket
	hbMu   sync.Mutex
	wg     sync.WaitGroup

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever something arrives
	replies map[string]*kernel.Message
	stdin   []*kernel.Message
	pubs    []received
	closed  bool
}

// received is an iopub message with its parent's msg_id, decoded once.
type received struct {
	m      *kernel.Message
	parent string
}

// Dial connects to the kernel described by info: DEALER sockets to shell,
// control and stdin, a SUB socket (subscribed to everything) to iopub and
// a REQ socket to the heartbeat. The kernel may start later; dialling
// retries for a few seconds. Call WaitReady before relying on iopub.
func Dial(ctx context.Context, info kernel.ConnectionInfo) (*Client, error) {
	if err := info.Validate(); err != nil {
		return nil, fmt.Errorf("kerneltest: dial: %w", err)
	}
	codec, err := kernel.NewCodec(info.SignatureScheme, []byte(info.Key))
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		Info:    info,
		Session: newID(),
		codec:   codec,
		cancel:  cancel,
		socks:   map[Channel]zmq4.Socket{},
		changed: make(chan struct{}),
		replies: map[string]*kernel.Message{},
	}
	opts := []zmq4.Option{zmq4.WithDialerRetry(50 * time.Millisecond), zmq4.WithDialerMaxRetries(100)}
	id := zmq4.WithID(zmq4.SocketIdentity(c.Session))
	c.socks[Shell] = zmq4.NewDealer(sctx, append(opts, id)...)
	c.socks[Control] = zmq4.NewDealer(sctx, opts...)
	c.socks[Stdin] = zmq4.NewDealer(sctx, append(opts, id)...)
	c.iopub = zmq4.NewSub(sctx, opts...)
	c.hb = zmq4.NewReq(sctx, opts...)
	dials := []struct {
		sock zmq4.Socket
		port int
		name string
	}{
		{c.socks[Shell], info.ShellPort, "shell"}, {c.socks[Control], info.ControlPort, "control"},
		{c.socks[Stdin], info.StdinPort, "stdin"}, {c.iopub, info.IOPubPort, "iopub"}, {c.hb, info.HBPort, "heartbeat"},
	}
	for _, d := range dials {
		if err := ctx.Err(); err != nil {
			c.Close()
			return nil, err
		}
		ep := info.Endpoint(d.port)
		if err := d.sock.Dial(info.BufferedEndpoint(d.port)); err != nil {
			c.Close()
			return nil, fmt.Errorf("kerneltest: dial %s at %s: %w", d.name, ep, err)
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		c.Close()
		return nil, fmt.Errorf("kerneltest: subscribe to iopub: %w", err)
	}
	for ch, s := range c.socks {
		c.wg.Add(1)
		go c.read(ch, s)
	}
	c.wg.Add(1)
	go c.read("iopub", c.iopub)
	return c, nil
}

// Close disconnects from the kernel.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	for _, s := range []zmq4.Socket{c.socks[Shell], c.socks[Control], c.socks[Stdin], c.iopub, c.hb} {
		if s != nil {
			s.Close()
		}
	}
	c.wg.Wait()
	return nil
}

// read buffers the messages arriving on one socket.
func (c *Client) read(ch Channel, s zmq4.Socket) {
	defer c.wg.Done()
	for {
		raw, err := s.Recv()
		if err != nil {
			c.mu.Lock()
			closed := c.closed
			c.mu.Unlock()
			if closed {
				return
			}
			continue
		}
		m, err := c.codec.Decode(raw.Frames)
		if err != nil {
			continue // a test of the kernel must notice missing messages
		}
		c.mu.Lock()
		switch ch {
		case "iopub":
			c.pubs = append(c.pubs, received{m, m.Parent().MsgID})
		case Stdin:
			c.stdin = append(c.stdin, m)
		default:
			c.replies[m.Parent().MsgID] = m
		}
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	}
}

// wait calls found (with c.mu held) until it returns true or ctx ends.
func (c *Client) wait(ctx context.Context, what string, found func() bool) error {
	for {
		c.mu.Lock()
		if found() {
			c.mu.Unlock()
			return nil
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("kerneltest: waiting for %s: %w", what, ctx.Err())
		}
	}
}

// NewMessage returns a message of msgType with a fresh header of the
// client's session and content encoded as JSON (a json.RawMessage is
// used as is; nil means {}).
func (c *Client) NewMessage(msgType string, content any) (*kernel.Message, error) {
	var body json.RawMessage
	switch v := content.(type) {
	case nil:
		body = json.RawMessage("{}")
	case json.RawMessage:
		body = v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("kerneltest: encode %s content: %w", msgType, err)
		}
		body = b
	}
	return &kernel.Message{
		Header: kernel.Header{
			MsgID:    newID(),
			Session:  c.Session,
			Username: "kerneltest",
			Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00"),
			MsgType:  msgType,
			Version:  kernel.ProtocolVersion,
		},
		Content: body,
	}, nil
}

// SendMessage signs and sends m on channel.
func (c *Client) SendMessage(ch Channel, m *kernel.Message) error {
	frames, err := c.codec.Encode(m)
	if err != nil {
		return err
	}
	return c.SendFrames(ch, frames)
}

// SendFrames sends raw frames on channel, unchecked: tests use it to send
// malformed messages.
func (c *Client) SendFrames(ch Channel, frames [][]byte) error {
	s, ok := c.socks[ch]
	if !ok {
		return fmt.Errorf("kerneltest: no channel %q", ch)
	}
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("kerneltest: send on %s: %w", ch, err)
	}
	return nil
}

// Send sends a msgType message with content on channel and returns its
// msg_id.
func (c *Client) Send(ch Channel, msgType string, content any) (string, error) {
	m, err := c.NewMessage(msgType, content)
	if err != nil {
		return "", err
	}
	return m.Header.MsgID, c.SendMessage(ch, m)
}

// Reply waits for the shell or control reply to the request msgID.
func (c *Client) Reply(ctx context.Context, msgID string) (*kernel.Message, error) {
	var r *kernel.Message
	err := c.wait(ctx, "the reply to "+msgID, func() bool {
		r = c.replies[msgID]
		if r != nil {
			delete(c.replies, msgID)
		}
		return r != nil
	})
	return r, err
}

// Request sends a request and waits for its reply.
func (c *Client) Request(ctx context.Context, ch Channel, msgType string, content any) (*kernel.Message, error) {
	id, err := c.Send(ch, msgType, content)
	if err != nil {
		return nil, err
	}
	return c.Reply(ctx, id)
}

// ReadIOPub returns the next iopub message, whatever its parent.
func (c *Client) ReadIOPub(ctx context.Context) (*kernel.Message, error) {
	var m *kernel.Message
	err := c.wait(ctx, "an iopub message", func() bool {
		if len(c.pubs) == 0 {
			return false
		}
		m = c.pubs[0].m
		c.pubs[0] = received{}
		c.pubs = c.pubs[1:]
		return true
	})
	return m, err
}

// IOPubUntilIdle returns, in order, the iopub messages parented to the
// request msgID up to and including its status idle. Messages of other
// parents stay buffered for later calls.
func (c *Client) IOPubUntilIdle(ctx context.Context, msgID string) ([]*kernel.Message, error) {
	var out []*kernel.Message
	err := c.wait(ctx, "iopub idle of "+msgID, func() bool {
		keep := c.pubs[:0]
		done := false
		for _, r := range c.pubs {
			if done || r.parent != msgID {
				keep = append(keep, r)
				continue
			}
			out = append(out, r.m)
			if r.m.Header.MsgType == "status" && State(r.m) == "idle" {
				done = true
			}
		}
		for i := len(keep); i < len(c.pubs); i++ {
			c.pubs[i] = received{}
		}
		c.pubs = keep
		return done
	})
	return out, err
}

// ExecuteOptions is the content of an execute_request. Its zero value
// is not the protocol default: use DefaultExecute.
type ExecuteOptions struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    bool              `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`
	StopOnError     bool              `json:"stop_on_error"`
}

// DefaultExecute returns the options jupyter_client uses for code:
// store_history, stop_on_error and allow_stdin set.
func DefaultExecute(code string) ExecuteOptions {
	return ExecuteOptions{Code: code, StoreHistory: true, AllowStdin: true, StopOnError: true,
		UserExpressions: map[string]string{}}
}

// Execute runs code with DefaultExecute options; see ExecuteWith.
func (c *Client) Execute(ctx context.Context, code string) (*kernel.Message, []*kernel.Message, error) {
	return c.ExecuteWith(ctx, DefaultExecute(code))
}

// ExecuteWith sends an execute_request and returns its execute_reply and
// the iopub messages it caused, up to and including status idle.
func (c *Client) ExecuteWith(ctx context.Context, opts ExecuteOptions) (*kernel.Message, []*kernel.Message, error) {
	id, err := c.Send(Shell, "execute_request", opts)
	if err != nil {
		return nil, nil, err
	}
	reply, err := c.Reply(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	pubs, err := c.IOPubUntilIdle(ctx, id)
	return reply, pubs, err
}

// ReadInputRequest waits for the next message on stdin (an
// input_request).
func (c *Client) ReadInputRequest(ctx context.Context) (*kernel.Message, error) {
	var m *kernel.Message
	err := c.wait(ctx, "an input_request", func() bool {
		if len(c.stdin) == 0 {
			return false
		}
		m, c.stdin = c.stdin[0], c.stdin[1:]
		return true
	})
	return m, err
}

// SendInput answers the input_request req with value.
func (c *Client) SendInput(req *kernel.Message, value string) error {
	m, err := c.NewMessage("input_reply", map[string]string{"value": value})
	if err != nil {
		return err
	}
	m.ParentHeader = req.RawHeader()
	return c.SendMessage(Stdin, m)
}

// Heartbeat sends a ping on the heartbeat channel and waits for the echo.
// After a timeout the heartbeat socket is out of step; close the client.
func (c *Client) Heartbeat(ctx context.Context) error {
	c.hbMu.Lock()
	defer c.hbMu.Unlock()
	ping := []byte("ping-" + newID())
	done := make(chan error, 1)
	go func() {
		if err := c.hb.Send(zmq4.NewMsg(ping)); err != nil {
			done <- err
			return
		}
		m, err := c.hb.Recv()
		if err == nil && (len(m.Frames) != 1 || string(m.Frames[0]) != string(ping)) {
			err = fmt.Errorf("echo %q, want %q", m.Frames, ping)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("kerneltest: heartbeat: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("kerneltest: heartbeat: %w", ctx.Err())
	}
}

// WaitReady sends kernel_info_request until the kernel answers and its
// iopub messages reach the client (a SUB socket misses what is published
// before its subscription is in place), as jupyter_client's
// wait_for_ready does. It returns the kernel_info_reply.
func (c *Client) WaitReady(ctx context.Context) (*kernel.Message, error) {
	for {
		id, err := c.Send(Shell, "kernel_info_request", nil)
		if err != nil {
			return nil, err
		}
		tctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		reply, err := c.Reply(tctx, id)
		if err == nil {
			_, err = c.IOPubUntilIdle(tctx, id)
		}
		cancel()
		if err == nil {
			return reply, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("kerneltest: kernel not ready: %w", ctx.Err())
		}
	}
}

// DrainIOPub discards the iopub messages buffered so far.
func (c *Client) DrainIOPub() {
	c.mu.Lock()
	c.pubs = nil
	c.mu.Unlock()
}

// Content decodes the content of m into a map; it returns nil for
// content that is not a JSON object.
func Content(m *kernel.Message) map[string]any {
	var v map[string]any
	if err := json.Unmarshal(m.Content, &v); err != nil {
		return nil
	}
	return v
}

// State returns the execution_state of a status message.
func State(m *kernel.Message) string {
	s, _ := Content(m)["execution_state"].(string)
	return s
}

// Stream returns the concatenated text of the stream messages named name
// ("stdout" or "stderr") among msgs.
func Stream(msgs []*kernel.Message, name string) string {
	var b strings.Builder
	for _, m := range msgs {
		if m.Header.MsgType != "stream" {
			continue
		}
		c := Content(m)
		if c["name"] == name {
			s, _ := c["text"].(string)
			b.WriteString(s)
		}
	}
	return b.String()
}

// Types returns the msg_types of msgs, in order, for compact assertions.
func Types(msgs []*kernel.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Header.MsgType
	}
	return out
}

// ErrNotFound is returned by Find when no message has the msg_type.
var ErrNotFound = errors.New("kerneltest: no such message")

// Find returns the first of msgs with msgType.
func Find(msgs []*kernel.Message, msgType string) (*kernel.Message, error) {
	for _, m := range msgs {
		if m.Header.MsgType == msgType {
			return m, nil
		}
	}
	return nil, fmt.Errorf("%w: %s among %v", ErrNotFound, msgType, Types(msgs))
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Sign returns the hex HMAC signature of the four signed frames under
// scheme and key, for tests that build frames by hand.
func Sign(scheme string, key []byte, header, parent, metadata, content []byte) []byte {
	codec, err := kernel.NewCodec(scheme, key)
	if err != nil {
		return nil
	}
	return codec.Signature(header, parent, metadata, content)
}
