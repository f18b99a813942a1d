package kernel_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/godl-kernel/godl/kernel"
)

// fakeEvaluator interprets a tiny command language, one command per cell:
//
//	print:TEXT    stream TEXT to stdout
//	stderr:TEXT   stream TEXT to stderr
//	lines:N       print N numbered lines, one Stream call each
//	value:TEXT    result Out[n] with text/plain TEXT
//	error:TEXT    fail with ename "TestError", evalue TEXT
//	sleep         block until interrupted (result: error "Interrupted")
//	input:PROMPT  ask for input and print "got VALUE"
//	password:P    as input, with password set
//	display       display, update the display, clear output
//	exprs         echo user_expressions back
//	broken        the evaluator itself fails
//	anything else echo the code to stdout
type fakeEvaluator struct {
	interrupts chan struct{}
	running    chan struct{} // receives when a sleep cell starts
	closed     atomic.Bool
	nInterrupt atomic.Int32

	mu   sync.Mutex
	reqs []kernel.ExecuteRequest
}

func newFake() *fakeEvaluator {
	return &fakeEvaluator{interrupts: make(chan struct{}, 1), running: make(chan struct{}, 16)}
}

func (f *fakeEvaluator) requests() []kernel.ExecuteRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]kernel.ExecuteRequest(nil), f.reqs...)
}

func (f *fakeEvaluator) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) (kernel.ExecuteResult, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	cmd, arg, _ := strings.Cut(req.Code, ":")
	ok := kernel.ExecuteResult{Status: kernel.StatusOK}
	switch cmd {
	case "print":
		out.Stream("stdout", arg)
	case "stderr":
		out.Stream("stderr", arg)
	case "lines":
		n, _ := strconv.Atoi(arg)
		for i := 0; i < n; i++ {
			out.Stream("stdout", "line "+strconv.Itoa(i)+"\n")
		}
	case "value":
		ok.Value = &kernel.Bundle{Data: map[string]any{"text/plain": arg}}
	case "error":
		return kernel.ExecuteResult{Status: kernel.StatusError, Error: &kernel.ExecError{
			Name: "TestError", Value: arg, Traceback: []string{"TestError: " + arg},
		}}, nil
	case "sleep":
		select { // drop a stale interrupt
		case <-f.interrupts:
		default:
		}
		f.running <- struct{}{}
		select {
		case <-f.interrupts:
			return kernel.ExecuteResult{Status: kernel.StatusError, Error: &kernel.ExecError{
				Name: "Interrupted", Value: "interrupted", Traceback: []string{"interrupted"},
			}}, nil
		case <-ctx.Done():
			return kernel.ExecuteResult{}, ctx.Err()
		}
	case "input", "password":
		v, err := out.Input(ctx, arg, cmd == "password")
		if err != nil {
			return kernel.ExecuteResult{Status: kernel.StatusError, Error: &kernel.ExecError{
				Name: "InputError", Value: err.Error(), Traceback: []string{err.Error()},
			}}, nil
		}
		out.Stream("stdout", "got "+v)
	case "display":
		out.Display(kernel.Display{Bundle: kernel.Bundle{Data: map[string]any{"text/plain": "one"}}, ID: "d1"})
		out.Display(kernel.Display{Bundle: kernel.Bundle{Data: map[string]any{"text/plain": "two"}}, ID: "d1", Update: true})
		out.ClearOutput(true)
	case "exprs":
		ok.UserExpressions = map[string]any{}
		for name, expr := range req.UserExpressions {
			ok.UserExpressions[name] = map[string]any{"status": "ok", "data": map[string]any{"text/plain": expr}, "metadata": map[string]any{}}
		}
	case "broken":
		return kernel.ExecuteResult{}, errors.New("worker died")
	default:
		out.Stream("stdout", req.Code)
	}
	return ok, nil
}

func (f *fakeEvaluator) Complete(ctx context.Context, code string, cursor int) (kernel.CompleteResult, error) {
	if code == "fail" {
		return kernel.CompleteResult{}, errors.New("no completer")
	}
	return kernel.CompleteResult{Matches: []string{"Println", "Printf"}, CursorStart: cursor - 5, CursorEnd: cursor}, nil
}

func (f *fakeEvaluator) Inspect(ctx context.Context, code string, cursor, detail int) (kernel.InspectResult, error) {
	if code == "fail" {
		return kernel.InspectResult{}, errors.New("no inspector")
	}
	if strings.Contains(code, "nothing") {
		return kernel.InspectResult{}, nil
	}
	return kernel.InspectResult{Found: true, Data: map[string]any{"text/plain": "func Println(a ...any)"}}, nil
}

func (f *fakeEvaluator) IsComplete(ctx context.Context, code string) (kernel.IsCompleteResult, error) {
	if code == "fail" {
		return kernel.IsCompleteResult{}, errors.New("no parser")
	}
	if strings.HasSuffix(code, "{") {
		return kernel.IsCompleteResult{Status: "incomplete", Indent: "\t"}, nil
	}
	return kernel.IsCompleteResult{Status: "complete"}, nil
}

func (f *fakeEvaluator) Interrupt() error {
	f.nInterrupt.Add(1)
	select {
	case f.interrupts <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeEvaluator) Restart(ctx context.Context) error { return nil }

func (f *fakeEvaluator) Close() error {
	f.closed.Store(true)
	return nil
}
