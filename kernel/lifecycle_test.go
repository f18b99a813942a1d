package kernel_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godl-kernel/godl/internal/testutil"
	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// TestShutdown asks for shutdown with and without restart, once while a
// cell runs: the reply comes on control and iopub, the evaluator is
// closed and Run returns the restart flag.
func TestShutdown(t *testing.T) {
	for _, tt := range []struct {
		name    string
		restart bool
		busy    bool
	}{
		{"restart false", false, false},
		{"restart true", true, false},
		{"while busy", false, true},
		{"while waiting for input", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, kernel.ConnectionInfo{})
			c := h.c
			cx := ctx(t, 10*time.Second)
			if tt.busy {
				if _, err := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("sleep")); err != nil {
					t.Fatal(err)
				}
				<-h.fake.running
			}
			if tt.name == "while waiting for input" {
				if _, err := c.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("input:?")); err != nil {
					t.Fatal(err)
				}
				if _, err := c.ReadInputRequest(cx); err != nil {
					t.Fatal(err)
				}
			}
			id, err := c.Send(kerneltest.Control, "shutdown_request", map[string]any{"restart": tt.restart})
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Reply(cx, id)
			if err != nil {
				t.Fatal(err)
			}
			rc := kerneltest.Content(r)
			if r.Header.MsgType != "shutdown_reply" || rc["status"] != "ok" || rc["restart"] != tt.restart {
				t.Errorf("reply %s %s", r.Header.MsgType, r.Content)
			}
			pubs, err := c.IOPubUntilIdle(cx, id)
			if err != nil {
				t.Fatal(err)
			}
			b, err := kerneltest.Find(pubs, "shutdown_reply")
			if err != nil {
				t.Fatal(err)
			}
			if kerneltest.Content(b)["restart"] != tt.restart {
				t.Errorf("iopub shutdown_reply %s", b.Content)
			}
			select {
			case <-h.done:
			case <-cx.Done():
				t.Fatal("Run did not return after shutdown_request")
			}
			if h.restart != tt.restart || h.err != nil {
				t.Errorf("Run returned %v, %v; want %v, nil", h.restart, h.err, tt.restart)
			}
			if !h.fake.closed.Load() {
				t.Errorf("evaluator not closed")
			}
		})
	}
}

// TestContextEndsRun checks that the end of Run's context stops it cleanly.
func TestContextEndsRun(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	h.cancel()
	select {
	case <-h.done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	if h.restart || h.err != nil || !h.fake.closed.Load() {
		t.Errorf("Run returned %v, %v (evaluator closed %v)", h.restart, h.err, h.fake.closed.Load())
	}
}

// TestBadMessages sends malformed and badly signed messages: each is
// logged and dropped, and the kernel keeps serving.
func TestBadMessages(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	c := h.c
	good, err := c.NewMessage("kernel_info_request", nil)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := kernel.NewCodec("hmac-sha256", []byte("wrong key"))
	wrongKey, _ := other.Encode(good)
	frames := func(parts ...string) [][]byte {
		out := make([][]byte, len(parts))
		for i, p := range parts {
			out[i] = []byte(p)
		}
		return out
	}
	tests := []struct {
		name   string
		frames [][]byte
		log    string
	}{
		{"wrong key", wrongKey, "bad signature"},
		{"no signature", frames("<IDS|MSG>", "", string(good.RawHeader()), "{}", "{}", "{}"), "bad signature"},
		{"no delimiter", frames("hello"), "delimiter"},
		{"missing frames", frames("<IDS|MSG>", "abc", "{}"), "fewer than 5"},
		{"empty", frames(""), "delimiter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.SendFrames(kerneltest.Shell, tt.frames); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Request(ctx(t, 5*time.Second), kerneltest.Shell, "kernel_info_request", nil); err != nil {
				t.Fatalf("kernel stopped serving: %v", err)
			}
			if !strings.Contains(h.log.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, h.log.String())
			}
		})
	}
	// Signed but bad JSON, or an unknown type: signed with the right key.
	codec, _ := kernel.NewCodec("hmac-sha256", []byte("secret-test-key"))
	for _, tt := range []struct {
		name  string
		patch func(f [][]byte)
		log   string
	}{
		{"bad header json", func(f [][]byte) { f[2] = []byte("{not json") }, "decode header"},
		{"content not an object", func(f [][]byte) { f[5] = []byte("[1,2]") }, "content"},
		{"no msg_type", func(f [][]byte) { f[2] = []byte(`{"msg_id":"x"}`) }, "no msg_type"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := c.NewMessage("kernel_info_request", nil)
			f, _ := codec.Encode(m)
			tt.patch(f)
			resigned := resign(t, f)
			if err := c.SendFrames(kerneltest.Shell, resigned); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Request(ctx(t, 5*time.Second), kerneltest.Shell, "kernel_info_request", nil); err != nil {
				t.Fatalf("kernel stopped serving: %v", err)
			}
			if !strings.Contains(h.log.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, h.log.String())
			}
		})
	}
	t.Run("unknown type", func(t *testing.T) {
		if _, err := c.Send(kerneltest.Shell, "no_such_request", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Send(kerneltest.Control, "debug_request", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Request(ctx(t, 5*time.Second), kerneltest.Shell, "kernel_info_request", nil); err != nil {
			t.Fatalf("kernel stopped serving: %v", err)
		}
		if _, err := c.Request(ctx(t, 5*time.Second), kerneltest.Control, "kernel_info_request", nil); err != nil {
			t.Fatalf("kernel stopped serving control: %v", err)
		}
		for _, typ := range []string{"no_such_request", "debug_request"} {
			if !strings.Contains(h.log.String(), typ) {
				t.Errorf("log lacks %q:\n%s", typ, h.log.String())
			}
		}
	})
	if err := c.Heartbeat(ctx(t, 5*time.Second)); err != nil {
		t.Errorf("heartbeat: %v", err)
	}
}

// resign recomputes the signature of frames [delim, sig, h, p, m, c]
// with the test key, so that only the JSON is bad.
func resign(t *testing.T, f [][]byte) [][]byte {
	t.Helper()
	sig := kerneltest.Sign("hmac-sha256", []byte("secret-test-key"), f[2], f[3], f[4], f[5])
	out := append([][]byte(nil), f...)
	out[1] = sig
	return out
}

// TestSchemes runs a cell under each signature scheme and with no key.
func TestSchemes(t *testing.T) {
	for _, tt := range []struct {
		scheme, key string
		warn        bool
	}{
		{"hmac-sha256", "k256", false},
		{"hmac-sha512", "k512", false},
		{"hmac-sha256", "", true},
	} {
		t.Run(tt.scheme+"/"+tt.key, func(t *testing.T) {
			h := start(t, kernel.ConnectionInfo{SignatureScheme: tt.scheme, Key: tt.key})
			r, pubs, err := h.c.Execute(ctx(t, 5*time.Second), "print:hi")
			if err != nil {
				t.Fatal(err)
			}
			if kerneltest.Content(r)["status"] != "ok" || kerneltest.Stream(pubs, "stdout") != "hi" {
				t.Errorf("reply %s", r.Content)
			}
			if got := strings.Count(h.log.String(), "warning: the connection key is empty"); got != map[bool]int{true: 1, false: 0}[tt.warn] {
				t.Errorf("%d empty-key warnings:\n%s", got, h.log.String())
			}
		})
	}
	if _, err := kernel.NewCodec("hmac-md5", []byte("k")); err == nil || !strings.Contains(err.Error(), "hmac-md5") {
		t.Errorf("NewCodec(hmac-md5): %v", err)
	}
}

// TestTransports binds on 0.0.0.0 and * over tcp, and over ipc.
func TestTransports(t *testing.T) {
	dir := t.TempDir()
	for _, conn := range []kernel.ConnectionInfo{
		{Transport: "tcp", IP: "0.0.0.0"},
		{Transport: "tcp", IP: "*"},
		{Transport: "ipc", IP: filepath.Join(dir, "kernel"), ShellPort: 1, ControlPort: 2, IOPubPort: 3, StdinPort: 4, HBPort: 5},
	} {
		t.Run(conn.Transport+" "+filepath.Base(conn.IP), func(t *testing.T) {
			h := startDialing(t, conn)
			if _, _, err := h.c.Execute(ctx(t, 5*time.Second), "print:x"); err != nil {
				t.Fatal(err)
			}
			if err := h.c.Heartbeat(ctx(t, 5*time.Second)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// startDialing is start for kernels bound to a wildcard address: the
// client dials loopback.
func startDialing(t *testing.T, conn kernel.ConnectionInfo) *harness {
	conn.Key = "k"
	h := &harness{fake: newFake(), log: &testutil.LockedBuffer{}, done: make(chan struct{})}
	k, err := kernel.New(kernel.Config{Connection: conn, Evaluator: h.fake, Info: testInfo, Log: h.log})
	if err != nil {
		t.Fatal(err)
	}
	h.k = k
	cctx, cancel := context.WithCancel(context.Background())
	go func() { defer close(h.done); h.restart, h.err = k.Run(cctx) }()
	info := k.Connection()
	if info.Transport == "tcp" {
		info.IP = "127.0.0.1"
	}
	c, err := kerneltest.Dial(ctx(t, 5*time.Second), info)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	h.c = c
	t.Cleanup(func() { c.Close(); cancel(); <-h.done })
	if _, err := c.WaitReady(ctx(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestReadConnectionFile reads good and bad connection files.
func TestReadConnectionFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, err string
		want               kernel.ConnectionInfo
	}{
		{"tcp", `{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "0.0.0.0",
			"key": "abc", "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "godl"}`, "",
			kernel.ConnectionInfo{Transport: "tcp", IP: "0.0.0.0", ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5,
				Key: "abc", SignatureScheme: "hmac-sha256", KernelName: "godl"}},
		{"defaults", `{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": ""}`, "",
			kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5,
				SignatureScheme: "hmac-sha256"}},
		{"ipc", `{"transport": "ipc", "ip": "/tmp/k", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5,
			"signature_scheme": "hmac-sha512", "key": "x"}`, "",
			kernel.ConnectionInfo{Transport: "ipc", IP: "/tmp/k", ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5,
				SignatureScheme: "hmac-sha512", Key: "x"}},
		{"bad json", `{"shell_port": `, "unexpected end", kernel.ConnectionInfo{}},
		{"bad transport", `{"transport": "udp"}`, `unsupported transport "udp"`, kernel.ConnectionInfo{}},
		{"bad scheme", `{"signature_scheme": "hmac-md5"}`, "hmac-md5", kernel.ConnectionInfo{}},
		{"bad port", `{"shell_port": 70000}`, "bad shell_port 70000", kernel.ConnectionInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := kernel.ReadConnectionFile(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), path) {
					t.Errorf("error %v, want one naming %s and saying %q", err, path, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
	if _, err := kernel.ReadConnectionFile(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
	// kerneltest writes files that read back.
	info, err := kerneltest.NewConnectionInfo()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "written.json")
	if err := kerneltest.WriteConnectionFile(path, info); err != nil {
		t.Fatal(err)
	}
	if got, err := kernel.ReadConnectionFile(path); err != nil || got != info {
		t.Errorf("round trip: %+v %v, want %+v", got, err, info)
	}
}

// TestEndpoint names sockets as jupyter_client does.
func TestEndpoint(t *testing.T) {
	for _, tt := range []struct {
		ci   kernel.ConnectionInfo
		want string
	}{
		{kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1"}, "tcp://127.0.0.1:5"},
		{kernel.ConnectionInfo{IP: "*"}, "tcp://*:5"},
		{kernel.ConnectionInfo{Transport: "tcp", IP: "::1"}, "tcp://[::1]:5"},
		{kernel.ConnectionInfo{Transport: "ipc", IP: "/tmp/kernel"}, "ipc:///tmp/kernel-5"},
	} {
		if got := tt.ci.Endpoint(5); got != tt.want {
			t.Errorf("Endpoint(%+v) = %q, want %q", tt.ci, got, tt.want)
		}
	}
}

// TestOversizedFrame sends a ZMTP frame header announcing 2^62 bytes (zmq4 would
// panic allocating it): the connection is dropped and the kernel serves on.
func TestOversizedFrame(t *testing.T) {
	h := start(t, kernel.ConnectionInfo{})
	conn, err := net.Dial("tcp", h.k.Connection().Endpoint(h.k.Connection().ShellPort)[len("tcp://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	greeting := make([]byte, 64)
	greeting[0], greeting[9], greeting[10], greeting[11] = 0xff, 0x7f, 3, 0
	copy(greeting[12:], "NULL")
	ready := []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER")
	msg := append(greeting, 0x04, byte(len(ready)))
	msg = append(msg, ready...)
	msg = append(msg, 0x02, 0x40, 0, 0, 0, 0, 0, 0, 0) // long frame of 2^62 bytes
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := h.c.Request(ctx(t, 5*time.Second), kerneltest.Shell, "kernel_info_request", nil); err != nil {
		t.Fatalf("kernel stopped serving: %v", err)
	}
}
