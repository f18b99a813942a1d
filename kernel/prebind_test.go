package kernel_test

import (
	"context"
	"encoding/json"
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
	conn, err := kerneltest.NewConnectionInfo()
	if err != nil {
		t.Fatal(err)
	}
	conf, err := json.Marshal(conn) // the connection file's contents
	if err != nil {
		t.Fatal(err)
	}
	if n := prebind.BindFile(conf); n != 5 {
		t.Skipf("prebind bound %d of 5 ports (not Linux, or a port was taken meanwhile)", n)
	}
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
	if got := k.Connection(); got != conn {
		t.Errorf("kernel bound %+v, want %+v", got, conn)
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
