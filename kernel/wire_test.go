package kernel

import (
	"bytes"
	"strings"
	"testing"
)

// fuzzKey signs the seed corpus in testdata/fuzz/FuzzDecode.
const fuzzKey = "fuzz-key"

// FuzzDecode feeds frames (the input split at NUL bytes) to the decoder,
// with and without a key. Decoding must never panic, and a decoded
// message must re-encode to frames that decode to the same message.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("<IDS|MSG>\x00\x00{\"msg_type\":\"kernel_info_request\"}\x00{}\x00{}\x00{}"))
	signed, _ := NewCodec("hmac-sha256", []byte(fuzzKey))
	unsigned, _ := NewCodec("", nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := bytes.Split(data, []byte{0})
		for _, c := range []*Codec{signed, unsigned} {
			m, err := c.Decode(frames)
			if err != nil {
				continue
			}
			out, err := c.Encode(m)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			m2, err := c.Decode(out)
			if err != nil {
				t.Fatalf("decode of re-encoded message: %v", err)
			}
			if m2.Header != m.Header || !bytes.Equal(m2.Content, m.Content) || !bytes.Equal(m2.Metadata, m.Metadata) ||
				!bytes.Equal(m2.ParentHeader, m.ParentHeader) || len(m2.Buffers) != len(m.Buffers) || len(m2.Identities) != len(m.Identities) {
				t.Fatalf("round trip changed the message:\n%+v\n%+v", m, m2)
			}
		}
	})
}

func TestCodecRoundTrip(t *testing.T) {
	for _, scheme := range []string{"hmac-sha256", "hmac-sha512"} {
		c, err := NewCodec(scheme, []byte("key"))
		if err != nil {
			t.Fatal(err)
		}
		m := &Message{
			Identities: [][]byte{[]byte("peer")},
			Header:     Header{MsgID: "1", Session: "s", Username: "u", Date: "2026-01-01T00:00:00.000000Z", MsgType: "comm_msg", Version: "5.4"},
			Content:    []byte(`{"comm_id":"c","data":{}}`),
			Buffers:    [][]byte{{0, 1, 2}},
		}
		frames, err := c.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"hmac-sha256": 64, "hmac-sha512": 128}[scheme]; len(frames[2]) != want {
			t.Errorf("%s signature %q, want %d hex digits", scheme, frames[2], want)
		}
		got, err := c.Decode(frames)
		if err != nil {
			t.Fatal(err)
		}
		if got.Header != m.Header || string(got.Metadata) != "{}" || string(got.ParentHeader) != "{}" ||
			string(got.Identities[0]) != "peer" || !bytes.Equal(got.Buffers[0], []byte{0, 1, 2}) {
			t.Errorf("round trip: %+v", got)
		}
		// Uppercase hex is accepted; one flipped bit is not.
		frames[2] = bytes.ToUpper(frames[2])
		if _, err := c.Decode(frames); err != nil {
			t.Errorf("uppercase signature: %v", err)
		}
		frames[5] = []byte(`{"comm_id":"d","data":{}}`)
		if _, err := c.Decode(frames); err == nil || !strings.Contains(err.Error(), "bad signature") {
			t.Errorf("tampered content: %v", err)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "a/b c", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"[ab]x", "bx", true},
		{"[^ab]x", "bx", false},
		{"[a-c]*", "cat", true},
		{"[a-c]*", "dog", false},
		{"x[", "x[", true},
		{"*fmt.Println*", "import \"fmt\"\nfmt.Println(1)", true},
		{"A*", "abc", false},
	} {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
