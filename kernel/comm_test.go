package kernel_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// TestComms opens a comm to a registered target, talks both ways, lists
// it, closes it, and opens one to an unknown target.
func TestComms(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	c := h.c
	cx := ctx(t, 10*time.Second)
	got := make(chan string, 10)
	h.k.Comms().RegisterTarget("echo", kernel.CommTargetFunc(func(cm *kernel.Comm, msg kernel.CommData) {
		got <- "open " + string(msg.Data)
		cm.OnMessage(func(d kernel.CommData) {
			got <- "msg " + string(d.Data)
			if err := cm.Send(json.RawMessage(d.Data), []byte("buf")); err != nil {
				t.Error(err)
			}
		})
		cm.OnClose(func(d kernel.CommData) { got <- "close" })
	}))

	openID, _ := c.Send(kerneltest.Shell, "comm_open", map[string]any{"comm_id": "c1", "target_name": "echo", "data": map[string]any{"x": 1}})
	if pubs, err := c.IOPubUntilIdle(cx, openID); err != nil || len(pubs) != 2 {
		t.Fatalf("comm_open iopub %v %v", kerneltest.Types(pubs), err)
	}
	if s := <-got; s != `open {"x":1}` {
		t.Errorf("target saw %q", s)
	}
	for _, filter := range []string{"", "echo", "other"} {
		r, err := c.Request(cx, kerneltest.Shell, "comm_info_request", map[string]any{"target_name": filter})
		if err != nil {
			t.Fatal(err)
		}
		comms, _ := kerneltest.Content(r)["comms"].(map[string]any)
		want := 1
		if filter == "other" {
			want = 0
		}
		if len(comms) != want {
			t.Errorf("comm_info filter %q: %s", filter, r.Content)
		}
		if want == 1 && comms["c1"].(map[string]any)["target_name"] != "echo" {
			t.Errorf("comm_info %s", r.Content)
		}
	}

	msgID, _ := c.Send(kerneltest.Shell, "comm_msg", map[string]any{"comm_id": "c1", "data": map[string]any{"ping": true}})
	pubs, err := c.IOPubUntilIdle(cx, msgID)
	if err != nil {
		t.Fatal(err)
	}
	echo, err := kerneltest.Find(pubs, "comm_msg")
	if err != nil {
		t.Fatal(err)
	}
	if ec := kerneltest.Content(echo); ec["comm_id"] != "c1" || len(echo.Buffers) != 1 || string(echo.Buffers[0]) != "buf" {
		t.Errorf("echoed comm_msg %s buffers %q", echo.Content, echo.Buffers)
	}
	if s := <-got; s != `msg {"ping":true}` {
		t.Errorf("comm saw %q", s)
	}

	closeID, _ := c.Send(kerneltest.Shell, "comm_close", map[string]any{"comm_id": "c1", "data": map[string]any{}})
	if _, err := c.IOPubUntilIdle(cx, closeID); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "close" {
		t.Errorf("comm saw %q", s)
	}
	r, _ := c.Request(cx, kerneltest.Shell, "comm_info_request", map[string]any{})
	if comms, _ := kerneltest.Content(r)["comms"].(map[string]any); len(comms) != 0 {
		t.Errorf("comm_info after close: %s", r.Content)
	}

	// Unknown target: the kernel closes the comm.
	unknownID, _ := c.Send(kerneltest.Shell, "comm_open", map[string]any{"comm_id": "c2", "target_name": "nope", "data": map[string]any{}})
	pubs, err = c.IOPubUntilIdle(cx, unknownID)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kerneltest.Find(pubs, "comm_close")
	if err != nil {
		t.Fatal(err)
	}
	if kerneltest.Content(cl)["comm_id"] != "c2" {
		t.Errorf("comm_close %s", cl.Content)
	}

	// A kernel-side comm.
	kc, err := h.k.Comms().Open("echo", map[string]any{"hello": "world"})
	if err != nil {
		t.Fatal(err)
	}
	var m *kernel.Message
	for m == nil || m.Header.MsgType == "status" {
		if m, err = c.ReadIOPub(cx); err != nil {
			t.Fatal(err)
		}
	}
	if oc := kerneltest.Content(m); m.Header.MsgType != "comm_open" || oc["comm_id"] != kc.ID() || oc["target_name"] != "echo" {
		t.Errorf("kernel comm_open %s %s", m.Header.MsgType, m.Content)
	}
	if err := kc.Close(nil); err != nil {
		t.Fatal(err)
	}
	if err := kc.Send(nil); err == nil {
		t.Errorf("Send on a closed comm succeeded")
	}
}
