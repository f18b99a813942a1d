package display

import "sync"

// Bundle is a MIME bundle: representations of one value keyed by MIME type
// ("text/plain", "image/png", ...), with per-type metadata. Binary data
// (PNG, JPEG) is stored base64-encoded, as Jupyter expects.
type Bundle struct {
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// Publisher delivers displays to wherever the program's output goes: a
// Jupyter kernel, a notebook being written, or a terminal.
type Publisher interface {
	// Publish shows b. A non-empty id names the display so that later
	// calls with update set replace it in place.
	Publish(b Bundle, id string, update bool)
	// Clear clears the current output; with wait, at the next output.
	Clear(wait bool)
}

// The publisher is per process, as there is one notebook cell running per
// process at a time. Outside a kernel it is nil and displays fall back to
// text on standard output.
var (
	pubMu     sync.RWMutex
	publisher Publisher
)

// SetPublisher makes p receive every display of this process and returns
// the previous publisher. A nil p restores the text fallback. Kernels call
// it; user code has no need to.
func SetPublisher(p Publisher) (previous Publisher) {
	pubMu.Lock()
	defer pubMu.Unlock()
	previous, publisher = publisher, p
	return previous
}

// currentPublisher returns the publisher in force, or nil.
func currentPublisher() Publisher {
	pubMu.RLock()
	defer pubMu.RUnlock()
	return publisher
}
