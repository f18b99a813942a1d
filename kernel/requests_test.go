package kernel_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// TestRequests checks the reply of every request answered at once.
func TestRequests(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	tests := []struct {
		name    string
		ch      kerneltest.Channel
		msgType string
		content any
		reply   string
		check   func(t *testing.T, c map[string]any)
	}{
		{"kernel_info", kerneltest.Shell, "kernel_info_request", nil, "kernel_info_reply", func(t *testing.T, c map[string]any) {
			li, _ := c["language_info"].(map[string]any)
			if c["protocol_version"] != "5.4" || c["implementation"] != "godl-test" || c["implementation_version"] != "0.0.1" ||
				c["banner"] != "test kernel" || li["name"] != "go" || li["mimetype"] != "text/x-go" || li["file_extension"] != ".go" ||
				li["pygments_lexer"] != "go" || li["codemirror_mode"] != "go" {
				t.Errorf("kernel_info_reply %v", c)
			}
			if l, _ := c["help_links"].([]any); len(l) != 1 {
				t.Errorf("help_links %v", c["help_links"])
			}
			if _, ok := c["supported_features"].([]any); !ok {
				t.Errorf("supported_features %v, want a list", c["supported_features"])
			}
		}},
		{"kernel_info on control", kerneltest.Control, "kernel_info_request", nil, "kernel_info_reply", nil},
		{"complete", kerneltest.Shell, "complete_request", map[string]any{"code": "fmt.Print", "cursor_pos": 9}, "complete_reply", func(t *testing.T, c map[string]any) {
			if !reflect.DeepEqual(c["matches"], []any{"Println", "Printf"}) || num(c["cursor_start"]) != 4 || num(c["cursor_end"]) != 9 {
				t.Errorf("complete_reply %v", c)
			}
			if _, ok := c["metadata"].(map[string]any); !ok {
				t.Errorf("metadata %v, want an object", c["metadata"])
			}
		}},
		{"inspect found", kerneltest.Shell, "inspect_request", map[string]any{"code": "fmt.Println", "cursor_pos": 5, "detail_level": 0}, "inspect_reply", func(t *testing.T, c map[string]any) {
			d, _ := c["data"].(map[string]any)
			if c["found"] != true || d["text/plain"] == nil {
				t.Errorf("inspect_reply %v", c)
			}
		}},
		{"inspect not found", kerneltest.Shell, "inspect_request", map[string]any{"code": "nothing", "cursor_pos": 1}, "inspect_reply", func(t *testing.T, c map[string]any) {
			if d, ok := c["data"].(map[string]any); c["found"] != false || !ok || len(d) != 0 {
				t.Errorf("inspect_reply %v", c)
			}
		}},
		{"is_complete incomplete", kerneltest.Shell, "is_complete_request", map[string]any{"code": "func f() {"}, "is_complete_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "incomplete" || c["indent"] != "\t" {
				t.Errorf("is_complete_reply %v", c)
			}
		}},
		{"is_complete complete", kerneltest.Shell, "is_complete_request", map[string]any{"code": "x := 1"}, "is_complete_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "complete" {
				t.Errorf("is_complete_reply %v", c)
			}
		}},
		{"complete fails", kerneltest.Shell, "complete_request", map[string]any{"code": "fail", "cursor_pos": 4}, "complete_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "error" || c["ename"] != "CompleteError" || c["evalue"] != "no completer" || c["matches"] == nil {
				t.Errorf("complete_reply %v", c)
			}
		}},
		{"inspect fails", kerneltest.Shell, "inspect_request", map[string]any{"code": "fail", "cursor_pos": 4}, "inspect_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "error" || c["ename"] != "InspectError" || c["found"] != false {
				t.Errorf("inspect_reply %v", c)
			}
		}},
		{"is_complete fails", kerneltest.Shell, "is_complete_request", map[string]any{"code": "fail"}, "is_complete_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "unknown" {
				t.Errorf("is_complete_reply %v", c)
			}
		}},
		{"comm_info", kerneltest.Shell, "comm_info_request", map[string]any{}, "comm_info_reply", func(t *testing.T, c map[string]any) {
			if m, ok := c["comms"].(map[string]any); !ok || len(m) != 0 {
				t.Errorf("comm_info_reply %v", c)
			}
		}},
		{"interrupt", kerneltest.Control, "interrupt_request", nil, "interrupt_reply", func(t *testing.T, c map[string]any) {
			if h.fake.nInterrupt.Load() != 1 {
				t.Errorf("evaluator interrupted %d times, want 1", h.fake.nInterrupt.Load())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cx := ctx(t, 10*time.Second)
			id, err := h.c.Send(tt.ch, tt.msgType, tt.content)
			if err != nil {
				t.Fatal(err)
			}
			r, err := h.c.Reply(cx, id)
			if err != nil {
				t.Fatal(err)
			}
			c := kerneltest.Content(r)
			if r.Header.MsgType != tt.reply || c["status"] != "ok" && tt.msgType != "is_complete_request" && !strings.HasSuffix(tt.name, "fails") {
				t.Errorf("got %s %s, want %s with status ok", r.Header.MsgType, r.Content, tt.reply)
			}
			if r.Header.Version != "5.4" || r.Header.Session == "" || r.Header.MsgID == "" || r.Header.Username == "" {
				t.Errorf("header %+v", r.Header)
			}
			if _, err := time.Parse(time.RFC3339Nano, r.Header.Date); err != nil {
				t.Errorf("header date: %v", err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
			pubs, err := h.c.IOPubUntilIdle(cx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := kerneltest.Types(pubs); !reflect.DeepEqual(got, []string{"status", "status"}) || kerneltest.State(pubs[0]) != "busy" {
				t.Errorf("iopub %v, want busy, idle", got)
			}
		})
	}
}

// TestUniqueIDs checks that message ids are unique across replies.
func TestUniqueIDs(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		r, pubs, err := h.c.Execute(ctx(t, 10*time.Second), "print:x")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range append(pubs, r) {
			if seen[m.Header.MsgID] {
				t.Fatalf("msg_id %s seen twice", m.Header.MsgID)
			}
			seen[m.Header.MsgID] = true
		}
	}
}

// TestHistory runs cells and queries the history every way.
func TestHistory(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	cells := []string{"value:a1", "print:b", "value:a2", "value:a1"}
	for _, code := range cells {
		if _, _, err := h.c.Execute(ctx(t, 10*time.Second), code); err != nil {
			t.Fatal(err)
		}
	}
	o := kerneltest.DefaultExecute("print:unstored")
	o.StoreHistory = false
	if _, _, err := h.c.ExecuteWith(ctx(t, 10*time.Second), o); err != nil {
		t.Fatal(err)
	}
	type entry = []any
	tests := []struct {
		name string
		req  map[string]any
		want []any
	}{
		{"tail", map[string]any{"hist_access_type": "tail", "n": 2, "output": false, "raw": true},
			[]any{entry{1.0, 3.0, "value:a2"}, entry{1.0, 4.0, "value:a1"}}},
		{"tail output", map[string]any{"hist_access_type": "tail", "n": 2, "output": true, "raw": true},
			[]any{entry{1.0, 3.0, entry{"value:a2", "a2"}}, entry{1.0, 4.0, entry{"value:a1", "a1"}}}},
		{"output null", map[string]any{"hist_access_type": "range", "session": 1, "start": 2, "stop": 3, "output": true, "raw": false},
			[]any{entry{1.0, 2.0, entry{"print:b", nil}}}},
		{"range", map[string]any{"hist_access_type": "range", "session": 1, "start": 2, "stop": 4, "output": false, "raw": true},
			[]any{entry{1.0, 2.0, "print:b"}, entry{1.0, 3.0, "value:a2"}}},
		{"range current session 0", map[string]any{"hist_access_type": "range", "session": 0, "start": 4, "output": true, "raw": true},
			[]any{entry{1.0, 4.0, entry{"value:a1", "a1"}}}},
		{"range other session", map[string]any{"hist_access_type": "range", "session": -1, "start": 1, "stop": 3},
			[]any{}},
		{"search", map[string]any{"hist_access_type": "search", "pattern": "value:a?", "output": false, "raw": true},
			[]any{entry{1.0, 1.0, "value:a1"}, entry{1.0, 3.0, "value:a2"}, entry{1.0, 4.0, "value:a1"}}},
		{"search unique", map[string]any{"hist_access_type": "search", "pattern": "value:a*", "unique": true},
			[]any{entry{1.0, 3.0, "value:a2"}, entry{1.0, 4.0, "value:a1"}}},
		{"search n", map[string]any{"hist_access_type": "search", "pattern": "*", "n": 1},
			[]any{entry{1.0, 4.0, "value:a1"}}},
		{"search class", map[string]any{"hist_access_type": "search", "pattern": "[p]rint:*"},
			[]any{entry{1.0, 2.0, "print:b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := h.c.Request(ctx(t, 10*time.Second), kerneltest.Shell, "history_request", tt.req)
			if err != nil {
				t.Fatal(err)
			}
			c := kerneltest.Content(r)
			if r.Header.MsgType != "history_reply" || c["status"] != "ok" || !reflect.DeepEqual(c["history"], tt.want) {
				t.Errorf("%s %s\nwant history %v", r.Header.MsgType, r.Content, tt.want)
			}
		})
	}
}
