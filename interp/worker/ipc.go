package worker

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/godl-kernel/godl/internal/completion"
	"github.com/godl-kernel/godl/kernel"
)

// The kernel process and its evaluator worker talk over two pipes: requests
// flow on the worker's fd 3, events and replies on its fd 4. Each message is
// one frame: a 9-byte header (big-endian payload length, kind, request id)
// followed by a JSON payload. Length-prefixed frames need no scanning or
// escaping on the reading side, and one frame is written with one write(2),
// so a trivial request costs a few microseconds of encoding on each side.
const (
	frameHeaderLen = 9
	maxFrameLen    = 512 << 20 // a sanity bound: displays carry images
)

// protoVersion is the version of this IPC (frames, kinds, ipcMsg). The
// kernel front and the worker binary are separate builds, and a godl
// binary rebuilt after `godl install` may meet an older front: the worker
// says its version in its hello, and the supervisor refuses another one.
// Bump it with every incompatible change.
const protoVersion = 1

// msgKind is the kind of one frame.
type msgKind uint8

// Requests: supervisor → worker (fd 3).
const (
	reqExecute msgKind = iota + 1
	reqComplete
	reqInspect
	reqIsComplete
	reqInputReply // answer to an evInput, by its id
	reqInterrupt  // same as SIGINT, for platforms without signals
)

// Events: worker → supervisor (fd 4).
const (
	evHello    msgKind = iota + 32 // the worker is ready (or Err says why not)
	evReply                        // answer to a Complete/Inspect/IsComplete, by id
	evExecDone                     // answer to an Execute, after a stream sync
	evDisplay                      // out.Display, after a stream sync
	evClear                        // out.ClearOutput, after a stream sync
	evInput                        // out.Input: wants a reqInputReply with the same id
)

// ipcMsg is the payload of every frame; each kind uses a few fields.
type ipcMsg struct {
	Exec     *kernel.ExecuteRequest `json:"exec,omitempty"`
	Code     string                 `json:"code,omitempty"`
	Cursor   int                    `json:"cursor,omitempty"`
	Detail   int                    `json:"detail,omitempty"`
	Result   *kernel.ExecuteResult  `json:"result,omitempty"`
	Complete *kernel.CompleteResult `json:"complete,omitempty"`
	// Reuse: in reqComplete, the kernel can take candidates instead of
	// the answer; in the evReply, Cands holds them (CandidateCompleter).
	Reuse      bool                     `json:"reuse,omitempty"`
	Cands      []completion.Item        `json:"cands,omitempty"`
	Inspect    *kernel.InspectResult    `json:"inspect,omitempty"`
	IsComplete *kernel.IsCompleteResult `json:"is_complete,omitempty"`
	Display    *kernel.Display          `json:"display,omitempty"`
	Wait       bool                     `json:"wait,omitempty"`
	Prompt     string                   `json:"prompt,omitempty"`
	Password   bool                     `json:"password,omitempty"`
	Text       string                   `json:"text,omitempty"`
	Err        string                   `json:"err,omitempty"`
	PID        int                      `json:"pid,omitempty"`
	Proto      int                      `json:"proto,omitempty"` // in evHello: protoVersion
	Seq        uint64                   `json:"seq,omitempty"`   // stream sync marker to wait for
	Mask       uint8                    `json:"mask,omitempty"`  // streams that carry it: 1 stdout, 2 stderr
	// Drain: streams that carry no marker because their pipe was empty
	// when the event was sent: the kernel handles the event once it has
	// delivered everything it had read from them (see workerProc.drain).
	Drain uint8 `json:"drain,omitempty"`
}

// replies matches answers to the requests that wait for them, by id:
// the kernel's Complete/Inspect/IsComplete calls, the worker's input
// prompts. Safe for concurrent use.
type replies struct {
	mu      sync.Mutex
	next    uint32
	waiting map[uint32]chan *ipcMsg
}

// wait registers a new id; its answer arrives on ch. done unregisters it.
func (r *replies) wait() (id uint32, ch chan *ipcMsg, done func()) {
	ch = make(chan *ipcMsg, 1)
	r.mu.Lock()
	if r.waiting == nil {
		r.waiting = map[uint32]chan *ipcMsg{}
	}
	r.next++
	id = r.next
	r.waiting[id] = ch
	r.mu.Unlock()
	return id, ch, func() {
		r.mu.Lock()
		delete(r.waiting, id)
		r.mu.Unlock()
	}
}

// deliver hands m to the request waiting for id, if any (an answer nobody
// waits for any more is dropped).
func (r *replies) deliver(id uint32, m *ipcMsg) {
	r.mu.Lock()
	ch := r.waiting[id]
	delete(r.waiting, id)
	r.mu.Unlock()
	if ch != nil {
		select {
		case ch <- m:
		default:
		}
	}
}

// frameWriter writes whole frames; safe for concurrent use.
type frameWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

func (fw *frameWriter) send(kind msgKind, id uint32, m *ipcMsg) error {
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding message %d: %w", kind, err)
	}
	if len(payload) > maxFrameLen {
		return fmt.Errorf("message %d is too large (%d bytes)", kind, len(payload))
	}
	fw.mu.Lock()
	defer fw.mu.Unlock()
	b := fw.buf[:0]
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, byte(kind))
	b = binary.BigEndian.AppendUint32(b, id)
	b = append(b, payload...)
	_, err = fw.w.Write(b)
	if cap(b) <= 64<<10 {
		fw.buf = b // keep small buffers; let big ones (images) go
	}
	return err
}

// frameReader reads frames; not safe for concurrent use.
type frameReader struct {
	r   *bufio.Reader
	hdr [frameHeaderLen]byte
	buf []byte
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next reads one frame and decodes its payload into m (which it resets).
func (fr *frameReader) next(m *ipcMsg) (msgKind, uint32, error) {
	if _, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		return 0, 0, err
	}
	n := binary.BigEndian.Uint32(fr.hdr[0:4])
	kind := msgKind(fr.hdr[4])
	id := binary.BigEndian.Uint32(fr.hdr[5:9])
	if n > maxFrameLen {
		return 0, 0, fmt.Errorf("frame of %d bytes exceeds the limit", n)
	}
	if cap(fr.buf) < int(n) {
		fr.buf = make([]byte, n)
	}
	p := fr.buf[:n]
	if _, err := io.ReadFull(fr.r, p); err != nil {
		return 0, 0, fmt.Errorf("reading frame body: %w", err)
	}
	*m = ipcMsg{}
	if err := json.Unmarshal(p, m); err != nil {
		return 0, 0, fmt.Errorf("decoding message %d: %w", kind, err)
	}
	if cap(fr.buf) > 1<<20 {
		fr.buf = nil // do not pin a large image's buffer
	}
	return kind, id, nil
}

// A sync marker is written by the worker into its stdout and stderr pipes
// before it reports an event whose order matters relative to the streams
// (a display, a clear, an input prompt, the end of a cell). The supervisor
// delivers everything read before the marker, strips the marker, and only
// then handles the event. The marker starts with bytes that text output
// practically never contains (NUL ESC) and is short enough (29 bytes) that
// one write(2) to a pipe is atomic, so it never interleaves with user output.
var syncPrefix = []byte("\x00\x1bgodl-sync\x1f")

const syncMarkerLen = 12 + 16 + 1 // prefix, 16 hex digits, NUL

func appendSyncMarker(b []byte, seq uint64) []byte {
	b = append(b, syncPrefix...)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], seq)
	b = hex.AppendEncode(b, n[:])
	return append(b, 0)
}

// parseSyncMarker parses a marker at the start of b (len(b) >= syncMarkerLen).
func parseSyncMarker(b []byte) (uint64, bool) {
	if b[syncMarkerLen-1] != 0 {
		return 0, false
	}
	var n [8]byte
	if _, err := hex.Decode(n[:], b[len(syncPrefix):syncMarkerLen-1]); err != nil {
		return 0, false
	}
	return binary.BigEndian.Uint64(n[:]), true
}
