package kernel_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"testing"
	"time"

	"github.com/godl-kernel/godl/internal/testutil"
	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// TestHelperKernel is the kernel process of TestKernelProcess: with
// GODL_HELPER_KERNEL set it serves the connection file named by its last
// argument with the fake evaluator, as `godl kernel -f` would.
func TestHelperKernel(t *testing.T) {
	if os.Getenv("GODL_HELPER_KERNEL") == "" {
		return
	}
	info, err := kernel.ReadConnectionFile(os.Args[len(os.Args)-1])
	if err != nil {
		t.Fatal(err)
	}
	k, err := kernel.New(kernel.Config{Connection: info, Evaluator: newFake(), Info: testInfo, Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	go func() {
		for range sigs {
			k.Interrupt()
		}
	}()
	restart, err := k.Run(context.Background())
	fmt.Fprintf(os.Stderr, "helper kernel: Run returned %v, %v\n", restart, err)
}

// TestKernelProcess runs the kernel in its own process, started through
// kerneltest.Start as Jupyter would, interrupts a cell with SIGINT and
// shuts it down.
func TestKernelProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	log := &testutil.LockedBuffer{}
	p, err := kerneltest.Start(ctx, t.TempDir(),
		[]string{os.Args[0], "-test.run=^TestHelperKernel$", "-test.count=1", "{connection_file}"},
		[]string{"GODL_HELPER_KERNEL=1"}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	if r, pubs, err := p.Execute(ctx, "print:out of process"); err != nil || kerneltest.Stream(pubs, "stdout") != "out of process" {
		t.Fatalf("execute: %v %v %v", r, kerneltest.Types(pubs), err)
	}
	id, err := p.Send(kerneltest.Shell, "execute_request", kerneltest.DefaultExecute("sleep"))
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the cell starts, then interrupt it with a signal.
	for {
		m, err := p.ReadIOPub(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.MsgType == "execute_input" && m.Parent().MsgID == id {
			break
		}
	}
	// The signal may come before the fake starts waiting: repeat it.
	var r *kernel.Message
	for r == nil {
		if err := p.Cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		rctx, rcancel := context.WithTimeout(ctx, 100*time.Millisecond)
		r, _ = p.Reply(rctx, id)
		rcancel()
		if ctx.Err() != nil {
			t.Fatal("no reply after SIGINT")
		}
	}
	if kerneltest.Content(r)["ename"] != "Interrupted" {
		t.Errorf("reply after SIGINT: %s", r.Content)
	}
	if err := p.Stop(ctx); err != nil {
		t.Errorf("stop: %v\n%s", err, log.String())
	}
}
