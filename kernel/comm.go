package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// CommData is the payload of a comm_open, comm_msg or comm_close.
type CommData struct {
	// Data is the raw JSON of content.data ({} when absent).
	Data json.RawMessage
	// Metadata is the raw JSON of the message metadata.
	Metadata json.RawMessage
	// Buffers are the binary buffers of the message.
	Buffers [][]byte
}

// CommTarget accepts the comms that frontends open with one target name.
// Open is called on the shell goroutine, so it must return quickly; it
// attaches handlers with Comm.OnMessage and Comm.OnClose.
type CommTarget interface {
	Open(c *Comm, msg CommData)
}

// CommTargetFunc adapts a function to CommTarget.
type CommTargetFunc func(c *Comm, msg CommData)

// Open calls f.
func (f CommTargetFunc) Open(c *Comm, msg CommData) { f(c, msg) }

// Comms is the registry of comm targets and open comms of one kernel.
// Other packages attach targets with RegisterTarget.
type Comms struct {
	k       *Kernel
	mu      sync.Mutex
	targets map[string]CommTarget
	open    map[string]*Comm
}

func newComms() *Comms {
	return &Comms{targets: map[string]CommTarget{}, open: map[string]*Comm{}}
}

// RegisterTarget makes t accept the comms opened with target name,
// replacing any earlier target of that name. A nil t removes it.
func (r *Comms) RegisterTarget(name string, t CommTarget) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t == nil {
		delete(r.targets, name)
		return
	}
	r.targets[name] = t
}

// Open opens a comm from the kernel side: it publishes comm_open with
// target name and data (any JSON value, nil for {}).
func (r *Comms) Open(target string, data any) (*Comm, error) {
	c := &Comm{id: newID(), target: target, comms: r}
	r.mu.Lock()
	r.open[c.id] = c
	r.mu.Unlock()
	if err := c.publish("comm_open", map[string]any{"comm_id": c.id, "target_name": target, "data": dataOrEmpty(data)}, nil); err != nil {
		r.remove(c.id)
		return nil, err
	}
	return c, nil
}

// Comm is one open comm.
type Comm struct {
	id     string
	target string
	comms  *Comms

	mu      sync.Mutex
	onMsg   func(CommData)
	onClose func(CommData)
	closed  bool
}

// ID returns the comm_id.
func (c *Comm) ID() string { return c.id }

// Target returns the target name the comm was opened with.
func (c *Comm) Target() string { return c.target }

// OnMessage sets the function called (on the shell goroutine) for each
// comm_msg the frontend sends on this comm.
func (c *Comm) OnMessage(f func(CommData)) {
	c.mu.Lock()
	c.onMsg = f
	c.mu.Unlock()
}

// OnClose sets the function called when the frontend closes the comm.
func (c *Comm) OnClose(f func(CommData)) {
	c.mu.Lock()
	c.onClose = f
	c.mu.Unlock()
}

// ErrCommClosed is returned when sending on a closed comm.
var ErrCommClosed = errors.New("kernel: comm is closed")

// Send publishes comm_msg with data (any JSON value, nil for {}) and
// binary buffers, parented to the request being handled.
func (c *Comm) Send(data any, buffers ...[]byte) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return fmt.Errorf("kernel: comm %s: %w", c.id, ErrCommClosed)
	}
	return c.publish("comm_msg", map[string]any{"comm_id": c.id, "data": dataOrEmpty(data)}, buffers)
}

// Close publishes comm_close with data and forgets the comm.
func (c *Comm) Close(data any) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.comms.remove(c.id)
	return c.publish("comm_close", map[string]any{"comm_id": c.id, "data": dataOrEmpty(data)}, nil)
}

func dataOrEmpty(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

// publish sends a comm message on iopub. Messages with buffers bypass the
// publisher queue's encoding, so the queue is flushed first to keep order.
func (c *Comm) publish(msgType string, content map[string]any, buffers [][]byte) error {
	k := c.comms.k
	if k == nil {
		return fmt.Errorf("kernel: comm %s: no kernel", c.id)
	}
	var parent []byte
	if p := k.lastParent.Load(); p != nil {
		parent = *p
	}
	if len(buffers) == 0 {
		k.pub.publish(msgType, parent, content)
		return nil
	}
	k.pub.publishBuffers(msgType, parent, content, buffers)
	return nil
}

func (r *Comms) remove(id string) {
	r.mu.Lock()
	delete(r.open, id)
	r.mu.Unlock()
}

// commOpen is the content of comm_open; commMsg of comm_msg and comm_close.
type commOpen struct {
	CommID     string          `json:"comm_id"`
	TargetName string          `json:"target_name"`
	Data       json.RawMessage `json:"data"`
}

// handleOpen serves a comm_open from the frontend. An unknown target is
// answered with comm_close, as ipykernel does.
func (r *Comms) handleOpen(m *Message) {
	var c commOpen
	if err := m.UnmarshalContent(&c); err != nil || c.CommID == "" {
		r.k.log.Printf("shell: bad comm_open: %v %s", err, m.Content)
		return
	}
	r.mu.Lock()
	t := r.targets[c.TargetName]
	var comm *Comm
	if t != nil {
		comm = &Comm{id: c.CommID, target: c.TargetName, comms: r}
		r.open[c.CommID] = comm
	}
	r.mu.Unlock()
	if t == nil {
		r.k.log.Printf("shell: comm_open for unknown target %q: closing comm %s", c.TargetName, c.CommID)
		r.k.pub.publish("comm_close", m.RawHeader(), map[string]any{"comm_id": c.CommID, "data": map[string]any{}})
		return
	}
	t.Open(comm, CommData{Data: orEmpty(c.Data), Metadata: m.Metadata, Buffers: m.Buffers})
}

type commMsg struct {
	CommID string          `json:"comm_id"`
	Data   json.RawMessage `json:"data"`
}

// handleMsg serves comm_msg and comm_close from the frontend.
func (r *Comms) handleMsg(m *Message, closing bool) {
	var c commMsg
	if err := m.UnmarshalContent(&c); err != nil {
		r.k.log.Printf("shell: bad %s: %v", m.Header.MsgType, err)
		return
	}
	r.mu.Lock()
	comm := r.open[c.CommID]
	if closing {
		delete(r.open, c.CommID)
	}
	r.mu.Unlock()
	if comm == nil {
		r.k.log.Printf("shell: %s for unknown comm %q", m.Header.MsgType, c.CommID)
		return
	}
	d := CommData{Data: orEmpty(c.Data), Metadata: m.Metadata, Buffers: m.Buffers}
	comm.mu.Lock()
	f := comm.onMsg
	if closing {
		f = comm.onClose
		comm.closed = true
	}
	comm.mu.Unlock()
	if f != nil {
		f(d)
	}
}

// info returns the comm_info_reply comms, filtered by target when set.
func (r *Comms) info(target string) map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]any{}
	for id, c := range r.open {
		if target == "" || c.target == target {
			out[id] = map[string]string{"target_name": c.target}
		}
	}
	return out
}
