package kernel_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// TestBusyKernelAnswers checks that heartbeat, control and the quick shell
// requests are answered while a cell runs, and that interrupt_request
// stops the cell.
func TestBusyKernelAnswers(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	c := h.c
	cx := ctx(t, 10*time.Second)
	execID, err := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("sleep"))
	if err != nil {
		t.Fatal(err)
	}
	<-h.fake.running
	if err := c.Heartbeat(cx); err != nil {
		t.Errorf("heartbeat while busy: %v", err)
	}
	requests := []struct {
		ch      kerneltest.Channel
		msgType string
		content any
	}{
		{kerneltest.Control, "kernel_info_request", nil},
		{kerneltest.Shell, "kernel_info_request", nil},
		{kerneltest.Shell, "complete_request", map[string]any{"code": "fmt.", "cursor_pos": 4}},
		{kerneltest.Shell, "inspect_request", map[string]any{"code": "fmt", "cursor_pos": 1}},
		{kerneltest.Shell, "is_complete_request", map[string]any{"code": "x"}},
		{kerneltest.Shell, "comm_info_request", map[string]any{}},
		{kerneltest.Shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 1}},
	}
	for _, r := range requests {
		rctx, cancel := contextWithTimeout(cx, 2*time.Second)
		reply, err := c.Request(rctx, r.ch, r.msgType, r.content)
		cancel()
		if err != nil {
			t.Errorf("%s on %s while a cell runs: %v", r.msgType, r.ch, err)
			continue
		}
		if want := strings.TrimSuffix(r.msgType, "_request") + "_reply"; reply.Header.MsgType != want {
			t.Errorf("got %s, want %s", reply.Header.MsgType, want)
		}
	}
	select {
	case <-h.done:
		t.Fatal("kernel stopped")
	default:
	}
	if _, err := c.Request(cx, kerneltest.Control, "interrupt_request", nil); err != nil {
		t.Fatal(err)
	}
	reply, err := c.Reply(cx, execID)
	if err != nil {
		t.Fatal(err)
	}
	if rc := kerneltest.Content(reply); rc["status"] != "error" || rc["ename"] != "Interrupted" {
		t.Errorf("interrupted cell reply %s", reply.Content)
	}
	// The kernel keeps its state and serves the next cell.
	if r, _, err := c.Execute(cx, "value:after"); err != nil || kerneltest.Content(r)["status"] != "ok" {
		t.Errorf("cell after interrupt: %v %v", err, r)
	}
}

// TestStdin runs input round trips, a password prompt, and an input
// cancelled by an interrupt.
func TestStdin(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	c := h.c
	cx := ctx(t, 10*time.Second)
	for _, tt := range []struct {
		code, prompt, value string
		password            bool
	}{
		{"input:Name? ", "Name? ", "Gopher", false},
		{"password:Secret: ", "Secret: ", "hunter2", true},
		{"input:", "", "", false},
	} {
		id, err := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute(tt.code))
		if err != nil {
			t.Fatal(err)
		}
		req, err := c.ReadInputRequest(cx)
		if err != nil {
			t.Fatal(err)
		}
		rc := kerneltest.Content(req)
		if req.Header.MsgType != "input_request" || rc["prompt"] != tt.prompt || rc["password"] != tt.password || req.Parent().MsgID != id {
			t.Errorf("input_request %s %s parent %s", req.Header.MsgType, req.Content, req.Parent().MsgID)
		}
		if err := c.SendInput(req, tt.value); err != nil {
			t.Fatal(err)
		}
		reply, err := c.Reply(cx, id)
		if err != nil {
			t.Fatal(err)
		}
		pubs, err := c.IOPubUntilIdle(cx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := kerneltest.Stream(pubs, "stdout"); got != "got "+tt.value || kerneltest.Content(reply)["status"] != "ok" {
			t.Errorf("stdout %q reply %s", got, reply.Content)
		}
	}

	// An interrupt cancels the wait.
	id, _ := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("input:never answered"))
	if _, err := c.ReadInputRequest(cx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Request(cx, kerneltest.Control, "interrupt_request", nil); err != nil {
		t.Fatal(err)
	}
	reply, err := c.Reply(cx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rc := kerneltest.Content(reply); rc["status"] != "error" || !strings.Contains(fmt.Sprint(rc["evalue"]), "interrupt") {
		t.Errorf("interrupted input: %s", reply.Content)
	}
}

// TestManyLines prints 10,000 lines, one Stream call each: all must
// arrive, in order.
func TestManyLines(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	const n = 10000
	_, pubs, err := h.c.Execute(ctx(t, 20*time.Second), fmt.Sprintf("lines:%d", n))
	if err != nil {
		t.Fatal(err)
	}
	out := kerneltest.Stream(pubs, "stdout")
	var want strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	if out != want.String() {
		t.Errorf("got %d bytes of %d lines, want %d bytes", len(out), strings.Count(out, "\n"), want.Len())
	}
	t.Logf("%d lines in %d stream messages", n, len(pubs)-4)
}
