package worker

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godl-kernel/godl/display"
	"github.com/godl-kernel/godl/kernel"
)

// The supervisor tests run real worker processes: the test binary itself,
// re-executed with GODL_TEST_WORKER set, runs only TestWorkerHelperProcess,
// which serves a small scripted evaluator (fakeEval) instead of the yaegi
// Session, so these tests exercise the process split alone; package
// interp's TestWorkerSession tests serve the real Session.
const workerEnv = "GODL_TEST_WORKER"

// ServeSession serves the real engine (interp.ServeWorker). Package interp
// imports this one, so only an external test file can set it:
// session_external_test.go.
var ServeSession func() int

func TestWorkerHelperProcess(t *testing.T) {
	switch os.Getenv(workerEnv) {
	case "":
		t.Skip("helper process of the supervisor tests")
	case "fake":
		os.Exit(Serve(ServeConfig{
			New:       func() (kernel.Evaluator, error) { return newFakeEval(), nil },
			Attach:    attachDisplay,
			AfterCell: display.FlushAll,
		}))
	case "fakefast": // fakeEval with fast paths (see fastFake)
		os.Exit(Serve(ServeConfig{
			New:    func() (kernel.Evaluator, error) { return fastFake{newFakeEval()}, nil },
			Attach: attachDisplay,
		}))
	case "kernel": // a kernel process that supervises a fake worker
		s, err := Start(context.Background(), Config{
			Command: []string{os.Args[0], "-test.run=^TestWorkerHelperProcess$"},
			Env:     []string{workerEnv + "=fake"},
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: "pid"}, discardOutput{})
		if err != nil || res.Value == nil {
			t.Fatal(res, err)
		}
		fmt.Println(res.Value.Data["text/plain"])
		time.Sleep(time.Minute)
		os.Exit(0)
	case "oldproto": // a worker binary from before the protocol had versions
		fw := frameWriter{w: os.NewFile(4, "events")}
		fw.send(evHello, 0, &ipcMsg{PID: os.Getpid()})
		time.Sleep(time.Minute)
		os.Exit(0)
	case "session": // the real engine, as in `godl __worker`
		os.Exit(ServeSession())
	case "fail":
		os.Exit(Serve(ServeConfig{New: func() (kernel.Evaluator, error) { return nil, errors.New("no engine today") }}))
	}
	t.Fatalf("unknown %s=%q", workerEnv, os.Getenv(workerEnv))
}

// attachDisplay connects the display package to the worker, as
// interp.AttachDisplay does for the real engine (which this package
// cannot import).
func attachDisplay(out kernel.Output) func() {
	display.SetPublisher(testPublisher{out})
	return func() { display.SetPublisher(nil) }
}

type testPublisher struct{ out kernel.Output }

func (p testPublisher) Publish(b display.Bundle, id string, update bool) {
	p.out.Display(kernel.Display{Bundle: kernel.Bundle{Data: b.Data, Metadata: map[string]any{}}, ID: id, Update: update})
}

func (p testPublisher) Clear(wait bool) { p.out.ClearOutput(wait) }

// fakeEval is a kernel.Evaluator whose cells are scripts, one command per
// line, doing what real cells do to a process: write to fd 1 and 2, display,
// ask for input, sleep, crash in various ways.
type fakeEval struct {
	mu   sync.Mutex
	vars map[string]string
	intr chan struct{}
}

func newFakeEval() *fakeEval {
	return &fakeEval{vars: map[string]string{}, intr: make(chan struct{}, 1)}
}

// fastFake is a FastPaths evaluator: a cell whose first line is "fast"
// stays on its fast path (it does not call CellSlow, whatever it does
// after); any other cell calls CellSlow first.
type fastFake struct{ *fakeEval }

func (fastFake) FastPaths() {}

func (f fastFake) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, error) {
	if code, fast := strings.CutPrefix(req.Code, "fast\n"); fast {
		req.Code = code
	} else if n, ok := out.(SlowCellNotifier); ok {
		n.CellSlow()
	}
	return f.fakeEval.Execute(ctx, req, out)
}

func textBundle(s string) *kernel.Bundle {
	return &kernel.Bundle{Data: map[string]any{"text/plain": s}, Metadata: map[string]any{}}
}

func (f *fakeEval) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, error) {
	select {
	case <-f.intr:
	default:
	}
	res := kernel.ExecuteResult{Status: kernel.StatusOK}
	fail := func(name, value string) (kernel.ExecuteResult, error) {
		return kernel.ExecuteResult{Status: kernel.StatusError,
			Error: &kernel.ExecError{Name: name, Value: value, Traceback: []string{name + ": " + value}}}, nil
	}
	for _, line := range strings.Split(req.Code, "\n") {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch cmd {
		case "":
		case "out", "err":
			s, err := strconv.Unquote(arg)
			if err != nil {
				return fail("BadScript", line)
			}
			f := os.Stdout
			if cmd == "err" {
				f = os.Stderr
			}
			f.WriteString(s)
		case "bytes": // hex bytes to stdout in one write
			b, err := hex.DecodeString(arg)
			if err != nil {
				return fail("BadScript", line)
			}
			os.Stdout.Write(b)
		case "lines":
			n, _ := strconv.Atoi(arg)
			for i := 0; i < n; i++ {
				fmt.Printf("line %d\n", i)
			}
		case "sleep":
			d, _ := time.ParseDuration(arg)
			time.Sleep(d)
		case "display":
			out.Display(kernel.Display{Bundle: *textBundle(arg)})
		case "show": // through the display package, as compiled code does
			display.Show(display.Text(arg))
		case "handle": // a live handle updated faster than its rate limit
			n, _ := strconv.Atoi(arg)
			h := display.New()
			for i := 1; i <= n; i++ {
				h.Update(display.Text(strconv.Itoa(i)))
			}
		case "clear":
			out.ClearOutput(false)
		case "input":
			s, err := out.Input(ctx, arg, false)
			if err != nil {
				return fail("InputError", err.Error())
			}
			fmt.Printf("got: %s\n", s)
		case "set":
			k, v, _ := strings.Cut(arg, " ")
			f.mu.Lock()
			f.vars[k] = v
			f.mu.Unlock()
		case "get":
			f.mu.Lock()
			v, ok := f.vars[arg]
			f.mu.Unlock()
			if !ok {
				return fail("NameError", "undefined: "+arg)
			}
			res.Value = textBundle(v)
		case "value":
			res.Value = textBundle(arg)
		case "nanvalue": // JSON cannot carry NaN
			res.Value = &kernel.Bundle{Data: map[string]any{"text/plain": "NaN", "application/json": math.NaN()}}
		case "baddisplay":
			out.Display(kernel.Display{Bundle: kernel.Bundle{Data: map[string]any{"text/plain": func() {}}}})
		case "pid":
			res.Value = textBundle(strconv.Itoa(os.Getpid()))
		case "busy": // interpreted code: stops on interrupt
			fmt.Println("started")
			for {
				select {
				case <-f.intr:
					return fail("Interrupted", "interrupted; variables are kept")
				case <-ctx.Done():
					return fail("Interrupted", ctx.Err().Error())
				case <-time.After(time.Millisecond):
				}
			}
		case "busy2": // as if the first interrupt came before the cell started
			fmt.Println("started")
			for n := 0; n < 2; {
				select {
				case <-f.intr:
					n++
				case <-time.After(time.Millisecond):
				}
			}
			return fail("Interrupted", "interrupted at the second signal")
		case "stuck": // compiled code: ignores interrupts
			fmt.Println("started")
			d, _ := time.ParseDuration(arg)
			time.Sleep(d)
		case "bg":
			d, text, _ := strings.Cut(arg, " ")
			dur, _ := time.ParseDuration(d)
			go func() { time.Sleep(dur); os.Stdout.WriteString(text) }()
		case "panicgo":
			go func() { panic(arg) }()
			time.Sleep(10 * time.Second)
		case "panic":
			panic(arg)
		case "goexit":
			runtime.Goexit()
		case "exit":
			n, _ := strconv.Atoi(arg)
			os.Exit(n)
		case "bgexit":
			d, _ := time.ParseDuration(arg)
			go func() { time.Sleep(d); os.Exit(3) }()
		case "overflow":
			var rec func(n int) int
			rec = func(n int) int { return rec(n+1) + 1 }
			rec(0)
		case "kill":
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(10 * time.Second)
		case "shell":
			c := exec.Command("sh", "-c", arg)
			c.Stdout, c.Stderr = os.Stdout, os.Stderr
			if err := c.Run(); err != nil {
				return fail("ShellError", err.Error())
			}
		default:
			return fail("BadScript", line)
		}
	}
	return res, nil
}

func (f *fakeEval) Complete(ctx context.Context, code string, cursor int) (kernel.CompleteResult, error) {
	return kernel.CompleteResult{Matches: []string{code + "-match"}, CursorStart: 0, CursorEnd: cursor}, nil
}

func (f *fakeEval) Inspect(ctx context.Context, code string, cursor, detail int) (kernel.InspectResult, error) {
	return kernel.InspectResult{Found: true, Data: map[string]any{"text/plain": fmt.Sprintf("%s@%d/%d", code, cursor, detail)}}, nil
}

func (f *fakeEval) IsComplete(ctx context.Context, code string) (kernel.IsCompleteResult, error) {
	if strings.HasSuffix(code, "{") {
		return kernel.IsCompleteResult{Status: "incomplete", Indent: "    "}, nil
	}
	return kernel.IsCompleteResult{Status: "complete"}, nil
}

func (f *fakeEval) Interrupt() error {
	select {
	case f.intr <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeEval) Restart(ctx context.Context) error {
	f.mu.Lock()
	f.vars = map[string]string{}
	f.mu.Unlock()
	return nil
}

func (f *fakeEval) Close() error { return nil }
