package interp

import (
	"context"
	"errors"
	"os"
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
