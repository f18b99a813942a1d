package kernel_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
	"github.com/godl-kernel/godl/kernel/kerneltest"
)

// BenchmarkExecuteRoundTrip measures a trivial execute over real sockets:
// execute_request sent to execute_reply and iopub idle received, with the
// fake evaluator (so it is the kernel's and the client's cost).
func BenchmarkExecuteRoundTrip(b *testing.B) {
	h := start(b, kernel.ConnectionInfo{})
	cx := ctx(b, time.Minute)
	opts := kerneltest.DefaultExecute("value:1")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := h.c.ExecuteWith(cx, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTenThousandLines measures a cell printing 10,000 lines (one
// Stream call each) until all output and idle have arrived.
func BenchmarkTenThousandLines(b *testing.B) {
	h := start(b, kernel.ConnectionInfo{})
	cx := ctx(b, time.Minute)
	for i := 0; i < b.N; i++ {
		_, pubs, err := h.c.Execute(cx, "lines:10000")
		if err != nil {
			b.Fatal(err)
		}
		if n := len(kerneltest.Stream(pubs, "stdout")); n < 10000*7 {
			b.Fatalf("got %d bytes", n)
		}
	}
}

// BenchmarkComplete measures a complete_request round trip.
func BenchmarkComplete(b *testing.B) {
	h := start(b, kernel.ConnectionInfo{})
	cx := ctx(b, time.Minute)
	content := map[string]any{"code": "fmt.Print", "cursor_pos": 9}
	for i := 0; i < b.N; i++ {
		if _, err := h.c.Request(cx, kerneltest.Shell, "complete_request", content); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCodec measures signing and checking one execute_request.
func BenchmarkCodec(b *testing.B) {
	codec, _ := kernel.NewCodec("hmac-sha256", []byte("0123456789abcdef0123456789abcdef"))
	m := &kernel.Message{
		Identities: [][]byte{[]byte("peer")},
		Header:     kernel.Header{MsgID: "id", Session: "s", Username: "u", Date: "2026-11-28T12:00:00.000000Z", MsgType: "execute_request", Version: "5.4"},
		Content:    []byte(`{"code":"x := 1","silent":false,"store_history":true,"user_expressions":{},"allow_stdin":true,"stop_on_error":true}`),
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		frames, err := codec.Encode(m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := codec.Decode(frames); err != nil {
			b.Fatal(fmt.Sprint(err))
		}
	}
}

// BenchmarkKernelProcessCPU runs the client in a child process (this test
// binary, as TestHelperClient) so that this process holds only the
// kernel: it reports the kernel's own CPU time per trivial execute
// (kernel-cpu-ns/op) besides the wall time of a round trip.
func BenchmarkKernelProcessCPU(b *testing.B) {
	info, err := kerneltest.NewConnectionInfo()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "kernel.json")
	if err := kerneltest.WriteConnectionFile(path, info); err != nil {
		b.Fatal(err)
	}
	k, err := kernel.New(kernel.Config{Connection: info, Evaluator: newFake(), Info: testInfo, Log: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	cx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); k.Run(cx) }()
	defer func() { cancel(); <-done }()

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperClient$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GODL_HELPER_CONN="+path, "GODL_HELPER_N="+strconv.Itoa(b.N))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	// The child prints "ready" after WaitReady and "done" after b.N executes.
	for lines.Scan() && lines.Text() != "ready" {
	}
	before := cpuTime()
	b.ResetTimer()
	for lines.Scan() && lines.Text() != "done" {
	}
	b.StopTimer()
	used := cpuTime() - before
	if err := cmd.Wait(); err != nil {
		b.Fatalf("client: %v", err)
	}
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "kernel-cpu-ns/op")
}

// cpuTime returns the user+system CPU time of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestHelperClient is the child process of BenchmarkKernelProcessCPU; it
// does nothing in a normal test run.
func TestHelperClient(t *testing.T) {
	path := os.Getenv("GODL_HELPER_CONN")
	if path == "" {
		return
	}
	n, _ := strconv.Atoi(os.Getenv("GODL_HELPER_N"))
	info, err := kernel.ReadConnectionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cx := ctx(t, 5*time.Minute)
	c, err := kerneltest.Dial(cx, info)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.WaitReady(cx); err != nil {
		t.Fatal(err)
	}
	c.DrainIOPub()
	fmt.Println("ready")
	opts := kerneltest.DefaultExecute("value:1")
	for i := 0; i < n; i++ {
		if _, _, err := c.ExecuteWith(cx, opts); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Println("done")
}
