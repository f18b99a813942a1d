package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// These benchmarks drive the real `godl kernel` binary over ZeroMQ, as a
// front end does. The comparison with ipykernel in the same run is
// bench/run (the kernelbench.py harness); these track godl alone:
//
//	go test -run '^$' -bench Kernel -benchtime 200x .

// benchKernel starts a kernel and returns a ready client.
func benchKernel(b *testing.B) *kerneltest.Client {
	b.Helper()
	c, stop := startBenchKernel(b)
	b.Cleanup(stop)
	return c
}

// startBenchKernel starts a kernel, waits until it is ready and returns a
// client and a function that stops both.
func startBenchKernel(b *testing.B) (*kerneltest.Client, func()) {
	b.Helper()
	info, err := kerneltest.NewConnectionInfo()
	if err != nil {
		b.Fatal(err)
	}
	connFile := filepath.Join(b.TempDir(), "kernel-bench.json")
	if err := kerneltest.WriteConnectionFile(connFile, info); err != nil {
		b.Fatal(err)
	}
	p, err := os.StartProcess(godlBin, []string{godlBin, "kernel", "-f", connFile}, &os.ProcAttr{Files: []*os.File{nil, nil, nil}})
	if err != nil {
		b.Fatal(err)
	}
	var c *kerneltest.Client
	stop := func() {
		if c != nil {
			c.Close()
		}
		p.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			p.Kill()
			<-done
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err = kerneltest.Dial(ctx, info)
	if err != nil {
		stop()
		b.Fatal(err)
	}
	if _, err := c.WaitReady(ctx); err != nil {
		stop()
		b.Fatal(err)
	}
	return c, stop
}

// BenchmarkKernelTrivialExecute times execute_request → status idle of a
// cell with a value (1+1), kernelbench's "trivial execute".
func BenchmarkKernelTrivialExecute(b *testing.B) {
	c := benchKernel(b)
	ctx := context.Background()
	if _, _, err := c.Execute(ctx, "1+1"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, _, err := c.Execute(ctx, "1+1")
		if err != nil || kerneltest.Content(rep)["status"] != "ok" {
			b.Fatalf("execute: %v %v", err, rep)
		}
	}
}

// BenchmarkKernelStream10k prints 10,000 lines per cell and checks that
// all arrive in order.
func BenchmarkKernelStream10k(b *testing.B) {
	c := benchKernel(b)
	ctx := context.Background()
	if _, _, err := c.Execute(ctx, `import "fmt"`); err != nil {
		b.Fatal(err)
	}
	var want strings.Builder
	for i := 0; i < 10000; i++ {
		want.WriteString(strconv.Itoa(i) + "\n")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, pubs, err := c.Execute(ctx, "for i := 0; i < 10000; i++ {\n\tfmt.Println(i)\n}")
		if err != nil {
			b.Fatal(err)
		}
		if got := kerneltest.Stream(pubs, "stdout"); got != want.String() {
			b.Fatalf("got %d bytes of output, want %d", len(got), want.Len())
		}
	}
}

// BenchmarkKernelComplete times complete_request → complete_reply.
func BenchmarkKernelComplete(b *testing.B) {
	c := benchKernel(b)
	ctx := context.Background()
	if _, _, err := c.Execute(ctx, `import "fmt"`); err != nil {
		b.Fatal(err)
	}
	req := map[string]any{"code": "fmt.Pri", "cursor_pos": 7}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Request(ctx, kerneltest.Shell, "complete_request", req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKernelColdStart times process start to the first
// kernel_info_reply with its iopub idle.
func BenchmarkKernelColdStart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_, stop := startBenchKernel(b)
		b.StopTimer()
		stop()
		b.StartTimer()
	}
}
