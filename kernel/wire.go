package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// delimiter separates the routing identities from the message proper.
const delimiter = "<IDS|MSG>"

// Codec encodes and decodes Jupyter messages to and from ZeroMQ frames,
// signing them with HMAC. A Codec is safe for concurrent use.
type Codec struct {
	scheme string
	key    []byte
	macs   sync.Pool // of hash.Hash; nil New when unsigned
}

// NewCodec returns a codec for the connection file's signature_scheme and
// key. An empty key disables signing and checking (the protocol allows it;
// callers should warn). Supported schemes: hmac-sha256 (also the default
// when scheme is empty) and hmac-sha512.
func NewCodec(scheme string, key []byte) (*Codec, error) {
	var h func() hash.Hash
	switch scheme {
	case "", "hmac-sha256":
		scheme, h = "hmac-sha256", sha256.New
	case "hmac-sha512":
		h = sha512.New
	default:
		return nil, fmt.Errorf("kernel: unsupported signature_scheme %q (want hmac-sha256 or hmac-sha512)", scheme)
	}
	c := &Codec{scheme: scheme, key: bytes.Clone(key)}
	if len(key) > 0 {
		c.macs.New = func() any { return hmac.New(h, c.key) }
	}
	return c, nil
}

// Signed reports whether the codec signs messages (the key is not empty).
func (c *Codec) Signed() bool { return len(c.key) > 0 }

// sign returns the hex HMAC of the four signed frames, or nil when unsigned.
func (c *Codec) sign(header, parent, metadata, content []byte) []byte {
	if len(c.key) == 0 {
		return nil
	}
	mac := c.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(header)
	mac.Write(parent)
	mac.Write(metadata)
	mac.Write(content)
	var sum [sha512.Size]byte
	raw := mac.Sum(sum[:0])
	c.macs.Put(mac)
	out := make([]byte, hex.EncodedLen(len(raw)))
	hex.Encode(out, raw)
	return out
}

// Encode returns the frames of m: identities, delimiter, signature, header,
// parent header, metadata, content and buffers. A nil parent header or
// metadata is sent as {}; nil content as {}.
func (c *Codec) Encode(m *Message) ([][]byte, error) {
	header := m.rawHeader
	if header == nil {
		b, err := json.Marshal(m.Header)
		if err != nil {
			return nil, fmt.Errorf("kernel: encode %s header: %w", m.Header.MsgType, err)
		}
		header = b
		m.rawHeader = b
	}
	parent := orEmpty(m.ParentHeader)
	metadata := orEmpty(m.Metadata)
	content := orEmpty(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, []byte(delimiter), c.sign(header, parent, metadata, content),
		header, parent, metadata, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// orEmpty turns absent or null JSON into {}.
func orEmpty(b []byte) []byte {
	if len(b) == 0 || string(b) == "null" {
		return emptyObject
	}
	return b
}

// Decode errors; Decode wraps them with details.
var (
	ErrNoDelimiter  = errors.New("no <IDS|MSG> delimiter")
	ErrShortMessage = errors.New("fewer than 5 frames after the delimiter")
	ErrBadSignature = errors.New("bad signature")
)

// Decode parses and verifies the frames of one message. It fails on a
// missing delimiter or frame, a signature that does not match (compared in
// constant time), JSON that is not an object, or a header without
// msg_type. The message keeps references to the frames.
func (c *Codec) Decode(frames [][]byte) (*Message, error) {
	d := -1
	for i, f := range frames {
		if string(f) == delimiter {
			d = i
			break
		}
	}
	if d < 0 {
		return nil, fmt.Errorf("kernel: decode %d frames: %w", len(frames), ErrNoDelimiter)
	}
	if len(frames)-d-1 < 5 {
		return nil, fmt.Errorf("kernel: decode %d frames: %w", len(frames), ErrShortMessage)
	}
	sig, header, parent, metadata, content := frames[d+1], frames[d+2], frames[d+3], frames[d+4], frames[d+5]
	if c.Signed() {
		want := c.sign(header, parent, metadata, content)
		if !hmac.Equal(want, bytes.ToLower(sig)) {
			return nil, fmt.Errorf("kernel: decode message (header %.80q): %w", header, ErrBadSignature)
		}
	}
	m := &Message{rawHeader: header}
	if err := unmarshalObject(header, &m.Header); err != nil {
		return nil, fmt.Errorf("kernel: decode header %.80q: %w", header, err)
	}
	if m.Header.MsgType == "" {
		return nil, fmt.Errorf("kernel: decode header %.80q: no msg_type", header)
	}
	var err error
	if m.ParentHeader, err = rawObject(parent, true); err != nil {
		return nil, fmt.Errorf("kernel: decode %s parent_header: %w", m.Header.MsgType, err)
	}
	if m.Metadata, err = rawObject(metadata, true); err != nil {
		return nil, fmt.Errorf("kernel: decode %s metadata: %w", m.Header.MsgType, err)
	}
	if m.Content, err = rawObject(content, false); err != nil {
		return nil, fmt.Errorf("kernel: decode %s content: %w", m.Header.MsgType, err)
	}
	if d > 0 {
		m.Identities = frames[:d:d]
	}
	if len(frames) > d+6 {
		m.Buffers = frames[d+6:]
	}
	return m, nil
}

// rawObject checks that b is one JSON object (null or empty allowed when
// nullOK, read as {}).
func rawObject(b []byte, nullOK bool) (json.RawMessage, error) {
	t := bytes.TrimSpace(b)
	if nullOK && (len(t) == 0 || string(t) == "null") {
		return emptyObject, nil
	}
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return nil, fmt.Errorf("not a JSON object: %.80q", b)
	}
	return json.RawMessage(b), nil
}

// unmarshalObject decodes a JSON object into v.
func unmarshalObject(b []byte, v any) error {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("not a JSON object")
	}
	return json.Unmarshal(t, v)
}

// Signature returns the hex signature of the four signed frames (header,
// parent header, metadata, content), or nil when the codec does not sign.
func (c *Codec) Signature(header, parent, metadata, content []byte) []byte {
	return c.sign(header, parent, metadata, content)
}
