package worker

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/godl-kernel/godl/internal/testutil"
	"github.com/godl-kernel/godl/kernel"
)

// startFake starts a Supervisor whose worker serves fakeEval.
func startFake(t testing.TB, cfg Config) *Supervisor {
	t.Helper()
	return startHelper(t, "fake", cfg)
}

// startHelper starts a Supervisor whose worker is this test binary's
// TestWorkerHelperProcess in the given mode ("fake", "fakefast" …).
func startHelper(t testing.TB, mode string, cfg Config) *Supervisor {
	t.Helper()
	if cfg.Command == nil {
		cfg.Command = []string{os.Args[0], "-test.run=^TestWorkerHelperProcess$"}
	}
	cfg.Env = append(cfg.Env, workerEnv+"="+mode)
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recEvent is one call on a recOutput.
type recEvent struct {
	kind string // "stdout", "stderr", "display", "clear"
	text string
	at   time.Time
}

// recOutput records what a cell sends to its kernel.Output.
type recOutput struct {
	mu      sync.Mutex
	events  []recEvent
	prompts []string
	input   func(prompt string) (string, error)
}

func (o *recOutput) add(kind, text string) {
	o.mu.Lock()
	o.events = append(o.events, recEvent{kind, text, time.Now()})
	o.mu.Unlock()
}

func (o *recOutput) Stream(name, text string) { o.add(name, text) }
func (o *recOutput) Display(d kernel.Display) {
	kind := "display"
	if d.Update {
		kind = "update"
	}
	o.add(kind, fmt.Sprint(d.Data["text/plain"]))
}
func (o *recOutput) ClearOutput(wait bool) { o.add("clear", "") }
func (o *recOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	o.mu.Lock()
	o.prompts = append(o.prompts, prompt)
	o.mu.Unlock()
	if o.input == nil {
		return "", fmt.Errorf("stdin is not allowed")
	}
	return o.input(prompt)
}

// text returns everything streamed to name.
func (o *recOutput) text(name string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for _, e := range o.events {
		if e.kind == name {
			b.WriteString(e.text)
		}
	}
	return b.String()
}

// sequence returns the events as "kind:text" with adjacent chunks of the
// same stream merged.
func (o *recOutput) sequence() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var seq []string
	last := ""
	for _, e := range o.events {
		if e.kind == last && (e.kind == "stdout" || e.kind == "stderr") {
			seq[len(seq)-1] += e.text
			continue
		}
		seq = append(seq, e.kind+":"+e.text)
		last = e.kind
	}
	return seq
}

func (o *recOutput) waitFor(t *testing.T, name, substr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(o.text(name), substr) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never contained %q; got %q", name, substr, o.text(name))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func run(t *testing.T, s *Supervisor, code string) (kernel.ExecuteResult, *recOutput) {
	t.Helper()
	out := &recOutput{}
	res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: code}, out)
	if err != nil {
		t.Fatalf("Execute(%q): %v", code, err)
	}
	return res, out
}

func mustOK(t *testing.T, s *Supervisor, code string) (kernel.ExecuteResult, *recOutput) {
	t.Helper()
	res, out := run(t, s, code)
	if res.Status != kernel.StatusOK {
		t.Fatalf("Execute(%q) = %s %+v; stderr %q", code, res.Status, res.Error, out.text("stderr"))
	}
	return res, out
}

func valueOf(res kernel.ExecuteResult) string {
	if res.Value == nil {
		return ""
	}
	return fmt.Sprint(res.Value.Data["text/plain"])
}

func TestSupervisorStreams(t *testing.T) {
	s := startFake(t, Config{})
	var tenK strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&tenK, "line %d\n", i)
	}
	markerLike := string(syncPrefix) + "not a marker\n"
	tests := []struct {
		name       string
		code       string
		wantStdout string
		wantStderr string
	}{
		{"fd writes", `out "hello\n"` + "\n" + `err "oops\n"`, "hello\n", "oops\n"},
		{"partial final line", `out "no newline"`, "no newline", ""},
		{"utf8 split across writes", "bytes 68c3\nsleep 30ms\nbytes a9e282\nsleep 30ms\nbytes ac0a", "hé€\n", ""},
		{"4-byte rune split", "bytes f09f\nsleep 20ms\nbytes 9880", "😀", ""},
		{"10,000 lines in order", "lines 10000", tenK.String(), ""},
		{"marker-like text passes", "out " + strconv.Quote(markerLike), markerLike, ""},
		{"invalid utf8 is kept", "bytes ff41", "\xffA", ""},
		{"child process output", `shell echo from-sh; echo err-sh >&2`, "from-sh\n", "err-sh\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, out := mustOK(t, s, tc.code)
			if got := out.text("stdout"); got != tc.wantStdout {
				if len(got) > 200 {
					t.Errorf("stdout: got %d bytes, want %d", len(got), len(tc.wantStdout))
				} else {
					t.Errorf("stdout = %q, want %q", got, tc.wantStdout)
				}
			}
			if got := out.text("stderr"); got != tc.wantStderr {
				t.Errorf("stderr = %q, want %q", got, tc.wantStderr)
			}
			if utf8.ValidString(tc.wantStdout) {
				for _, e := range out.events {
					if !utf8.ValidString(e.text) {
						t.Errorf("a %s chunk splits a rune: %q", e.kind, e.text)
					}
				}
			}
		})
	}
}

func TestSupervisorStreamsLive(t *testing.T) {
	s := startFake(t, Config{})
	out := &recOutput{}
	start := time.Now()
	res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: `out "first\n"` + "\nsleep 1500ms\n" + `out "last\n"`}, out)
	end := time.Now()
	if err != nil || res.Status != kernel.StatusOK {
		t.Fatal(res, err)
	}
	if len(out.events) < 2 || out.events[0].text != "first\n" {
		t.Fatalf("events %q", out.sequence())
	}
	// The first line arrives while the cell sleeps, not at its end.
	if got := out.events[0].at.Sub(start); got > end.Sub(start)-time.Second {
		t.Errorf("the first line arrived %v after the start of a %v cell", got, end.Sub(start))
	}
}

func TestSupervisorOrdering(t *testing.T) {
	s := startFake(t, Config{})
	_, out := mustOK(t, s, strings.Join([]string{
		`out "a\n"`, `display D1`, `out "b\n"`, `err "e\n"`, `clear`, `out "c"`, `display D2`, `out "d"`,
	}, "\n"))
	var got []string
	for _, e := range out.sequence() {
		if !strings.HasPrefix(e, "stderr:") {
			got = append(got, e)
		}
	}
	want := []string{"stdout:a\n", "display:D1", "stdout:b\n", "clear:", "stdout:c", "display:D2", "stdout:d"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("order = %q, want %q", got, want)
	}
	// stderr written before the clear comes before it.
	seq := out.sequence()
	ie, ic := -1, -1
	for i, e := range seq {
		if e == "stderr:e\n" {
			ie = i
		}
		if e == "clear:" {
			ic = i
		}
	}
	if ie < 0 || ie > ic {
		t.Errorf("stderr not before the clear: %q", seq)
	}
}

func TestSupervisorUnencodableValues(t *testing.T) {
	s := startFake(t, Config{})
	res, _ := run(t, s, "nanvalue")
	if res.Error == nil || res.Error.Name != "EncodingError" {
		t.Errorf("NaN value: %+v", res)
	}
	_, out := mustOK(t, s, `out "a\n"`+"\nbaddisplay\n"+`out "b\n"`)
	if got := out.text("stdout"); got != "a\nb\n" {
		t.Errorf("stdout %q", got)
	}
	if !strings.Contains(out.text("stderr"), "a display could not be sent to the kernel") {
		t.Errorf("stderr %q", out.text("stderr"))
	}
}

func TestSupervisorDisplayPackage(t *testing.T) {
	s := startFake(t, Config{})
	_, out := mustOK(t, s, "out \"a\\n\"\nshow D\nout \"b\\n\"\nhandle 50")
	seq := out.sequence()
	// The handle's first value is shown; the updates held back by its
	// rate limit are flushed when the cell ends: the last one is part of
	// this cell's output.
	if len(seq) < 5 || strings.Join(seq[:4], "|") != "stdout:a\n|display:D|stdout:b\n|display:1" || seq[len(seq)-1] != "update:50" {
		t.Errorf("output %q", seq)
	}
}

func TestSupervisorLateOutputGoesToNextCell(t *testing.T) {
	s := startFake(t, Config{})
	_, first := mustOK(t, s, `bg 200ms late`+"\n"+`out "now\n"`)
	if got := first.text("stdout"); got != "now\n" {
		t.Errorf("first cell stdout %q", got)
	}
	time.Sleep(500 * time.Millisecond) // the goroutine writes while no cell runs
	_, second := mustOK(t, s, `out "second\n"`)
	if got := second.text("stdout"); got != "latesecond\n" {
		t.Errorf("second cell stdout %q, want the late output first", got)
	}
}

func TestSupervisorCrashes(t *testing.T) {
	tests := []struct {
		name      string
		code      string
		wantValue string // in Error.Value
		wantTrace string // in the traceback and in the stderr stream
	}{
		{"panic in goroutine", "panicgo boom-in-goroutine", "exit status 2 (panic: boom-in-goroutine)", "goroutine "},
		{"os.Exit", "exit 3", "exit status 3, os.Exit(3) was called?", ""},
		{"os.Exit(0)", `err "bye\n"` + "\nexit 0", "exit status 0", "bye"},
		{"stack overflow", "overflow", "exit status 2 (fatal error: stack overflow)", "goroutine stack exceeds"},
		{"killed", "kill", "killed by signal 9 (SIGKILL: out of memory?)", ""},
	}
	s := startFake(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustOK(t, s, "set x 1")
			pid, _ := mustOK(t, s, "pid")
			res, out := run(t, s, tc.code)
			if res.Status != kernel.StatusError || res.Error == nil || res.Error.Name != "WorkerCrashed" {
				t.Fatalf("result %+v", res)
			}
			v := res.Error.Value
			if !strings.HasPrefix(v, "the Go worker crashed: ") || !strings.Contains(v, tc.wantValue) ||
				!strings.HasSuffix(v, "; variables were lost; a fresh worker is ready") {
				t.Errorf("value %q, want it to contain %q", v, tc.wantValue)
			}
			tb := strings.Join(res.Error.Traceback, "\n")
			if !strings.Contains(tb, tc.wantTrace) || !strings.HasSuffix(tb, "WorkerCrashed: "+v) {
				t.Errorf("traceback %q lacks %q", tb, tc.wantTrace)
			}
			if len(res.Error.Traceback) > crashMaxLines+3 {
				t.Errorf("traceback has %d lines", len(res.Error.Traceback))
			}
			if !strings.Contains(out.text("stderr"), tc.wantTrace) {
				t.Errorf("stderr stream %q lacks %q", out.text("stderr"), tc.wantTrace)
			}
			// The next cell runs in a fresh worker, without the old state.
			res, _ = run(t, s, "get x")
			if res.Error == nil || res.Error.Name != "NameError" {
				t.Errorf("state survived the crash: %+v", res)
			}
			pid2, _ := mustOK(t, s, "pid")
			if valueOf(pid) == valueOf(pid2) {
				t.Errorf("same worker pid %s after a crash", valueOf(pid))
			}
			if got, _ := mustOK(t, s, "value ok"); valueOf(got) != "ok" {
				t.Errorf("value after crash %q", valueOf(got))
			}
		})
	}
}

func TestSupervisorRecoversInWorker(t *testing.T) {
	// A panic or Goexit on the cell's own goroutine is caught by the
	// worker: the cell fails, the state stays.
	tests := []struct{ code, name string }{
		{"panic boom", "panic"},
		{"goexit", "Goexit"},
		// Past readHandoff another goroutine reads the requests already.
		{"sleep 5ms\ngoexit", "Goexit"},
		{"goexit", "Goexit"},
		{"sleep 5ms\npanic late", "panic"},
	}
	s := startFake(t, Config{})
	mustOK(t, s, "set x kept")
	for _, tc := range tests {
		res, _ := run(t, s, tc.code)
		if res.Error == nil || res.Error.Name != tc.name {
			t.Errorf("%s: result %+v", tc.code, res)
		}
		if got, _ := mustOK(t, s, "get x"); valueOf(got) != "kept" {
			t.Errorf("%s: x = %q", tc.code, valueOf(got))
		}
	}
}

func TestSupervisorIdleCrash(t *testing.T) {
	log := &testutil.LockedBuffer{}
	s := startFake(t, Config{Log: log})
	mustOK(t, s, "set x 1\nbgexit 100ms")
	first := s.currentPID()
	deadline := time.Now().Add(10 * time.Second)
	for s.currentPID() == first || s.currentPID() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the dead worker was not replaced")
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, out := mustOK(t, s, "value ok")
	if valueOf(res) != "ok" {
		t.Errorf("value %q", valueOf(res))
	}
	if e := out.text("stderr"); !strings.Contains(e, "the Go worker crashed while no cell was running: exit status 3") ||
		!strings.Contains(e, "variables were lost") {
		t.Errorf("stderr %q does not say state was lost", e)
	}
	if _, out := mustOK(t, s, "value again"); out.text("stderr") != "" {
		t.Errorf("the notice repeats: %q", out.text("stderr"))
	}
	if l := log.String(); !strings.Contains(l, "ready in") || !strings.Contains(l, "died: exit status 3") {
		t.Errorf("log %q", l)
	}
}

func (s *Supervisor) currentPID() int {
	s.mu.Lock()
	w := s.gen
	s.mu.Unlock()
	if w == nil {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pid
}

func TestSupervisorInterrupt(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		wantName string
		kept     bool
	}{
		{"interruptible cell keeps state", "busy", "Interrupted", true},
		{"a lost interrupt is signalled again", "busy2", "Interrupted", true},
		{"stuck compiled code restarts the worker", "stuck 60s", "InterruptTimeout", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startFake(t, Config{InterruptGrace: 300 * time.Millisecond})
			mustOK(t, s, "set x 1")
			out := &recOutput{}
			type result struct {
				res kernel.ExecuteResult
				err error
			}
			done := make(chan result, 1)
			go func() {
				res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: tc.code}, out)
				done <- result{res, err}
			}()
			out.waitFor(t, "stdout", "started")
			if err := s.Interrupt(); err != nil {
				t.Fatal(err)
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Execute did not return after the interrupt")
			}
			if r.err != nil || r.res.Error == nil || r.res.Error.Name != tc.wantName {
				t.Fatalf("result %+v, %v", r.res, r.err)
			}
			if tc.name == "stuck compiled code restarts the worker" && !strings.Contains(r.res.Error.Value, "variables were lost") {
				t.Errorf("value %q", r.res.Error.Value)
			}
			res, _ := run(t, s, "get x")
			if kept := res.Status == kernel.StatusOK; kept != tc.kept {
				t.Errorf("state kept = %v, want %v (%+v)", kept, tc.kept, res)
			}
			mustOK(t, s, "value next")
		})
	}
}

func TestSupervisorContextCancelInterrupts(t *testing.T) {
	s := startFake(t, Config{})
	mustOK(t, s, "set x 1")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := s.Execute(ctx, kernel.ExecuteRequest{Code: "busy"}, &recOutput{})
	if err != nil || res.Error == nil || res.Error.Name != "Interrupted" {
		t.Fatalf("result %+v, %v", res, err)
	}
	mustOK(t, s, "get x")
}

func TestSupervisorInput(t *testing.T) {
	s := startFake(t, Config{})
	out := &recOutput{input: func(p string) (string, error) { return "Ada", nil }}
	res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: `out "before\n"` + "\ninput Name? \n" + `out "after\n"`}, out)
	if err != nil || res.Status != kernel.StatusOK {
		t.Fatal(res, err)
	}
	if got := out.text("stdout"); got != "before\ngot: Ada\nafter\n" {
		t.Errorf("stdout %q", got)
	}
	if len(out.prompts) != 1 || out.prompts[0] != "Name?" {
		t.Errorf("prompts %q", out.prompts)
	}
	// Input works in every cell, not only the first.
	out = &recOutput{input: func(p string) (string, error) { return "Bob", nil }}
	if res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: "input Again?"}, out); err != nil || res.Status != kernel.StatusOK {
		t.Fatal(res, err)
	}
	if got := out.text("stdout"); got != "got: Bob\n" {
		t.Errorf("second input cell: stdout %q", got)
	}
	// An Output that refuses input makes the read fail in the cell.
	res, _ = run(t, s, "input Name?")
	if res.Error == nil || res.Error.Name != "InputError" || !strings.Contains(res.Error.Value, "stdin is not allowed") {
		t.Errorf("refused input: %+v", res)
	}
}

func TestSupervisorHelpWhileBusy(t *testing.T) {
	s := startFake(t, Config{})
	out := &recOutput{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Execute(context.Background(), kernel.ExecuteRequest{Code: "stuck 3s"}, out)
	}()
	out.waitFor(t, "stdout", "started")
	ctx := context.Background()
	c, err := s.Complete(ctx, "fmt.Pr", 6)
	if err != nil || len(c.Matches) != 1 || c.Matches[0] != "fmt.Pr-match" || c.CursorEnd != 6 {
		t.Errorf("Complete = %+v, %v", c, err)
	}
	in, err := s.Inspect(ctx, "x", 1, 1)
	if err != nil || !in.Found || in.Data["text/plain"] != "x@1/1" {
		t.Errorf("Inspect = %+v, %v", in, err)
	}
	ic, err := s.IsComplete(ctx, "func f() {")
	if err != nil || ic.Status != "incomplete" || ic.Indent != "    " {
		t.Errorf("IsComplete = %+v, %v", ic, err)
	}
	select {
	case <-done:
		t.Error("the requests waited for the cell to end")
	default:
	}
	<-done
}

// TestSupervisorFastPaths: with a FastPaths evaluator the worker reads
// requests on during a cell only once the cell called CellSlow.
func TestSupervisorFastPaths(t *testing.T) {
	tests := []struct {
		code         string
		servedDuring bool // a completion is answered while the cell runs
	}{
		// First: after a cell whose reading was handed over, the next
		// cell may go to the executor goroutine (the old reader is still
		// releasing cellMu), which never blocks the reading.
		{"fast\nout \"started\"\nsleep 600ms", false}, // breaks the contract on purpose
		{"out \"started\"\nsleep 600ms", true},
	}
	s := startHelper(t, "fakefast", Config{})
	for _, tt := range tests {
		out := &recOutput{}
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.Execute(context.Background(), kernel.ExecuteRequest{Code: tt.code}, out)
		}()
		out.waitFor(t, "stdout", "started")
		start := time.Now()
		if _, err := s.Complete(context.Background(), "fmt.Pr", 6); err != nil {
			t.Fatalf("%q: Complete: %v", tt.code, err)
		}
		// The cell sleeps 600 ms after "started": a completion served
		// during it takes microseconds, one that waits for its end
		// about 600 ms.
		if during := time.Since(start) < 300*time.Millisecond; during != tt.servedDuring {
			t.Errorf("%q: completion answered after %v; while the cell ran = %v, want %v", tt.code, time.Since(start), during, tt.servedDuring)
		}
		<-done
	}
}

func TestSupervisorRestart(t *testing.T) {
	for _, lazy := range []bool{false, true} {
		t.Run(fmt.Sprintf("lazy=%v", lazy), func(t *testing.T) {
			s := startFake(t, Config{Lazy: lazy})
			mustOK(t, s, "set x 1")
			pid1, _ := mustOK(t, s, "pid")
			if err := s.Restart(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := s.currentPID(); lazy != (got == 0) {
				t.Errorf("lazy=%v: worker pid %d after Restart", lazy, got)
			}
			if res, _ := run(t, s, "get x"); res.Status != kernel.StatusError {
				t.Errorf("state survived Restart: %+v", res)
			}
			pid2, _ := mustOK(t, s, "pid")
			if valueOf(pid1) == valueOf(pid2) {
				t.Error("Restart kept the worker process")
			}

			// Restart while a cell runs ends that cell.
			out := &recOutput{}
			done := make(chan kernel.ExecuteResult, 1)
			go func() {
				res, _ := s.Execute(context.Background(), kernel.ExecuteRequest{Code: "stuck 60s"}, out)
				done <- res
			}()
			out.waitFor(t, "stdout", "started")
			if err := s.Restart(context.Background()); err != nil {
				t.Fatal(err)
			}
			if res := <-done; res.Error == nil || res.Error.Name != "WorkerRestarted" {
				t.Errorf("running cell after Restart: %+v", res)
			}
			mustOK(t, s, "value ok")
		})
	}
}

// A lazy supervisor starts no process until a request needs one, and an
// interrupt or Close before that is harmless.
func TestSupervisorLazyStart(t *testing.T) {
	s := startFake(t, Config{Lazy: true})
	time.Sleep(100 * time.Millisecond)
	if pid := s.currentPID(); pid != 0 {
		t.Fatalf("a lazy supervisor started worker %d before any request", pid)
	}
	if err := s.Interrupt(); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.IsComplete(context.Background(), "x"); res.Status == "" {
		t.Error("IsComplete got no answer from a lazily started worker")
	}
	if s.currentPID() == 0 {
		t.Error("no worker after the first request")
	}
	mustOK(t, s, "value 1")

	idle := startFake(t, Config{Lazy: true})
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSupervisorCloseLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	s := startFake(t, Config{})
	res, _ := mustOK(t, s, "pid")
	pid, _ := strconv.Atoi(valueOf(res))
	_, out := mustOK(t, s, "shell sleep 60 & echo $!\nbg 1s never")
	child, _ := strconv.Atoi(strings.TrimSpace(out.text("stdout")))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("worker %d still exists after Close (kill 0: %v)", pid, err)
	}
	if child <= 0 {
		t.Fatalf("no child pid in %q", out.text("stdout"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for processAlive(child) { // SIGKILL takes a moment
		if time.Now().After(deadline) {
			syscall.Kill(child, syscall.SIGKILL)
			t.Fatalf("process %d started by a cell survived Close", child)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before Start, %d after Close", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := s.Execute(context.Background(), kernel.ExecuteRequest{}, &recOutput{}); err != ErrClosed {
		t.Errorf("Execute after Close: %v", err)
	}
}

func TestWorkerDiesWithKernel(t *testing.T) {
	// The kernel process is killed outright: its worker must not outlive it.
	k := exec.Command(os.Args[0], "-test.run=^TestWorkerHelperProcess$")
	k.Env = append(os.Environ(), workerEnv+"=kernel")
	stdout, err := k.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Start(); err != nil {
		t.Fatal(err)
	}
	defer k.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the worker pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || !processAlive(pid) {
		t.Fatalf("worker pid %q: %v", line, err)
	}
	k.Process.Kill()
	k.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("worker %d outlived its killed kernel", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processAlive reports whether pid runs (a zombie waiting for init to reap
// it does not count).
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

func TestSupervisorStartFailures(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing binary", Config{Command: []string{"/nonexistent/godl", "__worker"}}, "starting the Go worker"},
		{"evaluator fails", Config{Command: []string{os.Args[0], "-test.run=^TestWorkerHelperProcess$"},
			Env: []string{workerEnv + "=fail"}}, "no engine today"},
		{"not a worker", Config{Command: []string{"sh", "-c", "echo not a worker >&2; exit 7"}}, "exit status 7"},
		{"worker of another build", Config{Command: []string{os.Args[0], "-test.run=^TestWorkerHelperProcess$"},
			Env: []string{workerEnv + "=oldproto"}}, "speaks worker protocol 0 and this kernel 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Lazy = true // also: a lazy worker's start failure reaches the first request
			s, err := Start(context.Background(), tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for i := 0; i < 2; i++ { // and again: each call retries
				res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: "value 1"}, &recOutput{})
				if err != nil || res.Error == nil || res.Error.Name != "WorkerFailed" || !strings.Contains(res.Error.Value, tc.want) {
					t.Fatalf("Execute = %+v, %v; want WorkerFailed with %q", res.Error, err, tc.want)
				}
			}
			if _, err := s.Complete(context.Background(), "x", 1); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Complete error %v", err)
			}
		})
	}
}

// discardOutput discards output.
type discardOutput struct{}

func (discardOutput) Stream(name, text string) {}
func (discardOutput) Display(d kernel.Display) {}
func (discardOutput) ClearOutput(wait bool)    {}
func (discardOutput) Input(ctx context.Context, prompt string, password bool) (string, error) {
	return "", fmt.Errorf("no input")
}

// BenchmarkWorkerTrivialExecute measures the proxy's cost for a cell that
// does nothing: the request, the worker's stream sync and the reply.
func BenchmarkWorkerTrivialExecute(b *testing.B) {
	s := startFake(b, Config{})
	ctx := context.Background()
	req := kernel.ExecuteRequest{Code: "value 1", ExecutionCount: 1}
	if _, err := s.Execute(ctx, req, discardOutput{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := s.Execute(ctx, req, discardOutput{})
		if err != nil || res.Status != kernel.StatusOK {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkWorkerComplete measures a completion round trip.
func BenchmarkWorkerComplete(b *testing.B) {
	s := startFake(b, Config{})
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		if _, err := s.Complete(ctx, "fmt.Pr", 6); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkerTenThousandLines measures streaming 10,000 printed lines.
func BenchmarkWorkerTenThousandLines(b *testing.B) {
	s := startFake(b, Config{})
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		if _, err := s.Execute(ctx, kernel.ExecuteRequest{Code: "lines 10000"}, discardOutput{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkerStart measures Start plus the first (trivial) request.
func BenchmarkWorkerStart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s, err := Start(context.Background(), Config{
			Command: []string{os.Args[0], "-test.run=^TestWorkerHelperProcess$"},
			Env:     []string{workerEnv + "=fake"},
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Execute(context.Background(), kernel.ExecuteRequest{}, discardOutput{}); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
