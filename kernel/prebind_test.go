package kernel_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/godl-kernel/godl/internal/prebind"
	"github.com/godl-kernel/godl/internal/testutil"
	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// TestPreboundPorts: a kernel takes the sockets internal/prebind bound
// before main (binding them again would fail: they are listening), and a
// client that connected before the kernel existed is served.
func TestPreboundPorts(t *testing.T) {
	t.Cleanup(prebind.CloseAll)
	var ports []int
	for i := 0; i < 5; i++ {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		l.Close()
	}
	conf := fmt.Sprintf(`{"transport": "tcp", "ip": "127.0.0.1", "key": "k", "signature_scheme": "hmac-sha256",
		"shell_port": %d, "iopub_port": %d, "stdin_port": %d, "control_port": %d, "hb_port": %d}`,
		ports[0], ports[1], ports[2], ports[3], ports[4])
	if n := prebind.BindFile([]byte(conf)); n != 5 {
		t.Skipf("prebind bound %d of 5 ports (not Linux, or a port was taken meanwhile)", n)
	}
	conn := kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "k", SignatureScheme: "hmac-sha256",
		ShellPort: ports[0], IOPubPort: ports[1], StdinPort: ports[2], ControlPort: ports[3], HBPort: ports[4]}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A client connecting before the kernel exists, as jupyter_client
	// does: its connections wait in the listen backlog.
	type dialed struct {
		c   *kerneltest.Client
		err error
	}
	early := make(chan dialed, 1)
	go func() {
		c, err := kerneltest.Dial(ctx, conn)
		early <- dialed{c, err}
	}()
	time.Sleep(50 * time.Millisecond)

	k, err := kernel.New(kernel.Config{Connection: conn, Evaluator: newFake(), Info: testInfo, Log: &testutil.LockedBuffer{}})
	if err != nil {
		t.Fatalf("kernel.New on prebound ports: %v", err)
	}
	if n := prebind.Bound(); n != 0 {
		t.Errorf("%d prebound sockets not taken by the kernel", n)
	}
	for i, p := range []int{k.Connection().ShellPort, k.Connection().HBPort} {
		if want := []int{ports[0], ports[4]}[i]; p != want {
			t.Errorf("kernel bound port %d, want %d", p, want)
		}
	}
	done := make(chan struct{})
	go func() { defer close(done); k.Run(ctx) }()
	d := <-early
	if d.err != nil {
		t.Fatal(d.err)
	}
	c := d.c
	defer c.Close()
	if _, err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
}
