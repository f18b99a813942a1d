package interp

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godl-kernel/godl/interp/worker"
	"github.com/godl-kernel/godl/kernel"
)

// The output-buffering tests run the real worker process, as the kernel
// does: the test binary re-executed with outbufWorkerEnv set serves a
// Session on its stdout and stderr pipes (TestOutbufWorkerHelperProcess).
const outbufWorkerEnv = "GODL_TEST_OUTBUF_WORKER"

func TestOutbufWorkerHelperProcess(t *testing.T) {
	if os.Getenv(outbufWorkerEnv) == "" {
		t.Skip("helper process of the output-buffering tests")
	}
	os.Exit(ServeWorker())
}

// startOutbufWorker starts a worker serving the real Session.
func startOutbufWorker(t testing.TB) *worker.Supervisor {
	t.Helper()
	s, err := worker.Start(context.Background(), worker.Config{
		Command:        []string{os.Args[0], "-test.run=^TestOutbufWorkerHelperProcess$"},
		Env:            []string{outbufWorkerEnv + "=1"},
		InterruptGrace: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// timedOutput records stream text with the time each piece arrived.
type timedOutput struct {
	mu     sync.Mutex
	start  time.Time
	chunks []timedChunk
}

type timedChunk struct {
	name, text string
	at         time.Duration
}

func newTimedOutput() *timedOutput { return &timedOutput{start: time.Now()} }

func (o *timedOutput) Stream(name, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.chunks = append(o.chunks, timedChunk{name, text, time.Since(o.start)})
}
func (o *timedOutput) Display(d kernel.Display) {}
func (o *timedOutput) ClearOutput(wait bool)    {}
func (o *timedOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return "", errors.New("no input in this test")
}

// text returns what stream name received.
func (o *timedOutput) text(name string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for _, c := range o.chunks {
		if c.name == name {
			b.WriteString(c.text)
		}
	}
	return b.String()
}

// firstAt returns when stream name first received text containing s
// (counted in the stream's concatenated text), or -1.
func (o *timedOutput) firstAt(name, s string) time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for _, c := range o.chunks {
		if c.name != name {
			continue
		}
		b.WriteString(c.text)
		if strings.Contains(b.String(), s) {
			return c.at
		}
	}
	return -1
}

// BenchmarkOutbufWorkerPrintLoop runs the kernelbench cell that prints
// 10,000 lines through the worker process, to the end of the cell (all
// output delivered); it reports ns per printed line.
func BenchmarkOutbufWorkerPrintLoop(b *testing.B) {
	s := startOutbufWorker(b)
	ctx := context.Background()
	const code = "for i := 0; i < 10000; i++ {\n\tfmt.Println(i)\n}"
	run := func() {
		out := newTimedOutput()
		res, err := s.Execute(ctx, kernel.ExecuteRequest{Code: code, ExecutionCount: 1}, out)
		if err != nil || res.Status != kernel.StatusOK {
			b.Fatal(res, err)
		}
		if got := strings.Count(out.text("stdout"), "\n"); got != 10000 {
			b.Fatalf("%d lines, want 10000", got)
		}
	}
	run()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/line")
}

// TestOutbufWorkerOrder runs cells through the worker process: buffered
// interpreted output keeps its place among compiled writes to fd 1, all
// of it arrives before the cell's end, and it streams while the cell runs.
func TestOutbufWorkerOrder(t *testing.T) {
	s := startOutbufWorker(t)
	ctx := context.Background()
	n := 0
	run := func(code string) (kernel.ExecuteResult, *timedOutput) {
		t.Helper()
		n++
		out := newTimedOutput()
		res, err := s.Execute(ctx, kernel.ExecuteRequest{Code: code, ExecutionCount: n}, out)
		if err != nil {
			t.Fatalf("%q: %v", code, err)
		}
		return res, out
	}
	if res, _ := run("func raw(s string) { os.Stdout.WriteString(s) }\nfunc sq(x int) int { return x * x }"); res.Status != kernel.StatusOK {
		t.Fatalf("declarations: %+v", res.Error)
	}

	t.Run("interpreted and compiled writes", func(t *testing.T) {
		for _, code := range []string{
			"fmt.Println(\"a\")\nraw(\"b\\n\")\nfmt.Println(\"c\")\nos.Stdout.WriteString(\"d\\n\")\nfmt.Println(\"e\")",
			"for i := 0; i < 3; i++ {\n\tfmt.Println(\"a\")\n}\nraw(\"b\\n\")\nfor i := 0; i < 3; i++ {\n\tfmt.Println(\"c\")\n}",
		} {
			res, out := run(code)
			want := "a\nb\nc\nd\ne\n"
			if strings.HasPrefix(code, "for") {
				want = "a\na\na\nb\nc\nc\nc\n"
			}
			if res.Status != kernel.StatusOK || out.text("stdout") != want {
				t.Errorf("%q: %s %+v, stdout %q, want %q", code, res.Status, res.Error, out.text("stdout"), want)
			}
		}
	})

	t.Run("10,000 lines in order", func(t *testing.T) {
		res, out := run("for i := 0; i < 10000; i++ {\n\tfmt.Println(sq(i) % 1000, i)\n}")
		var want strings.Builder
		for i := 0; i < 10000; i++ {
			want.WriteString(strconv.Itoa(i*i%1000) + " " + strconv.Itoa(i) + "\n")
		}
		if res.Status != kernel.StatusOK || out.text("stdout") != want.String() {
			t.Errorf("%s %+v, %d bytes of stdout, want %d", res.Status, res.Error, len(out.text("stdout")), want.Len())
		}
	})

	t.Run("live", func(t *testing.T) {
		res, out := run("fmt.Println(\"a\")\ntime.Sleep(2 * time.Second)\nfmt.Println(\"b\")")
		if res.Status != kernel.StatusOK || out.text("stdout") != "a\nb\n" {
			t.Fatalf("%s %+v, stdout %q", res.Status, res.Error, out.text("stdout"))
		}
		if at := out.firstAt("stdout", "a"); at < 0 || at > 200*time.Millisecond {
			t.Errorf("\"a\" arrived %v after the cell started, want < 0.2 s", at)
		}
		if at := out.firstAt("stdout", "b"); at < 2*time.Second {
			t.Errorf("\"b\" arrived %v after the cell started, before the sleep ended", at)
		}
	})

	t.Run("panic keeps the lines before it", func(t *testing.T) {
		res, out := run("for i := 0; i < 3; i++ {\n\tfmt.Println(i)\n}\nfmt.Print(\"partial\")\npanic(\"boom\")")
		if res.Status != kernel.StatusError || !strings.Contains(res.Error.Value, "boom") {
			t.Errorf("%s %+v", res.Status, res.Error)
		}
		if got := out.text("stdout"); got != "0\n1\n2\npartial" {
			t.Errorf("stdout %q", got)
		}
		if got := out.text("stderr"); strings.Contains(got, "panic") {
			t.Errorf("yaegi's panic frames reached stderr: %q", got)
		}
	})

	t.Run("interrupt keeps the lines before it", func(t *testing.T) {
		out := newTimedOutput()
		done := make(chan kernel.ExecuteResult, 1)
		n++
		go func(n int) {
			res, _ := s.Execute(ctx, kernel.ExecuteRequest{Code: "for i := 0; i < 3; i++ {\n\tfmt.Println(i)\n}\nfor {\n}", ExecutionCount: n}, out)
			done <- res
		}(n)
		deadline := time.Now().Add(10 * time.Second)
		for out.firstAt("stdout", "2\n") < 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		s.Interrupt()
		select {
		case res := <-done:
			if res.Status != kernel.StatusError || res.Error.Name != "Interrupted" {
				t.Errorf("%s %+v", res.Status, res.Error)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the interrupt did not stop the cell")
		}
		if got := out.text("stdout"); got != "0\n1\n2\n" {
			t.Errorf("stdout %q", got)
		}
	})

	t.Run("stderr", func(t *testing.T) {
		res, out := run("println(\"x\")\nlog.Print(\"y\")\nfmt.Println(\"z\")\nlog.Panic(\"w\")")
		if res.Status != kernel.StatusError || out.text("stdout") != "x\nz\n" || !strings.HasSuffix(out.text("stderr"), "w\n") || !strings.Contains(out.text("stderr"), "y\n") {
			t.Errorf("%s %+v, stdout %q, stderr %q", res.Status, res.Error, out.text("stdout"), out.text("stderr"))
		}
	})
}
