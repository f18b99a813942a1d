package kernel

import (
	"encoding/json"
	"fmt"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol version this package
// speaks; it goes into every header and into kernel_info_reply.
const ProtocolVersion = "5.4"

// Header is the header of a Jupyter message.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	// Date is an ISO 8601 time with a time zone.
	Date    string `json:"date"`
	MsgType string `json:"msg_type"`
	Version string `json:"version"`
}

// Message is one Jupyter message. The JSON parts other than the header are
// kept as raw JSON so that relaying and replying never re-encode them.
type Message struct {
	// Identities are the routing frames before the <IDS|MSG> delimiter
	// (the peer on ROUTER sockets, the topic on iopub).
	Identities [][]byte
	Header     Header
	// ParentHeader is the raw header of the message this one answers,
	// or {} for none.
	ParentHeader json.RawMessage
	// Metadata is a raw JSON object, {} when empty; never null.
	Metadata json.RawMessage
	// Content is the raw JSON object of the message body.
	Content json.RawMessage
	// Buffers are the extra binary frames after the content.
	Buffers [][]byte

	// rawHeader is the header frame as received, reused verbatim as the
	// parent_header of replies.
	rawHeader []byte
}

// RawHeader returns the header as it was on the wire (or encoded), for use
// as the parent_header of another message.
func (m *Message) RawHeader() []byte {
	if m.rawHeader == nil {
		b, err := json.Marshal(m.Header)
		if err != nil {
			return []byte("{}")
		}
		m.rawHeader = b
	}
	return m.rawHeader
}

// Parent decodes the parent header; it returns a zero Header when there is
// none.
func (m *Message) Parent() Header {
	var h Header
	_ = json.Unmarshal(m.ParentHeader, &h)
	return h
}

// UnmarshalContent decodes the content into v.
func (m *Message) UnmarshalContent(v any) error {
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("kernel: %s content: %w", m.Header.MsgType, err)
	}
	return nil
}

// formatDate returns t formatted as Jupyter header dates are: ISO 8601 with
// microseconds and the time zone.
func formatDate(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

// emptyObject is the JSON used for absent parent headers and metadata.
var emptyObject = json.RawMessage("{}")
