package worker

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/godl-kernel/godl/kernel"
)

// These tests run the real engine (the yaegi Session) in the worker, as
// `godl __worker` does: the helper process serves interp.ServeWorker.

func startSession(t testing.TB) *Supervisor {
	t.Helper()
	return startHelper(t, "session", Config{InterruptGrace: 5 * time.Second})
}

func TestWorkerSession(t *testing.T) {
	s := startSession(t)
	steps := []struct {
		name       string
		code       string
		wantStatus string
		wantValue  string // in Out[n] text/plain
		wantStdout string
		wantErr    string // in Error.Name + ": " + Error.Value
	}{
		{"state", "x := 41", "ok", "", "", ""},
		{"value", "x + 1", "ok", "42", "", ""},
		{"fmt output", `fmt.Println("hello", x)`, "ok", "", "hello 41\n", ""},
		{"compiled fd write", `os.Stdout.WriteString("raw\n")`, "ok", "", "raw\n", ""},
		{"panic in goroutine kills the worker", "go func() { panic(\"boom\") }()\ntime.Sleep(2 * time.Second)", "error", "", "", "WorkerCrashed: the Go worker crashed: exit status 2 (panic: boom"},
		{"state is gone", "x", "error", "", "", "undefined: x"},
		{"fresh worker works", "y := 2\ny * 21", "ok", "42", "", ""},
	}
	for _, st := range steps {
		out := &recOutput{}
		res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: st.code}, out)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Status != st.wantStatus {
			t.Errorf("%s: status %s (%+v), want %s; stderr %q", st.name, res.Status, res.Error, st.wantStatus, out.text("stderr"))
			continue
		}
		if st.wantValue != "" && valueOf(res) != st.wantValue {
			t.Errorf("%s: value %q, want %q", st.name, valueOf(res), st.wantValue)
		}
		if got := out.text("stdout"); got != st.wantStdout {
			t.Errorf("%s: stdout %q, want %q", st.name, got, st.wantStdout)
		}
		if st.wantErr != "" {
			if res.Error == nil || !strings.Contains(res.Error.Name+": "+res.Error.Value, st.wantErr) {
				t.Errorf("%s: error %+v, want %q", st.name, res.Error, st.wantErr)
			} else if res.Error.Name == "WorkerCrashed" && (len(res.Error.Traceback) > 8 || !strings.Contains(out.text("stderr"), "yaegi")) {
				// The interpreter's frames are left out of the traceback,
				// not out of the stderr stream.
				t.Errorf("%s: traceback %q", st.name, res.Error.Traceback)
			}
		}
	}
}

func TestWorkerSessionDisplayOrder(t *testing.T) {
	s := startSession(t)
	_, out := mustOK(t, s, `fmt.Println("a")
display.Show(display.Markdown("**D**"))
fmt.Println("b")`)
	if got, want := strings.Join(out.sequence(), "|"), "stdout:a\n|display:**D**|stdout:b\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestWorkerSessionInput(t *testing.T) {
	s := startSession(t)
	out := &recOutput{input: func(p string) (string, error) { return "Ada", nil }}
	code := `fmt.Println("a")
var name string
fmt.Scanln(&name)
fmt.Println("hi", name)`
	res, err := s.Execute(context.Background(), kernel.ExecuteRequest{Code: code, AllowStdin: true}, out)
	if err != nil || res.Status != kernel.StatusOK {
		t.Fatalf("%+v, %v; stderr %q", res.Error, err, out.text("stderr"))
	}
	if got := out.text("stdout"); got != "a\nhi Ada\n" {
		t.Errorf("stdout %q", got)
	}
	if len(out.prompts) != 1 {
		t.Errorf("prompts %q", out.prompts)
	}
}

func TestWorkerSessionInterruptKeepsState(t *testing.T) {
	s := startSession(t)
	mustOK(t, s, "n := 7")
	out := &recOutput{}
	done := make(chan kernel.ExecuteResult, 1)
	go func() {
		res, _ := s.Execute(context.Background(), kernel.ExecuteRequest{Code: "fmt.Println(\"started\")\nfor {\n}"}, out)
		done <- res
	}()
	out.waitFor(t, "stdout", "started")
	s.Interrupt()
	select {
	case res := <-done:
		if res.Status != kernel.StatusError {
			t.Errorf("interrupted cell: %+v", res)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the interrupt did not stop the loop")
	}
	if res, _ := mustOK(t, s, "n"); valueOf(res) != "7" {
		t.Errorf("n = %q after the interrupt", valueOf(res))
	}
}

func TestWorkerSessionCompleteWhileBusy(t *testing.T) {
	s := startSession(t)
	out := &recOutput{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Execute(context.Background(), kernel.ExecuteRequest{Code: "fmt.Println(\"started\")\ntime.Sleep(2 * time.Second)"}, out)
	}()
	out.waitFor(t, "stdout", "started")
	c, err := s.Complete(context.Background(), "strings.ToUp", 12)
	if err != nil || !containsString(c.Matches, "strings.ToUpper") && !containsString(c.Matches, "ToUpper") {
		t.Errorf("Complete = %+v, %v", c, err)
	}
	select {
	case <-done:
		t.Error("Complete waited for the cell")
	default:
	}
	<-done
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// BenchmarkWorkerSessionTrivialExecute measures a trivial cell through the
// real engine in the worker: the kernel-side cost of a cell minus the
// protocol.
func BenchmarkWorkerSessionTrivialExecute(b *testing.B) {
	for _, code := range []string{"1+1", "x := 1", "x"} {
		b.Run(code, func(b *testing.B) {
			s := startSession(b)
			ctx := context.Background()
			for _, c := range []string{"x := 1", code} {
				req := kernel.ExecuteRequest{Code: c, ExecutionCount: 1}
				if res, err := s.Execute(ctx, req, discardOutput{}); err != nil || res.Status != kernel.StatusOK {
					b.Fatal(res, err)
				}
			}
			req := kernel.ExecuteRequest{Code: code, ExecutionCount: 2}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Execute(ctx, req, discardOutput{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWorkerSessionComplete measures a completion through the real
// engine in the worker (kernelbench's "fmt.Sp").
func BenchmarkWorkerSessionComplete(b *testing.B) {
	s := startSession(b)
	ctx := context.Background()
	if res, err := s.Execute(ctx, kernel.ExecuteRequest{Code: `import "fmt"`, ExecutionCount: 1}, discardOutput{}); err != nil || res.Status != kernel.StatusOK {
		b.Fatal(res, err)
	}
	if r, err := s.Complete(ctx, "fmt.Sp", 6); err != nil || len(r.Matches) == 0 {
		b.Fatal(r, err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Complete(ctx, "fmt.Sp", 6); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSupervisorReusesCandidates checks that the kernel answers completions
// of a member name from the worker's candidates while no cell runs, that
// those answers are the worker's own, and that a cell drops them.
func TestSupervisorReusesCandidates(t *testing.T) {
	s := startSession(t)
	ctx := context.Background()
	run := func(code string) {
		t.Helper()
		if res, err := s.Execute(ctx, kernel.ExecuteRequest{Code: code}, &recOutput{}); err != nil || res.Status != "ok" {
			t.Fatalf("%q: %v %+v", code, err, res.Error)
		}
	}
	hits := func() int {
		s.mu.Lock()
		w := s.gen
		s.mu.Unlock()
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.reuseHits
	}
	direct := func(code string, cursor int) kernel.CompleteResult {
		t.Helper()
		r, err := s.call(ctx, reqComplete, &ipcMsg{Code: code, Cursor: cursor})
		if err != nil || r.Complete == nil {
			t.Fatalf("%q: %v %+v", code, err, r)
		}
		return *r.Complete
	}
	complete := func(code string) kernel.CompleteResult {
		t.Helper()
		res, err := s.Complete(ctx, code, len([]rune(code)))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	run("type P struct{ Alpha, Alps int }\nv := P{}")

	// The first two requests at a place ask the worker (the second for
	// the candidates); the next ones, with the name typed further, or in
	// another case, or again, do not, and answer what the worker answers.
	for i, code := range []string{"x := v.", "x := v.A", "x := v.Al", "x := v.Alp", "x := v.alph", "x := v.Alpha", "x := v.Q", "x := v.Al"} {
		before := hits()
		got := complete(code)
		if want := i / 2; hits()-before != min(want, 1) {
			t.Errorf("%q: %d answers from reuse, want %d", code, hits()-before, min(want, 1))
		}
		if want := direct(code, len([]rune(code))); !sameJSON(got, want) {
			t.Errorf("%q: reused answer %+v, worker's %+v", code, got, want)
		}
	}
	if got := complete("x := v.Alps").Matches; !reflect.DeepEqual(got, []string{"Alps"}) {
		t.Errorf("v.Alps: %q", got)
	}
	for _, code := range []string{"fmt.Sp", "fmt.Spr", "fmt.Sprintf", "fmt.E"} {
		if got, want := complete(code), direct(code, len([]rune(code))); !sameJSON(got, want) {
			t.Errorf("%q: reused answer %+v, worker's %+v", code, got, want)
		}
	}

	// A cell that redefines v drops the candidates.
	run("type Q struct{ Beta int }\nv := Q{}")
	before := hits()
	if got := complete("x := v.").Matches; !reflect.DeepEqual(got, []string{"Beta"}) {
		t.Errorf("after v changed type, v. offers %q", got)
	}
	if hits() != before {
		t.Error("answered from candidates kept across a cell")
	}
	for i, want := range []int{0, 1, 2} {
		if got := complete("x := v.B").Matches; !reflect.DeepEqual(got, []string{"Beta"}) || hits() != before+want {
			t.Errorf("v.B, request %d: %q, %d reused", i+2, got, hits()-before)
		}
	}

	// While a cell runs, the worker answers.
	done := make(chan struct{})
	go func() {
		defer close(done)
		run("time.Sleep(time.Second)")
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		w := s.gen
		s.mu.Unlock()
		w.mu.Lock()
		running := w.execRunning
		w.mu.Unlock()
		if running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cell did not start")
		}
	}
	before = hits()
	for i := 0; i < 3; i++ {
		if got := complete("x := v.B").Matches; !reflect.DeepEqual(got, []string{"Beta"}) || hits() != before {
			t.Errorf("v.B while a cell runs, request %d: %q, %d reused", i+1, got, hits()-before)
		}
	}
	<-done
}

// sameJSON tells whether a and b encode to the same JSON (what the kernel
// sends).
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
