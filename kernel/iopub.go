package kernel

import (
	"strings"
	"sync"

	"github.com/go-zeromq/zmq4"
)

// maxStreamChunk bounds how much stream text is merged into one message.
const maxStreamChunk = 1 << 20

// iopubItem is one message waiting to be published. Stream text stays
// unencoded while queued so that later text of the same stream and parent
// can be appended: under a burst of prints the queue coalesces them into
// few messages, and when the sender is idle each print goes out at once.
type iopubItem struct {
	msgType string
	parent  []byte
	content any // encoded by the sender
	buffers [][]byte
	// stream text, when msgType is "stream"
	name string
	text strings.Builder
}

// publisher owns the iopub socket. Messages are published in the order
// publish is called, by one sender goroutine.
//
// zmq4's PUB socket queues without bound when no high-water mark is set
// (its HWM option silently drops messages past the mark), so we leave it
// unset: no output is ever dropped by the kernel.
type publisher struct {
	k    *Kernel
	sock zmq4.Socket

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*iopubItem
	sending bool // run is sending a batch (for flush)
	closed  bool
	done    chan struct{}
}

func newPublisher(k *Kernel, sock zmq4.Socket) *publisher {
	p := &publisher{k: k, sock: sock, done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// publish queues a message of msgType with content (a value to encode as
// JSON) parented to the raw header parent.
func (p *publisher) publish(msgType string, parent []byte, content any) {
	p.publishBuffers(msgType, parent, content, nil)
}

// publishBuffers is publish for a message with binary buffers. The
// sender goroutine encodes and sends it: the caller goes on at once (a
// request's busy status is encoded while the worker computes, and a
// reply leaves before the idle status is encoded), and with the kernel's
// single P the hand-over costs a goroutine switch.
func (p *publisher) publishBuffers(msgType string, parent []byte, content any, buffers [][]byte) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.queue = append(p.queue, &iopubItem{msgType: msgType, parent: parent, content: content, buffers: buffers})
	p.cond.Broadcast()
	p.mu.Unlock()
}

// stream queues text for the stream name, merging it into the last queued
// message when that is the same stream of the same parent.
func (p *publisher) stream(name, text string, parent []byte) {
	if text == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if n := len(p.queue); n > 0 {
		last := p.queue[n-1]
		if last.msgType == "stream" && last.name == name && sameBytes(last.parent, parent) &&
			last.text.Len()+len(text) <= maxStreamChunk {
			last.text.WriteString(text)
			return
		}
	}
	it := &iopubItem{msgType: "stream", parent: parent, name: name}
	it.text.WriteString(text)
	p.queue = append(p.queue, it)
	p.cond.Broadcast()
}

func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0] || string(a) == string(b))
}

// streamContent is the content of a stream message.
type streamContent struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// run sends queued messages until close; it drains the queue first.
func (p *publisher) run() {
	defer close(p.done)
	var batch []*iopubItem
	p.mu.Lock()
	for {
		for len(p.queue) == 0 && !p.closed {
			p.cond.Wait()
		}
		if len(p.queue) == 0 { // closed and drained
			p.mu.Unlock()
			return
		}
		batch, p.queue = p.queue, batch[:0]
		p.sending = true
		p.mu.Unlock()
		for i, it := range batch {
			content := it.content
			if it.msgType == "stream" {
				content = streamContent{Name: it.name, Text: it.text.String()}
			}
			p.k.sendBuffers(p.sock, topic(p.k, it.msgType), it.msgType, it.parent, content, it.buffers)
			batch[i] = nil
		}
		p.mu.Lock()
		p.sending = false
		p.cond.Broadcast()
	}
}

// topic returns the iopub topic of msgType, shaped as ipykernel's.
func topic(k *Kernel, msgType string) [][]byte {
	return [][]byte{[]byte("kernel." + k.session + "." + msgType)}
}

// flush waits until everything queued so far has been handed to the socket.
func (p *publisher) flush() {
	p.mu.Lock()
	for len(p.queue) > 0 || p.sending {
		p.cond.Wait()
	}
	p.mu.Unlock()
}

// close stops the sender after it has drained the queue.
func (p *publisher) close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	<-p.done
}
